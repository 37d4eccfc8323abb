//! The timeline of the window's events, most recent first, with a signed influence bar per event
//! (its occlusion delta) and a what-if switch that re-ranks without it.

use crate::view;
use crate::heatmap::normalised;
use crate::state::Ctx;
use whythis_types::explain::wording::{action_label, isolate, occlusion_label};
use whythis_types::explain::{EventKey, OcclusionEntry};
use leptos::prelude::*;

/// How many of the most recent events are shown before "Show all".
const SHOWN_FIRST: usize = 10;

#[derive(Clone, PartialEq)]
struct Row {
    base_position: usize,
    key: EventKey,
    title: String,
    full_title: String,
    action: String,
    on: bool,
    entry: Option<OcclusionEntry>,
}

/// The timeline for one item's occlusion entries (positions in the window the model saw).
#[component]
pub fn Timeline(ctx: Ctx, occlusion: Vec<OcclusionEntry>) -> impl IntoView {
    let show_all = RwSignal::new(false);
    let max_abs = occlusion.iter().map(|e| e.delta.abs()).fold(0.0f32, f32::max);
    let occlusion = StoredValue::new(occlusion);
    let rows = move || {
        let kept = ctx.shown.with(|s| s.as_ref().map(|s| s.kept.clone()).unwrap_or_default());
        let off = ctx.off.get();
        let base = ctx.base.get();
        let names = ctx.base_names.get();
        let n = base.len();
        let limit = if show_all.get() { n } else { SHOWN_FIRST.min(n) };
        base.iter()
            .enumerate()
            .rev()
            .take(limit)
            .map(|(p, e)| {
                let current = kept.iter().position(|k| *k == p);
                let entry = current
                    .and_then(|c| occlusion.with_value(|o| o.iter().find(|x| x.position.0 == c).cloned()));
                let name = names.get(p).cloned().unwrap_or_default();
                Row {
                    base_position: p,
                    key: EventKey { item: e.item, ts: e.ts },
                    title: name.short,
                    full_title: name.full,
                    action: action_label(e.action.as_deref()),
                    on: !off.contains(&p),
                    entry,
                }
            })
            .collect::<Vec<_>>()
    };
    let total = move || ctx.base.with(Vec::len);
    view! {
        <div class="wt-timeline" part="timeline">
            <h3 class="wt-sub">"Your recent history and how each event weighs"</h3>
            <p class="wt-note">
                "Bars to the right support this recommendation, bars to the left work against it. Switch an event off to see what you would be shown without it."
            </p>
            <ol class="wt-events">
                <For each=rows key=|r: &Row| (r.base_position, r.on, r.entry.as_ref().map(|e| e.delta.to_bits())) let:row>
                    <EventRow ctx=ctx row=row max_abs=max_abs />
                </For>
            </ol>
            <Show when=move || { total() > SHOWN_FIRST }>
                <button
                    type="button"
                    class="wt-btn"
                    aria-expanded=move || show_all.get().to_string()
                    on:click=move |_| show_all.update(|s| *s = !*s)
                >
                    {move || {
                        if show_all.get() {
                            format!("Show the {SHOWN_FIRST} most recent only")
                        } else {
                            format!("Show all {} events", total())
                        }
                    }}
                </button>
            </Show>
        </div>
    }
}

#[component]
fn EventRow(ctx: Ctx, row: Row, max_abs: f32) -> impl IntoView {
    let p = row.base_position;
    let (pos_width, neg_width, words, sign_class) = match &row.entry {
        Some(e) => {
            let v = normalised(e.delta, max_abs);
            let class = if e.delta > 0.0005 { "pos" } else if e.delta < -0.0005 { "neg" } else { "zero" };
            (
                format!("{:.1}%", v.max(0.0) * 100.0),
                format!("{:.1}%", (-v).max(0.0) * 100.0),
                occlusion_label(e),
                class,
            )
        }
        None => ("0%".into(), "0%".into(), "switched off".to_string(), "off"),
    };
    let label = format!("Count “{}” in the what-if", isolate(&row.title));
    let unuse_label = format!("Don't use “{}” for my recommendations", isolate(&row.title));
    let unused_said = format!("{} is not used for your recommendations now.", isolate(&row.title));
    let key = row.key;
    let on = row.on;
    let button = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if let Some(b) = button.get() {
            if ctx.take_refocus(p) {
                let _ = b.focus();
            }
        }
    });
    view! {
        <li class=format!("wt-ev wt-ev-{sign_class}") class:wt-off=!on>
            <span class="wt-ev-name">
                <bdi class="wt-ev-title" title=row.full_title.clone()>{row.title.clone()}</bdi>
                {(!row.action.is_empty()).then(|| view! { <span class="wt-ev-action">{row.action.clone()}</span> })}
            </span>
            <span class="wt-bar" aria-hidden="true">
                <span class="wt-bar-neg">
                    <span class="wt-fill-neg" style:width=neg_width></span>
                </span>
                <span class="wt-bar-pos">
                    <span class="wt-fill-pos" style:width=pos_width></span>
                </span>
            </span>
            <span class="wt-ev-value">{words}</span>
            <button
                type="button"
                role="switch"
                class="wt-switch"
                aria-checked=on.to_string()
                aria-label=label
                node_ref=button
                aria-disabled=move || ctx.busy.get().to_string()
                on:click=move |_| {
                    if !ctx.busy.get_untracked() {
                        ctx.toggle_event(p)
                    }
                }
            >
                {if on { "Counts" } else { "Off" }}
            </button>
            <button
                type="button"
                class="wt-btn wt-unuse"
                aria-label=unuse_label
                on:click=move |_| {
                    ctx.decide(unused_said.clone(), |c| {
                        if !c.unused_events.contains(&key) {
                            c.unused_events.push(key);
                        }
                    })
                }
            >
                "Don't use"
            </button>
        </li>
    }
}
