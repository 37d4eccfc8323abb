//! The one naming policy (docs/explanations.md, "Naming"): which items are private, and how whythis
//! names an item or a tag anywhere it speaks. A host marks items and tags sensitive; an item is private
//! when it is marked, or when any of its tags matches a sensitive tag. Tags are matched NFKC-normalised
//! and case-folded, so `drama` covers `Drama`, `DRAMA` and `ｄｒａｍａ`: a looser match than the host
//! typed can only hide more, never name more.

use crate::document::DisplayName;
use crate::wording::{isolate, shorten, MAX_TITLE, PRIVATE_TITLE};
use whythis_model::{Catalog, ItemId};
use std::collections::HashSet;
use unicode_normalization::UnicodeNormalization;

/// Text folded for matching: NFKC, then case-folded. Rust has no full case folding; lower-casing the
/// upper-cased text gives it for the letters that matter here (`ß` and `SS` both become `ss`, `ﬁ` `fi`),
/// and a last NFKC composes what case mapping decomposed (`İ`).
pub fn fold(text: &str) -> String {
    let compatible: String = text.trim().nfkc().collect();
    compatible.to_uppercase().to_lowercase().nfkc().collect()
}

/// How to name things for one request: the catalog and what the host marked sensitive.
#[derive(Debug, Clone)]
pub struct Naming<'a> {
    catalog: &'a Catalog,
    sensitive_items: HashSet<ItemId>,
    sensitive_tags: HashSet<String>,
    verb: Option<String>,
}

impl<'a> Naming<'a> {
    /// The policy for a catalog, the host's sensitive items and tags, and its verb (see
    /// `ExplainOptions::verb`; blank = none).
    pub fn new(catalog: &'a Catalog, sensitive_items: &[ItemId], sensitive_tags: &[String], verb: Option<&str>) -> Naming<'a> {
        Naming {
            catalog,
            sensitive_items: sensitive_items.iter().copied().collect(),
            sensitive_tags: sensitive_tags.iter().map(|t| fold(t)).filter(|t| !t.is_empty()).collect(),
            verb: verb.map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned),
        }
    }

    /// The catalog names come from.
    pub fn catalog(&self) -> &'a Catalog {
        self.catalog
    }

    /// True when the tag matches one the host marked sensitive.
    pub fn is_sensitive_tag(&self, tag: &str) -> bool {
        !self.sensitive_tags.is_empty() && self.sensitive_tags.contains(&fold(tag))
    }

    /// The tags of these items that may be shown (not sensitive), each once (by folded form), ascending.
    pub fn tags_shown(&self, items: impl IntoIterator<Item = ItemId>) -> Vec<String> {
        let mut seen = HashSet::new();
        let mut tags: Vec<String> = Vec::new();
        for item in items {
            for tag in self.catalog.tags(item) {
                if !self.is_sensitive_tag(tag) && seen.insert(fold(tag)) {
                    tags.push(tag.clone());
                }
            }
        }
        tags.sort();
        tags
    }

    /// True when the item must never be named: marked itself, or carrying a sensitive tag.
    pub fn is_private(&self, item: ItemId) -> bool {
        self.sensitive_items.contains(&item) || self.catalog.tags(item).iter().any(|t| self.is_sensitive_tag(t))
    }

    /// The item as a sentence names it: its title shortened and bidi-isolated, or the private phrase.
    pub fn in_text(&self, item: ItemId) -> String {
        if self.is_private(item) {
            PRIVATE_TITLE.to_string()
        } else {
            isolate(&shorten(&self.catalog.title(item), MAX_TITLE))
        }
    }

    /// The item as a list or table shows it (set in a `<bdi>` there, so not isolated here).
    pub fn shown(&self, item: ItemId) -> DisplayName {
        if self.is_private(item) {
            return DisplayName { short: PRIVATE_TITLE.to_string(), full: PRIVATE_TITLE.to_string() };
        }
        let title = self.catalog.title(item);
        DisplayName { short: shorten(&title, MAX_TITLE), full: title.trim().to_string() }
    }

    /// The verb for an event: the host's, or one read from the event's action.
    pub fn verb(&self, action: Option<&str>) -> String {
        self.verb.clone().unwrap_or_else(|| verb_of_action(action).to_string())
    }
}

/// The past-tense verb for an action name ("rated_5" → "rated", "play" → "played").
pub fn verb_of_action(action: Option<&str>) -> &'static str {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> Catalog {
        let json = r#"[{"id":1,"title":"Heat","tags":["Drama"]},{"id":2,"title":"Toy Story","tags":["Animation"]},
            {"id":3,"title":"Strasse","tags":["STRASSE"]},{"id":4,"title":"Film","tags":["ﬁlm noir"]}]"#;
        Catalog::from_json(json.as_bytes(), 9).unwrap()
    }

    #[test]
    fn sensitive_tags_match_whatever_the_case_and_the_unicode_form() {
        let c = catalog();
        for tag in ["drama", "DRAMA", " Drama ", "ｄｒａｍａ"] {
            let n = Naming::new(&c, &[], &[tag.to_string()], None);
            assert!(n.is_private(ItemId(1)), "{tag}");
            assert!(!n.is_private(ItemId(2)), "{tag}");
            assert_eq!(n.in_text(ItemId(1)), PRIVATE_TITLE);
            assert_eq!(n.shown(ItemId(1)).full, PRIVATE_TITLE);
        }
        assert!(Naming::new(&c, &[], &["straße".into()], None).is_private(ItemId(3)));
        assert!(Naming::new(&c, &[], &["FILM NOIR".into()], None).is_private(ItemId(4)));
        assert!(!Naming::new(&c, &[], &["".into(), "dram".into()], None).is_private(ItemId(1)));
    }

    #[test]
    fn marked_items_are_private_and_others_are_named_isolated() {
        let c = catalog();
        let n = Naming::new(&c, &[ItemId(2)], &[], None);
        assert!(n.is_private(ItemId(2)) && !n.is_private(ItemId(1)));
        assert_eq!(n.in_text(ItemId(1)), "\u{2068}Heat\u{2069}");
        assert_eq!(n.shown(ItemId(1)), DisplayName { short: "Heat".into(), full: "Heat".into() });
    }

    #[test]
    fn the_hosts_verb_replaces_the_actions() {
        let c = catalog();
        assert_eq!(Naming::new(&c, &[], &[], Some(" watched ")).verb(Some("rated_5")), "watched");
        assert_eq!(Naming::new(&c, &[], &[], Some(" ")).verb(Some("rated_5")), "rated");
        assert_eq!(verb_of_action(Some("add_to_library")), "added");
        assert_eq!(verb_of_action(Some("search")), "searched for");
        assert_eq!(verb_of_action(None), "chose");
    }
}
