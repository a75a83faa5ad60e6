//! The brotli size of what the track page transfers on first load, against the budget
//! written in README.md (a line `Size budget: N bytes brotli`).
//!
//! "What the track page transfers" is found by following references: every `.js`, `.css`
//! and `.wasm` file name in `dist/index.html` that exists in `dist/`, then, transitively,
//! those named inside the JS files found (the wasm-bindgen glue names its `.wasm`; a loader
//! names the hashed assets). A lazily loaded file that is named in the JS is counted too,
//! so the figure errs on the high side. If `index.html` names nothing, every top-level
//! `.js`, `.css` and `.wasm` in `dist/` is counted.
//!
//! A second figure is the EDD badge's first load on a product page that has only the badge
//! (`data-trackfront="edd"`): the stable loader `trackfront.js` plus the `edd-badge-*`
//! files it imports there (it skips the tracker on such pages), against README.md's
//! `EDD badge budget: N bytes brotli` line. The shop's own HTML and CSS are not counted.

use crate::util::Ctx;
use anyhow::{Context, Result, bail};
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

const EXTS: &[&str] = &["js", "mjs", "css", "wasm"];

pub fn report(ctx: &Ctx) -> Result<()> {
    let dist = ctx.root.join("dist");
    let budget = read_budget(&ctx.root.join("README.md"))?;
    let files = first_load_files(&dist)?;
    if files.is_empty() {
        bail!("found no .js, .css or .wasm files in {}", dist.display());
    }
    let mut total = 0u64;
    println!("{:>10} {:>10}  file (dist/)", "raw", "brotli");
    for rel in &files {
        let path = dist.join(rel);
        let raw = fs::metadata(&path)?.len();
        let br = brotli_len(ctx, &path)?;
        total += br;
        println!("{raw:>10} {br:>10}  {rel}");
    }
    println!(
        "{:>10} {total:>10}  total brotli bytes ({} files); budget {budget}",
        "",
        files.len()
    );
    if total > budget {
        bail!(
            "the track page transfers {total} bytes brotli, over the README's budget of {budget}"
        );
    }
    report_badge(ctx, &dist)
}

/// The EDD badge page's figure (see the module docs).
fn report_badge(ctx: &Ctx, dist: &Path) -> Result<()> {
    let budget = read_budget_line(&ctx.root.join("README.md"), "EDD badge budget:")?;
    let mut files = vec!["trackfront.js".to_owned()];
    for entry in fs::read_dir(dist)?.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with("edd-badge-") && has_asset_ext(Path::new(&name)) {
            files.push(name);
        }
    }
    if files.len() < 3 || !dist.join("trackfront.js").is_file() {
        bail!("dist/ lacks trackfront.js or the edd-badge-*.js/_bg.wasm files");
    }
    let mut total = 0u64;
    for rel in &files {
        let br = brotli_len(ctx, &dist.join(rel))?;
        total += br;
        println!(
            "{:>10} {br:>10}  {rel}",
            fs::metadata(dist.join(rel))?.len()
        );
    }
    println!(
        "{:>10} {total:>10}  EDD badge page total brotli bytes; budget {budget}",
        ""
    );
    if total > budget {
        bail!("the EDD badge page transfers {total} bytes brotli, over the README's {budget}");
    }
    Ok(())
}

/// The number on README.md's `Size budget:` line.
pub fn read_budget(readme: &Path) -> Result<u64> {
    read_budget_line(readme, "Size budget:")
}

/// The number on README.md's first line containing `label`.
fn read_budget_line(readme: &Path, label: &str) -> Result<u64> {
    let text = fs::read_to_string(readme).context("reading README.md for the size budget")?;
    let line = text
        .lines()
        .find_map(|l| l.split_once(label).map(|(_, rest)| rest.to_string()))
        .with_context(|| format!("README.md has no `{label} N bytes brotli` line"))?;
    let digits: String = line
        .trim_start_matches(|c: char| !c.is_ascii_digit())
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '_' || *c == ',')
        .filter(char::is_ascii_digit)
        .collect();
    digits
        .parse()
        .with_context(|| format!("README.md: no number on the `{label}` line ({line:?})"))
}

fn first_load_files(dist: &Path) -> Result<Vec<String>> {
    let index = fs::read_to_string(dist.join("index.html")).with_context(|| {
        format!(
            "reading {}/index.html (did trunk build run?)",
            dist.display()
        )
    })?;
    let mut found = BTreeSet::new();
    let mut queue: Vec<String> = referenced(dist, &index);
    while let Some(rel) = queue.pop() {
        if !found.insert(rel.clone()) {
            continue;
        }
        if (rel.ends_with(".js") || rel.ends_with(".mjs"))
            && let Ok(text) = fs::read_to_string(dist.join(&rel))
        {
            queue.extend(referenced(dist, &text));
        }
    }
    if found.is_empty() {
        for entry in fs::read_dir(dist)?.flatten() {
            let p = entry.path();
            if p.is_file() && has_asset_ext(&p) {
                found.insert(entry.file_name().to_string_lossy().into_owned());
            }
        }
    }
    Ok(found.into_iter().collect())
}

/// Asset names in `text` (outside comments) that exist in `dist`, as paths relative to
/// `dist`.
fn referenced(dist: &Path, text: &str) -> Vec<String> {
    let is_name = |c: char| c.is_ascii_alphanumeric() || "._-/".contains(c);
    let text = strip_comments(text);
    text.split(|c: char| !is_name(c))
        .filter(|tok| has_asset_ext(Path::new(tok)))
        .filter_map(|tok| {
            let rel = tok.trim_start_matches("./").trim_start_matches('/');
            let candidates = [
                PathBuf::from(rel),
                PathBuf::from(Path::new(rel).file_name()?),
            ];
            candidates
                .into_iter()
                .find(|c| !c.as_os_str().is_empty() && dist.join(c).is_file())
                .map(|c| c.to_string_lossy().into_owned())
        })
        .collect()
}

/// Drops `/* */`, `<!-- -->` and `//` line comments (the latter only after whitespace or
/// punctuation, so `https://` survives), so that a file merely mentioned in a comment is not
/// counted. Strings are not parsed: good enough for generated glue and HTML.
fn strip_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("/*") {
            rest = after.split_once("*/").map_or("", |(_, r)| r);
            out.push(' ');
        } else if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.split_once("-->").map_or("", |(_, r)| r);
            out.push(' ');
        } else if rest.starts_with("//")
            && out
                .chars()
                .next_back()
                .is_none_or(|c| c.is_whitespace() || ";{}(),".contains(c))
        {
            rest = rest.split_once('\n').map_or("", |(_, r)| r);
            out.push('\n');
        } else {
            let c = rest.chars().next().unwrap_or(' ');
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

fn has_asset_ext(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTS.contains(&e))
}

/// Bytes of `brotli -q 11` of the file (Debian's `brotli` CLI).
fn brotli_len(ctx: &Ctx, path: &Path) -> Result<u64> {
    let out = ctx
        .cmd("brotli")
        .args(["-c", "-q", "11"])
        .arg(path)
        .output()
        .context("running brotli (Debian package brotli; `cargo xtask setup` installs it)")?;
    if !out.status.success() {
        bail!(
            "brotli failed on {}: {}",
            path.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(out.stdout.len() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_line_is_parsed() {
        let dir = std::env::temp_dir().join(format!("xtask-budget-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let readme = dir.join("README.md");
        fs::write(&readme, "# x\n\nSize budget: 60_000 bytes brotli\n").unwrap();
        assert_eq!(read_budget(&readme).unwrap(), 60_000);
        fs::write(&readme, "**Size budget:** 45,000 bytes\n").unwrap();
        assert_eq!(read_budget(&readme).unwrap(), 45_000);
        fs::write(&readme, "no budget here\n").unwrap();
        assert!(read_budget(&readme).is_err());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn references_are_followed() {
        let dist = std::env::temp_dir().join(format!("xtask-dist-{}", std::process::id()));
        fs::create_dir_all(dist.join("snippets/x")).unwrap();
        fs::write(
            dist.join("index.html"),
            r#"<link rel="modulepreload" href="/app-1a.js"><link rel="stylesheet" href="/style-2b.css">"#,
        )
        .unwrap();
        fs::write(
            dist.join("app-1a.js"),
            "/* loaded by /unused.js */ import * as s from './snippets/x/inline0.js';\n// or unused.js\nnew URL('app-1a_bg.wasm', import.meta.url) // https://x/unused.js",
        )
        .unwrap();
        fs::write(dist.join("app-1a_bg.wasm"), b"\0asm").unwrap();
        fs::write(dist.join("style-2b.css"), "a{}").unwrap();
        fs::write(dist.join("snippets/x/inline0.js"), "export {}").unwrap();
        fs::write(dist.join("unused.js"), "").unwrap();
        assert_eq!(
            strip_comments("a /* b */ c <!-- d --> e // f\ng https://h"),
            "a   c   e \ng https://h"
        );
        let files = first_load_files(&dist).unwrap();
        assert_eq!(
            files,
            [
                "app-1a.js",
                "app-1a_bg.wasm",
                "snippets/x/inline0.js",
                "style-2b.css"
            ]
        );
        fs::remove_dir_all(&dist).unwrap();
    }
}
