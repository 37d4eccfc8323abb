//! The graph half of the model contract (docs/contract.md §1): an ONNX graph is checked
//! against its card before tract runs it, every broken rule reported as a [`Violation`]. What passes
//! is a typed graph whose inputs are in role order (item_ids, then action_types) and whose outputs are
//! (scores, attention), so the scorer feeds and reads it by role whatever order the file declares.
//! Control flow is settled first ([`crate::control_flow`], docs/contract.md "Control flow").

use crate::checked::{AttentionShape, CheckedGraph};
use crate::Violation;
use crate::card::ModelCard;
use crate::control_flow;
use crate::embedding::ItemEmbedding;
use crate::error::ModelError;
use tract_onnx::prelude::*;
use tract_onnx::tract_hir::infer::Factoid;

/// Reads ONNX bytes and checks them against a card (whose own rules were already checked): every
/// rule the graph breaks is reported at once, as [`ModelError::Contract`].
pub fn check_graph(card: &ModelCard, onnx: &[u8]) -> Result<CheckedGraph, ModelError> {
    let mut violations = Vec::new();
    // Newer PyTorch exports carry value_info and output shapes that pin the batch to a value;
    // the contract's own checks below replace them.
    let framework = tract_onnx::onnx().with_ignore_output_shapes(true).with_ignore_value_info(true);
    let mut proto = framework
        .proto_model_for_read(&mut &onnx[..])
        .map_err(|e| ModelError::Onnx(format!("the bytes are not an ONNX protobuf ({e:#})")))?;
    let Some(graph) = proto.graph.as_ref() else {
        return Err(ModelError::Onnx("the file holds no graph".into()));
    };
    // tract panics on a graph output that nothing produces (the fuzzer found it) and indexes node
    // inputs by name unchecked; on wasm a panic cannot be contained.
    refuse_dangling_names(graph)?;
    control_flow::refuse_loops(graph)?;
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
    let mut model = framework.model_for_proto_model(&proto).map_err(|e| ModelError::Onnx(format!("{e:#}")))?;

    let inputs = check_inputs(card, &mut model, &mut violations);
    let outputs = select_outputs(card, &mut model, &mut violations);
    let (Some(batch_is_one), true) = (inputs, outputs) else {
        return Err(ModelError::Contract(violations));
    };

    let roles: Vec<&str> = std::iter::once(card.inputs.item_ids.as_str()).chain(card.inputs.action_types.as_deref()).collect();
    let resolved_ifs = control_flow::resolve(&framework, &mut proto, &roles, card.seq_len, batch_is_one)?;
    if resolved_ifs > 0 {
        // The rewritten graph is read again; its inputs and outputs are the ones just checked.
        refuse_dangling_names(proto.graph.as_ref().expect("resolution keeps the graph"))?;
        model = framework.model_for_proto_model(&proto).map_err(|e| ModelError::Onnx(format!("{e:#}")))?;
        let inputs = check_inputs(card, &mut model, &mut violations);
        if inputs.is_none() || !select_outputs(card, &mut model, &mut violations) {
            return Err(ModelError::Contract(violations));
        }
    }
    let batch: TDim = if batch_is_one { 1.into() } else { model.symbols.sym("batch").into() };
    let fact = InferenceFact::dt_shape(i64::datum_type(), tvec![batch, card.seq_len.to_dim()]);
    for ix in 0..model.input_outlets().map_err(onnx_error)?.len() {
        model.set_input_fact(ix, fact.clone()).map_err(onnx_error)?;
    }
    let typed = model.into_typed().map_err(|e| {
        ModelError::Onnx(format!("tract could not analyse the graph with int64 [batch, {}] inputs: {e:#}", card.seq_len))
    })?;
    let attention = check_outputs(card, &typed, &mut violations);
    if !violations.is_empty() {
        return Err(ModelError::Contract(violations));
    }
    Ok(CheckedGraph { model: typed, batch_is_one, attention, embedding, resolved_ifs })
}

fn onnx_error(e: TractError) -> ModelError {
    ModelError::Onnx(format!("{e:#}"))
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
    Ok(ItemEmbedding::new(shape[1], view.iter().copied().collect()))
}

/// Checks the graph's inputs, found by the names the card maps; returns whether the batch is fixed to 1,
/// or None if the inputs are unusable. On success the graph's inputs are put in role order
/// (item_ids, action_types): the order a file declares its inputs in is no part of the contract.
fn check_inputs(card: &ModelCard, model: &mut InferenceModel, violations: &mut Vec<Violation>) -> Option<bool> {
    let outlets = model.input_outlets().ok()?.to_vec();
    let names: Vec<String> = outlets.iter().map(|o| model.node(o.node).name.clone()).collect();
    let listed = || quoted(&names);
    let mut roles: Vec<(&'static str, &str)> = vec![("item_ids", card.inputs.item_ids.as_str())];
    if let Some(a) = &card.inputs.action_types {
        roles.push(("action_types", a.as_str()));
    }
    let before = violations.len();
    // An input no role names could not be fed: the model would fail, or silently read garbage.
    for name in &names {
        if !roles.iter().any(|(_, n)| n == name) {
            violations.push(Violation::ExtraInput { name: name.clone() });
        }
    }
    let mut batch_is_one = None;
    for &(role, name) in &roles {
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
    model.set_input_names(roles.iter().map(|(_, name)| *name)).ok()?;
    Some(batch_is_one.unwrap_or(false))
}

/// Points the model's outputs at (scores, attention); false if a named tensor is missing.
fn select_outputs(card: &ModelCard, model: &mut InferenceModel, violations: &mut Vec<Violation>) -> bool {
    let current: Vec<String> = model
        .output_outlets()
        .map(|o| o.iter().map(|o| model.outlet_label(*o).unwrap_or(&model.node(o.node).name).to_owned()).collect())
        .unwrap_or_default();
    let found = quoted(&current);
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

/// Tensor names as a refusal sentence lists them: `"a", "b"`, or `none`.
fn quoted(names: &[String]) -> String {
    if names.is_empty() {
        "none".to_owned()
    } else {
        names.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(", ")
    }
}
