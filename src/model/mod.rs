//! The model layer: the contract, loading with tract, windows, candidates and batched scoring.
//! It knows nothing of explanations. Without the `engine` feature (the page's wasm module) only the
//! data types are built: `ranking` and `scorer` need tract.

pub mod attention_shape;
pub mod bounded_list;
pub mod card;
pub mod catalog;
pub mod contract;
#[cfg(feature = "engine")]
pub mod embedding;
pub mod error;
pub mod history;
pub mod ids;
#[cfg(feature = "engine")]
pub mod ranking;
#[cfg(feature = "engine")]
pub mod scorer;
pub mod window;

pub use attention_shape::AttentionShape;
pub use card::ModelCard;
pub use catalog::{Catalog, CatalogEntry};
pub use contract::Violation;
pub use error::ModelError;
pub use history::{Event, History};
pub use ids::{ItemId, Position, Rank};
#[cfg(feature = "engine")]
pub use ranking::{Candidates, Ranked, Ranking};
#[cfg(feature = "engine")]
pub use embedding::ItemEmbedding;
#[cfg(feature = "engine")]
pub use scorer::Scorer;
pub use window::{Slots, Window, WindowEvent};
