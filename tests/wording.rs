//! The wording layer (crates/explain/src/narrative.rs, naming.rs; crates/types/src/explain/wording.rs) over many generated explanations:
//! every template is rendered, the summary and the deep dive never contradict each other on recent vs
//! long-term, and no item or tag the host marked sensitive appears in any text, in any letter case or
//! Unicode form.

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use whythis::explain::options::Estimator;
use whythis::explain::ledger::ledger;
use whythis::explain::naming::{fold, Naming};
use whythis::explain::narrative::{narrative, what_if_sentence, NarrativeFacts};
use whythis::explain::parameters::main_parameters;
use whythis::explain::wording::{verdict_sentence, PRIVATE_TITLE};
use whythis::explain::*;
use whythis::model::{Catalog, History, ItemEmbedding, ItemId, ModelCard, Position, Rank, Window};

const NUM_ITEMS: u32 = 24;
/// Tags as a catalog may spell them: mixed case, a ligature, a sharp s, full-width letters.
const TAGS: [&str; 6] = ["Drama", "Comedy", "Film-Noir", "Straße", "ﬁction", "Ｈｏｒｒｏｒ"];

/// The host's spelling of a tag it marks sensitive: another case or Unicode form than the catalog's.
fn host_spelling(tag: &str, how: u8) -> String {
    match how % 4 {
        0 => tag.to_uppercase(),
        1 => tag.to_lowercase(),
        2 => fold(tag),
        _ => format!("  {}  ", tag.to_uppercase()),
    }
}

#[derive(Debug, Clone)]
struct Case {
    /// Per item: a random consonant word (it cannot spell a tag or a template word) and tag indices.
    titles: Vec<(String, Vec<usize>)>,
    history: Vec<(u32, u8)>,
    sensitive_items: Vec<u32>,
    sensitive_tags: Vec<(usize, u8)>,
    deltas: Vec<f32>,
    shapley: Vec<f32>,
    attention: Option<Vec<f32>>,
    drop_out: Option<(Vec<usize>, u32, u32)>,
    displace: Option<(Vec<usize>, u32, u32)>,
    rank: u32,
    k: usize,
    recent: (f32, f32),
    left_out: usize,
    verb: Option<String>,
    exact: bool,
    degraded: bool,
    with_embedding: bool,
}

fn case() -> impl Strategy<Value = Case> {
    let titles = prop::collection::vec(("[bcdfghjklmnpqrstvwxz]{3,12}", prop::collection::vec(0..TAGS.len(), 0..3)), NUM_ITEMS as usize);
    let history = prop::collection::vec((1..=NUM_ITEMS, 0u8..3), 0..12);
    (titles, history).prop_flat_map(|(titles, history)| {
        let n = history.len();
        let set = move || prop::option::of((prop::collection::btree_set(0..n.max(1), 1..4), 1u32..40, 1..=NUM_ITEMS));
        (
            Just(titles),
            Just(history),
            prop::collection::vec(1..=NUM_ITEMS, 0..4),
            prop::collection::vec((0..TAGS.len(), any::<u8>()), 0..3),
            prop::collection::vec(-1.0f32..1.0, n),
            prop::collection::vec(-1.0f32..1.0, n),
            prop::option::of(prop::collection::vec(0.0f32..1.0, n)),
            (set(), set()),
            (1u32..12, 1usize..8, (-2.0f32..2.0, -2.0f32..2.0), 0usize..3),
            (prop::option::of("(watched|listened to)"), any::<bool>(), any::<bool>(), any::<bool>(), prop::bool::weighted(0.2)),
        )
            .prop_map(
                |(titles, history, sensitive_items, sensitive_tags, deltas, shapley, attention, (drop_out, displace), (rank, k, recent, left_out), (verb, exact, degraded, with_embedding, all_against))| {
                    let set = |s: Option<(std::collections::BTreeSet<usize>, u32, u32)>| {
                        s.filter(|_| !history.is_empty()).map(|(p, r, i)| (p.into_iter().collect(), r, i))
                    };
                    Case {
                        titles,
                        drop_out: set(drop_out),
                        displace: set(displace),
                        history,
                        sensitive_items,
                        sensitive_tags,
                        // Sometimes nothing supports the item: the "diffuse" summary.
                        deltas: deltas.into_iter().map(|d| if all_against { -d.abs() } else { d }).collect(),
                        shapley,
                        attention,
                        rank,
                        k,
                        recent,
                        left_out,
                        verb,
                        exact,
                        degraded,
                        with_embedding,
                    }
                },
            )
    })
}

struct Rendered {
    summary: String,
    template: String,
    verdict: Option<Verdict>,
    texts: Vec<String>,
    recent: RecentVsLongTerm,
    window_len: usize,
}

fn render(c: &Case) -> Rendered {
    let card = ModelCard::from_json(
        format!(
            r#"{{"format":"whythis-model/1","onnx":"m.onnx","seq_len":50,"num_items":{NUM_ITEMS},
            "inputs":{{"item_ids":"item_ids","action_types":"action_types"}},"outputs":{{"scores":"scores"}},
            "actions":["pad","rated_5","play"]}}"#
        )
        .as_bytes(),
    )
    .unwrap();
    let entries: Vec<_> = c
        .titles
        .iter()
        .enumerate()
        .map(|(i, (word, tags))| {
            // «id» makes every title unique and never part of another one.
            let tags: Vec<&str> = tags.iter().map(|t| TAGS[*t]).collect();
            serde_json::json!({ "id": i + 1, "title": format!("«{}» {word}", i + 1), "tags": tags })
        })
        .collect();
    let catalog = Catalog::from_json(serde_json::Value::Array(entries).to_string().as_bytes(), NUM_ITEMS).unwrap();
    let actions = [None, Some("rated_5"), Some("play")];
    let history = History {
        events: c
            .history
            .iter()
            .map(|(item, a)| whythis::model::Event { item: i64::from(*item), action: actions[*a as usize].map(String::from), ts: None })
            .collect(),
    };
    let window = Window::new(&card, &history).unwrap();
    let n = window.len();
    let sensitive_items: Vec<ItemId> = c.sensitive_items.iter().map(|i| ItemId(*i)).collect();
    let sensitive_tags: Vec<String> = c.sensitive_tags.iter().map(|(t, how)| host_spelling(TAGS[*t], *how)).collect();
    let naming = Naming::new(&catalog, &sensitive_items, &sensitive_tags, c.verb.as_deref());
    let item = ItemId(NUM_ITEMS);
    let occlusion: Vec<OcclusionEntry> = window
        .events()
        .iter()
        .zip(&c.deltas)
        .map(|(e, d)| OcclusionEntry { position: e.position, item: e.item, delta: *d, rank_without: Rank(c.rank + 1) })
        .collect();
    let shapley = ShapleyValues {
        values: c.shapley.iter().enumerate().map(|(p, v)| ShapleyEntry { position: Position(p), value: *v, standard_error: if c.exact { 0.0 } else { v.abs() * 0.2 } }).collect(),
        permutations: if c.exact { 0 } else { 32 },
        seed: 7,
        exact: c.exact,
        estimator: if c.exact { Estimator::Exact } else { Estimator::Permutation },
        coalitions: 0,
        relative_error: if c.exact { 0.0 } else { 0.2 },
    };
    let attention: Option<Vec<AttentionEntry>> = c
        .attention
        .as_ref()
        .map(|a| a.iter().enumerate().map(|(p, w)| AttentionEntry { position: Position(p), weight: *w }).collect());
    let set = |s: &Option<(Vec<usize>, u32, u32)>| {
        s.as_ref().map(|(p, r, i)| CounterfactualSet {
            positions: p.iter().map(|p| Position(*p)).collect(),
            new_rank: Rank(c.rank + r),
            replaced_by: ItemId(*i),
        })
    };
    let counterfactual = Counterfactuals { drop_out: set(&c.drop_out), displace: set(&c.displace), max_events: 5, search: Default::default() };
    let recent = RecentVsLongTerm { recent_events: n.min(5), without_recent: c.recent.0, only_recent: c.recent.1 };
    let values: Vec<f32> = (0..=NUM_ITEMS).flat_map(|i| [1.0, i as f32 * 0.1 - 1.0]).collect();
    let embedding = c.with_embedding.then(|| ItemEmbedding::new(2, values));
    let item_ledger = ledger(&window, &occlusion, &naming, item, embedding.as_ref());
    let degraded = c.degraded.then_some("Shapley values used 16 of 64 permutations to stay within the time budget of 300 ms.");
    // An alternative from the drop-out set's window, else from the older events': any title, private or not.
    let alternative = match (&counterfactual.drop_out, n) {
        (Some(set), _) => Some((set.positions.clone(), AlternativeSource::Counterfactual)),
        (None, n) if n > 5 => Some(((n - 5..n).map(Position).collect(), AlternativeSource::LongTermOnly)),
        _ => None,
    }
    .map(|(without, source)| {
        let alt = ItemId(1 + (c.rank + c.k as u32) % NUM_ITEMS);
        Alternative { item: alt, name: naming.shown(alt), source, without, rank: Rank(c.k as u32), item_rank: Rank(c.rank + 1) }
    });
    let words = narrative(&NarrativeFacts {
        window: &window,
        naming: &naming,
        item,
        rank: Rank(c.rank),
        k: c.k,
        left_out: c.left_out,
        occlusion: &occlusion,
        shapley: &shapley,
        attention: attention.as_deref(),
        counterfactual: &counterfactual,
        recent: &recent,
        ledger: &item_ledger,
        degraded,
        alternative: alternative.as_ref(),
    });
    let mut texts = vec![words.summary.clone(), words.per_event_summary.clone(), words.shapley_note.clone()];
    texts.extend(words.recourse.iter().cloned());
    let parameters = main_parameters(&card, &naming, &window, &[&item_ledger]);
    texts.extend(parameters.uses.iter().chain(&parameters.weighs).cloned());
    texts.extend(words.counterfactual_sentences.iter().cloned());
    texts.extend(words.deep_dive.iter().cloned());
    texts.push(what_if_sentence(&naming, c.left_out.max(1), n.max(1), Some(ItemId(c.history.first().map_or(1, |h| h.0)))));
    for e in window.events() {
        let shown = naming.shown(e.item);
        texts.push(shown.short);
        texts.push(shown.full);
    }
    texts.extend(item_ledger.by_tag.keys().cloned());
    // What must never be said: each private item's title and each sensitive tag.
    let forbidden: Vec<String> = (1..=NUM_ITEMS)
        .map(ItemId)
        .filter(|i| naming.is_private(*i))
        .map(|i| catalog.title(i))
        .chain(c.sensitive_tags.iter().map(|(t, _)| TAGS[*t].to_string()))
        .collect();
    for text in &texts {
        let folded = fold(text);
        for secret in &forbidden {
            assert!(!folded.contains(&fold(secret)), "{secret:?} is named in {text:?}");
        }
    }
    Rendered { summary: words.summary, template: words.template, verdict: words.verdict, texts, recent, window_len: n }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 600, ..ProptestConfig::default() })]

    #[test]
    fn summary_and_deep_dive_agree_and_never_name_what_is_sensitive(c in case()) {
        let r = render(&c);
        let both = [verdict_sentence(Verdict::Recent, r.recent.recent_events), verdict_sentence(Verdict::LongTerm, r.recent.recent_events)];
        let said = |text: &str| both.iter().map(|v| text.contains(v.as_str())).collect::<Vec<_>>();
        let deep_recent = r.texts.iter().filter(|t| t.contains("removing them changes the score") || t.contains("removing it changes the score")).cloned().collect::<Vec<_>>();
        match r.verdict {
            Some(v) => {
                // The verdict follows the numbers: recent when removing the recent events costs more.
                prop_assert_eq!(v == Verdict::Recent, r.recent.without_recent > r.recent.only_recent);
                let expected = verdict_sentence(v, r.recent.recent_events);
                prop_assert!(r.summary.contains(&expected), "summary: {}", r.summary);
                prop_assert_eq!(said(&r.summary).iter().filter(|s| **s).count(), 1);
                prop_assert_eq!(deep_recent.len(), 1);
                prop_assert!(deep_recent[0].contains(&expected), "deep dive: {}", deep_recent[0]);
                prop_assert_eq!(said(&deep_recent[0]).iter().filter(|s| **s).count(), 1);
                let suffix = if v == Verdict::Recent { "+recent" } else { "+long_term" };
                prop_assert!(r.template.ends_with(suffix), "template {}", r.template);
            }
            None => {
                prop_assert!(r.window_len <= 5);
                prop_assert!(said(&r.summary).iter().all(|s| !s));
                prop_assert!(r.texts.iter().all(|t| said(t).iter().all(|s| !s)));
            }
        }
    }
}

#[test]
fn every_template_is_reached_by_the_generator() {
    // The property above is only as good as the templates it renders: check the generator reaches them.
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let mut templates = std::collections::BTreeSet::new();
    let mut sentences = std::collections::BTreeSet::new();
    let starts = [
        "If you hadn't", "Without ", "No set of up to", "Shared out fairly", "Of the tags", "The past title most like",
        "When ranking", "Your last", "All ", "Your one event", "Attention is highest", "Occlusion is highest",
    ];
    for _ in 0..600 {
        let c = case().new_tree(&mut runner).unwrap().current();
        let r = render(&c);
        templates.insert(r.template.clone());
        for t in &r.texts {
            for s in starts {
                if t.starts_with(s) {
                    sentences.insert(s);
                }
            }
            if t.contains(PRIVATE_TITLE) {
                sentences.insert(PRIVATE_TITLE);
            }
        }
    }
    for t in ["cold_start", "counterfactual+recent", "counterfactual+long_term", "supporters+recent", "supporters+long_term", "supporters", "diffuse+long_term"] {
        assert!(templates.contains(t), "template {t} never rendered: {templates:?}");
    }
    for s in starts.iter().chain(&[PRIVATE_TITLE]) {
        assert!(sentences.contains(s), "no sentence starting {s:?} was rendered: {sentences:?}");
    }
}

mod common;

/// The same policy end to end, on the default model and its catalog.
mod real {
    use super::common;
    use whythis::explain::naming::fold;
    use whythis::explain::{explain, ExplainOptions};
    use whythis::model::{History, ItemId};

    #[test]
    fn a_sensitive_tag_in_lower_case_hides_every_film_the_catalog_tags_in_title_case() {
        let m = common::load("models/sasrec.card.json");
        // Real histories that hold films tagged "Drama" (the catalog's spelling).
        let drama = |i: ItemId| m.catalog.tags(i).iter().any(|t| t == "Drama");
        let histories: Vec<History> = common::real_histories()
            .into_iter()
            .map(|(_, h)| h)
            .filter(|h| h.events.iter().rev().take(50).filter(|e| drama(ItemId(e.item as u32))).count() >= 3)
            .take(3)
            .collect();
        assert_eq!(histories.len(), 3);
        let options = ExplainOptions { top_k: 3, permutations: 16, sensitive_tags: vec!["drama".into()], ..ExplainOptions::default() };
        for history in &histories {
            let doc = explain(&m.scorer, &m.catalog, history, &options).unwrap();
            let titles: Vec<String> = (1..=m.scorer.card().num_items).map(ItemId).filter(|i| drama(*i)).map(|i| fold(&m.catalog.title(i))).collect();
            let mut texts: Vec<String> = Vec::new();
            for rec in &doc.recommendations {
                let e = rec.explanation.as_ref().unwrap();
                texts.push(e.narrative.clone());
                texts.extend(e.deep_dive.iter().cloned());
                texts.extend(e.counterfactual_sentences.iter().cloned());
                texts.push(e.per_event_summary.clone());
                texts.push(rec.name.full.clone());
                let recourse = e.recourse.as_ref().unwrap();
                texts.extend(recourse.steps.iter().cloned());
                texts.extend(recourse.alternative.iter().map(|a| a.name.full.clone()));
                assert!(e.ledger.by_tag.keys().all(|t| fold(t) != "drama"), "the ledger names the tag: {:?}", e.ledger.by_tag.keys());
                assert!(e.ledger.by_tag.contains_key("(sensitive)"));
            }
            texts.extend(doc.window_names.iter().map(|n| n.full.clone()));
            let parameters = doc.parameters.as_ref().unwrap();
            texts.extend(parameters.uses.iter().chain(&parameters.weighs).cloned());
            assert!(texts.iter().any(|t| t.contains("a title you keep private")), "{texts:#?}");
            for text in &texts {
                let folded = fold(text);
                assert!(!folded.contains("drama"), "{text}");
                for title in &titles {
                    assert!(!folded.contains(title.as_str()), "a Drama film is named: {text}");
                }
            }
        }
    }
}
