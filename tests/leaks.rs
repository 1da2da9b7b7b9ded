//! Processes left behind are found, reported as `leak`, and killed: nothing of a trial
//! survives the grading.

mod common;

/// Pids whose environment carries the trial marker of the carrera process `pid`.
fn survivors_of(pid: u32) -> Vec<String> {
    let needle = format!("CARRERA_TRIAL=carrera-{pid:010}-");
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        let Ok(env) = std::fs::read(entry.path().join("environ")) else {
            continue;
        };
        let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
        let zombie = stat
            .rsplit(')')
            .next()
            .is_some_and(|s| s.trim_start().starts_with('Z'));
        if !zombie
            && env
                .split(|&b| b == 0)
                .any(|v| v.starts_with(needle.as_bytes()))
        {
            found.push(name);
        }
    }
    found
}

fn grade_and_check_nothing_survives(file: &str, verdict: &str) {
    let bin = assert_cmd::cargo::cargo_bin("carrera");
    let child = std::process::Command::new(bin)
        .current_dir(common::root())
        .args(["--exercises", "exercises", "grade", "04-lock", file])
        .args(["--format", "json", "--seed", "5", "--runs", "6"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let out = child.wait_with_output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["verdict"], verdict, "{v:#}");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        survivors_of(pid).is_empty(),
        "left running: {:?}",
        survivors_of(pid)
    );
}

#[test]
fn an_orphan_that_outlives_the_program_is_a_leak_and_is_killed() {
    grade_and_check_nothing_survives("tests/fixtures/leak/orphan_after_exit.py", "leak");
}

#[test]
fn children_never_joined_are_a_leak_and_are_killed() {
    grade_and_check_nothing_survives("solutions/04-lock/buggy/no_join.py", "leak");
}

#[test]
fn a_deadlocked_tree_is_killed_whole() {
    grade_and_check_nothing_survives("solutions/04-lock/buggy/never_released.py", "deadlock");
}
