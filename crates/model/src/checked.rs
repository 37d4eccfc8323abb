//! What the contract's graph checks establish (docs/contract.md §1), whichever form the graph came in:
//! checked from ONNX at load ([`crate::graph`], feature `onnx`), or read back from a packed model whose
//! card recorded the same facts when it was packed ([`crate::pack`]). Plain tract-core types, so the
//! small engine (no ONNX front end) shares them.

use crate::embedding::ItemEmbedding;
use tract_nnef::prelude::TypedModel;

/// The shape of a model's attention output, as the contract allows it: `[batch, layers, heads, seq_len, seq_len]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttentionShape {
    /// Number of attention layers.
    pub layers: usize,
    /// Heads per layer.
    pub heads: usize,
}

/// A graph that follows the contract, ready to be optimised.
pub struct CheckedGraph {
    /// The typed graph: inputs in role order, outputs (scores, attention when the card maps it).
    pub model: TypedModel,
    /// True when the graph fixes the batch to 1.
    pub batch_is_one: bool,
    /// The attention shape, when the card maps an attention output.
    pub attention: Option<AttentionShape>,
    /// The item embeddings, when the card names them.
    pub embedding: Option<ItemEmbedding>,
    /// How many shape-constant `If` nodes were replaced by the branch they take ([`crate::control_flow`]).
    pub resolved_ifs: usize,
}
