//! The "Why this?" panel of one item: the plain summary, the counterfactual sentences, the timeline with
//! what-if toggles, a deeper dive (heatmap, ledger, Shapley and recent-vs-long-term), and feedback.
//! Every sentence comes worded from the core, in the document; the panel lays them out.

use crate::view;
use crate::feedback::Feedback;
use crate::heatmap::Heatmap;
use crate::ledger::LedgerView;
use crate::state::{Ctx, ItemState, ReleasingWrite};
use crate::timeline::Timeline;
use whythis_types::explain::wording::isolate;
use whythis_types::explain::{DisplayName, ItemExplanation, Recommendation};
use whythis_types::model::{ItemId, WindowEvent};
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
        Some(ItemState::Ready(rec, windows)) => {
            view! { <Explained ctx=ctx rec=*rec rank=rank windows=windows refining=false /> }.into_any()
        }
        Some(ItemState::Refining(rec, windows)) => {
            view! { <Explained ctx=ctx rec=*rec rank=rank windows=windows refining=true /> }.into_any()
        }
    }
}

#[component]
fn Explained(ctx: Ctx, rec: Recommendation, rank: u32, windows: usize, refining: bool) -> impl IntoView {
    let item = rec.item;
    let Some(ex) = rec.explanation.clone() else {
        return view! { <p>"No explanation was computed for this item."</p> }.into_any();
    };
    let (window, names): (Vec<WindowEvent>, Vec<DisplayName>) = ctx
        .shown
        .with_untracked(|s| s.as_ref().map(|s| (s.doc.window.clone(), s.doc.window_names.clone())).unwrap_or_default());
    let deep_open = move || ctx.deep.with(|d| d.contains(&item));
    let deep_id = format!("wt-deep-{}", item.0);
    let has_attention = ex.attention.is_some();
    let narrative = ex.narrative.clone();
    let template = ex.narrative_template.clone();
    let title = StoredValue::new(rec.name.short.clone());
    let counterfactuals = ex.counterfactual_sentences.clone();
    let recourse = ex.recourse.clone().map(|r| {
        view! {
            <ol class="wt-recourse" part="recourse" aria-label="Why this, and what else">
                {r.steps.into_iter().map(|s| view! { <li>{s}</li> }).collect_view()}
            </ol>
        }
    });
    let ex_deep = ex.clone();
    view! {
        <div class="wt-explained">
            <p class="wt-narrative" part="narrative">{narrative}</p>
            {refining.then(|| view! { <p class="wt-note wt-refining">"Refining the Shapley values…"</p> })}
            <div class="wt-cf" part="counterfactuals">
                {counterfactuals.into_iter().map(|s| view! { <p>{s}</p> }).collect_view()}
            </div>
            {recourse}
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
            <div class="wt-deep" part="deep-dive" id=deep_id hidden=move || !deep_open()>
                <Show when=deep_open>
                    {
                        let ex = ex_deep.clone();
                        let window = window.clone();
                        let names = names.clone();
                        view! { <DeepDive ex=ex window=window names=names has_attention=has_attention /> }
                    }
                </Show>
            </div>
            <p class="wt-evals">
                {format!(
                    "Worked out on your device from {windows} runs of the model, shared by all the recommendations; your history was not sent anywhere.",
                )}
            </p>
            <Feedback ctx=ctx item=item rank=rank template=template />
            <button
                type="button"
                class="wt-btn wt-not-interested"
                part="not-interested"
                on:click=move |_| {
                    let said = format!("Not interested in {}: it will not be recommended again.", isolate(&title.get_value()));
                    ctx.decide(said, |c| {
                        if !c.not_interested.contains(&item) {
                            c.not_interested.push(item);
                        }
                    })
                }
            >
                "Not interested in this"
            </button>
        </div>
    }
    .into_any()
}

#[component]
fn DeepDive(ex: ItemExplanation, window: Vec<WindowEvent>, names: Vec<DisplayName>, has_attention: bool) -> impl IntoView {
    view! {
        <div class="wt-deep-inner">
            {ex.deep_dive.iter().map(|p| view! { <p>{p.clone()}</p> }).collect_view()}
            <Heatmap ex=ex.clone() window=window names=names.clone() has_attention=has_attention />
            <p class="wt-note">{ex.shapley_note.clone()}</p>
            <LedgerView ledger=ex.ledger.clone() names=names />
        </div>
    }
}
