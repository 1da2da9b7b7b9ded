//! CLI only: parse arguments, call the library, map results to exit codes
//! (0 pass, 1 a check failed, 2 usage/configuration/internal error).

use carrera::batch::{self, discover};
use carrera::cli::{Cli, Command, StressArgs};
use carrera::error::{Error, Result};
use carrera::exercise::Catalog;
use carrera::grade::{self, Context, Options};
use carrera::i18n::Lang;
use carrera::report;
use carrera::submission::Submission;
use carrera::trial::Perturbation;
use carrera::verdict::Verdict;
use clap::{CommandFactory, Parser};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::Duration;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if let [_, arg, grader] = &args[..] {
        if arg == carrera::sandbox::REAPER_ARG {
            if let Ok(pid) = grader.parse() {
                carrera::sandbox::reap(pid);
            }
            return ExitCode::SUCCESS;
        }
    }
    let cli = Cli::parse();
    // What the run leaves in cgroups, /tmp and /dev/shm, the reaper removes when it ends.
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
    if cli.version {
        return Ok(version(cli.python.as_deref()));
    }
    let Some(command) = cli.command else {
        let _ = Cli::command().print_help();
        return Ok(2);
    };
    if let Command::Completions { shell } = command {
        clap_complete::generate(
            shell,
            &mut Cli::command(),
            "carrera",
            &mut std::io::stdout(),
        );
        return Ok(0);
    }
    if let Command::Explain { result } = &command {
        let stdin = std::io::stdin();
        carrera::explain::explain(result, &mut stdin.lock(), &mut std::io::stdout())?;
        return Ok(0);
    }
    let catalog = Catalog::open(cli.exercises.as_deref())?;
    match command {
        Command::Explain { .. } => unreachable!("handled above"),
        Command::Completions { .. } => unreachable!("handled above"),
        Command::Init(args) => {
            let ex = catalog.get(&args.exercise)?;
            let dir = args.dir.unwrap_or_else(|| ex.id().into());
            for f in carrera::init::init(&ex, &dir)? {
                println!("wrote {}", f.display());
            }
            println!(
                "next: cd {} && carrera grade {}",
                shell_word(&dir.display().to_string()),
                ex.id()
            );
            Ok(0)
        }
        Command::List => {
            for ex in catalog.all()? {
                println!("{:<24} {}", ex.id(), ex.spec.title.get(lang));
            }
            for ex in catalog.programs()? {
                println!("{:<24} {} (program)", ex.id(), ex.spec.title.get(lang));
            }
            Ok(0)
        }
        Command::Show { exercise } => {
            print!("{}", catalog.get(&exercise)?.statement(lang)?);
            Ok(0)
        }
        Command::Grade(args) => {
            if let Some(ex) = catalog.get_program(&args.exercise)? {
                return grade_program(&ex, &args, cli.python.as_deref(), lang);
            }
            let ex = catalog.get(&args.exercise)?;
            let file = if args.submission.is_dir() {
                let wanted = &ex.spec.submission.file;
                discover::entry_file(&args.submission, wanted).map_err(|why| {
                    Error::Usage(format!(
                        "{}: {why} (start one with `carrera init {}`, or name the file)",
                        args.submission.display(),
                        ex.id()
                    ))
                })?
            } else {
                args.submission.clone()
            };
            let sub = Submission::open(&file)?;
            let profile = args
                .profile
                .as_deref()
                .map(Perturbation::parse)
                .transpose()
                .map_err(Error::Usage)?;
            let opts = options(&args.stress, lang, profile);
            let python = carrera::python::find(cli.python.as_deref())?;
            let ctx = Context::new(python, args.stress.keep, !args.stress.cold)?;
            let g = grade::grade(&ctx, &ex, &sub, &opts)?;
            let color = args.output.is_none()
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none();
            let mut text = report::exporter(args.format, color).render(&g);
            if args.verbose && args.format == report::Format::Text {
                if let Some(tl) = &g.picture.timeline {
                    text.push('\n');
                    text.push_str(&carrera::picture::term::timeline(tl, lang));
                }
            }
            match &args.output {
                Some(path) => carrera::output::write_atomically(path, &text)?,
                None => print!("{text}"),
            }
            for (path, format) in [
                (&args.html, report::Format::Html),
                (&args.junit, report::Format::Junit),
                (&args.json, report::Format::Json),
            ] {
                if let Some(path) = path {
                    carrera::output::write_atomically(
                        path,
                        &report::exporter(format, false).render(&g),
                    )?;
                }
            }
            Ok(if g.verdict == Verdict::Pass { 0 } else { 1 })
        }
        Command::Check(args) => {
            let (exercises, programs) = if args.ids.is_empty() {
                (catalog.all()?, catalog.programs()?)
            } else {
                let (mut f, mut p) = (Vec::new(), Vec::new());
                for e in &args.ids {
                    match catalog.get_program(e)? {
                        Some(x) => p.push(x),
                        None => f.push(catalog.get(e)?),
                    }
                }
                (f, p)
            };
            let mut stress = args.stress;
            // Fixed by default so that `check` is deterministic in CI.
            stress.seed.get_or_insert(1);
            let opts = options(&stress, lang, None);
            let python = carrera::python::find(cli.python.as_deref())?;
            let ctx = Context::new(python, stress.keep, !stress.cold)?;
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
                if let Some(dir) = &args.feedback {
                    for l in &lines {
                        let stem = l.path.file_stem().unwrap_or_default().to_string_lossy();
                        let folder = dir.join(ex.id());
                        std::fs::create_dir_all(&folder)
                            .map_err(|e| Error::io(format!("creating {}", folder.display()), e))?;
                        let base = folder.join(stem.as_ref());
                        for (ext, format) in [
                            ("html", report::Format::Html),
                            ("json", report::Format::Json),
                        ] {
                            carrera::output::write_atomically(
                                &base.with_extension(ext),
                                &report::exporter(format, false).render(&l.grade),
                            )?;
                        }
                    }
                }
                bad += lines.iter().filter(|l| l.got != l.expected).count();
            }
            for ex in &programs {
                let ctx = Context::new(
                    carrera::python::find(cli.python.as_deref())?,
                    stress.keep,
                    false,
                )?;
                let popts = carrera::program::Options {
                    lang,
                    entry: None,
                    no_confirm: args.no_confirm,
                };
                let lines = carrera::check::programs(&ctx, ex, &popts, |l| {
                    println!(
                        "{} {}  expected {}, got {}  ({}/{} points, {:.1} s)",
                        if l.got == l.expected { "ok  " } else { "FAIL" },
                        l.path.display(),
                        l.expected,
                        l.got,
                        l.grade.points,
                        l.grade.max_points,
                        l.grade.seconds
                    );
                    let _ = std::io::stdout().flush();
                })?;
                if let Some(dir) = &args.feedback {
                    let folder = dir.join(ex.id());
                    std::fs::create_dir_all(&folder)
                        .map_err(|e| Error::io(format!("creating {}", folder.display()), e))?;
                    for l in &lines {
                        let stem = l.path.file_name().unwrap_or_default().to_string_lossy();
                        let base = folder.join(stem.as_ref());
                        let g = &l.grade;
                        carrera::output::write_atomically(
                            &base.with_extension("txt"),
                            &report::program::text(g),
                        )?;
                        carrera::output::write_atomically(
                            &base.with_extension("json"),
                            &report::program::json(g),
                        )?;
                    }
                }
                bad += lines.iter().filter(|l| l.got != l.expected).count();
            }
            println!("check: {} mismatched verdicts", bad);
            Ok(if bad == 0 { 0 } else { 1 })
        }
        Command::Batch(args) => {
            if let Some(ex) = catalog.get_program(&args.exercise)? {
                let python = carrera::python::find(cli.python.as_deref())?;
                let ctx = Context::new(python, args.stress.keep, false)?;
                let plan = batch::Plan {
                    class: args.dir,
                    out: args.out,
                    jobs: batch::jobs(args.jobs.map(|j| j as usize)),
                    shard: args.shard.unwrap_or(batch::shard::Shard::WHOLE),
                    resume: args.resume,
                };
                let opts = carrera::program::Options {
                    lang,
                    entry: None,
                    no_confirm: false,
                };
                let s = batch::run_programs(&ctx, &ex, &opts, &plan)?;
                summarize(&s.rows, &plan.out);
                println!("graded {}, kept {} from an earlier run", s.graded, s.kept);
                return Ok(batch::merge::exit_code(&s.rows));
            }
            let ex = catalog.get(&args.exercise)?;
            let mut stress = args.stress;
            // Fixed by default: every student gets the same schedules, shards agree.
            stress.seed.get_or_insert(1);
            let opts = options(&stress, lang, None);
            let python = carrera::python::find(cli.python.as_deref())?;
            let ctx = Context::new(python, stress.keep, !stress.cold)?;
            let plan = batch::Plan {
                class: args.dir,
                out: args.out,
                jobs: batch::jobs(args.jobs.map(|j| j as usize)),
                shard: args.shard.unwrap_or(batch::shard::Shard::WHOLE),
                resume: args.resume,
            };
            let s = batch::run(&ctx, &ex, &opts, &plan)?;
            summarize(&s.rows, &plan.out);
            println!("graded {}, kept {} from an earlier run", s.graded, s.kept);
            Ok(batch::merge::exit_code(&s.rows))
        }
        Command::Merge(args) => {
            let rows = batch::merge::merge(&args.dirs, &args.out)?;
            summarize(&rows, &args.out);
            Ok(batch::merge::exit_code(&rows))
        }
        Command::GradescopePackage(args) => {
            let ex = catalog.get(&args.exercise)?;
            carrera::package::gradescope(&ex, &args.stress, &args.out)?;
            println!("wrote {}", args.out.display());
            Ok(0)
        }
    }
}

/// `grade` of a program exercise: the whole submission folder is run and checked.
fn grade_program(
    ex: &carrera::exercise::ProgramExercise,
    args: &carrera::cli::GradeArgs,
    python: Option<&std::path::Path>,
    lang: Lang,
) -> Result<u8> {
    for (flag, given) in [
        ("--junit", args.junit.is_some()),
        ("--profile", args.profile.is_some()),
        ("--verbose", args.verbose),
    ] {
        if given {
            return Err(Error::Usage(format!(
                "{flag} is not available for program exercises yet ({} is one)",
                ex.id()
            )));
        }
    }
    let python = carrera::python::find(python)?;
    let ctx = Context::new(python, args.stress.keep, false)?;
    let opts = carrera::program::Options {
        lang,
        entry: args.entry.clone(),
        no_confirm: args.no_confirm,
    };
    let g = carrera::program::grade(&ctx, ex, &args.submission, &opts)?;
    let text = match args.format {
        report::Format::Text => report::program::text(&g),
        report::Format::Json => report::program::json(&g),
        report::Format::Html => report::program::html(&g),
        f => {
            return Err(Error::Usage(format!(
                "--format {f:?} is not available for program exercises yet: use text, json or html"
            )))
        }
    };
    match &args.output {
        Some(path) => carrera::output::write_atomically(path, &text)?,
        None => print!("{text}"),
    }
    if let Some(path) = &args.json {
        carrera::output::write_atomically(path, &report::program::json(&g))?;
    }
    if let Some(path) = &args.html {
        carrera::output::write_atomically(path, &report::program::html(&g))?;
    }
    Ok(if g.verdict == Verdict::Pass { 0 } else { 1 })
}

/// `--version`: never fails, even without a usable Python (it says why instead).
fn version(python: Option<&std::path::Path>) -> u8 {
    println!(
        "carrera {} (git {})",
        env!("CARGO_PKG_VERSION"),
        env!("CARRERA_GIT_HASH")
    );
    match carrera::python::find(python) {
        Ok(p) => println!("python {} ({})", p.version, p.exe.display()),
        Err(e) => println!("python: none usable: {e}"),
    }
    let level = carrera::sandbox::level();
    println!(
        "sandbox {} ({})",
        level.tier.as_str(),
        level.mechanisms().join(", ")
    );
    0
}

/// Quotes a path for the "next:" hint when the shell would split or expand it.
fn shell_word(s: &str) -> String {
    if s.chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

fn summarize(rows: &[carrera::report::class::Row], out: &std::path::Path) {
    let pass = rows.iter().filter(|r| r.passed()).count();
    let errors = rows.iter().filter(|r| r.is_grader_error()).count();
    println!(
        "batch: {} submissions: {pass} pass, {} fail, {errors} grader errors; see {}",
        rows.len(),
        rows.len() - pass - errors,
        out.join("report.html").display()
    );
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
