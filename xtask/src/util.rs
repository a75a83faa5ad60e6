//! Paths, the environment handed to child processes, and running commands.

use anyhow::{Context, Result, bail};
use std::ffi::{OsStr, OsString};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Where things are, and the PATH every child process gets.
pub struct Ctx {
    /// The repository root (the workspace root).
    pub root: PathBuf,
    /// Cargo's target directory: `$CARGO_TARGET_DIR`, else `<root>/target`.
    pub target_dir: PathBuf,
    /// The cargo that runs us (`$CARGO`), else `cargo` from PATH.
    pub cargo: OsString,
    /// `e2e/node_modules/.bin`, then cargo's bin dir, then the inherited PATH. npm's
    /// binaryen comes first so that no tool picks Debian's `wasm-opt` (binaryen 108 in
    /// Debian 12 produces wasm that fails with `WebAssembly.Table.set`).
    pub path: OsString,
}

impl Ctx {
    pub fn new() -> Result<Self> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .context("xtask must live one level below the workspace root")?
            .to_path_buf();
        let target_dir = match std::env::var_os("CARGO_TARGET_DIR") {
            Some(dir) if !dir.is_empty() => {
                let dir = PathBuf::from(dir);
                if dir.is_absolute() {
                    dir
                } else {
                    root.join(dir)
                }
            }
            _ => root.join("target"),
        };
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut dirs = vec![root.join("e2e/node_modules/.bin"), cargo_bin_dir()];
        if let Some(inherited) = std::env::var_os("PATH") {
            dirs.extend(std::env::split_paths(&inherited));
        }
        // Keep the first occurrence of each directory, in order.
        let mut seen = Vec::new();
        dirs.retain(|d| {
            let new = !seen.contains(d);
            seen.push(d.clone());
            new
        });
        let path = std::env::join_paths(dirs).context("a PATH entry contains ':'")?;
        Ok(Self {
            root,
            target_dir,
            cargo,
            path,
        })
    }

    /// A command run from the repository root with our PATH.
    pub fn cmd(&self, program: impl AsRef<OsStr>) -> Command {
        let program = program.as_ref();
        let resolved = self
            .which(program)
            .unwrap_or_else(|| PathBuf::from(program));
        let mut cmd = Command::new(resolved);
        cmd.current_dir(&self.root).env("PATH", &self.path);
        cmd
    }

    /// `cargo ...`, with the same cargo that runs xtask, and incremental compilation off
    /// unless the caller's environment sets `CARGO_INCREMENTAL`: xtask's commands build each
    /// workspace crate once or twice, never often enough to repay a cache that made a clean
    /// clone's test run write 11 GB instead of 5.3 GB (the release and server profiles have
    /// it off already).
    pub fn cargo(&self) -> Command {
        let mut cmd = Command::new(&self.cargo);
        cmd.current_dir(&self.root).env("PATH", &self.path);
        if std::env::var_os("CARGO_INCREMENTAL").is_none() {
            cmd.env("CARGO_INCREMENTAL", "0");
        }
        cmd
    }

    /// Looks a program up on our PATH (not the inherited one).
    pub fn which(&self, program: impl AsRef<OsStr>) -> Option<PathBuf> {
        let program = Path::new(program.as_ref());
        if program.components().count() > 1 {
            return program.is_file().then(|| program.to_path_buf());
        }
        std::env::split_paths(&self.path)
            .map(|dir| dir.join(program))
            .find(|candidate| is_executable(candidate))
    }

    /// `<target>/server/<name>`: a native binary built with `--profile server`.
    pub fn server_bin(&self, name: &str) -> PathBuf {
        self.target_dir.join("server").join(name)
    }

    /// `<target>/debug/<name>`: a binary `cargo test` has already built.
    pub fn debug_bin(&self, name: &str) -> PathBuf {
        self.target_dir.join("debug").join(name)
    }
}

fn cargo_bin_dir() -> PathBuf {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .unwrap_or_else(|| PathBuf::from("/root/.cargo"));
    home.join("bin")
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

/// Renders a command for messages: `program arg arg`.
pub fn show(cmd: &Command) -> String {
    let program = Path::new(cmd.get_program());
    let name = program.file_name().unwrap_or(program.as_os_str());
    std::iter::once(name)
        .chain(cmd.get_args())
        .map(|a| a.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs a command with inherited stdio; an error names the command and its exit status.
pub fn run(cmd: &mut Command) -> Result<()> {
    let shown = show(cmd);
    println!("$ {shown}");
    let status = cmd
        .stdin(Stdio::null())
        .status()
        .with_context(|| format!("could not start `{shown}`"))?;
    if !status.success() {
        bail!("`{shown}` failed ({status})");
    }
    Ok(())
}

/// Which output stream of a child [`run_watching`] reads; the other is inherited.
#[derive(Clone, Copy)]
pub enum Stream {
    Stdout,
    Stderr,
}

/// Runs a command like [`run`], but hands each line of one output stream to `watch` instead
/// of passing it through: `watch` prints what should be seen and remembers what the error
/// summary should name.
pub fn run_watching(cmd: &mut Command, stream: Stream, mut watch: impl FnMut(&str)) -> Result<()> {
    let shown = show(cmd);
    println!("$ {shown}");
    cmd.stdin(Stdio::null());
    match stream {
        Stream::Stdout => cmd.stdout(Stdio::piped()),
        Stream::Stderr => cmd.stderr(Stdio::piped()),
    };
    let mut child = cmd
        .spawn()
        .with_context(|| format!("could not start `{shown}`"))?;
    let pipe: Box<dyn Read> = match stream {
        Stream::Stdout => Box::new(child.stdout.take().context("stdout is piped")?),
        Stream::Stderr => Box::new(child.stderr.take().context("stderr is piped")?),
    };
    for line in BufReader::new(pipe).split(b'\n') {
        let line = line.with_context(|| format!("reading the output of `{shown}`"))?;
        watch(String::from_utf8_lossy(&line).trim_end_matches('\r'));
    }
    let status = child
        .wait()
        .with_context(|| format!("waiting for `{shown}`"))?;
    if !status.success() {
        bail!("`{shown}` failed ({status})");
    }
    Ok(())
}

/// Runs a command quietly and returns its trimmed stdout if it exited 0.
pub fn output(cmd: &mut Command) -> Option<String> {
    let out = cmd
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

pub fn secs(d: Duration) -> String {
    format!("{:.1}s", d.as_secs_f64())
}

/// Times a closure.
pub fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let value = f();
    (value, start.elapsed())
}

/// Free bytes on the filesystem that holds `path` (or its nearest existing ancestor), from
/// `df -Pk`; `None` if df is missing or says something unexpected.
pub fn free_bytes(path: &Path) -> Option<u64> {
    let existing = path.ancestors().find(|p| p.exists())?;
    let report = output(Command::new("df").arg("-Pk").arg(existing))?;
    let kib: u64 = report
        .lines()
        .nth(1)?
        .split_whitespace()
        .nth(3)?
        .parse()
        .ok()?;
    Some(kib * 1024)
}

/// Whether we are root (apt-get needs it; otherwise we go through sudo).
pub fn is_root() -> bool {
    output(Command::new("id").arg("-u")).as_deref() == Some("0")
}

#[cfg(test)]
mod tests {
    use super::free_bytes;
    use std::path::Path;

    #[test]
    fn free_bytes_reads_df_for_a_path_that_does_not_exist_yet() {
        // A clean clone has no target/ yet: the nearest existing ancestor is measured.
        let missing = Path::new(env!("CARGO_MANIFEST_DIR")).join("no/such/target/dir");
        let free = free_bytes(&missing).expect("df answers for an existing ancestor");
        assert_eq!(free % 1024, 0, "df -Pk reports whole KiB");
        assert!(
            free > 0,
            "a disk with 0 bytes free could not have built this test"
        );
    }
}
