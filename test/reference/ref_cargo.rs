// Reference: Rust's semver crate, the one Cargo uses (Debian
// librust-semver-dev).  Reads "a<TAB>b" lines, prints -1, 0, 1 or "invalid".
// Build metadata is cleared before comparing: SemVer precedence ignores it,
// while the crate's Ord falls back to it.  A leading "=" and "v", which the
// issue allows for every SemVer type, are dropped first.
use std::cmp::Ordering;
use std::io::{self, BufRead, Write};

use semver::{BuildMetadata, Version};

fn parse(text: &str) -> Option<Version> {
    let text = text.strip_prefix('=').unwrap_or(text);
    let text = text.strip_prefix('v').unwrap_or(text);
    let mut v = Version::parse(text).ok()?;
    v.build = BuildMetadata::EMPTY;
    Some(v)
}

fn main() {
    let stdin = io::stdin();
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    for line in stdin.lock().lines() {
        let line = line.expect("read");
        let mut fields = line.splitn(2, '\t');
        let a = parse(fields.next().unwrap_or(""));
        let b = parse(fields.next().unwrap_or(""));
        let answer = match (a, b) {
            (Some(a), Some(b)) => match a.cmp(&b) {
                Ordering::Less => "-1",
                Ordering::Equal => "0",
                Ordering::Greater => "1",
            },
            _ => "invalid",
        };
        writeln!(out, "{}", answer).expect("write");
    }
}
