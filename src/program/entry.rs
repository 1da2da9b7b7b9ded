//! Which script of a submission folder is the program: `--entry`, else the exercise's names
//! (`main.py`), else the first `python3 X.py` in the submission's README.

use crate::exercise::ProgramSection;
use std::path::{Component, Path};

/// The entry script, relative to `sub`, or why none was found (said to the student).
pub fn find(sub: &Path, spec: &ProgramSection, explicit: Option<&str>) -> Result<String, String> {
    if let Some(e) = explicit {
        return check(sub, e).map_err(|why| format!("--entry {e}: {why}"));
    }
    for name in &spec.entry {
        if sub.join(name).is_file() {
            return Ok(name.clone());
        }
    }
    let mut tried: Vec<String> = spec.entry.clone();
    if spec.entry_from_readme {
        for readme in readmes(sub) {
            let text = std::fs::read_to_string(sub.join(&readme)).unwrap_or_default();
            for script in commands(&text) {
                if spec.not_entry.iter().any(|n| script.ends_with(n.as_str())) {
                    continue;
                }
                if check(sub, &script).is_ok() {
                    return Ok(script);
                }
            }
            tried.push(format!("`python3 X.py` in {readme}"));
        }
    }
    Err(format!(
        "no entry script found (tried {}); name it with --entry",
        tried.join(", ")
    ))
}

/// A relative path to a regular `.py` file inside the submission.
fn check(sub: &Path, rel: &str) -> Result<String, String> {
    let p = Path::new(rel);
    let inside = p
        .components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
    if !inside || !rel.ends_with(".py") {
        return Err("must be a .py file inside the submission".into());
    }
    match std::fs::symlink_metadata(sub.join(p)) {
        Ok(m) if m.is_file() => Ok(rel.trim_start_matches("./").to_string()),
        _ => Err("not a file in the submission".into()),
    }
}

/// README files at the top of the submission, `README.md` first.
fn readmes(sub: &Path) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(sub)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.to_ascii_lowercase().starts_with("readme"))
        .collect();
    out.sort_by_key(|n| (n != "README.md", n.clone()));
    out
}

/// The scripts of `python X.py` / `python3 X.py` commands in a text, in order.
fn commands(text: &str) -> Vec<String> {
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || "`'\"$>".contains(c))
        .filter(|w| !w.is_empty())
        .collect();
    words
        .windows(2)
        .filter(|w| matches!(w[0], "python" | "python3") && w[1].ends_with(".py"))
        .map(|w| w[1].to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> ProgramSection {
        toml::from_str(
            r#"entry = ["main.py"]
            entry_from_readme = true
            not_entry = ["verificar_cadena.py"]
            outputs = []
            methods = ["fork"]
            dilation = 20
            confirm_dilation = 1
            timeout_s = 20
            confirm_timeout_s = 120
            busy_cores = 0.5
            snapshot = "blockchain.json"
            snapshot_every_s = 5
            checker = "checker.py""#,
        )
        .unwrap()
    }

    #[test]
    fn main_py_first_then_the_readme_skipping_the_verifier() {
        let d = tempfile::tempdir().unwrap();
        let readme = "Correr:\n```\npython3 verificar_cadena.py\npython3 sistema.py\n```\n";
        std::fs::write(d.path().join("README.md"), readme).unwrap();
        std::fs::write(d.path().join("sistema.py"), "").unwrap();
        std::fs::write(d.path().join("verificar_cadena.py"), "").unwrap();
        assert_eq!(find(d.path(), &spec(), None).unwrap(), "sistema.py");
        std::fs::write(d.path().join("main.py"), "").unwrap();
        assert_eq!(find(d.path(), &spec(), None).unwrap(), "main.py");
        assert_eq!(
            find(d.path(), &spec(), Some("./sistema.py")).unwrap(),
            "sistema.py"
        );
    }

    #[test]
    fn nothing_found_says_what_was_tried() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("README.md"), "run `python3 missing.py`").unwrap();
        let err = find(d.path(), &spec(), None).unwrap_err();
        assert!(
            err.contains("main.py") && err.contains("README.md"),
            "{err}"
        );
        let err = find(d.path(), &spec(), Some("../x.py")).unwrap_err();
        assert!(err.contains("inside the submission"), "{err}");
    }
}
