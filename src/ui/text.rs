//! Plain words and numbers for the panel: pure functions of the explanation document, so the same
//! inputs give the same words (and they can be tested without a DOM).

use crate::explain::{CounterfactualSet, OcclusionEntry};
use crate::model::{Catalog, ItemId, WindowEvent};

/// What the panel needs to name things: the catalog, the verb of the storefront, what is private.
#[derive(Debug, Clone, Default)]
pub struct Naming {
    /// Titles and tags.
    pub catalog: std::sync::Arc<Catalog>,
    /// Past tense of the storefront's main action ("watched", "listened to").
    pub verb: String,
    /// Items never to be named.
    pub sensitive_items: Vec<ItemId>,
    /// Tags whose items are never named.
    pub sensitive_tags: Vec<String>,
}

impl Naming {
    /// True when the item must not be named.
    pub fn is_private(&self, item: ItemId) -> bool {
        self.sensitive_items.contains(&item)
            || self.catalog.tags(item).iter().any(|t| self.sensitive_tags.iter().any(|s| s.eq_ignore_ascii_case(t)))
    }

    /// The item's title as plain text (never markup), shortened to `MAX_TITLE` characters, or a neutral
    /// phrase for a private item.
    pub fn title(&self, item: ItemId) -> String {
        if self.is_private(item) {
            return "an item you keep private".to_string();
        }
        shorten(&self.catalog.title(item), MAX_TITLE)
    }

    /// The verb, defaulting to "interacted with".
    pub fn verb(&self) -> &str {
        if self.verb.trim().is_empty() {
            "interacted with"
        } else {
            self.verb.trim()
        }
    }

    /// Titles of the window events at these positions, joined as "A, B and C".
    pub fn event_titles(&self, window: &[WindowEvent], positions: &[crate::model::Position]) -> String {
        let names: Vec<String> = positions
            .iter()
            .map(|p| match window.iter().find(|e| e.position == *p) {
                Some(e) => self.title(e.item),
                None => format!("event {}", p.0 + 1),
            })
            .collect();
        join_and(&names)
    }
}

/// The longest title shown before it is cut with an ellipsis.
pub const MAX_TITLE: usize = 80;

/// Cuts a string to `max` characters (by chars, never inside one), adding "…" when cut.
pub fn shorten(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// "A", "A and B", "A, B and C".
pub fn join_and(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {}", rest.join(", "), last),
    }
}

/// A signed number with an explicit sign and three decimals ("+0.120", "−0.034").
pub fn signed(value: f32) -> String {
    if value.abs() < 0.0005 {
        "±0.000".to_string()
    } else if value > 0.0 {
        format!("+{:.3}", value)
    } else {
        format!("−{:.3}", -value)
    }
}

/// The word that says which way an influence goes, so colour is never the only cue.
pub fn direction(value: f32) -> &'static str {
    if value.abs() < 0.0005 {
        "no effect"
    } else if value > 0.0 {
        "supports"
    } else {
        "works against"
    }
}

/// A readable action name: "rated_5" becomes "rated 5★", "add_to_library" "add to library".
pub fn action_label(action: Option<&str>) -> String {
    match action {
        None => String::new(),
        Some(a) => {
            if let Some(stars) = a.strip_prefix("rated_") {
                if let Ok(n) = stars.parse::<u8>() {
                    return format!("rated {n}★");
                }
            }
            a.replace('_', " ")
        }
    }
}

/// "If you hadn't watched A and B, Z would drop from #2 to #14 and W would take its place."
pub fn drop_out_sentence(
    naming: &Naming,
    window: &[WindowEvent],
    target: ItemId,
    rank: u32,
    top_k: usize,
    set: &CounterfactualSet,
) -> String {
    format!(
        "If you hadn't {} {}, {} would drop from #{} to #{}, out of your top {}, and {} would take its place.",
        naming.verb(),
        naming.event_titles(window, &set.positions),
        naming.title(target),
        rank,
        set.new_rank.0,
        top_k,
        naming.title(set.replaced_by),
    )
}

/// "Without A alone, Z would slip from #2 to #3 and W would move ahead of it."
pub fn displace_sentence(naming: &Naming, window: &[WindowEvent], target: ItemId, rank: u32, set: &CounterfactualSet) -> String {
    let titles = naming.event_titles(window, &set.positions);
    let lead = if set.positions.len() == 1 {
        format!("Without {titles} alone")
    } else {
        format!("Without {titles}")
    };
    if rank == 1 {
        format!("{lead}, {} would take first place from {}.", naming.title(set.replaced_by), naming.title(target))
    } else {
        format!(
            "{lead}, {} would slip from #{} to #{} and {} would move ahead of it.",
            naming.title(target),
            rank,
            set.new_rank.0,
            naming.title(set.replaced_by)
        )
    }
}

/// Said when no counterfactual set exists within the searched size.
pub fn no_drop_out_sentence(naming: &Naming, target: ItemId, top_k: usize, max_events: usize) -> String {
    format!(
        "No set of up to {max_events} past events would take {} out of your top {top_k}: it rests on your history as a whole.",
        naming.title(target)
    )
}

/// The one-line summary of an event's occlusion, e.g. "supports it (+0.120); without it: #3".
pub fn occlusion_words(entry: &OcclusionEntry) -> String {
    format!("{} it ({}); without it: #{}", direction(entry.delta), signed(entry.delta), entry.rank_without.0)
}

/// Influence as a share of the largest absolute one, in [-1, 1].
pub fn normalised(value: f32, max_abs: f32) -> f32 {
    if max_abs <= f32::EPSILON || !value.is_finite() {
        0.0
    } else {
        (value / max_abs).clamp(-1.0, 1.0)
    }
}
