//! Verification questions: one short multiple-choice question per failing verdict, to make the
//! student think about what went wrong. They come from the exercise's `questions.toml`, else
//! from the built-in defaults, and never change the verdict or the score.

use crate::error::{Error, IoContext, Result};
use crate::i18n::Lang;
use crate::verdict::Verdict;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

pub const FILE: &str = "questions.toml";

/// A question in one language, as a result carries it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Question {
    pub question: String,
    pub options: Vec<String>,
    /// 1-based index into `options`.
    pub answer: usize,
    pub explanation: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Text {
    question: String,
    options: Vec<String>,
    explanation: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    answer: usize,
    en: Text,
    es: Text,
}

type Set = BTreeMap<String, Entry>;

/// Parses a questions file: verdict names as tables, each with the answer and both languages.
fn parse(text: &str, origin: &str) -> Result<Set> {
    let set: Set = toml::from_str(text).map_err(|e| Error::Config {
        file: origin.into(),
        msg: e.to_string(),
    })?;
    for (verdict, e) in &set {
        let bad = |m: String| Error::Config {
            file: origin.into(),
            msg: format!("[{verdict}]: {m}"),
        };
        if !crate::verdict::ALL.iter().any(|v| v.as_str() == verdict) {
            return Err(bad("not a verdict".into()));
        }
        for t in [&e.en, &e.es] {
            if t.options.len() < 2 || e.answer == 0 || e.answer > t.options.len() {
                return Err(bad(format!(
                    "needs at least 2 options and an answer between 1 and their number (answer = {}, {} options)",
                    e.answer,
                    t.options.len()
                )));
            }
        }
        if e.en.options.len() != e.es.options.len() {
            return Err(bad("en and es have a different number of options".into()));
        }
    }
    Ok(set)
}

fn defaults() -> &'static Set {
    static DEFAULTS: OnceLock<Set> = OnceLock::new();
    DEFAULTS.get_or_init(|| {
        parse(
            include_str!("i18n/questions.toml"),
            "src/i18n/questions.toml",
        )
        .expect("built-in questions are valid")
    })
}

/// The question for `verdict`: the exercise's own, else the built-in one. `None` for a pass.
pub fn for_verdict(exercise_dir: &Path, verdict: Verdict, lang: Lang) -> Result<Option<Question>> {
    if verdict == Verdict::Pass {
        return Ok(None);
    }
    let path = exercise_dir.join(FILE);
    let own = if path.is_file() {
        let text = std::fs::read_to_string(&path).ctx(|| format!("reading {}", path.display()))?;
        parse(&text, &path.display().to_string())?
    } else {
        Set::new()
    };
    let entry = own
        .get(verdict.as_str())
        .or_else(|| defaults().get(verdict.as_str()));
    Ok(entry.map(|e| {
        let t = if lang == Lang::Es { &e.es } else { &e.en };
        Question {
            question: t.question.clone(),
            options: t.options.clone(),
            answer: e.answer,
            explanation: t.explanation.clone(),
        }
    }))
}

/// Checks an exercise's questions file, if it has one (for `check` and the tests).
pub fn validate(exercise_dir: &Path) -> Result<()> {
    let path = exercise_dir.join(FILE);
    if path.is_file() {
        let text = std::fs::read_to_string(&path).ctx(|| format!("reading {}", path.display()))?;
        parse(&text, &path.display().to_string())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_failing_verdict_has_a_default_question_in_both_languages() {
        for v in crate::verdict::ALL
            .into_iter()
            .filter(|v| *v != Verdict::Pass)
        {
            let e = defaults()
                .get(v.as_str())
                .unwrap_or_else(|| panic!("no question for {v}"));
            for t in [&e.en, &e.es] {
                assert!(!t.question.trim().is_empty() && !t.explanation.trim().is_empty());
            }
        }
    }

    #[test]
    fn bad_files_are_refused_with_the_reason() {
        let one = |answer: usize, verdict: &str| {
            format!(
                "[{verdict}]\nanswer = {answer}\n[{verdict}.en]\nquestion = \"q\"\noptions = [\"a\", \"b\"]\nexplanation = \"e\"\n[{verdict}.es]\nquestion = \"p\"\noptions = [\"a\", \"b\"]\nexplanation = \"e\"\n"
            )
        };
        assert!(parse(&one(1, "race"), "f").is_ok());
        let e = parse(&one(3, "race"), "f").unwrap_err().to_string();
        assert!(e.contains("answer = 3"), "{e}");
        let e = parse(&one(1, "racy"), "f").unwrap_err().to_string();
        assert!(e.contains("not a verdict"), "{e}");
    }

    #[test]
    fn an_exercise_question_wins_over_the_default() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(FILE),
            "[race]\nanswer = 2\n[race.en]\nquestion = \"Why 41?\"\noptions = [\"a\", \"b\", \"c\"]\nexplanation = \"e\"\n[race.es]\nquestion = \"¿Por qué 41?\"\noptions = [\"a\", \"b\", \"c\"]\nexplanation = \"e\"\n",
        )
        .unwrap();
        let q = for_verdict(dir.path(), Verdict::Race, Lang::Es)
            .unwrap()
            .unwrap();
        assert_eq!((q.question.as_str(), q.answer), ("¿Por qué 41?", 2));
        let d = for_verdict(dir.path(), Verdict::Deadlock, Lang::En)
            .unwrap()
            .unwrap();
        assert_eq!(d.question, defaults()["deadlock"].en.question);
        assert_eq!(
            for_verdict(dir.path(), Verdict::Pass, Lang::En).unwrap(),
            None
        );
    }
}
