//! The widget's state and the few things it does: rank, explain every item on screen, and ask again
//! when a what-if toggle switches events off. The core does the what-if (`ExplainOptions::without`):
//! the panel passes the switched-off positions and shows the document that comes back.

use crate::{Host, Inputs, Phase, WidgetError};
use whythis_types::explain::{Controls, DisplayName, ExplainOptions, ExplanationDocument, MainParameters, Recommendation};
use whythis_types::model::{History, ItemId, Position, WindowEvent};
use leptos::prelude::*;
use leptos::reactive::graph::{ReactiveNode, ToAnySource};
use leptos::task::spawn_local;
use std::collections::{BTreeSet, HashMap};
use std::rc::Rc;

/// A ranking on screen and which events of the host's window it was computed without.
#[derive(Debug, Clone, PartialEq)]
pub struct Shown {
    /// The rank-only document (its `window` is the window the model saw).
    pub doc: ExplanationDocument,
    /// For each position of `doc.window`, the position of the same event in the host's window (the
    /// document's `what_if.kept`; every position when nothing is switched off).
    pub kept: Vec<usize>,
}

impl Shown {
    fn of(doc: ExplanationDocument) -> Shown {
        let kept = match &doc.what_if {
            Some(w) => w.kept.iter().map(|p| p.0).collect(),
            None => (0..doc.window.len()).collect(),
        };
        Shown { doc, kept }
    }
}

/// An item's explanation, or why there is none yet.
#[derive(Debug, Clone, PartialEq)]
pub enum ItemState {
    /// Still being computed.
    Pending,
    /// Done, with the number of windows the model scored for it.
    Ready(Box<Recommendation>, usize),
    /// A first pass (`ExplainOptions::first_pass`): everything but final Shapley values, which are
    /// being refined.
    Refining(Box<Recommendation>, usize),
    /// The explanation failed.
    Failed(String),
}

/// Writing to a signal of the widget that rows and panels read, and then let go of.
///
/// Why not `set`/`update`: in reactive_graph 0.2.16 a render effect, effect or memo that is dropped (a
/// row, a panel, a what-if switch, a `Show`) stays in the subscriber set of every signal it read (they
/// have no `Drop` that unsubscribes), and `RwSignal::set` notifies a copy of that set, keeping it whole.
/// Each dropped subscriber then stayed for the widget's life, about 2.6 KB of page memory per
/// explain-and-render cycle (issue 6). These writes notify through the signal's own subscriber set
/// instead (`ReactiveNode::mark_dirty` of `RwLock<SubscriberSet>`), which empties it as it notifies:
/// the live subscribers re-run and subscribe again, the dropped ones are forgotten. Every signal of
/// `Ctx` is written through this; the `inputs` are read for good only by the widget's own effects, or
/// untracked. Check it again on any reactive_graph upgrade: it relies on how the set notifies.
pub trait ReleasingWrite<T> {
    /// `set`, forgetting the dropped subscribers.
    fn set_releasing(&self, value: T);
    /// `update`, forgetting the dropped subscribers.
    fn update_releasing(&self, change: impl FnOnce(&mut T));
}

impl<T: Send + Sync + 'static> ReleasingWrite<T> for RwSignal<T> {
    fn set_releasing(&self, value: T) {
        self.update_releasing(|v| *v = value);
    }

    fn update_releasing(&self, change: impl FnOnce(&mut T)) {
        // A task finishing after its widget was unmounted finds the signal gone.
        if self.is_disposed() {
            return;
        }
        self.update_untracked(change);
        self.to_any_source().mark_dirty();
    }
}

/// Every signal of one widget, `Copy` so that closures in views can hold it.
#[derive(Clone, Copy)]
pub struct Ctx {
    /// What the embedding layer sets.
    pub inputs: Inputs,
    host: StoredValue<Rc<dyn Host>, LocalStorage>,
    /// The window of the host's history; what-if toggles switch its events off.
    pub base: RwSignal<Vec<WindowEvent>>,
    /// How the core names each event of `base`.
    pub base_names: RwSignal<Vec<DisplayName>>,
    /// Positions (in `base`) switched off by what-if toggles.
    pub off: RwSignal<BTreeSet<usize>>,
    /// The ranking on screen.
    pub shown: RwSignal<Option<Shown>>,
    /// Explanations of the items on screen.
    pub items: RwSignal<HashMap<ItemId, ItemState>>,
    /// Items whose "Why this?" panel is open.
    pub open: RwSignal<BTreeSet<ItemId>>,
    /// Items whose deeper dive is open.
    pub deep: RwSignal<BTreeSet<ItemId>>,
    /// The polite live region's text ("Explanation updated…").
    pub status: RwSignal<String>,
    /// True while a ranking is being computed.
    pub busy: RwSignal<bool>,
    /// Number of records in the feedback log.
    pub log_size: RwSignal<usize>,
    /// The main parameters of the latest explanation ("How these picks are made").
    pub parameters: RwSignal<Option<MainParameters>>,
    generation: StoredValue<u64>,
    refocus: StoredValue<Option<usize>>,
    /// Earlier controls, newest last, each with what changed from it (for "Undo").
    undo: RwSignal<Vec<(Controls, String)>>,
}

impl Ctx {
    /// Builds the state and starts following the inputs.
    pub fn new(inputs: Inputs, host: Rc<dyn Host>) -> Ctx {
        let log_size = host.feedback_count();
        let ctx = Ctx {
            inputs,
            host: StoredValue::new_local(host),
            base: RwSignal::new(Vec::new()),
            base_names: RwSignal::new(Vec::new()),
            off: RwSignal::new(BTreeSet::new()),
            shown: RwSignal::new(None),
            items: RwSignal::new(HashMap::new()),
            open: RwSignal::new(BTreeSet::new()),
            deep: RwSignal::new(BTreeSet::new()),
            status: RwSignal::new(String::new()),
            busy: RwSignal::new(false),
            log_size: RwSignal::new(log_size),
            parameters: RwSignal::new(None),
            generation: StoredValue::new(0),
            refocus: StoredValue::new(None),
            undo: RwSignal::new(Vec::new()),
        };
        Effect::new(move |_| {
            inputs.model.track();
            inputs.history.track();
            inputs.config.with(|c| c.top_k);
            inputs.controls.track();
            untrack(|| ctx.restart());
        });
        ctx
    }

    /// The host (the embedding layer).
    pub fn host(&self) -> Rc<dyn Host> {
        self.host.with_value(Rc::clone)
    }

    /// Shows an error in the panel and reports it to the host page.
    pub fn fail(&self, error: WidgetError) {
        self.host().error(&error);
        self.busy.set_releasing(false);
        self.inputs.phase.set(Phase::Failed(error));
    }

    /// Starts over with the host's history (new model, new history or new top K).
    fn restart(&self) {
        if self.inputs.model.with(Option::is_none) {
            return;
        }
        self.generation.update_value(|g| *g += 1);
        self.off.set_releasing(BTreeSet::new());
        self.open.set_releasing(BTreeSet::new());
        self.deep.set_releasing(BTreeSet::new());
        self.shown.set_releasing(None);
        self.items.set_releasing(HashMap::new());
        match self.inputs.history.get_untracked() {
            None => self.inputs.phase.set(Phase::Waiting("Waiting for a history…".into())),
            Some(Err(e)) => self.fail(e),
            // No history yet: the core ranks the empty window, the picks for anyone, and says so.
            Some(Ok(h)) => self.run(h, false),
        }
    }

    /// Ranks the host's history without the switched-off events (the core's what-if) and shows the
    /// list at once, then explains every item on screen in one request: the methods share their
    /// re-scorings across items, so one request for all costs little more than one for a single item.
    fn run(&self, history: History, announce: bool) {
        self.generation.update_value(|g| *g += 1);
        let generation = self.generation.get_value();
        let without: Vec<Position> = self.off.with_untracked(|o| o.iter().copied().map(Position).collect());
        let top_k = self.inputs.config.with_untracked(|c| c.top_k).max(1);
        self.busy.set_releasing(true);
        if announce {
            self.status.set_releasing("Updating the recommendations…".into());
        }
        let full = ExplainOptions { top_k, without, ..self.options() };
        let rank_only = ExplainOptions { rank_only: true, ..full.clone() };
        self.ask(generation, history.clone(), rank_only, move |ctx, result| {
            match result {
                Err(e) => ctx.fail(e),
                Ok(doc) => {
                    if doc.what_if.is_none() {
                        ctx.base.set_releasing(doc.window.clone());
                        ctx.base_names.set_releasing(doc.window_names.clone());
                    }
                    let order: Vec<ItemId> = doc.recommendations.iter().map(|r| r.item).collect();
                    let doc_len = doc.window.len();
                    ctx.items.set_releasing(order.iter().map(|i| (*i, ItemState::Pending)).collect());
                    if announce {
                        let words = match &doc.what_if {
                            Some(w) => format!("Explanation updated: {}", w.sentence),
                            None => "Explanation updated: all your events count again.".into(),
                        };
                        ctx.status.set_releasing(words);
                    }
                    ctx.shown.set_releasing(Some(Shown::of(doc)));
                    ctx.busy.set_releasing(false);
                    ctx.inputs.phase.set(Phase::Ready);
                    // A long window paints from a cheap first pass, then refines its Shapley values.
                    match full.first_pass(doc_len) {
                        Some(first) => ctx.explain_all(generation, history, first, Some(full)),
                        None => ctx.explain_all(generation, history, full, None),
                    }
                }
            }
        });
    }

    /// Asks the host, and hands its answer to `done` unless a newer request started meanwhile (a what-if
    /// switch, a new history): an answer to an older one is dropped.
    fn ask(
        &self,
        generation: u64,
        history: History,
        options: ExplainOptions,
        done: impl FnOnce(Ctx, Result<ExplanationDocument, WidgetError>) + 'static,
    ) {
        let fut = self.host().explain(history, options);
        let ctx = *self;
        spawn_local(async move {
            let result = fut.await;
            // An element disconnected meanwhile has disposed its state: its answer goes nowhere.
            if ctx.generation.try_get_value() == Some(generation) {
                done(ctx, result);
            }
        });
    }

    /// Explains the items on screen (one request) and fills their panels; with `then`, that was a first
    /// pass, and the full request follows, replacing it, announced once in the live region.
    fn explain_all(&self, generation: u64, history: History, options: ExplainOptions, then: Option<ExplainOptions>) {
        let first_pass = then.is_some();
        self.ask(generation, history.clone(), options, move |ctx, result| {
            match result {
                Ok(doc) => {
                    let windows = doc.cost.as_ref().map(|c| c.windows).unwrap_or(0);
                    if doc.parameters.is_some() {
                        ctx.parameters.set_releasing(doc.parameters.clone());
                    }
                    let refined = ctx.items.with_untracked(|m| m.values().any(|s| matches!(s, ItemState::Refining(..))));
                    ctx.items.update_releasing(|m| {
                        for r in doc.recommendations {
                            if let Some(slot) = m.get_mut(&r.item) {
                                if r.explanation.is_some() {
                                    let r = Box::new(r);
                                    *slot = if first_pass { ItemState::Refining(r, windows) } else { ItemState::Ready(r, windows) };
                                }
                            }
                        }
                        for state in m.values_mut() {
                            match state {
                                ItemState::Pending => *state = ItemState::Failed("The explanation came back without this item.".into()),
                                // The full request left it out although the first pass had it: keep what is known.
                                ItemState::Refining(r, w) if !first_pass => *state = ItemState::Ready(r.clone(), *w),
                                _ => {}
                            }
                        }
                    });
                    if refined {
                        ctx.status.set_releasing("Explanations refined: the Shapley values are final.".into());
                    }
                    if let Some(full) = then {
                        ctx.explain_all(generation, history, full, None);
                    }
                }
                Err(e) => {
                    ctx.host().error(&e);
                    ctx.items.update_releasing(|m| {
                        for state in m.values_mut() {
                            *state = match state {
                                // The refinement failed: the first pass stands, said in the panel's error event.
                                ItemState::Refining(r, w) => ItemState::Ready(r.clone(), *w),
                                _ => ItemState::Failed(e.message.clone()),
                            };
                        }
                    });
                }
            }
        });
    }

    /// The options every request shares (sensitive items and tags, the verb, the time budget, the
    /// visitor's controls).
    fn options(&self) -> ExplainOptions {
        let controls = self.inputs.controls.get_untracked();
        self.inputs.config.with_untracked(|c| ExplainOptions {
            sensitive_items: c.sensitive_items.clone(),
            sensitive_tags: c.sensitive_tags.clone(),
            verb: Some(c.verb.trim().to_string()).filter(|v| !v.is_empty()),
            time_budget_ms: c.time_budget_ms,
            controls,
            ..ExplainOptions::default()
        })
    }

    /// The visitor decides something lasting: `change` edits the controls, `said` is announced (and
    /// names the change for "Undo"). The ranking and explanations follow (the inputs' effect).
    pub fn decide(&self, said: String, change: impl FnOnce(&mut Controls)) {
        let before = self.inputs.controls.get_untracked();
        let mut after = before.clone();
        change(&mut after);
        if after == before {
            return;
        }
        self.undo.update_releasing(|u| u.push((before, said.clone())));
        self.keep(after, &said);
    }

    /// Takes back the last decision.
    pub fn undo_last(&self) {
        let Some((before, what)) = self.undo.with_untracked(|u| u.last().cloned()) else { return };
        self.undo.update_releasing(|u| {
            u.pop();
        });
        self.keep(before, &format!("Undone: {what}"));
    }

    /// What "Undo" would take back, if anything.
    pub fn last_decision(&self) -> Option<String> {
        self.undo.with(|u| u.last().map(|(_, what)| what.clone()))
    }

    /// Forgets every control and the local feedback log.
    pub fn reset_all(&self) {
        self.undo.set_releasing(Vec::new());
        self.host().clear_feedback();
        self.log_size.set_releasing(self.host().feedback_count());
        self.keep(Controls::default(), "Everything was reset: every choice you made and your feedback log are forgotten.");
    }

    /// Sets the controls, keeps them through the host, and announces `said`.
    fn keep(&self, controls: Controls, said: &str) {
        let kept = self.host().controls_changed(&controls, said);
        let words = match kept {
            Ok(()) => said.to_string(),
            Err(why) => format!("{said} It applies now, but could not be kept on this device: {why}."),
        };
        self.inputs.controls.set(controls);
        self.status.set_releasing(words);
    }

    /// Opens or closes an item's panel.
    pub fn toggle_panel(&self, item: ItemId) {
        let opening = !self.open.with_untracked(|o| o.contains(&item));
        self.open.update_releasing(|o| {
            if opening {
                o.insert(item);
            } else {
                o.remove(&item);
            }
        });
    }

    /// Switches an event of the host's window off or on, and re-ranks and re-explains.
    pub fn toggle_event(&self, base_position: usize) {
        self.refocus.set_value(Some(base_position));
        self.off.update_releasing(|o| {
            if !o.remove(&base_position) {
                o.insert(base_position);
            }
        });
        self.rerun();
    }

    /// True (once) when the what-if switch of this event should take the focus back after a re-render.
    pub fn take_refocus(&self, base_position: usize) -> bool {
        if self.refocus.get_value() == Some(base_position) && !self.busy.get_untracked() {
            self.refocus.set_value(None);
            true
        } else {
            false
        }
    }

    /// Switches every event back on.
    pub fn reset_toggles(&self) {
        self.off.set_releasing(BTreeSet::new());
        self.rerun();
    }

    fn rerun(&self) {
        if let Some(Ok(h)) = self.inputs.history.get_untracked() {
            self.run(h, true);
        }
    }
}
