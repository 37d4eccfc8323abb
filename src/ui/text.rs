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

    /// The item's whole title (for a `title` attribute: the full text of a shortened one), or the neutral
    /// phrase for a private item.
    pub fn full_title(&self, item: ItemId) -> String {
        if self.is_private(item) {
            return self.title(item);
        }
        self.catalog.title(item).trim().to_string()
    }

    /// The title as it goes inside a sentence: shortened and bidi-isolated (see [`isolate`]).
    pub fn title_in_text(&self, item: ItemId) -> String {
        isolate(&self.title(item))
    }

    /// Rewrites text made elsewhere (the narrative and deeper dive come from the explainer, which names
    /// items with their whole catalog title): each title of `items`, and each of their tags, is shortened
    /// and bidi-isolated, so a catalog cannot blow up the panel or flip the words around its titles.
    pub fn tidy(&self, text: &str, items: &[ItemId]) -> String {
        let mut names: Vec<(String, String)> = Vec::new();
        for &item in items {
            let raw = self.catalog.title(item);
            if !raw.trim().is_empty() {
                names.push((raw.clone(), self.title(item)));
            }
            for tag in self.catalog.tags(item) {
                // Plain short ASCII tags ("Drama") cannot flip or stretch anything, and rewriting them
                // would also mark up words that merely contain them.
                if tag.chars().count() > MAX_TAG || !tag.is_ascii() {
                    names.push((tag.clone(), shorten(tag, MAX_TAG)));
                }
            }
        }
        // Longest first, through placeholders, so a title inside a longer title is not rewritten twice.
        names.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
        names.dedup_by(|a, b| a.0 == b.0);
        let mut out = text.replace(['\u{E000}', '\u{E001}'], "");
        for (i, (raw, _)) in names.iter().enumerate() {
            if out.contains(raw.as_str()) {
                out = out.replace(raw.as_str(), &format!("\u{E000}{i}\u{E001}"));
            }
        }
        for (i, (_, shown)) in names.iter().enumerate() {
            out = out.replace(&format!("\u{E000}{i}\u{E001}"), &isolate(shown));
        }
        out
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
                Some(e) => self.title_in_text(e.item),
                None => format!("event {}", p.0 + 1),
            })
            .collect();
        join_and(&names)
    }
}

/// The longest title shown before it is cut with an ellipsis.
pub const MAX_TITLE: usize = 80;
/// The longest tag shown before it is cut with an ellipsis.
pub const MAX_TAG: usize = 40;

/// Wraps catalog text in FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE (the plain-text `<bdi>`): its
/// direction is its own, and a bidi control inside it (an unclosed U+202E) ends at its end instead of
/// reversing the rest of the sentence.
pub fn isolate(text: &str) -> String {
    format!("\u{2068}{text}\u{2069}")
}

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
        naming.title_in_text(target),
        rank,
        set.new_rank.0,
        top_k,
        naming.title_in_text(set.replaced_by),
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
        format!("{lead}, {} would take first place from {}.", naming.title_in_text(set.replaced_by), naming.title_in_text(target))
    } else {
        format!(
            "{lead}, {} would slip from #{} to #{} and {} would move ahead of it.",
            naming.title_in_text(target),
            rank,
            set.new_rank.0,
            naming.title_in_text(set.replaced_by)
        )
    }
}

/// Said when no counterfactual set exists within the searched size.
pub fn no_drop_out_sentence(naming: &Naming, target: ItemId, top_k: usize, max_events: usize) -> String {
    format!(
        "No set of up to {max_events} past events would take {} out of your top {top_k}: it rests on your history as a whole.",
        naming.title_in_text(target)
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
