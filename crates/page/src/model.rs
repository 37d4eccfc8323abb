//! Fetching a model (card, ONNX, catalog) once per page and running it behind the engine port (the
//! worker, or the engine module on the main thread when there is no worker). The page keeps the
//! model's bytes so that a restarted engine gets the model again on its next request. A widget with an
//! `itemInfo` resolver loads the model without its catalog and answers the engine's lookups with it
//! (pkg/README "A large catalog: itemInfo").

use crate::worker::{self, js_message, Bridge, CallError, Explained};
use whythis_js::protocol::EngineKind;
use whythis_types::boundary::{ErrorCode, WidgetError};
use whythis_types::explain::{ExplainOptions, ExplanationDocument};
use whythis_types::model::{Catalog, CatalogEntry, History, ItemId, ModelCard, MAX_LOOKUP_IDS};
use whythis_ui::ModelInfo;
use futures::future::{FutureExt, LocalBoxFuture, Shared};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// A loaded model.
pub struct Loaded {
    /// What the panel needs to know.
    pub info: ModelInfo,
    /// Its name in the engine.
    key: u32,
    /// The engine module that runs it.
    engine: EngineKind,
    card: Vec<u8>,
    /// The model file: the ONNX graph, or a packed card's NNEF archive.
    model: js_sys::Uint8Array,
    /// A packed card's item embeddings.
    embedding: Option<js_sys::Uint8Array>,
    catalog: Option<Vec<u8>>,
    /// Names are asked of the widget's resolver, not read from a catalog.
    lookup: bool,
    /// The engine port it was last loaded into (see `Bridge::generation`).
    loaded_into: Cell<u32>,
}

/// How often one request is sent again after other requests crashed the engine before it ran.
const MAX_RESTARTS: u32 = 3;
/// The most lookups one explanation makes: the engine asks for the window and the items shown (a
/// hundred ids a round), then once for the counterfactuals' items.
const MAX_LOOKUP_ROUNDS: u32 = 4;
/// How long the host's resolver may take to answer one lookup.
const LOOKUP_TIMEOUT_MS: i32 = 10_000;

type LoadFuture = Shared<LocalBoxFuture<'static, Result<Rc<Loaded>, WidgetError>>>;

thread_local! {
    static MODELS: RefCell<HashMap<String, LoadFuture>> = RefCell::new(HashMap::new());
    static NEXT_KEY: Cell<u32> = const { Cell::new(1) };
}

/// The model at this absolute card URL, loaded once per page (a failed load is tried again next time).
/// With `lookup`, its catalog is not downloaded: names come from the widget's resolver.
pub fn load(card_url: &str, lookup: bool) -> LoadFuture {
    let cache_key = format!("{}{card_url}", if lookup { "lookup " } else { "" });
    if let Some(f) = MODELS.with(|m| m.borrow().get(&cache_key).cloned()) {
        return f;
    }
    let url = card_url.to_string();
    let key = cache_key.clone();
    let fut = async move {
        let result = load_uncached(&url, lookup).await;
        if result.is_err() {
            MODELS.with(|m| m.borrow_mut().remove(&key));
        }
        result
    }
    .boxed_local()
    .shared();
    MODELS.with(|m| m.borrow_mut().insert(cache_key, fut.clone()));
    fut
}

/// Resolves a URL against a base.
pub fn resolve(relative: &str, base: &str) -> Result<String, WidgetError> {
    web_sys::Url::new_with_base(relative, base)
        .map(|u| u.href())
        .map_err(|_| WidgetError::new(ErrorCode::Fetch, format!("“{relative}” is not a usable address")))
}

async fn fetch_bytes(url: &str, what: &str) -> Result<Vec<u8>, WidgetError> {
    fetch_array(url, what).await.map(|a| a.to_vec())
}

/// The bytes at `url`, left in JavaScript's memory (the ONNX file only passes through the page).
async fn fetch_array(url: &str, what: &str) -> Result<js_sys::Uint8Array, WidgetError> {
    let fail = |detail: String| WidgetError::new(ErrorCode::Fetch, format!("The {what} could not be downloaded from {url}: {detail}."));
    let window = web_sys::window().ok_or_else(|| fail("there is no window".into()))?;
    let response = JsFuture::from(window.fetch_with_str(url)).await.map_err(|e| fail(js_message(&e)))?;
    let response: web_sys::Response = response.dyn_into().map_err(|_| fail("no response".into()))?;
    if !response.ok() {
        return Err(fail(format!("HTTP {} {}", response.status(), response.status_text())));
    }
    let buffer = response.array_buffer().map_err(|e| fail(js_message(&e)))?;
    let buffer = JsFuture::from(buffer).await.map_err(|e| fail(js_message(&e)))?;
    Ok(js_sys::Uint8Array::new(&buffer))
}

async fn load_uncached(card_url: &str, lookup: bool) -> Result<Rc<Loaded>, WidgetError> {
    // Starts the engine (its download and compilation) while the model downloads.
    let _ = worker::bridge();
    let card_bytes = fetch_bytes(card_url, "model card").await?;
    let card = ModelCard::from_json(&card_bytes).map_err(|e| WidgetError::new(ErrorCode::Card, capitalise(&e.to_string())))?;
    let engine = EngineKind::for_card(&card);
    if let Ok(bridge) = worker::bridge() {
        // Its answer is only a signal: a failure to start shows when the model is loaded into it.
        wasm_bindgen_futures::spawn_local(async move {
            let _ = bridge.start_engine(engine).await;
        });
    }
    // A packed card names its NNEF archive and embeddings instead of an ONNX file (docs/contract.md,
    // "Packed models"); the engine checks them against the card's sha256.
    let (model_file, what) = match &card.nnef {
        Some(nnef) => (nnef.as_str(), "packed model"),
        None => (card.onnx.as_str(), "ONNX model"),
    };
    let model_url = resolve(model_file, card_url)?;
    let embedding_url = card.packed.as_ref().and_then(|p| p.embedding.as_deref()).map(|e| resolve(e, card_url)).transpose()?;
    let catalog_url = card.catalog.as_deref().filter(|_| !lookup).map(|c| resolve(c, card_url)).transpose()?;
    let model_fut = fetch_array(&model_url, what);
    let embedding_fut = async {
        match &embedding_url {
            Some(u) => fetch_array(u, "item embeddings").await.map(Some),
            None => Ok(None),
        }
    };
    let catalog_fut = async {
        match &catalog_url {
            Some(u) => fetch_bytes(u, "catalog").await.map(Some),
            None => Ok(None),
        }
    };
    let (model, embedding, catalog_bytes) = futures::join!(model_fut, embedding_fut, catalog_fut);
    let (model, embedding, catalog_bytes) = (model?, embedding?, catalog_bytes?);
    let catalog = match &catalog_bytes {
        // The page reads the catalog too (for the panel's names): it is checked here before it is read.
        Some(b) => whythis_types::model::integrity::verify(&card, card.catalog.as_deref().unwrap_or_default(), b)
            .map_err(|e| WidgetError::new(ErrorCode::Integrity, capitalise(&e.to_string())))
            .and_then(|()| Catalog::from_json(b, card.num_items).map_err(|e| WidgetError::new(ErrorCode::Catalog, capitalise(&e.to_string()))))?,
        None => Catalog::default(),
    };
    let info = ModelInfo {
        id: card.name.clone().unwrap_or_else(|| card_url.to_string()),
        catalog: Arc::new(catalog.clone()),
        has_attention: card.outputs.attention.is_some(),
    };
    let key = NEXT_KEY.with(|k| {
        let v = k.get();
        k.set(v + 1);
        v
    });
    let loaded = Loaded { info, key, engine, card: card_bytes, model, embedding, catalog: catalog_bytes, lookup, loaded_into: Cell::new(0) };
    loaded.bridge().await.map_err(|e| match e {
        // A graph can make tract panic while it is read: that is this model's fault, not the engine's.
        CallError::Crashed(m) => WidgetError::new(
            ErrorCode::Model,
            format!("The model could not be loaded: the recommender stopped on an internal error while reading it ({}). The graph is probably malformed, or uses a construct tract does not support.", m.trim_end_matches('.')),
        ),
        other => engine_error(other),
    })?;
    Ok(Rc::new(loaded))
}

/// A worker call's failure as the panel shows it: a refusal keeps the engine's code (the input at
/// fault), a crash or a lost worker is the recommender's own.
fn engine_error(error: CallError) -> WidgetError {
    match error {
        CallError::Refused(e) => WidgetError::new(e.code, capitalise(&e.message)),
        CallError::Crashed(m) => WidgetError::new(ErrorCode::Internal, format!("The recommender stopped on an internal error ({}); it restarts on the next request.", m.trim_end_matches('.'))),
        CallError::Down(m) => WidgetError::new(ErrorCode::Worker, format!("The recommender stopped working: {}", capitalise(&m))),
        CallError::Restarted => WidgetError::new(ErrorCode::Internal, "The recommender kept being restarted by other requests' internal errors; try again."),
    }
}

impl Loaded {
    /// The engine port with this model in it: loads it again into an engine that was restarted.
    async fn bridge(&self) -> Result<Rc<Bridge>, CallError> {
        let mut tries = 0;
        let mut restarts = 0;
        loop {
            let bridge = worker::bridge().map_err(CallError::Down)?;
            if self.loaded_into.get() == bridge.generation() {
                return Ok(bridge);
            }
            match bridge.load(self.key, self.engine, &self.card, &self.model, self.embedding.as_ref(), self.catalog.as_deref(), self.lookup).await {
                Ok(()) => {
                    self.loaded_into.set(bridge.generation());
                    return Ok(bridge);
                }
                // The worker could not start: the next port is the main thread's.
                Err(CallError::Down(m)) if tries == 0 => {
                    web_sys::console::warn_1(&format!("whythis: the worker stopped ({m}); running on the main thread").into());
                    worker::give_up_worker(&m);
                    tries += 1;
                }
                // Another model crashed the engine first: load this one into the fresh engine.
                Err(CallError::Restarted) if restarts < MAX_RESTARTS => restarts += 1,
                Err(e) => return Err(e),
            }
        }
    }

    /// Explains a history behind the engine port, answering the engine's lookups with `resolver` (the
    /// widget's `itemInfo`). `panic` is the test hook's: the engine panics instead.
    pub fn explain(
        self: &Rc<Self>,
        history: History,
        options: ExplainOptions,
        resolver: Option<js_sys::Function>,
        #[cfg(feature = "test-hooks")] panic: bool,
    ) -> LocalBoxFuture<'static, Result<ExplanationDocument, WidgetError>> {
        let this = self.clone();
        async move {
            let mut restarts = 0;
            'again: loop {
                let bridge = this.bridge().await.map_err(engine_error)?;
                #[cfg(feature = "test-hooks")]
                let mut answer = bridge.explain(this.key, history.clone(), options.clone(), panic).await;
                #[cfg(not(feature = "test-hooks"))]
                let mut answer = bridge.explain(this.key, history.clone(), options.clone()).await;
                let mut rounds = 0;
                loop {
                    match answer {
                        Ok(Explained::Document(doc)) => return Ok(doc),
                        Ok(Explained::Lookup { call, ids }) if rounds < MAX_LOOKUP_ROUNDS => {
                            rounds += 1;
                            // A resolver taken away since the model loaded names nothing: items keep their ids.
                            let answers = match &resolver {
                                Some(resolver) => look_up(resolver, &ids).await?,
                                None => Vec::new(),
                            };
                            answer = bridge.names(call, answers).await;
                        }
                        Ok(Explained::Lookup { .. }) => {
                            return Err(WidgetError::new(ErrorCode::Internal, "The recommender kept asking for item names; this is a bug in whythis."))
                        }
                        // Another request crashed the engine before this one ran: ask the fresh engine.
                        Err(CallError::Restarted) if restarts < MAX_RESTARTS => {
                            restarts += 1;
                            continue 'again;
                        }
                        Err(e) => return Err(engine_error(e)),
                    }
                }
            }
        }
        .boxed_local()
    }
}

/// Asks the host's resolver to name `ids`. What it answers is only read here; the engine checks it
/// (`Lookups::accept`). No sentence quotes the resolver's own error, which may carry the ids asked.
async fn look_up(resolver: &js_sys::Function, ids: &[ItemId]) -> Result<Vec<CatalogEntry>, WidgetError> {
    let fail = |why: String| WidgetError::new(ErrorCode::Catalog, format!("The page's itemInfo resolver {why}; the explanation needs the names it was asked for."));
    let asked = js_sys::Array::new();
    for id in ids.iter().take(MAX_LOOKUP_IDS) {
        asked.push(&JsValue::from(id.0));
    }
    let returned = resolver.call1(&JsValue::NULL, &asked).map_err(|_| fail("threw an error".into()))?;
    let late = js_sys::Object::new();
    let timer = {
        let late = late.clone();
        js_sys::Promise::new(&mut |resolve, _| {
            if let Some(w) = web_sys::window() {
                let _ = w.set_timeout_with_callback_and_timeout_and_arguments_1(&resolve, LOOKUP_TIMEOUT_MS, &late);
            }
        })
    };
    let race = js_sys::Promise::race(&js_sys::Array::of2(&js_sys::Promise::resolve(&returned), &timer));
    let value = JsFuture::from(race).await.map_err(|_| fail("failed (its promise was rejected)".into()))?;
    if js_sys::Object::is(&value, &late) {
        return Err(fail(format!("did not answer within {} seconds", LOOKUP_TIMEOUT_MS / 1000)));
    }
    let Some(list) = value.dyn_ref::<js_sys::Array>() else {
        return Err(fail("did not answer with an array of {id, title, tags?} objects".into()));
    };
    // Counted before it is read: a longer answer than the ids asked is refused whatever it holds.
    if list.length() as usize > ids.len() {
        return Err(fail(format!("answered {} entries for {} ids asked", list.length(), ids.len())));
    }
    serde_wasm_bindgen::from_value(value).map_err(|_| fail("answered with an entry that is not an {id, title, tags?} object with a whole-number id".into()))
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
