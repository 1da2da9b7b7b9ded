//! Finding every process of a trial's tree through /proc: by process group, by the
//! `CARRERA_TRIAL` marker for descendants that left the group, and by the tree's cgroup
//! where there is one, which no process can leave (not even with a scrubbed environment).

use super::cgroup::CgroupBox;
use super::Proc;
use procfs::process::Process;
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
    let me = std::process::id() as i32;
    let boxed: Vec<i32> = tree.cgroup.map(|b| b.pids()).unwrap_or_default();
    let mut out = Vec::new();
    for stat in scan() {
        if stat.pid == me || stat.state == b'Z' {
            continue;
        }
        let in_group = stat.pgrp == leader;
        let marked = || stat.starttime >= tree.born && has_marker(stat.pid, marker);
        let in_box = boxed.contains(&stat.pid) && Some(stat.pid) != tree.spare;
        if in_group || in_box || marked() {
            let Ok(p) = Process::new(stat.pid) else {
                continue; // gone meanwhile
            };
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
    scan()
        .into_iter()
        .filter(|s| s.pgrp == leader && s.state != b'Z')
        .filter_map(|s| Process::new(s.pid).ok())
        .collect()
}

/// What a scan needs of one process, from its /proc/<pid>/stat.
#[derive(Debug, PartialEq)]
struct Stat {
    pid: i32,
    ppid: i32,
    pgrp: i32,
    state: u8,
    /// Clock ticks since boot.
    starttime: u64,
}

/// Every process's stat, one open and one read each: the scan runs after every trial, over
/// every process of the machine, and procfs's `all_processes` spends about twice the system
/// calls per process (a folder opened and stat'ed before the file, which `read_to_end` stats
/// again).
fn scan() -> Vec<Stat> {
    use std::io::Read;
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let mut buf = [0u8; 1024]; // a stat line is a few hundred bytes, read whole at once
    dir.flatten()
        .filter_map(|e| {
            let pid: i32 = e.file_name().to_str()?.parse().ok()?;
            let mut f = std::fs::File::open(format!("/proc/{pid}/stat")).ok()?;
            let n = f.read(&mut buf).ok()?;
            parse_stat(&buf[..n])
        })
        .collect()
}

/// The fields a scan needs, parsed by procfs (which counts them from the last `)`, as the
/// command name may hold spaces and parentheses).
fn parse_stat(text: &[u8]) -> Option<Stat> {
    use procfs::FromRead;
    let s = procfs::process::Stat::from_read(text).ok()?;
    Some(Stat {
        pid: s.pid,
        ppid: s.ppid,
        pgrp: s.pgrp,
        state: u8::try_from(s.state).ok()?,
        starttime: s.starttime,
    })
}

/// Whether the process's original environment holds `CARRERA_TRIAL=marker`.
fn has_marker(pid: i32, marker: &str) -> bool {
    let Ok(env) = std::fs::read(format!("/proc/{pid}/environ")) else {
        return false;
    };
    let want = format!("{MARKER_VAR}={marker}");
    env.split(|&b| b == 0).any(|entry| entry == want.as_bytes())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stat_line_is_read_past_a_command_name_with_spaces_and_parentheses() {
        // A whole line, as the kernel writes it (52 fields).
        let line = b"4242 (we (ird) name) S 4200 4242 4100 34816 4242 4194304 120 0 0 0 \
            3 1 0 0 20 0 1 0 987654 12345678 300 18446744073709551615 94409397223424 \
            94409397247529 140721251120800 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 94409397263376 \
            94409397264992 94409627381760 140721251121871 140721251121899 140721251121899 \
            140721251123178 0\n";
        let want = Stat {
            pid: 4242,
            ppid: 4200,
            pgrp: 4242,
            state: b'S',
            starttime: 987654,
        };
        assert_eq!(parse_stat(line), Some(want));
        assert_eq!(parse_stat(b"12 (cut"), None);
    }

    #[test]
    fn the_scan_finds_this_process_and_its_group() {
        let me = std::process::id() as i32;
        let stat = scan()
            .into_iter()
            .find(|s| s.pid == me)
            .expect("this process");
        assert_ne!(stat.state, b'Z');
        // SAFETY: plain syscalls without arguments.
        assert_eq!(stat.pgrp, unsafe { libc::getpgrp() });
        assert_eq!(stat.ppid, unsafe { libc::getppid() });
    }
}
