//! Pictures of what the processes did, built from one trial's trace events: a timeline (one
//! lane per process), and for failures the lost update of a race or the wait-for graph of a
//! deadlock. Built above the trust boundary from untrusted traces, so every builder tolerates
//! missing, partial or contradictory events: a wrong picture is possible, a crash is not.

mod lost_update;
mod of_trial;
pub mod svg;
pub mod term;
mod timeline;
mod wait_for;

pub use lost_update::{lost_update, LostUpdate, Step};
pub use of_trial::{of_trial, wrong_results};
pub use timeline::timeline;
pub use wait_for::{wait_for, Edge, WaitFor};

use serde::Serialize;

/// Arrows drawn at most: beyond this a picture teaches nothing more.
pub const MAX_MESSAGES: usize = 200;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Timeline {
    /// Which trial this is (case and perturbation profile), so it can be replayed.
    pub trial: String,
    /// Seconds from the first to the last thing seen; every time below is relative.
    pub duration_s: f64,
    /// When the start gate released the children, if there was one.
    pub gate_s: Option<f64>,
    pub lanes: Vec<Lane>,
    pub messages: Vec<Message>,
    /// Some process recorded more events than it kept: the picture shows only the first ones.
    pub truncated: bool,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Main,
    Child,
    PoolWorker,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Lane {
    pub pid: i32,
    pub ppid: i32,
    pub name: String,
    pub role: Role,
    /// When the process started, and when its run began and ended (`None`: it never ended).
    pub start: f64,
    pub run: Option<Span>,
    pub holds: Vec<Interval>,
    pub waits: Vec<Interval>,
    pub tasks: Vec<Task>,
    /// Where it was stuck when the trial was killed (`file:line`).
    pub stuck_at: Option<String>,
    /// Still alive when the function returned or the trial ended (a leak).
    pub left_alive: bool,
    /// Its trace was written on the dump signal, before a kill, not at a normal end.
    pub partial: bool,
    /// The student's lines that started it and joined it (from the parent's trace), and when
    /// the join returned.
    pub started_line: Option<u32>,
    pub joined_line: Option<u32>,
    pub joined_at: Option<f64>,
    pub cpu_s: Option<f64>,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Span {
    pub from: f64,
    /// `None`: still open when the trace was written.
    pub to: Option<f64>,
}

/// A lock held or waited for.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Interval {
    /// `lock A`, `lock B`... in order of first use.
    pub lock: String,
    pub span: Span,
    pub line: Option<u32>,
}

/// One `Pool` task (a chunk of items) run by a worker.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Task {
    /// `job:index` as the pool numbered it.
    pub id: String,
    pub items: u64,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Pipe,
    Queue,
}

/// One message, from the sender's `send`/`put` to the receiver's `recv`/`get`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Message {
    pub channel: Channel,
    /// `pipe 1`, `queue 2`... in order of first use.
    pub name: String,
    pub from_pid: i32,
    pub to_pid: i32,
    pub sent: f64,
    pub received: f64,
}

/// Everything drawn for one grading, kept in the result so every exporter (and `explain`)
/// can show it.
#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct Picture {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeline: Option<Timeline>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lost_update: Option<LostUpdate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wait_for: Option<WaitFor>,
    /// For a race without a lost update in the trace: each wrong result and in how many
    /// trials it came out.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub wrong_results: Vec<(String, usize)>,
}

impl Picture {
    pub fn is_empty(&self) -> bool {
        self == &Picture::default()
    }
}

/// Short names in order of first appearance (`lock A`, `queue 1`): keys are semaphore names
/// and addresses, which mean nothing to a student.
#[derive(Default)]
struct Names {
    seen: Vec<String>,
}

impl Names {
    fn index(&mut self, key: &str) -> usize {
        match self.seen.iter().position(|k| k == key) {
            Some(i) => i,
            None => {
                self.seen.push(key.to_string());
                self.seen.len() - 1
            }
        }
    }

    fn letter(&mut self, prefix: &str, key: &str) -> String {
        let i = self.index(key);
        let letter = (b'A' + (i % 26) as u8) as char;
        match i / 26 {
            0 => format!("{prefix} {letter}"),
            n => format!("{prefix} {letter}{n}"),
        }
    }

    fn number(&mut self, prefix: &str, key: &str) -> String {
        format!("{prefix} {}", self.index(key) + 1)
    }
}
