//! Feedback a learner can act on: a failing grading in Spanish gives the concept, the line,
//! the run's numbers and the hint, then a question that `carrera explain` asks again.

mod common;
use common::carrera;

#[test]
fn a_race_explained_in_spanish_names_the_line_the_numbers_and_the_hint() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("resultado.json");
    let out = carrera()
        .args([
            "grade",
            "04-lock",
            "solutions/04-lock/buggy/no_lock.py",
            "--lang",
            "es",
        ])
        .args(["--seed", "1", "--json"])
        .arg(&json)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    for needle in [
        "condición de carrera",
        // the concept, the run's numbers, the hint (catalog and exercise texts in Spanish)
        "por qué importa: Una condición de carrera",
        "se esperaba 300, se obtuvo",
        "pista: Busca el leer-modificar-escribir",
        // the place in the student's code, from the lost update the trace recorded
        "cómo se perdió la actualización",
        "(línea 8: counter.value += 1)",
        "una pregunta para pensar:",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
    for english in ["expected", "why it matters", "hint:", "line ", "a question"] {
        assert!(!text.contains(english), "English {english:?} in:\n{text}");
    }
    // The question again, answered right, then the explanation.
    let out = carrera()
        .arg("explain")
        .arg(&json)
        .write_stdin("2\n")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains("Correcto.") && said.contains("Por qué: `x.value += 1` son tres pasos"),
        "{said}"
    );
    // Without an answer the answer is revealed.
    let out = carrera().arg("explain").arg(&json).output().unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("La respuesta es 2)"), "{said}");
}

#[test]
fn explain_refuses_a_file_that_is_not_a_result() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("x.json");
    std::fs::write(&f, "{\"hello\": 1}").unwrap();
    let out = carrera().arg("explain").arg(&f).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a carrera result"));
}

#[test]
fn crossed_locks_draw_a_wait_for_cycle_with_the_lines() {
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("feedback.html");
    let out = carrera()
        .args([
            "grade",
            "04-lock",
            "tests/fixtures/pictures/crossed_locks.py",
            "--seed",
            "1",
        ])
        .arg("--html")
        .arg(&html)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("deadlock"), "{text}");
    // In words: each worker waits for the lock the other holds, at the line of its second
    // `with`; the parent waits for both in join(). Which worker got which lock first depends
    // on the schedule, so the edges are read back rather than matched word for word.
    let edges: Vec<(String, String, String)> = text
        .lines()
        .filter_map(|l| {
            let (waiter, rest) = l.trim().split_once(" waits for lock ")?;
            let (lock, holder) = rest.split_once(", held by ")?;
            let name = |s: &str| s.split(' ').next().unwrap_or_default().to_string();
            Some((name(waiter), lock.to_string(), name(holder)))
        })
        .collect();
    assert_eq!(edges.len(), 2, "{text}");
    let mut waiters: Vec<&str> = edges.iter().map(|e| e.0.as_str()).collect();
    let mut locks: Vec<&str> = edges.iter().map(|e| e.1.as_str()).collect();
    waiters.sort();
    locks.sort();
    assert_eq!(waiters, ["Process-1", "Process-2"], "{text}");
    assert_eq!(locks, ["A", "B"], "{text}");
    assert!(edges.iter().all(|(w, _, h)| w != h), "{text}");
    assert!(
        text.contains("(line 12)") && text.contains("waits in join()"),
        "{text}"
    );
    assert!(text.contains("The arrows close a circle"), "{text}");
    // As a picture: a parsed SVG with three nodes and the two crossed edges between the workers.
    let page = std::fs::read_to_string(&html).unwrap();
    let start = page.find("<svg").unwrap();
    let end = page[start..].find("</svg>").unwrap() + start + 6;
    let svg = &page[start..end];
    let doc = roxmltree::Document::parse(svg).unwrap();
    let nodes = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "g" && n.attribute("class") == Some("node"))
        .count();
    assert_eq!(nodes, 3, "{svg}");
    let crossed = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "g" && n.attribute("class") == Some("edge cycle"))
        .filter(|n| {
            n.descendants()
                .any(|t| t.text().is_some_and(|s| s.contains("waits for lock")))
        })
        .count();
    assert_eq!(crossed, 2, "{svg}");
}
