//! The Rust side of the `<why-this-item>` custom element (`element.js` is the JS side): one leptos
//! panel per connected element, fed from its attributes and history. A thin shell: the panel is
//! `whythis_ui`, the work is done by the engine behind `crate::worker`.

use whythis_js::panic::Serving;
use crate::{controls, feedback, model, worker};
use whythis_js::{history, protocol};
use whythis_types::boundary::{ControlsDetail, ErrorCode, ErrorDetail, FeedbackDetail, FeedbackRecord, WidgetError};
use whythis_types::explain::{Controls, ExplainOptions, ExplanationDocument};
use whythis_types::model::{History, ItemId};
use whythis_ui::{self as ui, Config, Ctx, Host, Inputs, Phase};
use futures::future::{FutureExt, LocalBoxFuture};
use leptos::prelude::*;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, ShadowRoot};

#[wasm_bindgen(module = "/src/element.js")]
extern "C" {
    #[wasm_bindgen(js_name = define_element)]
    fn js_define_element(name: &str, hooks: &JsValue, crashed_widget: u32, crash_message: &str) -> bool;
    #[wasm_bindgen(js_name = note_model)]
    fn js_note_model(target: &HtmlElement, model: &str);
    #[wasm_bindgen(js_name = dispatch)]
    fn js_dispatch(target: &HtmlElement, kind: &str, detail: &JsValue) -> bool;
    #[wasm_bindgen(js_name = save_text)]
    fn js_save_text(filename: &str, text: &str, mime: &str);
    #[wasm_bindgen(js_name = adopt_style)]
    fn js_adopt_style(root: &ShadowRoot, css: &str) -> bool;
}

struct Widget {
    element: HtmlElement,
    root: ShadowRoot,
    inputs: Inputs,
    ctx: Ctx,
    owner: Owner,
    mount: Option<Box<dyn std::any::Any>>,
    model_url: Option<String>,
    /// The model was loaded for a resolver (`itemInfo`), without its catalog.
    lookup: bool,
    loaded: Option<Rc<model::Loaded>>,
    /// Showing the panic that killed the previous instance; the next attribute or history revives it.
    crashed: bool,
    /// The model id the previous instance had, for the crash's `whythis-error`.
    model_hint: String,
    /// Where the visitor's controls are kept (`controls::key`), once the model is known.
    controls_key: Option<String>,
    /// Controls the host page set before the model was known: kept once it is, instead of the stored ones.
    pending_controls: Option<Controls>,
    /// Test hook: the next request to the engine panics there.
    #[cfg(feature = "test-hooks")]
    engine_panic_armed: bool,
}

thread_local! {
    static WIDGETS: RefCell<HashMap<u32, Widget>> = RefCell::new(HashMap::new());
    static NEXT_ID: Cell<u32> = const { Cell::new(1) };
    static HOOKS: RefCell<Option<JsValue>> = const { RefCell::new(None) };
}

/// Defines the custom element under `name`, or takes over the one a trapped instance defined
/// (`crashed_widget`, an id of that instance, shows `crash_message`).
pub fn define(name: &str, crashed_widget: u32, crash_message: &str) -> bool {
    let hooks = HOOKS.with(|h| h.borrow_mut().get_or_insert_with(make_hooks).clone());
    js_define_element(name, &hooks, crashed_widget, crash_message)
}

/// Test hook (see `page_api::test_panic`).
#[cfg(feature = "test-hooks")]
pub fn test_panic(element: &HtmlElement, in_engine: bool) {
    let id = WIDGETS.with(|w| w.borrow().iter().find(|(_, w)| &w.element == element).map(|(id, _)| *id)).unwrap_or(0);
    if in_engine {
        with_widget(id, |w| w.engine_panic_armed = true);
        return;
    }
    let _serving = Serving::widget(id);
    panic!("test panic on the page, requested by the browser tests");
}

fn make_hooks() -> JsValue {
    let hooks = js_sys::Object::new();
    let set = |name: &str, f: &JsValue| {
        let _ = js_sys::Reflect::set(&hooks, &name.into(), f);
    };
    let connected = Closure::<dyn Fn(HtmlElement, ShadowRoot, JsValue) -> u32>::new(connected);
    set("connected", connected.as_ref());
    connected.forget();
    let disconnected = Closure::<dyn Fn(u32)>::new(disconnected);
    set("disconnected", disconnected.as_ref());
    disconnected.forget();
    let attribute = Closure::<dyn Fn(u32, String)>::new(attribute_changed);
    set("attribute", attribute.as_ref());
    attribute.forget();
    let history = Closure::<dyn Fn(u32, String)>::new(history_set);
    set("history", history.as_ref());
    history.forget();
    let document = Closure::<dyn Fn(u32) -> JsValue>::new(current_document);
    set("document", document.as_ref());
    document.forget();
    let get_controls = Closure::<dyn Fn(u32) -> JsValue>::new(controls_of);
    set("controls", get_controls.as_ref());
    get_controls.forget();
    let set_controls = Closure::<dyn Fn(u32, JsValue) -> bool>::new(controls_set);
    set("setControls", set_controls.as_ref());
    set_controls.forget();
    // element.js: the last widget was disconnected.
    let idle = Closure::<dyn Fn()>::new(worker::release);
    set("idle", idle.as_ref());
    idle.forget();
    hooks.into()
}

/// What `element.js` hands a widget that crashed the previous instance.
#[derive(serde::Deserialize)]
struct Crash {
    message: String,
    #[serde(default)]
    model: String,
}

fn connected(element: HtmlElement, root: ShadowRoot, crash: JsValue) -> u32 {
    let id = NEXT_ID.with(|n| {
        let v = n.get();
        n.set(v + 1);
        v
    });
    let _serving = Serving::widget(id);
    let document = web_sys::window().and_then(|w| w.document()).expect("a custom element lives in a document");
    root.set_text_content(None);
    if !js_adopt_style(&root, ui::style::CSS) {
        if let Ok(style) = document.create_element("style") {
            style.set_text_content(Some(ui::style::CSS));
            let _ = root.append_child(&style);
        }
    }
    let container: HtmlElement = document.create_element("div").expect("div").unchecked_into();
    let _ = root.append_child(&container);
    let owner = Owner::new();
    let host: Rc<dyn Host> = Rc::new(WidgetHost { id, element: element.clone() });
    let (inputs, ctx, mount) = owner.with(|| {
        let inputs = Inputs::new();
        let (ctx, mount) = ui::mount(container, inputs, host);
        (inputs, ctx, mount)
    });
    WIDGETS.with(|w| {
        w.borrow_mut().insert(
            id,
            Widget {
                element,
                root,
                inputs,
                ctx,
                owner,
                mount: Some(mount),
                model_url: None,
                lookup: false,
                loaded: None,
                crashed: false,
                model_hint: String::new(),
                controls_key: None,
                pending_controls: None,
                #[cfg(feature = "test-hooks")]
                engine_panic_armed: false,
            },
        )
    });
    read_config(id);
    match serde_wasm_bindgen::from_value::<Option<Crash>>(crash).ok().flatten() {
        Some(crash) => {
            with_widget(id, |w| {
                w.crashed = true;
                w.model_hint = crash.model;
            });
            let message = format!("The widget stopped on an internal error ({}). Give it a new history to start again.", crash.message.trim_end_matches('.'));
            fail(id, WidgetError::new(ErrorCode::Internal, message));
        }
        None => {
            load_model(id);
            read_history_key(id, false);
        }
    }
    id
}

/// Starts a crashed widget again (from its attributes); true when it was crashed.
fn revive(id: u32) -> bool {
    let was = with_widget(id, |w| std::mem::replace(&mut w.crashed, false)).unwrap_or(false);
    if was {
        read_config(id);
        load_model(id);
    }
    was
}

fn disconnected(id: u32) {
    let _serving = Serving::widget(id);
    let widget = WIDGETS.with(|w| w.borrow_mut().remove(&id));
    if let Some(mut widget) = widget {
        drop(widget.mount.take());
        widget.owner.cleanup();
        widget.root.set_text_content(None);
    }
}

fn attribute_changed(id: u32, name: String) {
    let _serving = Serving::widget(id);
    if revive(id) {
        read_history_key(id, true);
        return;
    }
    match name.as_str() {
        "model" => load_model(id),
        "history-key" => {
            read_controls(id);
            read_history_key(id, true)
        }
        _ => read_config(id),
    }
}

/// Reads the controls kept for the widget's `history-key` and model (once the model is known).
fn read_controls(id: u32) {
    with_widget(id, |w| {
        let Some(model) = w.inputs.model.get_untracked().map(|m| m.id) else { return };
        let key = controls::key(attr(&w.element, "history-key").as_deref(), &model);
        let kept = controls::load(&key);
        w.controls_key = Some(key);
        if w.inputs.controls.get_untracked() != kept {
            w.inputs.controls.set(kept);
        }
    });
}

/// `el.controls`: the controls in force, as an object.
fn controls_of(id: u32) -> JsValue {
    with_widget(id, |w| controls::to_object(&w.inputs.controls.get_untracked())).unwrap_or(JsValue::NULL)
}

/// `el.controls = …`: the host page sets the controls (kept and reported like the visitor's own). An
/// object that is not controls is refused with a `whythis-error` (code `options`); false then.
fn controls_set(id: u32, value: JsValue) -> bool {
    let _serving = Serving::widget(id);
    let unknown = (value.is_object())
        .then(|| js_sys::Object::keys(value.unchecked_ref::<js_sys::Object>()).iter().filter_map(|k| k.as_string()).find(|k| !Controls::FIELDS.contains(&k.as_str())))
        .flatten();
    let parsed: Result<Controls, String> = match unknown {
        // A key is the host's own code, not the visitor's history: naming it helps find the typo.
        Some(key) => Err(format!("“{key}” is not a control (they are {})", Controls::FIELDS.join(", "))),
        None if value.is_null() || value.is_undefined() => Ok(Controls::default()),
        // serde-wasm-bindgen's message may quote the value; the sentence does not.
        None => serde_wasm_bindgen::from_value(value).map_err(|_| "a value has the wrong type (see index.d.ts, Controls)".to_string()),
    };
    let Some((ctx, known)) = with_widget(id, |w| (w.ctx, w.controls_key.is_some())) else { return false };
    match parsed {
        Ok(controls) if !known => {
            with_widget(id, |w| {
                w.pending_controls = Some(controls.clone());
                w.inputs.controls.set(controls);
            });
            true
        }
        Ok(controls) => {
            let kept = ctx.host().controls_changed(&controls, "The page set your choices.");
            if let Err(why) = kept {
                ctx.host().error(&WidgetError::new(ErrorCode::Options, format!("The choices apply now but could not be kept on this device: {why}.")));
            }
            with_widget(id, |w| w.inputs.controls.set(controls));
            true
        }
        Err(e) => {
            ctx.host().error(&WidgetError::new(ErrorCode::Options, format!("el.controls was not set: {e}.")));
            false
        }
    }
}

fn history_set(id: u32, json: String) {
    let _serving = Serving::widget(id);
    revive(id);
    let parsed = history::parse_history(&json);
    with_widget(id, |w| {
        let value = match parsed {
            Ok(Some(h)) => Some(Ok(h)),
            Ok(None) => None,
            Err(e) => Some(Err(WidgetError::new(ErrorCode::History, model::capitalise(&e)))),
        };
        w.inputs.history.set(value);
    });
}

/// The document on screen with the explanations computed so far, as an object (null: none yet).
fn current_document(id: u32) -> JsValue {
    let _serving = Serving::widget(id);
    let doc = with_widget(id, |w| {
        let mut doc: ExplanationDocument = w.ctx.shown.get_untracked()?.doc;
        // The ranking on screen carries no main parameters; the panel shows the latest explanation's.
        if doc.parameters.is_none() {
            doc.parameters = w.ctx.parameters.get_untracked();
        }
        let items = w.ctx.items.get_untracked();
        for rec in doc.recommendations.iter_mut() {
            if let Some(ui::ItemState::Ready(r, _)) = items.get(&rec.item) {
                rec.explanation = r.explanation.clone();
            }
        }
        Some(doc)
    })
    .flatten();
    doc.and_then(|d| protocol::to_js(&d).ok()).unwrap_or(JsValue::NULL)
}

fn with_widget<T>(id: u32, f: impl FnOnce(&mut Widget) -> T) -> Option<T> {
    WIDGETS.with(|w| w.borrow_mut().get_mut(&id).map(f))
}

fn attr(element: &HtmlElement, name: &str) -> Option<String> {
    element.get_attribute(name).map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

fn read_config(id: u32) {
    with_widget(id, |w| {
        let e = &w.element;
        let defaults = Config::default();
        let list = |name: &str| -> Vec<String> {
            attr(e, name).map(|v| v.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()).unwrap_or_default()
        };
        let config = Config {
            top_k: attr(e, "top-k").and_then(|v| v.parse::<usize>().ok()).map(|k| k.clamp(1, 50)).unwrap_or(defaults.top_k),
            label: attr(e, "label").unwrap_or(defaults.label),
            verb: attr(e, "verb").unwrap_or_default(),
            sensitive_items: list("sensitive-items").iter().filter_map(|s| s.parse::<u32>().ok()).map(ItemId).collect(),
            sensitive_tags: list("sensitive-tags"),
            // "0" or "none" lifts the budget; anything unreadable keeps the default.
            time_budget_ms: match attr(e, "time-budget-ms").as_deref() {
                Some("0") | Some("none") => None,
                Some(v) => v.parse::<u64>().ok().map(|ms| ms.min(600_000)).or(defaults.time_budget_ms),
                None => defaults.time_budget_ms,
            },
            parameters_href: attr(e, "parameters-href").and_then(|h| whythis_types::boundary::host_link(&h)),
        };
        if w.inputs.config.get_untracked() != config {
            w.inputs.config.set(config);
        }
    });
}

fn read_history_key(id: u32, force: bool) {
    let found = with_widget(id, |w| {
        let key = attr(&w.element, "history-key")?;
        if !force && w.inputs.history.get_untracked().is_some() {
            return None;
        }
        let storage = web_sys::window().and_then(|win| win.local_storage().ok().flatten());
        let text = storage.and_then(|s| s.get_item(&key).ok().flatten());
        Some(text.unwrap_or_default())
    })
    .flatten();
    if let Some(text) = found {
        history_set(id, text);
    }
}

fn load_model(id: u32) {
    let Some((url, lookup, inputs)) = with_widget(id, |w| {
        let lookup = resolver(&w.element).is_some();
        let url = match attr(&w.element, "model") {
            None => Err(WidgetError::new(ErrorCode::Card, "The element has no model attribute: add model=\"…/model.card.json\".")),
            Some(m) => {
                let base = web_sys::window().and_then(|w| w.document()).and_then(|d| d.base_uri().ok().flatten()).unwrap_or_default();
                model::resolve(&m, &base)
            }
        };
        if let Ok(u) = &url {
            if w.model_url.as_deref() == Some(u.as_str()) && w.lookup == lookup {
                return None;
            }
            w.model_url = Some(u.clone());
            w.lookup = lookup;
        }
        w.loaded = None;
        w.inputs.model.set(None);
        Some((url, lookup, w.inputs))
    })
    .flatten() else {
        return;
    };
    let url = match url {
        Ok(u) => u,
        Err(e) => {
            fail(id, e);
            return;
        }
    };
    inputs.phase.set(Phase::Waiting("Loading the recommender…".into()));
    let fut = model::load(&url, lookup);
    wasm_bindgen_futures::spawn_local(async move {
        let result = fut.await;
        let _serving = Serving::widget(id);
        let current = with_widget(id, |w| w.model_url.as_deref() == Some(url.as_str()) && w.lookup == lookup).unwrap_or(false);
        if !current {
            return;
        }
        match result {
            Ok(loaded) => {
                let fallback = worker::fallback();
                let say = with_widget(id, |w| {
                    w.loaded = Some(loaded.clone());
                    js_note_model(&w.element, &loaded.info.id);
                    // The controls first, so the first ranking already follows them.
                    let key = controls::key(attr(&w.element, "history-key").as_deref(), &loaded.info.id);
                    let chosen = match w.pending_controls.take() {
                        Some(set) => {
                            let _ = controls::save(&key, &set);
                            set
                        }
                        None => controls::load(&key),
                    };
                    w.inputs.controls.set(chosen);
                    w.controls_key = Some(key);
                    w.inputs.model.set(Some(loaded.info.clone()));
                    // Said once per widget, in its panel and as an event (after the borrow: the event reads the widget).
                    let new = fallback.is_some() && w.inputs.notice.get_untracked() != fallback;
                    if new {
                        w.inputs.notice.set(fallback.clone());
                    }
                    new.then_some(w.ctx)
                })
                .flatten();
                if let (Some(ctx), Some(fallback)) = (say, fallback) {
                    ctx.host().error(&fallback);
                }
            }
            Err(e) => fail(id, e),
        }
    });
}

/// The element's `itemInfo` resolver, when the host set one (`element.js` keeps it).
fn resolver(element: &HtmlElement) -> Option<js_sys::Function> {
    js_sys::Reflect::get(element, &"_itemInfo".into()).ok().and_then(|f| f.dyn_into::<js_sys::Function>().ok())
}

fn fail(id: u32, error: WidgetError) {
    if let Some(ctx) = with_widget(id, |w| w.ctx) {
        ctx.fail(error);
    }
}

/// Updates the "n answers saved" line of every widget.
pub fn refresh_log_sizes() {
    let n = feedback::count();
    WIDGETS.with(|w| {
        for widget in w.borrow().values() {
            widget.ctx.log_size.set(n);
        }
    });
}

/// The embedding layer as the components see it.
struct WidgetHost {
    id: u32,
    element: HtmlElement,
}

impl WidgetHost {
    fn model_id(&self) -> String {
        with_widget(self.id, |w| {
            let hint = Some(w.model_hint.clone()).filter(|h| !h.is_empty());
            // A model that did not load is named by its card's URL.
            w.inputs.model.get_untracked().map(|m| m.id).or(hint).or_else(|| w.model_url.clone())
        })
        .flatten()
        .unwrap_or_default()
    }
}

impl Host for WidgetHost {
    fn explain(&self, history: History, options: ExplainOptions) -> LocalBoxFuture<'static, Result<ExplanationDocument, WidgetError>> {
        let _serving = Serving::widget(self.id);
        #[cfg(feature = "test-hooks")]
        let loaded = with_widget(self.id, |w| w.loaded.clone().map(|l| (l, std::mem::take(&mut w.engine_panic_armed)))).flatten();
        #[cfg(not(feature = "test-hooks"))]
        let loaded = with_widget(self.id, |w| w.loaded.clone()).flatten();
        let resolver = resolver(&self.element);
        match loaded {
            #[cfg(feature = "test-hooks")]
            Some((loaded, panic)) => loaded.explain(history, options, resolver, panic),
            #[cfg(not(feature = "test-hooks"))]
            Some(loaded) => loaded.explain(history, options, resolver),
            None => async { Err(WidgetError::new(ErrorCode::Model, "The model is not loaded yet.")) }.boxed_local(),
        }
    }

    fn feedback(&self, record: &FeedbackRecord) -> Result<usize, String> {
        let _serving = Serving::widget(self.id);
        // Stored first, so the event can say whether the answer is kept; a loss is also an error event.
        let saved = feedback::append(record).map_err(|e| e.to_string());
        let detail = FeedbackDetail { record: record.clone(), stored: saved.is_ok() };
        js_dispatch(&self.element, "whythis-feedback", &protocol::to_js(&detail).unwrap_or(JsValue::NULL));
        if let Err(why) = &saved {
            self.error(&WidgetError::new(
                ErrorCode::FeedbackNotStored,
                format!("An answer to “Was this helpful?” could not be saved on this device: {why}."),
            ));
        }
        refresh_log_sizes();
        saved
    }

    fn feedback_count(&self) -> usize {
        feedback::count()
    }

    fn export_feedback(&self) {
        js_save_text("whythis-feedback.json", &feedback::export_text(), "application/json");
    }

    fn clear_feedback(&self) {
        feedback::clear();
        refresh_log_sizes();
    }

    fn error(&self, error: &WidgetError) {
        let detail = ErrorDetail { code: error.code, message: error.message.clone(), model: self.model_id() };
        js_dispatch(&self.element, "whythis-error", &protocol::to_js(&detail).unwrap_or(JsValue::NULL));
    }

    fn now(&self) -> String {
        String::from(js_sys::Date::new_0().to_iso_string())
    }

    fn controls_changed(&self, controls: &Controls, change: &str) -> Result<(), String> {
        let _serving = Serving::widget(self.id);
        let key = with_widget(self.id, |w| w.controls_key.clone()).flatten();
        let saved = match key {
            Some(key) => controls::save(&key, controls),
            None => Err("the model is not loaded yet".into()),
        };
        let detail = ControlsDetail { controls: controls.clone(), change: change.to_string(), stored: saved.is_ok() };
        js_dispatch(&self.element, "whythis-controls", &protocol::to_js(&detail).unwrap_or(JsValue::NULL));
        saved
    }
}
