//! The worker's wasm modules and their JS API (wasm-bindgen): `pkg/whythis_engine`, and, built without
//! the `onnx` feature, the small `pkg/whythis_engine_nnef` that runs packed cards only (no ONNX front
//! end; docs/contract.md "Packed models"). Both have the same API: an [`Engine`] that
//! loads a model and explains histories (`loadModel` hands one to the host page), and the [`EngineHost`]
//! that answers the page's
//! [`whythis_js::protocol`] messages in the worker (`pkg/engine-host.js`) or on the main thread.

use whythis_js::protocol::{self, Answer, Call, Reply, Request};
use whythis_types::boundary::{ErrorCode, WidgetError};
use whythis_explain::{explain, explain_rewordable, ExplainOptions, ExplanationDocument, Rewordable};
use whythis_model::bounded_list::TOO_MANY;
use whythis_model::history::MAX_HISTORY_EVENTS;
use whythis_model::integrity;
use whythis_model::{Catalog, CatalogEntry, History, ItemId, Lookups, ModelCard, ModelError, Scorer};
use wasm_bindgen::prelude::*;

/// A loaded model with its catalog: `new Engine(cardBytes, onnxBytes, catalogBytes?)`.
#[wasm_bindgen]
pub struct Engine {
    scorer: Scorer,
    names: Names,
}

/// Where an engine's titles and tags come from.
enum Names {
    /// The whole catalog, downloaded with the model (or none).
    Whole(Catalog),
    /// The host page's resolver, asked id by id (pkg/README "A large catalog: itemInfo").
    Asked(Lookups),
}

/// What one step of a looked-up explanation came to.
pub enum Step {
    /// The document, done.
    Done(ExplanationDocument),
    /// These ids need names first.
    Ask(Vec<ItemId>),
}

/// An explanation waiting for names: what it was asked, the ids the page is asked to name, and the
/// explanation itself once only its counterfactuals' replacing items lack names.
pub struct Pending {
    key: u32,
    history: History,
    options: ExplainOptions,
    asked: Vec<ItemId>,
    explained: Option<Rewordable>,
}

fn failed(e: whythis_explain::ExplainError) -> WidgetError {
    WidgetError::new(ErrorCode::from(&e), e.to_string())
}

impl Engine {
    /// Loads a card, its model file (ONNX, or a packed card's NNEF archive and embeddings) and its
    /// catalog, each checked against the card's sha256 when it gives one; the error's code names the
    /// input at fault. With `lookup`, names are asked of the page instead (see [`Engine::step`]).
    pub fn load(card: &[u8], model: &[u8], embedding: Option<&[u8]>, catalog: Option<&[u8]>, lookup: bool) -> Result<Engine, WidgetError> {
        let card = ModelCard::from_json(card).map_err(|e| WidgetError::new(ErrorCode::Card, e.to_string()))?;
        let model_error = |e: ModelError| WidgetError::new(ErrorCode::from(&e), e.to_string());
        let names = match catalog {
            Some(bytes) => {
                if let Some(name) = &card.catalog {
                    integrity::verify(&card, name, bytes).map_err(model_error)?;
                }
                Names::Whole(Catalog::from_json(bytes, card.num_items).map_err(|e| WidgetError::new(ErrorCode::Catalog, e.to_string()))?)
            }
            None if lookup => Names::Asked(Lookups::new(card.num_items)),
            None => Names::Whole(Catalog::default()),
        };
        let scorer = if card.nnef.is_some() {
            Scorer::load_packed(card, model, embedding)
        } else {
            #[cfg(feature = "onnx")]
            let scorer = Scorer::load(card, model);
            #[cfg(not(feature = "onnx"))]
            let scorer = Err(ModelError::PackedOnly);
            scorer
        };
        let scorer = scorer.map_err(model_error)?;
        Ok(Engine { scorer, names })
    }

    fn catalog(&self) -> &Catalog {
        match &self.names {
            Names::Whole(c) => c,
            Names::Asked(l) => l.catalog(),
        }
    }

    /// Explains a history with the names known now; the error's code says whose fault a failure is.
    pub fn explain_history(&self, history: &History, options: &ExplainOptions) -> Result<ExplanationDocument, WidgetError> {
        explain(&self.scorer, self.catalog(), history, options).map_err(failed)
    }

    /// Takes the page's answer to the lookup `pending` asked (all of it or none).
    pub fn accept(&mut self, pending: &Pending, answers: Vec<CatalogEntry>) -> Result<(), WidgetError> {
        match &mut self.names {
            Names::Asked(lookups) => lookups.accept(&pending.asked, answers).map_err(|e| WidgetError::new(ErrorCode::from(&e), e.to_string())),
            Names::Whole(_) => Ok(()),
        }
    }

    /// The next step of an explanation whose names are looked up: rank, and ask for the names of the
    /// window and of the items shown; then explain, and ask once more for the items its counterfactuals
    /// name; then word it again with those. A catalog downloaded whole explains at once.
    pub fn step(&self, pending: &mut Pending) -> Result<Step, WidgetError> {
        let step = self.next_step(pending)?;
        if let Step::Ask(ids) = &step {
            pending.asked = ids.clone();
        }
        Ok(step)
    }

    fn next_step(&self, pending: &mut Pending) -> Result<Step, WidgetError> {
        let Names::Asked(lookups) = &self.names else {
            return self.explain_history(&pending.history, &pending.options).map(Step::Done);
        };
        let (history, options) = (&pending.history, &pending.options);
        if let Some(mut explained) = pending.explained.take() {
            explained.reword(self.scorer.card(), lookups.catalog(), history, options).map_err(failed)?;
            return Ok(Step::Done(explained.document));
        }
        let ranking = explain_rewordable(&self.scorer, lookups.catalog(), history, &ExplainOptions { rank_only: true, ..options.clone() })
            .map_err(failed)?;
        let missing = lookups.missing(ranking.document.named_items());
        if !missing.is_empty() {
            return Ok(Step::Ask(missing));
        }
        if options.rank_only {
            return Ok(Step::Done(ranking.document));
        }
        let explained = explain_rewordable(&self.scorer, lookups.catalog(), history, options).map_err(failed)?;
        let missing = lookups.missing(explained.document.named_items());
        if missing.is_empty() {
            return Ok(Step::Done(explained.document));
        }
        pending.explained = Some(explained);
        Ok(Step::Ask(missing))
    }
}

impl Pending {
    /// An explanation of `history` with the model under `key`, not started.
    pub fn new(key: u32, history: History, options: ExplainOptions) -> Pending {
        Pending { key, history, options, asked: Vec::new(), explained: None }
    }

    /// The ids its last step asked for (empty before the first).
    pub fn asked(&self) -> &[ItemId] {
        &self.asked
    }
}

#[wasm_bindgen]
impl Engine {
    /// Loads a model card, its model file (ONNX, or a packed card's NNEF archive), optionally its
    /// catalog and a packed card's embeddings. Throws an Error whose `code` (`card`, `catalog`, `model`
    /// or `integrity`) names the input at fault and whose message says what is wrong.
    #[wasm_bindgen(constructor)]
    pub fn new(card: &[u8], model: &[u8], catalog: Option<Vec<u8>>, embedding: Option<Vec<u8>>) -> Result<Engine, JsValue> {
        whythis_js::panic::install_hook();
        Engine::load(card, model, embedding.as_deref(), catalog.as_deref(), false).map_err(thrown)
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
    /// Explanations waiting for the page's names, by the id of their `Explain` call, oldest first.
    pending: Vec<(u32, Pending)>,
}

/// The most explanations that wait for names at once; a page that never answers loses the oldest.
const MAX_PENDING: usize = 32;

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
        EngineHost { engines: Vec::new(), pending: Vec::new() }
    }

    /// Answers one [`Call`] with an [`Answer`]; a request the engine refuses is a `refused` reply, not
    /// an exception. Throws only when the answer cannot be handed over.
    pub fn handle(&mut self, call: JsValue) -> Result<JsValue, JsError> {
        let id = js_sys::Reflect::get(&call, &"id".into()).ok().and_then(|v| v.as_f64()).unwrap_or(0.0) as u32;
        let reply = match serde_wasm_bindgen::from_value::<Call>(call) {
            Ok(call) => self.answer(id, call.request),
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
    fn answer(&mut self, id: u32, request: Request) -> Reply {
        match request {
            Request::Start { .. } => Reply::Started,
            // `engine` is engine-host.js's to read: it routed this call here.
            Request::Load { key, card, model, embedding, catalog, lookup, engine: _ } => {
                self.engines.retain(|(k, _)| *k != key);
                self.pending.retain(|(_, p)| p.key != key);
                let embedding = embedding.map(|e| e.0.to_vec());
                match Engine::load(&card.0.to_vec(), &model.0.to_vec(), embedding.as_deref(), catalog.map(|c| c.0.to_vec()).as_deref(), lookup) {
                    Ok(engine) => {
                        self.engines.push((key, engine));
                        Reply::Loaded
                    }
                    Err(e) => Reply::Refused(e),
                }
            }
            #[cfg(feature = "test-hooks")]
            Request::Explain { panic: true, history, .. } => test_engine_panic(&history),
            Request::Explain { key, history, options, .. } => self.step(id, Pending::new(key, history, options)),
            Request::Names { call, answers } => {
                let Some(index) = self.pending.iter().position(|(c, _)| *c == call) else {
                    return Reply::Refused(WidgetError::new(ErrorCode::Internal, "the engine has no explanation waiting for these names"));
                };
                let (_, pending) = self.pending.remove(index);
                let Some((_, engine)) = self.engines.iter_mut().find(|(k, _)| *k == pending.key) else {
                    return not_loaded();
                };
                match engine.accept(&pending, answers) {
                    Ok(()) => self.step(call, pending),
                    Err(e) => Reply::Refused(e),
                }
            }
        }
    }

    /// Runs an explanation's next step; one that asks for names waits under `call` for them.
    fn step(&mut self, call: u32, mut pending: Pending) -> Reply {
        let Some((_, engine)) = self.engines.iter().find(|(k, _)| *k == pending.key) else {
            return not_loaded();
        };
        match engine.step(&mut pending) {
            Ok(Step::Done(doc)) => Reply::Explained(Box::new(doc)),
            Ok(Step::Ask(ids)) => {
                if self.pending.len() >= MAX_PENDING {
                    self.pending.remove(0);
                }
                self.pending.push((call, pending));
                Reply::Lookup { ids }
            }
            Err(e) => Reply::Refused(e),
        }
    }
}

fn not_loaded() -> Reply {
    Reply::Refused(WidgetError::new(ErrorCode::Internal, "this model is not loaded in the engine"))
}

/// Test hook: a real panic in the engine, for the browser tests of panic containment. Its message
/// quotes the history's first item, as a panic inside a model's graph can quote an index, so the tests
/// can check that no panic text carries the history out.
#[cfg(feature = "test-hooks")]
fn test_engine_panic(history: &History) -> ! {
    let first = history.events.first().map(|e| e.item).unwrap_or(0);
    panic!("test panic in the engine, requested by the browser tests, at item {first}");
}

#[cfg(test)]
mod tests {
    use super::*;
    use whythis_model::Event;

    fn read(name: &str) -> Vec<u8> {
        std::fs::read(format!("{}/../../models/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap_or_else(|e| panic!("models/{name}: {e}"))
    }

    fn engine(lookup: bool) -> Engine {
        let catalog = (!lookup).then(|| read("catalog.json"));
        Engine::load(&read("sasrec.card.json"), &read("sasrec.onnx"), None, catalog.as_deref(), lookup).unwrap()
    }

    /// The shipped catalog's entries for the ids asked, as a host's resolver would answer.
    fn answer(ids: &[ItemId]) -> Vec<CatalogEntry> {
        let all = Catalog::from_json(&read("catalog.json"), 1682).unwrap();
        ids.iter().filter_map(|id| all.get(*id).cloned()).collect()
    }

    fn history(items: &[u32]) -> History {
        History { events: items.iter().map(|&item| Event { item: item as i64, action: Some("rated_4".into()), ts: None }).collect() }
    }

    #[test]
    fn looked_up_names_give_the_document_the_whole_catalog_gives() {
        let whole = engine(false);
        let mut asked_engine = engine(true);
        for items in [&[258, 286, 302, 313, 328, 748, 751, 1007][..], &[50, 172, 181, 1, 121, 7, 98, 174, 168, 56, 64, 100]] {
            let h = history(items);
            let options = ExplainOptions { top_k: 5, permutations: 32, ..ExplainOptions::default() };
            let expected = whole.explain_history(&h, &options).unwrap();
            let mut pending = Pending::new(1, h.clone(), options.clone());
            let ranking = asked_engine.explain_history(&h, &ExplainOptions { rank_only: true, ..options.clone() }).unwrap();
            // Names an earlier history brought in are not asked again.
            let mut shown: Vec<ItemId> = ranking.named_items().into_iter().filter(|id| !asked_before(&asked_engine, *id)).collect();
            shown.sort();
            let mut rounds = Vec::new();
            let doc = loop {
                match asked_engine.step(&mut pending).unwrap() {
                    Step::Done(doc) => break doc,
                    Step::Ask(ids) => {
                        assert!(rounds.len() < 3, "asked too often: {rounds:?}");
                        asked_engine.accept(&pending, answer(&ids)).unwrap();
                        rounds.push(ids);
                    }
                }
            };
            assert_eq!(doc, expected, "the same document, names and sentences included");
            // The first round asks exactly the window and the items shown that no earlier round named;
            // the rest only what the explanation names besides, and no id twice.
            let mut first = rounds[0].clone();
            first.sort();
            assert_eq!(first, shown);
            let all: Vec<ItemId> = rounds.concat();
            let unique: std::collections::HashSet<ItemId> = all.iter().copied().collect();
            assert_eq!(unique.len(), all.len());
            let named: std::collections::HashSet<ItemId> = expected.named_items().into_iter().collect();
            assert!(all.iter().all(|id| named.contains(id)));
            assert!(named.iter().all(|id| unique.contains(id) || asked_before(&asked_engine, *id)));
        }
    }

    fn asked_before(engine: &Engine, id: ItemId) -> bool {
        matches!(&engine.names, Names::Asked(l) if l.missing([id]).is_empty())
    }

    #[test]
    fn a_refused_answer_is_the_catalogs_fault_and_names_no_item() {
        let mut e = engine(true);
        let mut pending = Pending::new(1, history(&[258, 286, 302]), ExplainOptions { rank_only: true, ..ExplainOptions::default() });
        let Step::Ask(ids) = e.step(&mut pending).unwrap() else { panic!("a fresh lookup engine asks first") };
        let stranger = (1..).map(ItemId).find(|i| !ids.contains(i)).unwrap();
        let err = e.accept(&pending, vec![CatalogEntry { id: stranger, title: "?".into(), tags: vec![] }]).unwrap_err();
        assert_eq!(err.code, ErrorCode::Catalog);
        for id in [258, 286, 302, stranger.0] {
            assert!(!err.message.contains(&id.to_string()), "{}", err.message);
        }
        // Nothing was taken: the same ids are asked again.
        assert!(matches!(e.step(&mut pending).unwrap(), Step::Ask(again) if again == ids));
    }
}
