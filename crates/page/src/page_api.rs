//! The page module's JS API (wasm-bindgen): the custom element and the local feedback log.

use wasm_bindgen::prelude::*;

/// Defines the custom element (default `why-this-item`), or hands an already defined one over to this
/// instance, which re-mounts every connected widget. `openPort(inWorker)` returns the port the models
/// run behind (a Worker, or `pkg/index.js`'s main-thread port). `crashedWidget` and `crashMessage`
/// name the widget whose panic killed the previous instance (0: none known); it shows the error.
/// Returns false when the name belongs to another element.
#[wasm_bindgen(js_name = defineElement)]
pub fn define_element(name: Option<String>, open_port: js_sys::Function, crashed_widget: Option<u32>, crash_message: Option<String>) -> bool {
    whythis_js::panic::install_hook();
    crate::worker::set_port_opener(open_port);
    #[cfg(feature = "test-hooks")]
    install_test_panic();
    crate::widget::define(name.as_deref().unwrap_or("why-this-item"), crashed_widget.unwrap_or(0), crash_message.as_deref().unwrap_or(""))
}

/// The local feedback log: an array of records, oldest first.
#[wasm_bindgen(js_name = feedbackLog)]
pub fn feedback_log() -> JsValue {
    crate::feedback::records().into()
}

/// Empties the local feedback log.
#[wasm_bindgen(js_name = clearFeedbackLog)]
pub fn clear_feedback_log() {
    crate::feedback::clear();
    crate::widget::refresh_log_sizes();
}

/// Test hook: `window.__whythisTestPanic(element, where)` panics while serving `element` (where =
/// "page", the default), or makes that widget's next request to the engine panic (where = "engine"),
/// so the browser tests can check that a panic stays in one widget. Each instance installs its own,
/// so the function always reaches the live one.
#[cfg(feature = "test-hooks")]
fn install_test_panic() {
    let hook = Closure::<dyn Fn(web_sys::HtmlElement, Option<String>)>::new(|element: web_sys::HtmlElement, place: Option<String>| {
        crate::widget::test_panic(&element, place.as_deref() == Some("engine"));
    });
    let _ = js_sys::Reflect::set(&js_sys::global(), &"__whythisTestPanic".into(), hook.as_ref());
    hook.forget();
}
