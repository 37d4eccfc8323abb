//! Running a recommender with tract: a graph that passed the contract's checks (from ONNX,
//! `crate::graph`, feature `onnx`; or packed, [`crate::pack`]) is optimised once and scores many windows
//! per call, its inputs fed by role.

use crate::card::ModelCard;
use crate::checked::{AttentionShape, CheckedGraph};
use crate::embedding::ItemEmbedding;
use crate::error::ModelError;
use crate::window::Slots;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tract_nnef::prelude::*;

/// Windows per tract call: large enough to amortise a call, small enough to bound the score buffer.
pub const MAX_BATCH: usize = 64;
/// The most output floats one tract call may produce (64 MB): with 10 million items, or long windows
/// with attention, batches shrink to stay under it.
pub const MAX_OUTPUT_FLOATS: usize = 16 << 20;
/// The largest ONNX model whythis loads (256 MB). tract holds the weights and an optimised copy of them,
/// so a model needs two to three times its size in memory, and wasm32 has 4 GB at most; the default
/// model is under 1 MB, and a visitor's device should never be asked to download anything near this.
pub const MAX_MODEL_BYTES: usize = 256 << 20;

/// What one row of a batch produced: the score row and, when asked for, the attention of that window.
pub struct RowOutput<'a> {
    /// Scores of every id, column 0 = padding.
    pub scores: &'a [f32],
    /// Attention probabilities [layers, heads, seq_len, seq_len], flattened.
    pub attention: Option<&'a [f32]>,
}

/// A model ready to score: the optimised tract plans are built once, at load.
pub struct Scorer {
    card: ModelCard,
    /// Runs any batch size (or only 1, for graphs fixed to it). A second plan with the batch fixed to 64
    /// was measured and gained nothing on the default model (its cost is per window, not per call).
    /// Each call spawns a fresh run state: a kept one carries a recurrent op's batch-shaped state
    /// (tract's GruSeq) into the next call and fails it.
    plan: Arc<TypedRunnableModel>,
    batch: usize,
    feeds_actions: bool,
    fixed_batch_one: bool,
    attention: Option<AttentionShape>,
    embedding: Option<ItemEmbedding>,
    resolved_ifs: usize,
    calls: AtomicUsize,
    windows: AtomicUsize,
}

impl std::fmt::Debug for Scorer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scorer").field("card", &self.card).field("attention", &self.attention).finish()
    }
}

impl Scorer {
    /// Loads ONNX bytes for a card, checks every rule of the contract, and builds the plan.
    #[cfg(feature = "onnx")]
    pub fn load(card: ModelCard, onnx: &[u8]) -> Result<Scorer, ModelError> {
        contain_panics(|| Scorer::load_checked(card, onnx))
    }

    #[cfg(feature = "onnx")]
    fn load_checked(card: ModelCard, onnx: &[u8]) -> Result<Scorer, ModelError> {
        if onnx.len() > MAX_MODEL_BYTES {
            return Err(ModelError::TooLarge { what: "ONNX model", bytes: onnx.len(), max: MAX_MODEL_BYTES });
        }
        let violations = card.violations();
        if !violations.is_empty() {
            return Err(ModelError::Contract(violations));
        }
        if card.nnef.is_some() {
            return Err(ModelError::Onnx("the card names a packed model (\"nnef\"); load it as one".into()));
        }
        crate::integrity::verify(&card, &card.onnx, onnx)?;
        let checked = crate::graph::check_graph(&card, onnx)?;
        let optimise_error = |e: TractError| ModelError::Onnx(format!("tract could not optimise the graph: {e:#}"));
        Scorer::from_checked(card, checked, optimise_error)
    }

    /// Loads a packed model (`whythis pack`): tract's NNEF form of a graph that passed the contract's
    /// checks when it was packed, and its embedding file, each checked against the card's sha256 first.
    pub fn load_packed(card: ModelCard, nnef: &[u8], embedding: Option<&[u8]>) -> Result<Scorer, ModelError> {
        contain_panics(|| Scorer::load_packed_checked(card, nnef, embedding))
    }

    fn load_packed_checked(card: ModelCard, nnef: &[u8], embedding: Option<&[u8]>) -> Result<Scorer, ModelError> {
        if nnef.len() > MAX_MODEL_BYTES {
            return Err(ModelError::TooLarge { what: "packed model", bytes: nnef.len(), max: MAX_MODEL_BYTES });
        }
        let violations = card.violations();
        if !violations.is_empty() {
            return Err(ModelError::Contract(violations));
        }
        let (Some(file), Some(facts)) = (card.nnef.clone(), card.packed.clone()) else {
            return Err(ModelError::Nnef("the card names no packed model (\"nnef\")".into()));
        };
        crate::integrity::verify(&card, &file, nnef)?;
        let embedding = match (&facts.embedding, facts.embedding_dim, embedding) {
            (Some(name), Some(dim), Some(bytes)) => {
                crate::integrity::verify(&card, name, bytes)?;
                let e = ItemEmbedding::from_le_bytes(dim, bytes).filter(|e| e.rows() == card.num_items as usize + 1);
                Some(e.ok_or_else(|| ModelError::Nnef(format!("the embedding file \"{name}\" is not [{}, {dim}] float32", card.num_items + 1)))?)
            }
            (Some(name), _, None) => return Err(ModelError::Nnef(format!("the embedding file \"{name}\" was not given"))),
            _ => None,
        };
        let typed = crate::pack::read_nnef(nnef)?;
        let checked = CheckedGraph {
            model: typed,
            batch_is_one: facts.batch_is_one,
            attention: facts.attention.map(|a| AttentionShape { layers: a.layers, heads: a.heads }),
            embedding,
            resolved_ifs: facts.resolved_ifs,
        };
        let optimise_error = |e: TractError| ModelError::Nnef(format!("tract could not optimise the packed graph: {e:#}"));
        Scorer::from_checked(card, checked, optimise_error)
    }

    /// Optimises a checked graph once into the plan every call runs, and probes it.
    fn from_checked(card: ModelCard, checked: CheckedGraph, optimise_error: impl Fn(TractError) -> ModelError) -> Result<Scorer, ModelError> {
        let CheckedGraph { model: typed, batch_is_one, attention, embedding, resolved_ifs } = checked;
        let batch = batch_size(&card, batch_is_one, attention);
        let plan = typed.into_optimized().and_then(|m| m.into_runnable()).map_err(optimise_error)?;
        let scorer = Scorer {
            feeds_actions: card.inputs.action_types.is_some(),
            card,
            plan,
            batch,
            fixed_batch_one: batch_is_one,
            attention,
            embedding,
            resolved_ifs,
            calls: AtomicUsize::new(0),
            windows: AtomicUsize::new(0),
        };
        scorer.probe()?;
        Ok(scorer)
    }

    /// Scores one window of the largest item id and action once. A malformed graph can index its own
    /// tables out of range, and tract then panics at run time (its Gather does not check; the fuzzer
    /// found it): this makes that a load error rather than a failure on the visitor's first explanation.
    fn probe(&self) -> Result<(), ModelError> {
        let action = self.card.actions.as_ref().map_or(0, |a| a.len().saturating_sub(1)) as i64;
        let n = self.card.seq_len;
        let window = Slots { items: vec![i64::from(self.card.num_items); n], actions: vec![action; n] };
        let result = self.run(std::slice::from_ref(&window));
        self.calls.store(0, Ordering::Relaxed);
        self.windows.store(0, Ordering::Relaxed);
        result.map(|_| ()).map_err(|e| ModelError::Probe(e.to_string()))
    }

    /// The card the model was loaded with.
    pub fn card(&self) -> &ModelCard {
        &self.card
    }

    /// The attention shape, when the model exposes attention.
    pub fn attention_shape(&self) -> Option<AttentionShape> {
        self.attention
    }

    /// The item embeddings, when the card names them.
    pub fn embedding(&self) -> Option<&ItemEmbedding> {
        self.embedding.as_ref()
    }

    /// How many `If` nodes of the file were settled at load, each replaced by the branch it takes
    /// (docs/contract.md, "Control flow").
    pub fn resolved_ifs(&self) -> usize {
        self.resolved_ifs
    }

    /// True when the graph accepts any batch size; false when it is fixed to 1.
    pub fn batches(&self) -> bool {
        !self.fixed_batch_one
    }

    /// (tract calls, windows scored) since load: what explanations report as their cost.
    pub fn usage(&self) -> (usize, usize) {
        (self.calls.load(Ordering::Relaxed), self.windows.load(Ordering::Relaxed))
    }

    /// Scores many windows in as few tract calls as possible, handing each row to `each` in order.
    /// Rows are not kept, so memory stays bounded however many windows are asked for.
    pub fn for_each_row(
        &self,
        windows: &[Slots],
        want_attention: bool,
        mut each: impl FnMut(usize, RowOutput<'_>),
    ) -> Result<(), ModelError> {
        let chunk = self.batch_size();
        let width = self.card.num_items as usize + 1;
        let mut done = 0;
        for group in windows.chunks(chunk) {
            let outputs = self.run(group)?;
            let scores = outputs[0].to_plain_array_view::<f32>().map_err(run_error)?;
            let scores = scores.as_slice().ok_or_else(|| ModelError::Run("scores are not contiguous".into()))?;
            if scores.len() != group.len() * width {
                return Err(ModelError::Run(format!(
                    "expected {} scores for {} windows, got {}",
                    group.len() * width,
                    group.len(),
                    scores.len()
                )));
            }
            let attention = match (want_attention, outputs.get(1)) {
                (true, Some(t)) => Some(t.to_plain_array_view::<f32>().map_err(run_error)?),
                _ => None,
            };
            let attention = attention.as_ref().and_then(|a| a.as_slice());
            for (row, scores) in scores.chunks(width).enumerate() {
                if let Some(item) = scores.iter().skip(1).position(|s| s.is_nan()) {
                    return Err(ModelError::NotANumber { item: item + 1 });
                }
                let attention = attention.map(|a| {
                    let per = a.len() / group.len();
                    &a[row * per..(row + 1) * per]
                });
                each(done + row, RowOutput { scores, attention });
            }
            done += group.len();
        }
        Ok(())
    }

    /// Scores many windows and keeps every score row: `rows[i]` belongs to `windows[i]`.
    pub fn score(&self, windows: &[Slots]) -> Result<Vec<Vec<f32>>, ModelError> {
        let mut rows = Vec::with_capacity(windows.len());
        self.for_each_row(windows, false, |_, out| rows.push(out.scores.to_vec()))?;
        Ok(rows)
    }

    /// Scores one window and returns its scores and, if the model has it, its attention.
    pub fn score_with_attention(&self, window: &Slots) -> Result<(Vec<f32>, Option<Vec<f32>>), ModelError> {
        let mut result = None;
        self.for_each_row(std::slice::from_ref(window), true, |_, out| {
            result = Some((out.scores.to_vec(), out.attention.map(<[f32]>::to_vec)))
        })?;
        result.ok_or_else(|| ModelError::Run("the model returned no rows".into()))
    }

    /// Windows per tract call: MAX_BATCH, fewer when the outputs of a full batch would pass MAX_OUTPUT_FLOATS.
    pub fn batch_size(&self) -> usize {
        self.batch
    }

    /// Runs one batch. The plan's inputs are in role order (item_ids, then action_types), whatever the
    /// order the file declared them in: `check_graph` put them so, by the names the card maps.
    fn run(&self, group: &[Slots]) -> Result<TVec<TValue>, ModelError> {
        let seq_len = self.card.seq_len;
        let items: Vec<i64> = group.iter().flat_map(|s| s.items.iter().copied()).collect();
        let mut inputs: TVec<TValue> =
            tvec![Tensor::from_shape(&[group.len(), seq_len], &items).map_err(run_error)?.into()];
        if self.feeds_actions {
            let actions: Vec<i64> = group.iter().flat_map(|s| s.actions.iter().copied()).collect();
            inputs.push(Tensor::from_shape(&[group.len(), seq_len], &actions).map_err(run_error)?.into());
        }
        self.calls.fetch_add(1, Ordering::Relaxed);
        self.windows.fetch_add(group.len(), Ordering::Relaxed);
        contain_panics(|| self.plan.run(inputs).map_err(run_error))
    }
}

/// Windows per tract call for a model: MAX_BATCH, fewer when a full batch's outputs would pass
/// MAX_OUTPUT_FLOATS, 1 when the graph fixes the batch to 1.
fn batch_size(card: &ModelCard, batch_is_one: bool, attention: Option<AttentionShape>) -> usize {
    if batch_is_one {
        return 1;
    }
    let attention = attention.map_or(0, |a| a.layers * a.heads * card.seq_len * card.seq_len);
    let per_window = card.num_items as usize + 1 + attention;
    (MAX_OUTPUT_FLOATS / per_window).clamp(1, MAX_BATCH)
}

/// Turns a panic inside tract (a hostile graph can trigger one) into an error, where unwinding exists.
fn contain_panics<T>(f: impl FnOnce() -> Result<T, ModelError>) -> Result<T, ModelError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
        .unwrap_or_else(|payload| Err(ModelError::Panic(crate::error::describe_panic(&*payload, None))))
}

fn run_error(e: TractError) -> ModelError {
    ModelError::Run(format!("{e:#}"))
}

