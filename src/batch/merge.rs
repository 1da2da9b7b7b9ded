//! The class-level files, rendered from the saved rows alone: so a resumed batch, a merge of
//! shards and one uninterrupted run write the same bytes from the same rows. Nothing here
//! reads a clock or depends on the order in which submissions finished.

use super::shard::Shard;
use super::store::{Config, Store};
use crate::error::{Error, Result};
use crate::report::class::Row;
use crate::report::{class_html, csv, junit};
use std::path::{Path, PathBuf};

/// Writes grades.csv, results.jsonl, junit.xml and report.html for `rows`.
pub fn finish(store: &Store, config: &Config, rows: &mut [Row]) -> Result<()> {
    rows.sort_by(|a, b| a.name.cmp(&b.name).then(a.dir.cmp(&b.dir)));
    let mut jsonl = String::new();
    for r in rows.iter() {
        jsonl.push_str(&serde_json::to_string(r).expect("a Row serialises"));
        jsonl.push('\n');
    }
    store.write(Path::new("grades.csv"), csv::render(rows).as_bytes())?;
    store.write(Path::new("results.jsonl"), jsonl.as_bytes())?;
    store.write(
        Path::new("junit.xml"),
        junit::render(&config.exercise, rows).as_bytes(),
    )?;
    let html = class_html::render(&config.exercise, &config.settings(), rows);
    store.write(Path::new("report.html"), html.as_bytes())
}

/// 0 every submission passed, 1 some failed, 2 some broke the grader.
pub fn exit_code(rows: &[Row]) -> u8 {
    if rows.iter().any(Row::is_grader_error) {
        2
    } else if rows.iter().all(Row::passed) {
        0
    } else {
        1
    }
}

/// Combines finished shard folders (all N shards of one class, same settings) into `out`.
pub fn merge(inputs: &[PathBuf], out: &Path) -> Result<Vec<Row>> {
    let mut parts = Vec::new();
    for dir in inputs {
        let (store, config) = Store::open(dir)?;
        let rows = store.rows()?;
        let expected = config.shard.size(config.class_size);
        if rows.len() != expected {
            return Err(Error::Usage(format!(
                "{} is unfinished ({} of {} submissions of shard {}): run its batch again with --resume",
                dir.display(),
                rows.len(),
                expected,
                config.shard
            )));
        }
        parts.push((store, config, rows));
    }
    let Some(first) = parts.first().map(|p| p.1.clone()) else {
        return Err(Error::Usage("merge needs at least one batch folder".into()));
    };
    let n = first.shard.n;
    for (store, config, _) in &parts {
        if !config.same_grading(&first) || config.shard.n != n {
            return Err(Error::Usage(format!(
                "{} was graded with other settings ({}, shard {}) than {} ({}, shard {})",
                store.out.display(),
                config.settings(),
                config.shard,
                parts[0].0.out.display(),
                first.settings(),
                first.shard
            )));
        }
    }
    let mut ks: Vec<usize> = parts.iter().map(|p| p.1.shard.k).collect();
    ks.sort();
    if ks != (1..=n).collect::<Vec<_>>() {
        return Err(Error::Usage(format!(
            "merge needs each of the shards 1/{n} to {n}/{n} exactly once; got {}",
            ks.iter()
                .map(|k| format!("{k}/{n}"))
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let config = Config {
        shard: Shard::WHOLE,
        ..first
    };
    let target = Store::create(out, &config, false)?;
    let mut all = Vec::new();
    for (store, _, rows) in &parts {
        for r in rows {
            let files = store.files(r).ok_or_else(|| {
                Error::Usage(format!(
                    "{}: the feedback of {} is missing",
                    store.out.display(),
                    r.name
                ))
            })?;
            target.save(r, &files)?;
            all.push(r.clone());
        }
    }
    finish(&target, &config, &mut all)?;
    Ok(all)
}
