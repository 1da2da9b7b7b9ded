//! The Python runtime's own unittest suite, run as part of `cargo test`.

mod common;

#[test]
fn python_runtime_unit_tests_pass() {
    let dir = common::root().join("src/runtime/py");
    let out = std::process::Command::new("python3")
        .args(["-B", "-m", "unittest", "discover", "-s", "tests", "-v"])
        .current_dir(&dir)
        .output()
        .expect("python3 runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("OK"), "{stderr}");
    assert!(!stderr.contains("Ran 0 tests"), "{stderr}");
}
