//! Control flow settled at load (docs/contract.md, "Control flow"), on small graphs written here so each
//! rule is met alone: a shape-constant `If` takes the branch its condition names, nested ones too; an
//! `If` on the items' values, on the batch size, and every `Loop` are refused in sentences.
//!
//! The graphs score `x = float(item_ids) · W` ([batch, 50] · [50, 21]); the `If` under test returns `x`
//! from one branch and `-x` with an extra unit dimension from the other, so tract cannot type the `If`
//! as it stands and the scores say which branch was taken.

use prost::Message;
use tract_onnx::pb::{
    attribute_proto::AttributeType, tensor_proto::DataType, tensor_shape_proto::dimension, tensor_shape_proto::Dimension,
    type_proto, AttributeProto, GraphProto, ModelProto, NodeProto, OperatorSetIdProto, TensorProto, TensorShapeProto,
    TypeProto, ValueInfoProto,
};
use whythis::model::{ControlFlowRefusal, History, ModelCard, ModelError, Scorer, Window};

const SEQ_LEN: usize = 50;
const NUM_ITEMS: usize = 20;

fn card() -> ModelCard {
    let json = serde_json::json!({
        "format": "whythis-model/1",
        "onnx": "control_flow.onnx",
        "seq_len": SEQ_LEN,
        "num_items": NUM_ITEMS,
        "inputs": { "item_ids": "item_ids", "action_types": null },
        "outputs": { "scores": "scores", "attention": null },
    });
    ModelCard::from_json(json.to_string().as_bytes()).unwrap()
}

fn node(op: &str, name: &str, inputs: &[&str], outputs: &[&str], attributes: Vec<AttributeProto>) -> NodeProto {
    NodeProto {
        op_type: op.into(),
        name: name.into(),
        input: inputs.iter().map(|s| s.to_string()).collect(),
        output: outputs.iter().map(|s| s.to_string()).collect(),
        attribute: attributes,
        ..NodeProto::default()
    }
}

fn int_attr(name: &str, value: i64) -> AttributeProto {
    AttributeProto { name: name.into(), r#type: AttributeType::Int as i32, i: value, ..AttributeProto::default() }
}

fn graph_attr(name: &str, g: GraphProto) -> AttributeProto {
    AttributeProto { name: name.into(), r#type: AttributeType::Graph as i32, g: Some(g), ..AttributeProto::default() }
}

fn int64s(name: &str, dims: &[i64], values: &[i64]) -> TensorProto {
    TensorProto { name: name.into(), dims: dims.to_vec(), data_type: DataType::Int64 as i32, int64_data: values.to_vec(), ..TensorProto::default() }
}

fn floats(name: &str, dims: &[i64], values: Vec<f32>) -> TensorProto {
    TensorProto { name: name.into(), dims: dims.to_vec(), data_type: DataType::Float as i32, float_data: values, ..TensorProto::default() }
}

fn value_info(name: &str, elem: DataType, dims: &[Option<i64>]) -> ValueInfoProto {
    let dim = dims
        .iter()
        .map(|d| Dimension {
            value: Some(match d {
                Some(n) => dimension::Value::DimValue(*n),
                None => dimension::Value::DimParam("batch".into()),
            }),
            ..Dimension::default()
        })
        .collect();
    let tensor = type_proto::Tensor { elem_type: elem as i32, shape: Some(TensorShapeProto { dim }) };
    ValueInfoProto { name: name.into(), r#type: Some(TypeProto { value: Some(type_proto::Value::TensorType(tensor)), ..TypeProto::default() }), ..ValueInfoProto::default() }
}

/// The weights: W[s][i] = ((s * 7 + i * 3) % 11 - 5) / 10.
fn weights() -> Vec<f32> {
    (0..SEQ_LEN).flat_map(|s| (0..=NUM_ITEMS).map(move |i| ((s * 7 + i * 3) % 11) as f32 / 10.0 - 0.5)).collect()
}

/// A branch graph producing `out` from the outer `x`: `x` itself, or `-x` unsqueezed to [batch, 1, 21].
fn branch(identity: bool, out: &str) -> GraphProto {
    let nodes = if identity {
        vec![node("Identity", "keep", &["x"], &[out], vec![])]
    } else {
        vec![node("Neg", "negate", &["x"], &["negated"], vec![]), node("Unsqueeze", "unit", &["negated", "one"], &[out], vec![])]
    };
    GraphProto {
        name: format!("{out}_branch"),
        node: nodes,
        initializer: if identity { vec![] } else { vec![int64s("one", &[1], &[1])] },
        output: vec![ValueInfoProto { name: out.into(), ..ValueInfoProto::default() }],
        ..GraphProto::default()
    }
}

/// The scoring graph, with `cond` (a bool scalar named "cond") computed by `condition` and an `If` on
/// it between `x` and `-x`; `then_branch` may be replaced (for nesting).
fn model(condition: Vec<NodeProto>, then_branch: GraphProto, batch: Option<i64>) -> Vec<u8> {
    let mut nodes = vec![
        node("Cast", "as_float", &["item_ids"], &["items_f"], vec![int_attr("to", DataType::Float as i64)]),
        node("MatMul", "project", &["items_f", "w"], &["x"], vec![]),
    ];
    nodes.extend(condition);
    nodes.push(node(
        "If",
        "/If",
        &["cond"],
        &["chosen"],
        vec![graph_attr("then_branch", then_branch), graph_attr("else_branch", branch(false, "else_out"))],
    ));
    nodes.push(node("Reshape", "flatten", &["chosen", "row"], &["scores"], vec![]));
    let graph = GraphProto {
        name: "control_flow".into(),
        node: nodes,
        initializer: vec![
            floats("w", &[SEQ_LEN as i64, NUM_ITEMS as i64 + 1], weights()),
            int64s("row", &[2], &[-1, NUM_ITEMS as i64 + 1]),
            int64s("seq_axis", &[], &[1]),
            int64s("batch_axis", &[], &[0]),
            int64s("fifty", &[], &[SEQ_LEN as i64]),
            int64s("forty_nine", &[], &[SEQ_LEN as i64 - 1]),
            int64s("zero", &[], &[0]),
            int64s("one_batch", &[], &[1]),
        ],
        input: vec![value_info("item_ids", DataType::Int64, &[batch, Some(SEQ_LEN as i64)])],
        output: vec![value_info("scores", DataType::Float, &[batch, Some(NUM_ITEMS as i64 + 1)])],
        ..GraphProto::default()
    };
    let proto = ModelProto {
        ir_version: 8,
        opset_import: vec![OperatorSetIdProto { domain: String::new(), version: 17 }],
        graph: Some(graph),
        ..ModelProto::default()
    };
    proto.encode_to_vec()
}

/// `cond = Shape(item_ids)[axis] == constant`.
fn shape_condition(axis: &str, constant: &str) -> Vec<NodeProto> {
    vec![
        node("Shape", "shape", &["item_ids"], &["shape"], vec![]),
        node("Gather", "dim", &["shape", axis], &["dim"], vec![int_attr("axis", 0)]),
        node("Equal", "is", &["dim", constant], &["cond"], vec![]),
    ]
}

/// The scores the graph gives a history when the `If` takes `x` (sign 1) or `-x` (sign -1).
fn expected(history: &History, sign: f32) -> Vec<f32> {
    let slots = Window::new(&card(), history).unwrap().slots();
    let w = weights();
    (0..=NUM_ITEMS)
        .map(|i| sign * slots.items.iter().enumerate().map(|(s, &v)| v as f32 * w[s * (NUM_ITEMS + 1) + i]).sum::<f32>())
        .collect()
}

fn scores(scorer: &Scorer, history: &History) -> Vec<f32> {
    let slots = Window::new(scorer.card(), history).unwrap().slots();
    scorer.score(&[slots]).unwrap().remove(0)
}

fn assert_close(a: &[f32], b: &[f32]) {
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(b) {
        assert!((x - y).abs() <= 1e-3 * (1.0 + y.abs()), "{x} vs {y}");
    }
}

fn refusal(bytes: &[u8]) -> (ControlFlowRefusal, String) {
    match Scorer::load(card(), bytes) {
        Ok(_) => panic!("the graph loaded, but its control flow cannot be settled"),
        Err(ModelError::ControlFlow(r)) => {
            let text = ModelError::ControlFlow(r.clone()).to_string();
            (r, text)
        }
        Err(e) => panic!("expected a control-flow refusal, got: {e}"),
    }
}

#[test]
fn a_shape_constant_if_takes_the_branch_its_condition_names() {
    let history = History::from_items([3, 1, 4, 1, 5, 9, 2, 6]);
    // seq_len == 50 holds: the then branch (x).
    let holds = Scorer::load(card(), &model(shape_condition("seq_axis", "fifty"), branch(true, "then_out"), None)).unwrap();
    assert_eq!(holds.resolved_ifs(), 1);
    assert_close(&scores(&holds, &history), &expected(&history, 1.0));
    // seq_len == 49 fails: the else branch (-x, with a unit dimension the Reshape removes).
    let fails = Scorer::load(card(), &model(shape_condition("seq_axis", "forty_nine"), branch(true, "then_out"), None)).unwrap();
    assert_eq!(fails.resolved_ifs(), 1);
    assert_close(&scores(&fails, &history), &expected(&history, -1.0));
}

#[test]
fn an_if_inside_the_taken_branch_is_settled_in_the_next_round() {
    // The then branch holds its own shape-constant If (on the outer input's shape), which takes -x.
    let mut inner = GraphProto {
        name: "nested".into(),
        node: shape_condition("seq_axis", "forty_nine").into_iter().map(|mut n| {
            n.name = format!("inner_{}", n.name);
            n
        }).collect(),
        output: vec![ValueInfoProto { name: "then_out".into(), ..ValueInfoProto::default() }],
        ..GraphProto::default()
    };
    inner.node.push(node(
        "If",
        "/inner/If",
        &["cond"],
        &["then_out"],
        vec![graph_attr("then_branch", branch(true, "inner_then")), graph_attr("else_branch", branch(false, "inner_else"))],
    ));
    let scorer = Scorer::load(card(), &model(shape_condition("seq_axis", "fifty"), inner, None)).unwrap();
    assert_eq!(scorer.resolved_ifs(), 2);
    let history = History::from_items([7, 7, 20, 1]);
    assert_close(&scores(&scorer, &history), &expected(&history, -1.0));
}

#[test]
fn an_if_on_the_visitors_items_is_refused_naming_node_and_input() {
    let condition = vec![
        node("ReduceSum", "total", &["item_ids"], &["total"], vec![int_attr("keepdims", 0)]),
        node("Greater", "positive", &["total", "zero"], &["cond"], vec![]),
    ];
    let (r, text) = refusal(&model(condition, branch(true, "then_out"), None));
    assert_eq!(r, ControlFlowRefusal::DataDependent { node: "/If".into(), input: "item_ids".into() });
    assert!(text.contains("\"/If\"") && text.contains("visitor's data") && text.contains("dynamo=True"), "{text}");
}

#[test]
fn an_if_on_an_open_batch_is_refused_and_a_fixed_batch_of_one_settles_it() {
    let (r, text) = refusal(&model(shape_condition("batch_axis", "one_batch"), branch(true, "then_out"), None));
    assert_eq!(r, ControlFlowRefusal::BatchDependent { node: "/If".into() });
    assert!(text.contains("batch size") && text.contains("fixed to 1"), "{text}");
    // The same graph exported with the batch fixed to 1: the condition holds, the then branch is taken.
    let fixed = Scorer::load(card(), &model(shape_condition("batch_axis", "one_batch"), branch(true, "then_out"), Some(1))).unwrap();
    assert!(!fixed.batches());
    let history = History::from_items([2, 4, 8, 16]);
    assert_close(&scores(&fixed, &history), &expected(&history, 1.0));
}

#[test]
fn a_loop_is_refused_naming_the_node_and_what_to_export_instead() {
    let mut proto = ModelProto::decode(&model(shape_condition("seq_axis", "fifty"), branch(true, "then_out"), None)[..]).unwrap();
    let graph = proto.graph.as_mut().unwrap();
    let body = GraphProto { name: "body".into(), ..GraphProto::default() };
    graph.node.insert(0, node("Loop", "/encoder/Loop", &["", ""], &["steps"], vec![graph_attr("body", body)]));
    let (r, text) = refusal(&proto.encode_to_vec());
    assert_eq!(r, ControlFlowRefusal::Loop { node: "/encoder/Loop".into() });
    assert!(text.contains("ONNX Loop") && text.contains("torch.nn.GRU"), "{text}");
}
