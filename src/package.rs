//! `carrera gradescope-package`: the zip Gradescope runs. At its root, `setup.sh` (runs once
//! when the image is built) and `run_autograder` (runs per submission), beside this very
//! binary, the exercise folder and its reference solution (calibration needs it).

use crate::cli::StressArgs;
use crate::error::{Error, IoContext, Result};
use crate::exercise::Exercise;
use std::io::Write;
use std::path::Path;
use zip::write::SimpleFileOptions;

const SETUP: &str = "#!/usr/bin/env bash
# Written by `carrera gradescope-package`. Runs once when Gradescope builds the image.
set -euo pipefail
apt-get update
apt-get install -y python3
chmod +x /autograder/source/carrera /autograder/source/run_autograder
";

/// `run_autograder`, for `exercise` with the stress flags baked in. It always leaves a valid
/// results.json: when carrera cannot grade, one that says so (and why) instead of a score.
fn run_autograder(exercise: &str, flags: &str) -> String {
    format!(
        r#"#!/usr/bin/env bash
# Written by `carrera gradescope-package`. Gradescope runs it once per submission.
# CARRERA_AUTOGRADER_ROOT replaces /autograder (for testing on a fake tree).
set -u
root="${{CARRERA_AUTOGRADER_ROOT:-/autograder}}"
src="$root/source"
out="$root/results/results.json"
mkdir -p "$root/results"
"$src/carrera" --exercises "$src/exercises" grade {exercise} "$root/submission" \
    --format gradescope -o "$out" {flags} 2> "$root/results/carrera-stderr.txt"
code=$?
cat "$root/results/carrera-stderr.txt" >&2
if [ "$code" -ge 2 ] || [ ! -s "$out" ]; then
    python3 - "$out" "$root/results/carrera-stderr.txt" <<'PY'
import json, sys
why = open(sys.argv[2], encoding="utf-8", errors="replace").read().strip()
json.dump({{"score": 0, "output": "carrera could not grade this submission:\n" + why,
           "output_format": "text", "tests": []}}, open(sys.argv[1], "w"))
PY
fi
exit 0
"#
    )
}

pub fn gradescope(ex: &Exercise, stress: &StressArgs, out: &Path) -> Result<()> {
    let reference = ex.reference().ok_or_else(|| {
        Error::Usage(format!(
            "{}: no reference solution to calibrate against",
            ex.id()
        ))
    })?;
    let mut flags = format!("--seed {}", stress.seed.unwrap_or(1));
    if let Some(r) = stress.runs {
        flags.push_str(&format!(" --runs {r}"));
    }
    if let Some(b) = stress.budget {
        flags.push_str(&format!(" --budget {b}"));
    }
    let exe = std::env::current_exe().ctx(|| "finding the carrera binary")?;
    let binary = std::fs::read(&exe).ctx(|| format!("reading {}", exe.display()))?;

    let what = || format!("writing {}", out.display());
    let tmp = crate::output::temp_beside(out)?;
    let mut zip = zip::ZipWriter::new(tmp.reopen().ctx(what)?);
    let exec = SimpleFileOptions::default().unix_permissions(0o755);
    let plain = SimpleFileOptions::default().unix_permissions(0o644);
    let mut add = |name: &str, bytes: &[u8], opts: SimpleFileOptions| -> Result<()> {
        zip.start_file(name, opts)
            .map_err(|e| Error::Internal(format!("zip: {e}")))?;
        zip.write_all(bytes).ctx(what)
    };
    add("setup.sh", SETUP.as_bytes(), exec)?;
    add(
        "run_autograder",
        run_autograder(ex.id(), &flags).as_bytes(),
        exec,
    )?;
    add("carrera", &binary, exec)?;
    let mut files = Vec::new();
    collect(&ex.dir, &ex.dir, &mut files)?;
    for (rel, path) in files {
        let bytes = std::fs::read(&path).ctx(|| format!("reading {}", path.display()))?;
        add(&format!("exercises/{}/{rel}", ex.id()), &bytes, plain)?;
    }
    let bytes = std::fs::read(&reference).ctx(|| format!("reading {}", reference.display()))?;
    add(
        &format!("solutions/{}/reference.py", ex.id()),
        &bytes,
        plain,
    )?;
    zip.finish()
        .map_err(|e| Error::Internal(format!("zip: {e}")))?;
    tmp.persist(out).map_err(|e| Error::io(what(), e.error))?;
    Ok(())
}

/// Files under `dir`, relative paths sorted, without caches.
fn collect(root: &Path, dir: &Path, out: &mut Vec<(String, std::path::PathBuf)>) -> Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .ctx(|| format!("reading {}", dir.display()))?
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        let name = p.file_name().map(|n| n.to_string_lossy().into_owned());
        if name.as_deref() == Some("__pycache__") {
            continue;
        }
        if p.is_dir() {
            collect(root, &p, out)?;
        } else {
            let rel = p.strip_prefix(root).unwrap_or(&p);
            out.push((rel.to_string_lossy().into_owned(), p.clone()));
        }
    }
    Ok(())
}
