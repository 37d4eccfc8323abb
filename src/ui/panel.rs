//! The "Why this?" panel of one item: the plain summary, the counterfactual sentence, the timeline with
//! what-if toggles, a deeper dive (heatmap, ledger, Shapley and recent-vs-long-term), and feedback.

use super::feedback::Feedback;
use super::heatmap::Heatmap;
use super::ledger::LedgerView;
use super::state::{Ctx, ItemState, ReleasingWrite};
use super::text;
use super::timeline::Timeline;
use crate::explain::{ItemExplanation, Recommendation};
use crate::model::{ItemId, WindowEvent};
use leptos::prelude::*;

/// The panel's content for one item (rendered only while it is open).
#[component]
pub fn Panel(ctx: Ctx, item: ItemId, rank: u32) -> impl IntoView {
    // A memo, so that another item's explanation arriving does not rebuild this panel.
    let state = Memo::new(move |_| ctx.items.with(|m| m.get(&item).cloned()));
    move || match state.get() {
        None | Some(ItemState::Pending) => view! {
            <p class="wt-pending" role="status">"Working out why, on your device…"</p>
        }
        .into_any(),
        Some(ItemState::Failed(message)) => view! {
            <p class="wt-item-error" role="alert">{format!("This item could not be explained: {message}")}</p>
        }
        .into_any(),
        Some(ItemState::Ready(rec, windows)) => view! { <Explained ctx=ctx rec=*rec rank=rank windows=windows /> }.into_any(),
    }
}

#[component]
fn Explained(ctx: Ctx, rec: Recommendation, rank: u32, windows: usize) -> impl IntoView {
    let item = rec.item;
    let Some(ex) = rec.explanation.clone() else {
        return view! { <p>"No explanation was computed for this item."</p> }.into_any();
    };
    let window: Vec<WindowEvent> = ctx.shown.with_untracked(|s| s.as_ref().map(|s| s.doc.window.clone()).unwrap_or_default());
    let naming = ctx.naming();
    let top_k = ctx.inputs.config.with_untracked(|c| c.top_k);
    let counterfactuals = counterfactual_sentences(&naming, &window, item, rank, top_k, &ex);
    let deep_open = move || ctx.deep.with(|d| d.contains(&item));
    let deep_id = format!("wt-deep-{}", item.0);
    let has_attention = ex.attention.is_some();
    // The explainer names items with their whole catalog titles: shorten and isolate them here.
    let named: Vec<ItemId> = ctx.shown.with_untracked(|s| {
        s.as_ref()
            .map(|s| s.doc.window.iter().map(|e| e.item).chain(s.doc.recommendations.iter().map(|r| r.item)).collect())
            .unwrap_or_default()
    });
    let narrative = naming.tidy(&ex.narrative, &named);
    let mut ex = ex;
    ex.deep_dive = ex.deep_dive.iter().map(|p| naming.tidy(p, &named)).collect();
    let ex_deep = ex.clone();
    let window_deep = window.clone();
    let naming_deep = naming.clone();
    view! {
        <div class="wt-explained">
            <p class="wt-narrative">{narrative}</p>
            <div class="wt-cf">
                {counterfactuals.into_iter().map(|s| view! { <p>{s}</p> }).collect_view()}
            </div>
            <Timeline ctx=ctx occlusion=ex.occlusion.clone() />
            <button
                type="button"
                class="wt-btn wt-deep-toggle"
                aria-expanded=move || deep_open().to_string()
                aria-controls=deep_id.clone()
                on:click=move |_| {
                    ctx.deep.update_releasing(|d| {
                        if !d.remove(&item) {
                            d.insert(item);
                        }
                    })
                }
            >
                <span aria-hidden="true">{move || if deep_open() { "▾ " } else { "▸ " }}</span>
                "Deeper dive"
            </button>
            <div class="wt-deep" id=deep_id hidden=move || !deep_open()>
                <Show when=deep_open>
                    {
                        let ex = ex_deep.clone();
                        let window = window_deep.clone();
                        let naming = naming_deep.clone();
                        view! { <DeepDive ex=ex window=window naming=naming has_attention=has_attention /> }
                    }
                </Show>
            </div>
            <p class="wt-evals">
                {format!(
                    "Worked out on your device from {windows} runs of the model, shared by all the recommendations; your history was not sent anywhere.",
                )}
            </p>
            <Feedback ctx=ctx item=item rank=rank />
        </div>
    }
    .into_any()
}

#[component]
fn DeepDive(ex: ItemExplanation, window: Vec<WindowEvent>, naming: text::Naming, has_attention: bool) -> impl IntoView {
    let rvl = ex.recent_vs_long_term.clone();
    let recent = format!(
        "Your last {} events: removing them changes the score by {}; keeping only them changes it by {}. {}",
        rvl.recent_events,
        text::signed(-rvl.without_recent),
        text::signed(-rvl.only_recent),
        if rvl.without_recent.abs() > rvl.only_recent.abs() {
            "Your recent activity matters more than the rest of your history."
        } else {
            "Your longer-term history matters more than your most recent activity."
        }
    );
    let shapley = format!(
        "Shapley values: {} (seed {}).",
        if ex.shapley.exact { "exact".to_string() } else { format!("{} sampled orders", ex.shapley.permutations) },
        ex.shapley.seed
    );
    view! {
        <div class="wt-deep-inner">
            {ex.deep_dive.iter().map(|p| view! { <p>{p.clone()}</p> }).collect_view()}
            <p>{recent}</p>
            <Heatmap ex=ex.clone() window=window naming=naming.clone() has_attention=has_attention />
            <p class="wt-note">{shapley}</p>
            <LedgerView ledger=ex.ledger.clone() naming=naming />
        </div>
    }
}

/// The counterfactual sentences of an item (drop-out, displace, or that none exists).
pub fn counterfactual_sentences(
    naming: &text::Naming,
    window: &[WindowEvent],
    item: ItemId,
    rank: u32,
    top_k: usize,
    ex: &ItemExplanation,
) -> Vec<String> {
    let cf = &ex.counterfactual;
    let mut out = Vec::new();
    match &cf.drop_out {
        Some(set) => out.push(text::drop_out_sentence(naming, window, item, rank, top_k, set)),
        None => out.push(text::no_drop_out_sentence(naming, item, top_k, cf.max_events)),
    }
    if let Some(set) = &cf.displace {
        let same = cf.drop_out.as_ref().is_some_and(|d| d.positions == set.positions);
        if !same {
            out.push(text::displace_sentence(naming, window, item, rank, set));
        }
    }
    out
}
