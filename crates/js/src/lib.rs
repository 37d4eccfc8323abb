//! What both of whythis's wasm modules share at the JS boundary: the page's (`whythis-page`) and the
//! engine's (`whythis-engine`) talk through [`protocol`]'s messages, read a history from a JS value
//! once ([`history`]), and report panics to JavaScript ([`panic`]), which replaces a trapped instance.

pub mod history;
pub mod panic;
pub mod protocol;

use wasm_bindgen::prelude::*;

/// The package version (both modules export it).
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
