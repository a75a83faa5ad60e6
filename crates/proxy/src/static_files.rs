//! The built widget (`TRACKFRONT_DIST`), read once at startup and served from memory.
//!
//! Each compressible file is compressed once with brotli and gzip (never per request), and
//! the best encoding the browser accepts is picked: br, then gzip, then identity. The build
//! writes `X.br` and `X.gz` next to each compressible file (`www/build/precompress.sh`):
//! those siblings are used as they are, so the very first request is compressed, and they
//! are never served under their own names. A sibling that does not decompress to its file
//! is ignored (with a warning). Files without siblings are compressed in the background
//! after start-up and served as they are until then. Trunk's
//! content-hashed files (`trackfront-0123456789abcdef_bg.wasm`) are `immutable` for a year;
//! everything else (HTML, the stable `/trackfront.js` loader, language files) is
//! `no-cache`, revalidated by `ETag`.
//!
//! Each HTML page gets a strict Content-Security-Policy whose `script-src` lists the
//! SHA-256 of that page's inline scripts (Trunk's generated page boots the wasm from an
//! inline module script), so no `'unsafe-inline'` is needed for scripts.
//!
//! Only regular files under the directory are served: symlinks, dot files and anything
//! beyond the size limits are skipped, and the map is keyed by the exact URL path.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use base64::Engine as _;
use bytes::Bytes;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// Most files read from `dist/`.
const MAX_FILES: usize = 2000;
/// Most bytes read from `dist/`.
const MAX_TOTAL: u64 = 256 * 1024 * 1024;
/// Deepest directory nesting followed.
const MAX_DEPTH: usize = 8;
/// Files smaller than this are not worth compressing.
const MIN_COMPRESS: usize = 256;

/// One file, in every encoding worth having.
#[derive(Debug, Clone)]
pub struct Asset {
    content_type: HeaderValue,
    cache_control: HeaderValue,
    etag: String,
    identity: Bytes,
    compressible: bool,
    /// The build's precompressed siblings (`X.br`, `X.gz`), each only when valid and smaller.
    pre: Compressed,
    /// Brotli and gzip forms, each only when smaller (the siblings, plus any form computed
    /// in the background); set once.
    compressed: OnceLock<Compressed>,
    csp: Option<HeaderValue>,
}

#[derive(Debug, Clone, Default)]
struct Compressed {
    br: Option<Bytes>,
    gzip: Option<Bytes>,
}

/// The site: URL path → asset.
#[derive(Debug, Clone, Default)]
pub struct StaticSite {
    files: HashMap<String, Arc<Asset>>,
}

/// Which encoding to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Br,
    Gzip,
    Identity,
}

impl StaticSite {
    /// Reads `dir` (off the async runtime), takes each file's precompressed siblings, and
    /// starts compressing the files that lack them in the background, one blocking task per
    /// file, so start-up does not wait for brotli: until a file's compressed forms are ready
    /// it is served as is (or with the siblings it has).
    /// `frame_ancestors` are the origins that may frame the HTML pages (besides the site
    /// itself).
    ///
    /// # Errors
    /// When the directory cannot be read or exceeds the limits.
    pub async fn load(dir: PathBuf, frame_ancestors: Vec<String>) -> std::io::Result<Self> {
        let files = tokio::task::spawn_blocking(move || {
            read_dir_limited(&dir).map(|raw| assets(raw, &frame_ancestors))
        })
        .await
        .map_err(std::io::Error::other)??;
        for asset in files.values() {
            if asset.compressed.get().is_none() {
                let asset = Arc::clone(asset);
                tokio::task::spawn_blocking(move || asset.compress());
            }
        }
        Ok(Self { files })
    }

    /// Whether every file's compressed forms are ready (tests wait for this).
    pub fn compressed(&self) -> bool {
        self.files.values().all(|a| a.compressed.get().is_some())
    }

    /// Number of files.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The asset for a URL path: exact, then `/` → `index.html`, `/dir/` →
    /// `dir/index.html`, `/page` → `page.html`.
    pub fn find(&self, path: &str) -> Option<&Asset> {
        if let Some(a) = self.files.get(path) {
            return Some(a);
        }
        if path.ends_with('/') {
            return self.files.get(&format!("{path}index.html")).map(|a| &**a);
        }
        let last = path.rsplit('/').next().unwrap_or_default();
        if !last.contains('.') {
            return self.files.get(&format!("{path}.html")).map(|a| &**a);
        }
        None
    }
}

/// The assets of a directory's files: a `X.br` or `X.gz` next to a compressible `X` becomes
/// `X`'s precompressed form (when it decompresses to `X`), not an asset of its own.
fn assets(raw: Vec<(String, Vec<u8>)>, frame_ancestors: &[String]) -> HashMap<String, Arc<Asset>> {
    let mut files: HashMap<String, Vec<u8>> = raw.into_iter().collect();
    let siblings: Vec<(String, String, Encoding)> = files
        .keys()
        .filter_map(|url| {
            let (base, enc) = if let Some(base) = url.strip_suffix(".br") {
                (base, Encoding::Br)
            } else {
                (url.strip_suffix(".gz")?, Encoding::Gzip)
            };
            let ext = base.rsplit_once('.').map_or("", |(_, e)| e);
            (files.contains_key(base) && mime(ext).1).then(|| (url.clone(), base.to_owned(), enc))
        })
        .collect();
    let mut pre: HashMap<String, Compressed> = HashMap::new();
    for (url, base, enc) in siblings {
        let Some(bytes) = files.remove(&url) else {
            continue;
        };
        let identity = &files[&base];
        // At most one byte more than the file: a sibling that inflates further is not it.
        let limit = identity.len() as u64 + 1;
        let decoded = decompress(enc, &bytes, limit);
        if decoded.as_deref() != Some(identity.as_slice()) {
            tracing::warn!(file = %url, "ignoring a precompressed file that does not match {base}");
            continue;
        }
        let bytes = smaller(Some(bytes), identity.len());
        let forms = pre.entry(base).or_default();
        match enc {
            Encoding::Br => forms.br = bytes,
            _ => forms.gzip = bytes,
        }
    }
    files
        .into_iter()
        .map(|(url, bytes)| {
            let forms = pre.remove(&url).unwrap_or_default();
            let asset = Arc::new(Asset::new(&url, bytes, forms, frame_ancestors));
            (url, asset)
        })
        .collect()
}

fn read_dir_limited(dir: &Path) -> std::io::Result<Vec<(String, Vec<u8>)>> {
    let mut files = Vec::new();
    let mut total = 0u64;
    walk(dir, dir, 0, &mut |url, bytes| {
        total += bytes.len() as u64;
        if files.len() >= MAX_FILES || total > MAX_TOTAL {
            return Err(std::io::Error::other(format!(
                "{} holds more than {MAX_FILES} files or {MAX_TOTAL} bytes",
                dir.display()
            )));
        }
        files.push((url, bytes));
        Ok(())
    })?;
    Ok(files)
}

fn walk(
    root: &Path,
    dir: &Path,
    depth: usize,
    add: &mut dyn FnMut(String, Vec<u8>) -> std::io::Result<()>,
) -> std::io::Result<()> {
    if depth > MAX_DEPTH {
        return Ok(());
    }
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for entry in entries {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if name.starts_with('.') {
            continue;
        }
        // `file_type` does not follow symlinks: links are skipped, so nothing outside
        // the directory can be served.
        let ft = entry.file_type()?;
        let path = entry.path();
        if ft.is_dir() {
            walk(root, &path, depth + 1, add)?;
        } else if ft.is_file() {
            let rel = path.strip_prefix(root).map_err(std::io::Error::other)?;
            let url: Vec<&str> = rel.iter().filter_map(|s| s.to_str()).collect();
            add(format!("/{}", url.join("/")), std::fs::read(&path)?)?;
        }
    }
    Ok(())
}

impl Asset {
    fn new(url: &str, bytes: Vec<u8>, pre: Compressed, frame_ancestors: &[String]) -> Self {
        let name = url.rsplit('/').next().unwrap_or_default();
        let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
        let (mime, compressible) = mime(ext);
        let digest = Sha256::digest(&bytes);
        let etag = format!("\"{}", hex(&digest[..12]));
        let is_html = matches!(ext, "html" | "htm");
        let bytes_len = bytes.len();
        let csp = is_html.then(|| {
            let html = String::from_utf8_lossy(&bytes);
            HeaderValue::from_str(&page_csp(&inline_script_hashes(&html), frame_ancestors))
                .unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'"))
        });
        let cache_control = if is_hashed(name) {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        let compressible = compressible && bytes_len >= MIN_COMPRESS;
        let compressed = OnceLock::new();
        // Nothing left to compute: both siblings are there, or there is nothing to compress.
        if !compressible || (pre.br.is_some() && pre.gzip.is_some()) {
            let _ = compressed.set(pre.clone());
        }
        Self {
            content_type: HeaderValue::from_static(mime),
            cache_control: HeaderValue::from_static(cache_control),
            etag,
            identity: Bytes::from(bytes),
            compressible,
            pre,
            compressed,
            csp,
        }
    }

    /// Computes the compressed forms the build did not provide (CPU-heavy: call from a
    /// blocking task).
    pub fn compress(&self) {
        let data = &self.identity;
        let mut forms = self.pre.clone();
        if self.compressible {
            if forms.br.is_none() {
                forms.br = smaller(brotli(data), data.len());
            }
            if forms.gzip.is_none() {
                forms.gzip = smaller(gzip(data), data.len());
            }
        }
        let _ = self.compressed.set(forms);
    }

    /// Whether this is an HTML page (it carries a CSP).
    pub fn is_html(&self) -> bool {
        self.csp.is_some()
    }

    /// The response for a request with these headers (`Accept-Encoding`,
    /// `If-None-Match`).
    pub fn respond(&self, req: &HeaderMap) -> Response {
        let accept = req
            .get(header::ACCEPT_ENCODING)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        // Until the background compression is done: the build's siblings, if any.
        let forms = self.compressed.get().unwrap_or(&self.pre).clone();
        let enc = match negotiate(accept) {
            Encoding::Br if forms.br.is_some() => Encoding::Br,
            Encoding::Br | Encoding::Gzip if forms.gzip.is_some() && accepts(accept, "gzip") => {
                Encoding::Gzip
            }
            _ => Encoding::Identity,
        };
        let (body, suffix) = match enc {
            Encoding::Br => (forms.br, "-br\""),
            Encoding::Gzip => (forms.gzip, "-gz\""),
            Encoding::Identity => (None, "\""),
        };
        let etag = format!("{}{suffix}", self.etag);
        let not_modified = req
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.split(',')
                    .any(|t| t.trim().trim_start_matches("W/").starts_with(&self.etag))
            });
        let mut resp = if not_modified {
            let mut r = Response::new(Body::empty());
            *r.status_mut() = StatusCode::NOT_MODIFIED;
            r
        } else {
            Response::new(Body::from(body.unwrap_or_else(|| self.identity.clone())))
        };
        let h = resp.headers_mut();
        h.insert(header::CONTENT_TYPE, self.content_type.clone());
        h.insert(header::CACHE_CONTROL, self.cache_control.clone());
        if let Ok(v) = HeaderValue::from_str(&etag) {
            h.insert(header::ETAG, v);
        }
        h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        match enc {
            Encoding::Br => {
                h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("br"));
            }
            Encoding::Gzip => {
                h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            }
            Encoding::Identity => {}
        }
        if let Some(csp) = &self.csp {
            h.insert(header::CONTENT_SECURITY_POLICY, csp.clone());
        }
        resp
    }
}

/// The CSP of an HTML page with these inline-script hashes.
pub fn page_csp(script_hashes: &[String], frame_ancestors: &[String]) -> String {
    let hashes: String = script_hashes.iter().map(|h| format!(" '{h}'")).collect();
    let ancestors: String = frame_ancestors.iter().map(|o| format!(" {o}")).collect();
    format!(
        "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'{hashes}; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; \
         connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; \
         object-src 'none'; frame-ancestors 'self'{ancestors}"
    )
}

/// `sha256-…` of every inline `<script>` (one without `src`) in `html`.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(open) = lower[at..].find("<script") {
        let tag_start = at + open;
        let Some(tag_len) = lower[tag_start..].find('>') else {
            break;
        };
        let body_start = tag_start + tag_len + 1;
        let attrs = &lower[tag_start + "<script".len()..body_start - 1];
        let Some(close) = lower[body_start..].find("</script") else {
            break;
        };
        let body_end = body_start + close;
        let has_src = attrs
            .split(|c: char| c.is_ascii_whitespace())
            .any(|a| a.starts_with("src="));
        if !has_src {
            let digest = Sha256::digest(&html.as_bytes()[body_start..body_end]);
            out.push(format!(
                "sha256-{}",
                base64::engine::general_purpose::STANDARD.encode(digest)
            ));
        }
        at = body_end;
    }
    out
}

/// Whether a file name carries a content hash (`name-<16+ hex>[_bg].ext`), as Trunk writes.
pub fn is_hashed(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or_default();
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-')
        .is_some_and(|(_, h)| h.len() >= 16 && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn mime(ext: &str) -> (&'static str, bool) {
    match ext {
        "html" | "htm" => ("text/html; charset=utf-8", true),
        "js" | "mjs" => ("text/javascript; charset=utf-8", true),
        "wasm" => ("application/wasm", true),
        "css" => ("text/css; charset=utf-8", true),
        "json" | "map" => ("application/json", true),
        "webmanifest" => ("application/manifest+json", true),
        "svg" => ("image/svg+xml", true),
        "txt" => ("text/plain; charset=utf-8", true),
        "png" => ("image/png", false),
        "jpg" | "jpeg" => ("image/jpeg", false),
        "gif" => ("image/gif", false),
        "webp" => ("image/webp", false),
        "ico" => ("image/x-icon", true),
        "woff2" => ("font/woff2", false),
        _ => ("application/octet-stream", false),
    }
}

/// The preferred encoding the `Accept-Encoding` value allows: br, then gzip.
fn negotiate(accept: &str) -> Encoding {
    if accepts(accept, "br") {
        Encoding::Br
    } else if accepts(accept, "gzip") {
        Encoding::Gzip
    } else {
        Encoding::Identity
    }
}

/// Whether `coding` is acceptable (listed, or `*`, with a non-zero q).
fn accepts(accept: &str, coding: &str) -> bool {
    let mut star = false;
    for item in accept.split(',') {
        let mut parts = item.split(';');
        let name = parts.next().unwrap_or_default().trim();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .filter_map(|q| q.trim().parse::<f32>().ok())
            .next()
            .unwrap_or(1.0);
        if name.eq_ignore_ascii_case(coding) {
            return q > 0.0;
        }
        if name == "*" {
            star = q > 0.0;
        }
    }
    star
}

fn smaller(compressed: Option<Vec<u8>>, original: usize) -> Option<Bytes> {
    compressed.filter(|c| c.len() < original).map(Bytes::from)
}

fn brotli(data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(data.len() / 3);
    {
        // Quality 11 for small files; 9 for large ones (the wasm) keeps start-up fast at a
        // cost of a few per cent in size.
        let q = if data.len() > 128 * 1024 { 9 } else { 11 };
        let mut w = brotli::CompressorWriter::new(&mut out, 4096, q, 22);
        w.write_all(data).ok()?;
    }
    Some(out)
}

/// The first `limit` decompressed bytes of a brotli (`Br`) or gzip stream, or `None` when
/// it is not one.
fn decompress(enc: Encoding, data: &[u8], limit: u64) -> Option<Vec<u8>> {
    use std::io::Read;
    let reader: Box<dyn Read + '_> = match enc {
        Encoding::Br => Box::new(brotli::Decompressor::new(data, 4096)),
        _ => Box::new(flate2::read::GzDecoder::new(data)),
    };
    let mut out = Vec::new();
    reader.take(limit).read_to_end(&mut out).ok()?;
    Some(out)
}

fn gzip(data: &[u8]) -> Option<Vec<u8>> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(data).ok()?;
    enc.finish().ok()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trunk_hashed_names_are_recognised() {
        assert!(is_hashed("trackfront-3f2a9c1b7d4e5f60_bg.wasm"));
        assert!(is_hashed("trackfront-3f2a9c1b7d4e5f60.js"));
        assert!(is_hashed("style-0123456789abcdef0123.css"));
        assert!(!is_hashed("trackfront.js"));
        assert!(!is_hashed("index.html"));
        assert!(!is_hashed("my-page.html"));
        assert!(!is_hashed("trackfront-bg.wasm"));
    }

    #[test]
    fn inline_scripts_are_hashed_and_external_ones_are_not() {
        let html = r#"<html><head><script type="module">import init from '/a.js';
await init();</script><SCRIPT src="/trackfront.js"></SCRIPT>
<script>console.log(1)</script></head></html>"#;
        let hashes = inline_script_hashes(html);
        assert_eq!(hashes.len(), 2);
        let expect = Sha256::digest(b"import init from '/a.js';\nawait init();");
        assert_eq!(
            hashes[0],
            format!(
                "sha256-{}",
                base64::engine::general_purpose::STANDARD.encode(expect)
            )
        );
        let csp = page_csp(&hashes, &["https://shop.example".to_owned()]);
        assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-"));
        assert!(!csp.contains("script-src 'self' 'unsafe-inline'"));
        assert!(csp.ends_with("frame-ancestors 'self' https://shop.example"));
    }

    #[test]
    fn encodings_are_negotiated_br_first() {
        assert_eq!(negotiate("gzip, deflate, br"), Encoding::Br);
        assert_eq!(negotiate("gzip, br;q=0"), Encoding::Gzip);
        assert_eq!(negotiate("identity"), Encoding::Identity);
        assert_eq!(negotiate("*"), Encoding::Br);
        assert_eq!(negotiate(""), Encoding::Identity);
    }

    #[test]
    fn compressed_variants_round_trip() {
        let data = "hello trackfront ".repeat(100).into_bytes();
        let asset = Asset::new("/a.js", data.clone(), Compressed::default(), &[]);
        asset.compress();
        let forms = asset.compressed.get().unwrap();
        let mut gz = flate2::read::GzDecoder::new(&forms.gzip.as_ref().unwrap()[..]);
        let mut back = Vec::new();
        std::io::Read::read_to_end(&mut gz, &mut back).unwrap();
        assert_eq!(back, data);
        let mut br = brotli::Decompressor::new(&forms.br.as_ref().unwrap()[..], 4096);
        let mut back = Vec::new();
        std::io::Read::read_to_end(&mut br, &mut back).unwrap();
        assert_eq!(back, data);
    }
}
