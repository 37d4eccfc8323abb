//! "Was this helpful?" (Yes / No, then an optional reason) and the log controls (export, clear).

use crate::view;
use crate::state::Ctx;
use crate::FeedbackRecord;
use whythis_types::boundary::ExplanationKind;
use whythis_types::model::ItemId;
use leptos::prelude::*;

/// The question under one explanation.
#[component]
pub fn Feedback(ctx: Ctx, item: ItemId, rank: u32, template: String) -> impl IntoView {
    // Stored, so the Yes and No handlers can both read it (a String would make `rate` move-only).
    let template = StoredValue::new((!template.is_empty()).then_some(template));
    let answer = RwSignal::new(None::<FeedbackRecord>);
    let thanks = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let q_id = format!("wt-fb-q-{}", item.0);
    let reason_id = format!("wt-fb-reason-{}", item.0);
    let send = move |record: FeedbackRecord, words: &str| match ctx.host().feedback(&record) {
        Ok(n) => {
            ctx.log_size.set(n);
            thanks.set(words.to_string());
        }
        Err(e) => thanks.set(format!("Thanks. Your answer reached this page but could not be saved on this device: {e}.")),
    };
    let rate = move |helpful: bool| {
        let host = ctx.host();
        let now = host.now();
        let model = ctx.inputs.model.with_untracked(|m| m.as_ref().map(|m| m.id.clone())).unwrap_or_default();
        let kind = if ctx.deep.with_untracked(|d| d.contains(&item)) { ExplanationKind::DeepDive } else { ExplanationKind::Narrative };
        let record = FeedbackRecord {
            // Time first, zero-padded: the local log keeps each record under a key made of its id, in time order.
            id: format!("{:013}-{:09}-{}", js_sys::Date::now() as u64, (js_sys::Math::random() * 1e9) as u64, item.0),
            item: item.0,
            rank,
            helpful,
            reason: None,
            kind,
            template: template.get_value(),
            model,
            time: now,
        };
        answer.set(Some(record.clone()));
        send(record, "Thanks for your feedback.");
    };
    let send_reason = move || {
        let Some(mut record) = answer.get_untracked() else { return };
        let text = reason.get_untracked().trim().chars().take(500).collect::<String>();
        if text.is_empty() {
            thanks.set("Type a reason first, or leave it: your answer is already recorded.".into());
            return;
        }
        record.reason = Some(text);
        record.time = ctx.host().now();
        answer.set(Some(record.clone()));
        send(record, "Thanks, your reason was saved.");
    };
    let pressed = move |v: bool| move || answer.with(|a| a.as_ref().map(|a| a.helpful == v).unwrap_or(false)).to_string();
    view! {
        <div class="wt-fb" part="feedback" role="group" aria-labelledby=q_id.clone()>
            <span id=q_id.clone() class="wt-fb-q">"Was this helpful?"</span>
            <button type="button" class="wt-btn wt-fb-yes" aria-pressed=pressed(true) on:click=move |_| rate(true)>
                "Yes"
            </button>
            <button type="button" class="wt-btn wt-fb-no" aria-pressed=pressed(false) on:click=move |_| rate(false)>
                "No"
            </button>
            <span class="wt-fb-thanks" role="status">{move || thanks.get()}</span>
            <Show when=move || answer.with(Option::is_some)>
                <form
                    class="wt-fb-reason"
                    on:submit=move |ev| {
                        ev.prevent_default();
                        send_reason();
                    }
                >
                    <label for=reason_id.clone()>"Why? (optional)"</label>
                    <input
                        id=reason_id.clone()
                        type="text"
                        maxlength="500"
                        autocomplete="off"
                        prop:value=move || reason.get()
                        on:input=move |ev| reason.set(event_target_value(&ev))
                    />
                    <button type="submit" class="wt-btn">"Send reason"</button>
                </form>
            </Show>
        </div>
    }
}

/// "Your feedback stays on this device (n saved). Export · Clear".
#[component]
pub fn LogBar(ctx: Ctx) -> impl IntoView {
    let said = RwSignal::new(String::new());
    view! {
        <div class="wt-log" part="feedback-log">
            <span>
                {move || {
                    let n = ctx.log_size.get();
                    format!(
                        "Your feedback stays on this device ({n} answer{} saved).",
                        if n == 1 { "" } else { "s" },
                    )
                }}
            </span>
            " "
            <button
                type="button"
                class="wt-btn wt-log-export"
                on:click=move |_| {
                    ctx.host().export_feedback();
                    said.set("Your feedback was saved as a file.".into());
                }
            >
                "Export feedback"
            </button>
            " "
            <button
                type="button"
                class="wt-btn wt-log-clear"
                on:click=move |_| {
                    ctx.host().clear_feedback();
                    ctx.log_size.set(ctx.host().feedback_count());
                    said.set("Your feedback log was cleared.".into());
                }
            >
                "Clear feedback"
            </button>
            <span class="wt-visually-hidden" role="status">{move || said.get()}</span>
        </div>
    }
}
