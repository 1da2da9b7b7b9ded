//! Where exercises come from: `--exercises <dir>`, `exercises/` next to the binary, or the
//! copy embedded at build time (so an installed binary works from any directory).

use super::{Exercise, ProgramExercise};
use crate::error::{Error, IoContext, Result};
use include_dir::{include_dir, Dir};
use std::path::{Path, PathBuf};

static EMBEDDED_EXERCISES: Dir = include_dir!("$CARGO_MANIFEST_DIR/exercises");
static EMBEDDED_SOLUTIONS: Dir = include_dir!("$CARGO_MANIFEST_DIR/solutions");

pub struct Catalog {
    exercises: PathBuf,
    solutions: PathBuf,
    /// Keeps the extracted embedded copy alive while the catalog is used.
    _extracted: Option<tempfile::TempDir>,
}

impl Catalog {
    pub fn open(explicit: Option<&Path>) -> Result<Catalog> {
        if let Some(dir) = explicit {
            if !dir.is_dir() {
                return Err(Error::Usage(format!(
                    "--exercises {}: not a directory",
                    dir.display()
                )));
            }
            return Ok(Self::on_disk(dir));
        }
        if let Some(dir) = beside_binary() {
            return Ok(Self::on_disk(&dir));
        }
        let tmp = tempfile::Builder::new()
            .prefix("carrera-exercises-")
            .tempdir()
            .ctx(|| "creating a temporary directory")?;
        let ex = tmp.path().join("exercises");
        let so = tmp.path().join("solutions");
        for (dir, embedded) in [(&ex, &EMBEDDED_EXERCISES), (&so, &EMBEDDED_SOLUTIONS)] {
            std::fs::create_dir_all(dir).ctx(|| format!("creating {}", dir.display()))?;
            embedded
                .extract(dir)
                .ctx(|| "extracting the built-in exercises")?;
        }
        Ok(Catalog {
            exercises: ex,
            solutions: so,
            _extracted: Some(tmp),
        })
    }

    fn on_disk(dir: &Path) -> Catalog {
        // Trials run in their own directories: every path handed to them must be absolute.
        let dir = &dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
        let solutions = dir
            .parent()
            .map(|p| p.join("solutions"))
            .unwrap_or_else(|| PathBuf::from("solutions"));
        Catalog {
            exercises: dir.to_path_buf(),
            solutions,
            _extracted: None,
        }
    }

    pub fn ids(&self) -> Result<Vec<String>> {
        let mut ids = Vec::new();
        let rd = std::fs::read_dir(&self.exercises)
            .ctx(|| format!("listing {}", self.exercises.display()))?;
        for entry in rd {
            let entry = entry.ctx(|| format!("listing {}", self.exercises.display()))?;
            if entry.path().join("exercise.toml").is_file() {
                ids.push(entry.file_name().to_string_lossy().into_owned());
            }
        }
        ids.sort();
        Ok(ids)
    }

    /// Finds an exercise by id (`04-lock`), by number (`04`, `4`), or by a folder path.
    pub fn get(&self, name: &str) -> Result<Exercise> {
        let (dir, sol) = self.resolve(name)?;
        if super::program::is_program(&dir) {
            return Err(Error::Usage(format!(
                "`{name}` is a program exercise (a whole program, graded with `carrera grade` \
                 or `carrera check`); this command handles function exercises only"
            )));
        }
        Exercise::load(&dir, sol)
    }

    /// A program-mode exercise, or `None` when `name` is a function exercise.
    pub fn get_program(&self, name: &str) -> Result<Option<ProgramExercise>> {
        let (dir, sol) = self.resolve(name)?;
        if !super::program::is_program(&dir) {
            return Ok(None);
        }
        ProgramExercise::load(&dir, sol).map(Some)
    }

    /// The exercise's folder and its solutions' folder.
    fn resolve(&self, name: &str) -> Result<(PathBuf, Option<PathBuf>)> {
        let as_path = &Path::new(name)
            .canonicalize()
            .unwrap_or_else(|_| PathBuf::from(name));
        if as_path.join("exercise.toml").is_file() {
            let sol = as_path
                .canonicalize()
                .ok()
                .and_then(|p| Some(p.parent()?.parent()?.join("solutions").join(p.file_name()?)));
            return Ok((as_path.clone(), sol));
        }
        let ids = self.ids()?;
        let wanted = name.trim_start_matches('0');
        let found = ids.iter().find(|id| {
            *id == name || id.split('-').next().map(|n| n.trim_start_matches('0')) == Some(wanted)
        });
        match found {
            Some(id) => Ok((self.exercises.join(id), Some(self.solutions.join(id)))),
            None => Err(Error::Usage(format!(
                "unknown exercise `{name}`; known exercises: {}",
                ids.join(", ")
            ))),
        }
    }

    /// Every function exercise (program exercises: `programs`).
    pub fn all(&self) -> Result<Vec<Exercise>> {
        let ids = self.ids()?;
        let function = ids
            .iter()
            .filter(|id| !super::program::is_program(&self.exercises.join(id)));
        function.map(|id| self.get(id)).collect()
    }

    /// Every program exercise.
    pub fn programs(&self) -> Result<Vec<ProgramExercise>> {
        let mut out = Vec::new();
        for id in self.ids()? {
            out.extend(self.get_program(&id)?);
        }
        Ok(out)
    }
}

/// `exercises/` next to the binary, or at the root of the checkout that built it
/// (`<root>/target/<profile>/carrera`).
fn beside_binary() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?.canonicalize().ok()?;
    let dir = exe.parent()?;
    let mut candidates = vec![dir.join("exercises")];
    let target = dir.parent()?;
    if target.file_name().is_some_and(|n| n == "target") {
        candidates.push(target.parent()?.join("exercises"));
    }
    candidates.into_iter().find(|d| d.is_dir())
}
