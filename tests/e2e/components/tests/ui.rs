//! Component tests of the panel (crates/ui) and the page module (crates/page) in a real browser (wasm-bindgen-test, headless Chromium through chromedriver).
//! A fake host answers with canned documents, so these test the panel, not the model.

#![cfg(target_arch = "wasm32")]

use futures::future::LocalBoxFuture;
use futures::FutureExt;
use leptos::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use wasm_bindgen::JsCast;
use whythis_types::explain::wording::isolate;
use whythis_types::explain::options::FIRST_PASS_COALITIONS;
use whythis_types::explain::*;
use whythis_types::model::{Catalog, Event, History, ItemId, Position, Rank, WindowEvent};
use whythis_ui::{mount, Config, ErrorCode, FeedbackRecord, Host, Inputs, ModelInfo, WidgetError};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const HOSTILE: &str = "<img src=x onerror=alert(1)>";

#[derive(Default)]
struct Seen {
    calls: Vec<(History, ExplainOptions)>,
    records: Vec<FeedbackRecord>,
    errors: Vec<WidgetError>,
    /// Every change of the controls the widget reported, with its words.
    controls: Vec<(Controls, String)>,
    /// Full explanations (not rankings, not first passes) answer after this many milliseconds.
    full_delay_ms: i32,
}

struct FakeHost(Rc<RefCell<Seen>>);

fn title(item: u32) -> String {
    match item {
        1 => "Toy Story".into(),
        2 => "GoldenEye".into(),
        3 => "Four Rooms".into(),
        101 => HOSTILE.into(),
        i => format!("Film {i}"),
    }
}

fn name(item: u32) -> DisplayName {
    DisplayName { short: title(item), full: title(item) }
}

/// A document as the engine words it, for the host's history without `options.without`: the fake does
/// the what-if as the core does, so the panel is tested on showing what comes back.
fn fake_doc(history: &History, options: &ExplainOptions) -> ExplanationDocument {
    let kept: Vec<usize> = (0..history.len()).filter(|p| !options.without.contains(&Position(*p))).collect();
    let window: Vec<WindowEvent> = kept
        .iter()
        .enumerate()
        .map(|(p, k)| {
            let e = &history.events[*k];
            WindowEvent { position: Position(p), item: ItemId(e.item as u32), action: e.action.clone(), ts: e.ts, action_index: 1 }
        })
        .collect();
    let n = window.len();
    // The ranking depends on the window's length, so switching an event off visibly re-ranks.
    let mut items: Vec<u32> = (101..101 + options.top_k as u32).collect();
    if n % 2 == 1 {
        items.reverse();
    }
    let last = window.last().map(|e| e.item.0).unwrap_or(1);
    let explanation = |item: u32| ItemExplanation {
        occlusion: window
            .iter()
            .map(|e| OcclusionEntry {
                position: e.position,
                item: e.item,
                delta: (e.position.0 as f32 - 1.0) * 0.1,
                rank_without: Rank(2),
            })
            .collect(),
        attention: Some(window.iter().map(|e| AttentionEntry { position: e.position, weight: 1.0 / n as f32 }).collect()),
        shapley: ShapleyValues {
            values: window.iter().map(|e| ShapleyEntry { position: e.position, value: 0.05, standard_error: 0.0 }).collect(),
            permutations: 0,
            seed: 7,
            exact: true,
            estimator: Estimator::Exact,
            coalitions: 1 << n,
            relative_error: 0.0,
        },
        counterfactual: Counterfactuals {
            // An empty window (no history yet) has no event to drop.
            drop_out: n.checked_sub(1).map(|p| CounterfactualSet { positions: vec![Position(p)], new_rank: Rank(9), replaced_by: ItemId(250) }),
            displace: None,
            max_events: 5,
            search: CounterfactualSearch::default(),
        },
        recent_vs_long_term: RecentVsLongTerm { recent_events: 5, without_recent: 0.8, only_recent: 0.2 },
        ledger: Ledger::default(),
        narrative: format!("Because of your recent picks, item {item} fits."),
        narrative_template: "test".into(),
        counterfactual_sentences: vec![format!(
            "If you hadn't watched {}, {} would drop from #1 to #9, out of your top {}, and Film 250 would take its place.",
            isolate(&title(last)),
            isolate(&title(item)),
            options.top_k
        )],
        verdict: None,
        deep_dive: vec!["A longer account.".into(), "Your one verdict.".into()],
        per_event_summary: "Attention is highest on the last event.".into(),
        shapley_note: "Shapley values: exact, every subset of your events evaluated.".into(),
        attention_layers: None,
        recourse: None,
    };
    let what_if = (!options.without.is_empty()).then(|| RankChange { rank_with_all_events: Rank(4), movement: "up from #4".into() });
    let recommendations = match options.item {
        Some(i) => vec![Recommendation {
            rank: Rank(1),
            item: i,
            score: 1.0,
            title: None,
            name: name(i.0),
            what_if: what_if.clone(),
            explanation: Some(explanation(i.0)),
        }],
        None => items
            .iter()
            .enumerate()
            .map(|(r, i)| Recommendation {
                rank: Rank(r as u32 + 1),
                item: ItemId(*i),
                score: 1.0 - r as f32 * 0.1,
                title: Some(title(*i)),
                name: name(*i),
                what_if: what_if.clone(),
                explanation: (!options.rank_only).then(|| explanation(*i)),
            })
            .collect(),
    };
    ExplanationDocument {
        format: DOCUMENT_FORMAT.into(),
        model: None,
        window_names: window.iter().map(|e| name(e.item.0)).collect(),
        window_tags: Vec::new(),
        controls: None,
        what_if: (!options.without.is_empty()).then(|| WhatIf {
            without: options.without.clone(),
            kept: kept.iter().map(|k| Position(*k)).collect(),
            sentence: format!("Without {} of your {} events, {} comes first.", options.without.len(), history.len(), title(items[0])),
        }),
        window,
        recommendations,
        parameters: None,
        cost: None,
    }
}

impl Host for FakeHost {
    fn explain(&self, history: History, options: ExplainOptions) -> LocalBoxFuture<'static, Result<ExplanationDocument, WidgetError>> {
        let doc = fake_doc(&history, &options);
        let full = !options.rank_only && options.shapley_coalitions != FIRST_PASS_COALITIONS;
        let delay = if full { self.0.borrow().full_delay_ms } else { 0 };
        self.0.borrow_mut().calls.push((history, options));
        async move {
            if delay > 0 {
                sleep(delay).await;
            }
            Ok(doc)
        }
        .boxed_local()
    }
    fn feedback(&self, record: &FeedbackRecord) -> Result<usize, String> {
        let mut seen = self.0.borrow_mut();
        seen.records.push(record.clone());
        Ok(seen.records.len())
    }
    fn feedback_count(&self) -> usize {
        self.0.borrow().records.len()
    }
    fn export_feedback(&self) {}
    fn clear_feedback(&self) {
        self.0.borrow_mut().records.clear();
    }
    fn error(&self, error: &WidgetError) {
        self.0.borrow_mut().errors.push(error.clone());
    }
    fn now(&self) -> String {
        "2026-01-01T00:00:00.000Z".into()
    }
    fn controls_changed(&self, controls: &Controls, change: &str) -> Result<(), String> {
        self.0.borrow_mut().controls.push((controls.clone(), change.to_string()));
        Ok(())
    }
}

struct Mounted {
    root: web_sys::HtmlElement,
    inputs: Inputs,
    seen: Rc<RefCell<Seen>>,
    _handle: Box<dyn std::any::Any>,
    _owner: Owner,
}

fn catalog() -> Arc<Catalog> {
    let json = serde_json::json!([
        { "id": 101, "title": HOSTILE, "tags": ["Drama"] },
        { "id": 1, "title": "Toy Story", "tags": ["Animation"] },
        { "id": 2, "title": "GoldenEye", "tags": ["Action"] },
        { "id": 3, "title": "Four Rooms", "tags": ["Thriller"] },
    ]);
    Arc::new(Catalog::from_json(json.to_string().as_bytes(), 300).unwrap())
}

fn mount_fake(top_k: usize) -> Mounted {
    let document = web_sys::window().unwrap().document().unwrap();
    let root: web_sys::HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&root).unwrap();
    let seen = Rc::new(RefCell::new(Seen::default()));
    let owner = Owner::new();
    let (inputs, handle) = owner.with(|| {
        let inputs = Inputs::new();
        inputs.config.set(Config { top_k, verb: "watched".into(), ..Config::default() });
        let (_ctx, handle) = mount(root.clone(), inputs, Rc::new(FakeHost(seen.clone())));
        (inputs, handle)
    });
    inputs.model.set(Some(ModelInfo { id: "fake-model".into(), catalog: catalog(), has_attention: true }));
    Mounted { root, inputs, seen, _handle: handle, _owner: owner }
}

async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window().unwrap().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms).unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

async fn settle() {
    for _ in 0..4 {
        sleep(10).await;
    }
}

fn all(root: &web_sys::HtmlElement, selector: &str) -> Vec<web_sys::HtmlElement> {
    let list = root.query_selector_all(selector).unwrap();
    (0..list.length()).filter_map(|i| list.item(i)).map(|n| n.unchecked_into()).collect()
}

fn one(root: &web_sys::HtmlElement, selector: &str) -> web_sys::HtmlElement {
    root.query_selector(selector).unwrap().unwrap_or_else(|| panic!("no {selector}")).unchecked_into()
}

fn history(items: &[i64]) -> History {
    History { events: items.iter().map(|i| Event { item: *i, action: Some("rated_5".into()), ts: None }).collect() }
}

fn item_order(root: &web_sys::HtmlElement) -> Vec<String> {
    all(root, ".wt-item").iter().map(|li| li.get_attribute("data-item").unwrap()).collect()
}

#[wasm_bindgen_test]
async fn list_renders_and_why_this_discloses_the_panel() {
    let m = mount_fake(3);
    m.inputs.history.set(Some(Ok(history(&[1, 2, 3, 2]))));
    settle().await;
    assert_eq!(all(&m.root, ".wt-item").len(), 3);
    let why = one(&m.root, ".wt-why");
    assert_eq!(why.get_attribute("aria-expanded").as_deref(), Some("false"));
    let panel_id = why.get_attribute("aria-controls").unwrap();
    assert!(one(&m.root, &format!("#{panel_id}")).has_attribute("hidden"));
    why.click();
    settle().await;
    assert_eq!(why.get_attribute("aria-expanded").as_deref(), Some("true"));
    assert!(!one(&m.root, &format!("#{panel_id}")).has_attribute("hidden"));
    let narrative = one(&m.root, ".wt-narrative").text_content().unwrap();
    assert!(narrative.contains("Because of your recent picks"), "{narrative}");
    // The counterfactual sentence names the most recent event and the ranks.
    let cf = one(&m.root, ".wt-cf").text_content().unwrap();
    assert!(cf.contains("If you hadn't watched \u{2068}GoldenEye\u{2069}"), "{cf}");
    assert!(cf.contains("to #9"), "{cf}");
    // One timeline row per event, newest first, with a what-if switch each.
    let switches = all(&m.root, ".wt-switch");
    assert_eq!(switches.len(), 4);
    assert!(switches.iter().all(|s| s.get_attribute("role").as_deref() == Some("switch")));
    // Influence is said in words and with a sign, not only with colour.
    let value = one(&m.root, ".wt-ev-value").text_content().unwrap();
    assert!(value.contains("supports it (+0.200)"), "{value}");
    m.root.remove();
}

#[wasm_bindgen_test]
async fn hostile_titles_are_shown_as_text() {
    let m = mount_fake(3);
    m.inputs.history.set(Some(Ok(history(&[1, 2, 3, 2]))));
    settle().await;
    let titles: Vec<String> = all(&m.root, ".wt-title").iter().map(|t| t.text_content().unwrap()).collect();
    assert!(titles.contains(&HOSTILE.to_string()), "{titles:?}");
    assert!(all(&m.root, "img").is_empty());
    m.root.remove();
}

#[wasm_bindgen_test]
async fn a_what_if_toggle_re_ranks_without_that_event_only() {
    let m = mount_fake(3);
    m.inputs.history.set(Some(Ok(history(&[1, 2, 3, 2]))));
    settle().await;
    let before = item_order(&m.root);
    one(&m.root, ".wt-why").click();
    settle().await;
    // The first row is the most recent event (GoldenEye, position 3).
    let switch = all(&m.root, ".wt-switch").remove(0);
    assert_eq!(switch.get_attribute("aria-checked").as_deref(), Some("true"));
    switch.click();
    settle().await;
    let last_rank_call = m.seen.borrow().calls.iter().rev().find(|(_, o)| o.rank_only).cloned().unwrap();
    let items: Vec<i64> = last_rank_call.0.events.iter().map(|e| e.item).collect();
    assert_eq!(items, vec![1, 2, 3, 2], "the host's history goes to the core unchanged");
    assert_eq!(last_rank_call.1.without, vec![Position(3)], "the core is asked for the what-if");
    assert_eq!(last_rank_call.1.top_k, 3, "with the widget's own K");
    // What comes back is shown as it is: every item, from #1, with the core's movement words.
    let ranks: Vec<String> = all(&m.root, ".wt-rank").iter().map(|r| r.text_content().unwrap()).collect();
    assert_eq!(ranks, ["#1", "#2", "#3"]);
    assert!(all(&m.root, ".wt-move").iter().all(|w| w.text_content().unwrap() == "up from #4"));
    assert_ne!(item_order(&m.root), before, "the ranking changed");
    let status = one(&m.root, ".wt-status").text_content().unwrap();
    assert!(status.starts_with("Explanation updated: Without 1 of your 4 events"), "{status}");
    // The item whose panel was open left the list; open the new first one: the event shows as off.
    one(&m.root, ".wt-why").click();
    settle().await;
    // Every open panel's timeline shows the one event switched off.
    let timelines = all(&m.root, ".wt-timeline");
    assert!(!timelines.is_empty());
    for timeline in &timelines {
        let off: Vec<_> = all(timeline, ".wt-switch").into_iter().filter(|s| s.get_attribute("aria-checked").as_deref() == Some("false")).collect();
        assert_eq!(off.len(), 1, "{} open timelines", timelines.len());
    }
    // Switching everything back on restores the host's history.
    one(&m.root, ".wt-whatif button").click();
    settle().await;
    assert_eq!(item_order(&m.root), before);
    m.root.remove();
}

#[wasm_bindgen_test]
async fn feedback_is_recorded_with_its_details() {
    let m = mount_fake(3);
    m.inputs.history.set(Some(Ok(history(&[1, 2, 3, 2]))));
    settle().await;
    one(&m.root, ".wt-why").click();
    settle().await;
    one(&m.root, ".wt-fb-yes").click();
    settle().await;
    {
        let seen = m.seen.borrow();
        let r = seen.records.last().expect("a record");
        assert_eq!((r.item, r.rank, r.helpful, r.kind.as_str(), r.model.as_str()), (101, 1, true, "narrative", "fake-model"));
        assert_eq!(r.reason, None);
    }
    assert_eq!(one(&m.root, ".wt-fb-yes").get_attribute("aria-pressed").as_deref(), Some("true"));
    assert_eq!(one(&m.root, ".wt-fb-thanks").text_content().unwrap(), "Thanks for your feedback.");
    let input: web_sys::HtmlInputElement = one(&m.root, ".wt-fb-reason input").unchecked_into();
    input.set_value("too obvious");
    input.dispatch_event(&web_sys::Event::new("input").unwrap()).unwrap();
    let form: web_sys::HtmlFormElement = one(&m.root, ".wt-fb-reason").unchecked_into();
    form.request_submit().unwrap();
    settle().await;
    let seen = m.seen.borrow();
    assert_eq!(seen.records.len(), 2);
    assert_eq!(seen.records[1].reason.as_deref(), Some("too obvious"));
    assert_eq!(seen.records[1].id, seen.records[0].id, "the reason updates the same answer");
    drop(seen);
    m.root.remove();
}

#[wasm_bindgen_test]
async fn errors_are_shown_in_the_alert_and_reported() {
    let m = mount_fake(3);
    m.inputs.history.set(Some(Err(WidgetError::new(ErrorCode::History, "The history is not valid: expected a list."))));
    settle().await;
    let alert = one(&m.root, "[role=alert]");
    assert_eq!(alert.text_content().unwrap(), "The history is not valid: expected a list.");
    assert_eq!(m.seen.borrow().errors.last().unwrap().code, ErrorCode::History);
    // No history yet is no error: the widget asks for the ranking of the empty window.
    let errors = m.seen.borrow().errors.len();
    m.inputs.history.set(Some(Ok(History::default())));
    settle().await;
    assert_eq!(one(&m.root, "[role=alert]").text_content().unwrap(), "");
    assert_eq!(m.seen.borrow().errors.len(), errors);
    assert!(m.seen.borrow().calls.last().is_some_and(|(h, _)| h.is_empty()));
    m.root.remove();
}

#[wasm_bindgen_test]
async fn deep_dive_draws_the_heatmap_with_a_table_alternative() {
    let m = mount_fake(2);
    m.inputs.history.set(Some(Ok(history(&[1, 2, 3, 2]))));
    settle().await;
    one(&m.root, ".wt-why").click();
    settle().await;
    let toggle = one(&m.root, ".wt-deep-toggle");
    toggle.click();
    settle().await;
    assert_eq!(toggle.get_attribute("aria-expanded").as_deref(), Some("true"));
    let canvas: web_sys::HtmlCanvasElement = one(&m.root, "canvas").unchecked_into();
    assert_eq!(canvas.get_attribute("role").as_deref(), Some("img"));
    assert!(canvas.get_attribute("aria-label").unwrap().contains("Attention is highest on the last event."));
    let deep = one(&m.root, ".wt-deep-inner").text_content().unwrap();
    for said in ["A longer account.", "Your one verdict.", "Shapley values: exact"] {
        assert!(deep.contains(said), "the deep dive shows the document's sentences: {deep}");
    }
    // Something was drawn: the top-left cell is not blank.
    let ctx: web_sys::CanvasRenderingContext2d = canvas.get_context("2d").unwrap().unwrap().unchecked_into();
    let pixel = ctx.get_image_data(120.0, 5.0, 1.0, 1.0).unwrap().data();
    assert!(pixel[3] > 0, "the canvas is empty");
    assert_eq!(all(&m.root, ".wt-heat tbody tr").len(), 4);
    m.root.remove();
}

#[wasm_bindgen_test]
async fn a_long_window_paints_from_a_first_pass_then_refines_its_shapley_values_announced_once() {
    let m = mount_fake(3);
    m.seen.borrow_mut().full_delay_ms = 300;
    // 12 events: too many for exact Shapley values at the default budget, so a first pass comes first.
    m.inputs.history.set(Some(Ok(history(&[1, 2, 3, 2, 1, 2, 3, 1, 2, 3, 2, 1]))));
    settle().await;
    one(&m.root, ".wt-why").click();
    settle().await;
    assert!(one(&m.root, ".wt-narrative").text_content().unwrap().contains("Because of"), "the first pass is on screen");
    assert_eq!(all(&m.root, ".wt-refining").len(), 1, "and says it is being refined");
    let status = one(&m.root, ".wt-status").text_content().unwrap();
    assert!(!status.contains("refined"), "nothing is announced before the refinement: {status}");
    sleep(400).await;
    settle().await;
    assert!(all(&m.root, ".wt-refining").is_empty(), "the refined values replaced the first pass");
    let status = one(&m.root, ".wt-status").text_content().unwrap();
    assert_eq!(status, "Explanations refined: the Shapley values are final.");
    let kinds: Vec<&str> = m
        .seen
        .borrow()
        .calls
        .iter()
        .map(|(_, o)| if o.rank_only { "rank" } else if o.shapley_coalitions == FIRST_PASS_COALITIONS { "first" } else { "full" })
        .collect();
    assert_eq!(kinds, ["rank", "first", "full"]);
    m.root.remove();
}

#[wasm_bindgen_test]
async fn a_short_window_gets_exact_values_at_once_without_a_first_pass() {
    let m = mount_fake(3);
    m.inputs.history.set(Some(Ok(history(&[1, 2, 3, 2]))));
    settle().await;
    let calls: Vec<bool> = m.seen.borrow().calls.iter().map(|(_, o)| o.shapley_coalitions == FIRST_PASS_COALITIONS).collect();
    assert_eq!(calls, [false, false], "a ranking, then the one full request");
    assert!(all(&m.root, ".wt-refining").is_empty());
    m.root.remove();
}

#[wasm_bindgen_test]
async fn lasting_choices_reach_every_request_and_can_be_undone_and_reset() {
    let m = mount_fake(3);
    m.inputs.history.set(Some(Ok(history(&[1, 2, 3, 2]))));
    settle().await;
    one(&m.root, ".wt-why").click();
    settle().await;
    let first = one(&m.root, ".wt-item").get_attribute("data-item").unwrap().parse::<u32>().unwrap();
    one(&m.root, ".wt-not-interested").click();
    settle().await;
    {
        let seen = m.seen.borrow();
        let (controls, said) = seen.controls.last().expect("the change was reported to the host");
        assert_eq!(controls.not_interested, vec![ItemId(first)]);
        assert!(said.starts_with("Not interested in"), "{said}");
        // The next ranking carries the choice.
        let (_, options) = seen.calls.last().unwrap();
        assert_eq!(options.controls.not_interested, vec![ItemId(first)]);
    }
    assert!(one(&m.root, ".wt-status").text_content().unwrap().starts_with("Not interested in"));
    // The recency control, by its form.
    let input: web_sys::HtmlInputElement = one(&m.root, "#wt-recent-n").unchecked_into();
    input.set_value("2");
    input.dispatch_event(&web_sys::Event::new("input").unwrap()).unwrap();
    one(&m.root, ".wt-recent button[type=submit]").click();
    settle().await;
    assert_eq!(m.seen.borrow().calls.last().unwrap().1.controls.last_events, Some(2));
    assert!(one(&m.root, ".wt-undo").text_content().unwrap().contains("most recent events"));
    // Undo takes back the last choice only.
    one(&m.root, ".wt-undo").click();
    settle().await;
    let options = m.seen.borrow().calls.last().unwrap().1.clone();
    assert_eq!((options.controls.last_events, options.controls.not_interested.clone()), (None, vec![ItemId(first)]));
    assert!(one(&m.root, ".wt-status").text_content().unwrap().starts_with("Undone:"));
    // Reset asks first, then forgets every choice and the feedback log.
    one(&m.root, ".wt-reset").click();
    settle().await;
    assert_eq!(one(&m.root, ".wt-reset").get_attribute("aria-expanded").as_deref(), Some("true"));
    assert!(!one(&m.root, "#wt-reset-confirm").has_attribute("hidden"));
    one(&m.root, ".wt-reset-yes").click();
    settle().await;
    assert!(m.seen.borrow().controls.last().unwrap().0.is_empty());
    assert!(m.seen.borrow().calls.last().unwrap().1.controls.is_empty());
    assert!(all(&m.root, ".wt-undo").is_empty(), "nothing left to undo after a reset");
    m.root.remove();
}
