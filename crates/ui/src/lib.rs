//! The widget's leptos components (wasm only). They render the explanation document
//! (docs/explanations.md §5), whose every sentence and name the core worded, and ask a [`Host`] for
//! everything else: explanations, the feedback log, error events. The host is the page's module
//! (`whythis-page`), which owns the model, the worker and the browser APIs; this crate knows only the
//! document's types (`whythis-types`), so it cannot reach the engine.

/// leptos's `view!`, building every element node by node. Plain `view!` compiles a static subtree into
/// an HTML string that it parses through `innerHTML` (tachys's inert elements), an HTML sink that a page
/// enforcing Trusted Types refuses; a scope class (`wt-v`, styled by nothing) is the macro's own switch
/// that turns those off. Each module here imports it as `view` over the prelude's (issue 17;
/// `scripts/build-pkg.sh` fails if the page's glue can reach `innerHTML` again).
macro_rules! node_view {
    ($($tokens:tt)*) => {
        ::leptos::view! { class = "wt-v", $($tokens)* }
    };
}
use node_view as view;

mod controls;
mod feedback;
mod heatmap;
mod ledger;
mod list;
mod panel;
mod state;
pub mod style;
mod timeline;

use whythis_types::explain::{Controls, ExplainOptions, ExplanationDocument};
use whythis_types::model::{History, ItemId};
use futures::future::LocalBoxFuture;
use leptos::prelude::*;
use std::rc::Rc;
use std::sync::Arc;

pub use whythis_types::boundary::{ErrorCode, FeedbackRecord, WidgetError};
pub use state::{Ctx, ItemState, Shown};

/// Where the widget is in its life.
#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    /// Loading the model or waiting for a history; the text says which.
    Waiting(String),
    /// Something went wrong; shown in the panel with `role="alert"`.
    Failed(WidgetError),
    /// A ranking is on screen.
    Ready,
}

/// The widget's settings from the element's attributes.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// How many items to recommend.
    pub top_k: usize,
    /// The heading of the widget.
    pub label: String,
    /// Past tense of the main action.
    pub verb: String,
    /// Items never named.
    pub sensitive_items: Vec<ItemId>,
    /// Tags whose items are never named.
    pub sensitive_tags: Vec<String>,
    /// Wall-clock budget of one explanation in milliseconds (None: unlimited); when it runs out, Shapley
    /// sampling stops early and the deeper dive says so.
    pub time_budget_ms: Option<u64>,
    /// The host's page on how its recommendations work, linked under "How these picks are made"
    /// (only an `http(s):` or relative link, `whythis_types::boundary::host_link`).
    pub parameters_href: Option<String>,
}

/// The default explanation budget of the widget: a visitor waits for the panel, a CLI user does not.
pub const DEFAULT_TIME_BUDGET_MS: u64 = 1000;

impl Default for Config {
    fn default() -> Self {
        Config {
            top_k: 5,
            label: "Recommended for you".into(),
            verb: String::new(),
            sensitive_items: Vec::new(),
            sensitive_tags: Vec::new(),
            time_budget_ms: Some(DEFAULT_TIME_BUDGET_MS),
            parameters_href: None,
        }
    }
}

/// What the panel knows of the loaded model.
#[derive(Debug, Clone)]
pub struct ModelInfo {
    /// The id reported in feedback: the card's name, or its URL.
    pub id: String,
    /// Titles and tags.
    pub catalog: Arc<whythis_types::model::Catalog>,
    /// Whether the model reports attention.
    pub has_attention: bool,
}

/// What the components need from the page around them.
pub trait Host {
    /// Explains (or only ranks) a history.
    fn explain(&self, history: History, options: ExplainOptions)
        -> LocalBoxFuture<'static, Result<ExplanationDocument, WidgetError>>;
    /// Records an answer: dispatches `whythis-feedback` and writes the local log. Returns the log's size.
    fn feedback(&self, record: &FeedbackRecord) -> Result<usize, String>;
    /// Number of records in the local log.
    fn feedback_count(&self) -> usize;
    /// Offers the local log as a file download.
    fn export_feedback(&self);
    /// Empties the local log.
    fn clear_feedback(&self);
    /// Reports an error to the host page (`whythis-error`).
    fn error(&self, error: &WidgetError);
    /// The current time as ISO 8601.
    fn now(&self) -> String;
    /// The visitor changed their controls (`change` says how, in words): keep them on this device and
    /// tell the host page (`whythis-controls`). An error says why they could not be kept.
    fn controls_changed(&self, controls: &Controls, change: &str) -> Result<(), String>;
}

/// The signals through which the embedding layer drives a mounted widget.
#[derive(Clone, Copy)]
pub struct Inputs {
    /// Loading, failed, or ready.
    pub phase: RwSignal<Phase>,
    /// The model, once loaded.
    pub model: RwSignal<Option<ModelInfo>>,
    /// The history from the host (`None` = none given yet; `Err` = it could not be read).
    pub history: RwSignal<Option<Result<History, WidgetError>>>,
    /// The attributes.
    pub config: RwSignal<Config>,
    /// What the widget works around and says above its list (the engine on the main thread because
    /// the page would not let its worker start); the embedding layer also reports it as an error event.
    pub notice: RwSignal<Option<WidgetError>>,
    /// The visitor's controls (kept on the device by the embedding layer, or set by the host page).
    pub controls: RwSignal<Controls>,
}

impl Inputs {
    /// Fresh inputs: waiting for the model.
    pub fn new() -> Inputs {
        Inputs {
            phase: RwSignal::new(Phase::Waiting("Loading the recommender…".into())),
            model: RwSignal::new(None),
            history: RwSignal::new(None),
            config: RwSignal::new(Config::default()),
            notice: RwSignal::new(None),
            controls: RwSignal::new(Controls::default()),
        }
    }
}

impl Default for Inputs {
    fn default() -> Self {
        Inputs::new()
    }
}

/// Mounts a widget into `parent` (an element inside the shadow root). Call it inside the owner that
/// created `inputs`. Keep the returned handle: dropping it unmounts the widget.
pub fn mount(parent: web_sys::HtmlElement, inputs: Inputs, host: Rc<dyn Host>) -> (Ctx, Box<dyn std::any::Any>) {
    // The state is made inside mount_to, once it has set up the executor that effects need.
    let slot: Rc<std::cell::Cell<Option<Ctx>>> = Rc::new(std::cell::Cell::new(None));
    let out = slot.clone();
    let handle = leptos::mount::mount_to(parent, move || {
        let ctx = Ctx::new(inputs, host);
        out.set(Some(ctx));
        view! { <list::Widget ctx=ctx /> }
    });
    let ctx = slot.take().expect("mount_to builds the view at once");
    (ctx, Box::new(handle))
}
