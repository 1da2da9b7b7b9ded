//! Program mode: grading a whole program (the TP1 capstone) rather than a function.
//!
//! prepare (entry, clean copy) → run under each start method with a fast virtual clock →
//! observe (exit, CPU of the tree, stacks of a hang, copies of the output) → check (trusted
//! checker; the student's verifier on clean and tampered output) → judge (a verdict per
//! method, `not_portable` across them; a failure is confirmed by a slower run) → score.

pub mod checker;
pub mod entry;
pub mod judge;
pub mod run;
pub mod workspace;

use crate::error::{Error, Result};
use crate::exercise::{ProgramExercise, StartMethod};
use crate::grade::Context;
use crate::verdict::Verdict;
use checker::Finding;
use judge::Attempt;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct Options {
    /// The language of the verification question.
    pub lang: crate::i18n::Lang,
    /// `--entry`: the script to run, relative to the submission.
    pub entry: Option<String>,
    /// Skip the slower run that confirms a failure seen under the fast clock.
    pub no_confirm: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProgramGrade {
    pub exercise: String,
    pub submission: PathBuf,
    pub entry: String,
    pub verdict: Verdict,
    pub points: u32,
    pub max_points: u32,
    /// (task, points, most points) of each task of the statement.
    pub tasks: Vec<(u8, u32, u32)>,
    pub checks: Vec<CheckScore>,
    /// Per start method: the run under the fast clock, then its confirmation if any.
    pub methods: Vec<MethodResult>,
    pub seconds: f64,
    /// The language of `failure.question` (what `carrera explain` reads).
    pub lang: crate::i18n::Lang,
    pub failure: Option<Failure>,
}

/// What a failing program's verdict means, what to do, and a question to check one has
/// understood (`carrera explain` asks it again).
#[derive(Debug, Clone, Serialize)]
pub struct Failure {
    pub concept: String,
    pub hint: String,
    pub question: Option<crate::question::Question>,
}

fn failure(ex: &ProgramExercise, v: Verdict, lang: crate::i18n::Lang) -> Result<Option<Failure>> {
    if v == Verdict::Pass {
        return Ok(None);
    }
    let (concept, hint) = match ex.spec.explain.get(v.as_str()) {
        Some(e) => (
            e.concept.get(lang).to_string(),
            e.hint.get(lang).to_string(),
        ),
        None => (
            crate::i18n::t(lang, &format!("verdict.{v}.concept")),
            crate::i18n::t(lang, &format!("verdict.{v}.hint")),
        ),
    };
    Ok(Some(Failure {
        concept,
        hint,
        question: crate::question::for_verdict(&ex.dir, v, lang)?,
    }))
}

#[derive(Debug, Clone, Serialize)]
pub struct CheckScore {
    pub check: String,
    pub task: u8,
    pub points: u32,
    pub max: u32,
    pub passed: bool,
    /// What was found, per method where it differs (failures first).
    pub findings: Vec<(StartMethod, Finding)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MethodResult {
    pub method: StartMethod,
    pub verdict: Verdict,
    pub attempts: Vec<Attempt>,
}

impl MethodResult {
    /// The attempt that decides: the confirmation when there is one.
    pub fn last(&self) -> &Attempt {
        self.attempts.last().expect("at least one attempt")
    }
}

pub fn grade(
    ctx: &Context,
    ex: &ProgramExercise,
    sub: &Path,
    opts: &Options,
) -> Result<ProgramGrade> {
    let started = Instant::now();
    if !sub.is_dir() {
        return Err(Error::Usage(format!(
            "{}: a program exercise grades a folder (the whole submission), not a file",
            sub.display()
        )));
    }
    let sub = sub
        .canonicalize()
        .map_err(|e| Error::io(format!("reading {}", sub.display()), e))?;
    let p = &ex.spec.program;
    let entry = entry::find(&sub, p, opts.entry.as_deref())
        .map_err(|why| Error::Usage(format!("{}: {why}", sub.display())))?;
    let sandbox = crate::sandbox::detect();
    let setup = run::Setup {
        python: &ctx.python.exe,
        python_dirs: &ctx.python.dirs,
        runtime: ctx.runtime_root(),
        sandbox: sandbox.as_ref(),
        exercise: ex,
        submission: &sub,
        entry: &entry,
    };
    let root = tempfile::Builder::new()
        .prefix("program-")
        .tempdir_in(ctx.work_path())
        .map_err(|e| Error::io("creating the program's folder", e))?;
    let methods: Vec<StartMethod> = (p.methods.iter().copied())
        .filter(|m| ctx.python.methods.contains(m))
        .collect();
    let fast = Duration::from_secs_f64(p.timeout_s.0);
    let mut results: Vec<MethodResult> = parallel(&methods, |i, m| {
        attempt(
            &setup,
            *m,
            p.dilation.0,
            fast,
            &root.path().join(format!("{}-fast", i)),
        )
    })?
    .into_iter()
    .zip(&methods)
    .map(|(a, m)| MethodResult {
        method: *m,
        verdict: a.verdict,
        attempts: vec![a],
    })
    .collect();
    // A failure under the fast clock counts only if a slower clock shows it too.
    let slow = Duration::from_secs_f64(p.confirm_timeout_s.0);
    let k = p.confirm_dilation.0;
    let confirm: Vec<usize> = (0..results.len())
        .filter(|&i| results[i].verdict != Verdict::Pass && k < p.dilation.0 && !opts.no_confirm)
        .collect();
    let confirmed = parallel(&confirm, |_, &i| {
        attempt(
            &setup,
            results[i].method,
            k,
            slow,
            &root.path().join(format!("{i}-slow")),
        )
    })?;
    for (i, a) in confirm.into_iter().zip(confirmed) {
        results[i].verdict = a.verdict;
        results[i].attempts.push(a);
    }
    let per_method: Vec<(StartMethod, Verdict)> =
        results.iter().map(|r| (r.method, r.verdict)).collect();
    let verdict = judge::overall(&per_method);
    let checks = score(ex, &results, &per_method);
    let points = checks.iter().map(|c| c.points).sum();
    let tasks = (1..=3)
        .map(|t| {
            let of = checks.iter().filter(|c| c.task == t);
            (
                t,
                of.clone().map(|c| c.points).sum(),
                of.map(|c| c.max).sum(),
            )
        })
        .collect();
    if ctx.keeps() {
        let _ = root.keep();
    }
    let failure = failure(ex, verdict, opts.lang)?;
    Ok(ProgramGrade {
        exercise: ex.id().to_string(),
        submission: sub.clone(),
        entry,
        verdict,
        points,
        max_points: ex.max_points(),
        tasks,
        checks,
        methods: results,
        seconds: started.elapsed().as_secs_f64(),
        lang: opts.lang,
        failure,
    })
}

fn attempt(s: &run::Setup, m: StartMethod, k: f64, wall: Duration, root: &Path) -> Result<Attempt> {
    let busy = s.exercise.spec.program.busy_cores.0;
    let r = run::run(s, m, k, wall, root)?;
    let mut findings = judge::run_findings(&r, busy);
    // The shape and the output decide `wrong`; the run's own findings are its verdict.
    let mut read = judge::structure_findings(&r, &s.exercise.spec.program);
    read.extend(checker::check(s, &r)?);
    let v = judge::verdict(judge::run_verdict(&r, busy), &read);
    findings.extend(read);
    Ok(Attempt {
        run: r,
        verdict: v,
        findings,
    })
}

/// Runs `f` on every item at once (runs of a program mostly sleep), in order of the items.
fn parallel<T: Sync, R: Send>(
    items: &[T],
    f: impl Fn(usize, &T) -> Result<R> + Sync,
) -> Result<Vec<R>> {
    std::thread::scope(|scope| {
        let handles: Vec<_> = (items.iter().enumerate())
            .map(|(i, t)| {
                let f = &f;
                scope.spawn(move || f(i, t))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(Error::Internal("a run panicked".into())))
            })
            .collect()
    })
}

/// Points of every check the exercise weighs: a check scores only when it passed under every
/// start method (a note is not a failure); one that was never reached scores nothing.
fn score(
    ex: &ProgramExercise,
    results: &[MethodResult],
    per_method: &[(StartMethod, Verdict)],
) -> Vec<CheckScore> {
    let mut out: Vec<CheckScore> = Vec::new();
    let mut names: Vec<(&String, &crate::exercise::CheckPoints)> = ex.spec.checks.iter().collect();
    names.sort_by_key(|(n, c)| (c.task, *n));
    for (name, cp) in names {
        let mut found: Vec<(StartMethod, Finding)> = Vec::new();
        if name == "portable" {
            found.push((per_method[0].0, portable(per_method)));
        } else {
            for r in results {
                for f in r.last().findings.iter().filter(|f| &f.check == name) {
                    found.push((r.method, f.clone()));
                }
            }
        }
        let passed = !found.is_empty() && !found.iter().any(|(_, f)| f.failed());
        found.sort_by_key(|(_, f)| !f.failed());
        // The same words under every method are said once.
        let mut shown: Vec<(StartMethod, Finding)> = Vec::new();
        for (m, f) in found {
            if !shown
                .iter()
                .any(|(_, g)| g.en == f.en && g.status == f.status)
            {
                shown.push((m, f));
            }
        }
        out.push(CheckScore {
            check: name.clone(),
            task: cp.task,
            points: if passed { cp.points } else { 0 },
            max: cp.points,
            passed,
            findings: shown,
        });
    }
    out
}

fn portable(per_method: &[(StartMethod, Verdict)]) -> Finding {
    let same = per_method.windows(2).all(|w| w[0].1 == w[1].1);
    let list = per_method
        .iter()
        .map(|(m, v)| format!("{}: {}", m.as_str(), v.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    Finding::new(
        "portable",
        same,
        1,
        format!("Under each start method: {list}."),
        format!("Con cada método de inicio: {list}."),
    )
}
