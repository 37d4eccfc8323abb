//! The catalog (docs/contract.md §1): titles and tags of items, used to word explanations.

use super::bounded_list::{self, TOO_MANY};
use super::error::ModelError;
use super::ids::ItemId;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

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
            if entry.title.len() > MAX_TITLE_BYTES {
                return Err(ModelError::CatalogJson(format!(
                    "the title of entry {index} is {} bytes long; whythis accepts at most {MAX_TITLE_BYTES}",
                    entry.title.len()
                )));
            }
            if entry.tags.len() > MAX_TAGS {
                return Err(ModelError::CatalogJson(format!(
                    "entry {index} has {} tags; whythis accepts at most {MAX_TAGS}",
                    entry.tags.len()
                )));
            }
            if let Some(tag) = entry.tags.iter().find(|t| t.len() > MAX_TAG_BYTES) {
                return Err(ModelError::CatalogJson(format!(
                    "a tag of entry {index} is {} bytes long; whythis accepts at most {MAX_TAG_BYTES}",
                    tag.len()
                )));
            }
            if entry.id.0 == 0 || entry.id.0 > num_items {
                return Err(ModelError::CatalogJson(format!(
                    "entry {index} has id {}, but the model only knows items 1 to {num_items}",
                    entry.id
                )));
            }
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
}
