//! The vocabulary every layer of whythis shares, with no dependency on tract, so that the page's
//! wasm module can read and show what the engine computed without linking the engine:
//! - [`model`]: item ids, positions and ranks, the visitor's history, the window the model sees, the
//!   model card and the catalog (docs/contract.md), and the model layer's errors;
//! - [`explain`]: the explanation document, its options and the wording rules (docs/explanations.md §5);
//! - [`boundary`]: what crosses to JavaScript besides the document: error codes and feedback records.
//!
//! The crates that compute (`whythis-model`, `whythis-explain`) re-export these modules, so callers
//! name one path per concept.

pub mod boundary;
pub mod explain;
pub mod model;
