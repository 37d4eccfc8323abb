//! The model layer (docs/contract.md): the graph half of the contract, loading with tract, candidates,
//! ranks and batched scoring. It knows nothing of explanations. The data it shares with every other
//! layer (ids, histories, windows, the card, the catalog, the errors) is `whythis-types`' `model`,
//! re-exported here, so `whythis_model::ItemId` and `whythis_model::card::ModelCard` are the paths.

//!
//! Feature `onnx` (default) reads ONNX models: tract-onnx's front end (protobuf, inference rules), the
//! graph checks and packing. Without it the crate runs packed models only (tract-core and tract-nnef),
//! which is the browser's small engine (crates/engine, docs/contract.md "Packed models").

pub use whythis_types::model::*;

pub mod checked;
#[cfg(feature = "onnx")]
pub mod control_flow;
pub mod embedding;
#[cfg(not(target_arch = "wasm32"))]
pub mod files;
#[cfg(feature = "onnx")]
pub mod graph;
pub mod pack;
pub mod ranking;
pub mod scorer;

pub use checked::AttentionShape;
pub use embedding::ItemEmbedding;
pub use ranking::{Candidates, Ranked, Ranking};
pub use scorer::Scorer;
