//! Running one trial: a fresh workspace, the runtime's profile in the environment, the
//! sandbox, then collecting the observation. Stress trials start as forks of a warm
//! interpreter (`sandbox::WarmPool`); import and timed trials as fresh ones.

use super::{CpuSet, Noise, Purpose, Timeouts, Trial};
use crate::error::{IoContext, Result};
use crate::observe::Observation;
use crate::sandbox::{FencePaths, Launch, Limits, Sandbox, WarmConfig, WarmPool};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

/// Module name the submission is imported as, in every trial (spawn children import it too).
pub const MODULE: &str = "submission";
const DUMP_SIGNAL: i32 = libc::SIGUSR1;

pub struct RunnerConfig {
    pub python: PathBuf,
    /// Python's installation, which a sandboxed trial must be able to read.
    pub python_dirs: Vec<PathBuf>,
    pub runtime_dir: PathBuf,
    /// The Python file to run (the student's, or the reference when calibrating).
    pub source: PathBuf,
    /// Its bytecode, copied into each trial's workspace (see `prepare::Bytecode`).
    pub bytecode: Option<crate::prepare::Bytecode>,
    pub function: String,
    pub harness: Option<PathBuf>,
    /// (id, args, kwargs) of each case, as JSON.
    pub cases: Vec<(String, serde_json::Value, serde_json::Value)>,
    /// Where the per-trial workspaces go.
    pub work_root: PathBuf,
    pub keep_workspaces: bool,
    pub warm: Warm,
    pub limits: crate::exercise::LimitsSpec,
}

/// Whether trials fork from warm servers (`sandbox::WarmPool`), and when those boot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Warm {
    /// Every trial starts a fresh interpreter.
    Off,
    /// One server per CPU, booting in the background while the first trials run.
    Background,
    /// One server, booted before `Runner::new` returns: a timed call has the machine to itself.
    Booted,
}

pub struct Runner {
    cfg: RunnerConfig,
    sandbox: Box<dyn Sandbox>,
    cpus: Vec<usize>,
    counter: AtomicU64,
    warm: Option<Arc<WarmPool>>,
    /// Where the runtime's files of each trial go (trace, dumps, result): memory when the
    /// machine has a tmpfs, since a trial creates and deletes a dozen of them.
    meta_root: MetaRoot,
    /// What every trial of this runner may read and write besides the system.
    fence: FencePaths,
}

enum MetaRoot {
    Memory(tempfile::TempDir),
    Kept(PathBuf),
    Workspace,
}

impl MetaRoot {
    fn new(keep: bool) -> MetaRoot {
        let shm = Path::new("/dev/shm");
        let prefix = crate::sandbox::reaper::folder_prefix(keep);
        let dir = tempfile::Builder::new().prefix(&prefix).tempdir_in(shm);
        match dir {
            Ok(d) if keep => MetaRoot::Kept(d.keep()),
            Ok(d) => MetaRoot::Memory(d),
            Err(_) => MetaRoot::Workspace,
        }
    }

    /// The folder holding every trial's meta dir, if not inside the workspaces.
    fn root(&self) -> Option<&Path> {
        match self {
            MetaRoot::Memory(d) => Some(d.path()),
            MetaRoot::Kept(p) => Some(p),
            MetaRoot::Workspace => None,
        }
    }

    fn meta_dir(&self, ws: &Path, name: &str) -> PathBuf {
        match self {
            MetaRoot::Memory(d) => d.path().join(name),
            MetaRoot::Kept(p) => p.join(name),
            MetaRoot::Workspace => ws.join(".carrera"),
        }
    }
}

impl Runner {
    pub fn new(cfg: RunnerConfig, sandbox: Box<dyn Sandbox>) -> Result<Runner> {
        let meta_root = MetaRoot::new(cfg.keep_workspaces);
        std::fs::create_dir_all(&cfg.work_root)
            .ctx(|| format!("creating {}", cfg.work_root.display()))?;
        let fence = fence_paths(&cfg, &meta_root);
        let warm = (cfg.warm != Warm::Off).then(|| {
            Arc::new(WarmPool::new(WarmConfig {
                python: cfg.python.clone(),
                env: base_env(&cfg.runtime_dir),
                dir: cfg.work_root.clone(),
                harness: cfg.harness.clone(),
                level: sandbox.level().clone(),
                fence: fence.clone(),
            }))
        });
        let cpus = available_cpus();
        match (&warm, cfg.warm) {
            // Booting meanwhile: the import trial (a fresh interpreter) and calibration come
            // first anyway.
            (Some(w), Warm::Background) => w.prewarm(cpus.len()),
            (Some(w), _) => w.boot(),
            (None, _) => {}
        }
        Ok(Runner {
            cfg,
            sandbox,
            cpus,
            counter: AtomicU64::new(0),
            warm,
            meta_root,
            fence,
        })
    }

    /// Boots warm servers in the background until there are `n` (no-op when trials are cold).
    pub fn prewarm(&self, n: usize) {
        if let Some(w) = &self.warm {
            w.prewarm(n);
        }
    }

    /// Why trials start cold although warm ones were asked for, if they do.
    pub fn warm_unavailable(&self) -> Option<String> {
        self.warm.as_ref().and_then(|w| w.broken())
    }

    pub fn sandbox(&self) -> &dyn Sandbox {
        self.sandbox.as_ref()
    }

    pub fn cpus(&self) -> usize {
        self.cpus.len()
    }

    pub fn run(
        &self,
        trial: Trial,
        timeouts: &Timeouts,
        cancel: &AtomicBool,
    ) -> Result<Observation> {
        let wall = timeouts.get(trial.perturbation.method);
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let name = format!("{:?}-{n}", trial.purpose).to_lowercase();
        let ws = self.cfg.work_root.join(&name);
        let meta = self.meta_root.meta_dir(&ws, &name);
        for d in [meta.join("trace"), meta.join("dumps"), ws.join("tmp")] {
            std::fs::create_dir_all(&d).ctx(|| format!("creating {}", d.display()))?;
        }
        std::fs::copy(&self.cfg.source, ws.join(format!("{MODULE}.py")))
            .ctx(|| format!("copying {}", self.cfg.source.display()))?;
        if let Some(b) = &self.cfg.bytecode {
            let cache = ws.join("__pycache__");
            std::fs::create_dir(&cache).ctx(|| format!("creating {}", cache.display()))?;
            std::fs::copy(&b.path, cache.join(format!("{MODULE}.{}.pyc", b.tag)))
                .ctx(|| format!("copying {}", b.path.display()))?;
        }
        let spec = self.spec_json(&trial, &ws);
        std::fs::write(meta.join("spec.json"), spec.to_string()).ctx(|| "writing spec.json")?;

        // Unique in the process, not just in this runner: gradings running side by side
        // (`batch --jobs 2`) must never find, or kill, each other's trials as leaks.
        static MARKERS: AtomicU64 = AtomicU64::new(0);
        let id = MARKERS.fetch_add(1, Ordering::Relaxed);
        // Fixed width: a warm server's child writes it over the server's own, in place.
        let marker = format!("carrera-{:010}-{id:012}", std::process::id());
        let launch = Launch {
            program: self.cfg.python.clone(),
            args: vec![
                "-c".into(),
                "import carrera_rt.runner as r; r.main()".into(),
            ],
            cwd: ws.clone(),
            env: self.env(&trial, &ws, &meta, &marker),
            marker,
            cpus: self.cpu_set(&trial),
            dump: Some((DUMP_SIGNAL, meta.join("dumps"))),
            gate: (trial.purpose == Purpose::Speedup).then(|| meta.join("ready")),
            // The import trial checks the module in a process of its own, as a student runs it.
            warm: self
                .warm
                .clone()
                .filter(|_| trial.purpose != Purpose::Import),
            fence: self.fence.clone(),
        };
        let mut limits = Limits::new(wall, &self.cfg.limits);
        // A trial's stdin is /dev/null and the grader sends it nothing; a timed run waits on
        // the grader's gate, and its timing is left alone.
        limits.stop_when_settled = trial.purpose != Purpose::Speedup;
        let mut raw = self.sandbox.run(&launch, &limits, cancel)?;
        let disk = self.cfg.limits.disk_mb.0 << 20;
        let used = bytes_under(&ws);
        if raw.limit.is_none() && used > disk {
            raw.limit = Some(format!(
                "disk ({} MiB left in the workspace, {} MiB allowed)",
                used >> 20,
                disk >> 20
            ));
        }
        let obs = Observation::collect(trial, raw, &meta);
        crate::sandbox::reaper::unlink_semaphores(&meta.join("semaphores.txt"));
        if !self.cfg.keep_workspaces {
            let _ = std::fs::remove_dir_all(&ws);
            let _ = std::fs::remove_dir_all(&meta);
        }
        Ok(obs)
    }

    fn spec_json(&self, trial: &Trial, ws: &Path) -> serde_json::Value {
        let case = trial.case.map(|i| {
            let (id, args, kwargs) = &self.cfg.cases[i];
            serde_json::json!({"id": id, "args": args, "kwargs": kwargs})
        });
        serde_json::json!({
            "mode": match trial.purpose {
                Purpose::Import => "import",
                Purpose::Speedup => "speedup",
                _ => "call",
            },
            "module_dir": ws,
            "module": MODULE,
            "function": self.cfg.function,
            "harness": self.cfg.harness,
            "case": case,
        })
    }

    fn env(&self, trial: &Trial, ws: &Path, meta: &Path, marker: &str) -> Vec<(String, String)> {
        let p = &trial.perturbation;
        let noise = match p.noise {
            Noise::None => "none",
            Noise::Yield => "yield",
            Noise::Sleep => "sleep",
        };
        let profile = serde_json::json!({
            "trial": marker,
            "dir": meta,
            "method": p.method.as_str(),
            "noise": noise,
            "p": p.p,
            "sleep_us": 200,
            "gate_ms": p.gate_ms,
            "seed": p.seed,
            "events_cap": 2000,
            "dump_signal": DUMP_SIGNAL,
            // Trace events name the line of this file they were called from.
            "student": ws.join(format!("{MODULE}.py")),
            // A timed call measures the program, not our instrumentation.
            "instrument": trial.purpose != Purpose::Speedup,
        });
        let mut env = base_env(&self.cfg.runtime_dir);
        env.extend(
            [
                ("HOME", ws.display().to_string()),
                ("TMPDIR", ws.join("tmp").display().to_string()),
                ("CARRERA_PROFILE", profile.to_string()),
            ]
            .map(|(k, v)| (k.to_string(), v)),
        );
        env
    }

    fn cpu_set(&self, trial: &Trial) -> Option<Vec<usize>> {
        match trial.perturbation.cpus {
            CpuSet::All => None,
            CpuSet::One => {
                let i = (trial.perturbation.seed as usize) % self.cpus.len().max(1);
                Some(vec![*self.cpus.get(i)?])
            }
        }
    }
}

/// Trials read Python, the runtime and the exercise's folder (its harness), and write only
/// this runner's workspaces and meta dirs: not other submissions, nor the solutions.
fn fence_paths(cfg: &RunnerConfig, meta: &MetaRoot) -> FencePaths {
    let mut read: Vec<PathBuf> = cfg
        .python_dirs
        .iter()
        .filter(|d| d.parent().is_some()) // never the whole filesystem
        .cloned()
        .collect();
    read.push(cfg.runtime_dir.clone());
    read.extend(
        cfg.harness
            .iter()
            .filter_map(|h| h.parent())
            .map(Path::to_path_buf),
    );
    let mut write = vec![cfg.work_root.clone()];
    write.extend(meta.root().map(Path::to_path_buf));
    FencePaths { read, write }
}

/// What every interpreter of a trial (and a warm server) gets, whatever the trial.
fn base_env(runtime_dir: &Path) -> Vec<(String, String)> {
    let path = std::env::var("PATH").unwrap_or_else(|_| "/usr/bin:/bin".into());
    [
        ("PATH", path),
        ("LANG", "C.UTF-8".into()),
        ("PYTHONPATH", runtime_dir.display().to_string()),
        ("PYTHONNOUSERSITE", "1".into()),
        ("PYTHONDONTWRITEBYTECODE", "1".into()),
        ("PYTHONUNBUFFERED", "1".into()),
        ("PYTHONHASHSEED", "0".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// Disk used by the regular files under `dir` (links not followed).
fn bytes_under(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .filter_map(|e| Some((e.path(), e.file_type().ok()?)))
        .map(|(path, t)| match t {
            t if t.is_dir() => bytes_under(&path),
            t if t.is_file() => std::fs::symlink_metadata(&path).map_or(0, |m| m.blocks() * 512),
            _ => 0,
        })
        .sum()
}

/// The CPUs this process may run on (affinity), not just the machine's count.
pub fn available_cpus() -> Vec<usize> {
    // SAFETY: cpu_set_t is plain data filled by the kernel.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        if libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set) == 0 {
            let cpus: Vec<usize> = (0..libc::CPU_SETSIZE as usize)
                .filter(|&c| libc::CPU_ISSET(c, &set))
                .collect();
            if !cpus.is_empty() {
                return cpus;
            }
        }
    }
    (0..std::thread::available_parallelism().map_or(1, |n| n.get())).collect()
}
