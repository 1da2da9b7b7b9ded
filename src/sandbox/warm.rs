//! A leader started as a fork of a warm interpreter (`carrera_rt.server`) that has already
//! imported the runtime, multiprocessing and the harness: a trial then costs a fork, not an
//! interpreter start. The server forks, sets the trial up (process group, rlimits, CPUs,
//! environment, marker) and reports the leader's exit; everything else (deadline, stacks,
//! kill, leak scan) is the same as for a fresh interpreter.

use super::cgroup::CgroupBox;
use super::confine::Confine;
use super::direct::RlimitSet;
use super::{Exit, FencePaths, Launch, Level, Limits};
use crate::error::{Error, Result};
use rustix::event::{poll, PollFd, PollFlags, Timespec};
use rustix::net::{
    recv, sendmsg, socketpair, AddressFamily, RecvFlags, SendAncillaryBuffer, SendAncillaryMessage,
    SendFlags, SocketFlags, SocketType,
};
use serde::Deserialize;
use std::io::IoSlice;
use std::mem::MaybeUninit;
use std::os::fd::{AsFd, OwnedFd};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// A loaded machine can take a while to start an interpreter and import multiprocessing.
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// How long the server may take to report a leader we have already killed.
const REAP_TIMEOUT: Duration = Duration::from_secs(10);

/// How to start servers; one per trial running at a time, started on first use.
#[derive(Debug, Clone)]
pub struct WarmConfig {
    pub python: PathBuf,
    /// The trials' environment minus what is per trial (profile, marker, HOME, TMPDIR).
    pub env: Vec<(String, String)>,
    /// Servers' working folders and logs go here.
    pub dir: PathBuf,
    /// Imported by the server, so the trials need not.
    pub harness: Option<PathBuf>,
    /// Servers are confined like fresh interpreters, so their trials inherit it all.
    pub level: Level,
    pub fence: FencePaths,
}

#[derive(Debug)]
pub struct WarmPool {
    cfg: WarmConfig,
    servers: Mutex<Servers>,
    /// Signalled when a server becomes idle or a background boot ends.
    changed: Condvar,
    /// Why servers cannot start here; trials then start fresh interpreters.
    broken: Mutex<Option<String>>,
    /// The session filter each trial installs (`confine::sessions_hex`).
    sessions: Option<String>,
}

/// The servers not running a trial, and the background boots under way.
#[derive(Debug, Default)]
struct Servers {
    idle: Vec<Server>,
    /// Servers booting in the background (`prewarm`).
    booting: usize,
    /// Trials waiting for one of those: each boot is promised to one trial, and a trial that
    /// finds none unpromised boots its own server rather than wait for a trial to end.
    waiting: usize,
    /// Servers started so far, booted or not, alive or not; the next one's number.
    launched: usize,
}

/// What a trial needing a server does.
#[derive(Debug, PartialEq)]
enum Step {
    Take,
    Wait,
    Boot,
}

impl Servers {
    fn next_step(&self) -> Step {
        if !self.idle.is_empty() {
            Step::Take
        } else if self.booting > self.waiting {
            Step::Wait
        } else {
            Step::Boot
        }
    }
}

#[derive(Debug)]
struct Server {
    child: Child,
    sock: OwnedFd,
    log: PathBuf,
    /// Holds the server and, one at a time, its trials' trees.
    cgroup: Option<Arc<CgroupBox>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Deserialize)]
struct Reply {
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    pid: Option<i32>,
    #[serde(default)]
    status: Option<i32>,
    #[serde(default)]
    cpu: Option<f64>,
    #[serde(default)]
    setup: Option<bool>,
}

impl WarmPool {
    pub fn new(cfg: WarmConfig) -> WarmPool {
        let (sessions, broken) = match super::confine::sessions_hex(&cfg.level) {
            Ok(s) => (s, None),
            Err(e) => (None, Some(format!("building the seccomp filter: {e}"))),
        };
        WarmPool {
            cfg,
            servers: Mutex::new(Servers::default()),
            changed: Condvar::new(),
            broken: Mutex::new(broken),
            sessions,
        }
    }

    /// Boots servers in the background until `n` have been started, so that the first trials
    /// need not wait for them (nor boot more of their own meanwhile).
    pub fn prewarm(self: &std::sync::Arc<Self>, n: usize) {
        let mut servers = self.servers.lock().unwrap();
        while servers.launched < n {
            let number = servers.launched;
            servers.launched += 1;
            servers.booting += 1;
            let pool = std::sync::Arc::clone(self);
            std::thread::spawn(move || {
                let booted = pool.spawn_server(number);
                pool.settle(booted, true);
            });
        }
    }

    /// Starts one server now and waits for it: timed calls must not share the machine with
    /// a server booting in the background.
    pub fn boot(&self) {
        self.settle(self.launch(), false);
    }

    /// A server's boot ended: it is idle, or nothing can run warm here.
    fn settle(&self, booted: std::result::Result<Server, String>, background: bool) {
        let mut servers = self.servers.lock().unwrap();
        if background {
            servers.booting -= 1;
        }
        match booted {
            Ok(s) => servers.idle.push(s),
            Err(why) => *self.broken.lock().unwrap() = Some(why),
        }
        self.changed.notify_all();
    }

    /// An idle server, or one booting in the background that no other trial waits for;
    /// `None` when there is neither (the caller boots one).
    fn take(&self) -> Option<Server> {
        let mut servers = self.servers.lock().unwrap();
        loop {
            match servers.next_step() {
                Step::Take => return servers.idle.pop(),
                Step::Boot => return None,
                Step::Wait => {}
            }
            servers.waiting += 1;
            let (back, waited) = self.changed.wait_timeout(servers, START_TIMEOUT).unwrap();
            servers = back;
            servers.waiting -= 1;
            if waited.timed_out() {
                return None; // a boot that never ends must not hold trials up for good
            }
        }
    }

    /// Boots a server for the calling thread.
    fn launch(&self) -> std::result::Result<Server, String> {
        let number = {
            let mut servers = self.servers.lock().unwrap();
            servers.launched += 1;
            servers.launched - 1
        };
        self.spawn_server(number)
    }

    fn give_back(&self, server: Server) {
        self.servers.lock().unwrap().idle.push(server);
        self.changed.notify_all();
    }

    /// Why warm trials are unavailable, if they are.
    pub fn broken(&self) -> Option<String> {
        self.broken.lock().unwrap().clone()
    }

    /// Forks the trial's leader, or `None` when no server can run here (start it fresh then).
    pub(super) fn start(
        &self,
        launch: &Launch,
        limits: &Limits,
        stdout: OwnedFd,
        stderr: OwnedFd,
        stdin: Option<OwnedFd>,
    ) -> Result<Option<WarmLeader<'_>>> {
        if self.broken().is_some() {
            return Ok(None);
        }
        let server = match self.take() {
            Some(s) => s,
            None => match self.launch() {
                Ok(s) => s,
                Err(why) => {
                    *self.broken.lock().unwrap() = Some(why);
                    return Ok(None);
                }
            },
        };
        if let Some(bx) = &server.cgroup {
            let mut l = super::supervise::box_limits(limits);
            l.processes += 1; // the server itself
            bx.set_limits(l)
                .map_err(|e| Error::Internal(format!("warm server: setting limits: {e}")))?;
        }
        let rlimits: Vec<(i64, u64)> = RlimitSet::new(limits)
            .limits
            .iter()
            .map(|&(r, v)| (r as i64, v))
            .collect();
        let request = serde_json::json!({
            "cwd": launch.cwd,
            "env": launch.env.iter().cloned().collect::<std::collections::BTreeMap<_, _>>(),
            "marker": launch.marker,
            "cpus": launch.cpus,
            "rlimits": rlimits,
            "seccomp": self.sessions,
        });
        let mut space = [MaybeUninit::uninit(); rustix::cmsg_space!(ScmRights(3))];
        let mut control = SendAncillaryBuffer::new(&mut space);
        let mut fds = vec![stdout.as_fd(), stderr.as_fd()];
        fds.extend(stdin.as_ref().map(|f| f.as_fd()));
        control.push(SendAncillaryMessage::ScmRights(&fds));
        let body = request.to_string();
        sendmsg(
            &server.sock,
            &[IoSlice::new(body.as_bytes())],
            &mut control,
            SendFlags::empty(),
        )
        .map_err(|e| Error::Internal(format!("warm server: sending a trial: {e}")))?;
        drop((stdout, stderr, stdin)); // the leader holds them now: EOF comes when the tree is done
        let reply = receive(
            &server.sock,
            Some(Instant::now() + START_TIMEOUT),
            &AtomicBool::new(false),
        )?
        .ok_or_else(|| Error::Internal("warm server: no answer to a trial".into()))?;
        let pid = match (reply.pid, reply.error) {
            (Some(pid), None) => pid,
            (_, e) => {
                return Err(Error::Internal(format!(
                    "warm server could not fork a trial: {}",
                    e.unwrap_or_default()
                )))
            }
        };
        Ok(Some(WarmLeader {
            pool: self,
            server: Some(server),
            pid,
            reusable: false,
        }))
    }

    fn spawn_server(&self, n: usize) -> std::result::Result<Server, String> {
        let dir = self.cfg.dir.join(format!("warm-{n}"));
        std::fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
        let log = self.cfg.dir.join(format!("warm-{n}.log"));
        let log_file =
            std::fs::File::create(&log).map_err(|e| format!("creating {}: {e}", log.display()))?;
        let (ours, theirs) = socketpair(
            AddressFamily::UNIX,
            SocketType::SEQPACKET,
            SocketFlags::CLOEXEC,
            None,
        )
        .map_err(|e| format!("socketpair: {e}"))?;
        // Unique in the process: every runner has a pool of its own.
        static BOXES: AtomicU64 = AtomicU64::new(0);
        let name = format!("warm-{}", BOXES.fetch_add(1, Ordering::Relaxed));
        let cgroup = match self.cfg.level.cgroups {
            true => Some(Arc::new(
                CgroupBox::create(&name, server_limits())
                    .map_err(|e| format!("creating a cgroup: {e}"))?,
            )),
            false => None,
        };
        let join = cgroup
            .as_deref()
            .map(CgroupBox::join_files)
            .unwrap_or_default();
        let mut confine = Confine::new(&self.cfg.level, join, &self.cfg.fence)
            .map_err(|e| format!("preparing the sandbox: {e}"))?
            .without_sessions();
        let mut cmd = Command::new(&self.cfg.python);
        cmd.arg("-c")
            .arg("import carrera_rt.server as s; s.main()")
            .args(&self.cfg.harness)
            .current_dir(&dir)
            .env_clear()
            .envs(self.cfg.env.iter().map(|(k, v)| (k, v)))
            .env("HOME", &dir)
            .env("TMPDIR", &dir)
            .env(super::tree::MARKER_VAR, placeholder_marker(n as u64))
            .stdin(Stdio::from(theirs))
            .stdout(Stdio::null())
            .stderr(Stdio::from(log_file))
            .process_group(0);
        use std::os::unix::process::CommandExt;
        // SAFETY: `apply` makes only async-signal-safe calls on prepared data.
        unsafe { cmd.pre_exec(move || confine.apply()) };
        let child = cmd
            .spawn()
            .map_err(|e| format!("starting the warm server: {e}"))?;
        drop(cmd); // our copy of the server's end: its exit must read as EOF here
        let server = Server {
            child,
            sock: ours,
            log,
            cgroup,
        };
        let deadline = Instant::now() + START_TIMEOUT;
        match receive(&server.sock, Some(deadline), &AtomicBool::new(false)) {
            Ok(Some(r)) if r.error.is_none() && r.pid.is_none() => Ok(server),
            Ok(Some(r)) => Err(r.error.unwrap_or_else(|| "bad greeting".into())),
            Ok(None) => Err(format!("no greeting; {}", log_tail(&server.log))),
            Err(e) => Err(format!("{e}; {}", log_tail(&server.log))),
        }
    }
}

/// The server's own marker: as long as a trial's (`trial::run`'s format), so a forked child
/// can overwrite it in place, and never equal to one.
fn placeholder_marker(n: u64) -> String {
    format!(
        "carrera-{:010}-warm{:08}",
        std::process::id(),
        n % 100_000_000
    )
}

/// Until a trial's cgroup is set per trial, the server's box has these.
fn server_limits() -> super::cgroup::BoxLimits {
    let spec = crate::exercise::LimitsSpec::default();
    super::supervise::box_limits(&Limits::new(Duration::ZERO, &spec))
}

pub(super) struct WarmLeader<'a> {
    pool: &'a WarmPool,
    server: Option<Server>,
    pub pid: i32,
    /// The server reported the leader's end and may run another trial once this tree is gone.
    reusable: bool,
}

impl Drop for WarmLeader<'_> {
    fn drop(&mut self) {
        match (self.server.take(), self.reusable) {
            (Some(s), true) => self.pool.give_back(s),
            (s, _) => drop(s), // kills it
        }
    }
}

impl WarmLeader<'_> {
    /// The server's cgroup, and the server, which is in it but not of the tree.
    pub fn cgroup(&self) -> (Option<Arc<CgroupBox>>, Option<i32>) {
        let server = self.server.as_ref().expect("a leader has its server");
        (server.cgroup.clone(), Some(server.child.id() as i32))
    }

    /// Like `Direct::wait_until`: `None` while the leader runs.
    pub fn wait_until(
        &mut self,
        deadline: Instant,
        cancel: &AtomicBool,
    ) -> Result<Option<(Exit, Duration, Instant)>> {
        let server = self.server.as_ref().expect("leader not yet reaped");
        match receive(&server.sock, Some(deadline), cancel)? {
            None => Ok(None),
            Some(r) => {
                let exited = Instant::now();
                let (exit, cpu) = self.finish(r, false)?;
                Ok(Some((exit, cpu, exited)))
            }
        }
    }

    /// After the tree was killed: the leader's end as the server saw it.
    pub fn reap(&mut self) -> Result<(Exit, Duration)> {
        let server = self.server.as_ref().expect("leader not yet reaped");
        let deadline = Instant::now() + REAP_TIMEOUT;
        match receive(&server.sock, Some(deadline), &AtomicBool::new(false))? {
            Some(r) => self.finish(r, true),
            None => {
                self.server = None; // unresponsive: drop (kill) it
                Ok((Exit::Killed, Duration::ZERO))
            }
        }
    }

    /// `killed`: we killed the tree (timeout, cancellation), possibly before its setup was
    /// done; a leader that ended by itself before that is the server's failure, not the
    /// student's.
    fn finish(&mut self, r: Reply, killed: bool) -> Result<(Exit, Duration)> {
        let set_up = r.setup == Some(true) || killed;
        let (Some(status), true) = (r.status, set_up) else {
            let why = r.error.unwrap_or_else(|| {
                format!(
                    "the setup of trial {} failed (status {:?})",
                    r.pid.unwrap_or(0),
                    r.status
                )
            });
            let log = self.server.take().map(|s| log_tail(&s.log));
            return Err(Error::Internal(format!(
                "warm server: {why}; {}",
                log.unwrap_or_default()
            )));
        };
        self.reusable = true;
        let cpu = Duration::from_secs_f64(r.cpu.unwrap_or(0.0).max(0.0));
        Ok((Exit::from_wait_status(status), cpu))
    }
}

/// One message from the server; `None` at the deadline or on cancellation.
fn receive(
    sock: &OwnedFd,
    deadline: Option<Instant>,
    cancel: &AtomicBool,
) -> Result<Option<Reply>> {
    let broken = |what: String| Error::Internal(format!("warm server: {what}"));
    loop {
        if cancel.load(Ordering::Relaxed) {
            return Ok(None);
        }
        let slice = match deadline {
            Some(d) => {
                let now = Instant::now();
                if now >= d {
                    return Ok(None);
                }
                (d - now).min(Duration::from_millis(50))
            }
            None => Duration::from_millis(50),
        };
        let mut fds = [PollFd::new(sock, PollFlags::IN)];
        let timeout = Timespec::try_from(slice).expect("a short timeout");
        match poll(&mut fds, Some(&timeout)) {
            Ok(0) | Err(rustix::io::Errno::INTR) => continue,
            Ok(_) => {}
            Err(e) => return Err(broken(format!("poll: {e}"))),
        }
        let mut buf = vec![0u8; 1 << 16];
        let (_, n) = recv(sock, &mut buf[..], RecvFlags::empty())
            .map_err(|e| broken(format!("recv: {e}")))?;
        if n == 0 {
            return Err(broken("the server exited".into()));
        }
        return serde_json::from_slice(&buf[..n])
            .map(Some)
            .map_err(|e| broken(format!("bad message: {e}")));
    }
}

fn log_tail(log: &std::path::Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    match &lines[lines.len().saturating_sub(5)..] {
        [] => format!("see {}", log.display()),
        last => format!("{} (from {})", last.join(" | "), log.display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_background_boot_is_waited_for_by_one_trial_and_the_rest_boot_their_own() {
        let mut s = Servers {
            booting: 2,
            ..Servers::default()
        };
        let mut steps = Vec::new();
        for _ in 0..4 {
            let step = s.next_step();
            if step == Step::Wait {
                s.waiting += 1;
            }
            steps.push(step);
        }
        assert_eq!(steps, [Step::Wait, Step::Wait, Step::Boot, Step::Boot]);
    }
}
