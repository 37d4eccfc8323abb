//! The explanation layer: one file per method of DESIGN.md §3, the faithfulness measures of §4, and the
//! document of §5. It knows the model layer and nothing of any user interface.

pub mod ablation;
pub mod attention;
pub mod budget;
pub mod counterfactual;
pub mod document;
pub mod error;
pub mod explainer;
pub mod fidelity;
pub mod ledger;
pub mod narrative;
pub mod occlusion;
pub mod options;
pub mod rescoring;
pub mod shapley;

pub use document::*;
pub use error::ExplainError;
pub use explainer::explain;
pub use options::{AttentionDetail, ExplainOptions};
