//! The visitor's controls applied (docs/explanations.md, "Controls"; the types are
//! `whythis_types::explain::controls`): the history they leave, and what they did, worded once here
//! for the panel, the JS API and the CLI alike.

use crate::naming::{fold, Naming};
use std::collections::HashSet;
use whythis_model::{Catalog, History, ItemId};
use whythis_types::explain::controls::{Controls, ControlsApplied, EventKey, StatedChoice};
use whythis_types::explain::wording::{capitalised, tag_label, utc_date};

/// The history the controls leave (the empty one when not personalised), and what they left out.
/// Tags are read from `catalog`: with an `itemInfo` resolver it knows the tags of the items it was
/// asked about, so a tag control covers those.
pub fn controlled_history(history: &History, catalog: &Catalog, controls: &Controls) -> (History, ControlsApplied) {
    // `not_personalised` is the explainer's to say: it holds for any window left empty.
    let mut applied = ControlsApplied::default();
    if controls.not_personalised {
        applied.events_left_out = history.len();
        return (History::default(), applied);
    }
    let events: HashSet<EventKey> = controls.unused_events.iter().copied().collect();
    let tags: HashSet<String> = controls.unused_tags.iter().map(|t| fold(t)).filter(|t| !t.is_empty()).collect();
    let mut kept = Vec::with_capacity(history.len());
    for event in &history.events {
        // An id outside u32 cannot be a control's item; Window::new refuses it afterwards.
        let item = u32::try_from(event.item).map(ItemId).ok();
        let key = item.map(|item| EventKey { item, ts: event.ts });
        if key.is_some_and(|k| events.contains(&k)) {
            applied.by_event += 1;
        } else if item.is_some_and(|i| !tags.is_empty() && catalog.tags(i).iter().any(|t| tags.contains(&fold(t)))) {
            applied.by_tag += 1;
        } else if matches!((controls.unused_before, event.ts), (Some(before), Some(ts)) if ts < before) {
            applied.by_date += 1;
        } else {
            kept.push(event.clone());
        }
    }
    if let Some(n) = controls.last_events {
        let extra = kept.len().saturating_sub(n);
        kept.drain(..extra);
        applied.by_recency = extra;
    }
    applied.events_left_out = applied.by_event + applied.by_tag + applied.by_date + applied.by_recency;
    (History { events: kept }, applied)
}

/// The sentence that says what the controls did (empty when they changed nothing); `asked`: the
/// visitor asked for picks not based on their history (else an empty window means none yet).
pub fn controls_sentence(applied: &ControlsApplied, asked: bool) -> String {
    let plural = |n: usize, one: &str, many: &str| if n == 1 { format!("1 {one}") } else { format!("{n} {many}") };
    let mut sentences = Vec::new();
    if applied.not_personalised && asked {
        sentences.push("These picks are not based on your history: they are what the model suggests to anyone, as you asked.".to_string());
    } else if applied.not_personalised && applied.events_left_out > 0 {
        let events = plural(applied.events_left_out, "event", "events");
        sentences.push(format!(
            "Your choices leave none of your history to use ({events} left out), so these are the model's picks for anyone."
        ));
    } else if applied.not_personalised {
        sentences.push("You have no history here yet, so these are the model's picks for anyone.".to_string());
    } else if applied.events_left_out > 0 {
        let mut why = Vec::new();
        for (n, what) in [
            (applied.by_event, "you marked"),
            (applied.by_tag, "by a kind you turned off"),
            (applied.by_date, "older than the date you set"),
            (applied.by_recency, "beyond the recent events you chose to use"),
        ] {
            if n > 0 {
                why.push(format!("{n} {what}"));
            }
        }
        let events = plural(applied.events_left_out, "event", "events");
        let verb = if applied.events_left_out == 1 { "is" } else { "are" };
        sentences.push(format!("{events} of your history {verb} not used, as you asked ({}).", why.join(", ")));
    }
    if applied.items_hidden > 0 {
        let items = plural(applied.items_hidden, "title you are not interested in is", "titles you are not interested in are");
        sentences.push(format!("{items} never shown."));
    }
    sentences.join(" ")
}

/// Each of the visitor's decisions in words, in the order of [`Controls::each`]; items and tags are
/// named by the naming policy (a private title or a sensitive tag by its neutral phrase).
pub fn stated_choices(controls: &Controls, naming: &Naming) -> Vec<StatedChoice> {
    controls.each().into_iter().map(|decides| StatedChoice { sentence: choice_sentence(&decides, naming), decides }).collect()
}

/// The sentence of controls that decide one thing.
fn choice_sentence(one: &Controls, naming: &Naming) -> String {
    if let Some(&item) = one.not_interested.first() {
        return format!("Not interested in {}: never recommended.", naming.in_text(item));
    }
    if let Some(event) = one.unused_events.first() {
        let when = event.ts.map(|ts| format!(" on {}", utc_date(ts))).unwrap_or_default();
        return capitalised(&format!("{}{when}: not used.", naming.in_text(event.item)));
    }
    if let Some(tag) = one.unused_tags.first() {
        return if naming.is_sensitive_tag(tag) {
            "Events of a kind you keep private: not used.".to_string()
        } else {
            format!("Events of the kind {}: not used.", tag_label(tag))
        };
    }
    if let Some(before) = one.unused_before {
        return format!("Events before {}: not used.", utc_date(before));
    }
    match one.last_events {
        Some(1) => return "Only your most recent event is used.".to_string(),
        Some(n) => return format!("Only your {n} most recent events are used."),
        None => {}
    }
    "Picks not based on your history.".to_string()
}
