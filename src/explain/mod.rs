//! The explanation layer: one file per method of docs/explanations.md §3, the faithfulness measures of
//! §4, and the document of §5. It knows the model layer and nothing of any user interface, and it
//! words every sentence the document carries (`narrative`, with `naming` and `wording`). Without
//! the `engine` feature (the page's wasm module) only the document, its options, attention's reading
//! and the wording rules are built.

#[cfg(feature = "engine")]
pub mod ablation;
pub mod attention;
#[cfg(feature = "engine")]
pub mod budget;
#[cfg(feature = "engine")]
pub mod counterfactual;
pub mod document;
#[cfg(feature = "engine")]
pub mod error;
#[cfg(feature = "engine")]
pub mod explainer;
#[cfg(feature = "engine")]
pub mod fidelity;
#[cfg(feature = "engine")]
pub mod ledger;
#[cfg(feature = "engine")]
pub mod naming;
#[cfg(feature = "engine")]
pub mod narrative;
#[cfg(feature = "engine")]
pub mod occlusion;
pub mod options;
#[cfg(feature = "engine")]
pub mod rescoring;
#[cfg(feature = "engine")]
pub mod shapley;
pub mod wording;

pub use document::*;
#[cfg(feature = "engine")]
pub use error::ExplainError;
#[cfg(feature = "engine")]
pub use explainer::explain;
pub use options::{AttentionDetail, ExplainOptions};
