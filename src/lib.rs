//! whythis: runs a sequence recommender (ONNX, with tract) on the visitor's own device and explains
//! why it suggested each item.
//!
//! The layers point one way: `model` (contract, loading, scoring) knows nothing of `explain`, and
//! neither knows of the user interfaces built on them (the CLI, the browser widget). `boundary` holds
//! the types the widget, its engine and the host page exchange besides the document (error codes).

pub mod boundary;
pub mod explain;
pub mod model;

#[cfg(not(target_arch = "wasm32"))]
pub mod audit;
#[cfg(not(target_arch = "wasm32"))]
pub mod files;

#[cfg(all(target_arch = "wasm32", feature = "ui"))]
pub mod ui;

#[cfg(target_arch = "wasm32")]
pub mod embed;
