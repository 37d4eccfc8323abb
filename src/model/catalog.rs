//! The catalog (DESIGN.md §1): titles and tags of items, used to word explanations.

use super::error::ModelError;
use super::ids::ItemId;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

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
        let list: Vec<CatalogEntry> =
            serde_json::from_slice(bytes).map_err(|e| ModelError::CatalogJson(e.to_string()))?;
        let mut entries = HashMap::with_capacity(list.len());
        for (index, entry) in list.into_iter().enumerate() {
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
    }
}
