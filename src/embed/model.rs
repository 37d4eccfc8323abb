//! Fetching a model (card, ONNX, catalog) once per page and running it in the worker, or on the main
//! thread when there is no worker.

use super::api::Engine;
use super::worker::{self, CallError};
use crate::explain::{ExplainOptions, ExplanationDocument};
use crate::model::{Catalog, History, ModelCard};
use crate::ui::{ModelInfo, WidgetError};
use futures::future::{FutureExt, LocalBoxFuture, Shared};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

enum Backend {
    Worker(Rc<worker::Bridge>, u32),
    Inline(Rc<Engine>),
}

/// A loaded model.
pub struct Loaded {
    /// What the panel needs to know.
    pub info: ModelInfo,
    backend: Backend,
}

type LoadFuture = Shared<LocalBoxFuture<'static, Result<Rc<Loaded>, WidgetError>>>;

thread_local! {
    static MODELS: RefCell<HashMap<String, LoadFuture>> = RefCell::new(HashMap::new());
    static NEXT_KEY: Cell<u32> = const { Cell::new(1) };
}

/// The model at this absolute card URL, loaded once per page (a failed load is tried again next time).
pub fn load(card_url: &str) -> LoadFuture {
    if let Some(f) = MODELS.with(|m| m.borrow().get(card_url).cloned()) {
        return f;
    }
    let url = card_url.to_string();
    let fut = async move {
        let result = load_uncached(&url).await;
        if result.is_err() {
            MODELS.with(|m| m.borrow_mut().remove(&url));
        }
        result
    }
    .boxed_local()
    .shared();
    MODELS.with(|m| m.borrow_mut().insert(card_url.to_string(), fut.clone()));
    fut
}

/// Resolves a URL against a base.
pub fn resolve(relative: &str, base: &str) -> Result<String, WidgetError> {
    web_sys::Url::new_with_base(relative, base)
        .map(|u| u.href())
        .map_err(|_| WidgetError::new("fetch", format!("“{relative}” is not a usable address")))
}

async fn fetch_bytes(url: &str, what: &str) -> Result<Vec<u8>, WidgetError> {
    let fail = |detail: String| WidgetError::new("fetch", format!("The {what} could not be downloaded from {url}: {detail}."));
    let window = web_sys::window().ok_or_else(|| fail("there is no window".into()))?;
    let response = JsFuture::from(window.fetch_with_str(url)).await.map_err(|e| fail(js_message(&e)))?;
    let response: web_sys::Response = response.dyn_into().map_err(|_| fail("no response".into()))?;
    if !response.ok() {
        return Err(fail(format!("HTTP {} {}", response.status(), response.status_text())));
    }
    let buffer = response.array_buffer().map_err(|e| fail(js_message(&e)))?;
    let buffer = JsFuture::from(buffer).await.map_err(|e| fail(js_message(&e)))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// The message of a thrown JS value.
pub fn js_message(value: &wasm_bindgen::JsValue) -> String {
    if let Some(e) = value.dyn_ref::<js_sys::Error>() {
        return String::from(e.message());
    }
    value.as_string().unwrap_or_else(|| format!("{value:?}"))
}

async fn load_uncached(card_url: &str) -> Result<Rc<Loaded>, WidgetError> {
    let card_bytes = fetch_bytes(card_url, "model card").await?;
    let card = ModelCard::from_json(&card_bytes).map_err(|e| WidgetError::new("card", capitalise(&e.to_string())))?;
    let onnx_url = resolve(&card.onnx, card_url)?;
    let catalog_url = card.catalog.as_deref().map(|c| resolve(c, card_url)).transpose()?;
    let onnx_fut = fetch_bytes(&onnx_url, "ONNX model");
    let catalog_fut = async {
        match &catalog_url {
            Some(u) => fetch_bytes(u, "catalog").await.map(Some),
            None => Ok(None),
        }
    };
    let (onnx, catalog_bytes) = futures::join!(onnx_fut, catalog_fut);
    let onnx = onnx?;
    let catalog_bytes = catalog_bytes?;
    let catalog = match &catalog_bytes {
        Some(b) => Catalog::from_json(b, card.num_items).map_err(|e| WidgetError::new("catalog", capitalise(&e.to_string())))?,
        None => Catalog::default(),
    };
    let info = ModelInfo {
        id: card.name.clone().unwrap_or_else(|| card_url.to_string()),
        catalog: Arc::new(catalog.clone()),
        has_attention: card.outputs.attention.is_some(),
    };
    let model_error = |m: String| WidgetError::new("model", capitalise(&m));
    if let Some(bridge) = worker::bridge() {
        let key = NEXT_KEY.with(|k| {
            let v = k.get();
            k.set(v + 1);
            v
        });
        match bridge.load(key, &card_bytes, &onnx, catalog_bytes.as_deref()).await {
            Ok(()) => return Ok(Rc::new(Loaded { info, backend: Backend::Worker(bridge, key) })),
            Err(CallError::Failed(m)) => return Err(model_error(m)),
            Err(CallError::Down(m)) => {
                web_sys::console::warn_1(&format!("whythis: the worker stopped ({m}); running on the main thread").into());
            }
        }
    }
    let engine = Engine::from_parts(card, &onnx, catalog).map_err(model_error)?;
    Ok(Rc::new(Loaded { info, backend: Backend::Inline(Rc::new(engine)) }))
}

impl Loaded {
    /// Explains a history, in the worker when there is one.
    pub fn explain(&self, history: History, options: ExplainOptions) -> LocalBoxFuture<'static, Result<ExplanationDocument, WidgetError>> {
        let explain_error = |m: String| WidgetError::new("explain", capitalise(&m));
        match &self.backend {
            Backend::Inline(engine) => {
                let engine = engine.clone();
                async move {
                    // Let the page paint "Working…" before the main thread is busy.
                    yield_now().await;
                    engine.explain_history(&history, &options).map_err(explain_error)
                }
                .boxed_local()
            }
            Backend::Worker(bridge, key) => {
                let bridge = bridge.clone();
                let key = *key;
                async move {
                    let h = serde_json::to_string(&history).map_err(|e| explain_error(e.to_string()))?;
                    let o = serde_json::to_string(&options).map_err(|e| explain_error(e.to_string()))?;
                    let text = bridge.explain(key, h, o).await.map_err(|e| match e {
                        CallError::Failed(m) => explain_error(m),
                        CallError::Down(m) => WidgetError::new("worker", format!("The recommender stopped working: {m}")),
                    })?;
                    serde_json::from_str::<ExplanationDocument>(&text).map_err(|e| explain_error(format!("unreadable document: {e}")))
                }
                .boxed_local()
            }
        }
    }
}

async fn yield_now() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// Upper-cases the first letter and ends with a full stop.
pub fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    let mut out = match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    };
    if !out.ends_with('.') && !out.ends_with('\n') {
        out.push('.');
    }
    out
}
