//! The model zoo (tests/fixtures/zoo, written by tools/zoo/zoo.py): models exported from public
//! implementations (RecBole's SASRec, GRU4Rec, BERT4Rec …) by both PyTorch exporters, with other tensor
//! names, a fixed batch, and ONNX control flow (docs/contract.md, "Control flow").
//!
//! For every card in the zoo:
//! * a card with `expect_refusal` must be refused in a sentence that names the node and the rule, and
//!   never with tract's own message;
//! * every other must load, score real windows as onnxruntime does (1e-4, identical top 10), and every
//!   occlusion and counterfactual claim of its explanations must hold when onnxruntime re-scores the
//!   windows they name.
//!
//! onnxruntime runs in Python (tools/parity/ort_scores.py), as in tests/parity.rs.

mod common;

use common::{onnxruntime_scores, real_histories, repo};
use serde::Deserialize;
use whythis::explain::{explain, ExplainOptions};
use whythis::files::{self, LoadedModel};
use whythis::model::{Candidates, ItemId, Position, Slots, Window};

/// Absolute tolerance of a score, and of an occlusion delta, against onnxruntime.
const TOL: f32 = 1e-4;
/// Real windows whose scores are compared, per model.
const PARITY_WINDOWS: usize = 30;
/// Real users whose explanations are re-scored, per model.
const EXPLAINED_USERS: usize = 4;
/// Items explained per user.
const TOP: usize = 3;

/// What a refused fixture's card says its refusal must contain.
#[derive(Deserialize)]
struct ExpectRefusal {
    node: String,
    words: Vec<String>,
}

#[derive(Deserialize)]
struct ZooCard {
    expect_refusal: Option<ExpectRefusal>,
}

/// Every card of the zoo, by path relative to the repository.
fn zoo_cards() -> Vec<String> {
    let dir = repo("tests/fixtures/zoo");
    let mut cards: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".card.json"))
        .map(|name| format!("tests/fixtures/zoo/{name}"))
        .collect();
    cards.sort();
    cards
}

fn zoo_card(card: &str) -> ZooCard {
    serde_json::from_slice(&std::fs::read(repo(card)).unwrap()).unwrap_or_else(|e| panic!("{card}: {e}"))
}

fn worst_difference(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len(), "score rows of equal length");
    // Column 0 is padding, never a candidate.
    a.iter().zip(b).skip(1).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max)
}

fn check_refusal(card: &str, expected: &ExpectRefusal) {
    let err = match files::load_model(&repo(card)) {
        Ok(_) => panic!("{card}: loaded, but its card expects a refusal naming {}", expected.node),
        Err(e) => e.to_string(),
    };
    assert!(err.contains(&format!("\"{}\"", expected.node)), "{card}: the refusal names the node {}: {err}", expected.node);
    for word in &expected.words {
        assert!(err.contains(word.as_str()), "{card}: the refusal says {word:?}: {err}");
    }
    // tract's internal messages say nothing a model author can act on.
    for internal in ["Condition failed", "Translating node", "tract could not"] {
        assert!(!err.contains(internal), "{card}: the refusal repeats tract's message ({internal}): {err}");
    }
}

fn check_scores(card: &str, model: &LoadedModel, windows: &[Window]) {
    let c = model.scorer.card();
    let slots: Vec<Slots> = windows.iter().map(Window::slots).collect();
    let ours = model.scorer.score(&slots).unwrap_or_else(|e| panic!("{card}: {e}"));
    let theirs = onnxruntime_scores(card, &slots);
    for (i, (a, b)) in ours.iter().zip(&theirs).enumerate() {
        let worst = worst_difference(a, b);
        assert!(worst <= TOL, "{card}, window {i}: scores differ from onnxruntime's by {worst}");
        let candidates = Candidates::for_window(&windows[i], c.num_items, false);
        let top_a: Vec<ItemId> = candidates.top_k(a, 10).iter().map(|r| r.item).collect();
        let top_b: Vec<ItemId> = candidates.top_k(b, 10).iter().map(|r| r.item).collect();
        assert_eq!(top_a, top_b, "{card}, window {i}: top-10 lists differ from onnxruntime's");
    }
}

/// One claim of an explanation, to be re-scored by onnxruntime.
enum Claim {
    Occlusion { item: ItemId, position: Position, delta: f32, rank_without: u32 },
    Counterfactual { item: ItemId, rank: u32, drop_out: bool, positions: Vec<Position>, new_rank: u32, replaced_by: ItemId },
}

fn check_explanations(card: &str, model: &LoadedModel, histories: &[whythis::model::History]) {
    let c = model.scorer.card();
    let options = ExplainOptions { top_k: TOP, ..ExplainOptions::default() };
    let (mut occlusions, mut counterfactuals) = (0, 0);
    for (u, history) in histories.iter().enumerate() {
        let doc = explain(&model.scorer, &model.catalog, history, &options).unwrap_or_else(|e| panic!("{card}, user {u}: {e}"));
        let window = Window::new(c, history).unwrap();
        let candidates = Candidates::for_window(&window, c.num_items, false);
        let mut claims = Vec::new();
        for rec in &doc.recommendations {
            let e = rec.explanation.as_ref().unwrap_or_else(|| panic!("{card}, user {u}: item {} unexplained", rec.item.0));
            for o in &e.occlusion {
                claims.push(Claim::Occlusion { item: rec.item, position: o.position, delta: o.delta, rank_without: o.rank_without.0 });
            }
            for (set, drop_out) in [(&e.counterfactual.drop_out, true), (&e.counterfactual.displace, false)] {
                if let Some(s) = set {
                    claims.push(Claim::Counterfactual {
                        item: rec.item,
                        rank: rec.rank.0,
                        drop_out,
                        positions: s.positions.clone(),
                        new_rank: s.new_rank.0,
                        replaced_by: s.replaced_by,
                    });
                }
            }
        }
        // The full window first, then each claim's window, in one onnxruntime call.
        let mut slots = vec![window.slots()];
        for claim in &claims {
            slots.push(match claim {
                Claim::Occlusion { position, .. } => window.slots_without(&[*position]),
                Claim::Counterfactual { positions, .. } => window.slots_without(positions),
            });
        }
        let rows = onnxruntime_scores(card, &slots);
        let full = &rows[0];
        for (claim, row) in claims.iter().zip(&rows[1..]) {
            match claim {
                Claim::Occlusion { item, position, delta, rank_without } => {
                    let theirs = full[item.column()] - row[item.column()];
                    assert!(
                        (delta - theirs).abs() <= TOL,
                        "{card}, user {u}, item {}, event {}: occlusion delta {delta} but onnxruntime says {theirs}",
                        item.0,
                        position.0
                    );
                    assert_eq!(
                        candidates.rank(row, *item).0,
                        *rank_without,
                        "{card}, user {u}, item {}, event {}: rank without the event",
                        item.0,
                        position.0
                    );
                    occlusions += 1;
                }
                Claim::Counterfactual { item, rank, drop_out, positions, new_rank, replaced_by } => {
                    let theirs = candidates.rank(row, *item).0;
                    assert_eq!(theirs, *new_rank, "{card}, user {u}, item {}: rank without {positions:?}", item.0);
                    if *drop_out {
                        assert!(theirs > TOP as u32, "{card}, user {u}, item {}: drop_out set keeps it in the top {TOP}", item.0);
                    } else {
                        assert!(theirs > *rank, "{card}, user {u}, item {}: displace set does not move it below #{rank}", item.0);
                    }
                    assert_ne!(replaced_by, item, "{card}, user {u}: an item replaces itself");
                    assert!(candidates.contains(*replaced_by), "{card}, user {u}: the replacing item is a candidate");
                    assert!(
                        candidates.rank(row, *replaced_by).0 <= *rank,
                        "{card}, user {u}, item {}: {} does not take its place without {positions:?}",
                        item.0,
                        replaced_by.0
                    );
                    counterfactuals += 1;
                }
            }
        }
    }
    assert!(occlusions >= EXPLAINED_USERS * TOP, "{card}: occlusion claims were re-scored ({occlusions})");
    eprintln!("{card}: {occlusions} occlusion and {counterfactuals} counterfactual claims hold under onnxruntime");
}

#[test]
fn every_zoo_model_loads_and_matches_onnxruntime_or_is_refused_in_a_sentence() {
    let cards = zoo_cards();
    assert!(cards.len() >= 5, "the zoo is in place: {cards:?}");
    let histories: Vec<_> = real_histories().into_iter().map(|(_, h)| h).collect();
    let (mut loaded, mut refused) = (0, 0);
    for card in &cards {
        match zoo_card(card).expect_refusal {
            Some(expected) => {
                check_refusal(card, &expected);
                refused += 1;
            }
            None => {
                let model = files::load_model(&repo(card)).unwrap_or_else(|e| panic!("{card}: {e}"));
                let windows: Vec<Window> = histories
                    .iter()
                    .take(PARITY_WINDOWS)
                    .map(|h| Window::new(model.scorer.card(), h).unwrap_or_else(|e| panic!("{card}: {e}")))
                    .collect();
                check_scores(card, &model, &windows);
                check_explanations(card, &model, &histories[..EXPLAINED_USERS]);
                loaded += 1;
            }
        }
    }
    assert!(loaded >= 3 && refused >= 2, "{loaded} zoo models loaded, {refused} refused");
}

/// Every `If` the exporter wrote (the card's `zoo.control_flow`, from tools/zoo/zoo.py) is settled at
/// load, not merely tolerated; a graph without one has nothing resolved.
#[test]
fn the_exports_ifs_are_resolved_at_load() {
    let mut with_if = 0;
    for card in zoo_cards() {
        let json: serde_json::Value = serde_json::from_slice(&std::fs::read(repo(&card)).unwrap()).unwrap();
        if json.get("expect_refusal").is_some() {
            continue;
        }
        let has_if = json["zoo"]["control_flow"].as_array().is_some_and(|ops| ops.iter().any(|op| op == "If"));
        let model = files::load_model(&repo(&card)).unwrap_or_else(|e| panic!("{card}: {e}"));
        if has_if {
            assert!(model.scorer.resolved_ifs() >= 1, "{card}: its If was not resolved");
            with_if += 1;
        } else {
            assert_eq!(model.scorer.resolved_ifs(), 0, "{card}: has no If, yet one was resolved");
        }
    }
    assert!(with_if >= 3, "the zoo holds TorchScript exports with an If ({with_if})");
}
