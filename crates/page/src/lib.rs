//! The page's wasm module (`pkg/whythis_ui`, wasm only): the `<why-this-item>` custom element
//! ([`widget`]), the bridge to the engine's worker ([`worker`]), model fetching ([`model`]), the local
//! feedback log ([`feedback`]) and the page's JS API ([`page_api`]). The panel itself is `whythis-ui`;
//! the work is done by `whythis-engine` behind the worker, and no dependency of this crate reaches
//! tract, so the page never downloads it.

pub mod controls;
pub mod feedback;
pub mod model;
pub mod page_api;
pub mod widget;
pub mod worker;

pub use whythis_js::version;
