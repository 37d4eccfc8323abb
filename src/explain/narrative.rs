//! The narrative (DESIGN.md §3): plain sentences built from the other explanations by fixed templates.
//! The same inputs give the same words; an item or tag the host marked sensitive is never named.

use super::document::{CounterfactualSet, Ledger, OcclusionEntry, RecentVsLongTerm, ShapleyValues};
use super::document::AttentionEntry;
use super::ledger::SENSITIVE_TAG;
use crate::model::{Catalog, ItemId, Position, Rank, Window};

/// Everything a narrative is built from, for one recommended item.
pub struct NarrativeFacts<'a> {
    /// The window explained.
    pub window: &'a Window,
    /// Titles and tags.
    pub catalog: &'a Catalog,
    /// The recommended item.
    pub item: ItemId,
    /// Its rank.
    pub rank: Rank,
    /// K of the top K.
    pub k: usize,
    /// Occlusion of every event.
    pub occlusion: &'a [OcclusionEntry],
    /// Shapley values.
    pub shapley: &'a ShapleyValues,
    /// Attention, when the model has it.
    pub attention: Option<&'a [AttentionEntry]>,
    /// The drop-out set, if found.
    pub drop_out: Option<&'a CounterfactualSet>,
    /// The displace set, if found.
    pub displace: Option<&'a CounterfactualSet>,
    /// Largest set size searched.
    pub max_events: usize,
    /// Recent against long-term.
    pub recent: &'a RecentVsLongTerm,
    /// The ledger.
    pub ledger: &'a Ledger,
    /// Tags the host marked sensitive.
    pub sensitive_tags: &'a [String],
    /// Items the host marked sensitive.
    pub sensitive_items: &'a [ItemId],
    /// The sentence saying Shapley sampling was cut short by a budget, if it was.
    pub degraded: Option<&'a str>,
}

/// The summary (at most two sentences) and the deeper dive.
pub struct Narrative {
    /// At most two plain sentences.
    pub summary: String,
    /// Which templates made the summary, e.g. "counterfactual+recent" (for audits of wording).
    pub template: String,
    /// One sentence per entry.
    pub deep_dive: Vec<String>,
}

/// The past-tense verb for an action name ("rated_5" → "rated", "play" → "played").
pub fn verb(action: Option<&str>) -> &'static str {
    let a = action.unwrap_or_default().to_ascii_lowercase();
    let starts = |p: &str| a.starts_with(p);
    if starts("rat") || starts("review") {
        "rated"
    } else if starts("play") || starts("listen") || starts("stream") {
        "played"
    } else if starts("watch") || starts("view") {
        "watched"
    } else if starts("search") {
        "searched for"
    } else if starts("add") || starts("like") || starts("save") || starts("fav") {
        "added"
    } else if starts("buy") || starts("purchase") || starts("order") {
        "bought"
    } else if starts("click") || starts("open") {
        "opened"
    } else {
        "chose"
    }
}

impl NarrativeFacts<'_> {
    fn sensitive(&self, item: ItemId) -> bool {
        self.sensitive_items.contains(&item) || self.catalog.tags(item).iter().any(|t| self.sensitive_tags.contains(t))
    }

    /// A title safe to show: sensitive items are never named.
    fn name(&self, item: ItemId) -> String {
        if self.sensitive(item) {
            "a title you chose not to name".into()
        } else {
            self.catalog.title(item)
        }
    }

    /// "rated A and B" / "rated A and played B" for a set of events.
    fn deeds(&self, positions: &[Position]) -> String {
        let mut groups: Vec<(&'static str, Vec<String>)> = Vec::new();
        for p in positions {
            let Some(event) = self.window.event(*p) else { continue };
            let verb = verb(event.action.as_deref());
            let name = self.name(event.item);
            match groups.iter_mut().find(|(v, _)| *v == verb) {
                Some((_, names)) => names.push(name),
                None => groups.push((verb, vec![name])),
            }
        }
        join(groups.into_iter().map(|(verb, names)| format!("{verb} {}", join(names.into_iter()))))
    }

    fn recently(&self, positions: &[Position]) -> &'static str {
        let n = self.window.len();
        if positions.iter().all(|p| n - p.0 <= 5) {
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
}

/// Builds the narrative of one recommendation.
pub fn narrative(f: &NarrativeFacts) -> Narrative {
    let (summary, template) = summary(f);
    Narrative { summary, template, deep_dive: deep_dive(f) }
}

fn summary(f: &NarrativeFacts) -> (String, String) {
    if f.window.is_empty() {
        return (
            "You have no history yet, so this is what the model suggests to everyone who is just starting.".into(),
            "cold_start".into(),
        );
    }
    let (first, template) = match f.displace.filter(|s| s.positions.len() <= 2) {
        Some(set) => (format!(
            "You {}{}; without {}, {} would take {}.",
            f.recently(&set.positions),
            f.deeds(&set.positions),
            if set.positions.len() == 1 { "it" } else { "them" },
            f.name(set.replaced_by),
            f.place()
        ), "counterfactual"),
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
    let n = f.window.len();
    let r = f.recent.recent_events;
    if n <= r {
        return (first, template.into());
    }
    if f.recent.without_recent > f.recent.only_recent {
        (format!("{first} Your last {r} actions count for more here than your longer-term taste."), format!("{template}+recent"))
    } else {
        (format!("{first} Your longer-term taste counts for more here than your last {r} actions."), format!("{template}+long_term"))
    }
}

fn deep_dive(f: &NarrativeFacts) -> Vec<String> {
    let mut out = Vec::new();
    let title = f.name(f.item);
    out.push(format!("{title} is #{} of your top {}.", f.rank.0, f.k));
    if f.window.is_empty() {
        return out;
    }
    for e in f.supporters(3) {
        out.push(format!(
            "Without {} it would score {:.2} lower and rank #{}.",
            f.name(e.item),
            e.delta,
            e.rank_without.0
        ));
    }
    if let Some(worst) = f.occlusion.iter().filter(|e| e.delta < 0.0).min_by(|a, b| a.delta.total_cmp(&b.delta).then(a.position.cmp(&b.position))) {
        out.push(format!(
            "{} works against it: without it, it would score {:.2} higher and rank #{}.",
            f.name(worst.item),
            -worst.delta,
            worst.rank_without.0
        ));
    }
    match f.drop_out {
        Some(set) => out.push(format!(
            "If you hadn't {}, {} would drop from #{} to #{}, out of your top {}, and {} would take its place.",
            f.deeds(&set.positions),
            title,
            f.rank.0,
            set.new_rank.0,
            f.k,
            f.name(set.replaced_by)
        )),
        None if f.rank.0 as usize <= f.k => out.push(format!(
            "We found no set of up to {} of your events whose removal would take it out of your top {}.",
            f.max_events, f.k
        )),
        None => {}
    }
    if let Some(set) = f.displace.filter(|s| Some(*s) != f.drop_out) {
        out.push(format!(
            "If you hadn't {}, {} would drop from #{} to #{} and {} would take {}.",
            f.deeds(&set.positions),
            title,
            f.rank.0,
            set.new_rank.0,
            f.name(set.replaced_by),
            f.place()
        ));
    }
    if let Some(best) = f.shapley.values.iter().max_by(|a, b| a.value.total_cmp(&b.value).then(b.position.cmp(&a.position))) {
        if best.value > 0.0 {
            if let Some(event) = f.window.event(best.position) {
                out.push(format!(
                    "Shared out fairly over all your events (Shapley values), {} contributes most: {:+.2}.",
                    f.name(event.item),
                    best.value
                ));
            }
        }
    }
    if let Some(degraded) = f.degraded {
        out.push(format!("{degraded} The Shapley figures are estimates from fewer samples than usual."));
    }
    if let Some((tag, value)) = f
        .ledger
        .by_tag
        .iter()
        .filter(|(t, v)| t.as_str() != SENSITIVE_TAG && **v > 0.0)
        .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(a.0)))
    {
        out.push(format!("Of the tags in your history, {tag} pulls hardest toward it ({value:+.2})."));
    }
    if let Some(sim) = f.ledger.similarity.iter().max_by(|a, b| a.cosine.total_cmp(&b.cosine).then(b.position.cmp(&a.position))) {
        out.push(format!("The past title most like it is {} (similarity {:.2}).", f.name(sim.item), sim.cosine));
    }
    if let Some(attention) = f.attention {
        if let Some(top) = attention.iter().max_by(|a, b| a.weight.total_cmp(&b.weight).then(b.position.cmp(&a.position))) {
            if let Some(event) = f.window.event(top.position) {
                out.push(format!(
                    "When ranking, the model looked most at {} ({:.0}% of its last-layer attention).",
                    f.name(event.item),
                    top.weight * 100.0
                ));
            }
        }
    }
    out
}

fn join(parts: impl Iterator<Item = String>) -> String {
    let parts: Vec<String> = parts.collect();
    match parts.len() {
        0 => String::new(),
        1 => parts[0].clone(),
        n => format!("{} and {}", parts[..n - 1].join(", "), parts[n - 1]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbs_cover_common_actions() {
        assert_eq!(verb(Some("rated_5")), "rated");
        assert_eq!(verb(Some("play")), "played");
        assert_eq!(verb(Some("add_to_library")), "added");
        assert_eq!(verb(Some("search")), "searched for");
        assert_eq!(verb(None), "chose");
    }

    #[test]
    fn lists_read_naturally() {
        assert_eq!(join(["a".to_string()].into_iter()), "a");
        assert_eq!(join(["a", "b", "c"].iter().map(|s| s.to_string())), "a, b and c");
    }
}
