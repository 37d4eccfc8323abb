//! The engine port: the model runs in the engine module (`whythis_engine`), in a dedicated module
//! worker (`pkg/worker.js`) so the page never freezes while an explanation is computed, or, when there
//! is no worker, on the main thread behind the same messages (`pkg/index.js`'s port). Both answer
//! through `pkg/engine-host.js`; the messages are [`whythis_js::protocol`]'s.
//! A crashed engine (a panic traps its instance) is replaced by a fresh port on the next request.

use whythis_js::protocol::{self, Answer, Bytes, Call, EngineKind, Reply, Request};
use whythis_types::boundary::{ErrorCode, WidgetError};
use whythis_types::explain::{ExplainOptions, ExplanationDocument};
use whythis_types::model::{CatalogEntry, History, ItemId};
use futures::channel::oneshot;
use js_sys::{Reflect, Uint8Array};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::MessageEvent;

#[wasm_bindgen]
extern "C" {
    /// A Worker, or anything with its `postMessage`, `onmessage`, `onerror` and `terminate`.
    pub type Port;
    #[wasm_bindgen(method, catch, js_name = postMessage)]
    fn post_message(this: &Port, message: &JsValue) -> Result<(), JsValue>;
    #[wasm_bindgen(method, setter)]
    fn set_onmessage(this: &Port, handler: &JsValue);
    #[wasm_bindgen(method, setter)]
    fn set_onerror(this: &Port, handler: &JsValue);
    #[wasm_bindgen(method)]
    fn terminate(this: &Port);
}

/// Why a call to the engine failed.
#[derive(Debug, Clone)]
pub enum CallError {
    /// The port could not start or went away: the worker is given up for the main thread.
    Down(String),
    /// The engine panicked on this request (its message); the next request gets a fresh engine.
    Crashed(String),
    /// Another request crashed the engine before this one ran: sent again, it runs on a fresh engine.
    Restarted,
    /// The engine refused the request; the code says whose fault it is.
    Refused(WidgetError),
}

type Pending = Rc<RefCell<HashMap<u32, oneshot::Sender<Result<Reply, CallError>>>>>;

/// One engine port for the page, shared by every widget.
pub struct Bridge {
    port: Port,
    generation: u32,
    pending: Pending,
    next: Cell<u32>,
    dead: Rc<Cell<bool>>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

thread_local! {
    static OPENER: RefCell<Option<js_sys::Function>> = const { RefCell::new(None) };
    static IN_WORKER: Cell<bool> = const { Cell::new(true) };
    static GENERATION: Cell<u32> = const { Cell::new(0) };
    static BRIDGE: RefCell<Option<Rc<Bridge>>> = const { RefCell::new(None) };
    static FALLBACK: RefCell<Option<WidgetError>> = const { RefCell::new(None) };
}

/// Why the engine runs on the main thread although a worker was asked for, once it does: every
/// widget says it (a page that refuses the worker must not get a silent main-thread engine).
pub fn fallback() -> Option<WidgetError> {
    FALLBACK.with(|f| f.borrow().clone())
}

/// Sets the function that opens an engine port: `open(inWorker)` returns a Port.
pub fn set_port_opener(open: js_sys::Function) {
    OPENER.with(|o| *o.borrow_mut() = Some(open));
}

/// From now on the engine runs on the main thread (the worker could not start: `why`).
pub fn give_up_worker(why: &str) {
    IN_WORKER.with(|w| w.set(false));
    let sentence = format!(
        "The recommender's worker could not start ({}), so it runs on the page's main thread, which may pause the page while it works.",
        why.trim_end_matches('.')
    );
    FALLBACK.with(|f| *f.borrow_mut() = Some(WidgetError::new(ErrorCode::Worker, sentence)));
    if let Some(b) = BRIDGE.with(|b| b.borrow().clone()) {
        b.dead.set(true);
    }
}

/// Lets the engine go when no widget is left on the page: its worker is terminated (its memory with
/// it), and the next request opens a fresh port, into which each model is loaded again.
pub fn release() {
    if let Some(b) = BRIDGE.with(|b| b.borrow_mut().take()) {
        b.dead.set(true);
        for (_, tx) in b.pending.borrow_mut().drain() {
            let _ = tx.send(Err(CallError::Restarted));
        }
        b.port.terminate();
    }
}

/// The page's engine port, opened on first use and again after its engine crashed.
pub fn bridge() -> Result<Rc<Bridge>, String> {
    if let Some(b) = BRIDGE.with(|b| b.borrow().clone()) {
        if !b.dead.get() {
            return Ok(b);
        }
        // Requests still waiting on the dead engine would wait forever once it is terminated: they
        // are told to go again, to the fresh engine.
        for (_, tx) in b.pending.borrow_mut().drain() {
            let _ = tx.send(Err(CallError::Restarted));
        }
        b.port.terminate();
    }
    let open = OPENER.with(|o| o.borrow().clone()).ok_or("the element was not defined through start()")?;
    let port = open.call1(&JsValue::NULL, &IN_WORKER.with(Cell::get).into()).map_err(|e| js_message(&e))?;
    // pkg/index.js marks a main-thread port that stands in for a worker that could not start.
    if let Ok(fallback) = serde_wasm_bindgen::from_value::<WidgetError>(field(&port, "fallback")) {
        FALLBACK.with(|f| *f.borrow_mut() = Some(fallback));
    }
    let generation = GENERATION.with(|g| {
        g.set(g.get() + 1);
        g.get()
    });
    let b = Rc::new(Bridge::start(port.unchecked_into(), generation));
    BRIDGE.with(|slot| *slot.borrow_mut() = Some(b.clone()));
    Ok(b)
}

fn field(data: &JsValue, name: &str) -> JsValue {
    Reflect::get(data, &name.into()).unwrap_or(JsValue::UNDEFINED)
}

/// The message of a thrown JS value.
pub fn js_message(value: &JsValue) -> String {
    if let Some(e) = value.dyn_ref::<js_sys::Error>() {
        return String::from(e.message());
    }
    value.as_string().unwrap_or_else(|| format!("{value:?}"))
}

impl Bridge {
    fn start(port: Port, generation: u32) -> Bridge {
        let pending: Pending = Rc::new(RefCell::new(HashMap::new()));
        let dead = Rc::new(Cell::new(false));
        let p = pending.clone();
        let d = dead.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let data = event.data();
            let (id, result) = match serde_wasm_bindgen::from_value::<Answer>(data.clone()) {
                Ok(Answer { id, reply }) => (id, settle(reply, &d)),
                Err(_) => (
                    field(&data, "id").as_f64().unwrap_or(-1.0) as u32,
                    Err(CallError::Refused(WidgetError::new(ErrorCode::Internal, "the recommender's answer could not be read"))),
                ),
            };
            if let Some(tx) = p.borrow_mut().remove(&id) {
                let _ = tx.send(result);
            }
        });
        let p = pending.clone();
        let d = dead.clone();
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
            event.prevent_default();
            d.set(true);
            let message = field(&event, "message").as_string().unwrap_or_else(|| "the worker script could not run".into());
            for (_, tx) in p.borrow_mut().drain() {
                let _ = tx.send(Err(CallError::Down(message.clone())));
            }
        });
        port.set_onmessage(on_message.as_ref());
        port.set_onerror(on_error.as_ref());
        Bridge { port, generation, pending, next: Cell::new(1), dead, _on_message: on_message, _on_error: on_error }
    }

    /// Which port this is: a model loaded into an older one must be loaded again.
    pub fn generation(&self) -> u32 {
        self.generation
    }

    async fn call(&self, request: Request) -> Result<Reply, CallError> {
        let id = self.next.get();
        self.call_as(id, request).await
    }

    async fn call_as(&self, id: u32, request: Request) -> Result<Reply, CallError> {
        if self.dead.get() {
            return Err(CallError::Down("the engine has stopped".into()));
        }
        self.next.set(id.wrapping_add(1));
        let message = protocol::to_js(&Call { id, request }).map_err(|_| CallError::Refused(protocol::too_large_number()))?;
        let (tx, rx) = oneshot::channel();
        self.pending.borrow_mut().insert(id, tx);
        if let Err(e) = self.port.post_message(&message) {
            self.pending.borrow_mut().remove(&id);
            return Err(CallError::Down(format!("could not message the engine: {}", js_message(&e))));
        }
        rx.await.unwrap_or_else(|_| Err(CallError::Down("the engine went away".into())))
    }

    /// Starts the engine module a card needs, so it downloads and compiles while the model does.
    pub async fn start_engine(&self, engine: EngineKind) -> Result<(), CallError> {
        match self.call(Request::Start { engine }).await? {
            Reply::Started => Ok(()),
            other => Err(unexpected(other)),
        }
    }

    /// Loads a model into the engine under `key`.
    /// With `lookup`, the engine asks the page for names ([`Explained::Lookup`]).
    pub async fn load(&self, key: u32, engine: EngineKind, card: &[u8], model: &Uint8Array, embedding: Option<&Uint8Array>, catalog: Option<&[u8]>, lookup: bool) -> Result<(), CallError> {
        let request = Request::Load {
            key,
            engine,
            card: Bytes(Uint8Array::from(card)),
            model: Bytes(model.clone()),
            embedding: embedding.map(|e| Bytes(e.clone())),
            catalog: catalog.map(|c| Bytes(Uint8Array::from(c))),
            lookup,
        };
        match self.call(request).await? {
            Reply::Loaded => Ok(()),
            other => Err(unexpected(other)),
        }
    }

    /// Explains a history with options. `panic` is the test hook's: the engine panics instead.
    pub async fn explain(
        &self,
        key: u32,
        history: History,
        options: ExplainOptions,
        #[cfg(feature = "test-hooks")] panic: bool,
    ) -> Result<Explained, CallError> {
        #[cfg(feature = "test-hooks")]
        let request = Request::Explain { key, history, options, panic };
        #[cfg(not(feature = "test-hooks"))]
        let request = Request::Explain { key, history, options };
        let call = self.next.get();
        explained(call, self.call_as(call, request).await?)
    }

    /// Sends the host's names for the lookup of the explanation `call`, which goes on with them.
    pub async fn names(&self, call: u32, answers: Vec<CatalogEntry>) -> Result<Explained, CallError> {
        explained(call, self.call(Request::Names { call, answers }).await?)
    }
}

/// Where an explanation stands after a call.
pub enum Explained {
    /// Done.
    Document(ExplanationDocument),
    /// The engine needs these ids named first; the answer goes to [`Bridge::names`] with `call`.
    Lookup {
        /// The explanation's call.
        call: u32,
        /// The ids to name.
        ids: Vec<ItemId>,
    },
}

fn explained(call: u32, reply: Reply) -> Result<Explained, CallError> {
    match reply {
        Reply::Explained(doc) => Ok(Explained::Document(*doc)),
        Reply::Lookup { ids } => Ok(Explained::Lookup { call, ids }),
        other => Err(unexpected(other)),
    }
}

/// A reply as the caller's result; a fatal one marks the port dead, so the next request opens another.
fn settle(reply: Reply, dead: &Cell<bool>) -> Result<Reply, CallError> {
    match reply {
        Reply::Refused(e) => Err(CallError::Refused(e)),
        Reply::Crashed { message } => {
            dead.set(true);
            Err(CallError::Crashed(message))
        }
        Reply::Restarted { .. } => {
            dead.set(true);
            Err(CallError::Restarted)
        }
        Reply::Down { message } => {
            dead.set(true);
            Err(CallError::Down(message))
        }
        ok @ (Reply::Started | Reply::Loaded | Reply::Explained(_) | Reply::Lookup { .. }) => Ok(ok),
    }
}

/// A success that answers another request than the one sent.
fn unexpected(reply: Reply) -> CallError {
    let what = match reply {
        Reply::Loaded => "a load",
        Reply::Started => "a start",
        _ => "an explanation",
    };
    CallError::Refused(WidgetError::new(ErrorCode::Internal, format!("the recommender answered as if to {what}")))
}
