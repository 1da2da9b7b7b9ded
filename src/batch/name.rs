//! Output folder names from student names, which are untrusted: spaces, unicode, `..`,
//! control characters, names of our own files. The result is a plain ASCII folder name,
//! the same on every machine, and different for different names.

/// Files a batch writes at the top of OUTDIR: no student folder may take their name.
pub const RESERVED: [&str; 5] = [
    "grades.csv",
    "results.jsonl",
    "report.html",
    "junit.xml",
    ".carrera",
];

pub fn safe_dir(name: &str) -> String {
    let mut s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    // No hidden folders, no `.`/`..`, no option-like names.
    let trimmed = s.trim_start_matches(['.', '-']).to_string();
    s = trimmed.chars().take(64).collect();
    if s != name || s.is_empty() || RESERVED.contains(&s.as_str()) {
        // Anything changed: add a hash of the real name so that two names never collide.
        s = format!(
            "{}{}~{:08x}",
            s,
            if s.is_empty() { "_" } else { "" },
            fnv(name)
        );
    }
    s
}

/// FNV-1a, 32 bits: stable across platforms and versions, unlike `DefaultHasher`.
fn fnv(s: &str) -> u32 {
    s.bytes().fold(0x811c_9dc5u32, |h, b| {
        (h ^ b as u32).wrapping_mul(0x0100_0193)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_names_are_kept() {
        assert_eq!(safe_dir("alice.py"), "alice.py");
        assert_eq!(safe_dir("bob_2-final"), "bob_2-final");
    }

    #[test]
    fn hostile_names_become_plain_and_distinct() {
        let names = [
            "../etc",
            "..",
            ".",
            "",
            "a b",
            "a_b",
            "José Pérez",
            "<b>x</b>",
            "-rf",
            "report.html",
            ".carrera",
            "line\nbreak",
        ];
        let out: Vec<String> = names.iter().map(|n| safe_dir(n)).collect();
        for (n, s) in names.iter().zip(&out) {
            assert!(!s.is_empty(), "{n:?}");
            assert!(!s.starts_with('.') && !s.starts_with('-'), "{n:?} → {s}");
            assert!(
                s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._-~".contains(c)),
                "{n:?} → {s}"
            );
            assert!(!RESERVED.contains(&s.as_str()), "{n:?} → {s}");
        }
        let mut uniq = out.clone();
        uniq.sort();
        uniq.dedup();
        assert_eq!(uniq.len(), out.len(), "{out:?}");
        assert_eq!(safe_dir("a b"), safe_dir("a b"), "deterministic");
    }
}
