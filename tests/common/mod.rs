//! Shared helpers for the integration tests.
#![allow(dead_code)]

use assert_cmd::Command;
use std::path::PathBuf;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `carrera` pointed at the checkout's exercises, so edits need no rebuild of the embedded copy.
pub fn carrera() -> Command {
    carrera_in(&root().join("exercises"))
}

/// `carrera` with another exercises folder.
pub fn carrera_in(exercises: &std::path::Path) -> Command {
    let mut c = Command::cargo_bin("carrera").unwrap();
    c.current_dir(root())
        .arg("--exercises")
        .arg(exercises)
        .env("LANG", "C")
        .env_remove("CARRERA_PYTHON");
    c
}

pub fn grade_json(exercise: &str, file: &str, extra: &[&str]) -> (i32, serde_json::Value) {
    let out = carrera()
        .args(["grade", exercise, file, "--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    let code = out.status.code().unwrap_or(-1);
    let v = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}); stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (code, v)
}

/// Checks a Gradescope `results.json` against the format in shared/notes/autograders.md §2.2;
/// returns what is wrong.
pub fn gradescope_problems(v: &serde_json::Value) -> Vec<String> {
    let mut bad = Vec::new();
    let Some(top) = v.as_object() else {
        return vec!["not a JSON object".into()];
    };
    let num =
        |o: &serde_json::Map<String, serde_json::Value>, k: &str| o.get(k).and_then(|x| x.as_f64());
    let visibility = ["hidden", "after_due_date", "after_published", "visible"];
    let formats = ["text", "html", "simple_format", "md", "ansi"];
    let score = num(top, "score");
    if top.contains_key("score") && score.is_none() {
        bad.push("score is not a number".into());
    }
    if top.contains_key("execution_time") && num(top, "execution_time").is_none() {
        bad.push("execution_time is not a number".into());
    }
    for k in ["output"] {
        if top.get(k).is_some_and(|x| !x.is_string()) {
            bad.push(format!("{k} is not a string"));
        }
    }
    for k in ["output_format", "test_output_format"] {
        if let Some(f) = top.get(k) {
            if !f.as_str().is_some_and(|f| formats.contains(&f)) {
                bad.push(format!("{k} {f} is not a format"));
            }
        }
    }
    for k in ["visibility", "stdout_visibility"] {
        if let Some(f) = top.get(k) {
            if !f.as_str().is_some_and(|f| visibility.contains(&f)) {
                bad.push(format!("{k} {f} is not a visibility"));
            }
        }
    }
    let tests = top.get("tests").and_then(|t| t.as_array());
    if tests.is_none() && score.is_none() {
        bad.push("neither tests[] nor score".into());
    }
    let mut sum = 0.0;
    for (i, t) in tests.into_iter().flatten().enumerate() {
        let Some(t) = t.as_object() else {
            bad.push(format!("tests[{i}] is not an object"));
            continue;
        };
        if !t.get("name").is_some_and(|n| n.is_string()) {
            bad.push(format!("tests[{i}].name is not a string"));
        }
        let (s, m) = (num(t, "score"), num(t, "max_score"));
        match (s, m) {
            (Some(s), Some(m)) if s >= 0.0 && s <= m => sum += s,
            _ => bad.push(format!("tests[{i}] score/max_score {s:?}/{m:?}")),
        }
        match t.get("status").and_then(|s| s.as_str()) {
            Some("passed") if s == m => {}
            Some("failed") if s < m || m == Some(0.0) => {}
            st => bad.push(format!("tests[{i}].status {st:?} with score {s:?}/{m:?}")),
        }
        if !t.get("output").is_some_and(|o| o.is_string()) {
            bad.push(format!("tests[{i}].output is not a string"));
        }
        if let Some(f) = t.get("visibility") {
            if !f.as_str().is_some_and(|f| visibility.contains(&f)) {
                bad.push(format!("tests[{i}].visibility {f}"));
            }
        }
        if let Some(f) = t.get("output_format") {
            if !f.as_str().is_some_and(|f| formats.contains(&f)) {
                bad.push(format!("tests[{i}].output_format {f}"));
            }
        }
    }
    // The top-level score overrides the tests' sum on Gradescope: they must agree.
    if let (Some(s), Some(t)) = (score, tests) {
        if !t.is_empty() && (s - sum).abs() > 1e-9 {
            bad.push(format!(
                "score {s} is not the sum of the tests' scores {sum}"
            ));
        }
    }
    bad
}
