//! `carrera check`: every shipped solution must get the verdict it declares
//! (`# expect: <verdict>` in its first lines; `reference.py` must pass).

use crate::error::{Error, Result};
use crate::exercise::Exercise;
use crate::grade::{self, Context, Options};
use crate::submission::Submission;
use crate::verdict::Verdict;
use std::path::{Path, PathBuf};

pub struct Expectation {
    pub path: PathBuf,
    pub expected: Verdict,
}

#[derive(Debug)]
pub struct CheckLine {
    pub path: PathBuf,
    pub expected: Verdict,
    pub got: Verdict,
    pub seconds: f64,
    pub trials: usize,
    pub grade: crate::score::Grade,
}

/// The solutions of an exercise and the verdicts they declare.
pub fn expectations(ex: &Exercise) -> Result<Vec<Expectation>> {
    let Some(dir) = &ex.solutions else {
        return Err(Error::Usage(format!(
            "{}: no solutions folder found",
            ex.id()
        )));
    };
    let mut files = py_files(dir)?;
    files.extend(py_files(&dir.join("buggy"))?);
    if !files
        .iter()
        .any(|p| p.file_name().is_some_and(|n| n == "reference.py"))
    {
        return Err(Error::Config {
            file: dir.clone(),
            msg: "missing reference.py".into(),
        });
    }
    files
        .into_iter()
        .map(|path| {
            let expected = declared(&path)?;
            Ok(Expectation { path, expected })
        })
        .collect()
}

fn py_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Ok(Vec::new());
    };
    let mut v: Vec<PathBuf> = rd
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "py"))
        .collect();
    v.sort();
    Ok(v)
}

/// `# expect: race` in the first five lines; `reference.py` defaults to `pass`.
pub fn declared(path: &Path) -> Result<Verdict> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let found = text.lines().take(5).find_map(|l| {
        l.trim()
            .strip_prefix("# expect:")
            .map(|v| v.trim().to_string())
    });
    match found {
        Some(v) => Verdict::parse(&v).ok_or_else(|| Error::Config {
            file: path.to_path_buf(),
            msg: format!("unknown verdict `{v}` in `# expect:`"),
        }),
        None if path.file_name().is_some_and(|n| n == "reference.py") => Ok(Verdict::Pass),
        None => Err(Error::Config {
            file: path.to_path_buf(),
            msg: "missing `# expect: <verdict>` in the first five lines".into(),
        }),
    }
}

pub fn run(
    ctx: &Context,
    ex: &Exercise,
    opts: &Options,
    mut on_line: impl FnMut(&CheckLine),
) -> Result<Vec<CheckLine>> {
    let mut lines = Vec::new();
    for e in expectations(ex)? {
        let sub = Submission::open(&e.path)?;
        let g = grade::grade(ctx, ex, &sub, opts)?;
        let line = CheckLine {
            path: e.path,
            expected: e.expected,
            got: g.verdict,
            seconds: g.duration_s,
            trials: g.trials,
            grade: g,
        };
        on_line(&line);
        lines.push(line);
    }
    Ok(lines)
}

/// One program solution of a program exercise, and the grade it got.
#[derive(Debug)]
pub struct ProgramLine {
    pub path: PathBuf,
    pub expected: Verdict,
    pub got: Verdict,
    pub grade: crate::program::ProgramGrade,
}

/// How many program solutions are graded at once: their runs mostly sleep.
const PROGRAMS_AT_ONCE: usize = 3;

/// The solution folders of a program exercise (`reference/`, any other folder, and the folders
/// in `buggy/`), each with the verdict its entry script declares (`reference/` passes).
pub fn program_expectations(ex: &crate::exercise::ProgramExercise) -> Result<Vec<Expectation>> {
    let Some(dir) = &ex.solutions else {
        return Err(Error::Usage(format!(
            "{}: no solutions folder found",
            ex.id()
        )));
    };
    let mut folders = sub_dirs(dir)?;
    folders.retain(|p| !p.ends_with("buggy"));
    folders.extend(sub_dirs(&dir.join("buggy"))?);
    if !folders.iter().any(|p| p.ends_with("reference")) {
        return Err(Error::Config {
            file: dir.clone(),
            msg: "missing the reference/ folder".into(),
        });
    }
    let mut out = Vec::new();
    for path in folders {
        let entry = crate::program::entry::find(&path, &ex.spec.program, None).map_err(|why| {
            Error::Config {
                file: path.clone(),
                msg: why,
            }
        })?;
        let expected = match declared(&path.join(&entry)) {
            Err(_) if path.ends_with("reference") => Verdict::Pass,
            v => v?,
        };
        out.push(Expectation { path, expected });
    }
    Ok(out)
}

fn sub_dirs(dir: &Path) -> Result<Vec<PathBuf>> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Ok(Vec::new());
    };
    let mut v: Vec<PathBuf> = rd
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    v.sort();
    Ok(v)
}

/// Grades every solution of a program exercise, a few at once; lines come in folder order.
pub fn programs(
    ctx: &Context,
    ex: &crate::exercise::ProgramExercise,
    opts: &crate::program::Options,
    mut on_line: impl FnMut(&ProgramLine),
) -> Result<Vec<ProgramLine>> {
    let wanted = program_expectations(ex)?;
    let mut lines = Vec::new();
    for chunk in wanted.chunks(PROGRAMS_AT_ONCE) {
        let graded: Vec<Result<crate::program::ProgramGrade>> = std::thread::scope(|scope| {
            let hs: Vec<_> = chunk
                .iter()
                .map(|e| scope.spawn(|| crate::program::grade(ctx, ex, &e.path, opts)))
                .collect();
            hs.into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err(Error::Internal("a grading panicked".into())))
                })
                .collect()
        });
        for (e, g) in chunk.iter().zip(graded) {
            let g = g?;
            let line = ProgramLine {
                path: e.path.clone(),
                expected: e.expected,
                got: g.verdict,
                grade: g,
            };
            on_line(&line);
            lines.push(line);
        }
    }
    Ok(lines)
}
