//! A submission never passes by what it prints or writes about itself: fake reports on
//! stdout, early exits, and a forged record in the runtime's own result file.

mod common;
use common::grade_json;

fn expect(file: &str, verdict: &str) {
    let (code, v) = grade_json("04-lock", file, &["--seed", "7", "--runs", "6"]);
    assert_eq!(v["verdict"], verdict, "{file}: {v:#}");
    assert_eq!(code, 1, "{file} must not pass");
    assert!(v["score"].as_u64().unwrap() < v["max_score"].as_u64().unwrap());
}

#[test]
fn printing_pass_and_fake_json_does_not_pass() {
    expect("tests/fixtures/forged/prints_pass.py", "wrong");
}

#[test]
fn exiting_zero_at_import_does_not_pass() {
    expect("tests/fixtures/forged/exit_at_import.py", "crash");
}

#[test]
fn system_exit_zero_does_not_pass() {
    expect("tests/fixtures/forged/system_exit.py", "crash");
}

#[test]
fn a_forged_result_record_does_not_pass() {
    expect("tests/fixtures/forged/forged_record.py", "not_parallel");
}

#[test]
fn the_right_number_without_processes_does_not_pass() {
    expect("tests/fixtures/forged/returns_constant.py", "not_parallel");
}
