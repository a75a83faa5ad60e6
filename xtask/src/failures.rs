//! Picks the failed tests out of a test runner's output, so that a stage's one-line summary
//! at the end of `cargo xtask test` names them. CI keeps only the tail of a run's output,
//! which the fuzz stage fills; without this a failed `test` stage said only "exit 101".
//!
//! Understood: libtest (`test NAME ... FAILED`, then `---- NAME stdout ----` and the panic),
//! wasm-bindgen-test-runner (`test NAME ... FAIL`) and node's TAP reporter (`not ok N - NAME`).

/// How many failed tests a summary names; the rest are counted.
const NAMED: usize = 8;
/// How much of a panic message a summary quotes.
const MESSAGE_CHARS: usize = 160;

/// The failed tests seen so far, each with the first line of its panic message once the
/// runner has printed it.
#[derive(Default)]
pub struct Failures {
    tests: Vec<(String, Option<String>)>,
    /// The test whose captured output is being printed (`---- NAME stdout ----`).
    reading: Option<String>,
    /// The previous line was `thread 'NAME' (ID) panicked at FILE:LINE:COL:`, so this one
    /// is the message.
    message_next: bool,
}

impl Failures {
    /// Takes one line of the runner's output.
    pub fn see(&mut self, line: &str) {
        if std::mem::take(&mut self.message_next) {
            if let Some(name) = self.reading.clone() {
                self.note(&name, line.trim());
            }
            return;
        }
        let trimmed = line.trim_start();
        if let Some(name) = line.strip_prefix("test ").and_then(|l| {
            l.strip_suffix(" ... FAILED")
                .or(l.strip_suffix(" ... FAIL"))
        }) {
            self.add(name);
        } else if let Some(name) = line
            .strip_prefix("---- ")
            .and_then(|l| l.strip_suffix(" stdout ----"))
        {
            self.reading = Some(name.to_string());
        } else if line.starts_with("thread '") && line.contains(" panicked at ") {
            self.message_next = true;
        } else if let Some((_, name)) = trimmed
            .strip_prefix("not ok ")
            .and_then(|l| l.split_once(" - "))
        {
            self.add(name);
        }
    }

    fn add(&mut self, name: &str) {
        if !self.tests.iter().any(|(n, _)| n == name) {
            self.tests.push((name.to_string(), None));
        }
    }

    fn note(&mut self, name: &str, message: &str) {
        self.add(name);
        if let Some((_, slot)) = self.tests.iter_mut().find(|(n, _)| n == name) {
            let mut quoted: String = message.chars().take(MESSAGE_CHARS).collect();
            if quoted.len() < message.len() {
                quoted.push('…');
            }
            slot.get_or_insert(quoted);
        }
    }

    /// `failed: a (its message); b`, or `None` if no failure was seen.
    pub fn summary(&self) -> Option<String> {
        if self.tests.is_empty() {
            return None;
        }
        let mut named: Vec<String> = self
            .tests
            .iter()
            .take(NAMED)
            .map(|(name, message)| match message {
                Some(m) => format!("{name} ({m})"),
                None => name.clone(),
            })
            .collect();
        if self.tests.len() > NAMED {
            named.push(format!("and {} more", self.tests.len() - NAMED));
        }
        Some(format!("failed: {}", named.join("; ")))
    }
}

#[cfg(test)]
mod tests {
    use super::Failures;

    fn read(output: &str) -> Option<String> {
        let mut failures = Failures::default();
        output.lines().for_each(|l| failures.see(l));
        failures.summary()
    }

    #[test]
    fn libtest_failures_are_named_with_their_panic_message() {
        let output = "\
running 3 tests
test a::passes ... ok
test a::breaks ... FAILED
test b::also_breaks ... FAILED

failures:

---- a::breaks stdout ----

thread 'a::breaks' (13397) panicked at crates/x/src/lib.rs:10:5:
assertion `left == right` failed: the cache served a stale answer
  left: 1
 right: 2

---- b::also_breaks stdout ----
thread 'b::also_breaks' panicked at crates/x/src/lib.rs:20:5:
boom
note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace

failures:
    a::breaks
    b::also_breaks

test result: FAILED. 1 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out
";
        assert_eq!(
            read(output).as_deref(),
            Some(
                "failed: a::breaks (assertion `left == right` failed: the cache served a stale \
                 answer); b::also_breaks (boom)"
            )
        );
    }

    #[test]
    fn a_passing_run_has_no_summary() {
        let output = "test a ... ok\ntest result: ok. 1 passed; 0 failed\nok 1 - renders\n";
        assert_eq!(read(output), None);
    }

    #[test]
    fn wasm_bindgen_and_node_tap_failures_are_named() {
        let output = "test tracker::shows ... FAIL\n# Subtest: tests/a.test.mjs\n    not ok 2 - deep link looks up\nnot ok 1 - tests/a.test.mjs\n";
        assert_eq!(
            read(output).as_deref(),
            Some("failed: tracker::shows; deep link looks up; tests/a.test.mjs")
        );
    }

    #[test]
    fn long_messages_and_many_failures_are_cut() {
        let mut output = String::from("---- t0 stdout ----\nthread 't0' panicked at f.rs:1:1:\n");
        output.push_str(&"x".repeat(500));
        output.push('\n');
        for i in 0..12 {
            output.push_str(&format!("test t{i} ... FAILED\n"));
        }
        let summary = read(&output).unwrap();
        assert!(summary.starts_with(&format!("failed: t0 ({}…); t1; ", "x".repeat(160))));
        assert!(summary.ends_with("; t7; and 4 more"), "{summary}");
    }
}
