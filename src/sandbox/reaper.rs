//! What a grader leaves behind if it is killed (SIGKILL included): a reaper process, started
//! once, holds a pipe that only the grader writes to. At EOF it kills the grader's trials (its
//! cgroups, and whatever carries its trial marker, with their process groups) and removes its
//! work folders and the semaphores its trials named. A grader also sweeps, when it starts,
//! what dead graders left (if their reaper was killed too).

use super::tree::MARKER_VAR;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The argument that makes `carrera` a reaper: `carrera __reap <grader pid>`.
pub const REAPER_ARG: &str = "__reap";

/// Prefix of this grader's folders (in the temporary folder and /dev/shm), by which the
/// reaper and later graders find them; folders to `keep` (`--keep`) get one they ignore.
pub fn folder_prefix(keep: bool) -> String {
    match keep {
        true => "carrera-kept-".to_string(),
        false => format!("carrera-{}-", std::process::id()),
    }
}

/// Starts the reaper, once per process, and sweeps what dead graders left.
pub fn start() {
    static PIPE: OnceLock<Option<std::process::ChildStdin>> = OnceLock::new();
    PIPE.get_or_init(|| {
        sweep();
        let exe = std::env::current_exe().ok()?;
        // Only the carrera binary knows the argument (not a test harness linking the library).
        if !exe.file_name()?.to_string_lossy().starts_with("carrera") {
            return None;
        }
        use std::os::unix::process::CommandExt;
        let mut child = std::process::Command::new(exe)
            .arg(REAPER_ARG)
            .arg(std::process::id().to_string())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .process_group(0) // a Ctrl-C to the grader's group must not stop it first
            .spawn()
            .ok()?;
        child.stdin.take()
    });
}

/// The reaper's life: wait for EOF (the grader is gone), then clean up after it.
pub fn reap(grader: i32) {
    use std::io::Read;
    let mut buf = [0u8; 64];
    while !matches!(std::io::stdin().read(&mut buf), Ok(0) | Err(_)) {}
    clean(grader);
}

fn clean(grader: i32) {
    super::cgroup::remove_of(grader);
    kill_marked(grader);
    for dir in folders(grader) {
        if dir.starts_with("/dev/shm") {
            if let Ok(trials) = std::fs::read_dir(&dir) {
                for t in trials.flatten() {
                    unlink_semaphores(&t.path().join("semaphores.txt"));
                }
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// Folders of dead graders (and their cgroups, swept by `cgroup`) are cleaned like a reaper
/// would have.
fn sweep() {
    let mut dead = std::collections::BTreeSet::new();
    for root in roots() {
        let Ok(entries) = std::fs::read_dir(&root) else {
            continue;
        };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if let Some(pid) = owner(&name) {
                if !Path::new(&format!("/proc/{pid}")).exists() {
                    dead.insert(pid);
                }
            }
        }
    }
    for pid in dead {
        clean(pid);
    }
}

/// `carrera-<pid>-...` -> pid.
fn owner(name: &str) -> Option<i32> {
    let (pid, _) = name.strip_prefix("carrera-")?.split_once('-')?;
    pid.parse().ok().filter(|&p| p > 1)
}

fn roots() -> [PathBuf; 2] {
    [std::env::temp_dir(), PathBuf::from("/dev/shm")]
}

fn folders(grader: i32) -> Vec<PathBuf> {
    roots()
        .iter()
        .filter_map(|r| std::fs::read_dir(r).ok())
        .flat_map(|es| es.flatten())
        .filter(|e| owner(&e.file_name().to_string_lossy()) == Some(grader))
        .map(|e| e.path())
        .collect()
}

/// Kills every process carrying one of the grader's trial markers, and its process group.
fn kill_marked(grader: i32) {
    let needle = format!("{MARKER_VAR}=carrera-{grader:010}-");
    for _ in 0..3 {
        let Ok(all) = procfs::process::all_processes() else {
            return;
        };
        let mut found = false;
        for p in all.flatten() {
            let Ok(env) = std::fs::read(format!("/proc/{}/environ", p.pid)) else {
                continue;
            };
            if env
                .split(|&b| b == 0)
                .any(|v| v.starts_with(needle.as_bytes()))
            {
                found = true;
                let pgid = p.stat().map(|s| s.pgrp).unwrap_or(0);
                // SAFETY: plain syscalls on processes that carry our marker (and their
                // groups, which they belong to).
                unsafe {
                    if pgid > 1 {
                        libc::kill(-pgid, libc::SIGKILL);
                    }
                    libc::kill(p.pid, libc::SIGKILL);
                }
            }
        }
        if !found {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// Removes the named semaphores a trial listed (a killed tree's resource tracker could not).
/// Only names of the form multiprocessing uses are touched.
pub fn unlink_semaphores(list: &Path) {
    let Some(text) = crate::observe::read_capped(list, 1 << 20) else {
        return;
    };
    for name in text.lines().map(|l| l.trim().trim_start_matches('/')) {
        let valid = name.strip_prefix("mp-").is_some_and(|rest| {
            !rest.is_empty() && rest.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
        if valid {
            let _ = std::fs::remove_file(format!("/dev/shm/sem.{name}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_are_owned_by_the_pid_in_their_name() {
        assert_eq!(owner("carrera-1234-abXY12"), Some(1234));
        assert_eq!(owner("carrera-abXY12"), None); // older runs: not ours to judge
        assert_eq!(owner("carrera-1-x"), None);
        assert_eq!(owner(&format!("{}x", folder_prefix(true))), None); // --keep: left alone
        let mine = format!("{}x", folder_prefix(false));
        assert_eq!(owner(&mine), Some(std::process::id() as i32));
        assert_eq!(owner("other-1234-x"), None);
    }
}
