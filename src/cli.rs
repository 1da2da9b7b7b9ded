//! Command-line definitions (clap).

use crate::i18n::Lang;
use crate::report::Format;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "carrera",
    version,
    about = "Grades Python multiprocessing exercises: exposes races and deadlocks, never fails a correct solution"
)]
pub struct Cli {
    /// Folder of exercises (default: `exercises/` next to the binary, else the built-in ones).
    #[arg(long, global = true, value_name = "DIR")]
    pub exercises: Option<PathBuf>,
    /// Python interpreter to run submissions with.
    #[arg(long, global = true, env = "CARRERA_PYTHON", value_name = "PATH")]
    pub python: Option<PathBuf>,
    /// Language of the feedback (default from LANG, else English).
    #[arg(long, global = true, value_enum)]
    pub lang: Option<Lang>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Grade one student file.
    Grade(GradeArgs),
    /// List the exercises, one per line.
    List,
    /// Print an exercise's statement.
    Show { exercise: String },
    /// Grade every reference solution and buggy variant; fail unless each gets its declared verdict.
    Check(CheckArgs),
}

#[derive(Debug, Args)]
pub struct StressArgs {
    /// Seed for the perturbation profiles (decimal or 0x-hex); random when omitted.
    #[arg(long, value_parser = parse_seed)]
    pub seed: Option<u64>,
    /// Bound the stress phase by wall-clock seconds.
    #[arg(long, value_name = "SECONDS", conflicts_with = "runs", value_parser = parse_budget)]
    pub budget: Option<f64>,
    /// Bound the stress phase by number of trials.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub runs: Option<u64>,
    /// Keep the trial workspaces (for debugging carrera).
    #[arg(long, hide = true)]
    pub keep: bool,
}

#[derive(Debug, Args)]
pub struct GradeArgs {
    /// Exercise id (`04-lock`), number (`4`) or folder.
    pub exercise: String,
    /// The student's Python file.
    pub submission: PathBuf,
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Write the report to this file instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Run only this perturbation profile (as printed in a failure report).
    #[arg(long, value_name = "PROFILE")]
    pub profile: Option<String>,
    #[command(flatten)]
    pub stress: StressArgs,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Exercises to check (default: all).
    #[arg(value_name = "EXERCISE")]
    pub ids: Vec<String>,
    #[command(flatten)]
    pub stress: StressArgs,
}

fn parse_seed(s: &str) -> Result<u64, String> {
    let r = match s.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => s.parse(),
    };
    r.map_err(|_| format!("`{s}` is not a 64-bit unsigned number"))
}

fn parse_budget(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if x.is_finite() && x > 0.0 && x <= 86_400.0 => Ok(x),
        _ => Err(format!(
            "`{s}` is not a number of seconds between 0 and 86400"
        )),
    }
}
