//! The visitor's lasting controls (docs/explanations.md, "Controls"): picks not based on the history,
//! the recency control, kinds and dates of events not to use, the list of choices made (each taken
//! back alone), undo and reset. The per-item "Not interested" and per-event "Don't use this" buttons
//! live in the panel and the timeline and call the same [`Ctx::decide`]. The core applies the controls
//! and words what they did and each choice (`ExplanationDocument::controls`); this bar lays them out.

use crate::state::{Ctx, ReleasingWrite};
use crate::view;
use leptos::prelude::*;
use whythis_types::explain::wording::tag_label;
use whythis_types::explain::StatedChoice;

/// Seconds since the epoch of a `yyyy-mm-dd` date input's value (midnight UTC), if it is one.
fn day_start(value: &str) -> Option<i64> {
    let ms = js_sys::Date::parse(&format!("{value}T00:00:00Z"));
    ms.is_finite().then(|| (ms / 1000.0) as i64)
}

/// The bar of controls above the list.
#[component]
pub fn ControlsBar(ctx: Ctx) -> impl IntoView {
    let controls = ctx.inputs.controls;
    let said = move || {
        ctx.shown.with(|s| s.as_ref().and_then(|s| s.doc.controls.as_ref()).map(|c| c.sentence.clone()).unwrap_or_default())
    };
    let choices = move || ctx.shown.with(|s| s.as_ref().and_then(|s| s.doc.controls.as_ref()).map(|c| c.choices.clone()).unwrap_or_default());
    let not_personalised = move || controls.with(|c| c.not_personalised);
    let window_len = move || ctx.base.with(Vec::len);
    let recent = RwSignal::new(String::new());
    let tag = RwSignal::new(String::new());
    let date = RwSignal::new(String::new());
    let confirming = RwSignal::new(false);
    let tags = move || ctx.shown.with(|s| s.as_ref().map(|s| s.doc.window_tags.clone()).unwrap_or_default());
    let apply_recent = move || {
        let Some(n) = recent.get_untracked().trim().parse::<usize>().ok().filter(|&n| n >= 1) else {
            ctx.status.set_releasing("Type how many of your most recent events to use (1 or more).".into());
            return;
        };
        let words = if n == 1 { "Only your most recent event is used now.".to_string() } else { format!("Only your {n} most recent events are used now.") };
        ctx.decide(words, |c| c.last_events = Some(n));
    };
    let apply_tag = move || {
        let t = tag.get_untracked();
        if t.is_empty() {
            return;
        }
        let words = format!("Events of the kind {} are not used now.", tag_label(&t));
        ctx.decide(words, |c| {
            if !c.unused_tags.contains(&t) {
                c.unused_tags.push(t.clone());
            }
        });
    };
    let apply_date = move || {
        let Some(ts) = day_start(&date.get_untracked()) else {
            ctx.status.set_releasing("Pick a date first.".into());
            return;
        };
        let words = format!("Events before {} are not used now.", date.get_untracked());
        ctx.decide(words, |c| c.unused_before = Some(ts));
    };
    view! {
        <div class="wt-controls" part="controls" role="group" aria-label="Your choices for these recommendations">
            <p class="wt-controls-said" part="controls-summary">{said}</p>
            <Show when=move || !choices().is_empty()>
                <ul class="wt-choices" aria-label="Your choices">
                    {move || choices().into_iter().map(|choice| {
                        let StatedChoice { decides, sentence } = choice;
                        let label = format!("Take back: {sentence}");
                        let said = format!("Taken back: {sentence}");
                        view! {
                            <li>
                                <span>{sentence}</span>
                                " "
                                <button
                                    type="button"
                                    class="wt-btn wt-take-back"
                                    aria-label=label
                                    on:click=move |_| ctx.decide(said.clone(), |c| *c = c.without(&decides))
                                >
                                    "Take back"
                                </button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </Show>
            <button
                type="button"
                role="switch"
                class="wt-toggle wt-not-personalised"
                aria-checked=move || not_personalised().to_string()
                on:click=move |_| {
                    if not_personalised() {
                        ctx.decide("Your history is used again for your picks.".into(), |c| c.not_personalised = false)
                    } else {
                        ctx.decide("Showing picks not based on your history.".into(), |c| c.not_personalised = true)
                    }
                }
            >
                "Show picks not based on my history"
            </button>
            <form
                class="wt-recent"
                on:submit=move |ev| {
                    ev.prevent_default();
                    apply_recent();
                }
            >
                <label for="wt-recent-n">"Use only my last"</label>
                " "
                <input
                    id="wt-recent-n"
                    type="number"
                    min="1"
                    max=move || window_len().max(1).to_string()
                    inputmode="numeric"
                    placeholder=move || controls.with(|c| c.last_events.map(|n| n.to_string()).unwrap_or_else(|| "all".into()))
                    prop:value=move || recent.get()
                    on:input=move |ev| recent.set(event_target_value(&ev))
                />
                " events "
                <button type="submit" class="wt-btn">"Apply"</button>
                {move || controls.with(|c| c.last_events.is_some()).then(|| view! {
                    <button
                        type="button"
                        class="wt-btn wt-recent-all"
                        on:click=move |_| ctx.decide("All your recent events are used again.".into(), |c| c.last_events = None)
                    >
                        "Use all"
                    </button>
                })}
            </form>
            <Show when=move || !tags().is_empty()>
                <form
                    class="wt-kind"
                    on:submit=move |ev| {
                        ev.prevent_default();
                        apply_tag();
                    }
                >
                    <label for="wt-kind-tag">"Don't use events of the kind"</label>
                    " "
                    <select id="wt-kind-tag" on:change=move |ev| tag.set(event_target_value(&ev)) prop:value=move || tag.get()>
                        <option value="">"(choose)"</option>
                        // The value is the tag itself (what the control matches); the text is the core's label of it.
                        {move || tags().into_iter().map(|t| view! { <option value=t.clone()>{tag_label(&t)}</option> }).collect_view()}
                    </select>
                    " "
                    <button type="submit" class="wt-btn">"Don't use"</button>
                </form>
            </Show>
            <form
                class="wt-before"
                on:submit=move |ev| {
                    ev.prevent_default();
                    apply_date();
                }
            >
                <label for="wt-before-date">"Don't use events before"</label>
                " "
                <input id="wt-before-date" type="date" prop:value=move || date.get() on:input=move |ev| date.set(event_target_value(&ev)) />
                " "
                <button type="submit" class="wt-btn">"Don't use"</button>
            </form>
            <div class="wt-controls-actions">
                {move || ctx.last_decision().map(|what| view! {
                    <button type="button" class="wt-btn wt-undo" on:click=move |_| ctx.undo_last()>
                        {format!("Undo: {what}")}
                    </button>
                })}
                " "
                <button
                    type="button"
                    class="wt-btn wt-reset"
                    aria-expanded=move || confirming.get().to_string()
                    aria-controls="wt-reset-confirm"
                    on:click=move |_| confirming.update(|c| *c = !*c)
                >
                    "Reset my choices"
                </button>
                <div id="wt-reset-confirm" class="wt-reset-confirm" role="group" aria-label="Confirm the reset" hidden=move || !confirming.get()>
                    <span>"This forgets every choice you made here and your feedback log. Reset?"</span>
                    " "
                    <button
                        type="button"
                        class="wt-btn wt-reset-yes"
                        on:click=move |_| {
                            confirming.set(false);
                            ctx.reset_all();
                        }
                    >
                        "Yes, reset"
                    </button>
                    " "
                    <button type="button" class="wt-btn wt-reset-no" on:click=move |_| confirming.set(false)>
                        "Cancel"
                    </button>
                </div>
            </div>
        </div>
    }
}
