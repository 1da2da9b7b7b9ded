//! One run of a whole program: a fresh workspace, the runtime (start method, virtual clock,
//! tracing) in every interpreter, the sandbox, copies of the output meanwhile; then what the
//! run showed from outside (exit, CPU of the whole tree, hang and stuck lines, leftovers).

use super::workspace::Workspace;
use crate::error::Result;
use crate::exercise::{ProgramExercise, StartMethod};
use crate::judge::Stuck;
use crate::observe::{Exc, Observation};
use crate::sandbox::{Exit, FencePaths, Launch, Limits, Proc, Sandbox};
use crate::trial::{Perturbation, Purpose, Trial};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

const DUMP_SIGNAL: i32 = libc::SIGUSR1;

/// What every run of one grading shares.
pub struct Setup<'a> {
    pub python: &'a Path,
    pub python_dirs: &'a [PathBuf],
    pub runtime: &'a Path,
    pub sandbox: &'a dyn Sandbox,
    pub exercise: &'a ProgramExercise,
    pub submission: &'a Path,
    pub entry: &'a str,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProgramRun {
    pub method: StartMethod,
    /// K of the virtual clock (1: real time).
    pub k: f64,
    pub exit: Exit,
    pub wall_s: f64,
    /// CPU of the whole tree (the cgroup's when there is one, else what was reaped).
    pub cpu_s: f64,
    pub cpu_of_whole_tree: bool,
    /// The program did not end in time; `busy` when it spun.
    pub hung: Option<bool>,
    /// It was stopped before its timeout: every process was blocked with nothing to wake it.
    pub settled: bool,
    /// Where each process of a hung run was blocked, in the student's files.
    pub stuck: Vec<Stuck>,
    pub leaked: Vec<Proc>,
    /// A limit of the tree the kernel enforced (memory, processes).
    pub limit: Option<String>,
    /// The main process's uncaught exception, from the runtime's trace.
    pub error: Option<Exc>,
    pub stderr_tail: String,
    /// Processes the runtime saw, and the channels they used.
    pub processes: usize,
    pub pipes: usize,
    pub fifos: usize,
    pub queues: usize,
    /// Outputs handed in with the submission and deleted before the run.
    pub deleted: Vec<String>,
    pub snapshots: usize,
    #[serde(skip)]
    pub ws: PathBuf,
}

impl ProgramRun {
    pub fn cores(&self) -> f64 {
        self.cpu_s / self.wall_s.max(1e-3)
    }

    pub fn workspace(&self) -> Workspace {
        workspace_at(&self.ws)
    }
}

pub fn workspace_at(root: &Path) -> Workspace {
    Workspace {
        root: root.to_path_buf(),
        work: root.join("work"),
        tmp: root.join("tmp"),
        home: root.join("home"),
        meta: root.join("meta"),
        snapshots: root.join("snapshots"),
    }
}

/// Runs the program once under `method` with a clock `k` times faster, in `root`.
pub fn run(
    s: &Setup,
    method: StartMethod,
    k: f64,
    wall: Duration,
    root: &Path,
) -> Result<ProgramRun> {
    let p = &s.exercise.spec.program;
    let (ws, deleted) = Workspace::prepare(s.submission, root, &p.outputs)?;
    let marker = marker();
    let epoch = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64());
    let profile = serde_json::json!({
        "trial": marker,
        "dir": ws.meta,
        "method": method.as_str(),
        "events_cap": 5000,
        "dump_signal": DUMP_SIGNAL,
        "student": format!("{}/", ws.work.display()),
        "program": true,
        "dilation": (k > 1.0).then(|| serde_json::json!({"k": k, "epoch": epoch})),
    });
    let mut env = base_env(s.runtime, &ws);
    env.push(("CARRERA_PROFILE".into(), profile.to_string()));
    env.push(("CARRERA_PROGRAM_MAIN".into(), "1".into()));
    let launch = Launch {
        program: s.python.to_path_buf(),
        args: vec![s.entry.to_string()],
        cwd: ws.work.clone(),
        env,
        marker,
        cpus: None,
        dump: Some((DUMP_SIGNAL, ws.meta.join("dumps"))),
        gate: None,
        warm: None,
        fence: fence(s, root),
    };
    let mut limits = Limits::new(wall, &s.exercise.spec.limits);
    // Stdin is closed and nothing is sent to the program: a tree blocked for good stays so.
    limits.stop_when_settled = true;
    let running = AtomicBool::new(true);
    let every = Duration::from_secs_f64(p.snapshot_every_s.0 / k).max(Duration::from_millis(50));
    let (raw, snapshots) = std::thread::scope(|scope| {
        let copier = scope.spawn(|| ws.snapshot_while(&p.snapshot, every, &running));
        let raw = s.sandbox.run(&launch, &limits, &AtomicBool::new(false));
        running.store(false, Ordering::Relaxed);
        (raw, copier.join().unwrap_or(0))
    });
    let raw = raw?;
    let trial = Trial {
        index: 0,
        purpose: Purpose::Stress,
        case: None,
        perturbation: Perturbation::quiet(method),
    };
    let (cpu, whole) = match raw.tree_cpu {
        Some(c) => (c, true),
        None => (raw.cpu, false),
    };
    let obs = Observation::collect(trial, raw, &ws.meta);
    let work = format!("{}/", ws.work.display());
    let students = |f: &str| f.starts_with(&work);
    let stuck = match &obs.raw.hang {
        Some(h) => crate::judge::stacks::stuck_in(&obs, h, &students),
        None => Vec::new(),
    };
    let main = obs.traces.iter().find(|t| t.role == "main");
    let (pipes, fifos, queues) = channels(&obs);
    Ok(ProgramRun {
        method,
        k,
        exit: obs.raw.exit.clone(),
        wall_s: obs.raw.wall.as_secs_f64(),
        cpu_s: cpu.as_secs_f64(),
        cpu_of_whole_tree: whole,
        hung: obs.raw.hang.as_ref().map(|h| h.busy),
        settled: obs.raw.hang.as_ref().is_some_and(|h| h.settled),
        stuck,
        leaked: obs.raw.leaked.clone(),
        limit: obs.raw.limit.clone(),
        error: main.and_then(|m| m.error.clone()),
        stderr_tail: tail(&obs.raw.stderr.text(), 1500),
        processes: obs.traces.iter().filter(|t| t.role != "forkserver").count(),
        pipes,
        fifos,
        queues,
        deleted,
        snapshots,
        ws: root.to_path_buf(),
    })
}

/// Distinct pipes, named pipes and queues the processes made, sent on or received from.
fn channels(obs: &Observation) -> (usize, usize, usize) {
    let mut seen: [std::collections::BTreeSet<String>; 3] = Default::default();
    for e in obs.traces.iter().flat_map(|t| &t.events) {
        let (Some(kind), Some(key)) = (e.get(1).and_then(|v| v.as_str()), e.get(2)) else {
            continue;
        };
        let key = key.as_str().map_or_else(|| key.to_string(), str::to_owned);
        let slot = if key.starts_with("pipe:") {
            0
        } else if kind == "fifo" {
            1
        } else if kind.starts_with("queue_") {
            2
        } else {
            continue;
        };
        // A pipe's key (`pipe:<pid>:<n>`) names the channel, whichever end was used.
        seen[slot].insert(key);
    }
    (seen[0].len(), seen[1].len(), seen[2].len())
}

/// Runs the student's `script` (no runtime, real time) in the copy at `work`, stdin closed.
/// Returns (exit, stdout, stderr).
pub fn run_script(
    s: &Setup,
    root: &Path,
    work: &Path,
    script: &str,
    wall: Duration,
) -> Result<(Exit, String, String)> {
    let ws = workspace_at(root);
    let launch = Launch {
        program: s.python.to_path_buf(),
        args: vec![script.to_string()],
        cwd: work.to_path_buf(),
        env: base_env(s.runtime, &ws),
        marker: marker(),
        cpus: None,
        dump: None,
        gate: None,
        warm: None,
        fence: fence(s, root),
    };
    let raw = s.sandbox.run(
        &launch,
        &Limits::new(wall, &s.exercise.spec.limits),
        &AtomicBool::new(false),
    )?;
    Ok((raw.exit, raw.stdout.text(), raw.stderr.text()))
}

fn base_env(runtime: &Path, ws: &Workspace) -> Vec<(String, String)> {
    let path = std::env::var("PATH").unwrap_or_else(|_| "/usr/bin:/bin".into());
    [
        ("PATH", path),
        ("LANG", "C.UTF-8".into()),
        ("PYTHONPATH", runtime.display().to_string()),
        ("PYTHONNOUSERSITE", "1".into()),
        ("PYTHONDONTWRITEBYTECODE", "1".into()),
        ("PYTHONUNBUFFERED", "1".into()),
        ("HOME", ws.home.display().to_string()),
        ("TMPDIR", ws.tmp.display().to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

fn fence(s: &Setup, root: &Path) -> FencePaths {
    let mut read: Vec<PathBuf> = s
        .python_dirs
        .iter()
        .filter(|d| d.parent().is_some())
        .cloned()
        .collect();
    read.push(s.runtime.to_path_buf());
    FencePaths {
        read,
        write: vec![root.to_path_buf()],
    }
}

/// Unique in this grader, in the trials' format (the reaper and cgroups go by it).
fn marker() -> String {
    static N: AtomicU64 = AtomicU64::new(1 << 36);
    let id = N.fetch_add(1, Ordering::Relaxed);
    format!("carrera-{:010}-{id:012}", std::process::id())
}

fn tail(s: &str, max: usize) -> String {
    let start = s.len().saturating_sub(max);
    let start = (start..s.len())
        .find(|&i| s.is_char_boundary(i))
        .unwrap_or(s.len());
    s[start..].to_string()
}
