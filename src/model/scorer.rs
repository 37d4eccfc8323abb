//! Loading an ONNX recommender with tract, checking it against the contract, and scoring many windows
//! per call.

use super::attention_shape::AttentionShape;
use super::card::ModelCard;
use super::contract::Violation;
use super::error::ModelError;
use super::window::Slots;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tract_onnx::prelude::*;
use tract_onnx::tract_hir::infer::Factoid;

/// Windows per tract call: large enough to amortise a call, small enough to bound the score buffer.
pub const MAX_BATCH: usize = 64;
/// The most output floats one tract call may produce (64 MB): with 10 million items, or long windows
/// with attention, batches shrink to stay under it.
pub const MAX_OUTPUT_FLOATS: usize = 16 << 20;
/// The largest ONNX model whythis loads (256 MB). tract holds the weights and an optimised copy of them,
/// so a model needs two to three times its size in memory, and wasm32 has 4 GB at most; the default
/// model is under 1 MB, and a visitor's device should never be asked to download anything near this.
pub const MAX_MODEL_BYTES: usize = 256 << 20;

/// Item embeddings from the card's `item_embedding` initializer, one row per id (row 0 = padding).
#[derive(Debug, Clone, PartialEq)]
pub struct ItemEmbedding {
    dim: usize,
    values: Vec<f32>,
}

impl ItemEmbedding {
    /// The embedding row of an item id, if it exists.
    pub fn row(&self, item: usize) -> Option<&[f32]> {
        self.values.get(item * self.dim..(item + 1) * self.dim)
    }

    /// Cosine similarity of two items (None when either is out of range or has a zero vector).
    pub fn cosine(&self, a: usize, b: usize) -> Option<f32> {
        let (x, y) = (self.row(a)?, self.row(b)?);
        let dot: f32 = x.iter().zip(y).map(|(p, q)| p * q).sum();
        let nx = x.iter().map(|v| v * v).sum::<f32>().sqrt();
        let ny = y.iter().map(|v| v * v).sum::<f32>().sqrt();
        (nx > 0.0 && ny > 0.0).then(|| dot / (nx * ny))
    }
}

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
    pub fn load(card: ModelCard, onnx: &[u8]) -> Result<Scorer, ModelError> {
        contain_panics(|| Scorer::load_checked(card, onnx))
    }

    fn load_checked(card: ModelCard, onnx: &[u8]) -> Result<Scorer, ModelError> {
        if onnx.len() > MAX_MODEL_BYTES {
            return Err(ModelError::TooLarge { what: "ONNX model", bytes: onnx.len(), max: MAX_MODEL_BYTES });
        }
        let mut violations = card.violations();
        if !violations.is_empty() {
            return Err(ModelError::Contract(violations));
        }
        // Newer PyTorch exports carry value_info and output shapes that pin the batch to a value;
        // the contract's own checks below replace them.
        let framework = tract_onnx::onnx().with_ignore_output_shapes(true).with_ignore_value_info(true);
        let proto = framework
            .proto_model_for_read(&mut &onnx[..])
            .map_err(|e| ModelError::Onnx(format!("the bytes are not an ONNX protobuf ({e:#})")))?;
        let Some(graph) = proto.graph.as_ref() else {
            return Err(ModelError::Onnx("the file holds no graph".into()));
        };
        // tract panics on a graph output that nothing produces (the fuzzer found it) and indexes node
        // inputs by name unchecked; on wasm a panic cannot be contained.
        refuse_dangling_names(graph)?;
        let embedding = match &card.item_embedding {
            Some(name) => match read_embedding(&framework, &proto, name, card.num_items) {
                Ok(e) => Some(e),
                Err(v) => {
                    violations.push(v);
                    None
                }
            },
            None => None,
        };
        let mut model = framework
            .model_for_proto_model(&proto)
            .map_err(|e| ModelError::Onnx(format!("{e:#}")))?;

        let inputs = check_inputs(&card, &model, &mut violations);
        let outputs = select_outputs(&card, &mut model, &mut violations);
        let (Some(batch_is_one), true) = (inputs, outputs) else {
            return Err(ModelError::Contract(violations));
        };

        let batch: TDim = if batch_is_one { 1.into() } else { model.symbols.sym("batch").into() };
        let fact = InferenceFact::dt_shape(i64::datum_type(), tvec![batch, card.seq_len.to_dim()]);
        for ix in 0..model.input_outlets().map_err(onnx_error)?.len() {
            model.set_input_fact(ix, fact.clone()).map_err(onnx_error)?;
        }
        let typed = model.into_typed().map_err(|e| {
            ModelError::Onnx(format!("tract could not analyse the graph with int64 [batch, {}] inputs: {e:#}", card.seq_len))
        })?;
        let attention = check_outputs(&card, &typed, &mut violations);
        if !violations.is_empty() {
            return Err(ModelError::Contract(violations));
        }
        let optimise_error = |e: TractError| ModelError::Onnx(format!("tract could not optimise the graph: {e:#}"));
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
        .unwrap_or_else(|payload| Err(ModelError::Panic(super::error::describe_panic(&*payload, None))))
}

fn onnx_error(e: TractError) -> ModelError {
    ModelError::Onnx(format!("{e:#}"))
}

fn run_error(e: TractError) -> ModelError {
    ModelError::Run(format!("{e:#}"))
}

/// Refuses a graph that uses a name no graph input, initializer or node produces: tract-onnx indexes
/// such names without checking and panics. Empty names are ONNX's "optional input left out".
fn refuse_dangling_names(graph: &tract_onnx::pb::GraphProto) -> Result<(), ModelError> {
    let produced: std::collections::HashSet<&str> = graph
        .input
        .iter()
        .map(|i| i.name.as_str())
        .chain(graph.initializer.iter().map(|t| t.name.as_str()))
        .chain(graph.node.iter().flat_map(|n| n.output.iter().map(String::as_str)))
        .collect();
    if let Some(orphan) = graph.output.iter().find(|o| !produced.contains(o.name.as_str())) {
        return Err(ModelError::Onnx(format!(
            "the graph's output \"{}\" is produced by no node, input or initializer",
            orphan.name
        )));
    }
    for node in &graph.node {
        if let Some(name) = node.input.iter().find(|i| !i.is_empty() && !produced.contains(i.as_str())) {
            return Err(ModelError::Onnx(format!(
                "node \"{}\" ({}) reads \"{name}\", which is produced by no node, input or initializer",
                node.name, node.op_type
            )));
        }
    }
    Ok(())
}

fn read_embedding(
    framework: &tract_onnx::Onnx,
    proto: &tract_onnx::pb::ModelProto,
    name: &str,
    num_items: u32,
) -> Result<ItemEmbedding, Violation> {
    let missing = || Violation::MissingEmbedding { name: name.to_owned() };
    let graph = proto.graph.as_ref().ok_or_else(missing)?;
    let init = graph.initializer.iter().find(|t| t.name == name).ok_or_else(missing)?;
    let rows = num_items + 1;
    let bad_shape = |found: String| Violation::EmbeddingShape { name: name.to_owned(), rows, found };
    let tensor = tract_onnx::tensor::load_tensor(&*framework.provider, init, None)
        .map_err(|e| bad_shape(format!("an unreadable tensor ({e})")))?;
    let shape = tensor.shape().to_vec();
    if tensor.datum_type() != f32::datum_type() || shape.len() != 2 || shape[0] != rows as usize {
        return Err(bad_shape(format!("{:?} {:?}", tensor.datum_type(), shape)));
    }
    let view = tensor.to_plain_array_view::<f32>().map_err(|e| bad_shape(e.to_string()))?;
    Ok(ItemEmbedding { dim: shape[1], values: view.iter().copied().collect() })
}

/// Checks the graph's inputs; returns whether the batch is fixed to 1, or None if the inputs are unusable.
/// Also reorders the graph's inputs to (item_ids, action_types).
fn check_inputs(card: &ModelCard, model: &InferenceModel, violations: &mut Vec<Violation>) -> Option<bool> {
    let outlets = model.input_outlets().ok()?.to_vec();
    let names: Vec<String> = outlets.iter().map(|o| model.node(o.node).name.clone()).collect();
    let listed = || {
        if names.is_empty() {
            "none".to_owned()
        } else {
            names.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(", ")
        }
    };
    let mut roles: Vec<(&'static str, &str)> = vec![("item_ids", card.inputs.item_ids.as_str())];
    if let Some(a) = &card.inputs.action_types {
        roles.push(("action_types", a.as_str()));
    }
    for name in &names {
        if !roles.iter().any(|(_, n)| n == name) {
            violations.push(Violation::ExtraInput { name: name.clone() });
        }
    }
    let before = violations.len();
    let mut batch_is_one = None;
    for (role, name) in roles {
        let Some(ix) = names.iter().position(|n| n == name) else {
            violations.push(Violation::MissingInput { role, name: name.to_owned(), found: listed() });
            continue;
        };
        let Ok(fact) = model.input_fact(ix) else { continue };
        if let Some(dt) = fact.datum_type.concretize() {
            if dt != i64::datum_type() {
                violations.push(Violation::InputType { role, name: name.to_owned(), found: format!("{dt:?}") });
            }
        }
        let dims: Vec<Option<TDim>> = fact.shape.dims().map(|d| d.concretize()).collect();
        let shown = format!(
            "[{}]",
            dims.iter().map(|d| d.as_ref().map_or("?".into(), |d| d.to_string())).collect::<Vec<_>>().join(", ")
        );
        if fact.shape.is_open() && dims.is_empty() {
            // No declared shape: the contract's shape is imposed below and tract checks it.
            continue;
        }
        if dims.len() != 2 {
            violations.push(Violation::InputShape { role, name: name.to_owned(), seq_len: card.seq_len, found: shown });
            continue;
        }
        if let Some(graph) = dims[1].as_ref().and_then(|d| d.as_i64()) {
            if graph as usize != card.seq_len {
                violations.push(Violation::SeqLenMismatch { role, card: card.seq_len, graph: graph as usize });
            }
        }
        match dims[0].as_ref().and_then(|d| d.as_i64()) {
            Some(1) => batch_is_one = Some(true),
            Some(_) => violations.push(Violation::InputShape {
                role,
                name: name.to_owned(),
                seq_len: card.seq_len,
                found: shown,
            }),
            None => {
                batch_is_one.get_or_insert(false);
            }
        }
    }
    if violations.len() > before {
        return None;
    }
    Some(batch_is_one.unwrap_or(false))
}

/// Points the model's outputs at (scores, attention); false if a named tensor is missing.
fn select_outputs(card: &ModelCard, model: &mut InferenceModel, violations: &mut Vec<Violation>) -> bool {
    let current: Vec<String> = model
        .output_outlets()
        .map(|o| o.iter().map(|o| model.outlet_label(*o).unwrap_or(&model.node(o.node).name).to_owned()).collect())
        .unwrap_or_default();
    let found = if current.is_empty() {
        "none".to_owned()
    } else {
        current.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(", ")
    };
    let mut wanted: Vec<(&'static str, &str)> = vec![("scores", card.outputs.scores.as_str())];
    if let Some(a) = &card.outputs.attention {
        wanted.push(("attention", a.as_str()));
    }
    let mut ok = true;
    for (role, name) in &wanted {
        let known = model.find_outlet_label(name).is_some() || model.node_names().any(|n| n == *name);
        if !known {
            violations.push(Violation::MissingOutput { role, name: (*name).to_owned(), found: found.clone() });
            ok = false;
        }
    }
    ok && model.select_outputs_by_name(wanted.iter().map(|(_, n)| *n)).is_ok()
}

fn check_outputs(card: &ModelCard, model: &TypedModel, violations: &mut Vec<Violation>) -> Option<AttentionShape> {
    let describe = |fact: &TypedFact| {
        format!("[{}]", fact.shape.dims().iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", "))
    };
    let mut attention = None;
    // tract's output_fact panics on a missing index, so count first.
    let outputs = model.output_outlets().map(|o| o.len()).unwrap_or(0);
    let Some(scores) = (outputs > 0).then(|| model.output_fact(0).ok()).flatten() else { return None };
    let name = card.outputs.scores.clone();
    if scores.datum_type != f32::datum_type() {
        violations.push(Violation::OutputType { role: "scores", name: name.clone(), found: format!("{:?}", scores.datum_type) });
    }
    let dims = scores.shape.dims();
    if dims.len() != 2 {
        violations.push(Violation::ScoresShape { name, expected: card.num_items + 1, found: describe(scores) });
    } else if let Some(cols) = dims[1].as_i64() {
        if cols != i64::from(card.num_items) + 1 {
            violations.push(Violation::NumItemsMismatch { card: card.num_items, graph: cols as usize });
        }
    }
    let attention_fact = (outputs > 1).then(|| model.output_fact(1).ok()).flatten();
    if let (Some(name), Some(fact)) = (&card.outputs.attention, attention_fact) {
        if fact.datum_type != f32::datum_type() {
            violations.push(Violation::OutputType { role: "attention", name: name.clone(), found: format!("{:?}", fact.datum_type) });
        }
        let d: Vec<Option<i64>> = fact.shape.dims().iter().map(|d| d.as_i64()).collect();
        let seq = Some(card.seq_len as i64);
        match d.as_slice() {
            [_, Some(layers), Some(heads), q, k] if *q == seq && *k == seq && *layers > 0 && *heads > 0 => {
                attention = Some(AttentionShape { layers: *layers as usize, heads: *heads as usize })
            }
            _ => violations.push(Violation::AttentionShape { name: name.clone(), seq_len: card.seq_len, found: describe(fact) }),
        }
    }
    attention
}
