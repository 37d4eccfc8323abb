//! The explanation layer: one file per method of docs/explanations.md §3, the faithfulness measures of
//! §4, and the document of §5. It knows the model layer and nothing of any user interface, and it
//! words every sentence the document carries (`narrative`, with `naming` and `wording`). The document,
//! its options and the wording rules are `whythis-types`' `explain`, re-exported here, so the page's
//! module can read a document without linking this crate or tract.

pub mod ablation;
pub mod attention;
pub mod budget;
pub mod controls;
pub mod counterfactual;
pub mod error;
pub mod explainer;
pub mod fidelity;
pub mod ledger;
pub mod naming;
pub mod narrative;
pub mod occlusion;
pub mod parameters;
pub mod recourse;
pub mod rescoring;
pub mod shapley;

pub use whythis_types::explain::*;

pub use error::ExplainError;
pub use explainer::{explain, explain_rewordable, Rewordable};
