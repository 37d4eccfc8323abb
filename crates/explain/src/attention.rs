//! Attention (docs/explanations.md §3): where the last query slot looks, per window event. Read from the model,
//! never estimated: a model without an attention output gets none.

use crate::document::{AttentionEntry, AttentionLayers};
use whythis_model::{AttentionShape, Window};

/// The head-averaged [seq, seq] matrix of one layer.
fn layer_matrix(raw: &[f32], shape: AttentionShape, seq: usize, layer: usize) -> Vec<f32> {
    let mut m = vec![0.0f32; seq * seq];
    for h in 0..shape.heads {
        let start = (layer * shape.heads + h) * seq * seq;
        for (acc, v) in m.iter_mut().zip(&raw[start..start + seq * seq]) {
            *acc += v / shape.heads as f32;
        }
    }
    m
}

fn last_row_entries(window: &Window, matrix: &[f32]) -> Vec<AttentionEntry> {
    let seq = window.seq_len();
    let row = &matrix[(seq - 1) * seq..seq * seq];
    window.events().iter().map(|e| AttentionEntry { position: e.position, weight: row[window.slot_of(e.position)] }).collect()
}

/// The last layer's head-averaged attention of the last query slot onto each event's slot.
pub fn last_layer(window: &Window, raw: &[f32], shape: AttentionShape) -> Vec<AttentionEntry> {
    let m = layer_matrix(raw, shape, window.seq_len(), shape.layers - 1);
    last_row_entries(window, &m)
}

/// Every layer, and the rollout.
pub fn all_layers(window: &Window, raw: &[f32], shape: AttentionShape) -> AttentionLayers {
    let seq = window.seq_len();
    let mut layers = Vec::with_capacity(shape.layers);
    let mut rollout: Option<Vec<f32>> = None;
    for l in 0..shape.layers {
        let m = layer_matrix(raw, shape, seq, l);
        layers.push(last_row_entries(window, &m));
        let mut residual = m.clone();
        for (i, v) in residual.iter_mut().enumerate() {
            *v = 0.5 * *v + if i / seq == i % seq { 0.5 } else { 0.0 };
        }
        rollout = Some(match rollout {
            None => residual,
            Some(prev) => matmul(&residual, &prev, seq),
        });
    }
    AttentionLayers { layers, rollout: last_row_entries(window, &rollout.unwrap_or_default()) }
}

fn matmul(a: &[f32], b: &[f32], n: usize) -> Vec<f32> {
    let mut out = vec![0.0f32; n * n];
    for i in 0..n {
        for k in 0..n {
            let aik = a[i * n + k];
            if aik != 0.0 {
                for j in 0..n {
                    out[i * n + j] += aik * b[k * n + j];
                }
            }
        }
    }
    out
}
