//! What a batch keeps in OUTDIR, and how it writes it. Every file is written to
//! `.carrera/tmp/` and renamed into place, so a kill at any moment leaves each file whole or
//! absent. A submission is done once its record `.carrera/results/<dir>.json` exists; the
//! record is written last, after the student's feedback files.

use super::shard::Shard;
use crate::error::{Error, IoContext, Result};
use crate::report::class::Row;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// How the batch was run; `--resume` and `merge` refuse to mix different settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Config {
    pub exercise: String,
    pub seed: u64,
    pub runs: Option<u64>,
    pub budget_s: Option<f64>,
    pub lang: String,
    pub shard: Shard,
    /// Submissions in the whole class folder (all shards).
    pub class_size: usize,
    pub carrera_version: String,
}

impl Config {
    /// One line for the class report: settings only, no clock reading.
    pub fn settings(&self) -> String {
        let bound = match (self.runs, self.budget_s) {
            (Some(r), _) => format!("--runs {r}"),
            (None, Some(b)) => format!("--budget {b}"),
            (None, None) => "the exercise's stress bounds".into(),
        };
        format!(
            "seed {} · {bound} · lang {} · carrera {}",
            self.seed, self.lang, self.carrera_version
        )
    }

    /// Settings that must agree for results to be combined (the shard may differ).
    pub fn same_grading(&self, o: &Config) -> bool {
        self.exercise == o.exercise
            && self.seed == o.seed
            && self.runs == o.runs
            && self.budget_s == o.budget_s
            && self.lang == o.lang
            && self.class_size == o.class_size
    }
}

pub struct Store {
    pub out: PathBuf,
}

impl Store {
    fn meta(&self) -> PathBuf {
        self.out.join(".carrera")
    }

    fn records(&self) -> PathBuf {
        self.meta().join("results")
    }

    fn tmp(&self) -> PathBuf {
        self.meta().join("tmp")
    }

    /// Opens OUTDIR for a batch. A folder that already holds a batch needs `resume` and the
    /// same settings; any other non-empty folder is refused rather than mixed into.
    pub fn create(out: &Path, config: &Config, resume: bool) -> Result<Store> {
        let store = Store {
            out: out.to_path_buf(),
        };
        let cfg_path = store.meta().join("batch.json");
        if cfg_path.exists() {
            let old = read_config(&cfg_path)?;
            if !resume {
                return Err(Error::Usage(format!(
                    "{} already holds a batch: pass --resume to continue it, or choose another --out",
                    out.display()
                )));
            }
            // A whole-class batch may resume over a class that gained or lost submissions
            // (a late one); a shard may not: the deal of submissions to shards would change.
            let resized = Config {
                class_size: config.class_size,
                ..old.clone()
            };
            if resized != *config {
                return Err(Error::Usage(format!(
                    "{} holds a batch run with other settings ({}, shard {}); resume it with the same ones",
                    out.display(),
                    old.settings(),
                    old.shard
                )));
            }
            if old.class_size != config.class_size && config.shard != Shard::WHOLE {
                return Err(Error::Usage(format!(
                    "the class folder changed ({} submissions, now {}): shard {} would not be the same subset; start the shards again",
                    old.class_size, config.class_size, config.shard
                )));
            }
        } else if out.read_dir().is_ok_and(|mut d| d.next().is_some()) {
            return Err(Error::Usage(format!(
                "{} is not empty and holds no batch: choose an empty or new --out",
                out.display()
            )));
        }
        std::fs::create_dir_all(store.records())
            .ctx(|| format!("creating {}", store.records().display()))?;
        // Leftovers of a killed run: temporary files never renamed into place.
        let _ = std::fs::remove_dir_all(store.tmp());
        std::fs::create_dir_all(store.tmp()).ctx(|| format!("creating {}", out.display()))?;
        let text = serde_json::to_string_pretty(config).expect("a Config serialises") + "\n";
        store.write(Path::new(".carrera/batch.json"), text.as_bytes())?;
        Ok(store)
    }

    /// Opens a finished or unfinished batch folder for reading (merge).
    pub fn open(out: &Path) -> Result<(Store, Config)> {
        let store = Store {
            out: out.to_path_buf(),
        };
        let cfg_path = store.meta().join("batch.json");
        if !cfg_path.exists() {
            return Err(Error::Usage(format!(
                "{} holds no batch (no .carrera/batch.json)",
                out.display()
            )));
        }
        let config = read_config(&cfg_path)?;
        Ok((store, config))
    }

    /// Writes `rel` (relative to OUTDIR) whole or not at all.
    pub fn write(&self, rel: &Path, bytes: &[u8]) -> Result<()> {
        let target = self.out.join(rel);
        let what = || format!("writing {}", target.display());
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).ctx(what)?;
        }
        let mut tmp = tempfile::NamedTempFile::new_in(self.tmp()).ctx(what)?;
        tmp.write_all(bytes).ctx(what)?;
        // Feedback is handed back and served: readable like any file, not 0600.
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o644)).ctx(what)?;
        tmp.persist(&target)
            .map_err(|e| Error::io(what(), e.error))?;
        Ok(())
    }

    /// Saves a finished submission: its files first, then the record that marks it done.
    pub fn save(&self, row: &Row, files: &[(&str, String)]) -> Result<()> {
        for (name, text) in files {
            self.write(&Path::new(&row.dir).join(name), text.as_bytes())?;
        }
        let rec = serde_json::to_string(row).expect("a Row serialises") + "\n";
        self.write(
            &Path::new(".carrera/results").join(format!("{}.json", row.dir)),
            rec.as_bytes(),
        )
    }

    /// The records present, keyed by nothing: unreadable ones are reported and skipped, so
    /// that their submissions are graded again.
    pub fn rows(&self) -> Result<Vec<Row>> {
        let dir = self.records();
        let Ok(rd) = std::fs::read_dir(&dir) else {
            return Ok(Vec::new());
        };
        let mut rows = Vec::new();
        for e in rd.flatten() {
            let p = e.path();
            match std::fs::read(&p)
                .ok()
                .and_then(|b| serde_json::from_slice::<Row>(&b).ok())
            {
                Some(r) => rows.push(r),
                None => eprintln!("carrera: ignoring unreadable record {}", p.display()),
            }
        }
        rows.sort_by(|a, b| a.name.cmp(&b.name).then(a.dir.cmp(&b.dir)));
        Ok(rows)
    }

    /// The student files of a saved row, as they are on disk.
    pub fn files(&self, row: &Row) -> Option<Vec<(&'static str, String)>> {
        FILES
            .iter()
            .map(|&f| {
                std::fs::read_to_string(self.out.join(&row.dir).join(f))
                    .ok()
                    .map(|t| (f, t))
            })
            .collect()
    }
}

/// What each submission's folder holds.
pub const FILES: [&str; 3] = ["feedback.txt", "feedback.html", "results.json"];

fn read_config(p: &Path) -> Result<Config> {
    let text = std::fs::read_to_string(p).ctx(|| format!("reading {}", p.display()))?;
    serde_json::from_str(&text).map_err(|e| Error::Config {
        file: p.to_path_buf(),
        msg: e.to_string(),
    })
}
