//! The worker's wasm module (`pkg/whythis_engine`) and its JS API (wasm-bindgen): an [`Engine`] that
//! loads a model and explains histories (`loadModel` hands one to the host page), and the [`EngineHost`]
//! that answers the page's
//! [`whythis_js::protocol`] messages in the worker (`pkg/engine-host.js`) or on the main thread.

use whythis_js::protocol::{self, Answer, Call, Reply, Request};
use whythis_types::boundary::{ErrorCode, WidgetError};
use whythis_explain::{explain, ExplainOptions, ExplanationDocument};
use whythis_model::bounded_list::TOO_MANY;
use whythis_model::history::MAX_HISTORY_EVENTS;
use whythis_model::{Catalog, History, ModelCard, Scorer};
use wasm_bindgen::prelude::*;

/// A loaded model with its catalog: `new Engine(cardBytes, onnxBytes, catalogBytes?)`.
#[wasm_bindgen]
pub struct Engine {
    scorer: Scorer,
    catalog: Catalog,
}

impl Engine {
    /// Loads a card, its ONNX bytes and its catalog; the error's code names the input at fault.
    pub fn load(card: &[u8], onnx: &[u8], catalog: Option<&[u8]>) -> Result<Engine, WidgetError> {
        let card = ModelCard::from_json(card).map_err(|e| WidgetError::new(ErrorCode::Card, e.to_string()))?;
        let catalog = match catalog {
            Some(bytes) => Catalog::from_json(bytes, card.num_items).map_err(|e| WidgetError::new(ErrorCode::Catalog, e.to_string()))?,
            None => Catalog::default(),
        };
        let scorer = Scorer::load(card, onnx).map_err(|e| WidgetError::new(ErrorCode::Model, e.to_string()))?;
        Ok(Engine { scorer, catalog })
    }

    /// Explains a history; the error's code says whose fault a failure is.
    pub fn explain_history(&self, history: &History, options: &ExplainOptions) -> Result<ExplanationDocument, WidgetError> {
        explain(&self.scorer, &self.catalog, history, options).map_err(|e| WidgetError::new(ErrorCode::from(&e), e.to_string()))
    }
}

#[wasm_bindgen]
impl Engine {
    /// Loads a model card, its ONNX bytes and (optionally) its catalog. Throws an Error whose `code`
    /// (`card`, `catalog` or `model`) names the input at fault and whose message says what is wrong.
    #[wasm_bindgen(constructor)]
    pub fn new(card: &[u8], onnx: &[u8], catalog: Option<Vec<u8>>) -> Result<Engine, JsValue> {
        whythis_js::panic::install_hook();
        Engine::load(card, onnx, catalog.as_deref()).map_err(thrown)
    }

    /// Explains a history (an array of events, oldest first) with options (an object, every key
    /// optional) and returns the explanation document as an object. Throws an Error with a `code`
    /// (`history`, `options` or `model`).
    pub fn explain(&self, history: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
        let history = read_history(history).map_err(thrown)?;
        let options = if options.is_undefined() || options.is_null() {
            ExplainOptions::default()
        } else {
            serde_wasm_bindgen::from_value(options)
                .map_err(|e| thrown(WidgetError::new(ErrorCode::Options, format!("the options are not valid: {e}"))))?
        };
        let doc = self.explain_history(&history, &options).map_err(thrown)?;
        protocol::to_js(&doc).map_err(|_| thrown(protocol::too_large_number()))
    }
}

/// The host's history, read from the JS value as the page's messages are (its event count is checked
/// while reading). serde's own messages quote the offending value ("invalid type: string \"…\""), and
/// a history must not reach error texts, so only whythis's own words pass: the event limit, a missing
/// field's name, or what a history looks like.
fn read_history(value: JsValue) -> Result<History, WidgetError> {
    if value.is_undefined() || value.is_null() {
        return Ok(History::default());
    }
    serde_wasm_bindgen::from_value(value).map_err(|e| {
        let e = e.to_string();
        let reason = if e.starts_with(TOO_MANY) {
            format!("it has more than {MAX_HISTORY_EVENTS} events, the most whythis reads")
        } else if let Some(field) = e.strip_prefix("missing field ") {
            format!("an event has no {field}")
        } else {
            r#"expected an array of events such as [{"item": 12, "action": "play", "ts": 1700000000}]"#.to_string()
        };
        WidgetError::new(ErrorCode::History, format!("the history is not valid: {reason}"))
    })
}

/// A JS Error with the message and a `code` property.
fn thrown(error: WidgetError) -> JsValue {
    let js = js_sys::Error::new(&error.message);
    let code = protocol::to_js(&error.code).unwrap_or(JsValue::NULL);
    let _ = js_sys::Reflect::set(&js, &"code".into(), &code);
    js.into()
}

/// The engine's side of the page's messages: one [`Engine`] per model key (a page has a few models at
/// most, so a list).
#[wasm_bindgen]
pub struct EngineHost {
    engines: Vec<(u32, Engine)>,
}

impl Default for EngineHost {
    fn default() -> Self {
        EngineHost::new()
    }
}

#[wasm_bindgen]
impl EngineHost {
    /// No model loaded yet.
    #[wasm_bindgen(constructor)]
    pub fn new() -> EngineHost {
        whythis_js::panic::install_hook();
        EngineHost { engines: Vec::new() }
    }

    /// Answers one [`Call`] with an [`Answer`]; a request the engine refuses is a `refused` reply, not
    /// an exception. Throws only when the answer cannot be handed over.
    pub fn handle(&mut self, call: JsValue) -> Result<JsValue, JsError> {
        let id = js_sys::Reflect::get(&call, &"id".into()).ok().and_then(|v| v.as_f64()).unwrap_or(0.0) as u32;
        let reply = match serde_wasm_bindgen::from_value::<Call>(call) {
            Ok(call) => self.answer(call.request),
            // Not the visitor's doing: the two modules disagree, which only a bug or a mixed deployment does.
            Err(_) => Reply::Refused(WidgetError::new(
                ErrorCode::Internal,
                "the engine could not read the page's request (are both modules of one whythis version?)",
            )),
        };
        protocol::to_js(&Answer { id, reply })
            .or_else(|_| protocol::to_js(&Answer { id, reply: Reply::Refused(protocol::too_large_number()) }))
            .map_err(|_| JsError::new("the engine's answer could not be handed to the page"))
    }
}

impl EngineHost {
    fn answer(&mut self, request: Request) -> Reply {
        match request {
            Request::Load { key, card, onnx, catalog } => {
                self.engines.retain(|(k, _)| *k != key);
                match Engine::load(&card.0.to_vec(), &onnx.0.to_vec(), catalog.map(|c| c.0.to_vec()).as_deref()) {
                    Ok(engine) => {
                        self.engines.push((key, engine));
                        Reply::Loaded
                    }
                    Err(e) => Reply::Refused(e),
                }
            }
            #[cfg(feature = "test-hooks")]
            Request::Explain { panic: true, history, .. } => test_engine_panic(&history),
            Request::Explain { key, history, options, .. } => {
                let Some((_, engine)) = self.engines.iter().find(|(k, _)| *k == key) else {
                    return Reply::Refused(WidgetError::new(ErrorCode::Internal, "this model is not loaded in the engine"));
                };
                match engine.explain_history(&history, &options) {
                    Ok(doc) => Reply::Explained(Box::new(doc)),
                    Err(e) => Reply::Refused(e),
                }
            }
        }
    }
}

/// Test hook: a real panic in the engine, for the browser tests of panic containment. Its message
/// quotes the history's first item, as a panic inside a model's graph can quote an index, so the tests
/// can check that no panic text carries the history out.
#[cfg(feature = "test-hooks")]
fn test_engine_panic(history: &History) -> ! {
    let first = history.events.first().map(|e| e.item).unwrap_or(0);
    panic!("test panic in the engine, requested by the browser tests, at item {first}");
}
