//! Exercises: the spec, the statement, the harness, and where to find them.

mod catalog;
mod program;
mod spec;

pub use catalog::Catalog;
pub use program::{
    is_program, CheckPoints, ProgramExercise, ProgramSection, ProgramSpec, RUN_CHECKS,
};
pub use spec::*;

use crate::error::{Error, IoContext, Result};
use crate::i18n::Lang;
use std::path::{Path, PathBuf};

/// One exercise folder, parsed and validated.
#[derive(Debug, Clone)]
pub struct Exercise {
    pub dir: PathBuf,
    pub spec: Spec,
    /// `solutions/<id>/` when available (a checkout or the embedded copy).
    pub solutions: Option<PathBuf>,
}

impl Exercise {
    pub fn load(dir: &Path, solutions: Option<PathBuf>) -> Result<Exercise> {
        let file = dir.join("exercise.toml");
        let text = std::fs::read_to_string(&file).ctx(|| format!("reading {}", file.display()))?;
        let spec: Spec = toml::from_str(&text).map_err(|e| Error::Config {
            file: file.clone(),
            msg: describe(&e, &text),
        })?;
        let ex = Exercise {
            dir: dir.to_path_buf(),
            spec,
            solutions: solutions.filter(|p| p.is_dir()),
        };
        ex.validate(&file, &text)?;
        crate::question::validate(dir)?;
        Ok(ex)
    }

    /// Checks that need the whole spec or the folder; they name the key and its line.
    fn validate(&self, file: &Path, text: &str) -> Result<()> {
        let err = |key: &str, msg: String| Error::Config {
            file: file.to_path_buf(),
            msg: format!("line {}, key `{key}`: {msg}", line_of(text, key)),
        };
        let folder = self.dir.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if self.spec.id != folder {
            return Err(err(
                "id",
                format!(
                    "`{}` does not match the folder name `{folder}`",
                    self.spec.id
                ),
            ));
        }
        if self.spec.cases.is_empty() {
            return Err(err(
                "cases",
                "at least one [[cases]] entry is required".into(),
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for c in &self.spec.cases {
            if !seen.insert(c.id.0.clone()) {
                return Err(err("id", format!("case id `{}` is repeated", c.id.0)));
            }
        }
        for key in self.spec.hints.keys() {
            if crate::verdict::Verdict::parse(key).is_none() {
                return Err(err(key, format!("`hints.{key}`: not a verdict")));
            }
        }
        if self.spec.stress.methods.is_empty() {
            return Err(err("methods", "list at least one start method".into()));
        }
        for (key, name) in [
            ("run", &self.spec.harness.run),
            ("judge", &self.spec.harness.judge),
        ] {
            if let Some(name) = name {
                if !self.dir.join(name).is_file() {
                    return Err(err(
                        key,
                        format!("`{name}` is not a file in {}", self.dir.display()),
                    ));
                }
            }
        }
        self.validate_speedup(&err)?;
        for lang in [Lang::En, Lang::Es] {
            let p = self.dir.join(lang.readme());
            if !p.is_file() {
                return Err(Error::Config {
                    file: p,
                    msg: "the statement is missing".into(),
                });
            }
        }
        Ok(())
    }

    fn validate_speedup(&self, err: &dyn Fn(&str, String) -> Error) -> Result<()> {
        let Some(sp) = &self.spec.speedup else {
            if self.spec.weights.speedup > 0 {
                return Err(err(
                    "speedup",
                    "`weights.speedup` is above 0 but there is no [speedup] section".into(),
                ));
            }
            return Ok(());
        };
        match sp.args.get(sp.workers_arg) {
            Some(toml::Value::Integer(_)) => {}
            _ => {
                return Err(err(
                    "workers_arg",
                    format!(
                        "`speedup.args[{}]` must be the worker count (an integer)",
                        sp.workers_arg
                    ),
                ))
            }
        }
        if sp.full_at.0 > 1.0 {
            return Err(err("full_at", "must be at most 1".into()));
        }
        if sp.max_repetitions.0 < sp.repetitions.0 {
            return Err(err(
                "max_repetitions",
                "must be at least `repetitions`".into(),
            ));
        }
        Ok(())
    }

    pub fn id(&self) -> &str {
        &self.spec.id
    }

    pub fn statement(&self, lang: Lang) -> Result<String> {
        let p = self.dir.join(lang.readme());
        std::fs::read_to_string(&p).ctx(|| format!("reading {}", p.display()))
    }

    pub fn harness_path(&self) -> Option<PathBuf> {
        self.spec.harness.run.as_ref().map(|f| self.dir.join(f))
    }

    pub fn judge_path(&self) -> Option<PathBuf> {
        self.spec.harness.judge.as_ref().map(|f| self.dir.join(f))
    }

    pub fn reference(&self) -> Option<PathBuf> {
        let p = self.solutions.as_ref()?.join("reference.py");
        p.is_file().then_some(p)
    }
}

/// `line N, key `k`: message` on one line (toml's own rendering spans several).
fn describe(e: &toml::de::Error, text: &str) -> String {
    let msg = e.message().trim().replace('\n', " ");
    let Some(span) = e.span() else {
        return msg;
    };
    let line_no = text[..span.start.min(text.len())].matches('\n').count() + 1;
    let line = text.lines().nth(line_no - 1).unwrap_or("");
    match line.split_once('=') {
        Some((key, _)) if !line.trim_start().starts_with('[') => {
            format!("line {line_no}, key `{}`: {msg}", key.trim())
        }
        _ => format!("line {line_no}: {msg}"),
    }
}

/// 1-based line of the first `key =` in the text, or of the first mention of the key.
fn line_of(text: &str, key: &str) -> usize {
    let starts = |l: &str| {
        let l = l.trim_start();
        l.starts_with(key) && l[key.len()..].trim_start().starts_with('=')
    };
    text.lines()
        .position(starts)
        .or_else(|| text.lines().position(|l| l.contains(key)))
        .map_or(1, |i| i + 1)
}
