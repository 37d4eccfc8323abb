//! The main parameters (docs/explanations.md §3): what the model reads, from its card and the contract,
//! and what weighs most in this visitor's picks, from the explained items' ledgers, in plain words.

use crate::document::{Ledger, MainParameters};
use crate::ledger::SENSITIVE_TAG;
use crate::naming::Naming;
use crate::wording::{action_label, tag_label};
use whythis_model::{ModelCard, Window};
use std::collections::BTreeMap;

/// The most action names listed by name; the rest are counted.
const MAX_ACTIONS_NAMED: usize = 6;

/// The main parameters for a window and the ledgers of its explained items.
pub fn main_parameters(card: &ModelCard, naming: &Naming, window: &Window, ledgers: &[&Ledger]) -> MainParameters {
    MainParameters { uses: uses(card, window), weighs: weighs(naming, window, ledgers) }
}

/// What any model of the contract reads (docs/contract.md §1: the items and, if the card says so,
/// the actions of the last `seq_len` events, in order; no time input), and what this one reads here.
fn uses(card: &ModelCard, window: &Window) -> Vec<String> {
    let actions: Vec<String> = match (&card.inputs.action_types, &card.actions) {
        // Index 0 is padding (docs/contract.md §2).
        (Some(_), Some(names)) => names.iter().skip(1).map(|a| tag_label(&action_label(Some(a)))).collect(),
        _ => Vec::new(),
    };
    let what = match actions.len() {
        0 | 1 => "which title each was".to_string(),
        n if n <= MAX_ACTIONS_NAMED => format!("which title each was and what you did with it ({})", or_list(&actions)),
        n => format!(
            "which title each was and what you did with it ({}, or one of {} more)",
            actions[..MAX_ACTIONS_NAMED - 1].join(", "),
            n - (MAX_ACTIONS_NAMED - 1)
        ),
    };
    let here = match window.len() {
        0 => "Here it reads none: no history of yours is used.".to_string(),
        n if n >= card.seq_len => format!("Here it reads your {n} latest events, the most it reads; older ones are not used."),
        1 => "Here it reads your one event.".to_string(),
        n => format!("Here it reads all {n} of your events."),
    };
    vec![
        format!("The model reads the last {} things you did in this shop, oldest to newest: {what}.", card.seq_len),
        "It counts their order, not their dates or times.".into(),
        "It knows nothing else about you, not who you are or where, and it runs on this device: your history is not sent anywhere.".into(),
        here,
    ]
}

/// What weighs most across the explained items: the ledger's groups summed over them.
fn weighs(naming: &Naming, window: &Window, ledgers: &[&Ledger]) -> Vec<String> {
    if window.is_empty() || ledgers.is_empty() {
        return vec!["Nothing of yours weighs here: with no history used, these are the model's picks for anyone.".into()];
    }
    let sum = |group: fn(&Ledger) -> &BTreeMap<String, f32>| {
        let mut total: BTreeMap<String, f32> = BTreeMap::new();
        for l in ledgers {
            for (key, v) in group(l) {
                *total.entry(key.clone()).or_default() += v;
            }
        }
        total
    };
    let picks = if ledgers.len() == 1 { "this pick".to_string() } else { format!("these {} picks", ledgers.len()) };
    let mut out = Vec::new();
    // Recency buckets and actions each split the events, so their positive totals are shares of one whole.
    let recency = sum(|l| &l.by_recency);
    if let Some((key, share)) = largest_share(&recency) {
        out.push(format!("By recency: {} most toward {picks} ({share:.0} % of what supports them).", recency_phrase(&key)));
    }
    let actions = sum(|l| &l.by_action);
    if actions.values().filter(|v| **v > 0.0).count() > 1 {
        if let Some((key, share)) = largest_share(&actions) {
            out.push(format!("By what you did: {} events weigh most ({share:.0} %).", tag_label(&action_label(Some(&key)))));
        }
    }
    // A title has several tags, so tag totals overlap: the strongest is named, without a share.
    let tags = sum(|l| &l.by_tag);
    let top_tag = tags
        .iter()
        .filter(|(t, v)| t.as_str() != SENSITIVE_TAG && !naming.is_sensitive_tag(t) && **v > 0.0)
        .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(a.0)));
    if let Some((tag, _)) = top_tag {
        out.push(format!("By kind of title: what you did with {} titles pulls hardest toward {picks}.", tag_label(tag)));
    }
    if out.is_empty() {
        out.push(format!("No part of your history stands out behind {picks}; they come from it as a whole."));
    }
    out.push("These weights are measured on your own history, by leaving each event out and ranking again; no one set them by hand.".into());
    out
}

/// The key with the largest positive total and its percentage of all positive totals.
fn largest_share(totals: &BTreeMap<String, f32>) -> Option<(String, f32)> {
    let positive: f32 = totals.values().filter(|v| **v > 0.0).sum();
    let (key, value) = totals.iter().filter(|(_, v)| **v > 0.0).max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(a.0)))?;
    Some((key.clone(), 100.0 * value / positive))
}

/// A ledger recency bucket (`ledger::recency_bucket`) in words, with its verb.
fn recency_phrase(bucket: &str) -> &'static str {
    match bucket {
        "last" => "your latest event weighs",
        "2-5" => "your 2nd to 5th latest events weigh",
        "6-20" => "your 6th to 20th latest events weigh",
        _ => "your events before the latest 20 weigh",
    }
}

/// "a, b or c".
fn or_list(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}
