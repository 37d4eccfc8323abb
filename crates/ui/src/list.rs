//! The widget root and the recommendation list with a "Why this?" disclosure per item.

use crate::view;
use crate::controls::ControlsBar;
use crate::feedback::LogBar;
use crate::panel::Panel;
use crate::state::Ctx;
use crate::Phase;
use whythis_types::explain::Recommendation;
use whythis_types::model::ItemId;
use leptos::prelude::*;

/// The whole widget: heading, live regions, the list, the feedback log controls.
#[component]
pub fn Widget(ctx: Ctx) -> impl IntoView {
    let inputs = ctx.inputs;
    let alert = move || match inputs.phase.get() {
        Phase::Failed(e) => e.message,
        _ => String::new(),
    };
    let waiting = move || match inputs.phase.get() {
        Phase::Waiting(text) => Some(view! { <p class="wt-wait">{text}</p> }),
        _ => None,
    };
    let recs = Memo::new(move |_| {
        if !matches!(inputs.phase.get(), Phase::Ready) {
            return Vec::new();
        }
        ctx.shown.with(|s| s.as_ref().map(|s| s.doc.recommendations.clone()).unwrap_or_default())
    });
    let off_count = move || ctx.off.with(|o| o.len());
    view! {
        <section class="wt" part="panel" aria-labelledby="wt-heading">
            <h2 id="wt-heading" class="wt-heading" part="heading">{move || inputs.config.with(|c| c.label.clone())}</h2>
            <div class="wt-alert" part="alert" role="alert">{alert}</div>
            <div class="wt-status" part="status" role="status">{move || ctx.status.get()}</div>
            {move || inputs.notice.get().map(|n| view! { <p class="wt-notice" part="notice" role="note">{n.message}</p> })}
            {waiting}
            <Show when=move || ctx.inputs.model.with(Option::is_some)>
                <ControlsBar ctx=ctx />
            </Show>
            <Show when=move || { off_count() > 0 }>
                <p class="wt-whatif">
                    <span>
                        {move || {
                            let n = off_count();
                            if n == 1 {
                                "What-if: 1 event of your history is switched off.".to_string()
                            } else {
                                format!("What-if: {n} events of your history are switched off.")
                            }
                        }}
                    </span>
                    " "
                    <button type="button" class="wt-btn" on:click=move |_| ctx.reset_toggles()>
                        "Switch all back on"
                    </button>
                </p>
            </Show>
            <ol class="wt-list" part="list" aria-busy=move || ctx.busy.get().to_string()>
                // Rebuilt whole for each new ranking rather than a keyed `For`: `For` registers each row's
                // owner as a child of the widget's root owner, which keeps a reference to it (and its
                // allocation) until the widget goes, one per row ever shown (leptos 0.8 `For`,
                // reactive_graph 0.2.16 `Owner::new`). Here the rows belong to this closure's effect,
                // which lets go of them when it runs again. A new ranking re-renders the open panels anyway.
                {move || recs.get().into_iter().map(|rec| view! { <Item ctx=ctx rec=rec /> }).collect_view()}
            </ol>
            <Parameters ctx=ctx />
            <LogBar ctx=ctx />
        </section>
    }
}

/// "How these picks are made": the main parameters of the latest explanation, behind a disclosure,
/// with the host's own page on them when it gave one.
#[component]
fn Parameters(ctx: Ctx) -> impl IntoView {
    let open = RwSignal::new(false);
    let href = move || ctx.inputs.config.with(|c| c.parameters_href.clone());
    view! {
        <Show when=move || ctx.parameters.with(Option::is_some)>
            <div class="wt-parameters-bar">
                <button
                    type="button"
                    class="wt-btn wt-parameters-toggle"
                    aria-expanded=move || open.get().to_string()
                    aria-controls="wt-parameters"
                    on:click=move |_| open.update(|o| *o = !*o)
                >
                    <span aria-hidden="true">{move || if open.get() { "▾ " } else { "▸ " }}</span>
                    "How these picks are made"
                </button>
                <div class="wt-parameters" part="parameters" id="wt-parameters" hidden=move || !open.get()>
                    {move || {
                        ctx.parameters
                            .get()
                            .map(|p| {
                                view! {
                                    <p class="wt-parameters-h">"What the model uses"</p>
                                    <ul>{p.uses.into_iter().map(|s| view! { <li>{s}</li> }).collect_view()}</ul>
                                    <p class="wt-parameters-h">"What weighs most for you"</p>
                                    <ul>{p.weighs.into_iter().map(|s| view! { <li>{s}</li> }).collect_view()}</ul>
                                }
                            })
                    }}
                    {move || href().map(|h| view! { <p><a href=h rel="noopener">"More about how this shop recommends"</a></p> })}
                </div>
            </div>
        </Show>
    }
}

/// One recommendation: rank, title, movement under what-ifs, and its disclosure.
#[component]
fn Item(ctx: Ctx, rec: Recommendation) -> impl IntoView {
    let item: ItemId = rec.item;
    let rank = rec.rank.0;
    // Named by the core's policy: a private item by its neutral phrase, a long title shortened.
    let (title, full_title) = (rec.name.short.clone(), rec.name.full.clone());
    let open = move || ctx.open.with(|o| o.contains(&item));
    let panel_id = format!("wt-panel-{}", item.0);
    let button_id = format!("wt-why-{}", item.0);
    let movement = rec.what_if.as_ref().map(|w| view! { <span class="wt-move">{w.movement.clone()}</span> });
    let title_for_button = title.clone();
    view! {
        <li class="wt-item" part="item" data-item=item.0.to_string()>
            <div class="wt-row">
                <span class="wt-rank">{format!("#{rank}")}</span>
                // <bdi>: a title's own direction, and a bidi control in it cannot reorder the row.
                <bdi class="wt-title" part="title" title=full_title>{title}</bdi>
                {movement}
                <button
                    type="button"
                    class="wt-why"
                    part="why"
                    id=button_id.clone()
                    aria-expanded=move || open().to_string()
                    aria-controls=panel_id.clone()
                    aria-label=format!("Why this? {}", title_for_button)
                    on:click=move |_| ctx.toggle_panel(item)
                >
                    <span aria-hidden="true" class="wt-chevron">{move || if open() { "▾" } else { "▸" }}</span>
                    " Why this?"
                </button>
            </div>
            <div
                class="wt-panel"
                part="explanation"
                id=panel_id
                role="region"
                aria-labelledby=button_id
                hidden=move || !open()
            >
                <Show when=open>
                    <Panel ctx=ctx item=item rank=rank />
                </Show>
            </div>
        </li>
    }
}
