//! Finding every process of a trial's tree through /proc: by process group, by the
//! `CARRERA_TRIAL` marker for descendants that left the group, and by the tree's cgroup
//! where there is one, which no process can leave (not even with a scrubbed environment).

use super::cgroup::CgroupBox;
use super::Proc;
use procfs::process::{all_processes, Process};
use std::time::Duration;

pub const MARKER_VAR: &str = "CARRERA_TRIAL";

/// The tree of one trial: its leader's process group, its marker, and the boot-relative tick
/// at which it was started (0 = unknown). Only processes started since then can be marked
/// members, so older ones need no environment read: that read is the scan's main cost.
#[derive(Debug, Clone, Copy)]
pub struct Tree<'a> {
    pub leader: i32,
    pub marker: &'a str,
    pub born: u64,
    pub cgroup: Option<&'a CgroupBox>,
    /// A process in the cgroup that is not the tree's (the warm server it was forked from).
    pub spare: Option<i32>,
}

impl<'a> Tree<'a> {
    /// A tree started now.
    pub fn new(leader: i32, marker: &'a str) -> Tree<'a> {
        Tree {
            leader,
            marker,
            born: now_ticks().saturating_sub(BORN_MARGIN),
            cgroup: None,
            spare: None,
        }
    }
}

/// Slack for the two clocks' rounding (and a leader forked by a warm server just before).
const BORN_MARGIN: u64 = 5;

/// Clock ticks since boot, the unit of a process's start time in /proc/<pid>/stat.
fn now_ticks() -> u64 {
    let Ok(text) = std::fs::read_to_string("/proc/uptime") else {
        return 0;
    };
    let secs: f64 = text
        .split_whitespace()
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0.0);
    (secs * procfs::ticks_per_second() as f64) as u64
}

/// Live (non-zombie) processes that belong to the tree.
pub fn members(tree: &Tree) -> Vec<(Process, Proc)> {
    let (leader, marker) = (tree.leader, tree.marker);
    let Ok(all) = all_processes() else {
        return Vec::new();
    };
    let me = std::process::id() as i32;
    let boxed: Vec<i32> = tree.cgroup.map(|b| b.pids()).unwrap_or_default();
    let mut out = Vec::new();
    for p in all.flatten() {
        let Ok(stat) = p.stat() else { continue };
        if stat.pid == me || stat.state == 'Z' {
            continue;
        }
        let in_group = stat.pgrp == leader;
        let marked = || {
            if stat.starttime < tree.born {
                return false;
            }
            p.environ()
                .map(|env| {
                    env.get(std::ffi::OsStr::new(MARKER_VAR))
                        .is_some_and(|v| v == marker)
                })
                .unwrap_or(false)
        };
        let in_box = boxed.contains(&stat.pid) && Some(stat.pid) != tree.spare;
        if in_group || in_box || marked() {
            let cmdline = p.cmdline().map(|c| c.join(" ")).unwrap_or_default();
            let info = Proc {
                pid: stat.pid,
                ppid: stat.ppid,
                cmdline,
            };
            out.push((p, info));
        }
    }
    out
}

/// Live processes of the leader's process group (cheaper than `members`: no environ reads).
pub fn group_members(leader: i32) -> Vec<Process> {
    let Ok(all) = all_processes() else {
        return Vec::new();
    };
    all.flatten()
        .filter(|p| p.stat().is_ok_and(|s| s.pgrp == leader && s.state != 'Z'))
        .collect()
}

/// CPU seconds (user + system) the given processes have used so far.
pub fn cpu_seconds(procs: &[(Process, Proc)]) -> f64 {
    let tps = procfs::ticks_per_second() as f64;
    procs
        .iter()
        .filter_map(|(p, _)| p.stat().ok())
        .map(|s| (s.utime + s.stime) as f64 / tps)
        .sum()
}

#[derive(Debug, Clone, Copy)]
pub struct Activity {
    /// Fraction of one CPU the tree burnt during the window.
    pub cpu_fraction: f64,
    /// Some process was running or waiting for a CPU (state R) or for I/O (D) at the end.
    pub runnable: bool,
    /// Context switches the tree made during the window. A deadlocked tree makes none; a
    /// busy-wait slowed by sleep noise makes many while using little CPU.
    pub switches: u64,
    /// Processes appeared or exited during the window: a tree that keeps starting processes
    /// (a pool per item) is making progress, however idle each moment looks.
    pub churn: bool,
}

fn switches(procs: &[(Process, Proc)]) -> u64 {
    procs
        .iter()
        .filter_map(|(p, _)| p.status().ok())
        .map(|s| s.voluntary_ctxt_switches.unwrap_or(0) + s.nonvoluntary_ctxt_switches.unwrap_or(0))
        .sum()
}

/// How busy the tree is, watched over `window`.
pub fn activity(tree: &Tree, window: Duration) -> Activity {
    let before = members(tree);
    let c0 = cpu_seconds(&before);
    let s0 = switches(&before);
    std::thread::sleep(window);
    let s1 = switches(&before);
    // Sample the same processes: ones that died meanwhile drop out, which can only lower it.
    let c1 = cpu_seconds(&before);
    let runnable = before
        .iter()
        .filter_map(|(p, _)| p.stat().ok())
        .any(|s| s.state == 'R' || s.state == 'D');
    let pids = |procs: &[(Process, Proc)]| -> std::collections::BTreeSet<i32> {
        procs.iter().map(|(_, i)| i.pid).collect()
    };
    let churn = pids(&before) != pids(&members(tree));
    Activity {
        cpu_fraction: ((c1 - c0) / window.as_secs_f64()).max(0.0),
        runnable,
        switches: s1.saturating_sub(s0),
        churn,
    }
}

pub fn signal_all(tree: &Tree, sig: i32) -> Vec<Proc> {
    let procs = members(tree);
    for (_, info) in &procs {
        // SAFETY: plain syscall on pids we just read; a stale pid is harmless (ESRCH).
        unsafe {
            libc::kill(info.pid, sig);
        }
    }
    procs.into_iter().map(|(_, i)| i).collect()
}

/// Kills the cgroup, the group and every marked process until none is left (bounded).
pub fn kill_all(tree: &Tree) {
    if let Some(b) = tree.cgroup {
        b.kill(tree.spare);
    }
    for _ in 0..50 {
        // SAFETY: as above; a negative pid addresses the process group.
        unsafe {
            libc::kill(-tree.leader, libc::SIGKILL);
        }
        if signal_all(tree, libc::SIGKILL).is_empty() {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}
