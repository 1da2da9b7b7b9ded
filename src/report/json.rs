//! The JSON exporter: the `Grade` as documented in docs/json-schema.md.

use super::Exporter;
use crate::score::Grade;

pub struct Json;

impl Exporter for Json {
    fn render(&self, grade: &Grade) -> String {
        let mut s = serde_json::to_string_pretty(grade).expect("a Grade always serialises");
        s.push('\n');
        s
    }
}
