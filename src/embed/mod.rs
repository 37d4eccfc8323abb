//! The embedding layer (wasm only). It is built as two WebAssembly modules from this one crate, so the
//! page never downloads tract and the worker never downloads leptos:
//! - feature `ui` (the page's module, `whythis_ui`): the `<why-this-item>` custom element, the worker
//!   bridge, model fetching and the local feedback log. The panel itself is `crate::ui`.
//! - feature `engine` (the worker's module, `whythis_engine`): the `Engine` that scores and explains.
//!
//! The two talk through [`protocol`]'s messages. Both report panics to JavaScript ([`panic`]), which
//! replaces a trapped instance.

pub mod history;
pub mod panic;
pub mod protocol;

#[cfg(feature = "engine")]
pub mod engine;

#[cfg(feature = "ui")]
pub mod feedback;
#[cfg(feature = "ui")]
pub mod model;
#[cfg(feature = "ui")]
pub mod page_api;
#[cfg(feature = "ui")]
pub mod widget;
#[cfg(feature = "ui")]
pub mod worker;

#[cfg(feature = "engine")]
pub use engine::Engine;

use wasm_bindgen::prelude::*;

/// The crate version.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
