//! The explanation document (docs/explanations.md §5), the options that ask for it, and the wording
//! rules every sentence of it follows. The methods that fill it are `whythis-explain`.

pub mod controls;
pub mod document;
pub mod options;
pub mod wording;

pub use document::*;
pub use controls::{Controls, ControlsApplied, EventKey, StatedChoice};
pub use options::{AttentionDetail, ExplainOptions};
