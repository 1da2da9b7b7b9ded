//! `carrera check` over every exercise, with its fixed default seed: each reference must pass
//! and each buggy variant must get the verdict it declares.

mod common;
use common::carrera;

#[test]
fn every_solution_gets_its_declared_verdict() {
    let out = carrera().arg("check").output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "check failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("check: 0 mismatched verdicts"), "{stdout}");
    assert!(
        stdout.contains("reference.py  expected pass, got pass"),
        "{stdout}"
    );
    assert!(
        stdout.lines().filter(|l| l.starts_with("ok")).count() >= 10,
        "{stdout}"
    );
}
