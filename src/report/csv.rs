//! `grades.csv`: the gradebook. One row per submission, ordered by name; one column per check
//! holding its score. Nothing measured (times, trial counts) goes in, so it is reproducible.

use super::class::{check_names, Row};

pub fn render(rows: &[Row]) -> String {
    let checks = check_names(rows);
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["name", "score", "max_score", "verdict"];
    header.extend(checks.iter().map(String::as_str));
    w.write_record(&header).expect("writing to memory");
    for r in rows {
        let mut rec = vec![
            r.name.clone(),
            r.score.to_string(),
            r.max_score.to_string(),
            r.verdict.clone(),
        ];
        for name in &checks {
            let s = r.checks.iter().find(|c| &c.name == name).map(|c| c.score);
            rec.push(s.map(|s| s.to_string()).unwrap_or_default());
        }
        w.write_record(&rec).expect("writing to memory");
    }
    String::from_utf8(w.into_inner().expect("flushing to memory")).expect("the rows are UTF-8")
}
