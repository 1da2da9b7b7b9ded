//! From timed runs to a score: paired ratios, their spread, the evidence of parallel work,
//! and the band the student's speedup falls in. Pure functions, so they are unit-tested.

/// One repetition's paired ratio: the 1-worker time over the P-worker time, same program.
pub fn paired_ratios(one: &[f64], many: &[f64]) -> Vec<f64> {
    one.iter()
        .zip(many)
        .filter(|(_, &p)| p > 0.0)
        .map(|(&s, &p)| s / p)
        .collect()
}

/// The q-quantile (0..=1) by linear interpolation; `None` for no data.
pub fn quantile(xs: &[f64], q: f64) -> Option<f64> {
    let mut v: Vec<f64> = xs.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let pos = q.clamp(0.0, 1.0) * (v.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    Some(v[lo] + (v[hi] - v[lo]) * (pos - lo as f64))
}

pub fn median(xs: &[f64]) -> Option<f64> {
    quantile(xs, 0.5)
}

/// The rule that turns a speedup into a fraction of the marks.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// Speedup at and above which the marks are full (a fraction of the reference's).
    pub full: f64,
}

/// No speedup: at or below this, zero marks.
pub const ZERO_AT: f64 = 1.0;

impl Rule {
    pub fn new(full_at: f64, reference: f64) -> Rule {
        Rule {
            full: full_at * reference,
        }
    }

    /// The reference itself barely sped up: this machine cannot show speedup right now.
    pub fn degenerate(&self) -> bool {
        self.full <= ZERO_AT + 0.02
    }

    /// 0 at or below 1.0x, 1 at or above `full`, linear between. A degenerate rule (the
    /// reference barely sped up) scores nothing by itself: the caller decides on evidence.
    pub fn fraction(&self, speedup: f64) -> f64 {
        if self.degenerate() {
            return if speedup > ZERO_AT { 1.0 } else { 0.0 };
        }
        ((speedup - ZERO_AT) / (self.full - ZERO_AT)).clamp(0.0, 1.0)
    }
}

/// The bands are "nothing", "partial" and "full". The estimate is uncertain when the student's
/// low quartile under the strictest bar (from the reference's high quartile) and the student's
/// high quartile under the most generous bar (the reference's low quartile) fall in different
/// bands: both programs' noise can move the score across a boundary.
pub fn crosses(strict: &Rule, generous: &Rule, low: f64, high: f64) -> bool {
    band(strict.fraction(low)) != band(generous.fraction(high))
}

fn band(fraction: f64) -> u8 {
    if fraction <= 0.0 {
        0
    } else if fraction >= 1.0 {
        2
    } else {
        1
    }
}

/// Evidence that the P-worker run computed in parallel, from what the kernel counted.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Evidence {
    /// CPU seconds over wall seconds: the CPUs used on average.
    pub parallelism: f64,
    /// Processes that each used at least `BUSY_SHARE` of the wall time in CPU.
    pub busy_processes: usize,
    /// Share of the busy sampling windows in which two or more processes were busy.
    pub overlap: f64,
}

/// A process did real work if it computed for at least this share of the timed window.
pub const BUSY_SHARE: f64 = 0.1;
/// Work overlapped in time if two processes were busy together in this share of the windows.
pub const OVERLAP: f64 = 0.25;
/// Below this many CPUs used on average by the reference's P-worker runs, the machine is too
/// loaded for CPU/wall to tell anything apart.
pub const SATURATED: f64 = 1.2;

impl Evidence {
    /// Work in at least two processes at the same time, and clearly more than one CPU used on
    /// average: at least a quarter of the reference's excess over one CPU in the same run (a
    /// loaded machine gives both less), never below 1.1. On a saturated machine only the
    /// overlap counts. A gate against sequential work, not a score: partial parallelism
    /// passes it and is scored by its speedup.
    pub fn parallel(&self, reference_parallelism: f64) -> bool {
        let together = self.busy_processes >= 2 && self.overlap >= OVERLAP;
        if reference_parallelism < SATURATED {
            return together;
        }
        together && self.parallelism >= (1.0 + (reference_parallelism - 1.0) / 4.0).max(1.1)
    }
}

/// CS149's rule, for solutions that are simply faster: full marks when the student's P-worker
/// time is within this factor of the reference's P-worker time, whatever the ratio.
pub const ABSOLUTE_FULL: f64 = 1.2;
/// ...and at least this much faster than the reference's 1-worker time.
pub const OUTRIGHT_OVER_SEQUENTIAL: f64 = 1.5;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate_and_ignore_nan() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[1.0, 2.0, 3.0, 4.0]), Some(2.5));
        assert_eq!(quantile(&[1.0, 2.0, 3.0, 4.0, 5.0], 0.25), Some(2.0));
        assert_eq!(median(&[f64::NAN, 4.0]), Some(4.0));
        assert_eq!(median(&[]), None);
    }

    #[test]
    fn paired_ratios_pair_each_repetition() {
        assert_eq!(paired_ratios(&[2.0, 3.0], &[1.0, 2.0]), vec![2.0, 1.5]);
        assert_eq!(paired_ratios(&[2.0], &[0.0]), Vec::<f64>::new());
    }

    #[test]
    fn score_is_zero_at_one_full_at_the_fraction_of_the_reference_and_linear_between() {
        let r = Rule::new(0.8, 2.0); // full marks from 1.6x
        assert_eq!(r.full, 1.6);
        assert_eq!(r.fraction(0.9), 0.0);
        assert_eq!(r.fraction(1.0), 0.0);
        assert!((r.fraction(1.3) - 0.5).abs() < 1e-9);
        assert_eq!(r.fraction(1.6), 1.0);
        assert_eq!(r.fraction(2.5), 1.0);
    }

    #[test]
    fn a_spread_across_a_band_boundary_is_uncertain() {
        let r = Rule::new(0.8, 1.75);
        assert!(crosses(&r, &r, 1.3, 1.5)); // partial vs full
        assert!(crosses(&r, &r, 0.95, 1.1)); // nothing vs partial
        assert!(!crosses(&r, &r, 1.45, 1.8));
        assert!(!crosses(&r, &r, 1.1, 1.3));
        // A steady student, a noisy reference: the bar itself moves across the student.
        let (strict, generous) = (Rule::new(0.8, 2.0), Rule::new(0.8, 1.6));
        assert!(crosses(&strict, &generous, 1.38, 1.4));
        assert!(!crosses(&strict, &generous, 1.7, 1.8));
    }

    #[test]
    fn a_reference_without_speedup_makes_the_rule_degenerate() {
        let r = Rule::new(0.8, 1.2);
        assert!(r.degenerate());
        assert_eq!(r.fraction(1.01), 1.0);
        assert_eq!(r.fraction(0.99), 0.0);
    }

    fn ev(parallelism: f64, busy_processes: usize, overlap: f64) -> Evidence {
        Evidence {
            parallelism,
            busy_processes,
            overlap,
        }
    }

    #[test]
    fn evidence_needs_overlapping_busy_processes_and_more_than_one_cpu() {
        let seq = ev(1.0, 1, 0.0);
        let in_turn = ev(1.02, 2, 0.05); // workers one after another
        let par = ev(1.7, 3, 0.9);
        assert!(!seq.parallel(1.8));
        assert!(!in_turn.parallel(1.8));
        assert!(par.parallel(1.8));
        // Under load the reference got 1.33 CPUs: the bar is the floor, 1.1.
        assert!(ev(1.3, 2, 0.8).parallel(1.33));
        // A quarter of the reference's excess: 1.225 against 1.9.
        assert!(ev(1.3, 2, 0.8).parallel(1.9));
        assert!(!ev(1.2, 2, 0.8).parallel(1.9));
        // Saturated: the reference itself used 1.05 CPUs; overlap still tells them apart.
        assert!(ev(1.0, 2, 0.8).parallel(1.05));
        assert!(!in_turn.parallel(1.05));
        assert!(!seq.parallel(1.05));
    }
}
