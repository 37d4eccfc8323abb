//! What a visitor decided in the panel (docs/explanations.md, "Controls"): kept on their device by the
//! widget, handed to every later ranking and explanation as `ExplainOptions::controls`, and applied
//! by the core alone, so the widget, the JS API and the CLI rank alike.
//!
//! Events are named by item and time, not by position: a position shifts as the history grows, and a
//! decision must outlive the visit it was made in.

use crate::model::ItemId;
use serde::{Deserialize, Serialize};

/// The most entries each list of [`Controls`] may hold: a visitor's decisions, not a catalog.
pub const MAX_CONTROL_ENTRIES: usize = 10_000;

/// One history event as a control names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventKey {
    /// The event's item.
    pub item: ItemId,
    /// Its time (seconds since the epoch); none matches every event of the item that has no time.
    #[serde(default)]
    pub ts: Option<i64>,
}

/// The visitor's standing decisions. The default decides nothing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Controls {
    /// "Not interested": items never recommended again.
    pub not_interested: Vec<ItemId>,
    /// "Don't use this": events left out of the history.
    pub unused_events: Vec<EventKey>,
    /// Every event of an item with one of these tags is left out (matched like sensitive tags:
    /// NFKC-normalised, case-folded).
    pub unused_tags: Vec<String>,
    /// Events before this time (seconds since the epoch) are left out; events with no time are kept,
    /// as nothing says they are older.
    pub unused_before: Option<i64>,
    /// Use only the last N events (after the other rules).
    pub last_events: Option<usize>,
    /// "Show picks not based on my history": rank the empty window, as for a visitor with no history.
    pub not_personalised: bool,
}

impl Controls {
    /// The fields as serde names them: what a JS object of controls may hold (serde-wasm-bindgen reads
    /// only the fields it knows, so `deny_unknown_fields` cannot catch a misspelt one there).
    pub const FIELDS: [&'static str; 6] =
        ["not_interested", "unused_events", "unused_tags", "unused_before", "last_events", "not_personalised"];

    /// True when nothing is decided.
    pub fn is_empty(&self) -> bool {
        *self == Controls::default()
    }

    /// Each decision on its own, as controls that decide only it, in field order (the panel lists
    /// them, each to be taken back alone).
    pub fn each(&self) -> Vec<Controls> {
        let none = Controls::default;
        let mut out = Vec::new();
        out.extend(self.not_interested.iter().map(|&i| Controls { not_interested: vec![i], ..none() }));
        out.extend(self.unused_events.iter().map(|&e| Controls { unused_events: vec![e], ..none() }));
        out.extend(self.unused_tags.iter().map(|t| Controls { unused_tags: vec![t.clone()], ..none() }));
        out.extend(self.unused_before.map(|b| Controls { unused_before: Some(b), ..none() }));
        out.extend(self.last_events.map(|n| Controls { last_events: Some(n), ..none() }));
        if self.not_personalised {
            out.push(Controls { not_personalised: true, ..none() });
        }
        out
    }

    /// These controls without the decisions `part` makes (one of [`Controls::each`], say); the others
    /// stay as they are.
    pub fn without(&self, part: &Controls) -> Controls {
        Controls {
            not_interested: self.not_interested.iter().copied().filter(|i| !part.not_interested.contains(i)).collect(),
            unused_events: self.unused_events.iter().copied().filter(|e| !part.unused_events.contains(e)).collect(),
            unused_tags: self.unused_tags.iter().filter(|t| !part.unused_tags.contains(t)).cloned().collect(),
            unused_before: self.unused_before.filter(|_| part.unused_before.is_none()),
            last_events: self.last_events.filter(|_| part.last_events.is_none()),
            not_personalised: self.not_personalised && !part.not_personalised,
        }
    }
}

/// One decision of the visitor's, in words, for the panel's list of choices and the CLI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatedChoice {
    /// Controls that decide only this (give it to [`Controls::without`] to take it back).
    pub decides: Controls,
    /// The decision in words ("Not interested in Heat (1995)"), by the naming policy.
    pub sentence: String,
}

/// What the controls did to one request, for the document and the panel's sentence.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ControlsApplied {
    /// Events of the history the visitor's controls left out, all rules together.
    pub events_left_out: usize,
    /// Of which by "Don't use this" on the event.
    pub by_event: usize,
    /// Of which by a tag.
    pub by_tag: usize,
    /// Of which by being older than the date.
    pub by_date: usize,
    /// Of which by the recency control.
    pub by_recency: usize,
    /// "Not interested" items that would otherwise have been candidates.
    pub items_hidden: usize,
    /// True when the ranking is not based on the history.
    pub not_personalised: bool,
    /// One plain sentence saying all of it (empty when the controls changed nothing).
    pub sentence: String,
    /// Every decision, one by one, in words (empty when none was made).
    #[serde(default)]
    pub choices: Vec<StatedChoice>,
}

#[cfg(test)]
mod tests {
    use super::{Controls, EventKey};
    use crate::model::ItemId;

    #[test]
    fn each_decision_taken_back_alone_leaves_the_others() {
        let all = Controls {
            not_interested: vec![ItemId(3), ItemId(9)],
            unused_events: vec![EventKey { item: ItemId(5), ts: Some(10) }],
            unused_tags: vec!["Drama".into()],
            unused_before: Some(100),
            last_events: Some(4),
            not_personalised: true,
        };
        let each = all.each();
        assert_eq!(each.len(), 7);
        for (i, one) in each.iter().enumerate() {
            let rest = all.without(one);
            assert_ne!(rest, all, "taking back #{i} changes something");
            // What is left is exactly the other decisions.
            let others: Vec<Controls> = each.iter().enumerate().filter(|&(j, _)| j != i).map(|(_, c)| c.clone()).collect();
            assert_eq!(rest.each(), others, "#{i}");
        }
        assert!(each.iter().fold(all.clone(), |c, one| c.without(one)).is_empty());
        assert!(Controls::default().each().is_empty());
    }

    #[test]
    fn fields_are_the_names_serde_writes() {
        let written = serde_json::to_value(Controls::default()).unwrap();
        let mut names: Vec<&str> = written.as_object().unwrap().keys().map(String::as_str).collect();
        let mut fields = Controls::FIELDS.to_vec();
        names.sort();
        fields.sort();
        assert_eq!(names, fields);
        assert!(serde_json::from_str::<Controls>(r#"{"not_intrested": [5]}"#).is_err());
    }
}
