//! The ledger: occlusion deltas grouped by action, tag and recency, and the most similar history items.

use crate::view;
use whythis_types::explain::wording::{action_label, direction, isolate, signed, tag_label};
use whythis_types::explain::{DisplayName, Ledger};
use leptos::prelude::*;
use std::collections::BTreeMap;

/// Most rows shown per group.
const ROWS: usize = 6;

fn sorted(map: &BTreeMap<String, f32>) -> Vec<(String, f32)> {
    let mut v: Vec<(String, f32)> = map.iter().map(|(k, v)| (k.clone(), *v)).collect();
    v.sort_by(|a, b| b.1.abs().partial_cmp(&a.1.abs()).unwrap_or(std::cmp::Ordering::Equal));
    v.truncate(ROWS);
    v
}

fn recency_label(key: &str) -> String {
    match key {
        "last" => "your last event".into(),
        "2-5" => "events 2 to 5 back".into(),
        "6-20" => "events 6 to 20 back".into(),
        "older" => "older events".into(),
        other => other.to_string(),
    }
}

#[component]
fn Group(caption: &'static str, rows: Vec<(String, f32)>) -> impl IntoView {
    if rows.is_empty() {
        return None;
    }
    Some(view! {
        <table class="wt-table wt-ledger-table">
            <caption>{caption}</caption>
            <thead>
                <tr>
                    <th scope="col">"Group"</th>
                    <th scope="col">"Influence"</th>
                </tr>
            </thead>
            <tbody>
                {rows
                    .into_iter()
                    .map(|(k, v)| {
                        view! {
                            <tr>
                                <th scope="row">{k}</th>
                                <td>{format!("{} ({})", signed(v, 3), direction(v))}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    })
}

/// The ledger tables. Tags come as the core summed them: those the host marked sensitive together,
/// under one neutral key, so none is named here either.
#[component]
pub fn LedgerView(ledger: Ledger, names: Vec<DisplayName>) -> impl IntoView {
    let by_action: Vec<(String, f32)> = sorted(&ledger.by_action).into_iter().map(|(k, v)| (action_label(Some(&k)), v)).collect();
    let by_tag: Vec<(String, f32)> = sorted(&ledger.by_tag).into_iter().map(|(k, v)| (tag_label(&k), v)).collect();
    let by_recency: Vec<(String, f32)> = ["last", "2-5", "6-20", "older"]
        .iter()
        .filter_map(|k| ledger.by_recency.get(*k).map(|v| (recency_label(k), *v)))
        .collect();
    let mut similar = ledger.similarity.clone();
    similar.sort_by(|a, b| b.cosine.partial_cmp(&a.cosine).unwrap_or(std::cmp::Ordering::Equal));
    similar.dedup_by_key(|s| s.item);
    similar.truncate(5);
    let similar_rows: Vec<(String, f32)> = similar
        .iter()
        .filter_map(|s| names.get(s.position.0).map(|n| (isolate(&n.short), s.cosine)))
        .collect();
    view! {
        <div class="wt-ledger" part="ledger">
            <h3 class="wt-sub">"Ledger"</h3>
            <div class="wt-ledger-grid">
                <Group caption="By action" rows=by_action />
                <Group caption="By tag" rows=by_tag />
                <Group caption="By recency" rows=by_recency />
                {(!similar_rows.is_empty())
                    .then(|| {
                        view! {
                            <table class="wt-table wt-ledger-table">
                                <caption>"Most alike in your history"</caption>
                                <thead>
                                    <tr>
                                        <th scope="col">"Title"</th>
                                        <th scope="col">"Similarity (cosine)"</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {similar_rows
                                        .into_iter()
                                        .map(|(t, c)| {
                                            view! {
                                                <tr>
                                                    <th scope="row">{t}</th>
                                                    <td>{format!("{c:.2}")}</td>
                                                </tr>
                                            }
                                        })
                                        .collect_view()}
                                </tbody>
                            </table>
                        }
                    })}
            </div>
        </div>
    }
}
