//! `carrera init`: a folder where a student starts an exercise, with the starter file under
//! the name the grader looks for and the statement in both languages.

use crate::error::{Error, IoContext, Result};
use crate::exercise::Exercise;
use std::path::{Path, PathBuf};

/// Copies into `dir` (created if needed) and returns the files written. Refuses, before
/// writing anything, when one of them already exists: it may be the student's work.
pub fn init(ex: &Exercise, dir: &Path) -> Result<Vec<PathBuf>> {
    let starter = ex.dir.join("starter.py");
    if !starter.is_file() {
        return Err(Error::Usage(format!(
            "exercise {} has no starter file ({})",
            ex.id(),
            starter.display()
        )));
    }
    let mut copies = vec![(starter, dir.join(&ex.spec.submission.file))];
    for name in ["README.md", "README.es.md"] {
        let from = ex.dir.join(name);
        if from.is_file() {
            copies.push((from, dir.join(name)));
        }
    }
    let existing: Vec<String> = copies
        .iter()
        .filter(|(_, to)| to.exists())
        .map(|(_, to)| to.display().to_string())
        .collect();
    if !existing.is_empty() {
        return Err(Error::Usage(format!(
            "not overwriting {} (move it away, or init into another folder)",
            existing.join(", ")
        )));
    }
    std::fs::create_dir_all(dir).ctx(|| format!("creating {}", dir.display()))?;
    let mut written = Vec::new();
    for (from, to) in copies {
        std::fs::copy(&from, &to).ctx(|| format!("writing {}", to.display()))?;
        written.push(to);
    }
    Ok(written)
}
