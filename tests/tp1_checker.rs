//! The 08-biometric-chain checker's own unittest suite (trusted Python that reads a student
//! program's chain, report and verifier output), run as part of `cargo test`.

mod common;

#[test]
fn tp1_checker_unit_tests_pass() {
    let dir = common::root().join("exercises/08-biometric-chain");
    let out = std::process::Command::new("python3")
        .args(["-B", "-m", "unittest", "test_checker", "-v"])
        .current_dir(&dir)
        .output()
        .expect("python3 runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("OK"), "{stderr}");
    assert!(!stderr.contains("Ran 0 tests"), "{stderr}");
}
