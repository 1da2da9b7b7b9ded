//! Reading the per-process faulthandler dumps of a hung tree: for each stuck process, the
//! line of the student's file it is blocked on.

use super::is_student_file;
use crate::observe::{Frame, Observation};
use crate::sandbox::Hang;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Stuck {
    pub pid: i32,
    /// `main`, `child`, `resource_tracker`, `forkserver`.
    pub role: String,
    /// Innermost frame in the student's file, if the stack passes through it.
    pub at: Option<Frame>,
    /// Innermost function of that thread, e.g. `acquire` or `join`.
    pub waiting_in: Option<String>,
}

pub fn stuck(obs: &Observation, hang: &Hang) -> Vec<Stuck> {
    stuck_in(obs, hang, &is_student_file)
}

/// Like `stuck`, with the student's files told apart by `students` (a whole program's folder).
pub fn stuck_in(obs: &Observation, hang: &Hang, students: &dyn Fn(&str) -> bool) -> Vec<Stuck> {
    let me = std::process::id() as i32;
    // A warm server's trial is not the grader's child: its own (partial) trace names it.
    let main = obs.traces.iter().find(|t| t.role == "main").map(|t| t.pid);
    let mut out: Vec<Stuck> = hang
        .procs
        .iter()
        .map(|p| {
            // A forkserver's children carry its command line: their own trace names them.
            let traced = obs
                .traces
                .iter()
                .find(|t| t.pid == p.pid)
                .map(|t| t.role.as_str());
            let role = if p.ppid == me || Some(p.pid) == main {
                "main"
            } else if traced == Some("child") {
                "child"
            } else if p.cmdline.contains("resource_tracker") {
                "resource_tracker"
            } else if p.cmdline.contains("forkserver") {
                "forkserver"
            } else {
                "child"
            };
            let (at, waiting_in) = obs
                .dumps
                .get(&p.pid)
                .map(|d| innermost_frame_in(d, students))
                .unwrap_or((None, None));
            Stuck {
                pid: p.pid,
                role: role.to_string(),
                at,
                waiting_in,
            }
        })
        .collect();
    out.sort_by_key(|s| (s.role != "main", s.pid));
    out
}

/// Threads of a dump, each a list of frames, most recent first; the current thread first.
fn threads(dump: &str) -> Vec<Vec<Frame>> {
    let mut threads: Vec<(bool, Vec<Frame>)> = Vec::new();
    for line in dump.lines() {
        let t = line.trim();
        if t.starts_with("Thread ") || t.starts_with("Current thread ") {
            threads.push((t.starts_with("Current"), Vec::new()));
        } else if let Some(frame) = parse_frame(t) {
            if let Some((_, frames)) = threads.last_mut() {
                frames.push(frame);
            }
        }
    }
    threads.sort_by_key(|(current, _)| !current);
    threads.into_iter().map(|(_, f)| f).collect()
}

/// `File "/x/submission.py", line 12 in worker`
fn parse_frame(t: &str) -> Option<Frame> {
    let rest = t.strip_prefix("File \"")?;
    let (file, rest) = rest.split_once("\", line ")?;
    let (line, function) = rest.split_once(" in ")?;
    Some(Frame {
        file: file.to_string(),
        line: line.trim().parse().ok()?,
        function: function.trim().to_string(),
        text: None,
    })
}

/// Functions of the runtime that only add noise or record; skipped when naming the wait.
const RUNTIME_HELPERS: [&str; 5] = ["maybe_noise", "record", "gate", "note_semaphore", "reseed"];

#[cfg(test)]
fn innermost_student_frame(dump: &str) -> (Option<Frame>, Option<String>) {
    innermost_frame_in(dump, &is_student_file)
}

fn innermost_frame_in(
    dump: &str,
    students: &dyn Fn(&str) -> bool,
) -> (Option<Frame>, Option<String>) {
    for frames in threads(dump) {
        if let Some(f) = frames.iter().find(|f| students(&f.file)) {
            // The runtime's wrappers keep the name of what they wrap (acquire, get...); its
            // noise and tracing helpers are not what the student called.
            let waiting = frames
                .iter()
                .find(|f| {
                    !(f.file.contains("/carrera_rt/")
                        && RUNTIME_HELPERS.contains(&f.function.as_str()))
                })
                .map(|f| f.function.clone());
            return (Some(f.clone()), waiting);
        }
    }
    (None, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DUMP: &str = r#"Thread 0x00007f1 (most recent call first):
  File "/usr/lib/python3.11/threading.py", line 320 in wait
  File "/usr/lib/python3.11/multiprocessing/queues.py", line 231 in _feed

Current thread 0x00007f2 (most recent call first):
  File "/rt/carrera_rt/hooks.py", line 40 in acquire
  File "/tmp/w/stress-3/submission.py", line 9 in worker
  File "/usr/lib/python3.11/multiprocessing/process.py", line 108 in run
"#;

    #[test]
    fn finds_the_student_line_of_the_current_thread() {
        let (at, waiting) = innermost_student_frame(DUMP);
        let at = at.unwrap();
        assert_eq!((at.line, at.function.as_str()), (9, "worker"));
        assert_eq!(waiting.as_deref(), Some("acquire"));
    }

    #[test]
    fn noise_helpers_are_not_named_as_the_wait() {
        let dump = "Current thread 0x1 (most recent call first):\n  File \"/rt/carrera_rt/noise.py\", line 40 in maybe_noise\n  File \"/rt/carrera_rt/hooks.py\", line 9 in _get\n  File \"/w/submission.py\", line 11 in _worker\n";
        assert_eq!(innermost_student_frame(dump).1.as_deref(), Some("_get"));
    }

    #[test]
    fn a_dump_without_student_frames_gives_nothing() {
        assert!(innermost_student_frame(
            "Thread 0x1 (most recent call first):\n  File \"/a.py\", line 1 in f\n"
        )
        .0
        .is_none());
    }
}
