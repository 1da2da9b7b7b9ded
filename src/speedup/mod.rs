//! Speedup scoring: measure (measure.rs) → estimate (estimate.rs) → the `speedup` object of a
//! grade, with an explanation that teaches. Scored against the reference measured in the same
//! run, so that a noisy or loaded machine slows both alike.

pub mod cpus;
mod estimate;
mod measure;

pub use measure::{calls, Bench, Ended, Failed, Run, Who};

use crate::i18n::{t, tf, Lang};
use estimate::{median, paired_ratios, quantile, Evidence, Rule};
use serde::Serialize;

/// Below this many CPUs there is nothing to measure.
pub const MIN_CPUS: usize = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Measured,
    /// Fewer than two CPUs available: not scored (and not counted in the maximum).
    SkippedCpus,
    /// The submission failed another check: correctness comes first.
    NotMeasured,
    /// The student's timed call failed or returned another result than the reference's.
    Failed,
}

/// The `speedup` object of a grade (docs/json-schema.md).
#[derive(Debug, Clone, Serialize)]
pub struct Speedup {
    pub status: Status,
    /// Median of the paired ratios T(1 worker) / T(P workers).
    pub student: Option<f64>,
    pub reference: Option<f64>,
    /// The speedup that earns full marks (full_at x the reference's).
    pub full_at: Option<f64>,
    /// Median CPUs used on average by the P-worker runs.
    pub student_parallelism: Option<f64>,
    pub reference_parallelism: Option<f64>,
    /// Median count of processes that did real work in the student's P-worker runs.
    pub student_busy_processes: Option<usize>,
    pub evidence: bool,
    pub cpus: usize,
    pub repetitions: usize,
    pub score: u32,
    pub max_score: u32,
    pub uncertain: bool,
    pub message: String,
    /// Why it fell short, when it did.
    pub hint: Option<String>,
    pub runs: Vec<Run>,
    /// Why the student's timed call gave no time, if it did not.
    #[serde(skip)]
    pub failed: Option<Failed>,
}

impl Speedup {
    pub fn not_measured(status: Status, cpus: usize, max_score: u32, lang: Lang) -> Speedup {
        let (key, max) = match status {
            Status::SkippedCpus => ("speedup.skipped_cpus", 0),
            _ => ("speedup.not_measured", max_score),
        };
        Speedup {
            status,
            student: None,
            reference: None,
            full_at: None,
            student_parallelism: None,
            reference_parallelism: None,
            student_busy_processes: None,
            evidence: false,
            cpus,
            repetitions: 0,
            score: 0,
            max_score: max,
            uncertain: false,
            message: tf(lang, key, &[("cpus", cpus.to_string())]),
            hint: None,
            runs: Vec::new(),
            failed: None,
        }
    }

    /// The exercise scores speedup but this grading did not measure it (another check failed).
    pub fn skipped_for(ex: &crate::exercise::Exercise, lang: Lang) -> Speedup {
        Speedup::not_measured(
            Status::NotMeasured,
            cpus::available(),
            ex.spec.weights.speedup,
            lang,
        )
    }

    pub fn failed(f: &Failed, cpus: usize, max_score: u32, lang: Lang) -> Speedup {
        let message = match f {
            Failed::Run { workers, how } => {
                let what = match how {
                    Ended::TooSlow { limit_s } => tf(
                        lang,
                        "speedup.ended.too_slow",
                        &[("limit", format!("{limit_s:.0}"))],
                    ),
                    Ended::Raised { kind, message } => format!("{kind}: {message}"),
                    Ended::Signal(s) => {
                        tf(lang, "speedup.ended.signal", &[("signal", s.to_string())])
                    }
                    Ended::Exited(c, code) => tf(
                        lang,
                        "speedup.ended.exited",
                        &[
                            ("status", c.to_string()),
                            ("why", t(lang, &format!("reason.{code}"))),
                        ],
                    ),
                };
                tf(
                    lang,
                    "speedup.failed_run",
                    &[("workers", workers.to_string()), ("what", what)],
                )
            }
            Failed::Result { workers, .. } => tf(
                lang,
                "speedup.failed_result",
                &[("workers", workers.to_string())],
            ),
        };
        Speedup {
            status: Status::Failed,
            message,
            failed: Some(f.clone()),
            ..Speedup::not_measured(Status::Failed, cpus, max_score, lang)
        }
    }

    /// Full marks: the check passed.
    pub fn full(&self) -> bool {
        self.score >= self.max_score
    }
}

/// What the runs so far say: the estimate and whether it is still uncertain.
struct Estimate {
    student: f64,
    reference: f64,
    /// Median of the paired reference-P / student-P times: above 1, the student is faster.
    versus_reference: f64,
    /// The same against the reference's 1-worker time.
    versus_sequential: f64,
    rule: Rule,
    evidence: Evidence,
    reference_parallelism: f64,
    uncertain: bool,
    /// Even the student's high quartile is below the most generous bar, itself capped at 1.0x:
    /// more processes made it slower, beyond what the reference's noise allows. No doubt left,
    /// however blind the clock (a loaded machine narrows speedups, it does not invert them).
    clearly_slower: bool,
    /// The student's speedup to score: the median, or the upper quartile if uncertain (then
    /// `rule` is the bar set by the reference's lower quartile).
    scored: f64,
}

fn times(runs: &[Run], who: Who, many: bool) -> Vec<f64> {
    runs.iter()
        .filter(|r| r.who == who && (r.workers > 1) == many)
        .map(|r| r.wall_s)
        .collect()
}

fn median_of(runs: &[&Run], f: impl Fn(&Run) -> f64) -> f64 {
    let v: Vec<f64> = runs.iter().map(|r| f(r)).collect();
    median(&v).unwrap_or(0.0)
}

fn estimate(runs: &[Run], full_at: f64) -> Option<Estimate> {
    let s = paired_ratios(
        &times(runs, Who::Student, false),
        &times(runs, Who::Student, true),
    );
    let r = paired_ratios(
        &times(runs, Who::Reference, false),
        &times(runs, Who::Reference, true),
    );
    let versus = paired_ratios(
        &times(runs, Who::Reference, true),
        &times(runs, Who::Student, true),
    );
    let versus_sequential = paired_ratios(
        &times(runs, Who::Reference, false),
        &times(runs, Who::Student, true),
    );
    let (student, reference) = (median(&s)?, median(&r)?);
    let rule = Rule::new(full_at, reference);
    let many = |who: Who| -> Vec<&Run> {
        runs.iter()
            .filter(|r| r.who == who && r.workers > 1)
            .collect()
    };
    let (mine, theirs) = (many(Who::Student), many(Who::Reference));
    let evidence = Evidence {
        parallelism: median_of(&mine, |r| r.evidence().parallelism),
        busy_processes: median_of(&mine, |r| r.busy_processes as f64).floor() as usize,
        overlap: median_of(&mine, |r| r.overlap),
    };
    let reference_parallelism = median_of(&theirs, |r| r.evidence().parallelism);
    let (low, high) = (quantile(&s, 0.25)?, quantile(&s, 0.75)?);
    let strict = Rule::new(full_at, quantile(&r, 0.75)?);
    let generous = Rule::new(full_at, quantile(&r, 0.25)?);
    // Sequential work is not uncertain whatever its clock says: it has no evidence.
    let saturated = reference_parallelism < estimate::SATURATED;
    let clearly_slower = high < generous.full.min(estimate::ZERO_AT);
    let uncertain = evidence.parallel(reference_parallelism)
        && !clearly_slower
        && (saturated || rule.degenerate() || estimate::crosses(&strict, &generous, low, high));
    Some(Estimate {
        student,
        reference,
        versus_reference: median(&versus)?,
        versus_sequential: median(&versus_sequential)?,
        // The benefit of the doubt: the student's high quartile against the lowest bar.
        rule: if uncertain { generous } else { rule },
        evidence,
        reference_parallelism,
        uncertain,
        clearly_slower,
        scored: if uncertain { high } else { student },
    })
}

impl Estimate {
    /// As fast as the reference's P-worker run, within CS149's margin (a faster algorithm is
    /// not penalised for a lower ratio). The second bound keeps it honest on a saturated
    /// machine, where the reference's P-worker run is no faster than its 1-worker run and a
    /// sequential program would match it: it must also beat the reference's 1-worker time
    /// by a clear margin. Processes are not re-checked (the stress phase's checks did that):
    /// a call this fast is too short for the sampler (a 40 ms sieve shows no process at
    /// all), and demanding it failed a correct solution.
    fn fast_outright(&self) -> bool {
        self.versus_reference >= 1.0 / estimate::ABSOLUTE_FULL
            && self.versus_sequential >= estimate::OUTRIGHT_OVER_SEQUENTIAL
    }

    /// The reference itself showed no speedup in this run (a loaded machine): clocks cannot
    /// tell anything apart now, so evidence of overlapping work decides.
    fn blind(&self) -> bool {
        self.rule.degenerate() || self.reference_parallelism < estimate::SATURATED
    }

    fn fraction(&self) -> f64 {
        if self.fast_outright() {
            return 1.0;
        }
        match (
            self.evidence.parallel(self.reference_parallelism),
            self.blind(),
        ) {
            (false, _) => 0.0,
            (true, true) if self.clearly_slower => 0.0,
            (true, true) => 1.0,
            (true, false) => self.rule.fraction(self.scored),
        }
    }
}

/// Measures and scores. `Err` is the grader's failure; a student's failed call is a score.
pub fn score(bench: &Bench, max_score: u32, lang: Lang) -> crate::error::Result<Speedup> {
    let spec = bench.spec;
    let full_at = spec.full_at.0;
    let more = |runs: &[Run]| match estimate(runs, full_at) {
        Some(e) => e.uncertain && !e.fast_outright(),
        None => true,
    };
    let runs = match bench.run(
        spec.repetitions.0 as usize,
        spec.max_repetitions.0 as usize,
        &more,
    )? {
        Ok(runs) => runs,
        Err(f) => return Ok(Speedup::failed(&f, bench.cpus, max_score, lang)),
    };
    let e = estimate(&runs, full_at).ok_or_else(|| {
        crate::error::Error::Internal("speedup: no complete repetition was measured".into())
    })?;
    let evidence = e.evidence.parallel(e.reference_parallelism);
    let fraction = e.fraction();
    let uncertain = e.uncertain && !e.fast_outright();
    let score = (fraction * max_score as f64).round() as u32;
    let repetitions = runs.iter().map(|r| r.repetition).max().unwrap_or(0);
    let args = [
        ("p", bench.cpus.to_string()),
        ("s", format!("{:.2}", e.student)),
        ("cpu", format!("{:.1}", e.evidence.parallelism)),
        ("r", format!("{:.2}", e.reference)),
        ("full", format!("{:.2}", e.rule.full)),
        ("busy", e.evidence.busy_processes.to_string()),
        ("reps", repetitions.to_string()),
        (
            "versus",
            format!("{:.2}", 1.0 / e.versus_reference.max(1e-9)),
        ),
    ];
    let mut message = tf(lang, "speedup.measured", &args);
    if e.fast_outright() {
        message = format!("{message} {}", tf(lang, "speedup.outright", &args));
    } else if !evidence {
        message = format!("{message} {}", tf(lang, "speedup.no_evidence", &args));
    }
    if uncertain {
        message = format!("{message} {}", tf(lang, "speedup.uncertain", &args));
    }
    let hint = (score < max_score).then(|| hint(&runs, &e, bench.cpus, lang));
    Ok(Speedup {
        status: Status::Measured,
        student: Some(e.student),
        reference: Some(e.reference),
        full_at: Some(e.rule.full),
        student_parallelism: Some(e.evidence.parallelism),
        reference_parallelism: Some(e.reference_parallelism),
        student_busy_processes: Some(e.evidence.busy_processes),
        evidence,
        cpus: bench.cpus,
        repetitions,
        score,
        max_score,
        uncertain,
        message,
        hint,
        runs,
        failed: None,
    })
}

/// The likeliest reason, from what the kernel saw of the student's P-worker runs.
fn hint(runs: &[Run], e: &Estimate, cpus: usize, lang: Lang) -> String {
    let seen: Vec<f64> = runs
        .iter()
        .filter(|r| r.who == Who::Student && r.workers > 1)
        .map(|r| r.processes as f64)
        .collect();
    let processes = median(&seen).unwrap_or(0.0).round() as usize;
    let key = if processes <= 1 {
        "speedup.hint.one_process"
    } else if e.evidence.busy_processes <= 1 {
        "speedup.hint.one_worker"
    } else if processes > 2 * cpus + 2 || e.student < 1.0 {
        "speedup.hint.overhead"
    } else {
        "speedup.hint.low"
    };
    tf(
        lang,
        key,
        &[("procs", processes.to_string()), ("p", cpus.to_string())],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One repetition: (student 1-worker, student P, reference 1-worker, reference P) times,
    /// with the student's and the reference's P-worker evidence.
    fn rep(
        i: usize,
        t: [f64; 4],
        student: (f64, usize, f64),
        reference: (f64, usize, f64),
    ) -> Vec<Run> {
        let run = |who, workers, wall_s: f64, (par, busy, overlap): (f64, usize, f64)| Run {
            who,
            workers,
            repetition: i,
            wall_s,
            cpu_s: wall_s * par,
            busy_processes: busy,
            processes: busy + 1,
            overlap,
        };
        let seq = (1.0, 1, 0.0);
        vec![
            run(Who::Student, 1, t[0], seq),
            run(Who::Student, 2, t[1], student),
            run(Who::Reference, 1, t[2], seq),
            run(Who::Reference, 2, t[3], reference),
        ]
    }

    const PAR: (f64, usize, f64) = (1.7, 2, 0.8);
    const TURNS: (f64, usize, f64) = (1.0, 2, 0.04);

    fn runs(
        times: &[[f64; 4]],
        student: (f64, usize, f64),
        reference: (f64, usize, f64),
    ) -> Vec<Run> {
        times
            .iter()
            .enumerate()
            .flat_map(|(i, &t)| rep(i + 1, t, student, reference))
            .collect()
    }

    #[test]
    fn the_reference_against_itself_gets_full_marks() {
        let r = runs(
            &[
                [1.1, 0.62, 1.1, 0.64],
                [1.0, 0.66, 1.05, 0.6],
                [1.1, 0.6, 1.0, 0.62],
            ],
            PAR,
            PAR,
        );
        let e = estimate(&r, 0.8).unwrap();
        assert!(!e.uncertain);
        assert_eq!(e.fraction(), 1.0);
    }

    #[test]
    fn workers_taking_turns_score_nothing_whatever_the_clock_says() {
        // A lucky clock: 1.3x for the student; no overlap, so no evidence.
        let r = runs(
            &[
                [1.3, 1.0, 1.1, 0.62],
                [1.3, 1.0, 1.05, 0.6],
                [1.3, 1.0, 1.0, 0.62],
            ],
            TURNS,
            PAR,
        );
        let e = estimate(&r, 0.8).unwrap();
        assert!(!e.evidence.parallel(e.reference_parallelism));
        assert_eq!(e.fraction(), 0.0);
    }

    #[test]
    fn a_partial_speedup_is_scored_linearly() {
        // Student 1.2x, reference 1.8x: full marks from 1.44x, so (1.2 - 1) / 0.44. The
        // student is also twice as slow as the reference outright, so no shortcut applies.
        let t = [2.4, 2.0, 1.8, 1.0];
        let r = runs(&[t, t, t], PAR, PAR);
        let e = estimate(&r, 0.8).unwrap();
        assert!((e.fraction() - 0.2 / 0.44).abs() < 1e-6, "{}", e.fraction());
    }

    #[test]
    fn a_blind_clock_gives_no_benefit_to_a_run_slowed_down_by_its_processes() {
        // The reference sped up only 1.25x this time (full marks would start at 1.0x, so the
        // clock is blind), while the student's two busy, overlapping processes ran at 0.64x:
        // a lock taken every few values. Seen once in 40 checks of 06 pool_batches_pickled.
        let t = [
            [7.0, 11.0, 0.85, 0.68],
            [7.2, 11.2, 0.86, 0.69],
            [6.9, 10.9, 0.84, 0.67],
        ];
        let e = estimate(&runs(&t, PAR, PAR), 0.8).unwrap();
        assert!(e.blind() && e.clearly_slower && !e.uncertain);
        assert_eq!(e.fraction(), 0.0);
        // The reference itself at 1.0x on a saturated machine: a correct program there may
        // measure 0.9x, within the noise, and keeps the benefit of the doubt.
        let t = [
            [1.0, 1.1, 1.0, 1.0],
            [1.0, 1.05, 1.0, 1.02],
            [1.0, 1.12, 1.0, 0.98],
        ];
        let loaded = (1.05, 2, 0.6);
        let e = estimate(&runs(&t, loaded, loaded), 0.8).unwrap();
        assert!(e.blind() && !e.clearly_slower && e.uncertain);
        assert_eq!(e.fraction(), 1.0);
    }

    #[test]
    fn on_a_saturated_machine_overlap_decides_and_says_uncertain() {
        let loaded = (1.0, 2, 0.6);
        let t = [
            [1.7, 1.7, 1.7, 1.7],
            [1.8, 1.7, 1.7, 1.8],
            [1.7, 1.8, 1.8, 1.7],
        ];
        let e = estimate(&runs(&t, loaded, loaded), 0.8).unwrap();
        assert!(e.blind() && e.uncertain);
        assert_eq!(e.fraction(), 1.0);
        let e = estimate(&runs(&t, TURNS, loaded), 0.8).unwrap();
        assert_eq!(e.fraction(), 0.0);
    }

    #[test]
    fn a_faster_algorithm_is_not_penalised_for_a_low_ratio() {
        // 0.1 s with 2 workers against the reference's 0.6 s: full marks outright.
        let quick = (0.9, 1, 0.0);
        let r = runs(
            &[
                [0.11, 0.1, 1.1, 0.6],
                [0.1, 0.1, 1.0, 0.62],
                [0.1, 0.09, 1.1, 0.6],
            ],
            quick,
            PAR,
        );
        let e = estimate(&r, 0.8).unwrap();
        assert!(e.fast_outright());
        assert_eq!(e.fraction(), 1.0);
        // As slow as the reference's P-worker run but sequential on a saturated machine: no.
        let loaded = (1.0, 2, 0.6);
        let t = [
            [1.7, 1.7, 1.7, 1.7],
            [1.7, 1.7, 1.7, 1.7],
            [1.7, 1.7, 1.7, 1.7],
        ];
        let e = estimate(&runs(&t, TURNS, loaded), 0.8).unwrap();
        assert!(!e.fast_outright());
    }
}
