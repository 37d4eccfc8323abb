//! `whythis pack CARD --out DIR`: the model checked as `whythis check` does, then written in tract's
//! NNEF form with a card that names it and the sha256 of every file (docs/contract.md, "Packed models").

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use whythis::files::{self, FileError};
use whythis::model::pack::pack;
use whythis::model::{catalog::MAX_CATALOG_BYTES, scorer::MAX_MODEL_BYTES};

/// Arguments of `whythis pack`.
#[derive(clap::Args)]
pub struct Args {
    /// The model card of an ONNX model (*.card.json).
    card: PathBuf,
    /// The directory to write the packed card, model, embeddings and catalog to (created if missing;
    /// files of the same names are replaced).
    #[arg(long)]
    out: PathBuf,
    /// The packed files' common name (`<stem>.card.json`, `<stem>.nnef.tar`, …); by default the card's
    /// own (`sasrec` for sasrec.card.json), so a pack beside the ONNX card needs another.
    #[arg(long)]
    stem: Option<String>,
}

pub fn run(args: &Args) -> Result<ExitCode, String> {
    let card = files::read_card(&args.card).map_err(|e| e.to_string())?;
    let dir = args.card.parent().unwrap_or(Path::new("."));
    if card.nnef.is_some() {
        return Err(format!("{}: the card is packed already (it names \"nnef\"); pack the ONNX model's card", args.card.display()));
    }
    let onnx_path = dir.join(&card.onnx);
    let onnx = files::read_at_most(&onnx_path, "ONNX model", MAX_MODEL_BYTES).map_err(|e| e.to_string())?;
    let catalog = match &card.catalog {
        Some(name) => Some(files::read_at_most(&dir.join(name), "catalog", MAX_CATALOG_BYTES).map_err(|e| e.to_string())?),
        None => None,
    };
    // The catalog is written beside the packed card under its own file name, wherever the card had it.
    let mut card = card;
    card.catalog = card.catalog.as_deref().map(|c| Path::new(c).file_name().and_then(|n| n.to_str()).unwrap_or("catalog.json").to_string());
    let stem = match &args.stem {
        Some(s) if s.is_empty() || s.contains(['/', '\\']) => return Err(format!("--stem \"{s}\" must be a file name: not empty, no '/' or '\\'")),
        Some(s) => s.clone(),
        None => stem(&args.card),
    };
    let same_file = |a: &Path, b: &Path| matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y);
    if same_file(&args.out.join(format!("{stem}.card.json")), &args.card) {
        return Err(format!("{}: packing would overwrite the card it packs; give --out another directory or --stem another name", args.card.display()));
    }
    let packed = pack(&card, &onnx, &stem, catalog.as_deref()).map_err(|source| FileError::Model { path: onnx_path, source }.to_string())?;
    std::fs::create_dir_all(&args.out).map_err(|e| format!("cannot create {}: {e}", args.out.display()))?;
    let write = |name: &str, bytes: &[u8]| {
        let path = args.out.join(name);
        std::fs::write(&path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
    };
    let nnef_name = packed.card.nnef.clone().unwrap_or_default();
    write(&nnef_name, &packed.nnef)?;
    if let (Some(name), Some(bytes)) = (packed.card.packed.as_ref().and_then(|f| f.embedding.clone()), &packed.embedding) {
        write(&name, bytes)?;
    }
    if let (Some(name), Some(bytes)) = (&card.catalog, &catalog) {
        write(name, bytes)?;
    }
    let mut json = serde_json::to_vec_pretty(&packed.card).map_err(|e| format!("cannot write the packed card: {e}"))?;
    json.push(b'\n');
    let card_name = format!("{stem}.card.json");
    write(&card_name, &json)?;
    // What was written must load: the same check `whythis check` runs.
    let packed_card = args.out.join(&card_name);
    files::load_model(&packed_card).map_err(|e| format!("the packed model does not load again: {e}"))?;
    println!("packed    {} -> {}", args.card.display(), packed_card.display());
    for (file, hash) in &packed.card.sha256 {
        let bytes = std::fs::metadata(args.out.join(file)).map(|m| m.len()).unwrap_or(0);
        println!("  {file:<28} {bytes:>10} bytes  sha256 {hash}");
    }
    Ok(ExitCode::SUCCESS)
}

/// The card's file name without `.card.json` (or its extension): the packed files' common stem.
fn stem(card: &Path) -> String {
    let name = card.file_name().and_then(|n| n.to_str()).unwrap_or("model");
    name.strip_suffix(".card.json").or_else(|| name.rsplit_once('.').map(|(s, _)| s)).unwrap_or(name).to_string()
}
