//! The model card (`*.card.json`, docs/contract.md §1): what the graph's tensors mean and where the catalog is.

use super::contract::Violation;
use super::error::ModelError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The only card format this version understands.
pub const CARD_FORMAT: &str = "whythis-model/1";
/// The longest window whythis will run: attention grows with its square.
pub const MAX_SEQ_LEN: usize = 4096;
/// The largest catalog whythis will rank: a score row of this size is 40 MB.
pub const MAX_NUM_ITEMS: u32 = 10_000_000;
/// The largest card file whythis parses: real cards are a few kilobytes, metrics included.
pub const MAX_CARD_BYTES: usize = 1 << 20;
/// The largest action vocabulary: real ones have a handful of actions (ratings, play, buy, …).
pub const MAX_ACTIONS: usize = 1024;

/// Which graph tensor plays each input role (null = the model has no such input).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputNames {
    /// The int64 [batch, seq_len] tensor of item ids.
    pub item_ids: String,
    /// The optional int64 [batch, seq_len] tensor of action indices.
    #[serde(default)]
    pub action_types: Option<String>,
}

/// Which graph tensor plays each output role (null = the model has no such output).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutputNames {
    /// The float32 [batch, num_items + 1] tensor of next-item scores.
    pub scores: String,
    /// The optional float32 [batch, layers, heads, seq_len, seq_len] attention probabilities.
    #[serde(default)]
    pub attention: Option<String>,
}

/// What a packed card records of the ONNX graph it was packed from: the facts the graph's checks found,
/// which the NNEF form does not carry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackedFacts {
    /// True when the graph fixes the batch to 1.
    pub batch_is_one: bool,
    /// The attention output's layers and heads, when the card maps one.
    #[serde(default)]
    pub attention: Option<PackedAttention>,
    /// Path of the item embeddings as little-endian float32, `[num_items + 1, dim]` row after row, when
    /// the card names `item_embedding`.
    #[serde(default)]
    pub embedding: Option<String>,
    /// The embedding's width.
    #[serde(default)]
    pub embedding_dim: Option<usize>,
    /// How many shape-constant `If` nodes the ONNX graph had, each replaced by its branch.
    #[serde(default)]
    pub resolved_ifs: usize,
    /// The sha256 of the ONNX file it was packed from (a record for audits; not read again).
    pub from_onnx_sha256: String,
}

/// The attention shape of a packed model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackedAttention {
    /// Attention layers.
    pub layers: usize,
    /// Heads per layer.
    pub heads: usize,
}

/// A parsed model card. Unknown keys are kept out of the way, not rejected, so cards can grow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelCard {
    /// Always `whythis-model/1`.
    pub format: String,
    /// Path of the ONNX file, relative to the card (empty in a packed card, which names `nnef`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub onnx: String,
    /// Path of tract's NNEF form of the checked graph, written by `whythis pack` (docs/contract.md,
    /// "Packed models"); a card names this or `onnx`, not both.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nnef: Option<String>,
    /// What `whythis pack` learnt from the ONNX graph that the NNEF form does not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub packed: Option<PackedFacts>,
    /// The sha256 (lowercase hex) of files the card names, by the path the card names them with; each
    /// is checked before the file is used, so a changed model or catalog is refused.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub sha256: BTreeMap<String, String>,
    /// The fixed window length of the graph.
    pub seq_len: usize,
    /// Number of real items; ids run 1..=num_items.
    pub num_items: u32,
    /// Graph tensor names of the inputs.
    pub inputs: InputNames,
    /// Graph tensor names of the outputs.
    pub outputs: OutputNames,
    /// The action vocabulary; index 0 is padding.
    #[serde(default)]
    pub actions: Option<Vec<String>>,
    /// Name of an initializer [num_items + 1, d] holding item embeddings, for similarity.
    #[serde(default)]
    pub item_embedding: Option<String>,
    /// Path of the catalog JSON, relative to the card.
    #[serde(default)]
    pub catalog: Option<String>,
    /// A human name for the model (whythis extension).
    #[serde(default)]
    pub name: Option<String>,
    /// The action given to events that carry none (whythis extension; default: the first real action).
    #[serde(default)]
    pub default_action: Option<String>,
}

impl ModelCard {
    /// Parses a card from JSON bytes and checks the rules that need no graph.
    pub fn from_json(bytes: &[u8]) -> Result<ModelCard, ModelError> {
        if bytes.len() > MAX_CARD_BYTES {
            return Err(ModelError::TooLarge { what: "model card", bytes: bytes.len(), max: MAX_CARD_BYTES });
        }
        let card: ModelCard =
            serde_json::from_slice(bytes).map_err(|e| ModelError::CardJson(e.to_string()))?;
        let violations = card.violations();
        if violations.is_empty() {
            Ok(card)
        } else {
            Err(ModelError::Contract(violations))
        }
    }

    /// Every card rule this card breaks (empty when it is fine).
    pub fn violations(&self) -> Vec<Violation> {
        let mut found = Vec::new();
        if self.format != CARD_FORMAT {
            found.push(Violation::CardFormat { found: self.format.clone() });
        }
        if self.seq_len == 0 || self.seq_len > MAX_SEQ_LEN {
            found.push(Violation::CardSeqLen { found: self.seq_len, max: MAX_SEQ_LEN });
        }
        if self.num_items == 0 || self.num_items > MAX_NUM_ITEMS {
            found.push(Violation::CardNumItems { found: self.num_items, max: MAX_NUM_ITEMS });
        }
        if self.inputs.item_ids.is_empty() {
            found.push(Violation::CardEmptyName { role: "inputs.item_ids" });
        }
        if self.outputs.scores.is_empty() {
            found.push(Violation::CardEmptyName { role: "outputs.scores" });
        }
        match (&self.inputs.action_types, &self.actions) {
            (Some(_), None) => found.push(Violation::CardActionsMissing),
            (_, Some(actions)) if actions.len() < 2 => {
                found.push(Violation::CardActionsTooFew { found: actions.len() })
            }
            (_, Some(actions)) if actions.len() > MAX_ACTIONS => {
                found.push(Violation::CardActionsTooMany { found: actions.len(), max: MAX_ACTIONS })
            }
            _ => {}
        }
        if let Some(actions) = &self.actions {
            // A set, not pairwise comparison: a card of a million actions must be refused quickly.
            let mut seen = std::collections::HashSet::new();
            for a in actions.iter().take(MAX_ACTIONS + 1) {
                if !seen.insert(a) {
                    found.push(Violation::CardActionRepeated { action: a.clone() });
                }
            }
        }
        match (self.onnx.is_empty(), &self.nnef, &self.packed) {
            (true, None, _) => found.push(Violation::CardNoModelFile),
            (false, Some(_), _) => found.push(Violation::CardTwoModelFiles),
            (_, Some(_), None) => found.push(Violation::CardPackedFactsMissing),
            (_, None, Some(_)) => found.push(Violation::CardPackedWithoutNnef),
            _ => {}
        }
        if let (Some(facts), true) = (&self.packed, self.item_embedding.is_some()) {
            if facts.embedding.is_none() || facts.embedding_dim.is_none_or(|d| d == 0) {
                found.push(Violation::CardPackedEmbedding);
            }
        }
        for (file, hash) in &self.sha256 {
            if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
                found.push(Violation::CardSha256 { file: file.clone() });
            }
        }
        if let Some(default) = &self.default_action {
            let known = self.actions.as_deref().unwrap_or_default();
            if known.iter().skip(1).all(|a| a != default) {
                found.push(Violation::CardDefaultAction { action: default.clone() });
            }
        }
        found
    }

    /// The action index of a named action (None if the card does not list it; padding is never matched).
    pub fn action_index(&self, name: &str) -> Option<i64> {
        let actions = self.actions.as_ref()?;
        actions.iter().skip(1).position(|a| a == name).map(|i| i as i64 + 1)
    }

    /// The action index given to an event that names none.
    pub fn default_action_index(&self) -> i64 {
        self.default_action.as_deref().and_then(|a| self.action_index(a)).unwrap_or(1)
    }

    /// The name of an action index, if the card has a vocabulary.
    pub fn action_name(&self, index: i64) -> Option<&str> {
        let actions = self.actions.as_ref()?;
        usize::try_from(index).ok().and_then(|i| actions.get(i)).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card_json(extra: &str) -> String {
        format!(
            r#"{{"format":"whythis-model/1","onnx":"m.onnx","seq_len":4,"num_items":10,
            "inputs":{{"item_ids":"item_ids"}},"outputs":{{"scores":"scores"}}{extra}}}"#
        )
    }

    #[test]
    fn minimal_card_parses_with_optional_keys_absent() {
        let card = ModelCard::from_json(card_json("").as_bytes()).unwrap();
        assert_eq!(card.inputs.action_types, None);
        assert_eq!(card.outputs.attention, None);
        assert_eq!(card.catalog, None);
    }

    #[test]
    fn missing_key_is_named() {
        let err = ModelCard::from_json(br#"{"format":"whythis-model/1"}"#).unwrap_err();
        assert!(err.to_string().contains("missing field"), "{err}");
    }

    #[test]
    fn every_broken_rule_is_reported() {
        let json = card_json(r#","actions":["pad"],"default_action":"play""#)
            .replace("whythis-model/1", "other/2")
            .replace(r#""seq_len":4"#, r#""seq_len":0"#);
        let Err(ModelError::Contract(v)) = ModelCard::from_json(json.as_bytes()) else {
            panic!("expected violations")
        };
        assert_eq!(v.len(), 4, "{v:?}");
    }

    #[test]
    fn limits_are_enforced() {
        let many: Vec<String> = (0..=MAX_ACTIONS).map(|i| format!("\"a{i}\"")).collect();
        let json = card_json(&format!(r#","actions":[{}]"#, many.join(",")));
        let Err(ModelError::Contract(v)) = ModelCard::from_json(json.as_bytes()) else { panic!("expected violations") };
        assert_eq!(v, vec![Violation::CardActionsTooMany { found: MAX_ACTIONS + 1, max: MAX_ACTIONS }]);
        let padded = card_json("").replace('{', &format!("{{{}", " ".repeat(MAX_CARD_BYTES)));
        let err = ModelCard::from_json(padded.as_bytes()).unwrap_err();
        assert!(matches!(err, ModelError::TooLarge { what: "model card", .. }), "{err}");
        for (key, value) in [("seq_len", MAX_SEQ_LEN + 1), ("num_items", MAX_NUM_ITEMS as usize + 1)] {
            let json = card_json("").replace(&format!(r#""{key}":{}"#, if key == "seq_len" { 4 } else { 10 }), &format!(r#""{key}":{value}"#));
            let err = ModelCard::from_json(json.as_bytes()).unwrap_err().to_string();
            assert!(err.contains(&format!("\"{key}\" must be between 1 and")), "{err}");
        }
    }

    #[test]
    fn action_lookup_skips_padding() {
        let card =
            ModelCard::from_json(card_json(r#","actions":["pad","play","rate"]"#).as_bytes()).unwrap();
        assert_eq!(card.action_index("rate"), Some(2));
        assert_eq!(card.action_index("pad"), None);
        assert_eq!(card.default_action_index(), 1);
    }
}
