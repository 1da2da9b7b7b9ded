//! Command-line definitions (clap).

use crate::i18n::Lang;
use crate::report::Format;
use clap::{ArgAction, Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "carrera",
    about = "Grades Python multiprocessing exercises: exposes races and deadlocks, never fails a correct solution",
    // `--version` also names the git commit and the Python found, which clap's cannot.
    disable_version_flag = true
)]
pub struct Cli {
    /// Print the version, the git commit and the Python interpreter carrera would use.
    #[arg(short = 'V', long, action = ArgAction::SetTrue)]
    pub version: bool,
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
    pub command: Option<Command>,
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
    /// Grade a class folder (one .py file or folder per student) into OUTDIR: grades.csv,
    /// results.jsonl, junit.xml, report.html and each student's feedback.
    Batch(BatchArgs),
    /// Combine the OUTDIRs of `batch --shard 1/N` ... `N/N` into one.
    Merge(MergeArgs),
    /// Build the zip Gradescope expects (setup.sh, run_autograder) for one exercise.
    GradescopePackage(PackageArgs),
    /// Start an exercise: copy its starter file and statement into DIR.
    Init(InitArgs),
    /// Ask a failing result's question again (from `grade --json FILE`), then reveal the
    /// answer and why.
    Explain {
        /// A result saved with `grade --json FILE` or `--format json`.
        result: PathBuf,
    },
    /// Print a shell completion script (e.g. `carrera completions bash > ~/.local/share/bash-completion/completions/carrera`).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Exercise id (`04-lock`), number (`4`) or folder.
    pub exercise: String,
    /// Where to put the files (default: a folder named after the exercise). Existing files
    /// are never overwritten.
    pub dir: Option<PathBuf>,
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
    /// Start every trial as a fresh interpreter instead of a fork of a warm one (slower;
    /// for comparison, or if the warm server misbehaves).
    #[arg(long)]
    pub cold: bool,
}

#[derive(Debug, Args)]
pub struct GradeArgs {
    /// Exercise id (`04-lock`), number (`4`) or folder.
    pub exercise: String,
    /// The student's Python file, or a folder holding it (found as `batch` does).
    #[arg(default_value = ".")]
    pub submission: PathBuf,
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Write the report to this file instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also write the HTML feedback page to this file.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Also write a JUnit XML report to this file (one test case per check).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Also write the JSON result to this file (what `carrera explain` reads).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Run only this perturbation profile (as printed in a failure report).
    #[arg(long, value_name = "PROFILE")]
    pub profile: Option<String>,
    /// Also show, in the text report, a timeline of what the processes did in one trial.
    #[arg(short, long)]
    pub verbose: bool,
    /// Program exercises: the script to run, relative to the submission folder (default:
    /// the exercise's entry names, then the first `python3 X.py` in the README).
    #[arg(long, value_name = "SCRIPT")]
    pub entry: Option<String>,
    /// Program exercises: report failures seen under the fast clock without the slower run
    /// that confirms them (quicker, but a timing artefact could be reported).
    #[arg(long)]
    pub no_confirm: bool,
    #[command(flatten)]
    pub stress: StressArgs,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Exercises to check (default: all).
    #[arg(value_name = "EXERCISE")]
    pub ids: Vec<String>,
    /// Also write each grading's feedback page and JSON result to DIR/<exercise>/<file>.html
    /// and .json (a gallery of every verdict's feedback).
    #[arg(long, value_name = "DIR")]
    pub feedback: Option<PathBuf>,
    /// Program exercises: declared verdicts must hold under the fast clock alone, without
    /// the slower runs that confirm failures (minutes of real time).
    #[arg(long)]
    pub no_confirm: bool,
    #[command(flatten)]
    pub stress: StressArgs,
}

#[derive(Debug, Args)]
pub struct BatchArgs {
    /// Exercise id (`04-lock`), number (`4`) or folder.
    pub exercise: String,
    /// The class folder (one .py file or one folder per student), or a zip of it.
    pub dir: PathBuf,
    /// Where the results go (created; must be empty or hold this batch with --resume).
    #[arg(long, value_name = "OUTDIR")]
    pub out: PathBuf,
    /// Submissions graded at once, at most the CPUs. Default 1: each grading already runs
    /// its trials on every CPU, and more at once risks false hangs (docs/batch.md).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=64))]
    pub jobs: Option<u64>,
    /// Grade only the K-th of N deterministic subsets (combine them with `carrera merge`).
    #[arg(long, value_name = "K/N", value_parser = crate::batch::shard::Shard::parse)]
    pub shard: Option<crate::batch::shard::Shard>,
    /// Continue a batch in OUTDIR: grade only the submissions that have no result yet.
    #[arg(long)]
    pub resume: bool,
    #[command(flatten)]
    pub stress: StressArgs,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The OUTDIRs of every shard.
    #[arg(required = true, value_name = "OUTDIR")]
    pub dirs: Vec<PathBuf>,
    /// Where the combined results go (created; must be empty).
    #[arg(long, value_name = "OUTDIR")]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct PackageArgs {
    /// Exercise id (`04-lock`), number (`4`) or folder.
    pub exercise: String,
    /// The zip to write.
    #[arg(long, value_name = "ZIP", default_value = "autograder.zip")]
    pub out: PathBuf,
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
