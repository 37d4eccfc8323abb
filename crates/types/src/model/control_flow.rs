//! Why a graph's control flow cannot be settled before tract types it (docs/contract.md, "Control
//! flow"). whythis replaces an ONNX `If` whose condition follows from shapes and constants by the
//! branch it takes; every other `If`, and every `Loop`, is refused with one of these sentences, each
//! naming the node, the rule, and the export setting that avoids it.

use thiserror::Error;

/// An `If` or `Loop` that whythis cannot resolve to a plain graph.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ControlFlowRefusal {
    /// The condition is computed from the values of an input: which branch runs depends on the
    /// visitor's history, so no single graph can be typed for it.
    #[error(
        "node \"{node}\" (If) branches on the values of the input \"{input}\", that is on the visitor's data; \
         whythis only resolves branches whose condition follows from shapes and constants. \
         Export the scored path without data-dependent Python control flow (compute both sides and choose with torch.where), \
         or export with torch.onnx.export(..., dynamo=True), which does not script `if` statements"
    )]
    DataDependent {
        /// The `If` node's name.
        node: String,
        /// The graph input its condition reads.
        input: String,
    },
    /// The condition depends on the batch size, which the graph leaves open: a batched call would
    /// take another branch than a single window.
    #[error(
        "node \"{node}\" (If) branches on the batch size, which the graph leaves open; \
         whythis only resolves branches whose condition follows from the window length and constants. \
         Export with the batch fixed to 1 (no dynamic axis on the batch), or with torch.onnx.export(..., dynamo=True)"
    )]
    BatchDependent {
        /// The `If` node's name.
        node: String,
    },
    /// The condition reads no input's values, but whythis could not work it out from the card's shapes.
    #[error(
        "node \"{node}\" (If): whythis could not work out its condition from the shapes the card fixes \
         ([batch, seq_len] inputs) and the graph's constants; it resolves conditions built from shapes and constants only. \
         Export with torch.onnx.export(..., dynamo=True), or fix the window length and the batch in the export"
    )]
    Undecided {
        /// The `If` node's name.
        node: String,
    },
    /// A loop whose trip count or condition is computed while scoring; tract runs no ONNX `Loop`.
    #[error(
        "node \"{node}\" is an ONNX Loop; whythis runs graphs without loops (a `Scan` or a recurrent operator such as GRU or LSTM is fine). \
         Export a module that is traced rather than scripted (torch.onnx.export(..., dynamo=True), or dynamo=False without torch.jit.script), \
         with the window length fixed so the loop is unrolled, or use torch.nn.GRU / torch.nn.LSTM instead of a Python loop over the window"
    )]
    Loop {
        /// The `Loop` node's name.
        node: String,
    },
}

impl ControlFlowRefusal {
    /// The name of the node the refusal is about.
    pub fn node(&self) -> &str {
        match self {
            ControlFlowRefusal::DataDependent { node, .. }
            | ControlFlowRefusal::BatchDependent { node }
            | ControlFlowRefusal::Undecided { node }
            | ControlFlowRefusal::Loop { node } => node,
        }
    }
}
