//! From one run and its findings to a verdict, and from the runs of every start method to the
//! program's verdict. Only what was seen from outside decides: exit status, CPU of the tree,
//! the hang and the leftovers; the checker's findings.

use super::checker::Finding;
use super::run::ProgramRun;
use crate::exercise::StartMethod;
use crate::sandbox::Exit;
use crate::verdict::Verdict;
use serde::Serialize;

/// One run of the program under one start method, and what it earned.
#[derive(Debug, Clone, Serialize)]
pub struct Attempt {
    pub run: ProgramRun,
    pub verdict: Verdict,
    pub findings: Vec<Finding>,
}

/// What the run itself shows, before anything is read from its output.
pub fn run_verdict(run: &ProgramRun, busy_cores: f64) -> Verdict {
    match (&run.hung, &run.exit) {
        (Some(true), _) => Verdict::BusyHang,
        (Some(false), _) => Verdict::Deadlock,
        _ if run.limit.is_some() => Verdict::ResourceLimit,
        (None, Exit::Code(0)) if !run.leaked.is_empty() => Verdict::Leak,
        (None, Exit::Code(0)) if run.cores() > busy_cores => Verdict::BusyWait,
        (None, Exit::Code(0)) => Verdict::Pass,
        _ => Verdict::Crash,
    }
}

/// The run's verdict, made worse by any failing finding of the checker.
pub fn verdict(run: Verdict, findings: &[Finding]) -> Verdict {
    match findings.iter().any(Finding::failed) {
        true => run.max(Verdict::Wrong),
        false => run,
    }
}

/// The program's verdict from each method's: the same everywhere is that verdict; passing
/// under one method and not another is `not_portable`.
pub fn overall(per_method: &[(StartMethod, Verdict)]) -> Verdict {
    let worst = per_method
        .iter()
        .map(|(_, v)| *v)
        .max()
        .unwrap_or(Verdict::Pass);
    let some_pass = per_method.iter().any(|(_, v)| *v == Verdict::Pass);
    match some_pass && worst != Verdict::Pass {
        true => Verdict::NotPortable,
        false => worst,
    }
}

/// `run_ends` and `no_busy_wait`, in the student's words.
pub fn run_findings(run: &ProgramRun, busy_cores: f64) -> Vec<Finding> {
    let virt = run.wall_s * run.k;
    let ends = match (&run.hung, &run.exit) {
        (Some(_), _) => {
            let (en, es) = stuck_lines(run);
            let (en_when, es_when) = if run.settled {
                (
                    format!("It stopped for good after {:.1} s ({virt:.0} s of its clock): every process waited with no timeout for another one, and none used the CPU.", run.wall_s),
                    format!("Se detuvo para siempre a los {:.1} s ({virt:.0} s de su reloj): cada proceso esperaba sin límite de tiempo a otro, y ninguno usaba la CPU.", run.wall_s),
                )
            } else {
                (
                    format!("It did not end within {:.0} s ({virt:.0} s of its clock).", run.wall_s),
                    format!("No terminó en {:.0} s ({virt:.0} s de su reloj).", run.wall_s),
                )
            };
            Finding::new("run_ends", false, 1, format!("{en_when} {en}"), format!("{es_when} {es}"))
        }
        (None, _) if run.limit.is_some() => {
            let l = run.limit.as_deref().unwrap_or_default();
            Finding::new(
                "run_ends",
                false,
                1,
                format!("It was stopped at a limit: {l}."),
                format!("Se lo detuvo en un límite: {l}."),
            )
        }
        (None, Exit::Code(0)) if !run.leaked.is_empty() => {
            let who: Vec<String> = run.leaked.iter().map(|p| format!("pid {} ({})", p.pid, p.cmdline)).collect();
            Finding::new(
                "run_ends",
                false,
                1,
                format!("It ended, but left processes running: {}.", who.join("; ")),
                format!("Terminó, pero dejó procesos vivos: {}.", who.join("; ")),
            )
        }
        (None, Exit::Code(0)) => Finding::new(
            "run_ends",
            true,
            1,
            format!("It ended by itself (exit status 0) in {:.1} s ({virt:.0} s of its clock), leaving no process behind.", run.wall_s),
            format!("Terminó solo (estado de salida 0) en {:.1} s ({virt:.0} s de su reloj), sin dejar procesos.", run.wall_s),
        ),
        (None, exit) => {
            let (en, es) = crash_lines(run, exit);
            Finding::new("run_ends", false, 1, en, es)
        }
    };
    let cores = run.cores();
    let busy = match run.hung {
        Some(b) => b,
        None => cores > busy_cores,
    };
    let spin = Finding::new(
        "no_busy_wait",
        !busy,
        1,
        format!(
            "CPU time {:.2} s over {:.2} s of wall time: {cores:.2} cores (busy above {busy_cores}).",
            run.cpu_s, run.wall_s
        ),
        format!(
            "Tiempo de CPU {:.2} s en {:.2} s de reloj: {cores:.2} núcleos (espera activa por encima de {busy_cores}).",
            run.cpu_s, run.wall_s
        ),
    );
    vec![ends, spin]
}

/// What the runtime saw of the program's shape: processes, and its channels.
pub fn structure_findings(
    run: &ProgramRun,
    spec: &crate::exercise::ProgramSection,
) -> Vec<Finding> {
    let mut out = Vec::new();
    if let Some(min) = spec.min_processes {
        let n = run.processes;
        out.push(Finding::new(
            "processes",
            n >= min,
            1,
            format!("{n} processes ran (the main one included); at least {min} are asked for."),
            format!("Corrieron {n} procesos (contando el principal); se piden al menos {min}."),
        ));
    }
    if spec.require_pipe_and_queue {
        let (p, f, q) = (run.pipes, run.fifos, run.queues);
        out.push(Finding::new(
            "channels",
            (p + f) > 0 && q > 0,
            1,
            format!("Used {p} Pipe(s), {f} FIFO(s) and {q} Queue(s): a Pipe or FIFO to the analyzers and a Queue to the verifier are asked for."),
            format!("Usó {p} Pipe, {f} FIFO y {q} Queue: se pide un Pipe o FIFO hacia los analizadores y una Queue hacia el verificador."),
        ));
    }
    out
}

/// Where each process of a hung run was blocked: file, line and call.
fn stuck_lines(run: &ProgramRun) -> (String, String) {
    let work = format!("{}/work/", run.ws.display());
    let mut en = Vec::new();
    let mut es = Vec::new();
    for s in run
        .stuck
        .iter()
        .filter(|s| matches!(s.role.as_str(), "main" | "child"))
    {
        let wait = s.waiting_in.as_deref().unwrap_or("?");
        match &s.at {
            Some(f) => {
                let file = f.file.strip_prefix(&work).unwrap_or(&f.file);
                en.push(format!(
                    "{} process {} waits in {wait}() at {file}:{} (in {})",
                    s.role, s.pid, f.line, f.function
                ));
                es.push(format!(
                    "el proceso {} {} espera en {wait}() en {file}:{} (en {})",
                    if s.role == "main" {
                        "principal"
                    } else {
                        "hijo"
                    },
                    s.pid,
                    f.line,
                    f.function
                ));
            }
            None => {
                en.push(format!(
                    "{} process {} waits in {wait}() outside your files",
                    s.role, s.pid
                ));
                es.push(format!(
                    "el proceso {} {} espera en {wait}() fuera de tus archivos",
                    if s.role == "main" {
                        "principal"
                    } else {
                        "hijo"
                    },
                    s.pid
                ));
            }
        }
    }
    if en.is_empty() {
        return (
            "No stack could be read.".into(),
            "No se pudo leer ninguna pila.".into(),
        );
    }
    (
        format!("Stuck: {}.", en.join("; ")),
        format!("Bloqueado: {}.", es.join("; ")),
    )
}

fn crash_lines(run: &ProgramRun, exit: &Exit) -> (String, String) {
    let status = match exit {
        Exit::Code(c) => format!("{c}"),
        Exit::Signal(s) => format!("signal {s}"),
        Exit::Killed => "killed".into(),
    };
    let what = match &run.error {
        Some(e) => {
            let at = e.frames.last().map(|f| {
                let work = format!("{}/work/", run.ws.display());
                format!(
                    " at {}:{}",
                    f.file.strip_prefix(&work).unwrap_or(&f.file),
                    f.line
                )
            });
            format!("{}: {}{}", e.kind, e.message, at.unwrap_or_default())
        }
        None => run.stderr_tail.lines().last().unwrap_or("").to_string(),
    };
    (
        format!("It ended with exit status {status}: {what}"),
        format!("Terminó con estado de salida {status}: {what}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use StartMethod::*;

    #[test]
    fn passing_under_one_method_only_is_not_portable() {
        let v = overall(&[(Fork, Verdict::Deadlock), (Forkserver, Verdict::Pass)]);
        assert_eq!(v, Verdict::NotPortable);
        let v = overall(&[(Fork, Verdict::Deadlock), (Forkserver, Verdict::Wrong)]);
        assert_eq!(v, Verdict::Deadlock);
        assert_eq!(
            overall(&[(Fork, Verdict::Pass), (Forkserver, Verdict::Pass)]),
            Verdict::Pass
        );
    }

    #[test]
    fn a_failing_finding_is_wrong_unless_the_run_was_worse() {
        let bad = Finding::new("linkage", false, 2, "x".into(), "x".into());
        let note = Finding {
            status: "note".into(),
            ..bad.clone()
        };
        assert_eq!(
            verdict(Verdict::Pass, std::slice::from_ref(&note)),
            Verdict::Pass
        );
        assert_eq!(verdict(Verdict::Pass, &[note, bad.clone()]), Verdict::Wrong);
        assert_eq!(verdict(Verdict::Deadlock, &[bad]), Verdict::Deadlock);
    }
}
