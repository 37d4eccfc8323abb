//! tract against onnxruntime on the same real windows: every score within 1e-4, identical top-10 lists.
//! onnxruntime runs in Python (tools/parity/ort_scores.py); `.ci/run` installs it.

mod common;

use common::{load, onnxruntime_scores, real_histories};
use whythis::model::{Candidates, Window};

fn check_parity(card: &str) {
    let model = load(card);
    let c = model.scorer.card();
    let windows: Vec<Window> = real_histories().iter().map(|(_, h)| Window::new(c, h).unwrap()).collect();
    assert!(windows.len() >= 20, "enough real windows");
    let slots: Vec<_> = windows.iter().map(Window::slots).collect();
    let ours = model.scorer.score(&slots).unwrap();
    let theirs = onnxruntime_scores(card, &slots);
    assert_eq!(ours.len(), theirs.len());
    for (i, (a, b)) in ours.iter().zip(&theirs).enumerate() {
        assert_eq!(a.len(), b.len());
        let worst = a.iter().zip(b).skip(1).map(|(x, y)| (x - y).abs()).fold(0.0f32, f32::max);
        assert!(worst <= 1e-4, "{card}, window {i}: scores differ by {worst}");
        let cands = Candidates::for_window(&windows[i], c.num_items, false);
        let top_a: Vec<_> = cands.top_k(a, 10).iter().map(|r| r.item).collect();
        let top_b: Vec<_> = cands.top_k(b, 10).iter().map(|r| r.item).collect();
        assert_eq!(top_a, top_b, "{card}, window {i}: top-10 lists differ");
    }
}

#[test]
fn sasrec_matches_onnxruntime() {
    check_parity("models/sasrec.card.json");
}

#[test]
fn gru4rec_matches_onnxruntime() {
    check_parity("models/gru4rec.card.json");
}

#[test]
fn dynamo_export_matches_onnxruntime() {
    check_parity("tests/fixtures/sasrec_dynamo.card.json");
}
