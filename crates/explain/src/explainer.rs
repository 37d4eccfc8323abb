//! One call that ranks a history and explains each recommendation with every method of docs/explanations.md §3,
//! sharing re-scorings between methods and items.

use crate::ablation::recent_vs_long_term;
use crate::attention;
use crate::budget::Budget;
use crate::controls::{controlled_history, controls_sentence, stated_choices};
use crate::counterfactual::{counterfactuals, Evidence, Search};
use crate::document::{Cost, ExplanationDocument, ItemExplanation, RankChange, Recommendation, Recourse, WhatIf, DOCUMENT_FORMAT};
use crate::error::ExplainError;
use crate::ledger::ledger;
use crate::naming::Naming;
use crate::narrative::{narrative, what_if_sentence, NarrativeFacts};
use crate::occlusion::occlusion;
use crate::parameters::main_parameters;
use crate::recourse::alternatives;
use crate::options::{AttentionDetail, ExplainOptions, MAX_VERB_CHARS};
use whythis_types::explain::controls::MAX_CONTROL_ENTRIES;
use crate::rescoring::Rescorer;
use crate::shapley::{shapley, ShapleyRequest};
use crate::wording::movement;
use whythis_model::{Candidates, Catalog, History, ItemId, ModelCard, ModelError, Position, Rank, Ranked, Ranking, Scorer, Window};

/// The most items one request may explain (a ranking alone may list every candidate).
pub const MAX_TOP_K: usize = 100;
/// The largest counterfactual set one request may search.
pub const MAX_COUNTERFACTUAL_EVENTS: usize = 10;
/// The largest Shapley budget one request may ask for.
pub const MAX_PERMUTATIONS: usize = 4096;
/// The largest Shapley coalition budget one request may ask for.
pub const MAX_SHAPLEY_COALITIONS: usize = 1 << 20;
/// The largest counterfactual window budget one request may ask for.
pub const MAX_COUNTERFACTUAL_WINDOWS: usize = 1 << 20;
/// The most sensitive tags, and the most sensitive items, one request may name: each is checked for
/// every event named in a narrative.
pub const MAX_SENSITIVE: usize = 10_000;

/// Ranks the history's candidates and explains the top K (or the one item asked for). With
/// `options.without`, the ranking and every explanation are of the window without those events, among
/// the full window's candidates (docs/contract.md §2), and the document says where each item ranked before.
pub fn explain(scorer: &Scorer, catalog: &Catalog, history: &History, options: &ExplainOptions) -> Result<ExplanationDocument, ExplainError> {
    explain_rewordable(scorer, catalog, history, options).map(|e| e.document)
}

/// An explanation whose sentences can be worded again from a catalog that has learned more names
/// (a looked-up catalog learns the counterfactuals' replacing items only once they are known).
#[derive(Debug, Clone)]
pub struct Rewordable {
    /// The document.
    pub document: ExplanationDocument,
    /// The sentence saying Shapley sampling was cut short, which the narratives repeat.
    shapley_degraded: Option<String>,
}

impl Rewordable {
    /// Words every explained item's sentences again with `catalog`: the numbers stay, the names are
    /// the catalog's now. `history` and `options` must be the ones the explanation was made from.
    pub fn reword(&mut self, card: &ModelCard, catalog: &Catalog, history: &History, options: &ExplainOptions) -> Result<(), ExplainError> {
        let (history, _) = controlled_history(history, catalog, &options.controls);
        let full = Window::new(card, &history)?;
        let without = left_out(&options.without, full.len())?;
        let window = full.without(&without);
        let naming = Naming::new(catalog, &options.sensitive_items, &options.sensitive_tags, options.verb.as_deref());
        for rec in &mut self.document.recommendations {
            if let Some(explanation) = rec.explanation.as_mut() {
                word(explanation, &window, &naming, rec.item, rec.rank, options.top_k, without.len(), self.shapley_degraded.as_deref());
            }
        }
        if self.document.parameters.is_some() {
            self.document.parameters = Some(parameters(card, &naming, &window, &self.document));
        }
        Ok(())
    }
}

/// Rewrites an explanation's sentences from its numbers (the narrative's templates).
#[allow(clippy::too_many_arguments)]
fn word(e: &mut ItemExplanation, window: &Window, naming: &Naming, item: ItemId, rank: Rank, k: usize, left_out: usize, degraded: Option<&str>) {
    let mut alternative = e.recourse.take().and_then(|r| r.alternative);
    if let Some(alt) = alternative.as_mut() {
        alt.name = naming.shown(alt.item);
    }
    let words = narrative(&NarrativeFacts {
        window,
        naming,
        item,
        rank,
        k,
        left_out,
        occlusion: &e.occlusion,
        shapley: &e.shapley,
        attention: e.attention.as_deref(),
        counterfactual: &e.counterfactual,
        recent: &e.recent_vs_long_term,
        ledger: &e.ledger,
        degraded,
        alternative: alternative.as_ref(),
    });
    e.narrative = words.summary;
    e.narrative_template = words.template;
    e.counterfactual_sentences = words.counterfactual_sentences;
    e.verdict = words.verdict;
    e.deep_dive = words.deep_dive;
    e.per_event_summary = words.per_event_summary;
    e.shapley_note = words.shapley_note;
    // An empty window has nothing that weighed, so no recourse.
    e.recourse = (!words.recourse.is_empty()).then_some(Recourse { steps: words.recourse, alternative });
}

/// The main parameters of a document's window, from its explained items' ledgers.
fn parameters(card: &ModelCard, naming: &Naming, window: &Window, document: &ExplanationDocument) -> crate::document::MainParameters {
    let ledgers: Vec<_> = document.recommendations.iter().filter_map(|r| r.explanation.as_ref()).map(|e| &e.ledger).collect();
    main_parameters(card, naming, window, &ledgers)
}

/// [`explain`], keeping what [`Rewordable::reword`] needs.
pub fn explain_rewordable(scorer: &Scorer, catalog: &Catalog, history: &History, options: &ExplainOptions) -> Result<Rewordable, ExplainError> {
    check(options)?;
    let budget = Budget::start(options);
    let card = scorer.card();
    let (history, mut applied) = controlled_history(history, catalog, &options.controls);
    let full = Window::new(card, &history)?;
    let without = left_out(&options.without, full.len())?;
    let window = full.without(&without);
    let naming = Naming::new(catalog, &options.sensitive_items, &options.sensitive_tags, options.verb.as_deref());
    let calls_before = scorer.usage().0;
    // The full window's candidates: an event left out does not make its own item a recommendation.
    let mut candidates = Candidates::for_window(&full, card.num_items, options.allow_seen);
    applied.items_hidden = candidates.exclude(&options.controls.not_interested);
    let Ranking { candidates, scores: base, top, attention: raw_attention } =
        Ranking::among(scorer, &window, candidates, options.top_k)?;
    // What the visitor is shown now: an alternative is a title not among these.
    let shown: Vec<ItemId> = top.iter().map(|r| r.item).collect();
    let targets: Vec<Ranked> = match options.item {
        Some(item) if !candidates.contains(item) => return Err(ModelError::NotACandidate(item).into()),
        Some(item) => vec![Ranked { item, score: base[item.column()], rank: candidates.rank(&base, item) }],
        None => top,
    };
    let mut document = ranking_document(card, &naming, &window, &targets);
    // A window with no events is not personalised whether the visitor asked or has no history yet:
    // the document says so either way, so the panel greets a newcomer with picks, not a warning.
    if !options.controls.is_empty() || full.is_empty() {
        applied.not_personalised = full.is_empty();
        applied.sentence = controls_sentence(&applied, options.controls.not_personalised);
        applied.choices = stated_choices(&options.controls, &naming);
        document.controls = Some(applied);
    }
    if !without.is_empty() {
        let with_all = scorer.score(&[full.slots()])?;
        for rec in &mut document.recommendations {
            let before = candidates.rank(&with_all[0], rec.item);
            rec.what_if = Some(RankChange { rank_with_all_events: before, movement: movement(before, rec.rank) });
        }
        document.what_if = Some(WhatIf {
            kept: (0..full.len()).map(Position).filter(|p| !without.contains(p)).collect(),
            sentence: what_if_sentence(&naming, without.len(), full.len(), targets.first().map(|r| r.item)),
            without: without.clone(),
        });
    }
    if options.rank_only {
        return Ok(Rewordable { document, shapley_degraded: None });
    }

    let items = targets.iter().map(|r| r.item).collect();
    let mut rescorer = Rescorer::within(scorer, &window, &candidates, items, options.top_k, budget);
    rescorer.count("ranking", 1);
    if !without.is_empty() {
        rescorer.count("what_if", 1);
    }
    let base_scores: Vec<f32> = targets.iter().map(|r| r.score).collect();
    // The first paint's methods run in full; the two searches share what the budget leaves, the
    // counterfactual search's share held back while Shapley runs (it wants Shapley's ordering).
    let occlusions = occlusion(&mut rescorer, &base_scores)?;
    let recents = recent_vs_long_term(&mut rescorer, &base_scores)?;
    rescorer.reserve(options.counterfactual_windows);
    let (shapleys, shapley_degraded) = shapley(&mut rescorer, &ShapleyRequest::from_options(options))?;
    rescorer.reserve(0);
    let evidence: Vec<Evidence> = targets
        .iter()
        .enumerate()
        .map(|(t, r)| Evidence { occlusion: &occlusions[t], shapley: Some(&shapleys[t]), rank: r.rank })
        .collect();
    let search = Search { max_events: options.max_events, windows: options.counterfactual_windows, catalog: Some(catalog) };
    let counterfactual_sets = counterfactuals(&mut rescorer, &evidence, &search)?;
    let mut alternatives = alternatives(&mut rescorer, &shown, &counterfactual_sets)?;
    let mut degraded: Vec<String> = shapley_degraded.iter().cloned().collect();
    if let Some(spent) = rescorer.binding_budget().filter(|_| counterfactual_sets.iter().any(|c| c.search.stopped_by_budget)) {
        degraded.push(format!("The counterfactual search stopped early {}.", spent.reason()));
    }
    let attention_shape = scorer.attention_shape();
    let last_layer = match (&raw_attention, attention_shape) {
        (Some(raw), Some(shape)) => Some(attention::last_layer(&window, raw, shape)),
        _ => None,
    };
    let layers = match (&raw_attention, attention_shape, options.attention) {
        (Some(raw), Some(shape), AttentionDetail::AllLayers) => Some(attention::all_layers(&window, raw, shape)),
        _ => None,
    };

    for (t, rec) in document.recommendations.iter_mut().enumerate() {
        let item_ledger = ledger(&window, &occlusions[t], &naming, rec.item, scorer.embedding());
        let cf = &counterfactual_sets[t];
        rec.explanation = Some(ItemExplanation {
            occlusion: occlusions[t].clone(),
            attention: last_layer.clone(),
            shapley: shapleys[t].clone(),
            counterfactual: cf.clone(),
            recent_vs_long_term: recents[t].clone(),
            ledger: item_ledger,
            narrative: String::new(),
            narrative_template: String::new(),
            counterfactual_sentences: Vec::new(),
            verdict: None,
            deep_dive: Vec::new(),
            per_event_summary: String::new(),
            shapley_note: String::new(),
            attention_layers: layers.clone(),
            recourse: Some(Recourse { steps: Vec::new(), alternative: alternatives[t].take() }),
        });
        if let Some(explanation) = rec.explanation.as_mut() {
            word(explanation, &window, &naming, rec.item, rec.rank, options.top_k, without.len(), shapley_degraded.as_deref());
        }
    }
    document.parameters = Some(parameters(card, &naming, &window, &document));
    let by_method = rescorer.windows_by_method().clone();
    document.cost = Some(Cost {
        model_calls: scorer.usage().0 - calls_before,
        windows: by_method.values().sum(),
        by_method,
        degraded,
    });
    Ok(Rewordable { document, shapley_degraded })
}

/// The document of a ranking alone: the window and each item's rank, score and names, unexplained.
pub fn ranking_document(card: &ModelCard, naming: &Naming, window: &Window, ranked: &[Ranked]) -> ExplanationDocument {
    ExplanationDocument {
        format: DOCUMENT_FORMAT.into(),
        model: card.name.clone(),
        window: window.events().to_vec(),
        window_names: window.events().iter().map(|e| naming.shown(e.item)).collect(),
        window_tags: naming.tags_shown(window.events().iter().map(|e| e.item)),
        what_if: None,
        controls: None,
        parameters: None,
        recommendations: ranked
            .iter()
            .map(|r| Recommendation {
                rank: r.rank,
                item: r.item,
                score: r.score,
                title: naming.catalog().get(r.item).map(|e| e.title.clone()),
                name: naming.shown(r.item),
                what_if: None,
                explanation: None,
            })
            .collect(),
        cost: None,
    }
}

/// The what-if's positions, ascending and once each, after checking each is an event of the window.
fn left_out(without: &[Position], window_len: usize) -> Result<Vec<Position>, ExplainError> {
    if let Some(p) = without.iter().find(|p| p.0 >= window_len) {
        let valid = match window_len {
            0 => "the window has no events, so none can be left out".to_string(),
            1 => "the window's only event is at position 0".to_string(),
            n => format!("the window's events are at positions 0 to {}", n - 1),
        };
        return Err(ExplainError::Options(format!("without: position {} is not an event of the window; {valid}", p.0)));
    }
    let mut positions = without.to_vec();
    positions.sort_unstable();
    positions.dedup();
    Ok(positions)
}

fn check(options: &ExplainOptions) -> Result<(), ExplainError> {
    let bad = |m: String| Err(ExplainError::Options(m));
    // A ranking alone may list the whole catalog; every explained item costs re-scorings.
    if options.top_k == 0 || options.top_k > MAX_TOP_K && !options.rank_only {
        return bad(format!("top_k must be between 1 and {MAX_TOP_K}, got {}", options.top_k));
    }
    if options.max_events == 0 || options.max_events > MAX_COUNTERFACTUAL_EVENTS {
        return bad(format!("max_events must be between 1 and {MAX_COUNTERFACTUAL_EVENTS}, got {}", options.max_events));
    }
    if options.permutations == 0 || options.permutations > MAX_PERMUTATIONS {
        return bad(format!("permutations must be between 1 and {MAX_PERMUTATIONS}, got {}", options.permutations));
    }
    if options.shapley_coalitions < 2 || options.shapley_coalitions > MAX_SHAPLEY_COALITIONS {
        return bad(format!("shapley_coalitions must be between 2 and {MAX_SHAPLEY_COALITIONS}, got {}", options.shapley_coalitions));
    }
    if !(0.0..1.0).contains(&options.shapley_target_error) {
        return bad(format!("shapley_target_error must be at least 0 and below 1, got {}", options.shapley_target_error));
    }
    if options.counterfactual_windows > MAX_COUNTERFACTUAL_WINDOWS {
        return bad(format!("counterfactual_windows must be at most {MAX_COUNTERFACTUAL_WINDOWS}, got {}", options.counterfactual_windows));
    }
    if options.time_budget_ms == Some(0) {
        return bad("time_budget_ms must be at least 1 when given (leave it out for no budget)".into());
    }
    if options.max_windows == Some(0) {
        return bad("max_windows must be at least 1 when given (leave it out for no budget)".into());
    }
    if options.sensitive_tags.len() > MAX_SENSITIVE || options.sensitive_items.len() > MAX_SENSITIVE {
        return bad(format!("at most {MAX_SENSITIVE} sensitive tags and {MAX_SENSITIVE} sensitive items may be given"));
    }
    let c = &options.controls;
    if [c.not_interested.len(), c.unused_events.len(), c.unused_tags.len()].iter().any(|&n| n > MAX_CONTROL_ENTRIES) {
        return bad(format!("controls: each list may hold at most {MAX_CONTROL_ENTRIES} entries"));
    }
    if c.last_events == Some(0) {
        return bad("controls: last_events must be at least 1 when given (not_personalised ranks without the history)".into());
    }
    if options.verb.as_ref().is_some_and(|v| v.chars().count() > MAX_VERB_CHARS) {
        return bad(format!("verb may be at most {MAX_VERB_CHARS} characters long"));
    }
    Ok(())
}
