//! `carrera batch`: grade a class folder into a gradebook, feedback per student, JUnit and a
//! class report, resumably. `discover` finds the submissions, `shard` picks a subset,
//! `store` writes each result atomically as it finishes, `merge` renders the class files
//! from saved rows (and combines shard folders).
//!
//! Concurrency: one grading already runs its stress trials on every CPU; a second one at
//! once only fills the gaps (compiling, importing, waiting out a hang), and oversubscribes
//! the CPUs the per-trial timeouts were calibrated on: measured, it once turned a slow trial
//! into a false deadlock. Hence one at a time by default, `--jobs` at most the CPUs.

pub mod discover;
pub mod merge;
pub mod name;
mod program;
mod progress;
pub mod shard;
pub mod store;

use crate::error::{Error, Result};
use crate::exercise::Exercise;
use crate::grade::{self, Context, Options};
use crate::report::class::{Row, GRADER_ERROR, INVALID};
use crate::report::{self, Exporter};
use crate::submission::Submission;
use discover::Entry;
use progress::Progress;
use serde_json::Value;
use shard::Shard;
use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;
use store::{Config, Store};

pub struct Plan {
    pub class: PathBuf,
    pub out: PathBuf,
    pub jobs: usize,
    pub shard: Shard,
    pub resume: bool,
}

pub struct Summary {
    pub rows: Vec<Row>,
    /// Submissions graded by this run, and kept from an earlier one.
    pub graded: usize,
    pub kept: usize,
}

/// Submissions graded at once: `asked` or 1, at most the CPUs.
pub fn jobs(asked: Option<usize>) -> usize {
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    asked.unwrap_or(1).clamp(1, cpus)
}

pub fn run(ctx: &Context, ex: &Exercise, opts: &Options, plan: &Plan) -> Result<Summary> {
    let config = |class_size| Config {
        exercise: ex.id().to_string(),
        seed: opts.seed,
        runs: opts.runs,
        budget_s: opts.budget.map(|d| d.as_secs_f64()),
        lang: lang_name(opts.lang),
        shard: plan.shard,
        class_size,
        carrera_version: env!("CARGO_PKG_VERSION").to_string(),
    };
    let list = |class: &Path| discover::entries(class, &ex.spec.submission.file);
    let grade = |class: &Path, e: &Entry| grade_entry(ctx, ex, opts, class, e);
    drive(plan, list, config, grade, true)
}

/// A class of whole programs (a program exercise): one folder per student.
pub fn run_programs(
    ctx: &Context,
    ex: &crate::exercise::ProgramExercise,
    opts: &crate::program::Options,
    plan: &Plan,
) -> Result<Summary> {
    let config = |class_size| Config {
        exercise: ex.id().to_string(),
        seed: 0,
        runs: None,
        budget_s: None,
        lang: lang_name(opts.lang),
        shard: plan.shard,
        class_size,
        carrera_version: env!("CARGO_PKG_VERSION").to_string(),
    };
    let grade = |class: &Path, e: &Entry| program::grade_entry(ctx, ex, opts, class, e);
    drive(plan, discover::folders, config, grade, false)
}

fn lang_name(lang: crate::i18n::Lang) -> String {
    serde_json::to_value(lang)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default()
}

/// Lists the class, grades this shard's entries `plan.jobs` at once (resuming what is saved),
/// and writes the class files. With `calibrates`, gradings run alone until one has calibrated
/// the exercise (its timeouts must not be measured beside another grading).
fn drive(
    plan: &Plan,
    list: impl Fn(&Path) -> Result<Vec<Entry>>,
    config: impl Fn(usize) -> Config,
    grade: impl Fn(&Path, &Entry) -> (Row, Vec<(&'static str, String)>) + Sync,
    calibrates: bool,
) -> Result<Summary> {
    // A zip export is graded as the folder it unpacks to (kept until the batch ends).
    let unpacked = match plan.class.extension() {
        Some(x) if x == "zip" && plan.class.is_file() => Some(discover::unpack(&plan.class)?),
        _ => None,
    };
    let class = unpacked
        .as_ref()
        .map_or(plan.class.as_path(), |u| u.1.as_path());
    let all = list(class)?;
    let config = config(all.len());
    let store = Store::create(&plan.out, &config, plan.resume)?;
    let mine: Vec<Entry> = all
        .into_iter()
        .enumerate()
        .filter(|(i, _)| plan.shard.has(*i))
        .map(|(_, e)| e)
        .collect();

    // Resume: keep every saved row of this selection whose files are all there; a grader
    // error is not kept, since it may have been a passing problem of the machine.
    let mut kept: Vec<Row> = store
        .rows()?
        .into_iter()
        .filter(|r| mine.iter().any(|e| e.name == r.name && e.dir == r.dir))
        .filter(|r| !r.is_grader_error() && store.files(r).is_some())
        .collect();
    let todo: VecDeque<Entry> = mine
        .iter()
        .filter(|e| !kept.iter().any(|r| r.dir == e.dir))
        .cloned()
        .collect();
    let graded = todo.len();
    let kept_n = kept.len();

    let progress = Mutex::new(Progress::new(mine.len(), &kept));
    let done: Mutex<Vec<Row>> = Mutex::new(Vec::new());
    let failed: Mutex<Option<Error>> = Mutex::new(None);
    let queue = Mutex::new(todo);
    // Grades one entry and saves it; says whether the grading calibrated the exercise.
    let one = |entry: Entry| -> bool {
        let start = Instant::now();
        let (row, files) = grade(class, &entry);
        if let Err(e) = store.save(&row, &files) {
            // OUTDIR itself is failing (disk full, permissions): stop, keep what is saved.
            *failed.lock().unwrap() = Some(e);
            queue.lock().unwrap().clear();
            return false;
        }
        progress
            .lock()
            .unwrap()
            .finished(&row, start.elapsed().as_secs_f64());
        let calibrated = row
            .grade
            .as_ref()
            .and_then(|g| g.get("timeout_s"))
            .and_then(Value::as_object)
            .is_some_and(|t| !t.is_empty());
        done.lock().unwrap().push(row);
        calibrated
    };
    let next = || queue.lock().unwrap().pop_front();
    // Alone until one grading has calibrated the exercise on the reference: the calibration
    // sets the timeouts, so it must not be measured beside another grading.
    if plan.jobs > 1 && calibrates {
        while let Some(e) = next() {
            if one(e) {
                break;
            }
        }
    }
    let work = || {
        while let Some(e) = next() {
            one(e);
        }
    };
    std::thread::scope(|s| {
        for _ in 0..plan.jobs.max(1) {
            s.spawn(work);
        }
    });
    progress.lock().unwrap().close();
    if let Some(e) = failed.into_inner().unwrap() {
        return Err(e);
    }
    kept.extend(done.into_inner().unwrap());
    merge::finish(&store, &config, &mut kept)?;
    Ok(Summary {
        rows: kept,
        graded,
        kept: kept_n,
    })
}

/// Grades one submission into its row and its files. Never fails: what goes wrong becomes
/// an `invalid_submission` (the student's files) or `grader_error` (ours) row.
fn grade_entry(
    ctx: &Context,
    ex: &Exercise,
    opts: &Options,
    class: &Path,
    e: &Entry,
) -> (Row, Vec<(&'static str, String)>) {
    let ungraded = |verdict: &str, reason: String, entry: Option<String>| {
        let row = Row::ungraded(ex, e.name.clone(), e.dir.clone(), entry, verdict, reason);
        let (html, text) = report::ungraded::feedback(ex.id(), &row, opts.lang);
        let gs = report::ungraded::gradescope(&row, opts.lang);
        let files = vec![
            ("feedback.txt", text),
            ("feedback.html", html),
            ("results.json", gs),
        ];
        (row, files)
    };
    let path = match &e.source {
        Ok(p) => p,
        Err(reason) => return ungraded(INVALID, reason.clone(), None),
    };
    // Reports name the file relative to the class folder: no machine paths in the results.
    let rel = path
        .strip_prefix(class)
        .unwrap_or(path)
        .display()
        .to_string();
    let sub = match Submission::open(path) {
        Ok(mut s) => {
            s.shown = rel.clone();
            s
        }
        Err(Error::Usage(msg)) => {
            let msg = msg.replace(&path.display().to_string(), &rel);
            return ungraded(INVALID, msg, Some(rel));
        }
        Err(e) => return ungraded(GRADER_ERROR, e.to_string(), Some(rel)),
    };
    let graded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        grade::grade(ctx, ex, &sub, opts)
    }));
    match graded {
        Ok(Ok(g)) => {
            let row = Row::graded(e.name.clone(), e.dir.clone(), Some(rel), &g);
            let files = vec![
                ("feedback.txt", report::Text { color: false }.render(&g)),
                ("feedback.html", report::Html.render(&g)),
                ("results.json", report::Gradescope.render(&g)),
            ];
            (row, files)
        }
        Ok(Err(err)) => ungraded(GRADER_ERROR, err.to_string(), Some(rel)),
        Err(_) => ungraded(
            GRADER_ERROR,
            "internal error: the grader panicked".into(),
            Some(rel),
        ),
    }
}
