//! whythis: runs a sequence recommender (ONNX, with tract) on the visitor's own device and explains
//! why it suggested each item. This crate is the native face of the workspace: the CLI
//! (`src/bin/whythis`), the auditor ([`audit`]), and the layers re-exported under one name for the
//! tests and benches. The layers are crates, so they point one way by construction:
//! [`model`] (`whythis-model`: contract, loading, scoring) knows nothing of [`explain`]
//! (`whythis-explain`), and neither knows of the user interfaces (this CLI, the browser widget in
//! `whythis-ui`, `whythis-page` and `whythis-engine`). [`boundary`] holds what the widget, its engine
//! and the host page exchange besides the document (error codes, feedback records).

pub use whythis_explain as explain;
pub use whythis_model as model;
pub use whythis_types::boundary;

#[cfg(not(target_arch = "wasm32"))]
pub mod audit;
#[cfg(not(target_arch = "wasm32"))]
pub mod feedback;
#[cfg(not(target_arch = "wasm32"))]
pub mod json_error;
#[cfg(not(target_arch = "wasm32"))]
pub mod stats;
#[cfg(not(target_arch = "wasm32"))]
pub use whythis_model::files;
