//! Progress of a batch on stderr: a bar on a terminal (done/total, failing so far, time
//! left), one plain line per submission otherwise (CI logs, Slurm output files).

use crate::report::class::Row;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::time::Instant;

pub struct Progress {
    bar: Option<ProgressBar>,
    total: usize,
    done: usize,
    failing: usize,
    graded: usize,
    start: Instant,
}

impl Progress {
    /// `kept`: rows from an earlier run that count as done already.
    pub fn new(total: usize, kept: &[Row]) -> Progress {
        let failing = kept.iter().filter(|r| !r.passed()).count();
        let bar = std::io::stderr().is_terminal().then(|| {
            let b = ProgressBar::new(total as u64);
            b.set_style(
                ProgressStyle::with_template(
                    "{bar:30} {pos}/{len} · {msg} · {elapsed} elapsed, ~{eta} left",
                )
                .expect("a valid template"),
            );
            b.set_position(kept.len() as u64);
            b.set_message(format!("{failing} failing"));
            b
        });
        Progress {
            bar,
            total,
            done: kept.len(),
            failing,
            graded: 0,
            start: Instant::now(),
        }
    }

    pub fn finished(&mut self, row: &Row, seconds: f64) {
        self.done += 1;
        self.graded += 1;
        if !row.passed() {
            self.failing += 1;
        }
        let line = format!(
            "[{}/{}] {}: {} {}/{} ({seconds:.1} s)",
            self.done, self.total, row.name, row.verdict, row.score, row.max_score
        );
        match &self.bar {
            Some(b) => {
                b.println(line);
                b.inc(1);
                b.set_message(format!("{} failing", self.failing));
            }
            None => {
                // Time left at this run's pace (wall time per submission, all jobs
                // together); kept rows cost nothing and do not count.
                let per = self.start.elapsed().as_secs_f64() / self.graded as f64;
                let left = per * (self.total - self.done) as f64;
                eprintln!("{line} · {} failing · ~{left:.0} s left", self.failing);
            }
        }
    }

    pub fn close(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}
