//! Exporters: one file per output format, each rendering a finished `Grade`.

pub mod class;
pub mod class_html;
pub mod csv;
mod gradescope;
pub(crate) mod html;
mod json;
pub mod junit;
pub mod program;
mod text;

pub use gradescope::Gradescope;
pub use html::Html;
pub use json::Json;
pub use junit::Junit;
pub use text::Text;

pub mod ungraded {
    //! Feedback for submissions carrera could not grade (see `class::Row::ungraded`).
    pub use super::gradescope::ungraded as gradescope;
    pub use super::html::ungraded as feedback;
}

use crate::score::Grade;

pub trait Exporter {
    fn render(&self, grade: &Grade) -> String;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
    /// One self-contained page (the feedback a batch hands back).
    Html,
    /// Gradescope's `results.json`.
    Gradescope,
    /// JUnit XML, one test case per check (for CI systems).
    Junit,
}

pub fn exporter(format: Format, color: bool) -> Box<dyn Exporter> {
    match format {
        Format::Text => Box::new(Text { color }),
        Format::Json => Box::new(Json),
        Format::Html => Box::new(Html),
        Format::Gradescope => Box::new(Gradescope),
        Format::Junit => Box::new(Junit),
    }
}
