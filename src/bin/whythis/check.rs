//! `whythis check CARD`: what the model is, and whether it follows the contract.

use std::path::PathBuf;
use std::process::ExitCode;
use whythis::files::{self, FileError};
use whythis::model::{History, ModelError, Scorer, Window};

/// Arguments of `whythis check`.
#[derive(clap::Args)]
pub struct Args {
    /// The model card (*.card.json); its model file (ONNX or packed) and catalog are found beside it.
    card: PathBuf,
}

pub fn run(args: &Args) -> Result<ExitCode, String> {
    println!("card      {}", args.card.display());
    let loaded = match files::load_model(&args.card) {
        Ok(loaded) => loaded,
        Err(FileError::Model { path, source: ModelError::Contract(violations) }) => {
            println!("FAILED    {} breaks {} rule(s) of the whythis model contract:", path.display(), violations.len());
            for v in violations {
                println!("  - {v}");
            }
            return Ok(ExitCode::FAILURE);
        }
        Err(e) => {
            println!("FAILED    {e}");
            return Ok(ExitCode::FAILURE);
        }
    };
    let scorer = &loaded.scorer;
    let card = scorer.card();
    println!("model     {}", card.name.as_deref().unwrap_or("(unnamed)"));
    match (&card.nnef, &card.packed) {
        (Some(nnef), Some(facts)) => println!(
            "packed    {nnef} (tract NNEF; packed from an ONNX file of sha256 {}…), {} file(s) checked against the card's sha256",
            &facts.from_onnx_sha256[..facts.from_onnx_sha256.len().min(12)],
            card.sha256.len()
        ),
        _ => println!("onnx      {}", card.onnx),
    }
    let actions = match (&card.inputs.action_types, &card.actions) {
        (Some(name), Some(a)) => format!(", {name} int64 [batch, {}] ({} actions)", card.seq_len, a.len() - 1),
        _ => String::new(),
    };
    println!("inputs    {} int64 [batch, {}]{actions}", card.inputs.item_ids, card.seq_len);
    let attention = match scorer.attention_shape() {
        Some(a) => format!(
            "; {} float32 [batch, {}, {}, {}, {}]",
            card.outputs.attention.as_deref().unwrap_or_default(),
            a.layers,
            a.heads,
            card.seq_len,
            card.seq_len
        ),
        None => "; no attention (every explanation but attention works)".into(),
    };
    println!("outputs   {} float32 [batch, {}]{attention}", card.outputs.scores, card.num_items + 1);
    match scorer.resolved_ifs() {
        0 => {}
        n => println!("control   {n} shape-constant If node(s) replaced by the branch they take (docs/contract.md, Control flow)"),
    }
    println!("batch     {}", if scorer.batches() { "dynamic" } else { "fixed to 1 (one tract call per window)" });
    match (scorer.embedding(), &card.item_embedding) {
        (Some(e), Some(name)) => println!(
            "embedding {name} [{}, {}] (item similarity on)",
            card.num_items + 1,
            e.row(0).map_or(0, <[f32]>::len)
        ),
        _ => println!("embedding none (item similarity off)"),
    }
    println!("catalog   {} items named", loaded.catalog.len());
    match smoke_test(scorer) {
        Ok(()) => println!("run       a cold-start window and a batch of 3 windows scored; batched rows match single runs"),
        Err(e) => {
            println!("FAILED    {e}");
            return Ok(ExitCode::FAILURE);
        }
    }
    println!("OK        the model follows the whythis model contract");
    Ok(ExitCode::SUCCESS)
}

/// Runs the model as explanations will: a cold start, then a batch whose rows must equal single runs.
fn smoke_test(scorer: &Scorer) -> Result<(), String> {
    let card = scorer.card();
    let n = i64::from(card.num_items);
    let histories = [vec![], vec![1], (0..card.seq_len as i64 + 3).map(|i| 1 + (i * 7919) % n).collect()];
    let windows: Vec<_> = histories
        .iter()
        .map(|h| Window::new(card, &History::from_items(h.iter().copied())).map(|w| w.slots()))
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    let batched = scorer.score(&windows).map_err(|e| e.to_string())?;
    for (i, w) in windows.iter().enumerate() {
        let single = scorer.score(std::slice::from_ref(w)).map_err(|e| e.to_string())?;
        let worst = single[0].iter().zip(&batched[i]).map(|(a, b)| (a - b).abs()).fold(0.0f32, f32::max);
        if worst > 1e-4 * (1.0 + single[0].iter().fold(0.0f32, |m, v| m.max(v.abs()))) {
            return Err(format!("window {i} scores differ by {worst} between a batch and a single run"));
        }
    }
    Ok(())
}
