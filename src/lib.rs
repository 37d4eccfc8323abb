//! whythis: runs a sequence recommender (ONNX, with tract) on the visitor's own device and explains
//! why it suggested each item.
//!
//! The layers point one way: `model` (contract, loading, scoring) knows nothing of `explain`, and
//! neither knows of the user interfaces built on them (the CLI, the browser widget).

#[cfg(feature = "engine")]
pub mod explain;
#[cfg(feature = "engine")]
pub mod model;

/// The model layer's data types, without tract: what the page's wasm module (feature `ui` alone) needs.
#[cfg(not(feature = "engine"))]
pub mod model {
    pub mod bounded_list;
    pub mod card;
    pub mod catalog;
    pub mod contract;
    pub mod error;
    pub mod history;
    pub mod ids;
    pub mod window;

    pub use card::ModelCard;
    pub use catalog::{Catalog, CatalogEntry};
    pub use contract::Violation;
    pub use error::ModelError;
    pub use history::{Event, History};
    pub use ids::{ItemId, Position, Rank};
    pub use window::{Slots, Window, WindowEvent};

    /// Mirrors `scorer::AttentionShape` (scorer.rs needs tract), for `explain::attention`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct AttentionShape {
        /// Number of attention layers.
        pub layers: usize,
        /// Heads per layer.
        pub heads: usize,
    }
}

/// The explanation layer's document and options, without the methods: what the page's module needs.
#[cfg(not(feature = "engine"))]
pub mod explain {
    pub mod attention;
    pub mod document;
    pub mod options;

    pub use document::*;
    pub use options::{AttentionDetail, ExplainOptions};
}

#[cfg(not(target_arch = "wasm32"))]
pub mod audit;
#[cfg(not(target_arch = "wasm32"))]
pub mod files;

#[cfg(all(target_arch = "wasm32", feature = "ui"))]
pub mod ui;

#[cfg(target_arch = "wasm32")]
pub mod embed;
