//! The model layer: the contract, loading with tract, windows, candidates and batched scoring.
//! It knows nothing of explanations.

pub mod bounded_list;
pub mod card;
pub mod catalog;
pub mod contract;
pub mod error;
pub mod history;
pub mod ids;
pub mod ranking;
pub mod scorer;
pub mod window;

pub use card::ModelCard;
pub use catalog::{Catalog, CatalogEntry};
pub use contract::Violation;
pub use error::ModelError;
pub use history::{Event, History};
pub use ids::{ItemId, Position, Rank};
pub use ranking::{Candidates, Ranked, Ranking};
pub use scorer::{AttentionShape, ItemEmbedding, Scorer};
pub use window::{Slots, Window, WindowEvent};
