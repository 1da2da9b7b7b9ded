//! Observation → Outcome, decided outside the student's process, against expectations the
//! student's process never saw. Missing or malformed observations are failures.

mod host;
pub mod stacks;

pub use host::{JudgeHost, Problem, HOST_SOURCE};
pub use stacks::Stuck;

use crate::observe::{ChildRecord, Exc, Frame, Observation, Record, TraceSummary};
use crate::sandbox::{Exit, Proc};
use crate::trial::Purpose;
use crate::verdict::Verdict;
use serde::Serialize;
use std::borrow::Cow;
use std::sync::Mutex;

/// Every `Outcome::Crash` reason code; each has a `reason.<code>` text in both catalogs.
pub const CRASH_REASONS: [&str; 11] = [
    "no_result",
    "many_results",
    "malformed_result",
    "missing_function",
    "import_error",
    "raised",
    "child_raised",
    "unexpected_result",
    "no_result_value",
    "signal",
    "bad_exit",
];

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Outcome {
    Ok,
    Wrong {
        case: String,
        expected: serde_json::Value,
        got: serde_json::Value,
    },
    Crash {
        /// A code: the text is `reason.<code>` in the catalogs, with `{detail}` filled in.
        reason: &'static str,
        detail: String,
        error: Option<Exc>,
    },
    Hang {
        busy: bool,
        cpu_fraction: f64,
        stuck: Vec<Stuck>,
    },
    Leak {
        /// Alive when the function returned (never joined), or after the program exited.
        unjoined: bool,
        procs: Vec<Proc>,
    },
    LimitHit {
        which: String,
    },
    /// A property the exercise's judge found broken (e.g. `not_parallel`).
    Property {
        verdict: Verdict,
        en: String,
        es: String,
    },
    /// The judge itself failed: a grader error, never the student's fault.
    JudgeError {
        message: String,
    },
}

impl Outcome {
    pub fn is_ok(&self) -> bool {
        matches!(self, Outcome::Ok)
    }

    /// The verdict this one outcome points to; `Wrong` may become `Race` after replays.
    pub fn verdict(&self) -> Verdict {
        match self {
            Outcome::Ok => Verdict::Pass,
            Outcome::Wrong { .. } => Verdict::Wrong,
            Outcome::Crash { .. } | Outcome::JudgeError { .. } => Verdict::Crash,
            Outcome::Hang { busy: true, .. } => Verdict::BusyHang,
            Outcome::Hang { busy: false, .. } => Verdict::Deadlock,
            Outcome::Leak { .. } => Verdict::Leak,
            Outcome::LimitHit { .. } => Verdict::ResourceLimit,
            Outcome::Property { verdict, .. } => *verdict,
        }
    }
}

/// What judge.py's `check(case, expected, observation)` gets (docs/exercise-format.md),
/// serialized straight from the observation.
#[derive(Serialize)]
struct Request<'a> {
    case: CaseRef<'a>,
    expected: &'a Option<serde_json::Value>,
    observation: Seen<'a>,
}

#[derive(Serialize)]
struct CaseRef<'a> {
    id: &'a str,
    args: &'a serde_json::Value,
    kwargs: &'a serde_json::Value,
}

#[derive(Serialize)]
struct Seen<'a> {
    value: &'a serde_json::Value,
    children: Option<&'a [ChildRecord]>,
    /// Without their events when the judge says it reads none (`EVENTS = False`).
    traces: Cow<'a, [TraceSummary]>,
    main_pid: Option<i32>,
    method: &'static str,
}

pub struct Judge {
    /// Expected `result` per case (from the spec, or measured on the reference).
    pub expected: Vec<Option<serde_json::Value>>,
    pub cases: Vec<(String, serde_json::Value, serde_json::Value)>,
    pub host: Option<Mutex<JudgeHost>>,
    /// Bytes of stdout or stderr beyond which a trial hit the output limit.
    pub output_limit: u64,
}

impl Judge {
    pub fn judge(&self, obs: &Observation) -> Outcome {
        let raw = &obs.raw;
        // A limit comes first: it explains the hang or the killed process that follow it.
        if let Some(which) = &raw.limit {
            return Outcome::LimitHit {
                which: which.clone(),
            };
        }
        for (name, c) in [("stdout", &raw.stdout), ("stderr", &raw.stderr)] {
            if c.total_bytes > self.output_limit {
                return Outcome::LimitHit {
                    which: format!("output ({name}: {} bytes)", c.total_bytes),
                };
            }
        }
        if let Some(h) = &raw.hang {
            return Outcome::Hang {
                busy: h.busy,
                cpu_fraction: h.cpu_fraction,
                stuck: stacks::stuck(obs, h),
            };
        }
        if let Exit::Signal(sig) = raw.exit {
            return signal_outcome(sig);
        }
        let record = match &obs.record {
            Ok(r) => r,
            Err(reason) => return crash(reason, String::new(), None),
        };
        let outcome = match (obs.trial.purpose, record) {
            (Purpose::Import, Record::Imported) => Outcome::Ok,
            (_, Record::MissingFunction { function }) => {
                crash("missing_function", function.clone(), None)
            }
            (_, Record::ImportError { error }) => error_outcome("import_error", error),
            (_, Record::Raised { error, .. }) => error_outcome("raised", error),
            (Purpose::Import, _) | (_, Record::Imported) => {
                crash("unexpected_result", String::new(), None)
            }
            (
                _,
                Record::Returned {
                    value, children, ..
                },
            ) => {
                let alive: Vec<Proc> = children
                    .iter()
                    .filter(|c| c.alive)
                    .map(|c| Proc {
                        pid: c.pid,
                        ppid: obs.main_pid().unwrap_or(0),
                        cmdline: c.name.clone(),
                    })
                    .collect();
                if !alive.is_empty() {
                    return Outcome::Leak {
                        unjoined: true,
                        procs: alive,
                    };
                }
                if let Some(err) = obs.traces.iter().find_map(|t| t.error.as_ref()) {
                    return error_outcome("child_raised", err);
                }
                self.returned(obs, value)
            }
        };
        if !outcome.is_ok() {
            return outcome;
        }
        if !raw.leaked.is_empty() {
            return Outcome::Leak {
                unjoined: false,
                procs: raw.leaked.clone(),
            };
        }
        if raw.exit != Exit::Code(0) {
            return crash("bad_exit", format!("{:?}", raw.exit), None);
        }
        Outcome::Ok
    }

    fn returned(&self, obs: &Observation, value: &serde_json::Value) -> Outcome {
        let Some(i) = obs.trial.case else {
            return crash("unexpected_result", String::new(), None);
        };
        let got = value.get("result").cloned();
        let Some(got) = got else {
            return crash("no_result_value", String::new(), None);
        };
        let expected = self.expected.get(i).cloned().flatten();
        if let Some(expected) = &expected {
            if *expected != got {
                return Outcome::Wrong {
                    case: self.cases[i].0.clone(),
                    expected: expected.clone(),
                    got,
                };
            }
        }
        let Some(host) = &self.host else {
            return Outcome::Ok;
        };
        let (id, args, kwargs) = &self.cases[i];
        let mut host = host.lock().unwrap();
        let traces = match host.wants_events() {
            Ok(true) => Cow::Borrowed(&obs.traces[..]),
            Ok(false) => Cow::Owned(obs.traces.iter().map(|t| t.without_events()).collect()),
            Err(e) => {
                return Outcome::JudgeError {
                    message: e.to_string(),
                }
            }
        };
        let children = match &obs.record {
            Ok(Record::Returned { children, .. }) => Some(&children[..]),
            _ => None,
        };
        let request = Request {
            case: CaseRef { id, args, kwargs },
            expected: &expected,
            observation: Seen {
                value,
                children,
                traces,
                main_pid: obs.main_pid(),
                method: obs.trial.perturbation.method.as_str(),
            },
        };
        let problems = host.check(&request);
        match problems {
            Err(e) => Outcome::JudgeError {
                message: e.to_string(),
            },
            Ok(problems) => match problems.into_iter().next() {
                None => Outcome::Ok,
                Some(p) => match Verdict::parse(&p.verdict) {
                    Some(verdict) => Outcome::Property {
                        verdict,
                        en: p.en,
                        es: p.es,
                    },
                    None => Outcome::JudgeError {
                        message: format!("judge returned unknown verdict `{}`", p.verdict),
                    },
                },
            },
        }
    }
}

fn crash(reason: &'static str, detail: String, error: Option<Exc>) -> Outcome {
    Outcome::Crash {
        reason,
        detail,
        error,
    }
}

fn error_outcome(reason: &'static str, error: &Exc) -> Outcome {
    match error.kind.as_str() {
        "MemoryError" => Outcome::LimitHit {
            which: "memory".into(),
        },
        "OSError" if error.message.contains("File too large") => Outcome::LimitHit {
            which: "file size".into(),
        },
        _ => crash(reason, String::new(), Some(error.clone())),
    }
}

fn signal_outcome(sig: i32) -> Outcome {
    match sig {
        libc::SIGXCPU => Outcome::LimitHit {
            which: "CPU time".into(),
        },
        libc::SIGXFSZ => Outcome::LimitHit {
            which: "file size".into(),
        },
        _ => crash("signal", sig.to_string(), None),
    }
}

/// Frames of the student's file only, with the workspace path replaced by `shown`.
pub fn student_frames(frames: &[Frame], shown: &str) -> Vec<Frame> {
    frames
        .iter()
        .filter(|f| is_student_file(&f.file))
        .map(|f| Frame {
            file: shown.to_string(),
            ..f.clone()
        })
        .collect()
}

pub fn is_student_file(path: &str) -> bool {
    path.ends_with(&format!("/{}.py", crate::trial::run_module()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// A judge that reports what it was given: events and lock acquisitions, over all traces.
    const REPORTER: &str = "def check(case, expected, observation):\n    \
        ev = sum(len(t.get('events', [])) for t in observation['traces'])\n    \
        n = sum(t['counts'].get('lock_acquire', 0) for t in observation['traces'])\n    \
        return [{'verdict': 'not_parallel', 'en': 'events=%d acquires=%d' % (ev, n)}]\n";

    fn observation() -> Observation {
        let trace: TraceSummary = serde_json::from_value(serde_json::json!({
            "pid": 11, "ppid": 10, "role": "child", "counts": {"lock_acquire": 3},
            "events": [[1.0, "lock_acquire", "L"], [1.1, "lock_release", "L"]]}))
        .unwrap();
        Observation::for_tests(0, serde_json::json!({"result": 3}), vec![trace])
    }

    fn judged_by(source: &str) -> Outcome {
        let dir = tempfile::tempdir().unwrap();
        let (host, judge) = (dir.path().join("host.py"), dir.path().join("judge.py"));
        std::fs::write(&host, HOST_SOURCE).unwrap();
        std::fs::write(&judge, source).unwrap();
        let judge = Judge {
            expected: vec![Some(serde_json::json!(3))],
            cases: vec![("c".into(), serde_json::json!([]), serde_json::json!({}))],
            host: Some(Mutex::new(
                JudgeHost::start(Path::new("python3"), &host, &judge).unwrap(),
            )),
            output_limit: 1 << 20,
        };
        judge.judge(&observation())
    }

    fn said(outcome: Outcome) -> String {
        match outcome {
            Outcome::Property { en, .. } => en,
            other => panic!("not the judge's problem: {other:?}"),
        }
    }

    #[test]
    fn a_judge_gets_the_trace_events_unless_it_says_it_reads_none() {
        assert_eq!(said(judged_by(REPORTER)), "events=2 acquires=3");
        let without = format!("EVENTS = False\n{REPORTER}");
        assert_eq!(said(judged_by(&without)), "events=0 acquires=3");
    }

    #[test]
    fn a_judge_that_fails_to_load_is_a_judge_error() {
        match judged_by("import no_such_module_here\n") {
            Outcome::JudgeError { message } => assert!(message.contains("no_such_module_here")),
            other => panic!("expected a judge error, got {other:?}"),
        }
    }
}
