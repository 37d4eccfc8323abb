//! The catalog (docs/contract.md §1): titles and tags of items, used to word explanations, read whole
//! from `catalog.json` ([`Catalog`]) or, at storefront scale, asked of the host page a few ids at a
//! time ([`Lookups`], pkg/README "A large catalog: itemInfo").

use super::bounded_list::{self, TOO_MANY};
use super::error::ModelError;
use super::ids::ItemId;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// The most entries a catalog may have: the widget ships the catalog to every visitor, and a million
/// titles is already tens of megabytes.
pub const MAX_CATALOG_ENTRIES: usize = 1_000_000;
/// The largest catalog file whythis parses: 64 bytes of title and tags for each of the most entries.
pub const MAX_CATALOG_BYTES: usize = 64 * MAX_CATALOG_ENTRIES;
/// The longest title, in bytes. Long titles are shortened for display, not refused (a hostile or
/// careless catalog must still render); this bound only stops a single entry from being megabytes.
pub const MAX_TITLE_BYTES: usize = 64 * 1024;
/// The most tags of one entry.
pub const MAX_TAGS: usize = 64;
/// The longest tag, in bytes (shortened for display like titles).
pub const MAX_TAG_BYTES: usize = 64 * 1024;

/// The most ids one lookup asks the host's resolver for: an explanation names the window's items, the
/// items shown and a few counterfactual ones, so a larger ask would be a bug or a history dump.
pub const MAX_LOOKUP_IDS: usize = 100;

/// One catalog entry: `{ "id": 12, "title": "…", "tags": ["jazz", …] }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CatalogEntry {
    /// The item id, 1..=num_items.
    pub id: ItemId,
    /// The display title, shown as text, never as markup.
    pub title: String,
    /// Genre or tag names.
    #[serde(default)]
    pub tags: Vec<String>,
}

/// Checks one entry against the limits and the model's item range. The sentence names the entry by its
/// place, never by its id: a looked-up entry's id is one of the visitor's items.
fn check_entry(index: usize, entry: &CatalogEntry, num_items: u32) -> Result<(), String> {
    if entry.title.len() > MAX_TITLE_BYTES {
        return Err(format!(
            "the title of entry {index} is {} bytes long; whythis accepts at most {MAX_TITLE_BYTES}",
            entry.title.len()
        ));
    }
    if entry.tags.len() > MAX_TAGS {
        return Err(format!("entry {index} has {} tags; whythis accepts at most {MAX_TAGS}", entry.tags.len()));
    }
    if let Some(tag) = entry.tags.iter().find(|t| t.len() > MAX_TAG_BYTES) {
        return Err(format!("a tag of entry {index} is {} bytes long; whythis accepts at most {MAX_TAG_BYTES}", tag.len()));
    }
    if entry.id.0 == 0 || entry.id.0 > num_items {
        return Err(format!("entry {index} has an id the model does not know; the model only knows items 1 to {num_items}"));
    }
    Ok(())
}

/// Titles and tags by item id. Items missing from it are still ranked; they are named by id.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Catalog {
    entries: HashMap<ItemId, CatalogEntry>,
}

impl Catalog {
    /// Parses a catalog and checks that every id is one the model knows and appears once.
    pub fn from_json(bytes: &[u8], num_items: u32) -> Result<Catalog, ModelError> {
        if bytes.len() > MAX_CATALOG_BYTES {
            return Err(ModelError::TooLarge { what: "catalog", bytes: bytes.len(), max: MAX_CATALOG_BYTES });
        }
        let mut reader = serde_json::Deserializer::from_slice(bytes);
        let list: Vec<CatalogEntry> = bounded_list::deserialize(&mut reader, MAX_CATALOG_ENTRIES)
            .and_then(|list| reader.end().map(|()| list))
            .map_err(|e| {
                let message = e.to_string();
                ModelError::CatalogJson(if message.starts_with(TOO_MANY) {
                    format!("it has more than {MAX_CATALOG_ENTRIES} entries, the most whythis reads")
                } else {
                    message
                })
            })?;
        let mut entries = HashMap::with_capacity(list.len());
        for (index, entry) in list.into_iter().enumerate() {
            check_entry(index, &entry, num_items).map_err(ModelError::CatalogJson)?;
            if let Some(previous) = entries.insert(entry.id, entry) {
                return Err(ModelError::CatalogJson(format!(
                    "item {} appears twice (entry {index} repeats it)",
                    previous.id
                )));
            }
        }
        Ok(Catalog { entries })
    }

    /// The entry of an item, if the catalog has one.
    pub fn get(&self, item: ItemId) -> Option<&CatalogEntry> {
        self.entries.get(&item)
    }

    /// The item's title, or "item N" when the catalog does not name it.
    pub fn title(&self, item: ItemId) -> String {
        self.get(item).map(|e| e.title.clone()).unwrap_or_else(|| format!("item {item}"))
    }

    /// The item's tags (empty when unknown).
    pub fn tags(&self, item: ItemId) -> &[String] {
        self.get(item).map(|e| e.tags.as_slice()).unwrap_or_default()
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when the catalog names no item.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// The names the host's resolver (`el.itemInfo`) gave so far, for a model whose catalog is not
/// downloaded whole. Each id is asked once: an id the resolver left unanswered stays named by its id.
#[derive(Debug, Clone, Default)]
pub struct Lookups {
    catalog: Catalog,
    asked: HashSet<ItemId>,
    num_items: u32,
}

impl Lookups {
    /// Nothing known yet, for a model of `num_items` items.
    pub fn new(num_items: u32) -> Lookups {
        Lookups { catalog: Catalog::default(), asked: HashSet::new(), num_items }
    }

    /// The names received, as a catalog the explanations word from.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// The ids of `needed` never asked before, once each, in order, at most [`MAX_LOOKUP_IDS`] (the
    /// rest are asked in the next round).
    pub fn missing(&self, needed: impl IntoIterator<Item = ItemId>) -> Vec<ItemId> {
        let mut seen = HashSet::new();
        needed
            .into_iter()
            .filter(|id| !self.asked.contains(id) && seen.insert(*id))
            .take(MAX_LOOKUP_IDS)
            .collect()
    }

    /// Takes the resolver's answer to `asked`, all of it or none: every entry must pass the catalog's
    /// checks, answer an id that was asked, and answer it once. Ids left unanswered count as asked.
    pub fn accept(&mut self, asked: &[ItemId], answers: Vec<CatalogEntry>) -> Result<(), ModelError> {
        if asked.len() > MAX_LOOKUP_IDS || answers.len() > asked.len() {
            return Err(ModelError::Lookup(format!(
                "it has {} entries for {} ids asked; whythis asks for at most {MAX_LOOKUP_IDS} ids at a time and takes one entry per id",
                answers.len(),
                asked.len()
            )));
        }
        let asked_set: HashSet<ItemId> = asked.iter().copied().collect();
        let mut answered = HashSet::with_capacity(answers.len());
        for (index, entry) in answers.iter().enumerate() {
            check_entry(index, entry, self.num_items).map_err(ModelError::Lookup)?;
            if !asked_set.contains(&entry.id) {
                return Err(ModelError::Lookup(format!("entry {index} answers an id that was not asked")));
            }
            if !answered.insert(entry.id) {
                return Err(ModelError::Lookup(format!("entry {index} answers an id an earlier entry answered")));
            }
        }
        self.asked.extend(asked_set);
        for entry in answers {
            self.catalog.entries.insert(entry.id, entry);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_entries_and_falls_back_to_ids() {
        let c = Catalog::from_json(br#"[{"id":1,"title":"A","tags":["x"]},{"id":2,"title":"B"}]"#, 3).unwrap();
        assert_eq!(c.title(ItemId(1)), "A");
        assert_eq!(c.tags(ItemId(2)), &[] as &[String]);
        assert_eq!(c.title(ItemId(3)), "item 3");
    }

    #[test]
    fn rejects_out_of_range_duplicates_and_garbage() {
        assert!(Catalog::from_json(br#"[{"id":4,"title":"A"}]"#, 3).is_err());
        assert!(Catalog::from_json(br#"[{"id":1,"title":"A"},{"id":1,"title":"B"}]"#, 3).is_err());
        assert!(Catalog::from_json(b"[{\"id\":1,", 3).is_err());
        assert!(Catalog::from_json(br#"{"id":1}"#, 3).is_err());
        assert!(Catalog::from_json(br#"[{"id":1,"title":"A"}] trailing"#, 3).is_err());
    }

    #[test]
    fn limits_are_enforced_with_sentences() {
        let err = |json: String| Catalog::from_json(json.as_bytes(), 10).unwrap_err().to_string();
        let long_title = format!(r#"[{{"id":1,"title":"{}"}}]"#, "t".repeat(MAX_TITLE_BYTES + 1));
        assert!(err(long_title).contains("title of entry 0"));
        let many_tags = format!(r#"[{{"id":1,"title":"A","tags":[{}]}}]"#, vec![r#""x""#; MAX_TAGS + 1].join(","));
        assert!(err(many_tags).contains("tags"));
        let long_tag = format!(r#"[{{"id":1,"title":"A","tags":["{}"]}}]"#, "x".repeat(MAX_TAG_BYTES + 1));
        assert!(err(long_tag).contains("a tag of entry 0"));
        let many = format!("[{}]", vec![r#"{"id":1,"title":""}"#; MAX_CATALOG_ENTRIES + 1].join(","));
        assert!(err(many).contains(&format!("more than {MAX_CATALOG_ENTRIES} entries")));
        let huge = format!("[{}]", " ".repeat(MAX_CATALOG_BYTES));
        assert!(matches!(Catalog::from_json(huge.as_bytes(), 10), Err(ModelError::TooLarge { what: "catalog", .. })));
        // At the limits, a catalog is accepted.
        let edge = format!(r#"[{{"id":1,"title":"{}","tags":[{}]}}]"#, "t".repeat(MAX_TITLE_BYTES), vec![r#""x""#; MAX_TAGS].join(","));
        assert_eq!(Catalog::from_json(edge.as_bytes(), 10).unwrap().len(), 1);
    }

    fn entry(id: u32, title: &str) -> CatalogEntry {
        CatalogEntry { id: ItemId(id), title: title.into(), tags: vec!["x".into()] }
    }

    #[test]
    fn lookups_ask_each_id_once_and_at_most_the_limit() {
        let mut l = Lookups::new(1000);
        let needed: Vec<ItemId> = [5, 3, 5, 7].map(ItemId).to_vec();
        assert_eq!(l.missing(needed.clone()), [5, 3, 7].map(ItemId).to_vec());
        // 7 is asked but not answered: it counts as asked, and stays named by its id.
        l.accept(&[ItemId(5), ItemId(3), ItemId(7)], vec![entry(3, "C"), entry(5, "E")]).unwrap();
        assert!(l.missing(needed).is_empty());
        assert_eq!(l.catalog().title(ItemId(5)), "E");
        assert_eq!(l.catalog().tags(ItemId(3)), &["x".to_string()]);
        assert_eq!(l.catalog().title(ItemId(7)), "item 7");
        let many = l.missing((1..=1000).map(ItemId));
        assert_eq!(many.len(), MAX_LOOKUP_IDS);
        assert!(!many.contains(&ItemId(5)));
    }

    #[test]
    fn a_bad_answer_is_refused_whole_and_never_quotes_an_id() {
        let asked = [ItemId(901), ItemId(902)];
        let bad: Vec<Vec<CatalogEntry>> = vec![
            vec![entry(901, "A"), entry(903, "stranger")],
            vec![entry(901, "A"), entry(901, "again")],
            vec![entry(901, "A"), entry(2000, "out of range")],
            vec![entry(901, "A"), entry(902, &"t".repeat(MAX_TITLE_BYTES + 1))],
            vec![entry(901, "A"), entry(902, "B"), entry(902, "C")],
        ];
        for answers in bad {
            let mut l = Lookups::new(1000);
            let e = l.accept(&asked, answers).unwrap_err();
            assert!(matches!(e, ModelError::Lookup(_)));
            let text = e.to_string();
            for id in ["901", "902", "903", "2000"] {
                assert!(!text.contains(id), "{text}");
            }
            // Nothing of a refused answer is kept, and its ids may be asked again.
            assert_eq!(l.catalog().title(ItemId(901)), "item 901");
            assert_eq!(l.missing(asked), asked.to_vec());
        }
        let too_many: Vec<ItemId> = (1..=MAX_LOOKUP_IDS as u32 + 1).map(ItemId).collect();
        assert!(Lookups::new(1000).accept(&too_many, vec![]).is_err());
    }
}
