//! The explanation layer: one file per method of DESIGN.md §3, and the document of §5.
//! It knows the model layer and nothing of any user interface.

pub mod document;

pub use document::*;
