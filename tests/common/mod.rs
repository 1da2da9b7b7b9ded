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
