//! Exporters: one file per output format, each rendering a finished `Grade`.

mod json;
mod text;

pub use json::Json;
pub use text::Text;

use crate::score::Grade;

pub trait Exporter {
    fn render(&self, grade: &Grade) -> String;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}

pub fn exporter(format: Format, color: bool) -> Box<dyn Exporter> {
    match format {
        Format::Text => Box::new(Text { color }),
        Format::Json => Box::new(Json),
    }
}
