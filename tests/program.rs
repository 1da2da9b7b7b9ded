//! Program mode beyond `carrera check`: a failure seen only under the fast clock is confirmed
//! by a slower run before it counts, and bad input gets a clear error.

mod common;
use common::{carrera, carrera_in, root};
use std::path::Path;

/// The capstone's exercise folder with its confirmation clock set to `k`.
fn exercise_with_confirm_k(k: u32) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let to = dir.path().join("08-biometric-chain");
    std::fs::create_dir(&to).unwrap();
    let from = root().join("exercises/08-biometric-chain");
    for e in std::fs::read_dir(&from).unwrap().flatten() {
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
    let spec = std::fs::read_to_string(to.join("exercise.toml")).unwrap();
    let edited = spec.replace("confirm_dilation = 8 ", &format!("confirm_dilation = {k} "));
    assert_ne!(
        spec, edited,
        "the confirmation clock is set in exercise.toml"
    );
    std::fs::write(to.join("exercise.toml"), edited).unwrap();
    dir
}

/// The reference, made to fail when its clock runs more than 10 times faster than real time
/// (it compares time.time() with a clock the dilation leaves alone): a program whose failure
/// is an artefact of the fast clock.
fn reference_failing_above_k10(into: &Path) {
    let from = root().join("solutions/08-biometric-chain/reference");
    for e in std::fs::read_dir(&from).unwrap().flatten() {
        std::fs::copy(e.path(), into.join(e.file_name())).unwrap();
    }
    let main = std::fs::read_to_string(into.join("main.py")).unwrap();
    let guard = "import time as _t\n_T0 = (_t.time(), _t.clock_gettime(_t.CLOCK_REALTIME))\n";
    let check =
        "    _k = (_t.time() - _T0[0]) / (_t.clock_gettime(_t.CLOCK_REALTIME) - _T0[1])\n    \
                 if _k > 10:\n        raise SystemExit(3)\n";
    let main = main.replacen(
        "if __name__ == \"__main__\":\n    main()\n",
        &format!("if __name__ == \"__main__\":\n    main()\n{check}"),
        1,
    );
    assert!(main.contains("_k > 10"));
    std::fs::write(into.join("main.py"), format!("{guard}{main}")).unwrap();
}

#[test]
fn a_failure_only_under_the_fast_clock_is_not_reported() {
    let exercises = exercise_with_confirm_k(4);
    let sub = tempfile::tempdir().unwrap();
    reference_failing_above_k10(sub.path());
    let out = carrera_in(exercises.path())
        .args(["grade", "08-biometric-chain"])
        .arg(sub.path())
        .args(["--format", "json"])
        .output()
        .unwrap();
    let g: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(g["verdict"], "pass", "{g:#}");
    assert_eq!(out.status.code(), Some(0));
    for m in g["methods"].as_array().unwrap() {
        let a = m["attempts"].as_array().unwrap();
        // Under K = 20 it exits with status 3; under K = 4 it does what it should.
        assert_eq!(a.len(), 2, "{m:#}");
        assert_eq!(
            (a[0]["run"]["k"].as_f64(), a[0]["verdict"].as_str()),
            (Some(20.0), Some("crash"))
        );
        assert_eq!(
            (a[1]["run"]["k"].as_f64(), a[1]["verdict"].as_str()),
            (Some(4.0), Some("pass"))
        );
    }
    // The points are the confirmed run's.
    assert_eq!(g["points"], 100);
}

#[test]
fn a_file_or_a_folder_without_entry_is_refused_clearly() {
    let out = carrera()
        .args([
            "grade",
            "08",
            "solutions/08-biometric-chain/reference/main.py",
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("grades a folder"), "{err}");
    let empty = tempfile::tempdir().unwrap();
    std::fs::write(
        empty.path().join("README.md"),
        "ejecutar: `python3 verificar_cadena.py`",
    )
    .unwrap();
    let out = carrera()
        .args(["grade", "08"])
        .arg(empty.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("no entry script found") && err.contains("--entry"),
        "{err}"
    );
    let out = carrera()
        .args([
            "grade",
            "08",
            "solutions/08-biometric-chain/reference",
            "--entry",
            "../x.py",
        ])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("inside the submission"));
    // Function-exercise commands say what a program exercise is.
    let out = carrera().args(["init", "08"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("program exercise"));
}

#[test]
fn a_class_of_programs_is_batch_graded_folder_by_folder() {
    let class = tempfile::tempdir().unwrap();
    let ana = class.path().join("ana");
    std::fs::create_dir(&ana).unwrap();
    for e in std::fs::read_dir(root().join("solutions/08-biometric-chain/reference"))
        .unwrap()
        .flatten()
    {
        std::fs::copy(e.path(), ana.join(e.file_name())).unwrap();
    }
    std::fs::write(class.path().join("suelto.py"), "print(1)\n").unwrap();
    std::fs::create_dir(class.path().join("dani")).unwrap();
    let out = tempfile::tempdir().unwrap();
    let run = carrera()
        .args(["--lang", "es", "batch", "08-biometric-chain"])
        .arg(class.path())
        .arg("--out")
        .arg(out.path().join("res"))
        .output()
        .unwrap();
    let res = out.path().join("res");
    let csv = std::fs::read_to_string(res.join("grades.csv")).unwrap();
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows.len(), 4, "{csv}");
    assert!(rows[1].starts_with("ana,100,100,pass,"), "{csv}");
    assert!(
        rows[2].starts_with("dani,0,100,invalid_submission,"),
        "{csv}"
    );
    assert!(
        rows[3].starts_with("suelto.py,0,100,invalid_submission,"),
        "{csv}"
    );
    // Some submissions could not be graded: the exit status says so (1, not 0).
    assert_eq!(run.status.code(), Some(1));
    let gs: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(res.join("ana/results.json")).unwrap())
            .unwrap();
    assert_eq!(gs["score"], 100);
    assert_eq!(gs["tests"].as_array().unwrap().len(), 20);
    let page = std::fs::read_to_string(res.join("ana/feedback.html")).unwrap();
    assert!(
        page.contains("tarea 2") && page.contains("sha256("),
        "{page}"
    );
    let why = std::fs::read_to_string(res.join("dani/feedback.txt")).unwrap();
    assert!(why.contains("no entry script found"), "{why}");
}
