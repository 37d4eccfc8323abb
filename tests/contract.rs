//! The model contract (docs/contract.md §1–3) on real files: conforming models load, every non-conforming one
//! is refused with a sentence that names the rule, and windows, candidates and ranks follow §2.

mod common;

use common::{load, real_histories, repo, SHIPPED};
use whythis::files::{self, FileError};
use whythis::model::{Candidates, History, ModelCard, ModelError, Ranking, Scorer, Violation, Window};

fn load_err(card: &str) -> ModelError {
    match files::load_model(&repo(card)) {
        Ok(_) => panic!("{card} should be refused"),
        Err(FileError::Model { source, .. }) => source,
        Err(e) => panic!("{card}: unexpected {e}"),
    }
}

fn violations(card: &str) -> Vec<Violation> {
    match load_err(card) {
        ModelError::Contract(v) => v,
        other => panic!("{card}: expected contract violations, got {other}"),
    }
}

#[test]
fn shipped_and_fixture_models_conform() {
    for card in SHIPPED.iter().chain(&["tests/fixtures/tiny.card.json", "tests/fixtures/tiny_attn.card.json"]) {
        let m = load(card);
        let c = m.scorer.card();
        let expect_attention = c.outputs.attention.is_some();
        assert_eq!(m.scorer.attention_shape().is_some(), expect_attention, "{card}");
        assert!(m.scorer.batches(), "{card}: batch should be dynamic");
    }
    let sasrec = load("models/sasrec.card.json");
    assert!(sasrec.scorer.embedding().is_some(), "the default model names its item embedding");
    assert_eq!(sasrec.catalog.len(), sasrec.scorer.card().num_items as usize);
}

#[test]
fn dynamo_export_with_value_info_loads_and_matches_the_legacy_export() {
    let legacy = load("models/sasrec.card.json");
    let dynamo = load("tests/fixtures/sasrec_dynamo.card.json");
    let (_, history) = &real_histories()[0];
    let window = Window::new(legacy.scorer.card(), history).unwrap();
    let a = legacy.scorer.score(&[window.slots()]).unwrap();
    let b = dynamo.scorer.score(&[window.slots()]).unwrap();
    let worst = a[0].iter().zip(&b[0]).map(|(x, y)| (x - y).abs()).fold(0.0f32, f32::max);
    assert!(worst < 1e-4, "dynamo and legacy exports differ by {worst}");
}

#[test]
fn truncated_and_random_bytes_are_refused_in_words() {
    for card in ["tests/fixtures/truncated.card.json", "tests/fixtures/random.card.json"] {
        let err = load_err(card);
        assert!(matches!(err, ModelError::Onnx(_) | ModelError::Contract(_)), "{card}: {err}");
        assert!(err.to_string().len() > 20, "{card}: {err}");
    }
}

#[test]
fn a_float_input_is_named_as_the_broken_rule() {
    let v = violations("tests/fixtures/bad_dtype.card.json");
    assert!(v.iter().any(|v| matches!(v, Violation::InputType { role: "item_ids", .. })), "{v:?}");
    assert!(v.iter().any(|v| v.to_string().contains("must be int64")), "{v:?}");
}

#[test]
fn a_graph_without_scores_is_refused() {
    let v = violations("tests/fixtures/no_scores.card.json");
    assert!(v.iter().any(|v| matches!(v, Violation::MissingOutput { role: "scores", .. })), "{v:?}");
    assert!(v[0].to_string().contains("logits"), "the message lists what the graph has: {}", v[0]);
}

#[test]
fn seq_len_and_num_items_must_agree_with_the_graph() {
    let v = violations("tests/fixtures/wrong_seq_len.card.json");
    assert!(v.iter().any(|v| matches!(v, Violation::SeqLenMismatch { card: 50, graph: 20, .. })), "{v:?}");
    let v = violations("tests/fixtures/wrong_num_items.card.json");
    assert!(v.iter().any(|v| matches!(v, Violation::NumItemsMismatch { card: 99, graph: 11 })), "{v:?}");
}

#[test]
fn malformed_card_and_catalog_json_are_errors() {
    assert!(matches!(ModelCard::from_json(b"{\"format\": "), Err(ModelError::CardJson(_))));
    assert!(matches!(ModelCard::from_json(b"[1,2]"), Err(ModelError::CardJson(_))));
    assert!(whythis::model::Catalog::from_json(b"[{\"id\": 1}]", 5).is_err(), "an entry needs a title");
}

#[test]
fn the_shipped_catalog_writes_titles_as_people_do() {
    // tools/train/data.py turns MovieLens's library order ("Saint, The (1997)") around; a shop shows
    // "The Saint (1997)".
    let bytes = std::fs::read("models/catalog.json").unwrap();
    let catalog = whythis::model::Catalog::from_json(&bytes, 1682).unwrap();
    assert_eq!(catalog.title(whythis::model::ItemId(748)), "The Saint (1997)");
    for id in 1..=1682 {
        let title = catalog.title(whythis::model::ItemId(id));
        let head = title.split(" (").next().unwrap();
        for article in [", The", ", A", ", An", ", La", ", Le", ", Les", ", Il"] {
            assert!(!head.ends_with(article), "item {id}: {title:?} keeps its article at the end");
        }
    }
}

#[test]
fn out_of_range_items_are_refused_with_their_index() {
    let m = load("models/sasrec.card.json");
    let n = m.scorer.card().num_items as i64;
    for bad in [0, -3, n + 1] {
        let err = Window::new(m.scorer.card(), &History::from_items([5, bad, 7])).unwrap_err();
        assert!(matches!(err, ModelError::UnknownItem { index: 1, .. }), "{bad}: {err}");
    }
}

#[test]
fn cold_start_ranks_from_an_all_padding_window() {
    let m = load("models/sasrec.card.json");
    let card = m.scorer.card();
    let window = Window::new(card, &History::default()).unwrap();
    assert!(window.slots().items.iter().all(|&i| i == 0));
    let ranking = Ranking::of(&m.scorer, &window, false, 10).unwrap();
    assert_eq!(ranking.top.len(), 10);
    assert_eq!(ranking.candidates.len(), card.num_items as usize);
}

#[test]
fn only_the_last_seq_len_events_count() {
    let m = load("models/sasrec.card.json");
    let card = m.scorer.card();
    let (_, long) = real_histories().into_iter().find(|(_, h)| h.len() > card.seq_len + 5).expect("a long history");
    let tail = History { events: long.events[long.len() - card.seq_len..].to_vec() };
    let a = Ranking::of(&m.scorer, &Window::new(card, &long).unwrap(), false, 10).unwrap();
    let b = Ranking::of(&m.scorer, &Window::new(card, &tail).unwrap(), false, 10).unwrap();
    assert_eq!(a.scores, b.scores);
    assert_eq!(a.top, b.top);
}

#[test]
fn batched_rows_equal_single_runs_and_rank_follows_the_definition() {
    let m = load("models/sasrec.card.json");
    let card = m.scorer.card();
    let windows: Vec<_> = real_histories().iter().take(20).map(|(_, h)| Window::new(card, h).unwrap()).collect();
    let slots: Vec<_> = windows.iter().map(Window::slots).collect();
    let batch = m.scorer.score(&slots).unwrap();
    for (i, s) in slots.iter().enumerate() {
        let single = m.scorer.score(std::slice::from_ref(s)).unwrap();
        let worst = single[0].iter().zip(&batch[i]).map(|(a, b)| (a - b).abs()).fold(0.0f32, f32::max);
        assert!(worst < 1e-4, "window {i}: {worst}");
        let c = Candidates::for_window(&windows[i], card.num_items, false);
        for r in c.top_k(&batch[i], 10) {
            let better = c.iter().filter(|o| *o != r.item && batch[i][o.column()] > r.score).count();
            assert_eq!(r.rank.0 as usize, better + 1);
            assert!(windows[i].events().iter().all(|e| e.item != r.item), "seen items are not candidates");
        }
    }
}

#[test]
fn a_fixed_batch_of_one_is_scored_window_by_window() {
    let card = ModelCard::from_json(&std::fs::read(repo("tests/fixtures/tiny.card.json")).unwrap()).unwrap();
    let onnx = std::fs::read(repo("tests/fixtures/tiny.onnx")).unwrap();
    let scorer = Scorer::load(card, &onnx).unwrap();
    let before = scorer.usage();
    let h = History::from_items([1, 2]);
    let w = Window::new(scorer.card(), &h).unwrap();
    scorer.score(&[w.slots(), w.slots_without(&[whythis::model::Position(0)])]).unwrap();
    let after = scorer.usage();
    assert_eq!(after.1 - before.1, 2);
    assert_eq!(after.0 - before.0, if scorer.batches() { 1 } else { 2 });
}

/// The default model's ONNX protobuf, edited by `change`, re-encoded.
fn edited_sasrec(change: impl FnOnce(&mut tract_onnx::pb::GraphProto)) -> Vec<u8> {
    use prost::Message;
    let bytes = std::fs::read(repo("models/sasrec.onnx")).unwrap();
    let mut proto = tract_onnx::pb::ModelProto::decode(&bytes[..]).unwrap();
    change(proto.graph.as_mut().unwrap());
    proto.encode_to_vec()
}

#[test]
fn inputs_are_fed_by_the_names_the_card_maps_not_by_their_order() {
    // docs/contract.md §1: the card maps roles to tensor names; the order the graph declares them in is no part
    // of the contract. The two inputs are both int64 [batch, 50], so feeding by position would swap
    // items and actions silently (or fail the load probe, as it did).
    let card = ModelCard::from_json(&std::fs::read(repo("models/sasrec.card.json")).unwrap()).unwrap();
    let swapped = edited_sasrec(|g| {
        assert_eq!(g.input.iter().map(|i| i.name.as_str()).collect::<Vec<_>>(), ["item_ids", "action_types"]);
        g.input.swap(0, 1);
    });
    let original = load("models/sasrec.card.json");
    let swapped = Scorer::load(card, &swapped).unwrap_or_else(|e| panic!("the swapped model is refused: {e}"));
    let windows: Vec<_> = real_histories()
        .iter()
        .take(8)
        .map(|(_, h)| Window::new(original.scorer.card(), h).unwrap().slots())
        .collect();
    assert_eq!(swapped.score(&windows).unwrap(), original.scorer.score(&windows).unwrap());
    let (_, a) = original.scorer.score_with_attention(&windows[0]).unwrap();
    let (_, b) = swapped.score_with_attention(&windows[0]).unwrap();
    assert_eq!(a, b);
}

#[test]
fn a_graph_input_the_card_does_not_map_is_refused_in_a_sentence() {
    let card = ModelCard::from_json(&std::fs::read(repo("models/sasrec.card.json")).unwrap()).unwrap();
    let extra = edited_sasrec(|g| {
        let mut unused = g.input[0].clone();
        unused.name = "session_length".into();
        g.input.push(unused);
    });
    let err = Scorer::load(card, &extra).unwrap_err();
    let ModelError::Contract(v) = &err else { panic!("expected a contract violation, got {err}") };
    assert!(v.iter().any(|v| matches!(v, Violation::ExtraInput { name } if name == "session_length")), "{v:?}");
    let text = err.to_string();
    assert!(text.contains("\"session_length\"") && text.contains("plays no role of the contract"), "{text}");
}
