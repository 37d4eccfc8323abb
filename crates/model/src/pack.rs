//! Packing (docs/contract.md, "Packed models"): an ONNX model that passes the contract's checks, written
//! once as tract's NNEF form of its checked, decluttered graph, so a browser can run it without the ONNX
//! front end (protobuf parsing, the inference rules of tract-hir). What the checks found that NNEF does
//! not say (the batch, the attention shape, the item embeddings) goes in the card, beside the sha256
//! of every file.

use crate::error::ModelError;
use tract_nnef::framework::Nnef;
use tract_nnef::prelude::*;
use tract_nnef::registry::Registry;
use tract_nnef::tract_core::ops::nn::gelu_exact::GeluExact;
use tract_onnx_opl::WithOnnx;
#[cfg(feature = "onnx")]
use {
    crate::card::{ModelCard, PackedAttention, PackedFacts},
    crate::checked::CheckedGraph,
    crate::embedding::ItemEmbedding,
    crate::graph::check_graph,
    crate::integrity::sha256_hex,
};

/// A packed model: the files to write and the card that names them.
#[cfg(feature = "onnx")]
#[derive(Debug, Clone, PartialEq)]
pub struct Packed {
    /// The packed card: the original's fields, `nnef` and `packed` instead of `onnx`, and a sha256 for
    /// every file it names.
    pub card: ModelCard,
    /// The NNEF archive (a tar), deterministic: the same model packs to the same bytes.
    pub nnef: Vec<u8>,
    /// The item embeddings as little-endian float32, when the card names them.
    pub embedding: Option<Vec<u8>>,
}

/// The NNEF reader and writer: tract's core operators, the ONNX-only ones of tract-onnx-opl, and
/// whythis's `whythis_gelu` extension.
fn framework() -> Nnef {
    // Declutter fuses the erf form of GELU (BERT4Rec's) into tract-core's GeluExact, for which tract
    // 0.23's NNEF has no name; without one the graph cannot be written at all (the graph before
    // declutter holds ONNX-front-end operators NNEF cannot write either). Its reader and writer are
    // tract's own unit element-wise op, registered under a name of ours.
    let mut gelu = Registry::new("whythis_gelu").with_doc("Extension `whythis_gelu`: tract-core's exact (erf) GELU.");
    gelu.register_unit_element_wise("whythis_gelu_exact", &GeluExact {});
    tract_nnef::nnef().with_onnx().with_registry(gelu)
}

/// Packs an ONNX model for its card. `stem` names the files (`<stem>.nnef.tar`, `<stem>.embedding.f32`);
/// `catalog`, the catalog's bytes, when the card names one, so its sha256 goes in the card too.
#[cfg(feature = "onnx")]
pub fn pack(card: &ModelCard, onnx: &[u8], stem: &str, catalog: Option<&[u8]>) -> Result<Packed, ModelError> {
    let violations = card.violations();
    if !violations.is_empty() {
        return Err(ModelError::Contract(violations));
    }
    if card.nnef.is_some() {
        return Err(ModelError::Nnef("the card is packed already".into()));
    }
    crate::integrity::verify(card, &card.onnx, onnx)?;
    let CheckedGraph { model, batch_is_one, attention, embedding, resolved_ifs } = check_graph(card, onnx)?;
    let nnef_error = |e: TractError| ModelError::Nnef(format!("tract could not write the graph as NNEF: {e:#}"));
    let model = model.into_decluttered().map_err(nnef_error)?;
    let nnef = framework().write_to_tar_with_config(&model, Vec::new(), false, true).map_err(nnef_error)?;
    let nnef_file = format!("{stem}.nnef.tar");
    let embedding_file = embedding.as_ref().map(|_| format!("{stem}.embedding.f32"));
    let embedding_bytes = embedding.as_ref().map(ItemEmbedding::to_le_bytes);
    let mut packed = card.clone();
    packed.sha256.clear();
    packed.sha256.insert(nnef_file.clone(), sha256_hex(&nnef));
    if let (Some(file), Some(bytes)) = (&embedding_file, &embedding_bytes) {
        packed.sha256.insert(file.clone(), sha256_hex(bytes));
    }
    if let (Some(file), Some(bytes)) = (&card.catalog, catalog) {
        packed.sha256.insert(file.clone(), sha256_hex(bytes));
    }
    packed.packed = Some(PackedFacts {
        batch_is_one,
        attention: attention.map(|a| PackedAttention { layers: a.layers, heads: a.heads }),
        embedding: embedding_file,
        embedding_dim: embedding.as_ref().map(ItemEmbedding::dim),
        resolved_ifs,
        from_onnx_sha256: sha256_hex(onnx),
    });
    packed.onnx = String::new();
    packed.nnef = Some(nnef_file);
    Ok(Packed { card: packed, nnef, embedding: embedding_bytes })
}

/// Reads a packed model's NNEF archive into the typed graph it was written from.
pub(crate) fn read_nnef(bytes: &[u8]) -> Result<TypedModel, ModelError> {
    framework().model_for_read(&mut &bytes[..]).map_err(|e| ModelError::Nnef(format!("the archive is not a model tract can read ({e:#})")))
}
