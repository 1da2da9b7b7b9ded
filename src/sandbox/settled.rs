//! Telling a tree that can never move again, so its deadline need not be waited out: every
//! thread sleeps in a call with no timeout, on nothing a timer or the grader could wake, and
//! the tree burns no CPU for a while. No clock, real or virtual, changes what happens next.
//! Anything not understood (a call, a file, an unreadable /proc entry) means "may move".

use super::tree::{self, Tree};
use super::Proc;
use procfs::process::{FDPermissions, FDTarget, Process};
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

/// How long the tree must stay in the same blocked state before it counts as settled. What
/// makes it sound is that no call can time out; this only rules out a snapshot taken in the
/// instant before a wake-up (a woken thread runs within milliseconds, and shows as such).
const SETTLE: Duration = Duration::from_millis(500);
/// How often the tree is looked at meanwhile.
pub(super) const POLL: Duration = Duration::from_millis(100);
/// CPU the tree may burn over `SETTLE` and still count as asleep (a tick or two of rounding).
const CPU_SLACK_S: f64 = 0.02;

/// Watches one tree across polls.
#[derive(Default)]
pub struct Watch {
    since: Option<(Instant, State, f64)>,
}

impl Watch {
    /// Looks at the tree once; true when it has been blocked for good, unchanged, for `SETTLE`.
    pub fn settled(&mut self, tree: &Tree) -> bool {
        let procs = tree::members(tree);
        let Some(state) = blocked_for_good(&procs) else {
            self.since = None;
            return false;
        };
        let cpu = tree::cpu_seconds(&procs);
        match &self.since {
            Some((t0, s0, c0)) if *s0 == state && cpu - c0 <= CPU_SLACK_S => t0.elapsed() >= SETTLE,
            _ => {
                self.since = Some((Instant::now(), state, cpu));
                false
            }
        }
    }
}

/// Every thread's blocking call, by thread id.
type State = BTreeMap<i32, String>;

/// The tree's state if every thread of every process waits with no timeout and no file the
/// tree holds could wake it from outside; `None` otherwise. Threads are read first: a tree
/// still moving fails there, before any descriptor is looked at.
fn blocked_for_good(procs: &[(Process, Proc)]) -> Option<State> {
    if procs.is_empty() {
        return None;
    }
    let mut state = State::new();
    let mut on_fds = Vec::new();
    for (p, info) in procs {
        for task in p.tasks().ok()?.flatten() {
            let Ok(stat) = task.stat() else { continue }; // a thread that just exited
            match stat.state {
                'Z' | 'X' => continue,
                'S' => {}
                _ => return None,
            }
            let path = format!("/proc/{}/task/{}/syscall", info.pid, task.tid);
            let line = std::fs::read_to_string(path).ok()?;
            if let Wait::On(fd) = waits_forever(&line)? {
                on_fds.push((p, fd));
            }
            state.insert(task.tid, line.trim().to_string());
        }
    }
    let ours = own_ends()?;
    let quiet = |(p, info): &(Process, Proc)| !has_timers(info.pid) && files_quiet(p, &ours);
    // A read or write waits for the tree only on a pipe or socket the grader does not hold
    // (a terminal waits for a person; the output pipes, for the grader, which drains them).
    let in_tree = |(p, fd): &(&Process, u64)| {
        let target = i32::try_from(*fd).ok().and_then(|fd| p.fd_from_fd(fd).ok());
        target.is_some_and(|t| end(&t.target).is_some_and(|e| !ours.contains(&e)))
    };
    (procs.iter().all(quiet) && on_fds.iter().all(in_tree)).then_some(state)
}

/// How a blocked thread waits: for good, or on a read or write of a descriptor whose other
/// end decides.
#[derive(Debug, PartialEq)]
enum Wait {
    Forever,
    On(u64),
}

/// How a thread in the call `line` (from /proc/<pid>/task/<tid>/syscall: number, six
/// arguments, stack and program counters) waits, if nothing but another process can wake
/// it. x86-64 and aarch64 numbers; elsewhere nothing settles.
fn waits_forever(line: &str) -> Option<Wait> {
    let mut it = line.split_whitespace();
    // "running", or blocked outside a call, has no number.
    let nr = it.next()?.parse::<i64>().ok()?;
    let args: Vec<u64> = it
        .take(6)
        .filter_map(|a| u64::from_str_radix(a.trim_start_matches("0x"), 16).ok())
        .collect();
    if args.len() < 6 {
        return None;
    }
    let infinite_ms = |a: u64| (a as u32 as i32) < 0;
    let forever = match Call::of(nr)? {
        Call::Read | Call::Write => return Some(Wait::On(args[0])),
        Call::Wait | Call::Pause => true,
        Call::Poll => infinite_ms(args[2]),
        Call::Ppoll => args[2] == 0,
        Call::Select => args[4] == 0,
        Call::EpollWait => infinite_ms(args[3]),
        Call::EpollPwait2 => args[3] == 0,
        // FUTEX_WAIT or FUTEX_WAIT_BITSET (any flags) with no timeout.
        Call::Futex => matches!(args[1] & 0x7f, 0 | 9) && args[3] == 0,
    };
    forever.then_some(Wait::Forever)
}

enum Call {
    Read,
    Write,
    Wait,
    Pause,
    Poll,
    Ppoll,
    Select,
    EpollWait,
    EpollPwait2,
    Futex,
}

impl Call {
    #[cfg(target_arch = "x86_64")]
    fn of(nr: i64) -> Option<Call> {
        Some(match nr {
            0 | 19 | 45 | 47 => Call::Read,  // read, readv, recvfrom, recvmsg
            1 | 20 | 44 | 46 => Call::Write, // write, writev, sendto, sendmsg: a full pipe
            61 | 247 => Call::Wait,          // wait4, waitid
            34 | 130 => Call::Pause,         // pause, rt_sigsuspend
            7 => Call::Poll,
            271 => Call::Ppoll,
            23 | 270 => Call::Select, // select, pselect6: the timeout is the fifth argument
            232 | 281 => Call::EpollWait,
            441 => Call::EpollPwait2,
            202 => Call::Futex,
            _ => return None,
        })
    }

    #[cfg(target_arch = "aarch64")]
    fn of(nr: i64) -> Option<Call> {
        Some(match nr {
            63 | 65 | 207 | 212 => Call::Read,
            64 | 66 | 206 | 211 => Call::Write,
            260 | 95 => Call::Wait,
            133 => Call::Pause,
            73 => Call::Ppoll,
            72 => Call::Select,
            22 => Call::EpollWait,
            441 => Call::EpollPwait2,
            98 => Call::Futex,
            _ => return None,
        })
    }

    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    fn of(_: i64) -> Option<Call> {
        None
    }
}

/// One end of a pipe or socket, by inode: what the grader and the tree may both hold.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum End {
    Pipe(u64),
    Socket(u64),
}

fn end(target: &FDTarget) -> Option<End> {
    match target {
        FDTarget::Pipe(i) => Some(End::Pipe(*i)),
        FDTarget::Socket(i) => Some(End::Socket(*i)),
        _ => None,
    }
}

/// The pipes and sockets the grader itself holds; `None` if they cannot be read.
fn own_ends() -> Option<BTreeSet<End>> {
    let fds = Process::myself().and_then(|p| p.fd()).ok()?;
    Some(fds.flatten().filter_map(|f| end(&f.target)).collect())
}

/// No file of the process wakes it by itself or from outside: no timer, signal or inotify
/// descriptor, no terminal or network socket, and nothing shared with the grader except
/// the output pipes it only writes to.
fn files_quiet(p: &Process, ours: &BTreeSet<End>) -> bool {
    let (Ok(fds), Ok(unix)) = (p.fd(), p.unix()) else {
        return false;
    };
    let unix: BTreeSet<u64> = unix.iter().map(|u| u.inode).collect();
    let write_only =
        |m: FDPermissions| m.contains(FDPermissions::WRITE) && !m.contains(FDPermissions::READ);
    fds.flatten().all(|fd| {
        let quiet = match &fd.target {
            FDTarget::Pipe(_) => true,
            FDTarget::Socket(ino) => unix.contains(ino),
            FDTarget::AnonInode(kind) => {
                matches!(kind.as_str(), "[eventfd]" | "[eventpoll]" | "[pidfd]")
            }
            FDTarget::Path(path) => {
                let path = path.to_string_lossy();
                !(path.starts_with("/dev/pts")
                    || path.starts_with("/dev/tty")
                    || path == "/dev/console")
            }
            FDTarget::Net(_) | FDTarget::MemFD(_) | FDTarget::Other(..) => true,
        };
        quiet && end(&fd.target).map_or(true, |e| !ours.contains(&e) || write_only(fd.mode()))
    })
}

/// POSIX timers (`timer_create`) fire by themselves. (`alarm` and `setitimer` are not in
/// /proc: a tree that relies on them alone to wake up is not seen.)
fn has_timers(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/timers")).map_or(true, |t| !t.trim().is_empty())
}

#[cfg(all(test, target_arch = "x86_64"))]
mod tests {
    use super::{waits_forever, Wait, Watch};
    use crate::sandbox::tree::Tree;
    use std::os::unix::process::CommandExt;
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    /// Watches a Python program in its own process group until it ends or `limit` passes;
    /// whether it settled, and when.
    fn watch(program: &str, stdin: Stdio, stdout: Stdio, limit: Duration) -> Option<Duration> {
        let mut child = Command::new("python3")
            .args(["-c", program])
            .stdin(stdin)
            .stdout(stdout)
            .process_group(0)
            .spawn()
            .unwrap();
        let tree = Tree::new(child.id() as i32, "no-marker");
        let (start, mut w) = (Instant::now(), Watch::default());
        let mut seen = None;
        while start.elapsed() < limit && child.try_wait().unwrap().is_none() {
            if w.settled(&tree) {
                seen = Some(start.elapsed());
                break;
            }
            std::thread::sleep(super::POLL);
        }
        // SAFETY: the test's own process group.
        unsafe { libc::kill(-(child.id() as i32), libc::SIGKILL) };
        child.wait().unwrap();
        seen
    }

    const DEADLOCK: &str = "
import multiprocessing as mp
def child(c):
    c.recv()
if __name__ == '__main__':
    a, b = mp.Pipe()
    p = mp.Process(target=child, args=(b,))
    p.start()
    p.join()
";

    #[test]
    fn a_tree_waiting_on_itself_settles() {
        let at = watch(
            DEADLOCK,
            Stdio::null(),
            Stdio::null(),
            Duration::from_secs(20),
        );
        assert!(at.is_some(), "the deadlocked tree never settled");
        // One process writing into a full pipe that only it could read.
        let full = "import os; r, w = os.pipe(); os.write(w, b'x' * 1000000)";
        let at = watch(full, Stdio::null(), Stdio::null(), Duration::from_secs(20));
        assert!(at.is_some(), "the write into a full pipe never settled");
    }

    #[test]
    fn a_tree_in_timed_waits_or_fed_by_the_grader_does_not() {
        // Paced by a timeout: idle almost all the time, and it ends by itself.
        let paced = "
import threading
e = threading.Event()
for _ in range(12):
    e.wait(0.25)
";
        let null = Stdio::null;
        assert_eq!(watch(paced, null(), null(), Duration::from_secs(20)), None);
        // Blocked on pipes the grader holds the other end of: the grader could write, or
        // drain (here it does not, for the length of the test).
        let fed = "import sys; sys.stdin.read()";
        assert_eq!(
            watch(fed, Stdio::piped(), null(), Duration::from_secs(3)),
            None
        );
        // The same pipe in a select with no timeout: only the descriptor itself tells.
        let selecting = "import select, sys; select.select([sys.stdin], [], [])";
        assert_eq!(
            watch(selecting, Stdio::piped(), null(), Duration::from_secs(3)),
            None
        );
        let chatty = "import sys; sys.stdout.write('x' * 1000000); sys.stdout.flush()";
        assert_eq!(
            watch(chatty, null(), Stdio::piped(), Duration::from_secs(3)),
            None
        );
    }

    /// Waits for good, a read or write counting only on fd 4 (a pipe in the tree).
    fn forever(line: &str) -> bool {
        match waits_forever(line) {
            Some(Wait::Forever) => true,
            Some(Wait::On(fd)) => fd == 4,
            None => false,
        }
    }

    #[test]
    fn calls_without_timeout_wait_forever() {
        // Read on a pipe, wait4, untimed futex (shared and private), poll(-1), select(NULL).
        for line in [
            "0 0x4 0x7f 0x4 0x0 0x0 0x0 0x7ffd 0x7f9b",
            "1 0x4 0x7f 0x10000 0x0 0x0 0x0 0x7ffd 0x7f9b", // write to a full pipe
            "61 0x1710 0x7ffd 0x0 0x0 0x0 0x0 0x7ffd 0x7f9b",
            "202 0x7f9b 0x189 0x0 0x0 0x0 0xffffffff 0x7f9b 0x7f9b",
            "202 0x7f9b 0x80 0x0 0x0 0x0 0x0 0x7f9b 0x7f9b",
            "7 0x7ffd 0x2 0xffffffffffffffff 0x0 0x0 0x0 0x7ffd 0x7f9b",
            "23 0x5 0x7ffd 0x0 0x0 0x0 0x0 0x7ffd 0x7f9b",
        ] {
            assert!(forever(line), "{line}");
        }
    }

    #[test]
    fn calls_with_a_timeout_or_unknown_may_wake() {
        for line in [
            "running",
            "-1 0x7ffd 0x7f9b",
            "0 0x3 0x7f 0x4 0x0 0x0 0x0 0x7ffd 0x7f9b", // read on something else
            "202 0x7f9b 0x89 0x0 0x7f9b2d731960 0x0 0xffffffff 0x7f9b 0x7f9b", // Event.wait(100)
            "230 0x1 0x1 0x7f9b 0x0 0x0 0x7f9b 0x7f9b 0x7f9b", // clock_nanosleep
            "7 0x7ffd 0x2 0x3e8 0x0 0x0 0x0 0x7ffd 0x7f9b", // poll(1000 ms)
            "23 0x5 0x7ffd 0x0 0x0 0x7ffd1 0x0 0x7ffd 0x7f9b", // select with a timeout
            "202 0x7f9b 0x6 0x0 0x0 0x0 0x0 0x7f9b 0x7f9b", // FUTEX_LOCK_PI
            "1 0x1 0x7f 0x4 0x0 0x0 0x0 0x7ffd 0x7f9b", // write to the output
        ] {
            assert!(!forever(line), "{line}");
        }
    }
}
