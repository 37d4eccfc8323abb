//! The narrative (docs/explanations.md §3): plain sentences built from the other explanations by fixed templates,
//! and every other sentence the document carries (the counterfactual findings, the recent-vs-long-term
//! verdict, the per-event summary, the what-if). The same inputs give the same words; items and tags
//! are named by the one naming policy (`naming`), so a sensitive one is never named.

use crate::document::{Alternative, AlternativeSource, AttentionEntry, Counterfactuals, Estimator, Ledger, OcclusionEntry, RecentVsLongTerm, ShapleyEntry, ShapleyValues, Verdict};
use crate::ledger::SENSITIVE_TAG;
use crate::naming::Naming;
use crate::options::RECENT_EVENTS;
use crate::wording::{capitalised, join, signed, tag_label, verdict, verdict_sentence};
use whythis_model::{ItemId, Position, Rank, Window};

/// Everything a narrative is built from, for one recommended item.
pub struct NarrativeFacts<'a> {
    /// The window explained (for a what-if, the window without the events left out).
    pub window: &'a Window,
    /// How to name items and tags.
    pub naming: &'a Naming<'a>,
    /// The recommended item.
    pub item: ItemId,
    /// Its rank.
    pub rank: Rank,
    /// K of the top K.
    pub k: usize,
    /// How many events a what-if left out of the window (0 = none).
    pub left_out: usize,
    /// Occlusion of every event.
    pub occlusion: &'a [OcclusionEntry],
    /// Shapley values.
    pub shapley: &'a ShapleyValues,
    /// Attention, when the model has it.
    pub attention: Option<&'a [AttentionEntry]>,
    /// The counterfactual sets found, and the search's bound.
    pub counterfactual: &'a Counterfactuals,
    /// Recent against long-term.
    pub recent: &'a RecentVsLongTerm,
    /// The ledger.
    pub ledger: &'a Ledger,
    /// The sentence saying Shapley sampling was cut short by a budget, if it was.
    pub degraded: Option<&'a str>,
    /// The recourse's alternative title, if a changed window brought one in.
    pub alternative: Option<&'a Alternative>,
}

/// Every sentence of one item's explanation.
#[derive(Debug, Clone, PartialEq)]
pub struct Narrative {
    /// At most two plain sentences.
    pub summary: String,
    /// Which templates made the summary, e.g. "counterfactual+recent" (for audits of wording).
    pub template: String,
    /// The counterfactual sets in words, or that none was found.
    pub counterfactual_sentences: Vec<String>,
    /// The recent-vs-long-term verdict both the summary and the deep dive word.
    pub verdict: Option<Verdict>,
    /// One sentence per entry.
    pub deep_dive: Vec<String>,
    /// The event each per-event method rates highest, in one sentence.
    pub per_event_summary: String,
    /// How the Shapley values were computed.
    pub shapley_note: String,
    /// The recourse steps: what weighed most, what that did, an alternative (empty for an empty window).
    pub recourse: Vec<String>,
}

impl NarrativeFacts<'_> {
    fn name(&self, item: ItemId) -> String {
        self.naming.in_text(item)
    }

    fn event_name(&self, position: Position) -> Option<String> {
        self.window.event(position).map(|e| self.name(e.item))
    }

    /// "rated A and B" / "rated A and played B" for a set of events.
    fn deeds(&self, positions: &[Position]) -> String {
        let mut groups: Vec<(String, Vec<String>)> = Vec::new();
        for p in positions {
            let Some(event) = self.window.event(*p) else { continue };
            let verb = self.naming.verb(event.action.as_deref());
            let name = self.name(event.item);
            match groups.iter_mut().find(|(v, _)| *v == verb) {
                Some((_, names)) => names.push(name),
                None => groups.push((verb, vec![name])),
            }
        }
        join(&groups.into_iter().map(|(verb, names)| format!("{verb} {}", join(&names))).collect::<Vec<_>>())
    }

    fn names(&self, positions: &[Position]) -> String {
        join(&positions.iter().filter_map(|p| self.event_name(*p)).collect::<Vec<_>>())
    }

    fn recently(&self, positions: &[Position]) -> &'static str {
        let n = self.window.len();
        if positions.iter().all(|p| n - p.0 <= RECENT_EVENTS) {
            "recently "
        } else {
            ""
        }
    }

    fn supporters(&self, how_many: usize) -> Vec<&OcclusionEntry> {
        let mut positive: Vec<&OcclusionEntry> = self.occlusion.iter().filter(|e| e.delta > 0.0).collect();
        positive.sort_by(|a, b| b.delta.total_cmp(&a.delta).then(a.position.cmp(&b.position)));
        positive.truncate(how_many);
        positive.sort_by_key(|e| e.position);
        positive
    }

    fn place(&self) -> &'static str {
        if self.rank.0 == 1 {
            "first place"
        } else {
            "this place"
        }
    }

    fn verdict(&self) -> Option<Verdict> {
        verdict(self.recent, self.window.len())
    }
}

/// Builds every sentence of one recommendation.
pub fn narrative(f: &NarrativeFacts) -> Narrative {
    let (summary, template) = summary(f);
    let counterfactual_sentences = counterfactual_sentences(f);
    Narrative {
        summary,
        template,
        recourse: recourse(f, &counterfactual_sentences),
        counterfactual_sentences,
        verdict: f.verdict(),
        deep_dive: deep_dive(f),
        per_event_summary: per_event_summary(f),
        shapley_note: shapley_note(f.shapley),
    }
}

fn summary(f: &NarrativeFacts) -> (String, String) {
    if f.window.is_empty() {
        let words = if f.left_out > 0 {
            "With every event of your history left out, this is what the model suggests to everyone who is just starting."
        } else {
            "You have no history yet, so this is what the model suggests to everyone who is just starting."
        };
        return (words.into(), "cold_start".into());
    }
    let (first, template) = match f.counterfactual.displace.as_ref().filter(|s| s.positions.len() <= 2) {
        Some(set) => (
            format!(
                "You {}{}; without {}, {} would take {}.",
                f.recently(&set.positions),
                f.deeds(&set.positions),
                if set.positions.len() == 1 { "it" } else { "them" },
                f.name(set.replaced_by),
                f.place()
            ),
            "counterfactual",
        ),
        None => {
            let top = f.supporters(2);
            if top.is_empty() {
                ("No single thing you did stands out behind this suggestion; it comes from your history as a whole.".into(), "diffuse")
            } else {
                let positions: Vec<Position> = top.iter().map(|e| e.position).collect();
                (format!("Suggested mainly because you {}{}.", f.recently(&positions), f.deeds(&positions)), "supporters")
            }
        }
    };
    match f.verdict() {
        None => (first, template.into()),
        Some(v) => {
            let suffix = match v {
                Verdict::Recent => "recent",
                Verdict::LongTerm => "long_term",
            };
            (format!("{first} {}", verdict_sentence(v, f.recent.recent_events)), format!("{template}+{suffix}"))
        }
    }
}

/// The counterfactual findings: the drop-out set, the displace set when it differs, and for each kind
/// not found, that none was found within the searched size (never that none exists).
fn counterfactual_sentences(f: &NarrativeFacts) -> Vec<String> {
    if f.window.is_empty() {
        return Vec::new();
    }
    let cf = f.counterfactual;
    let title = f.name(f.item);
    let in_top = f.rank.0 as usize <= f.k;
    let mut out = Vec::new();
    match (&cf.drop_out, &cf.displace) {
        (None, None) => out.push(format!(
            "No set of up to {} events that moves {title} from #{} {}.",
            cf.max_events,
            f.rank.0,
            searched(cf)
        )),
        (drop_out, displace) => {
            match drop_out {
                Some(set) => out.push(format!(
                    "If you hadn't {}, {title} would drop from #{} to #{}, out of your top {}, and {} would take its place.",
                    f.deeds(&set.positions),
                    f.rank.0,
                    set.new_rank.0,
                    f.k,
                    f.name(set.replaced_by)
                )),
                None if in_top => out.push(format!(
                    "No set of up to {} events that takes {title} out of your top {} {}.",
                    cf.max_events,
                    f.k,
                    searched(cf)
                )),
                None => {}
            }
            if let Some(set) = displace.as_ref().filter(|d| drop_out.as_ref().is_none_or(|o| o.positions != d.positions)) {
                let lead = if set.positions.len() == 1 {
                    format!("Without {} alone", f.names(&set.positions))
                } else {
                    format!("Without {}", f.names(&set.positions))
                };
                out.push(if f.rank.0 == 1 {
                    format!("{lead}, {} would take first place from {title}.", f.name(set.replaced_by))
                } else {
                    format!(
                        "{lead}, {title} would slip from #{} to #{} and {} would move ahead of it.",
                        f.rank.0,
                        set.new_rank.0,
                        f.name(set.replaced_by)
                    )
                });
            }
        }
    }
    out
}

fn deep_dive(f: &NarrativeFacts) -> Vec<String> {
    let mut out = Vec::new();
    let title = f.name(f.item);
    if f.left_out > 0 {
        out.push(format!(
            "Without the {} event{} left out, {title} is #{} of your top {}.",
            f.left_out,
            if f.left_out == 1 { "" } else { "s" },
            f.rank.0,
            f.k
        ));
    } else {
        out.push(format!("{} is #{} of your top {}.", capitalised(&title), f.rank.0, f.k));
    }
    if f.window.is_empty() {
        return out;
    }
    for e in f.supporters(3) {
        out.push(format!("Without {} it would score {:.2} lower and rank #{}.", f.name(e.item), e.delta, e.rank_without.0));
    }
    let worst = f
        .occlusion
        .iter()
        .filter(|e| e.delta < 0.0)
        .min_by(|a, b| a.delta.total_cmp(&b.delta).then(a.position.cmp(&b.position)));
    if let Some(worst) = worst {
        out.push(format!(
            "{} works against it: without it, it would score {:.2} higher and rank #{}.",
            capitalised(&f.name(worst.item)),
            -worst.delta,
            worst.rank_without.0
        ));
    }
    let mut by_value: Vec<&ShapleyEntry> = f.shapley.values.iter().collect();
    by_value.sort_by(|a, b| b.value.total_cmp(&a.value).then(a.position.cmp(&b.position)));
    if let Some(best) = by_value.first() {
        if let (true, Some(name)) = (best.value > 0.0, f.event_name(best.position)) {
            // An estimate ranks two events only when the difference is more than its error can explain.
            let tied = by_value.get(1).filter(|second| !f.shapley.distinguishes(best.position, second.position));
            match tied.and_then(|second| f.event_name(second.position).map(|n| (second, n))) {
                Some((second, other)) => out.push(format!(
                    "Shared out fairly over all your events (Shapley values), {name} contributes about as much as {other}: {:+.2} and {:+.2}.",
                    best.value, second.value
                )),
                None => out.push(format!(
                    "Shared out fairly over all your events (Shapley values), {name} contributes most: {:+.2}.",
                    best.value
                )),
            }
        }
    }
    if let Some(degraded) = f.degraded {
        out.push(format!("{degraded} The Shapley figures are estimates from fewer samples than usual."));
    }
    let tag = f
        .ledger
        .by_tag
        .iter()
        .filter(|(t, v)| t.as_str() != SENSITIVE_TAG && !f.naming.is_sensitive_tag(t) && **v > 0.0)
        .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(a.0)));
    if let Some((tag, value)) = tag {
        out.push(format!("Of the tags in your history, {} pulls hardest toward it ({value:+.2}).", tag_label(tag)));
    }
    if let Some(sim) = f.ledger.similarity.iter().max_by(|a, b| a.cosine.total_cmp(&b.cosine).then(b.position.cmp(&a.position))) {
        out.push(format!("The past title most like it is {} (similarity {:.2}).", f.name(sim.item), sim.cosine));
    }
    if let Some(top) = f.attention.and_then(|a| a.iter().max_by(|a, b| a.weight.total_cmp(&b.weight).then(b.position.cmp(&a.position)))) {
        if let Some(name) = f.event_name(top.position) {
            out.push(format!(
                "When ranking, the model looked most at {name} ({:.0}% of its last-layer attention).",
                top.weight * 100.0
            ));
        }
    }
    out.push(recent_sentence(f));
    out
}

/// What the recent events do, in the verdict's own words.
fn recent_sentence(f: &NarrativeFacts) -> String {
    let r = f.recent;
    let removing = signed(-r.without_recent, 2);
    match f.verdict() {
        Some(v) => format!(
            "Your last {} events: removing them changes the score by {removing}; keeping only them changes it by {}. {}",
            r.recent_events,
            signed(-r.only_recent, 2),
            verdict_sentence(v, r.recent_events)
        ),
        None if f.window.len() == 1 => {
            format!("Your one event is a recent one: removing it changes the score by {removing}; there is no longer-term history to weigh it against.")
        }
        None => format!(
            "All {} of your events are recent ones: removing them changes the score by {removing}; there is no longer-term history to weigh them against.",
            f.window.len()
        ),
    }
}

/// The recourse in three steps: the event (or two, when the estimate cannot tell them apart) that
/// weighed most, what leaving events out does (the first counterfactual finding), and the alternative.
fn recourse(f: &NarrativeFacts, counterfactual: &[String]) -> Vec<String> {
    if f.window.is_empty() {
        return Vec::new();
    }
    let mut by_value: Vec<&ShapleyEntry> = f.shapley.values.iter().filter(|e| e.value > 0.0).collect();
    by_value.sort_by(|a, b| b.value.total_cmp(&a.value).then(a.position.cmp(&b.position)));
    let weighed: Vec<Position> = match by_value.as_slice() {
        [] => f.supporters(1).iter().map(|e| e.position).collect(),
        [best] => vec![best.position],
        [best, second, ..] if !f.shapley.distinguishes(best.position, second.position) => {
            let mut two = vec![best.position, second.position];
            two.sort_unstable();
            two
        }
        [best, ..] => vec![best.position],
    };
    let first = match weighed.len() {
        0 => "What weighed most: nothing you did stands out; this pick comes from your history as a whole.".to_string(),
        1 => format!("What weighed most: you {}{}.", f.recently(&weighed), f.deeds(&weighed)),
        _ => format!("What weighed most: you {}{}, about equally.", f.recently(&weighed), f.deeds(&weighed)),
    };
    let second = counterfactual.first().map(|s| format!("What that did: {s}")).unwrap_or_default();
    vec![first, second, alternative_sentence(f)].into_iter().filter(|s| !s.is_empty()).collect()
}

/// The alternative as a counterpoint: what the visitor would see if the changed window were theirs.
fn alternative_sentence(f: &NarrativeFacts) -> String {
    let Some(alt) = f.alternative else {
        return "Something else instead: none of the changes tried (leaving out the events found above, or your recent ones) brings in a title you are not shown now.".into();
    };
    let name = f.name(alt.item);
    match alt.source {
        AlternativeSource::Counterfactual => format!(
            "Something else instead: if you hadn't {}, you would see {name} at #{}.",
            f.deeds(&alt.without),
            alt.rank.0
        ),
        AlternativeSource::LongTermOnly => {
            let older = f.window.len() - alt.without.len();
            match older_taste(f, alt) {
                Some(tag) => format!(
                    "Something else instead: if your older taste for {} counted more, you would see {name} (#{} on your {older} older events alone).",
                    tag_label(&tag),
                    alt.rank.0
                ),
                None => format!(
                    "Something else instead: if your older history counted more than your last {} events, you would see {name} (#{} on your {older} older events alone).",
                    alt.without.len(),
                    alt.rank.0
                ),
            }
        }
    }
}

/// The tag the alternative shares with the most older events (those it keeps), if one may be named:
/// none for a private alternative, whose tags would say what it is.
fn older_taste(f: &NarrativeFacts, alt: &Alternative) -> Option<String> {
    if f.naming.is_private(alt.item) {
        return None;
    }
    let catalog = f.naming.catalog();
    let mine: Vec<&String> = catalog.tags(alt.item).iter().filter(|t| !f.naming.is_sensitive_tag(t)).collect();
    let older = f.window.events().iter().filter(|e| !alt.without.contains(&e.position));
    let mut counts: Vec<(&String, usize)> = mine.iter().map(|t| (*t, 0)).collect();
    for event in older {
        let tags = catalog.tags(event.item);
        for (tag, count) in counts.iter_mut() {
            *count += usize::from(tags.contains(tag));
        }
    }
    counts.into_iter().filter(|(_, c)| *c > 0).max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0))).map(|(t, _)| t.clone())
}

/// For each per-event method, the event it rates highest.
fn per_event_summary(f: &NarrativeFacts) -> String {
    if f.window.is_empty() {
        return "There are no events to weigh.".into();
    }
    let highest = |values: &mut dyn Iterator<Item = (Position, f32)>| {
        values.max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0))).and_then(|(p, v)| f.event_name(p).map(|n| (n, v)))
    };
    let mut parts = Vec::new();
    if let Some((name, v)) = f.attention.and_then(|a| highest(&mut a.iter().map(|e| (e.position, e.weight)))) {
        parts.push(format!("attention is highest on {name} ({:.0}%)", v * 100.0));
    }
    if let Some((name, v)) = highest(&mut f.occlusion.iter().map(|e| (e.position, e.delta))) {
        parts.push(format!("occlusion is highest on {name} ({})", signed(v, 2)));
    }
    if let Some((name, v)) = highest(&mut f.shapley.values.iter().map(|e| (e.position, e.value))) {
        parts.push(format!("the Shapley value is highest on {name} ({})", signed(v, 2)));
    }
    format!("{}.", capitalised(&parts.join("; ")))
}

fn shapley_note(s: &ShapleyValues) -> String {
    match s.estimator {
        _ if s.exact => "Shapley values: exact, every subset of your events evaluated.".into(),
        // Fewer draws than a spread can be estimated from (a first pass): every value's error is its size.
        _ if s.relative_error >= 1.0 => format!(
            "Shapley values: a first estimate from {} subsets of your events (each alone and each left out), too rough yet to tell events apart.",
            s.coalitions
        ),
        Estimator::Permutation => format!(
            "Shapley values: estimated from {} sampled orders of your events (seed {}), to within about {:.0}%.",
            s.permutations,
            s.seed,
            s.relative_error * 100.0
        ),
        _ => format!(
            "Shapley values: estimated from {} subsets of your events (seed {}), to within about {:.0}%.",
            s.coalitions,
            s.seed,
            s.relative_error * 100.0
        ),
    }
}

/// What a counterfactual search that found nothing covered: a proof when it tried every set.
fn searched(cf: &Counterfactuals) -> String {
    if cf.exhaustive() {
        "exists: every such set was tried".into()
    } else {
        format!("was found among the {} sets tried", cf.search.sets_tried)
    }
}

/// The what-if in one sentence: how many events were left out, and what comes first now.
pub fn what_if_sentence(naming: &Naming, left_out: usize, full_len: usize, first: Option<ItemId>) -> String {
    let lead = if left_out == full_len {
        format!("With all {full_len} of your events left out")
    } else {
        format!("Without {left_out} of your {full_len} events")
    };
    match first {
        Some(item) => format!("{lead}, {} comes first.", naming.in_text(item)),
        None => format!("{lead}, nothing can be recommended."),
    }
}
