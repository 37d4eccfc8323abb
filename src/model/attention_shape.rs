//! The shape of a model's attention output, apart from the scorer so that code without tract (the
//! page's module) can read attention too.

/// The shape of a model's attention output: `[batch, layers, heads, seq_len, seq_len]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttentionShape {
    /// Number of attention layers.
    pub layers: usize,
    /// Heads per layer.
    pub heads: usize,
}
