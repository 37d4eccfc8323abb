//! Control flow in an exported graph (docs/contract.md, "Control flow"), settled before tract types it.
//!
//! PyTorch's TorchScript exporter turns some shape-dependent Python into an ONNX `If` (RecBole's
//! `gather_indexes` squeezes a dimension only when it is 1) whose two branches produce different
//! shapes. onnxruntime picks a branch at run time; tract types both and refuses them. With the window
//! length fixed by the card such a condition is a constant, so it is worked out here and the `If` is
//! replaced, in the ONNX protobuf, by the branch it takes. The condition is evaluated by tract's own
//! inference, which folds shapes and constants, on a copy of the graph whose inputs have the card's
//! shape `[batch, seq_len]`. A condition that stays open is refused with a
//! [`ControlFlowRefusal`] that says why; so is every `Loop`, which tract does not run.

use crate::error::ModelError;
use crate::ControlFlowRefusal;
use std::collections::{HashMap, HashSet};
use tract_onnx::pb::{GraphProto, ModelProto, NodeProto};
use tract_onnx::prelude::*;
use tract_onnx::tract_hir::infer::Factoid;

/// How many rounds of resolution a graph may need: a taken branch can hold an `If` of its own,
/// settled in the next round. Real exports nest one or two deep; a hostile file cannot make whythis loop.
const MAX_ROUNDS: usize = 16;

/// The ops that make a value depend on an input's shape only, not on its values.
const SHAPE_OPS: [&str; 2] = ["Shape", "Size"];

/// Refuses the first `Loop` of the graph: tract has no ONNX `Loop`, and its own message would not say
/// what to change in the export.
pub fn refuse_loops(graph: &GraphProto) -> Result<(), ModelError> {
    match graph.node.iter().find(|n| is_op(n, "Loop")) {
        Some(node) => Err(ModelError::ControlFlow(ControlFlowRefusal::Loop { node: node_label(node) })),
        None => Ok(()),
    }
}

/// Replaces every `If` of the graph whose condition follows from the card's shapes and the graph's
/// constants by the branch it takes, and returns how many were replaced; refuses the first one that
/// cannot be settled. `inputs` are the graph inputs the card maps, all int64 `[batch, seq_len]`.
pub fn resolve(
    framework: &tract_onnx::Onnx,
    proto: &mut ModelProto,
    inputs: &[&str],
    seq_len: usize,
    batch_is_one: bool,
) -> Result<usize, ModelError> {
    let mut resolved = 0;
    for _ in 0..MAX_ROUNDS {
        let Some(graph) = proto.graph.as_ref() else { return Ok(resolved) };
        refuse_loops(graph)?;
        let ifs: Vec<usize> = graph.node.iter().enumerate().filter(|(_, n)| is_op(n, "If")).map(|(i, _)| i).collect();
        let Some(&first) = ifs.first() else { return Ok(resolved) };
        let found = conditions(framework, proto, inputs, seq_len, batch_is_one)?;
        if !batch_is_one {
            // The batch decides an If when fixing it to 1 settles the condition otherwise than leaving it
            // open does: left undecided, or folded by tract as if the batch were not 1, which a single
            // window's call would contradict.
            let with_one = conditions(framework, proto, inputs, seq_len, true)?;
            if let Some(&ix) = ifs.iter().find(|i| with_one[*i].is_some() && with_one[*i] != found[*i]) {
                let graph = proto.graph.as_ref().expect("checked above");
                return Err(ModelError::ControlFlow(ControlFlowRefusal::BatchDependent { node: node_label(&graph.node[ix]) }));
            }
        }
        let decided: Vec<(usize, bool)> = ifs.iter().filter_map(|&i| found[&i].map(|c| (i, c))).collect();
        if decided.is_empty() {
            let undecided = ifs.iter().copied().find(|i| found[i].is_none()).unwrap_or(first);
            let graph = proto.graph.as_ref().expect("checked above");
            return Err(ModelError::ControlFlow(classify(graph, undecided)));
        }
        let graph = proto.graph.as_mut().expect("checked above");
        // From the last to the first, so the positions of the others stay valid.
        for &(ix, taken) in decided.iter().rev() {
            inline(graph, ix, taken)?;
            resolved += 1;
        }
    }
    let node = proto.graph.as_ref().and_then(|g| g.node.iter().find(|n| is_op(n, "If"))).map(node_label);
    Err(ModelError::ControlFlow(ControlFlowRefusal::Undecided { node: node.unwrap_or_default() }))
}

/// The value of each top-level `If`'s condition (by node position), as far as tract's inference folds
/// it with the inputs shaped `[batch, seq_len]` (batch 1 when `batch_is_one`).
fn conditions(
    framework: &tract_onnx::Onnx,
    proto: &ModelProto,
    inputs: &[&str],
    seq_len: usize,
    batch_is_one: bool,
) -> Result<HashMap<usize, Option<bool>>, ModelError> {
    let parsed = framework.parse(proto, None).map_err(|e| ModelError::Onnx(format!("{e:#}")))?;
    let mut model = parsed.model;
    let batch: TDim = if batch_is_one { 1.into() } else { model.symbols.sym("batch").into() };
    let fact = InferenceFact::dt_shape(i64::datum_type(), tvec![batch, seq_len.to_dim()]);
    for name in inputs {
        if let Some(outlet) = parsed.outlets_by_name.get(*name) {
            model.set_outlet_fact(*outlet, fact.clone()).map_err(|e| ModelError::Onnx(format!("{e:#}")))?;
        }
    }
    // Obstinate: an `If` that cannot be typed yet must not stop the folding of the others' conditions.
    let _ = model.analyse(true);
    let graph = proto.graph.as_ref().expect("the caller checked it");
    let mut found = HashMap::new();
    for (ix, node) in graph.node.iter().enumerate().filter(|(_, n)| is_op(n, "If")) {
        let value = node
            .input
            .first()
            .and_then(|cond| parsed.outlets_by_name.get(cond))
            .and_then(|outlet| model.outlet_fact(*outlet).ok())
            .and_then(|fact| fact.value.concretize())
            .filter(|t| t.len() == 1)
            .and_then(|t| t.cast_to_scalar::<bool>().ok());
        found.insert(ix, value);
    }
    Ok(found)
}

/// Why the `If` at `ix` stays open (the batch was ruled out by the caller): its condition reads an
/// input's values, or something whythis cannot fold.
fn classify(graph: &GraphProto, ix: usize) -> ControlFlowRefusal {
    let node = node_label(&graph.node[ix]);
    match value_dependency(graph, &graph.node[ix]) {
        Some(input) => ControlFlowRefusal::DataDependent { node, input },
        None => ControlFlowRefusal::Undecided { node },
    }
}

/// The graph input whose values (not only its shape) the node's condition is computed from, if any.
fn value_dependency(graph: &GraphProto, node: &NodeProto) -> Option<String> {
    let producers: HashMap<&str, &NodeProto> =
        graph.node.iter().flat_map(|n| n.output.iter().map(move |o| (o.as_str(), n))).collect();
    let graph_inputs: HashSet<&str> = graph.input.iter().map(|i| i.name.as_str()).collect();
    let initializers: HashSet<&str> = graph.initializer.iter().map(|t| t.name.as_str()).collect();
    let mut stack: Vec<&str> = node.input.first().map(String::as_str).into_iter().collect();
    let mut seen = HashSet::new();
    while let Some(name) = stack.pop() {
        if !seen.insert(name) || initializers.contains(name) {
            continue;
        }
        if graph_inputs.contains(name) {
            return Some(name.to_owned());
        }
        if let Some(producer) = producers.get(name) {
            if !SHAPE_OPS.contains(&producer.op_type.as_str()) {
                stack.extend(producer.input.iter().filter(|i| !i.is_empty()).map(String::as_str));
                // A nested graph's nodes may read outer values the node does not list.
                for attr in &producer.attribute {
                    for g in attr.g.iter().chain(&attr.graphs) {
                        stack.extend(outer_reads(g));
                    }
                }
            }
        }
    }
    None
}

/// The names a subgraph reads that it does not produce itself: values of the enclosing scope.
fn outer_reads(graph: &GraphProto) -> Vec<&str> {
    let own: HashSet<&str> = graph
        .node
        .iter()
        .flat_map(|n| n.output.iter().map(String::as_str))
        .chain(graph.initializer.iter().map(|t| t.name.as_str()))
        .chain(graph.input.iter().map(|i| i.name.as_str()))
        .collect();
    let mut reads: Vec<&str> = Vec::new();
    for node in &graph.node {
        reads.extend(node.input.iter().map(String::as_str).filter(|i| !i.is_empty() && !own.contains(i)));
        for attr in &node.attribute {
            for g in attr.g.iter().chain(&attr.graphs) {
                reads.extend(outer_reads(g).into_iter().filter(|i| !own.contains(i)));
            }
        }
    }
    reads
}

/// Replaces the `If` at `ix` by the nodes of the branch it takes, followed by an Identity per output
/// that gives the branch's result the `If`'s output name. The branch's nodes read outer values
/// defined before the `If`, so they take its place in the node order.
fn inline(graph: &mut GraphProto, ix: usize, taken: bool) -> Result<(), ModelError> {
    let node = graph.node.remove(ix);
    let label = node_label(&node);
    let key = if taken { "then_branch" } else { "else_branch" };
    let branch = node
        .attribute
        .iter()
        .find(|a| a.name == key)
        .and_then(|a| a.g.clone())
        .ok_or_else(|| ModelError::Onnx(format!("node \"{label}\" (If) has no {key}")))?;
    if branch.output.len() != node.output.len() {
        return Err(ModelError::Onnx(format!(
            "node \"{label}\" (If) has {} outputs but its {key} produces {}",
            node.output.len(),
            branch.output.len()
        )));
    }
    let mut nodes = branch.node;
    // Node names only label nodes, but tract wants them distinct, and a branch's often repeat the outer
    // graph's ("/Squeeze"): they are prefixed with the If's.
    for n in &mut nodes {
        if !n.name.is_empty() {
            n.name = format!("{label}/{}", n.name);
        }
    }
    for (from, to) in branch.output.iter().zip(&node.output) {
        if to.is_empty() {
            continue;
        }
        nodes.push(NodeProto {
            name: format!("{label}/{key}:{to}"),
            op_type: "Identity".into(),
            input: vec![from.name.clone()],
            output: vec![to.clone()],
            ..NodeProto::default()
        });
    }
    graph.initializer.extend(branch.initializer);
    graph.sparse_initializer.extend(branch.sparse_initializer);
    graph.node.splice(ix..ix, nodes);
    Ok(())
}

/// A standard-domain node of this op.
fn is_op(node: &NodeProto, op: &str) -> bool {
    node.op_type == op && (node.domain.is_empty() || node.domain == "ai.onnx")
}

/// The name a refusal gives a node: its own, or its first output's when it has none (as tract does).
fn node_label(node: &NodeProto) -> String {
    if node.name.is_empty() {
        node.output.first().cloned().unwrap_or_default()
    } else {
        node.name.clone()
    }
}

