//! The visitor's controls (docs/explanations.md, "Controls") on real MovieLens histories and both
//! shipped models: each rule against an independent construction of what it must give.

mod common;

use common::{load, real_histories, repo, SHIPPED};
use std::process::Command;
use whythis::explain::{explain, Controls, EventKey, ExplainOptions, ExplanationDocument};
use whythis::model::{History, ItemId, Ranking, Window};

fn ranked(doc: &ExplanationDocument) -> Vec<(u32, f32)> {
    doc.recommendations.iter().map(|r| (r.item.0, r.score)).collect()
}

fn rank_only(controls: Controls) -> ExplainOptions {
    ExplainOptions { rank_only: true, controls, ..ExplainOptions::default() }
}

#[test]
fn not_personalised_is_the_ranking_of_the_empty_window_and_greets_an_empty_history() {
    for card in SHIPPED {
        let m = load(card);
        let (_, history) = &real_histories()[0];
        let doc = explain(&m.scorer, &m.catalog, history, &rank_only(Controls { not_personalised: true, ..Controls::default() })).unwrap();
        // Built independently: the model's own ranking of a window with no events, every item a candidate.
        let empty = Window::new(m.scorer.card(), &History::default()).unwrap();
        let direct = Ranking::of(&m.scorer, &empty, false, 10).unwrap();
        let expected: Vec<(u32, f32)> = direct.top.iter().map(|r| (r.item.0, r.score)).collect();
        assert_eq!(ranked(&doc), expected, "{card}");
        assert!(doc.window.is_empty());
        let applied = doc.controls.as_ref().unwrap();
        assert!(applied.not_personalised && applied.events_left_out == history.len());
        assert!(applied.sentence.contains("not based on your history"), "{}", applied.sentence);
        // A visitor with no history yet gets the same picks, without any control.
        let fresh = explain(&m.scorer, &m.catalog, &History::default(), &rank_only(Controls::default())).unwrap();
        assert_eq!(ranked(&fresh), expected, "{card}");
        let greeting = fresh.controls.unwrap();
        assert!(greeting.not_personalised && greeting.sentence.contains("no history here yet"), "{}", greeting.sentence);
        // And they are explained without failing (a narrative for a visitor with no history).
        let explained = explain(&m.scorer, &m.catalog, &History::default(), &ExplainOptions { top_k: 3, ..ExplainOptions::default() }).unwrap();
        assert!(explained.recommendations.iter().all(|r| r.explanation.as_ref().is_some_and(|e| !e.narrative.is_empty())));
    }
}

#[test]
fn an_item_marked_not_interested_is_never_recommended_and_the_rest_move_up() {
    let m = load("models/sasrec.card.json");
    for (_, history) in real_histories().iter().take(5) {
        let before = explain(&m.scorer, &m.catalog, history, &rank_only(Controls::default())).unwrap();
        let hidden: Vec<ItemId> = vec![before.recommendations[0].item, before.recommendations[3].item];
        let after = explain(&m.scorer, &m.catalog, history, &rank_only(Controls { not_interested: hidden.clone(), ..Controls::default() })).unwrap();
        assert!(after.recommendations.iter().all(|r| !hidden.contains(&r.item)));
        let kept: Vec<u32> = before.recommendations.iter().map(|r| r.item.0).filter(|i| !hidden.iter().any(|h| h.0 == *i)).collect();
        let now: Vec<u32> = after.recommendations.iter().map(|r| r.item.0).collect();
        assert_eq!(&now[..kept.len()], &kept[..], "the others keep their order, moved up");
        assert_eq!(after.recommendations[0].rank.0, 1);
        let applied = after.controls.as_ref().unwrap();
        assert_eq!(applied.items_hidden, 2);
        assert!(applied.sentence.contains("2 titles you are not interested in are never shown"), "{}", applied.sentence);
    }
    // An item of the window is no candidate anyway: it is not counted as hidden.
    let (_, history) = &real_histories()[0];
    let seen = ItemId(history.events.last().unwrap().item as u32);
    let doc = explain(&m.scorer, &m.catalog, history, &rank_only(Controls { not_interested: vec![seen], ..Controls::default() })).unwrap();
    assert_eq!(doc.controls.unwrap().items_hidden, 0);
}

/// The document of `history` with these events removed by hand, for comparison with a control.
fn by_hand(m: &whythis::files::LoadedModel, history: &History, keep: impl Fn(usize, &whythis::model::Event) -> bool, options: &ExplainOptions) -> ExplanationDocument {
    let events = history.events.iter().enumerate().filter(|(i, e)| keep(*i, e)).map(|(_, e)| e.clone()).collect();
    explain(&m.scorer, &m.catalog, &History { events }, &ExplainOptions { controls: Controls::default(), ..options.clone() }).unwrap()
}

#[test]
fn each_history_control_explains_the_history_without_those_events() {
    let m = load("models/gru4rec.card.json");
    let (_, history) = &real_histories()[1];
    let options = ExplainOptions { top_k: 3, shapley_coalitions: 64, ..ExplainOptions::default() };
    let n = history.len();
    let last = &history.events[n - 1];
    let third = &history.events[n - 3];
    let tag = m.catalog.tags(ItemId(last.item as u32))[0].clone();
    let has_tag = |e: &whythis::model::Event| m.catalog.tags(ItemId(e.item as u32)).contains(&tag);
    let mut times: Vec<i64> = history.events.iter().filter_map(|e| e.ts).collect();
    times.sort();
    let median = times[times.len() / 2];
    let cases: Vec<(Controls, Box<dyn Fn(usize, &whythis::model::Event) -> bool>, &str)> = vec![
        (
            Controls { unused_events: vec![EventKey { item: ItemId(third.item as u32), ts: third.ts }], ..Controls::default() },
            Box::new(|_, e: &whythis::model::Event| !(e.item == third.item && e.ts == third.ts)),
            "1 you marked",
        ),
        // Case and width do not matter to a tag (the naming policy's folding).
        (Controls { unused_tags: vec![tag.to_uppercase()], ..Controls::default() }, Box::new(move |_, e| !has_tag(e)), "by a kind you turned off"),
        (Controls { unused_before: Some(median), ..Controls::default() }, Box::new(move |_, e| e.ts.is_none_or(|t| t >= median)), "older than the date"),
        (Controls { last_events: Some(7), ..Controls::default() }, Box::new(move |i, _| i >= n - 7), "beyond the recent events"),
    ];
    for (controls, keep, words) in cases {
        let doc = explain(&m.scorer, &m.catalog, history, &ExplainOptions { controls: controls.clone(), ..options.clone() }).unwrap();
        let expected = by_hand(&m, history, keep, &options);
        let applied = doc.controls.clone().unwrap();
        assert!(applied.events_left_out > 0, "{controls:?} leaves something out");
        assert!(applied.sentence.contains(words) && applied.sentence.contains("not used, as you asked"), "{}", applied.sentence);
        let mut without_controls = doc.clone();
        without_controls.controls = None;
        assert_eq!(without_controls, expected, "{controls:?}: the same document as the history without those events");
    }
}

#[test]
fn the_what_if_is_of_the_controlled_window() {
    let m = load("models/sasrec.card.json");
    let (_, history) = &real_histories()[2];
    let controls = Controls { last_events: Some(6), ..Controls::default() };
    let options = ExplainOptions { rank_only: true, without: vec![whythis::model::Position(5)], controls, ..ExplainOptions::default() };
    let doc = explain(&m.scorer, &m.catalog, history, &options).unwrap();
    assert_eq!(doc.window.len(), 5);
    let what_if = doc.what_if.unwrap();
    assert_eq!(what_if.kept.len(), 5);
    // Position 6 does not exist once only the last 6 events are used.
    let bad = ExplainOptions { without: vec![whythis::model::Position(6)], ..options };
    let err = explain(&m.scorer, &m.catalog, history, &bad).unwrap_err().to_string();
    assert!(err.contains("positions 0 to 5"), "{err}");
}

#[test]
fn impossible_controls_are_refused_in_a_sentence() {
    let m = load("models/sasrec.card.json");
    let (_, history) = &real_histories()[0];
    let zero = rank_only(Controls { last_events: Some(0), ..Controls::default() });
    let err = explain(&m.scorer, &m.catalog, history, &zero).unwrap_err().to_string();
    assert!(err.contains("last_events must be at least 1"), "{err}");
    let huge = rank_only(Controls { not_interested: vec![ItemId(1); 10_001], ..Controls::default() });
    assert!(explain(&m.scorer, &m.catalog, history, &huge).unwrap_err().to_string().contains("at most 10000"));
    // Everything hidden: nothing left to recommend, said as such.
    let all: Vec<ItemId> = (1..=m.scorer.card().num_items).map(ItemId).collect();
    let none = rank_only(Controls { not_interested: all, ..Controls::default() });
    assert!(explain(&m.scorer, &m.catalog, history, &none).is_err());
    assert!(serde_json::from_str::<Controls>(r#"{"not_intrested": [5]}"#).unwrap_err().to_string().contains("unknown field"));
}

#[test]
fn the_cli_reads_controls_and_says_what_they_did() {
    let dir = std::env::temp_dir().join(format!("whythis-controls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let controls = dir.join("controls.json");
    std::fs::write(&controls, r#"{"not_interested": [50], "last_events": 2}"#).unwrap();
    let run = |args: &[&str]| Command::new(env!("CARGO_BIN_EXE_whythis")).args(args).current_dir(repo("")).output().unwrap();
    let o = run(&["recommend", "--model", "models/sasrec.card.json", "--history", "64,199,96,181", "--controls", controls.to_str().unwrap()]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(out.contains("2 events of your history are not used"), "{out}");
    assert!(out.contains("(2 in the model's window"), "{out}");
    let o = run(&["explain", "--model", "models/sasrec.card.json", "--history", "64,199,96", "--top-k", "2", "--controls", controls.to_str().unwrap(), "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["controls"]["by_recency"], 1);
    assert_eq!(doc["controls"]["choices"][1]["sentence"], "Only your 2 most recent events are used.");
    let o = run(&["explain", "--model", "models/sasrec.card.json", "--history", "64,199,96", "--top-k", "1", "--controls", controls.to_str().unwrap()]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("Your choices:\n  - Not interested in ") && out.contains("  - Only your 2 most recent events are used.\n"), "{out}");
    std::fs::write(&controls, r#"{"not_interested": ["my secret"]}"#).unwrap();
    let o = run(&["recommend", "--model", "models/sasrec.card.json", "--history", "64", "--controls", controls.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1));
    assert!(err.contains("not the controls' JSON") && !err.contains("secret"), "{err}");
}

#[test]
fn each_choice_is_worded_alone_by_the_naming_policy_and_taken_back_alone() {
    let m = load("models/sasrec.card.json");
    let (_, history) = &real_histories()[0];
    let last = history.events.last().unwrap();
    let event = EventKey { item: ItemId(last.item as u32), ts: last.ts };
    let plain = explain(&m.scorer, &m.catalog, history, &rank_only(Controls::default())).unwrap();
    let not_horror = |i: &ItemId| !m.catalog.tags(*i).iter().any(|t| t.eq_ignore_ascii_case("horror"));
    let mut untouched = plain.recommendations.iter().map(|r| r.item).filter(not_horror);
    let (shown, private) = (untouched.next().unwrap(), untouched.next().unwrap());
    let tag = m.catalog.tags(shown).first().cloned().expect("a tagged title");
    let controls = Controls {
        not_interested: vec![shown, private],
        unused_events: vec![event],
        unused_tags: vec![tag.clone(), "Horror".into()],
        unused_before: Some(881_250_949),
        last_events: Some(30),
        not_personalised: false,
    };
    let options = ExplainOptions { rank_only: true, controls: controls.clone(), sensitive_items: vec![private], sensitive_tags: vec!["horror".into()], ..ExplainOptions::default() };
    let doc = explain(&m.scorer, &m.catalog, history, &options).unwrap();
    let choices = doc.controls.as_ref().unwrap().choices.clone();
    let sentences: Vec<&str> = choices.iter().map(|c| c.sentence.as_str()).collect();
    assert_eq!(choices.iter().map(|c| c.decides.clone()).collect::<Vec<_>>(), controls.each());
    assert!(sentences[0].starts_with("Not interested in \u{2068}") && sentences[0].contains(m.catalog.title(shown).trim()), "{sentences:?}");
    assert_eq!(sentences[1], "Not interested in a title you keep private: never recommended.");
    assert!(sentences[2].contains(m.catalog.title(event.item).trim()) && sentences[2].contains(" on 19") && sentences[2].ends_with(": not used."), "{sentences:?}");
    assert!(sentences[3].contains(&tag), "{sentences:?}");
    assert_eq!(sentences[4], "Events of a kind you keep private: not used.", "a sensitive tag is never named");
    assert_eq!(sentences[5], "Events before 1997-12-04: not used.");
    assert_eq!(sentences[6], "Only your 30 most recent events are used.");
    assert!(!sentences.join(" ").to_lowercase().contains("horror"));
    // Taking one back is the ranking with the others alone, built by hand.
    let taken_back = explain(&m.scorer, &m.catalog, history, &ExplainOptions { controls: controls.without(&choices[0].decides), ..options.clone() }).unwrap();
    let by_hand = Controls { not_interested: vec![private], ..controls.clone() };
    assert_eq!(taken_back, explain(&m.scorer, &m.catalog, history, &ExplainOptions { controls: by_hand, ..options.clone() }).unwrap());
    assert_eq!(taken_back.controls.unwrap().choices.len(), choices.len() - 1);
    // No decision, no list.
    assert!(explain(&m.scorer, &m.catalog, &History::default(), &rank_only(Controls::default())).unwrap().controls.unwrap().choices.is_empty());
}
