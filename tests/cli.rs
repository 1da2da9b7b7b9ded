//! The command line: listing, statements, bad input (exit 2, one clear line, nothing
//! written), and the JSON schema's top-level keys.

mod common;
use common::{carrera, carrera_in, grade_json, root};
use predicates::prelude::*;

#[test]
fn list_shows_each_exercise_on_one_line() {
    carrera()
        .arg("list")
        .assert()
        .success()
        .stdout(predicate::str::contains("04-lock").and(predicate::str::contains("Lock")));
}

#[test]
fn show_prints_the_statement_in_the_chosen_language() {
    let es = carrera()
        .args(["show", "04-lock", "--lang", "es"])
        .output()
        .unwrap();
    let en = carrera()
        .args(["show", "04-lock", "--lang", "en"])
        .output()
        .unwrap();
    let es = String::from_utf8(es.stdout).unwrap();
    let en = String::from_utf8(en.stdout).unwrap();
    assert_eq!(
        es,
        std::fs::read_to_string(root().join("exercises/04-lock/README.es.md")).unwrap()
    );
    assert_eq!(
        en,
        std::fs::read_to_string(root().join("exercises/04-lock/README.md")).unwrap()
    );
    assert_ne!(es, en);
}

fn fails_with_usage_error(args: &[&str], needle: &str) {
    let out = carrera().args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "args {args:?}");
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains(needle), "stderr {err:?} lacks {needle:?}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err:?}");
    assert!(out.stdout.is_empty());
}

#[test]
fn a_missing_submission_is_a_usage_error() {
    fails_with_usage_error(
        &["grade", "04-lock", "does/not/exist.py"],
        "cannot read submission",
    );
}

#[test]
fn a_file_that_is_not_python_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let txt = dir.path().join("notes.txt");
    std::fs::write(&txt, "hello").unwrap();
    fails_with_usage_error(
        &["grade", "04-lock", txt.to_str().unwrap()],
        "not a Python file",
    );
    let bin = dir.path().join("image.py");
    std::fs::write(&bin, b"\x89PNG\r\n\x1a\n\x00\x00").unwrap();
    fails_with_usage_error(
        &["grade", "04-lock", bin.to_str().unwrap()],
        "not a Python file",
    );
}

#[test]
fn an_unknown_exercise_is_a_usage_error_that_lists_the_known_ones() {
    fails_with_usage_error(
        &["grade", "99-nope", "solutions/04-lock/reference.py"],
        "unknown exercise `99-nope`; known exercises: ",
    );
    fails_with_usage_error(
        &["grade", "99-nope", "solutions/04-lock/reference.py"],
        "04-lock",
    );
}

#[test]
fn a_malformed_exercise_toml_names_file_line_and_key_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let ex = dir.path().join("exercises/04-lock");
    std::fs::create_dir_all(&ex).unwrap();
    for f in [
        "README.md",
        "README.es.md",
        "harness.py",
        "judge.py",
        "exercise.toml",
    ] {
        std::fs::copy(root().join("exercises/04-lock").join(f), ex.join(f)).unwrap();
    }
    let toml = std::fs::read_to_string(ex.join("exercise.toml")).unwrap();
    std::fs::write(
        ex.join("exercise.toml"),
        toml.replace("runs = 40", "runs = 0"),
    )
    .unwrap();
    let report = dir.path().join("report.json");
    let out = carrera_in(ex.parent().unwrap())
        .args(["grade", "04-lock", "solutions/04-lock/reference.py", "-o"])
        .arg(&report)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("exercise.toml"), "{err}");
    let line = toml
        .lines()
        .position(|l| l.starts_with("runs = 40"))
        .unwrap()
        + 1;
    assert!(err.contains(&format!("line {line}")), "{err}");
    assert!(err.contains("runs"), "{err}");
    assert!(!report.exists(), "nothing may be written on error");

    std::fs::write(
        ex.join("exercise.toml"),
        toml.replace("function = ", "fnction = "),
    )
    .unwrap();
    let out = carrera_in(ex.parent().unwrap())
        .arg("list")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("fnction"), "{err}");
}

#[test]
fn json_report_has_the_documented_top_level_keys() {
    let (code, v) = grade_json(
        "04-lock",
        "solutions/04-lock/reference.py",
        &["--runs", "6", "--seed", "11"],
    );
    assert_eq!(code, 0, "{v:#}");
    for key in [
        "exercise",
        "submission",
        "verdict",
        "score",
        "max_score",
        "trials",
        "failures",
        "seed",
        "duration_s",
        "checks",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert_eq!(v["verdict"], "pass");
    assert_eq!(v["seed"], 11);
    assert_eq!(v["score"], v["max_score"]);
    for c in v["checks"].as_array().unwrap() {
        for key in [
            "name",
            "verdict",
            "score",
            "max_score",
            "trials",
            "failures",
            "message",
        ] {
            assert!(c.get(key).is_some(), "check lacks {key}: {c}");
        }
    }
}

#[test]
fn output_file_is_written_whole() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("r.json");
    carrera()
        .args([
            "grade",
            "04-lock",
            "solutions/04-lock/buggy/syntax_error.py",
            "--format",
            "json",
            "-o",
        ])
        .arg(&report)
        .assert()
        .code(1)
        .stdout("");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(v["verdict"], "compile_error");
    assert_eq!(v["score"], 0);
    assert_eq!(v["failure"]["compile"]["line"], 6);
}

#[test]
fn check_accepts_exercise_ids_next_to_the_global_exercises_option() {
    carrera().args(["check", "99-nope"]).assert().code(2);
}
