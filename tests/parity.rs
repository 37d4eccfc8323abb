//! tract against onnxruntime on the same real windows: every score within 1e-4, identical top-10 lists.
//! onnxruntime runs in Python (tools/parity/ort_scores.py); `.ci/run` installs it.

mod common;

use common::{load, real_histories, repo};
use std::process::Command;
use whythis::model::{Candidates, Window};

fn onnxruntime_scores(card: &str, windows: &[whythis::model::Slots]) -> Vec<Vec<f32>> {
    let payload: Vec<serde_json::Value> = windows
        .iter()
        .map(|s| serde_json::json!({ "item_ids": s.items, "action_types": s.actions }))
        .collect();
    let path = std::env::temp_dir().join(format!("whythis-parity-{}-{}.json", std::process::id(), card.replace('/', "_")));
    std::fs::write(&path, serde_json::to_vec(&payload).unwrap()).unwrap();
    let python = std::env::var("WHYTHIS_PYTHON").unwrap_or_else(|_| "python3".into());
    let out = Command::new(&python)
        .arg(repo("tools/parity/ort_scores.py"))
        .arg(repo(card))
        .arg(&path)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {python}: {e}"));
    let _ = std::fs::remove_file(&path);
    assert!(out.status.success(), "onnxruntime failed: {}", String::from_utf8_lossy(&out.stderr));
    #[derive(serde::Deserialize)]
    struct Reply {
        scores: Vec<Vec<f32>>,
    }
    let reply: Reply = serde_json::from_slice(&out.stdout).expect("ort_scores.py prints JSON");
    reply.scores
}

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
