//! CLI only: parse arguments, call the library, map results to exit codes
//! (0 pass, 1 a check failed, 2 usage/configuration/internal error).

use carrera::cli::{Cli, Command, StressArgs};
use carrera::error::{Error, IoContext, Result};
use carrera::exercise::Catalog;
use carrera::grade::{self, Context, Options};
use carrera::i18n::Lang;
use carrera::report;
use carrera::submission::Submission;
use carrera::trial::Perturbation;
use carrera::verdict::Verdict;
use clap::Parser;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::Duration;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("carrera: error: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<u8> {
    let lang = cli.lang.unwrap_or_else(Lang::from_env);
    let catalog = Catalog::open(cli.exercises.as_deref())?;
    match cli.command {
        Command::List => {
            for ex in catalog.all()? {
                println!("{:<24} {}", ex.id(), ex.spec.title.get(lang));
            }
            Ok(0)
        }
        Command::Show { exercise } => {
            print!("{}", catalog.get(&exercise)?.statement(lang)?);
            Ok(0)
        }
        Command::Grade(args) => {
            let ex = catalog.get(&args.exercise)?;
            let sub = Submission::open(&args.submission)?;
            let profile = args
                .profile
                .as_deref()
                .map(Perturbation::parse)
                .transpose()
                .map_err(Error::Usage)?;
            let opts = options(&args.stress, lang, profile);
            let python = carrera::python::find(cli.python.as_deref())?;
            let ctx = Context::new(python, args.stress.keep)?;
            let g = grade::grade(&ctx, &ex, &sub, &opts)?;
            let color = args.output.is_none()
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none();
            let text = report::exporter(args.format, color).render(&g);
            match &args.output {
                Some(path) => write_atomically(path, &text)?,
                None => print!("{text}"),
            }
            Ok(if g.verdict == Verdict::Pass { 0 } else { 1 })
        }
        Command::Check(args) => {
            let exercises = if args.ids.is_empty() {
                catalog.all()?
            } else {
                args.ids
                    .iter()
                    .map(|e| catalog.get(e))
                    .collect::<Result<Vec<_>>>()?
            };
            let mut stress = args.stress;
            // Fixed by default so that `check` is deterministic in CI.
            stress.seed.get_or_insert(1);
            let opts = options(&stress, lang, None);
            let python = carrera::python::find(cli.python.as_deref())?;
            let ctx = Context::new(python, stress.keep)?;
            let mut bad = 0;
            for ex in &exercises {
                let lines = carrera::check::run(&ctx, ex, &opts, |l| {
                    let ok = l.got == l.expected;
                    println!(
                        "{} {}  expected {}, got {}  ({} trials, {:.1} s)",
                        if ok { "ok  " } else { "FAIL" },
                        l.path.display(),
                        l.expected,
                        l.got,
                        l.trials,
                        l.seconds
                    );
                    let _ = std::io::stdout().flush();
                })?;
                bad += lines.iter().filter(|l| l.got != l.expected).count();
            }
            println!("check: {} mismatched verdicts", bad);
            Ok(if bad == 0 { 0 } else { 1 })
        }
    }
}

fn options(s: &StressArgs, lang: Lang, profile: Option<Perturbation>) -> Options {
    Options {
        seed: s.seed.unwrap_or_else(random_seed),
        runs: s.runs,
        budget: s.budget.map(Duration::from_secs_f64),
        profile,
        lang,
        keep: s.keep,
    }
}

fn random_seed() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    carrera::trial::mix(nanos, std::process::id() as u64) % 1_000_000_000
}

/// Writes next to the target and renames, so a failure never leaves half a report.
fn write_atomically(path: &std::path::Path, text: &str) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let mut tmp =
        tempfile::NamedTempFile::new_in(dir).ctx(|| format!("writing {}", path.display()))?;
    tmp.write_all(text.as_bytes())
        .ctx(|| format!("writing {}", path.display()))?;
    tmp.persist(path)
        .map_err(|e| Error::io(format!("writing {}", path.display()), e.error))?;
    Ok(())
}
