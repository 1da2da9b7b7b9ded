//! One grading, end to end: prepare → import → calibrate on the reference → stress trials →
//! classify the first failure → score. Student code runs only inside trials.

use crate::classify::{classify, Finding};
use crate::error::{Error, IoContext, Result};
use crate::exercise::{Exercise, StartMethod};
use crate::i18n::Lang;
use crate::judge::{Judge, JudgeHost, Outcome};
use crate::observe::Frame;
use crate::picture;
use crate::prepare::{self, WorkDir};
use crate::python::Python;
use crate::runtime::{self, RuntimeDir};
use crate::sandbox;
use crate::score::{self, FailureReport, Grade, Tally};
use crate::submission::Submission;
use crate::trial::scheduler::{self, StressPlan};
use crate::trial::{Perturbation, Purpose, Runner, RunnerConfig, Timeouts, Trial, Warm};
use crate::verdict::Verdict;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Mutex, RwLock};
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct Options {
    pub seed: u64,
    pub runs: Option<u64>,
    pub budget: Option<Duration>,
    pub profile: Option<Perturbation>,
    pub lang: Lang,
    pub keep: bool,
}

/// What a grading needs once per process: the interpreter, the runtime, a work directory,
/// and the reference's calibration per exercise.
pub struct Context {
    pub python: Python,
    runtime: RuntimeDir,
    work: WorkDir,
    calibrations: Mutex<HashMap<String, Calibration>>,
    counter: Mutex<u64>,
    /// Trials hold it shared; a speedup measurement holds it alone, so that concurrent
    /// gradings never run trials next to a timed call.
    measuring: RwLock<()>,
    /// Start trials as forks of a warm interpreter (`false`: a fresh one each, `--cold`).
    warm: bool,
}

#[derive(Debug, Clone)]
struct Calibration {
    timeouts: Timeouts,
    expected: Vec<Option<serde_json::Value>>,
    /// The reference's slowest calibration trial, wall clock (`None` without a reference).
    slowest: Option<Duration>,
}

/// Trials shorter than this spend much of their time in start gates and noise sleeps, so two
/// per CPU keep the CPUs busy; longer, CPU-bound ones would only slow each other down.
const SHORT_TRIAL: Duration = Duration::from_secs(1);

impl Context {
    pub fn new(python: Python, keep: bool, warm: bool) -> Result<Context> {
        let work = prepare::work_dir(keep)?;
        let runtime = runtime::install(&work.path)?;
        Ok(Context {
            python,
            runtime,
            work,
            calibrations: Mutex::new(HashMap::new()),
            counter: Mutex::new(0),
            measuring: RwLock::new(()),
            warm,
        })
    }

    /// The folder the runtime is installed in (goes on a tree's PYTHONPATH).
    pub fn runtime_root(&self) -> &std::path::Path {
        &self.runtime.root
    }

    /// This grading's scratch folder.
    pub fn work_path(&self) -> &std::path::Path {
        &self.work.path
    }

    /// Whether workspaces are kept for inspection (`--keep`).
    pub fn keeps(&self) -> bool {
        self.work.kept()
    }

    /// The exercise's start methods that this Python offers, in the spec's order.
    fn methods(&self, ex: &Exercise) -> Result<Vec<StartMethod>> {
        let (ok, _) = self.split_methods(ex);
        if ok.is_empty() {
            return Err(Error::Python(format!(
                "exercise {} runs under {}, and {} offers none of them",
                ex.id(),
                names(&ex.spec.stress.methods),
                self.python.exe.display()
            )));
        }
        Ok(ok)
    }

    /// The exercise's start methods this Python lacks: not tried, and said so.
    fn missing_methods(&self, ex: &Exercise) -> Vec<StartMethod> {
        self.split_methods(ex).1
    }

    /// The exercise's start methods: (offered by this Python, lacking).
    fn split_methods(&self, ex: &Exercise) -> (Vec<StartMethod>, Vec<StartMethod>) {
        (ex.spec.stress.methods.iter().copied()).partition(|m| self.python.methods.contains(m))
    }

    fn quiet_method(&self) -> StartMethod {
        StartMethod::preferred(&self.python.methods)
    }

    fn runner(
        &self,
        ex: &Exercise,
        source: PathBuf,
        bytecode: Option<prepare::Bytecode>,
        keep: bool,
    ) -> Result<Runner> {
        self.runner_with(
            ex,
            source,
            bytecode,
            keep,
            cases_json(ex),
            self.warm(Warm::Background),
        )
    }

    /// `how` unless warm servers are off (`--cold`).
    fn warm(&self, how: Warm) -> Warm {
        if self.warm {
            how
        } else {
            Warm::Off
        }
    }

    fn runner_with(
        &self,
        ex: &Exercise,
        source: PathBuf,
        bytecode: Option<prepare::Bytecode>,
        keep: bool,
        cases: Vec<(String, serde_json::Value, serde_json::Value)>,
        warm: Warm,
    ) -> Result<Runner> {
        let mut n = self.counter.lock().unwrap();
        *n += 1;
        Runner::new(
            RunnerConfig {
                python: self.python.exe.clone(),
                python_dirs: self.python.dirs.clone(),
                runtime_dir: self.runtime.root.clone(),
                source,
                bytecode,
                function: ex.spec.submission.function.0.clone(),
                harness: ex.harness_path(),
                cases,
                work_root: self.work.path.join(format!("g{n}")),
                keep_workspaces: keep,
                warm,
                limits: ex.spec.limits.clone(),
            },
            sandbox::detect(),
        )
    }
}

fn names(methods: &[StartMethod]) -> String {
    methods
        .iter()
        .map(|m| m.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn cases_json(ex: &Exercise) -> Vec<(String, serde_json::Value, serde_json::Value)> {
    ex.spec
        .cases
        .iter()
        .map(|c| {
            (
                c.id.0.clone(),
                serde_json::to_value(&c.args).unwrap_or_default(),
                serde_json::to_value(&c.kwargs).unwrap_or_default(),
            )
        })
        .collect()
}

pub fn grade(ctx: &Context, ex: &Exercise, sub: &Submission, opts: &Options) -> Result<Grade> {
    let start = Instant::now();
    let methods = ctx.methods(ex)?;
    let mut grade = GradeBuilder::new(ctx, ex, sub, opts);
    let trials_running = ctx.measuring.read().unwrap_or_else(|e| e.into_inner());

    // The submission's bytecode lives as long as this grading.
    let pyc = tempfile::Builder::new()
        .suffix(".pyc")
        .tempfile_in(&ctx.work.path)
        .ctx(|| "creating the bytecode file")?
        .into_temp_path();
    let bytecode = match prepare::compile(&ctx.python, &sub.path, Some(&pyc))? {
        prepare::Compiled::Ok(b) => b,
        prepare::Compiled::Error(err) => {
            let mut f = FailureReport::new(Verdict::CompileError, opts.lang);
            f.compile = Some(err);
            return Ok(grade.finish(
                Verdict::CompileError,
                Some(f),
                Tally {
                    trials: 0,
                    failures: 0,
                },
                true,
                start,
            ));
        }
    };

    let calibration = calibrate(ctx, ex)?;
    grade.timeouts = Some(calibration.timeouts.clone());
    let runner = ctx.runner(ex, sub.path.clone(), bytecode, opts.keep)?;
    let slots = match calibration.slowest {
        Some(s) if s < SHORT_TRIAL && ctx.warm => runner.cpus() * 2,
        _ => runner.cpus(),
    };
    // One server per trial slot, booting while the import trial runs.
    runner.prewarm(slots);
    let judge = Judge {
        expected: calibration.expected.clone(),
        cases: cases_json(ex),
        host: match ex.judge_path() {
            Some(p) => Some(Mutex::new(JudgeHost::start(
                &ctx.python.exe,
                &ctx.runtime.host,
                &p,
            )?)),
            None => None,
        },
        output_limit: ex.spec.limits.output_kb.0 << 10,
    };
    let judge_fn = |o: &crate::observe::Observation| judge.judge(o);

    // Import once, quietly: a broken import makes every later trial meaningless.
    let import = Trial {
        index: 0,
        purpose: Purpose::Import,
        case: None,
        perturbation: Perturbation::quiet(ctx.quiet_method()),
    };
    let imported = scheduler::batch(&runner, vec![import], &calibration.timeouts, &judge_fn)?;
    let imported = &imported[0];
    if !imported.outcome.is_ok() {
        let verdict = imported.outcome.verdict();
        let f = grade.failure_from_outcome(verdict, &imported.outcome, None);
        return Ok(grade.finish(
            verdict,
            Some(f),
            Tally {
                trials: 1,
                failures: 1,
            },
            true,
            start,
        ));
    }

    let plan = StressPlan {
        seed: opts.seed,
        runs: opts.runs.unwrap_or(if opts.budget.is_some() {
            u64::MAX
        } else {
            ex.spec.stress.runs.0
        }),
        budget: opts.budget.unwrap_or(if opts.runs.is_some() {
            Duration::MAX
        } else {
            Duration::from_secs_f64(ex.spec.stress.budget_s.0)
        }),
        methods,
        cases: ex.spec.cases.len(),
        fixed: opts.profile.clone(),
        timeouts: calibration.timeouts.clone(),
        slots,
    };
    let stress = scheduler::stress(&runner, &plan, &judge_fn, &pass_rank)?;
    if let Some(why) = runner.warm_unavailable() {
        // Still a valid grading, only slower: say why instead of leaving it a mystery.
        eprintln!("carrera: warning: trials started as fresh interpreters (slower): {why}");
    }
    grade.stress_seconds = stress.duration.as_secs_f64();
    let mut tally = Tally {
        trials: stress.judged.len() + 1,
        failures: stress.judged.iter().filter(|j| !j.outcome.is_ok()).count(),
    };
    let Some(first) = stress.first_failure() else {
        drop(trials_running);
        grade.picture = picture_of_a_pass(&stress, ex);
        let verdict = grade.measure_speedup()?;
        let failure = grade.speedup_failure.take();
        return Ok(grade.finish(verdict, failure, tally, false, start));
    };
    if let Outcome::JudgeError { message } = &first.outcome {
        return Err(Error::Internal(message.clone()));
    }
    let finding = classify(
        &runner,
        first,
        ex.spec.stress.replays.0 as usize,
        &ctx.python.methods,
        &calibration.timeouts,
        &judge_fn,
    )?;
    tally.trials += finding.extra_trials;
    tally.failures += finding.extra_failures;
    let mut f = grade.failure_from_finding(&finding);
    let case = first.obs.trial.case.map(|i| ex.spec.cases[i].id.0.as_str());
    grade.picture = picture::of_trial(&first.obs, &grade.in_student_terms(&first.outcome), case);
    if grade.picture.lost_update.is_none() && finding.verdict == Verdict::Race {
        // The first failing trial's trace may not hold the interleaving (it happened past the
        // events kept, say): another wrong result's may, and is drawn whole instead.
        let drawn = stress
            .judged
            .iter()
            .filter(|j| j.obs.trial.index != first.obs.trial.index)
            .filter(|j| matches!(j.outcome, Outcome::Wrong { .. }))
            .map(|j| {
                let case = j.obs.trial.case.map(|i| ex.spec.cases[i].id.0.as_str());
                picture::of_trial(&j.obs, &grade.in_student_terms(&j.outcome), case)
            })
            .find(|p| p.lost_update.is_some());
        match (drawn, case) {
            (Some(p), _) => grade.picture = p,
            (None, Some(c)) => {
                let outcomes = stress.judged.iter().map(|j| &j.outcome);
                grade.picture.wrong_results = picture::wrong_results(outcomes, c);
            }
            (None, None) => {}
        }
    }
    let failed_at = first.obs.trial.index;
    f.passed_before = Some(
        stress
            .judged
            .iter()
            .filter(|j| j.obs.trial.index < failed_at && j.outcome.is_ok())
            .count(),
    );
    let never_worked = finding.verdict == Verdict::Crash
        && stress.judged.iter().all(|j| !j.outcome.is_ok())
        && never_returns(
            &runner,
            ex,
            ctx.quiet_method(),
            &calibration,
            &judge_fn,
            &mut tally,
        )?;
    Ok(grade.finish(finding.verdict, Some(f), tally, never_worked, start))
}

/// How well a passing trial shows a passing grading: a fork trial behind a start gate (the
/// children overlap as intended) first, then any fork trial, the one with the most recorded
/// events (the largest case shows most); else any that passed (the first).
fn pass_rank(j: &scheduler::Judged) -> (u8, Option<usize>, usize) {
    let p = &j.obs.trial.perturbation;
    match (p.method == StartMethod::Fork, p.gate_ms > 0) {
        (false, _) => (0, None, 0),
        (true, gated) => {
            let events = j.obs.traces.iter().map(|t| t.events.len()).sum();
            (1 + u8::from(gated), j.obs.trial.case, events)
        }
    }
}

/// The picture of a passing grading: the trial the stress run kept whole (see `pass_rank`).
fn picture_of_a_pass(stress: &scheduler::StressRun, ex: &Exercise) -> picture::Picture {
    let chosen = stress
        .judged
        .iter()
        .find(|j| Some(j.obs.trial.index) == stress.exemplar);
    match chosen {
        Some(j) => {
            let case = j.obs.trial.case.map(|i| ex.spec.cases[i].id.0.as_str());
            picture::of_trial(&j.obs, &j.outcome, case)
        }
        None => picture::Picture::default(),
    }
}

/// A function that raises on every case, quietly run (a starter file's `NotImplementedError`),
/// gave nothing to score processes, joins or portability on: those checks fail with it.
fn never_returns(
    runner: &Runner,
    ex: &Exercise,
    method: StartMethod,
    calibration: &Calibration,
    judge: &(dyn Fn(&crate::observe::Observation) -> Outcome + Sync),
    tally: &mut Tally,
) -> Result<bool> {
    let trials = (0..ex.spec.cases.len())
        .map(|case| Trial {
            index: 900_000 + case as u64,
            purpose: Purpose::Replay,
            case: Some(case),
            perturbation: Perturbation::quiet(method),
        })
        .collect();
    let judged = scheduler::batch(runner, trials, &calibration.timeouts, judge)?;
    tally.trials += judged.len();
    tally.failures += judged.iter().filter(|j| !j.outcome.is_ok()).count();
    Ok(judged
        .iter()
        .all(|j| matches!(j.outcome, Outcome::Crash { .. })))
}

/// Runs the reference under the strongest profile of every start method: its slowest time
/// sets the per-trial timeout, and its results stand in for expectations the spec omits.
fn calibrate(ctx: &Context, ex: &Exercise) -> Result<Calibration> {
    if let Some(c) = ctx.calibrations.lock().unwrap().get(ex.id()) {
        return Ok(c.clone());
    }
    let floor = Duration::from_secs_f64(ex.spec.timeout.floor_s.0);
    let spec_expected: Vec<Option<serde_json::Value>> = ex
        .spec
        .cases
        .iter()
        .map(|c| c.expect.as_ref().and_then(|v| serde_json::to_value(v).ok()))
        .collect();
    let Some(reference) = ex.reference() else {
        if let Some(c) = ex
            .spec
            .cases
            .iter()
            .find(|c| c.expect.is_none() && !c.judge_only)
        {
            return Err(Error::Config {
                file: ex.dir.join("exercise.toml"),
                msg: format!(
                    "case `{}` has no `expect` and there is no reference solution",
                    c.id.0
                ),
            });
        }
        // Without a reference to time, be generous rather than fail a slow correct solution.
        let c = Calibration {
            timeouts: Timeouts::uniform(floor * 3),
            expected: spec_expected,
            slowest: None,
        };
        ctx.calibrations
            .lock()
            .unwrap()
            .insert(ex.id().to_string(), c.clone());
        return Ok(c);
    };
    let runner = ctx.runner(ex, reference, None, false)?;
    // Timing: the last case (by convention the largest) under each method, perturbed as hard
    // as stress ever perturbs. Results: every case the spec gives no `expect` for.
    let last = ex.spec.cases.len() - 1;
    let quiet = ctx.quiet_method();
    let mut trials: Vec<Trial> = (ctx.methods(ex)?.into_iter())
        .map(|m| (last, Perturbation::strongest(m, 1)))
        .chain(
            (0..last)
                .filter(|&i| ex.spec.cases[i].expect.is_none() && !ex.spec.cases[i].judge_only)
                .map(|i| (i, Perturbation::quiet(quiet))),
        )
        .enumerate()
        .map(|(k, (case, perturbation))| Trial {
            index: k as u64,
            purpose: Purpose::Calibrate,
            case: Some(case),
            perturbation,
        })
        .collect();
    trials.sort_by_key(|t| t.case);
    let judge = Judge {
        expected: spec_expected.clone(),
        cases: cases_json(ex),
        host: None,
        output_limit: ex.spec.limits.output_kb.0 << 10,
    };
    let judged = scheduler::batch(
        &runner,
        trials,
        &Timeouts::uniform(Duration::from_secs(60)),
        &|o| judge.judge(o),
    )?;
    let mut expected = spec_expected;
    let mut slowest = Timeouts::uniform(Duration::ZERO);
    for j in &judged {
        let case = j.obs.trial.case.unwrap_or(0);
        let result = match (&j.outcome, &j.obs.record) {
            (Outcome::Ok, Ok(crate::observe::Record::Returned { value, .. })) => {
                value.get("result").cloned()
            }
            _ => None,
        };
        let Some(result) = result else {
            let stderr = j.obs.raw.stderr.text();
            let tail: String = stderr.lines().rev().take(3).collect::<Vec<_>>().join(" | ");
            return Err(Error::Internal(format!(
                "the reference solution of {} failed its calibration run ({}): {:?}; stderr: {}",
                ex.id(),
                j.obs.trial.perturbation,
                j.outcome,
                tail
            )));
        };
        match &expected[case] {
            _ if ex.spec.cases[case].judge_only => {}
            Some(e) if *e != result => {
                return Err(Error::Internal(format!(
                    "the reference solution of {} gives different results for case {}",
                    ex.id(),
                    ex.spec.cases[case].id.0
                )))
            }
            Some(_) => {}
            None => expected[case] = Some(result),
        }
        let s = slowest.get_mut(j.obs.trial.perturbation.method);
        *s = (*s).max(j.obs.raw.wall);
    }
    let factor = ex.spec.timeout.factor.0;
    let limit = |d: Duration| floor.max(d.mul_f64(factor));
    let timeouts = Timeouts {
        fork: limit(slowest.fork),
        spawn: limit(slowest.spawn),
        forkserver: limit(slowest.forkserver),
    };
    let c = Calibration {
        timeouts,
        expected,
        slowest: Some(slowest.fork.max(slowest.spawn).max(slowest.forkserver)),
    };
    ctx.calibrations
        .lock()
        .unwrap()
        .insert(ex.id().to_string(), c.clone());
    Ok(c)
}

struct GradeBuilder<'a> {
    ctx: &'a Context,
    ex: &'a Exercise,
    sub: &'a Submission,
    opts: &'a Options,
    timeouts: Option<Timeouts>,
    stress_seconds: f64,
    speedup: Option<crate::speedup::Speedup>,
    /// The timed call returned a wrong result: the failure to report.
    speedup_failure: Option<FailureReport>,
    picture: picture::Picture,
}

impl<'a> GradeBuilder<'a> {
    fn new(ctx: &'a Context, ex: &'a Exercise, sub: &'a Submission, opts: &'a Options) -> Self {
        GradeBuilder {
            ctx,
            ex,
            sub,
            opts,
            timeouts: None,
            stress_seconds: 0.0,
            speedup: None,
            speedup_failure: None,
            picture: picture::Picture::default(),
        }
    }

    fn finish(
        &self,
        verdict: Verdict,
        failure: Option<FailureReport>,
        tally: Tally,
        all_failed: bool,
        start: Instant,
    ) -> Grade {
        let speedup = self.ex.spec.speedup.as_ref().map(|_| {
            self.speedup
                .clone()
                .unwrap_or_else(|| crate::speedup::Speedup::skipped_for(self.ex, self.opts.lang))
        });
        let failure = failure.map(|mut f| {
            // The file was validated when the exercise was loaded.
            f.question = crate::question::for_verdict(&self.ex.dir, verdict, self.opts.lang)
                .ok()
                .flatten();
            f
        });
        let checks = score::checks(
            self.ex,
            verdict,
            &tally,
            all_failed,
            speedup.as_ref(),
            self.opts.lang,
        );
        Grade {
            exercise: self.ex.id().to_string(),
            submission: self.sub.shown.clone(),
            verdict,
            score: checks.iter().map(|c| c.score).sum(),
            max_score: checks.iter().map(|c| c.max_score).sum(),
            trials: tally.trials,
            failures: tally.failures,
            seed: self.opts.seed,
            duration_s: start.elapsed().as_secs_f64(),
            checks,
            lang: self.opts.lang,
            sandbox: sandbox::level().tier,
            isolation: sandbox::level()
                .mechanisms()
                .into_iter()
                .map(String::from)
                .collect(),
            skipped_methods: self.ctx.missing_methods(self.ex),
            python: format!(
                "{} ({})",
                self.ctx.python.version,
                self.ctx.python.exe.display()
            ),
            timeout_s: self
                .timeouts
                .iter()
                .flat_map(|t| {
                    [
                        StartMethod::Fork,
                        StartMethod::Spawn,
                        StartMethod::Forkserver,
                    ]
                    .map(|m| (m.as_str(), t.get(m).as_secs_f64()))
                })
                .collect(),
            trials_per_second: if self.stress_seconds > 0.0 {
                tally.trials as f64 / self.stress_seconds
            } else {
                0.0
            },
            failure,
            speedup,
            picture: self.picture_with_code(),
            carrera_version: env!("CARGO_PKG_VERSION"),
        }
    }

    /// Times the student against the reference, alone on the machine, once every other check
    /// passed. Returns the verdict: pass, no_speedup, or wrong if the timed call's result was.
    fn measure_speedup(&mut self) -> Result<Verdict> {
        use crate::speedup::{self, Bench, Failed, Speedup, Status};
        let Some(spec) = &self.ex.spec.speedup else {
            return Ok(Verdict::Pass);
        };
        let mut spec = spec.clone();
        if !self.ctx.python.methods.contains(&spec.method) {
            // Both sides are timed under the same stand-in: still a fair comparison.
            spec.method = self.ctx.quiet_method();
        }
        let spec = &spec;
        let (lang, max) = (self.opts.lang, self.ex.spec.weights.speedup);
        let cpus = speedup::cpus::available();
        if cpus < speedup::MIN_CPUS {
            self.speedup = Some(Speedup::not_measured(Status::SkippedCpus, cpus, max, lang));
            return Ok(Verdict::Pass);
        }
        let reference = self.ex.reference().ok_or_else(|| Error::Config {
            file: self.ex.dir.join("exercise.toml"),
            msg: "[speedup] needs a reference solution to compare with".into(),
        })?;
        let calls = speedup::calls(spec, cpus);
        let keep = self.opts.keep;
        // Timed calls fork from one warm server each, booted before the first call, so that
        // the window before the clock starts costs a fork, not an interpreter start.
        let warm = self.ctx.warm(Warm::Booted);
        let (ctx, ex, source) = (self.ctx, self.ex, self.sub.path.clone());
        // Both servers boot at once: the machine is otherwise idle here.
        let (student, reference) = std::thread::scope(|s| {
            // Timed calls import the module before their clock starts: no bytecode needed.
            let other = s.spawn(|| ctx.runner_with(ex, reference, None, keep, calls.clone(), warm));
            let student = ctx.runner_with(ex, source, None, keep, calls.clone(), warm);
            let reference = other
                .join()
                .expect("booting the reference's server panicked");
            (student, reference)
        });
        let (student, reference) = (student?, reference?);
        let bench = Bench {
            student: &student,
            reference: &reference,
            spec,
            cpus,
            seed: self.opts.seed,
        };
        let alone = self
            .ctx
            .measuring
            .write()
            .unwrap_or_else(|e| e.into_inner());
        let measured = speedup::score(&bench, max, lang)?;
        drop(alone);
        let verdict = if measured.full() {
            Verdict::Pass
        } else {
            Verdict::NoSpeedup
        };
        let verdict = match &measured.failed {
            Some(Failed::Result {
                workers,
                expected,
                got,
            }) => {
                let mut r = FailureReport::new(Verdict::Wrong, lang);
                r.case = Some("speedup".into());
                let mut args: Vec<String> = spec.args.iter().map(|a| a.to_string()).collect();
                args[spec.workers_arg] = workers.to_string();
                r.call = Some(format!(
                    "{}({})",
                    self.ex.spec.submission.function.0,
                    args.join(", ")
                ));
                r.diff = Some(diff(expected, got));
                r.outcome = Some(Outcome::Wrong {
                    case: "speedup".into(),
                    expected: expected.clone(),
                    got: got.clone(),
                });
                self.speedup_failure = Some(r);
                Verdict::Wrong
            }
            _ if verdict == Verdict::NoSpeedup => {
                let mut r = FailureReport::new(Verdict::NoSpeedup, lang);
                if let Some(h) = self.ex.spec.hints.get(Verdict::NoSpeedup.as_str()) {
                    r.hint = h.get(lang).to_string();
                }
                // What the kernel saw of this submission beats a generic hint.
                if let Some(h) = &measured.hint {
                    r.hint = h.clone();
                }
                r.detail = Some(measured.message.clone());
                self.speedup_failure = Some(r);
                verdict
            }
            _ => verdict,
        };
        self.speedup = Some(measured);
        Ok(verdict)
    }

    fn failure_from_finding(&self, f: &Finding) -> FailureReport {
        let mut report = self.failure_from_outcome(f.verdict, &f.outcome, f.case);
        report.profile = Some(f.profile.clone());
        report.reproduced = Some(f.reproduced);
        report.fork_passed = f.fork_passed;
        report.replay = Some(format!(
            "carrera grade {} {} --profile '{}' --runs 20",
            self.ex.id(),
            shell_quote(&self.sub.shown),
            f.profile
        ));
        report
    }

    fn failure_from_outcome(
        &self,
        verdict: Verdict,
        outcome: &Outcome,
        case: Option<usize>,
    ) -> FailureReport {
        let mut r = FailureReport::new(verdict, self.opts.lang);
        if let Some(h) = self.ex.spec.hints.get(verdict.as_str()) {
            r.hint = h.get(self.opts.lang).to_string();
        }
        if let Some(i) = case {
            let c = &self.ex.spec.cases[i];
            r.case = Some(c.id.0.clone());
            let args: Vec<String> = c.args.iter().map(|a| a.to_string()).collect();
            r.call = Some(format!(
                "{}({})",
                self.ex.spec.submission.function.0,
                args.join(", ")
            ));
        }
        let outcome = self.in_student_terms(outcome);
        match &outcome {
            Outcome::Wrong { expected, got, .. } => r.diff = Some(diff(expected, got)),
            Outcome::Crash { error: Some(e), .. } => r.traceback = e.frames.clone(),
            Outcome::Leak { procs, .. } => r.leaked = procs.clone(),
            _ => {}
        }
        r.outcome = Some(outcome);
        r
    }

    /// The picture with the student's source lines filled in where it names a line.
    fn picture_with_code(&self) -> picture::Picture {
        let mut p = self.picture.clone();
        if let Some(l) = &mut p.lost_update {
            for s in &mut l.steps {
                s.code = s
                    .line
                    .and_then(|n| self.sub.line(n))
                    .map(|c| c.trim().to_string());
            }
        }
        p
    }

    /// Workspace paths become the student's file name, with the source line filled in.
    fn in_student_terms(&self, outcome: &Outcome) -> Outcome {
        let fix = |f: &Frame| Frame {
            file: self.sub.shown.clone(),
            text: self.sub.line(f.line).map(str::to_string),
            ..f.clone()
        };
        let mut o = outcome.clone();
        match &mut o {
            Outcome::Crash { error: Some(e), .. } => {
                let student: Vec<Frame> = e
                    .frames
                    .iter()
                    .filter(|f| crate::judge::is_student_file(&f.file))
                    .map(fix)
                    .collect();
                e.frames = student;
            }
            Outcome::Hang { stuck, .. } => {
                for s in stuck.iter_mut() {
                    s.at = s.at.as_ref().map(fix);
                }
            }
            _ => {}
        }
        o
    }
}

/// A line diff of expected vs got (pretty JSON), via `similar`.
fn diff(expected: &serde_json::Value, got: &serde_json::Value) -> String {
    let e = serde_json::to_string_pretty(expected).unwrap_or_default();
    let g = serde_json::to_string_pretty(got).unwrap_or_default();
    let d = similar::TextDiff::from_lines(&e, &g);
    d.unified_diff()
        .header("expected", "got")
        .context_radius(3)
        .to_string()
}

fn shell_quote(s: &str) -> String {
    if s.chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}
