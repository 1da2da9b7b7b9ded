//! Verdicts: one check's conclusion over many outcomes, and their order of severity.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    // Declared from best to worst: `Ord` is severity.
    Pass,
    NoSpeedup,
    NotParallel,
    /// Ended with the right output, but spun on the CPU while waiting (program mode).
    BusyWait,
    Leak,
    NotPortable,
    Race,
    Wrong,
    ResourceLimit,
    BusyHang,
    Deadlock,
    Crash,
    CompileError,
}

pub const ALL: [Verdict; 13] = [
    Verdict::Pass,
    Verdict::CompileError,
    Verdict::Crash,
    Verdict::Wrong,
    Verdict::Race,
    Verdict::Deadlock,
    Verdict::BusyHang,
    Verdict::BusyWait,
    Verdict::Leak,
    Verdict::NotPortable,
    Verdict::NotParallel,
    Verdict::ResourceLimit,
    Verdict::NoSpeedup,
];

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::CompileError => "compile_error",
            Verdict::Crash => "crash",
            Verdict::Wrong => "wrong",
            Verdict::Race => "race",
            Verdict::Deadlock => "deadlock",
            Verdict::BusyHang => "busy_hang",
            Verdict::BusyWait => "busy_wait",
            Verdict::Leak => "leak",
            Verdict::NotPortable => "not_portable",
            Verdict::NotParallel => "not_parallel",
            Verdict::ResourceLimit => "resource_limit",
            Verdict::NoSpeedup => "no_speedup",
        }
    }

    pub fn parse(s: &str) -> Option<Verdict> {
        ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// Whether this verdict takes away `check`'s score. A result the required processes did
    /// not compute earns no correctness points either: it proves nothing about concurrency.
    pub fn fails(self, check: Check) -> bool {
        self != Verdict::Pass
            && (self.check() == check
                || (self == Verdict::NotParallel && check == Check::Correctness))
    }

    /// The check this verdict belongs to.
    pub fn check(self) -> Check {
        match self {
            Verdict::Pass
            | Verdict::CompileError
            | Verdict::Crash
            | Verdict::Wrong
            | Verdict::Race
            | Verdict::ResourceLimit => Check::Correctness,
            Verdict::Deadlock | Verdict::BusyHang | Verdict::BusyWait => Check::DeadlockFree,
            Verdict::NotParallel => Check::Processes,
            Verdict::Leak => Check::NoLeak,
            Verdict::NotPortable => Check::Portability,
            Verdict::NoSpeedup => Check::Speedup,
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a grade is made of; each has a weight in `exercise.toml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Check {
    Correctness,
    DeadlockFree,
    Processes,
    NoLeak,
    Portability,
    /// Only for exercises with a `[speedup]` section.
    Speedup,
}

impl Check {
    pub const ALL: [Check; 6] = [
        Check::Correctness,
        Check::DeadlockFree,
        Check::Processes,
        Check::NoLeak,
        Check::Portability,
        Check::Speedup,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Check::Correctness => "correctness",
            Check::DeadlockFree => "deadlock_free",
            Check::Processes => "processes",
            Check::NoLeak => "no_leak",
            Check::Portability => "portability",
            Check::Speedup => "speedup",
        }
    }

    pub fn weight(self, w: &crate::exercise::Weights) -> u32 {
        match self {
            Check::Correctness => w.correctness,
            Check::DeadlockFree => w.deadlock_free,
            Check::Processes => w.processes,
            Check::NoLeak => w.no_leak,
            Check::Portability => w.portability,
            Check::Speedup => w.speedup,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_serde_agrees() {
        for v in ALL {
            assert_eq!(Verdict::parse(v.as_str()), Some(v));
            assert_eq!(
                serde_json::to_string(&v).unwrap(),
                format!("\"{}\"", v.as_str())
            );
        }
    }

    #[test]
    fn severity_puts_compile_error_worst_and_pass_best() {
        assert_eq!(ALL.iter().max(), Some(&Verdict::CompileError));
        assert_eq!(ALL.iter().min(), Some(&Verdict::Pass));
        assert!(Verdict::Deadlock > Verdict::Race);
    }
}
