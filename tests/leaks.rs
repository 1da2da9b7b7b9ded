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

/// Pids of live processes whose command line contains `needle`.
fn with_cmdline(needle: &str) -> Vec<i32> {
    let mut found = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        let cmd = std::fs::read(e.path().join("cmdline")).unwrap_or_default();
        if String::from_utf8_lossy(&cmd).contains(needle) {
            found.push(pid);
        }
    }
    found
}

#[test]
fn a_killed_grader_takes_its_trials_with_it() {
    // Only a cgroup holds an orphan that left the session: the strong tier. (On the rootless
    // tier it cannot leave it: seccomp refuses setsid.)
    let version = common::carrera().arg("--version").output().unwrap();
    let version = String::from_utf8_lossy(&version.stdout).into_owned();
    if !version.contains("sandbox strong") {
        eprintln!("not the strong tier here ({version}); skipped");
        return;
    }
    const NEEDLE: &str = "carrera-killed-grader";
    let bin = assert_cmd::cargo::cargo_bin("carrera");
    let mut grader = std::process::Command::new(bin)
        .current_dir(common::root())
        .args(["--exercises", "exercises", "grade", "04-lock"])
        .arg("tests/fixtures/leak/orphan_then_hang.py")
        .args(["--runs", "1", "--seed", "3"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let until = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while with_cmdline(NEEDLE).is_empty() && std::time::Instant::now() < until {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let seen = with_cmdline(NEEDLE);
    grader.kill().unwrap(); // SIGKILL: no cleanup of its own
    grader.wait().unwrap();
    let until = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !with_cmdline(NEEDLE).is_empty() && std::time::Instant::now() < until {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let left = with_cmdline(NEEDLE);
    for pid in &left {
        // SAFETY: plain syscall on the pids just found.
        unsafe { libc::kill(*pid, libc::SIGKILL) };
    }
    assert!(!seen.is_empty(), "the orphan never appeared");
    assert!(
        left.is_empty(),
        "still running after the grader was killed: {left:?}"
    );
}
