//! The `exercise.toml` schema. Validation happens during deserialisation where it can, so
//! that toml reports the line and the key of the bad value.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    pub id: String,
    pub title: Localized,
    pub submission: SubmissionSpec,
    #[serde(default)]
    pub harness: HarnessSpec,
    pub cases: Vec<Case>,
    #[serde(default)]
    pub stress: StressSpec,
    #[serde(default)]
    pub timeout: TimeoutSpec,
    #[serde(default)]
    pub limits: LimitsSpec,
    pub weights: Weights,
    /// Present when the exercise scores speedup.
    pub speedup: Option<SpeedupSpec>,
    /// Exercise-specific hints that replace the generic hint of a verdict, keyed by verdict.
    #[serde(default)]
    pub hints: BTreeMap<String, Localized>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Localized {
    pub en: String,
    pub es: String,
}

impl Localized {
    pub fn get(&self, lang: crate::i18n::Lang) -> &str {
        match lang {
            crate::i18n::Lang::En => &self.en,
            crate::i18n::Lang::Es => &self.es,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SubmissionSpec {
    /// The file name students are told to use (the starter's name).
    pub file: String,
    /// The function the harness calls.
    pub function: Identifier,
    /// Shown to students, e.g. `count_with_lock(n_procs: int, n_increments: int) -> int`.
    pub signature: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct HarnessSpec {
    /// Runs inside the student's process tree; reports observations only.
    pub run: Option<String>,
    /// Trusted checks over observations; runs in a separate process.
    pub judge: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    pub id: Identifier,
    #[serde(default)]
    pub args: Vec<toml::Value>,
    #[serde(default)]
    pub kwargs: BTreeMap<String, toml::Value>,
    /// The expected `result`. Without it, the reference solution's result is used.
    pub expect: Option<toml::Value>,
    /// The result has no single right value (e.g. PIDs): only the exercise's judge decides.
    #[serde(default)]
    pub judge_only: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct StressSpec {
    /// Trials in a default grading (stops earlier when the budget is spent).
    pub runs: Positive,
    /// Wall-clock budget of the stress phase, seconds.
    pub budget_s: PositiveF64,
    /// Start methods drawn from.
    pub methods: Vec<StartMethod>,
    /// How many times a failing trial is replayed to measure its reproduction rate.
    pub replays: Positive,
}

impl Default for StressSpec {
    fn default() -> Self {
        StressSpec {
            runs: Positive(40),
            budget_s: PositiveF64(6.0),
            methods: vec![
                StartMethod::Fork,
                StartMethod::Spawn,
                StartMethod::Forkserver,
            ],
            replays: Positive(4),
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct TimeoutSpec {
    /// Per-trial timeout = max(floor_s, factor x the reference's slowest calibrated time).
    pub factor: PositiveF64,
    pub floor_s: PositiveF64,
}

impl Default for TimeoutSpec {
    fn default() -> Self {
        TimeoutSpec {
            factor: PositiveF64(10.0),
            floor_s: PositiveF64(3.0),
        }
    }
}

/// What one trial's program may use. Memory and processes count the whole tree, and hold
/// only on the sandbox tiers with cgroups; the others are per process (rlimits).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct LimitsSpec {
    pub memory_mb: PositiveU64,
    pub processes: PositiveU64,
    /// Bytes written to stdout or stderr beyond which the trial hit the output limit (the
    /// head and tail kept for the report are smaller).
    pub output_kb: PositiveU64,
    pub file_size_mb: PositiveU64,
    /// What the trial's workspace may hold when it ends (checked then: a bound on what one
    /// trial can leave, with `file_size_mb` bounding each file meanwhile).
    pub disk_mb: PositiveU64,
    pub open_files: PositiveU64,
}

impl Default for LimitsSpec {
    fn default() -> Self {
        LimitsSpec {
            memory_mb: PositiveU64(2048),
            processes: PositiveU64(256),
            output_kb: PositiveU64(1024),
            file_size_mb: PositiveU64(64),
            disk_mb: PositiveU64(256),
            open_files: PositiveU64(256),
        }
    }
}

/// A whole number above zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PositiveU64(pub u64);

impl<'de> Deserialize<'de> for PositiveU64 {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match u64::deserialize(d)? {
            0 => Err(serde::de::Error::custom("must be above 0")),
            n => Ok(PositiveU64(n)),
        }
    }
}

/// Points per check. A check with weight 0 is still run and reported.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Weights {
    pub correctness: u32,
    pub deadlock_free: u32,
    pub processes: u32,
    pub no_leak: u32,
    pub portability: u32,
    /// Needs a `[speedup]` section when above 0.
    #[serde(default)]
    pub speedup: u32,
}

/// How speedup is measured: one call of the student's function and of the reference, each
/// with 1 worker and with as many workers as CPUs are available.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SpeedupSpec {
    /// The harness arguments of the timed call (the harness may turn them into the function's
    /// arguments with `speedup_args`, before the clock starts).
    pub args: Vec<toml::Value>,
    #[serde(default)]
    pub kwargs: BTreeMap<String, toml::Value>,
    /// Index in `args` of the worker count, replaced by 1 and by the CPUs available.
    pub workers_arg: usize,
    /// Full marks at or above this fraction of the reference's speedup.
    #[serde(default = "default_full_at")]
    pub full_at: PositiveF64,
    /// Repetitions of the four timed calls before the estimate is first looked at. The
    /// estimate is the median of paired ratios, so each repetition is a complete pair.
    #[serde(default = "default_repetitions")]
    pub repetitions: Positive,
    /// While the estimate is uncertain, repetitions continue up to this many.
    #[serde(default = "default_max_repetitions")]
    pub max_repetitions: Positive,
    /// The start method the timed calls run under.
    #[serde(default = "default_speedup_method")]
    pub method: StartMethod,
    /// Per-call limit, seconds.
    #[serde(default = "default_speedup_timeout")]
    pub timeout_s: PositiveF64,
}

fn default_full_at() -> PositiveF64 {
    PositiveF64(0.8)
}
fn default_repetitions() -> Positive {
    Positive(3)
}
fn default_max_repetitions() -> Positive {
    Positive(4)
}
fn default_speedup_method() -> StartMethod {
    StartMethod::Fork
}
fn default_speedup_timeout() -> PositiveF64 {
    PositiveF64(30.0)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StartMethod {
    Fork,
    Spawn,
    Forkserver,
}

impl StartMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            StartMethod::Fork => "fork",
            StartMethod::Spawn => "spawn",
            StartMethod::Forkserver => "forkserver",
        }
    }
    /// For trials that only need some start method: fork where offered (cheapest), else the
    /// first of `offered`.
    pub fn preferred(offered: &[StartMethod]) -> StartMethod {
        if offered.contains(&StartMethod::Fork) {
            StartMethod::Fork
        } else {
            offered[0]
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "fork" => Some(StartMethod::Fork),
            "spawn" => Some(StartMethod::Spawn),
            "forkserver" => Some(StartMethod::Forkserver),
            _ => None,
        }
    }
}

/// A Python identifier (function name, case id).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(try_from = "String", into = "String")]
pub struct Identifier(pub String);

impl TryFrom<String> for Identifier {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        let mut chars = s.chars();
        let ok = matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if ok {
            Ok(Identifier(s))
        } else {
            Err(format!("`{s}` is not a valid identifier"))
        }
    }
}

impl From<Identifier> for String {
    fn from(i: Identifier) -> String {
        i.0
    }
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize)]
#[serde(try_from = "u64", into = "u64")]
pub struct Positive(pub u64);

impl TryFrom<u64> for Positive {
    type Error = String;
    fn try_from(n: u64) -> Result<Self, String> {
        if n == 0 {
            Err("must be at least 1".into())
        } else {
            Ok(Positive(n))
        }
    }
}

impl From<Positive> for u64 {
    fn from(p: Positive) -> u64 {
        p.0
    }
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize)]
#[serde(try_from = "f64", into = "f64")]
pub struct PositiveF64(pub f64);

impl TryFrom<f64> for PositiveF64 {
    type Error = String;
    fn try_from(x: f64) -> Result<Self, String> {
        if x.is_finite() && x > 0.0 {
            Ok(PositiveF64(x))
        } else {
            Err(format!("must be a positive number, got {x}"))
        }
    }
}

impl From<PositiveF64> for f64 {
    fn from(p: PositiveF64) -> f64 {
        p.0
    }
}
