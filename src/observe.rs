//! Observations: everything the sandbox saw of one trial, parsed from files the student's
//! process could write. Nothing here is trusted; `judge` validates it.

use crate::sandbox::RawRun;
use crate::trial::Trial;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// Larger files are treated as malformed rather than read.
const MAX_RECORD_BYTES: u64 = 4 << 20;
const MAX_TRACE_BYTES: u64 = 2 << 20;
const MAX_DUMP_BYTES: u64 = 256 << 10;
const MAX_TRACE_FILES: usize = 512;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Frame {
    pub file: String,
    pub line: u32,
    pub function: String,
    #[serde(default)]
    pub text: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Exc {
    #[serde(rename = "type")]
    pub kind: String,
    pub message: String,
    #[serde(default)]
    pub frames: Vec<Frame>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChildRecord {
    pub pid: i32,
    pub name: String,
    pub joined: bool,
    pub alive: bool,
    pub exitcode: Option<i32>,
}

/// The runner's one terminal record.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Record {
    Imported,
    MissingFunction {
        function: String,
    },
    ImportError {
        error: Exc,
    },
    Returned {
        value: serde_json::Value,
        elapsed_s: f64,
        #[serde(default)]
        children: Vec<ChildRecord>,
    },
    Raised {
        error: Exc,
        elapsed_s: f64,
        #[serde(default)]
        children: Vec<ChildRecord>,
    },
}

/// One process's trace summary.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TraceSummary {
    pub pid: i32,
    pub ppid: i32,
    #[serde(default)]
    pub name: String,
    pub role: String,
    #[serde(default)]
    pub method: Option<String>,
    #[serde(default)]
    pub t_start: Option<f64>,
    #[serde(default)]
    pub t_run_start: Option<f64>,
    #[serde(default)]
    pub t_run_end: Option<f64>,
    #[serde(default)]
    pub counts: BTreeMap<String, u64>,
    #[serde(default)]
    pub events: Vec<serde_json::Value>,
    #[serde(default)]
    pub events_dropped: u64,
    #[serde(default)]
    pub error: Option<Exc>,
    #[serde(default)]
    pub start_method_requests: Vec<String>,
    /// CPU seconds this process used (its own claim).
    #[serde(default)]
    pub cpu_s: Option<f64>,
    /// Written on the dump signal of a hung trial, not at the process's end.
    #[serde(default)]
    pub partial: bool,
}

impl TraceSummary {
    /// The summary without its events, for a judge that reads none.
    pub fn without_events(&self) -> TraceSummary {
        TraceSummary {
            pid: self.pid,
            ppid: self.ppid,
            name: self.name.clone(),
            role: self.role.clone(),
            method: self.method.clone(),
            t_start: self.t_start,
            t_run_start: self.t_run_start,
            t_run_end: self.t_run_end,
            counts: self.counts.clone(),
            events: Vec::new(),
            events_dropped: self.events_dropped,
            error: self.error.clone(),
            start_method_requests: self.start_method_requests.clone(),
            cpu_s: self.cpu_s,
            partial: self.partial,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Observation {
    pub trial: Trial,
    pub raw: RawRun,
    /// The terminal record, or why there is none usable (a `reason.*` catalog code).
    pub record: Result<Record, &'static str>,
    pub traces: Vec<TraceSummary>,
    /// pid → faulthandler output.
    pub dumps: BTreeMap<i32, String>,
}

impl Observation {
    pub fn collect(trial: Trial, raw: RawRun, dir: &Path) -> Observation {
        let record = read_record(&dir.join("result.jsonl"));
        let traces = read_dir_capped(&dir.join("trace"), "json", MAX_TRACE_BYTES)
            .into_iter()
            .filter_map(|(_, text)| serde_json::from_str::<TraceSummary>(&text).ok())
            .collect();
        let dumps = read_dir_capped(&dir.join("dumps"), "txt", MAX_DUMP_BYTES)
            .into_iter()
            .filter(|(_, text)| !text.trim().is_empty())
            .filter_map(|(stem, text)| Some((stem.parse().ok()?, text)))
            .collect();
        Observation {
            trial,
            raw,
            record,
            traces,
            dumps,
        }
    }

    /// Drops what only a picture or a failure report reads (trace events, stack dumps, the
    /// output), keeping what a verdict was made of. Thousands of passing trials are held
    /// until the grading ends, and their events alone are most of a trial's memory.
    pub fn slim(&mut self) {
        for t in &mut self.traces {
            t.events = Vec::new();
        }
        self.dumps = BTreeMap::new();
        self.raw.stdout = Default::default();
        self.raw.stderr = Default::default();
    }

    /// The main trial process's pid, from its own trace (a claim, used only for labels).
    pub fn main_pid(&self) -> Option<i32> {
        self.traces.iter().find(|t| t.role == "main").map(|t| t.pid)
    }
}

#[cfg(test)]
impl Observation {
    /// A fork stress trial of case 0 that exited cleanly, returning `value`.
    pub fn for_tests(index: u64, value: serde_json::Value, traces: Vec<TraceSummary>) -> Self {
        use crate::sandbox::Exit;
        use crate::trial::{Perturbation, Purpose};
        Observation {
            trial: Trial {
                index,
                purpose: Purpose::Stress,
                case: Some(0),
                perturbation: Perturbation::quiet(crate::exercise::StartMethod::Fork),
            },
            raw: RawRun {
                exit: Exit::Code(0),
                wall: std::time::Duration::from_millis(5),
                cpu: std::time::Duration::ZERO,
                tree_cpu: None,
                hang: None,
                cancelled: false,
                stdout: Default::default(),
                stderr: Default::default(),
                leaked: Vec::new(),
                timed: None,
                limit: None,
            },
            record: Ok(Record::Returned {
                value,
                elapsed_s: 0.0,
                children: Vec::new(),
            }),
            traces,
            dumps: BTreeMap::new(),
        }
    }
}

fn read_record(path: &Path) -> Result<Record, &'static str> {
    let text = read_capped(path, MAX_RECORD_BYTES).ok_or("no_result")?;
    let mut records = text.lines().filter(|l| !l.trim().is_empty());
    let first = records.next().ok_or("no_result")?;
    if records.next().is_some() {
        return Err("many_results");
    }
    serde_json::from_str(first).map_err(|_| "malformed_result")
}

/// Reads a regular file without following links, up to `cap` bytes; `None` if absent or odd.
pub fn read_capped(path: &Path, cap: u64) -> Option<String> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let f = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
        .ok()?;
    let meta = f.metadata().ok()?;
    if !meta.is_file() || meta.len() > cap {
        return None;
    }
    let mut s = String::new();
    f.take(cap).read_to_string(&mut s).ok()?;
    Some(s)
}

fn read_dir_capped(dir: &Path, ext: &str, cap: u64) -> Vec<(String, String)> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    rd.flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .take(MAX_TRACE_FILES)
        .filter_map(|p| {
            let stem = p.file_stem()?.to_string_lossy().into_owned();
            Some((stem, read_capped(&p, cap)?))
        })
        .collect()
}
