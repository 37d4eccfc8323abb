//! The engine module's JS API (wasm-bindgen): an `Engine` that loads a model and explains histories,
//! used by `pkg/engine-host.js` in the worker (or on the main thread) and by `loadModel`.

use super::history::parse_history;
use crate::explain::{explain, ExplainOptions, ExplanationDocument};
use crate::model::{Catalog, History, ModelCard, Scorer};
use wasm_bindgen::prelude::*;

/// A loaded model with its catalog: `new Engine(cardBytes, onnxBytes, catalogBytes?)`.
#[wasm_bindgen]
pub struct Engine {
    scorer: Scorer,
    catalog: Catalog,
}

impl Engine {
    /// Loads from parsed parts (the card is checked again by the scorer).
    pub fn from_parts(card: ModelCard, onnx: &[u8], catalog: Catalog) -> Result<Engine, String> {
        let scorer = Scorer::load(card, onnx).map_err(|e| e.to_string())?;
        Ok(Engine { scorer, catalog })
    }

    /// Explains a parsed history.
    pub fn explain_history(&self, history: &History, options: &ExplainOptions) -> Result<ExplanationDocument, String> {
        explain(&self.scorer, &self.catalog, history, options).map_err(|e| e.to_string())
    }
}

#[wasm_bindgen]
impl Engine {
    /// Loads a model card, its ONNX bytes and (optionally) its catalog. Throws an Error whose message
    /// says what is wrong with which input.
    #[wasm_bindgen(constructor)]
    pub fn new(card: &[u8], onnx: &[u8], catalog: Option<Vec<u8>>) -> Result<Engine, JsError> {
        super::panic::install_hook();
        let card = ModelCard::from_json(card).map_err(|e| JsError::new(&e.to_string()))?;
        let catalog = match catalog {
            Some(bytes) => Catalog::from_json(&bytes, card.num_items).map_err(|e| JsError::new(&e.to_string()))?,
            None => Catalog::default(),
        };
        Engine::from_parts(card, onnx, catalog).map_err(|e| JsError::new(&e))
    }

    /// Explains a history given as JSON text (an array of events or of item ids) with options as JSON
    /// text (`{"top_k":5, …}`, every key optional); returns the explanation document as JSON text.
    #[wasm_bindgen(js_name = explainJson)]
    pub fn explain_json(&self, history: &str, options: &str) -> Result<String, JsError> {
        let history = parse_history(history).map_err(|e| JsError::new(&e))?.unwrap_or_default();
        let options: ExplainOptions = if options.trim().is_empty() {
            ExplainOptions::default()
        } else {
            serde_json::from_str(options).map_err(|e| JsError::new(&format!("the options are not valid: {e}")))?
        };
        let doc = self.explain_history(&history, &options).map_err(|e| JsError::new(&e))?;
        serde_json::to_string(&doc).map_err(|e| JsError::new(&e.to_string()))
    }

    /// Like `explainJson`, with a history array and an options object; returns the document as an object.
    pub fn explain(&self, history: JsValue, options: JsValue) -> Result<JsValue, JsError> {
        let history = to_json(&history)?;
        let options = if options.is_undefined() || options.is_null() { String::new() } else { to_json(&options)? };
        let text = self.explain_json(&history, &options)?;
        js_sys::JSON::parse(&text).map_err(|_| JsError::new("the document could not be handed to JavaScript"))
    }

    /// The model card as JSON text.
    #[wasm_bindgen(getter, js_name = cardJson)]
    pub fn card_json(&self) -> String {
        serde_json::to_string(self.scorer.card()).unwrap_or_default()
    }
}

fn to_json(value: &JsValue) -> Result<String, JsError> {
    if let Some(s) = value.as_string() {
        return Ok(s);
    }
    js_sys::JSON::stringify(value)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| JsError::new("the value cannot be turned into JSON"))
}

/// Test hook, not API: panics inside the engine so the browser tests can check that the page survives
/// a crashed worker (`pkg/engine-host.js` calls it for an `explain` message carrying `panic: true`).
/// The message quotes the history's first item, as a panic inside a model's graph can quote an index,
/// so the tests can check that no panic text carries the history out.
#[wasm_bindgen(js_name = __whythisTestEnginePanic)]
pub fn test_engine_panic(history: &str) {
    super::panic::install_hook();
    let first = crate::model::History::parse(history).ok().and_then(|h| h.events.first().map(|e| e.item)).unwrap_or(0);
    panic!("test panic in the engine, requested by the browser tests, at item {first}");
}
