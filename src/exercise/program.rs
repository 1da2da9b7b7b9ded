//! Program-mode exercises (`mode = "program"`): the student's whole program is run, under a
//! fast virtual clock, and a trusted checker reads what it wrote. See docs/exercise-format.md.

use super::{line_of, LimitsSpec, Localized, PositiveF64, StartMethod};
use crate::error::{Error, IoContext, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProgramSpec {
    pub id: String,
    pub mode: String,
    pub title: Localized,
    pub program: ProgramSection,
    #[serde(default)]
    pub limits: LimitsSpec,
    /// Points of each check, by the name the run or the checker gives it.
    pub checks: BTreeMap<String, CheckPoints>,
    /// What a verdict means for this program, replacing the built-in words (written for
    /// function exercises), keyed by verdict.
    #[serde(default)]
    pub explain: BTreeMap<String, Explanation>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Explanation {
    pub concept: Localized,
    pub hint: Localized,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProgramSection {
    /// Entry scripts tried in order at the top of the submission.
    pub entry: Vec<String>,
    /// Else the first `python3 X.py` in the submission's README.
    #[serde(default)]
    pub entry_from_readme: bool,
    /// Scripts of the submission that are never its entry (the verifier).
    #[serde(default)]
    pub not_entry: Vec<String>,
    /// Files the program writes: deleted from the copy before it runs.
    pub outputs: Vec<String>,
    pub methods: Vec<StartMethod>,
    /// K of the virtual clock: 20 runs 60 s of the program in 3.
    pub dilation: PositiveF64,
    /// K of the run that confirms a failure seen under `dilation` (1: real time).
    pub confirm_dilation: PositiveF64,
    /// Real seconds a run under `dilation` may take.
    pub timeout_s: PositiveF64,
    /// Real seconds a confirmation run may take.
    pub confirm_timeout_s: PositiveF64,
    /// CPU cores (CPU time over wall time) above which a run that ended busy-waited.
    pub busy_cores: PositiveF64,
    /// The output copied while the program runs, every `snapshot_every_s` virtual seconds.
    pub snapshot: String,
    pub snapshot_every_s: PositiveF64,
    /// The trusted checker, in the exercise's folder.
    pub checker: String,
    /// The student's script that checks the output: run on it, and on a tampered copy.
    pub verifier: Option<String>,
    /// The output the verifier writes (looked for in the copy after it ran).
    pub verifier_output: Option<String>,
    /// Processes the runtime must see (check `processes`).
    pub min_processes: Option<usize>,
    /// Check `channels`: a Pipe or a FIFO was used, and a Queue (seen by tracing).
    #[serde(default)]
    pub require_pipe_and_queue: bool,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CheckPoints {
    pub task: u8,
    pub points: u32,
}

/// The checks a run itself decides (the checker names the others).
pub const RUN_CHECKS: [&str; 5] = [
    "run_ends",
    "no_busy_wait",
    "portable",
    "processes",
    "channels",
];

#[derive(Debug, Clone)]
pub struct ProgramExercise {
    pub dir: PathBuf,
    pub spec: ProgramSpec,
    pub solutions: Option<PathBuf>,
}

impl ProgramExercise {
    pub fn load(dir: &Path, solutions: Option<PathBuf>) -> Result<ProgramExercise> {
        let file = dir.join("exercise.toml");
        let text = std::fs::read_to_string(&file).ctx(|| format!("reading {}", file.display()))?;
        let spec: ProgramSpec = toml::from_str(&text).map_err(|e| Error::Config {
            file: file.clone(),
            msg: super::describe(&e, &text),
        })?;
        let err = |key: &str, msg: String| Error::Config {
            file: file.clone(),
            msg: format!("line {}, key `{key}`: {msg}", line_of(&text, key)),
        };
        let folder = dir.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if spec.id != folder {
            return Err(err(
                "id",
                format!("`{}` does not match `{folder}`", spec.id),
            ));
        }
        if spec.mode != "program" {
            return Err(err(
                "mode",
                format!("`{}`: only \"program\" is known", spec.mode),
            ));
        }
        let p = &spec.program;
        if p.entry.is_empty() && !p.entry_from_readme {
            return Err(err(
                "entry",
                "name an entry script or set entry_from_readme".into(),
            ));
        }
        if p.methods.is_empty() {
            return Err(err("methods", "list at least one start method".into()));
        }
        for (key, k) in [
            ("dilation", p.dilation.0),
            ("confirm_dilation", p.confirm_dilation.0),
        ] {
            if !(1.0..=1000.0).contains(&k) {
                return Err(err(key, format!("{k}: must be from 1 to 1000")));
            }
        }
        if p.confirm_dilation.0 > p.dilation.0 {
            return Err(err(
                "confirm_dilation",
                "must not be above `dilation`".into(),
            ));
        }
        if !dir.join(&p.checker).is_file() {
            return Err(err(
                "checker",
                format!("`{}` is not a file here", p.checker),
            ));
        }
        for (name, c) in &spec.checks {
            if !(1..=3).contains(&c.task) {
                return Err(err(name, format!("`checks.{name}.task` must be 1, 2 or 3")));
            }
        }
        for key in spec.explain.keys() {
            if crate::verdict::Verdict::parse(key).is_none() {
                return Err(err(key, format!("`explain.{key}`: not a verdict")));
            }
        }
        for lang in [crate::i18n::Lang::En, crate::i18n::Lang::Es] {
            let readme = dir.join(lang.readme());
            if !readme.is_file() {
                return Err(Error::Config {
                    file: readme,
                    msg: "the statement is missing".into(),
                });
            }
        }
        crate::question::validate(dir)?;
        Ok(ProgramExercise {
            dir: dir.to_path_buf(),
            spec,
            solutions: solutions.filter(|p| p.is_dir()),
        })
    }

    pub fn id(&self) -> &str {
        &self.spec.id
    }

    pub fn checker(&self) -> PathBuf {
        self.dir.join(&self.spec.program.checker)
    }

    /// The most points the checks can give.
    pub fn max_points(&self) -> u32 {
        self.spec.checks.values().map(|c| c.points).sum()
    }
}

/// Whether the `exercise.toml` in `dir` declares program mode (read loosely: the full parse,
/// with its messages, comes after).
pub fn is_program(dir: &Path) -> bool {
    std::fs::read_to_string(dir.join("exercise.toml"))
        .ok()
        .and_then(|t| toml::from_str::<toml::Table>(&t).ok())
        .and_then(|t| t.get("mode").and_then(|m| m.as_str().map(str::to_owned)))
        .is_some_and(|m| m == "program")
}
