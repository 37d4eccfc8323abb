//! The messages between the page and its engine, typed once for both ends: the page's module
//! (`whythis-page`'s `worker`) sends a [`Call`] and reads the [`Answer`]; the engine's module
//! (`whythis-engine`'s `EngineHost`) reads the call and answers it. `pkg/engine-host.js` carries them
//! through the worker (or the main-thread port) unread, except for the three fatal replies it must
//! write itself because the engine's instance is gone or never started: [`Reply::Crashed`],
//! [`Reply::Restarted`] and [`Reply::Down`]. Messages are plain JS objects (serde-wasm-bindgen, enums
//! externally tagged: `{id, request: {explain: {…}}}`), so the model's bytes pass by reference and the
//! document is never written out as JSON text.

use js_sys::Uint8Array;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;
use whythis_types::boundary::{ErrorCode, WidgetError};
use whythis_types::explain::{ExplainOptions, ExplanationDocument};
use whythis_types::model::{CatalogEntry, History, ItemId};

/// A request with the id its answer carries back.
#[derive(Serialize, Deserialize)]
pub struct Call {
    /// Chosen by the page, unique among the calls in flight.
    pub id: u32,
    /// What the engine is asked.
    pub request: Request,
}

/// What the page asks of the engine.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Request {
    /// Loads a model under `key`, replacing one loaded under it before.
    Load {
        /// The page's name for the model.
        key: u32,
        /// Which engine module runs it: `engine-host.js` reads this (and only this) to route the call,
        /// and every later call about `key`, to that module, which it starts on first use.
        engine: EngineKind,
        /// The model card's bytes.
        card: Bytes,
        /// The model file's bytes (the ONNX graph, or a packed card's NNEF archive), handed over without
        /// a copy into the page's memory.
        model: Bytes,
        /// A packed card's item embeddings file, when it names one.
        #[serde(default)]
        embedding: Option<Bytes>,
        /// The catalog's bytes, if the card names one and the page downloaded it.
        catalog: Option<Bytes>,
        /// True when names are asked of the host page instead (`el.itemInfo`): explaining may then
        /// answer [`Reply::Lookup`] first.
        #[serde(default)]
        lookup: bool,
    },
    /// Starts the engine module `engine` (its download and compilation) while the page still downloads
    /// the model; answered with [`Reply::Started`] once it runs.
    Start {
        /// The module to start.
        engine: EngineKind,
    },
    /// Explains (or only ranks) a history with the model loaded under `key`.
    Explain {
        /// The model's key.
        key: u32,
        /// The history, already read on the page.
        history: History,
        /// What to compute.
        options: ExplainOptions,
        /// Test hook: the engine panics instead of answering.
        #[cfg(feature = "test-hooks")]
        #[serde(default)]
        panic: bool,
    },
    /// The host's answer to a [`Reply::Lookup`]: the engine takes it (all or nothing) and goes on with
    /// the explanation waiting under `call`.
    Names {
        /// The id of the `Explain` call the lookup belongs to.
        call: u32,
        /// The entries the host's resolver gave for the ids asked.
        answers: Vec<CatalogEntry>,
    },
}

/// The two engine modules (docs/contract.md "Packed models"): a packed card runs in the small one, so a
/// storefront that packs its model never downloads the ONNX front end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EngineKind {
    /// `whythis_engine`: ONNX cards (and packed ones).
    Onnx,
    /// `whythis_engine_nnef`: packed cards only, no ONNX front end.
    Packed,
}

impl EngineKind {
    /// The engine a card needs.
    pub fn for_card(card: &whythis_types::model::ModelCard) -> EngineKind {
        if card.nnef.is_some() {
            EngineKind::Packed
        } else {
            EngineKind::Onnx
        }
    }
}

/// An answer to the call with the same id.
#[derive(Serialize, Deserialize)]
pub struct Answer {
    /// The call's id.
    pub id: u32,
    /// How it went.
    pub reply: Reply,
}

/// How a request went.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reply {
    /// The engine module runs.
    Started,
    /// The model is loaded.
    Loaded,
    /// The explanation document.
    Explained(Box<ExplanationDocument>),
    /// The explanation needs names the engine does not have: the page asks its resolver for these ids
    /// (at most `MAX_LOOKUP_IDS`) and sends [`Request::Names`] with the `Explain` call's id.
    Lookup {
        /// The ids to name.
        ids: Vec<ItemId>,
    },
    /// The engine refused the request: the code says whose fault it is.
    Refused(WidgetError),
    /// Written by `engine-host.js`: this request made the engine panic (the message, numbers masked).
    #[serde(skip_serializing)]
    Crashed {
        /// The panic's message.
        message: String,
    },
    /// Written by `engine-host.js`: an earlier request crashed this engine; the page sends it again.
    #[serde(skip_serializing)]
    Restarted {
        /// The earlier panic's message.
        message: String,
    },
    /// Written by `engine-host.js`: the engine module could not start.
    #[serde(skip_serializing)]
    Down {
        /// Why.
        message: String,
    },
}

/// Bytes that stay a JS `Uint8Array` on both sides of the port.
#[derive(Serialize, Deserialize)]
pub struct Bytes(#[serde(with = "serde_wasm_bindgen::preserve")] pub Uint8Array);

/// A value as JavaScript gets it, in messages and from the JS API alike: plain objects and arrays with
/// null for none, as `JSON.parse` would give. An integer beyond 2^53 (only a host's item id or event
/// time can be one) is an error, whose text quotes the number and so is never shown.
pub fn to_js<T: Serialize>(value: &T) -> Result<JsValue, serde_wasm_bindgen::Error> {
    value.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
}

/// What a message or a document that [`to_js`] refused becomes: the history's fault, said without its
/// numbers.
pub fn too_large_number() -> WidgetError {
    WidgetError::new(
        ErrorCode::History,
        "the history has an item id or a time larger than JavaScript numbers hold exactly (2^53)",
    )
}
