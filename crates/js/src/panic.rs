//! Panic reporting. A panic aborts, which traps the whole WebAssembly instance: nothing in it can run
//! again. So the hook tells JavaScript (the message and, on the page, which widget was being served),
//! and JavaScript replaces the instance: `pkg/index.js` for the page's module, `pkg/engine-host.js` for
//! the engine in the worker.

use std::cell::{Cell, RefCell};
use wasm_bindgen::prelude::*;

thread_local! {
    static REPORTER: RefCell<Option<js_sys::Function>> = const { RefCell::new(None) };
    static SERVING: Cell<u32> = const { Cell::new(0) };
}

/// Logs panics to the console and hands them to the reporter (installed once).
pub fn install_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            // Numbers masked: the console and the host's error event must not carry the history.
            let message = whythis_types::model::error::describe_panic(info.payload(), info.location());
            web_sys::console::error_1(&format!("whythis panicked: {message}").into());
            // try_with/try_borrow: the panic may come from inside a borrow of these very cells.
            let widget = SERVING.try_with(Cell::get).unwrap_or(0);
            let reporter = REPORTER.try_with(|r| r.try_borrow().ok().and_then(|r| r.clone())).ok().flatten();
            if let Some(reporter) = reporter {
                let _ = reporter.call2(&JsValue::NULL, &message.into(), &widget.into());
            }
        }));
    });
}

/// Sets the function called with `(message, widgetId)` when this instance panics (widgetId 0: not known).
#[wasm_bindgen(js_name = setPanicReporter)]
pub fn set_panic_reporter(reporter: Option<js_sys::Function>) {
    install_hook();
    REPORTER.with(|r| *r.borrow_mut() = reporter);
}

/// While alive, a panic is blamed on this widget (0: none).
pub struct Serving(u32);

impl Serving {
    /// Blames panics on `widget` until dropped.
    pub fn widget(widget: u32) -> Serving {
        Serving(SERVING.with(|s| s.replace(widget)))
    }
}

impl Drop for Serving {
    fn drop(&mut self) {
        SERVING.with(|s| s.set(self.0));
    }
}
