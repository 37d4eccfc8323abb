//! The worker bridge: the model runs in a dedicated module worker (`worker.js`, which loads the same
//! wasm and keeps one `Engine` per model), so the page never freezes while an explanation is computed.
//! Messages are `{id, type: "load"|"explain", …}`; replies `{id, ok, value | error, fatal?}`.

use futures::channel::oneshot;
use js_sys::{Object, Reflect, Uint8Array};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, Worker, WorkerOptions, WorkerType};

/// Why a worker call failed.
#[derive(Debug, Clone)]
pub enum CallError {
    /// The worker could not start or has died: run on the main thread instead.
    Down(String),
    /// The engine in the worker refused the input (its message).
    Failed(String),
}

type Pending = Rc<RefCell<HashMap<u32, oneshot::Sender<Result<JsValue, CallError>>>>>;

/// One worker for the page, shared by every widget.
pub struct Bridge {
    worker: Worker,
    pending: Pending,
    next: Cell<u32>,
    dead: Rc<Cell<bool>>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

thread_local! {
    static WORKER_URL: RefCell<Option<String>> = const { RefCell::new(None) };
    static BRIDGE: RefCell<Option<Rc<Bridge>>> = const { RefCell::new(None) };
}

/// Sets the URL of `worker.js` (None: run models on the main thread).
pub fn set_worker_url(url: Option<String>) {
    WORKER_URL.with(|u| *u.borrow_mut() = url.filter(|u| !u.is_empty()));
}

/// The page's worker, started on first use; None when there is no worker URL or it cannot start.
pub fn bridge() -> Option<Rc<Bridge>> {
    if let Some(b) = BRIDGE.with(|b| b.borrow().clone()) {
        return if b.dead.get() { None } else { Some(b) };
    }
    let url = WORKER_URL.with(|u| u.borrow().clone())?;
    match Bridge::start(&url) {
        Ok(b) => {
            let b = Rc::new(b);
            BRIDGE.with(|slot| *slot.borrow_mut() = Some(b.clone()));
            Some(b)
        }
        Err(e) => {
            web_sys::console::warn_1(&format!("whythis: no worker ({e}); the model runs on the main thread").into());
            None
        }
    }
}

impl Bridge {
    fn start(url: &str) -> Result<Bridge, String> {
        let options = WorkerOptions::new();
        options.set_type(WorkerType::Module);
        options.set_name("whythis");
        let worker = Worker::new_with_options(url, &options).map_err(|e| format!("{e:?}"))?;
        let pending: Pending = Rc::new(RefCell::new(HashMap::new()));
        let dead = Rc::new(Cell::new(false));
        let p = pending.clone();
        let d = dead.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let data = event.data();
            let id = Reflect::get(&data, &"id".into()).ok().and_then(|v| v.as_f64()).unwrap_or(-1.0) as u32;
            let ok = Reflect::get(&data, &"ok".into()).ok().and_then(|v| v.as_bool()).unwrap_or(false);
            let fatal = Reflect::get(&data, &"fatal".into()).ok().and_then(|v| v.as_bool()).unwrap_or(false);
            let result = if ok {
                Ok(Reflect::get(&data, &"value".into()).unwrap_or(JsValue::NULL))
            } else {
                let message = Reflect::get(&data, &"error".into())
                    .ok()
                    .and_then(|v| v.as_string())
                    .unwrap_or_else(|| "the worker failed without a message".into());
                if fatal {
                    d.set(true);
                    Err(CallError::Down(message))
                } else {
                    Err(CallError::Failed(message))
                }
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
            let message = Reflect::get(&event, &"message".into())
                .ok()
                .and_then(|v| v.as_string())
                .unwrap_or_else(|| "the worker script could not run".into());
            for (_, tx) in p.borrow_mut().drain() {
                let _ = tx.send(Err(CallError::Down(message.clone())));
            }
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(Bridge { worker, pending, next: Cell::new(1), dead, _on_message: on_message, _on_error: on_error })
    }

    async fn call(&self, message: Object) -> Result<JsValue, CallError> {
        if self.dead.get() {
            return Err(CallError::Down("the worker has stopped".into()));
        }
        let id = self.next.get();
        self.next.set(id.wrapping_add(1));
        let _ = Reflect::set(&message, &"id".into(), &JsValue::from(id));
        let (tx, rx) = oneshot::channel();
        self.pending.borrow_mut().insert(id, tx);
        if let Err(e) = self.worker.post_message(&message) {
            self.pending.borrow_mut().remove(&id);
            return Err(CallError::Down(format!("could not message the worker: {e:?}")));
        }
        rx.await.unwrap_or_else(|_| Err(CallError::Down("the worker went away".into())))
    }

    /// Loads a model into the worker under `key`.
    pub async fn load(&self, key: u32, card: &[u8], onnx: &[u8], catalog: Option<&[u8]>) -> Result<(), CallError> {
        let m = Object::new();
        let _ = Reflect::set(&m, &"type".into(), &"load".into());
        let _ = Reflect::set(&m, &"key".into(), &JsValue::from(key));
        let _ = Reflect::set(&m, &"card".into(), &Uint8Array::from(card));
        let _ = Reflect::set(&m, &"onnx".into(), &Uint8Array::from(onnx));
        let catalog = catalog.map(|c| JsValue::from(Uint8Array::from(c))).unwrap_or(JsValue::NULL);
        let _ = Reflect::set(&m, &"catalog".into(), &catalog);
        self.call(m).await.map(|_| ())
    }

    /// Explains a history (JSON text) with options (JSON text); returns the document's JSON text.
    pub async fn explain(&self, key: u32, history: String, options: String) -> Result<String, CallError> {
        let m = Object::new();
        let _ = Reflect::set(&m, &"type".into(), &"explain".into());
        let _ = Reflect::set(&m, &"key".into(), &JsValue::from(key));
        let _ = Reflect::set(&m, &"history".into(), &history.into());
        let _ = Reflect::set(&m, &"options".into(), &options.into());
        let value = self.call(m).await?;
        value.as_string().ok_or_else(|| CallError::Failed("the worker answered without a document".into()))
    }
}
