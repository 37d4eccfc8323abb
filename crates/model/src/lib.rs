//! The model layer (docs/contract.md): the graph half of the contract, loading with tract, candidates,
//! ranks and batched scoring. It knows nothing of explanations. The data it shares with every other
//! layer (ids, histories, windows, the card, the catalog, the errors) is `whythis-types`' `model`,
//! re-exported here, so `whythis_model::ItemId` and `whythis_model::card::ModelCard` are the paths.

pub use whythis_types::model::*;

pub mod control_flow;
pub mod embedding;
#[cfg(not(target_arch = "wasm32"))]
pub mod files;
pub mod graph;
pub mod pack;
pub mod ranking;
pub mod scorer;

pub use embedding::ItemEmbedding;
pub use graph::AttentionShape;
pub use ranking::{Candidates, Ranked, Ranking};
pub use scorer::Scorer;
