//! The rules of the model contract (docs/contract.md §1), each a sentence that names the rule
//! and what was found. The card's rules are checked by `ModelCard::violations`, the graph's by `whythis_model::graph`.

use thiserror::Error;

/// One broken rule of the model contract.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum Violation {
    /// The card's `format` is not the one this version reads.
    #[error("card: \"format\" must be \"whythis-model/1\", found \"{found}\"")]
    CardFormat { found: String },
    /// The card's `seq_len` is zero or too large.
    #[error("card: \"seq_len\" must be between 1 and {max}, found {found}")]
    CardSeqLen { found: usize, max: usize },
    /// The card's `num_items` is zero or too large.
    #[error("card: \"num_items\" must be between 1 and {max}, found {found}")]
    CardNumItems { found: u32, max: u32 },
    /// A tensor name in the card is empty.
    #[error("card: \"{role}\" must name a graph tensor, found an empty string")]
    CardEmptyName { role: &'static str },
    /// The card maps an action input but lists no actions.
    #[error("card: \"inputs.action_types\" is set, so \"actions\" must list the action vocabulary (index 0 = padding)")]
    CardActionsMissing,
    /// The action vocabulary has no real action.
    #[error("card: \"actions\" must hold the padding entry and at least one action, found {found} entries")]
    CardActionsTooFew { found: usize },
    /// The action vocabulary is larger than whythis accepts.
    #[error("card: \"actions\" may hold at most {max} entries, found {found}")]
    CardActionsTooMany { found: usize, max: usize },
    /// An action name appears twice.
    #[error("card: action \"{action}\" appears more than once in \"actions\"")]
    CardActionRepeated { action: String },
    /// `default_action` is not a real action of the vocabulary.
    #[error("card: \"default_action\" \"{action}\" is not one of the card's actions")]
    CardDefaultAction { action: String },
    /// The card names no model file.
    #[error("card: it must name its model file, \"onnx\" (an ONNX graph) or \"nnef\" (a model packed by `whythis pack`); it names neither")]
    CardNoModelFile,
    /// The card names both an ONNX and a packed model.
    #[error("card: it must name one model file, \"onnx\" or \"nnef\"; it names both")]
    CardTwoModelFiles,
    /// A packed card lacks what packing recorded.
    #[error("card: a packed card (\"nnef\") must carry \"packed\", the facts `whythis pack` records; pack the ONNX model again")]
    CardPackedFactsMissing,
    /// `packed` without a packed model.
    #[error("card: \"packed\" belongs to a packed card, which names \"nnef\"; this card names none")]
    CardPackedWithoutNnef,
    /// A packed card with `item_embedding` must carry the embedding's file and width.
    #[error("card: \"item_embedding\" is set, so \"packed\" must name the embedding file (\"embedding\") and its width (\"embedding_dim\", at least 1)")]
    CardPackedEmbedding,
    /// A `sha256` entry is not 64 lowercase hex digits.
    #[error("card: \"sha256\" of \"{file}\" must be 64 lowercase hexadecimal digits")]
    CardSha256 { file: String },
    /// A tensor the card names is not an input of the graph.
    #[error("graph: input {role} should be the tensor \"{name}\", but the graph's inputs are {found}")]
    MissingInput { role: &'static str, name: String, found: String },
    /// The graph has an input the contract has no role for.
    #[error("graph: input \"{name}\" plays no role of the contract (item_ids, action_types); the model cannot be fed")]
    ExtraInput { name: String },
    /// An input's element type is not int64.
    #[error("graph: input {role} (\"{name}\") must be int64, found {found}")]
    InputType { role: &'static str, name: String, found: String },
    /// An input does not have the shape [batch, seq_len].
    #[error("graph: input {role} (\"{name}\") must have shape [batch, {seq_len}], found {found}")]
    InputShape { role: &'static str, name: String, seq_len: usize, found: String },
    /// The window length of the graph differs from the card's.
    #[error("graph: the card says seq_len {card}, but input {role} has {graph} slots")]
    SeqLenMismatch { role: &'static str, card: usize, graph: usize },
    /// A tensor the card names is not among the graph's tensors.
    #[error("graph: output {role} should be the tensor \"{name}\", but the graph has no such tensor (its outputs are {found})")]
    MissingOutput { role: &'static str, name: String, found: String },
    /// An output's element type is not float32.
    #[error("graph: output {role} (\"{name}\") must be float32, found {found}")]
    OutputType { role: &'static str, name: String, found: String },
    /// The scores output is not [batch, num_items + 1].
    #[error("graph: output scores (\"{name}\") must have shape [batch, num_items + 1] = [batch, {expected}], found {found}")]
    ScoresShape { name: String, expected: u32, found: String },
    /// The scores output has another number of columns than the card's catalog.
    #[error("graph: the card says num_items {card}, so scores need {} columns, but the graph gives {graph}", card + 1)]
    NumItemsMismatch { card: u32, graph: usize },
    /// The attention output is not [batch, layers, heads, seq_len, seq_len].
    #[error("graph: output attention (\"{name}\") must have shape [batch, layers, heads, {seq_len}, {seq_len}], found {found}")]
    AttentionShape { name: String, seq_len: usize, found: String },
    /// The item embedding the card names is not an initializer of the graph.
    #[error("graph: the card names item_embedding \"{name}\", but the graph has no initializer of that name")]
    MissingEmbedding { name: String },
    /// The item embedding does not have one row per id.
    #[error("graph: item_embedding \"{name}\" must be float32 [num_items + 1, d] = [{rows}, d], found {found}")]
    EmbeddingShape { name: String, rows: u32, found: String },
}
