//! Student-facing text in Spanish (the course language) and English.

use std::collections::BTreeMap;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    En,
    Es,
}

impl Lang {
    /// From `LANG`/`LC_ALL` (`es_AR.UTF-8` → es), falling back to English.
    pub fn from_env() -> Lang {
        let v = std::env::var("LC_ALL")
            .ok()
            .filter(|s| !s.is_empty())
            .or_else(|| std::env::var("LANG").ok())
            .unwrap_or_default();
        if v.starts_with("es") {
            Lang::Es
        } else {
            Lang::En
        }
    }

    pub fn readme(self) -> &'static str {
        match self {
            Lang::En => "README.md",
            Lang::Es => "README.es.md",
        }
    }
}

type Catalog = BTreeMap<String, String>;

fn catalogs() -> &'static (Catalog, Catalog) {
    static CATALOGS: OnceLock<(Catalog, Catalog)> = OnceLock::new();
    CATALOGS.get_or_init(|| {
        let parse = |s: &str| toml::from_str::<Catalog>(s).expect("built-in catalog is valid TOML");
        (
            parse(include_str!("en.toml")),
            parse(include_str!("es.toml")),
        )
    })
}

/// The text for `key`; a missing key shows as itself (and fails the catalog test).
pub fn t(lang: Lang, key: &str) -> String {
    let (en, es) = catalogs();
    let cat = if lang == Lang::Es { es } else { en };
    cat.get(key)
        .or_else(|| en.get(key))
        .cloned()
        .unwrap_or_else(|| key.to_string())
}

/// `t` with `{name}` placeholders filled in.
pub fn tf(lang: Lang, key: &str, args: &[(&str, String)]) -> String {
    let mut s = t(lang, key);
    for (k, v) in args {
        s = s.replace(&format!("{{{k}}}"), v);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verdict::{Check, ALL};

    #[test]
    fn both_catalogs_have_the_same_keys() {
        let (en, es) = catalogs();
        let ek: Vec<_> = en.keys().collect();
        let sk: Vec<_> = es.keys().collect();
        assert_eq!(ek, sk);
    }

    #[test]
    fn every_verdict_and_check_has_text_in_both_languages() {
        let (en, es) = catalogs();
        for cat in [en, es] {
            for v in ALL {
                for part in ["title", "concept", "hint"] {
                    let key = format!("verdict.{}.{part}", v.as_str());
                    assert!(cat.contains_key(&key), "missing {key}");
                }
            }
            for c in Check::ALL {
                assert!(cat.contains_key(&format!("check.{}", c.as_str())));
            }
            for r in crate::judge::CRASH_REASONS {
                assert!(
                    cat.contains_key(&format!("reason.{r}")),
                    "missing reason.{r}"
                );
            }
        }
    }
}
