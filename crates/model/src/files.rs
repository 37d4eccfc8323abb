//! Native only: reads a model card and the files it names from disk and hands their bytes to the core.

use crate::{Catalog, ModelCard, ModelError, Scorer};
use std::path::{Path, PathBuf};
use thiserror::Error;

/// A model, its card and its catalog, read from disk.
#[derive(Debug)]
pub struct LoadedModel {
    /// The loaded, checked model.
    pub scorer: Scorer,
    /// The catalog named by the card (empty when the card names none).
    pub catalog: Catalog,
    /// Where the card was read from.
    pub card_path: PathBuf,
}

/// An error reading model files: which file, and what went wrong.
#[derive(Debug, Error)]
pub enum FileError {
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    /// A file was read but its content is wrong.
    #[error("{path}: {source}")]
    Model { path: PathBuf, source: ModelError },
}

/// Reads a file, naming it in the error.
pub fn read(path: &Path) -> Result<Vec<u8>, FileError> {
    std::fs::read(path).map_err(|source| FileError::Read { path: path.to_owned(), source })
}

/// Reads a file that may be at most `max` bytes long, refusing a larger one before reading it.
pub fn read_at_most(path: &Path, what: &'static str, max: usize) -> Result<Vec<u8>, FileError> {
    let bytes = std::fs::metadata(path).map_err(|source| FileError::Read { path: path.to_owned(), source })?.len();
    if bytes > max as u64 {
        let source = ModelError::TooLarge { what, bytes: usize::try_from(bytes).unwrap_or(usize::MAX), max };
        return Err(FileError::Model { path: path.to_owned(), source });
    }
    read(path)
}

/// Reads a card, its model file (ONNX, or the packed NNEF form and its embedding file) and its catalog
/// (paths relative to the card), each checked against the card's sha256 when it gives one.
pub fn load_model(card_path: &Path) -> Result<LoadedModel, FileError> {
    let card = read_card(card_path)?;
    let dir = card_path.parent().unwrap_or(Path::new("."));
    let catalog = match &card.catalog {
        Some(name) => {
            let path = dir.join(name);
            let bytes = read_at_most(&path, "catalog", crate::catalog::MAX_CATALOG_BYTES)?;
            let model_error = |source| FileError::Model { path: path.clone(), source };
            crate::integrity::verify(&card, name, &bytes).map_err(model_error)?;
            Catalog::from_json(&bytes, card.num_items).map_err(model_error)?
        }
        None => Catalog::default(),
    };
    let scorer = match (&card.nnef, &card.packed) {
        (Some(nnef), Some(facts)) => {
            let nnef_path = dir.join(nnef);
            let bytes = read_at_most(&nnef_path, "packed model", crate::scorer::MAX_MODEL_BYTES)?;
            let embedding = match &facts.embedding {
                Some(name) => Some(read_at_most(&dir.join(name), "embedding", crate::scorer::MAX_MODEL_BYTES)?),
                None => None,
            };
            Scorer::load_packed(card.clone(), &bytes, embedding.as_deref()).map_err(|source| FileError::Model { path: nnef_path, source })?
        }
        #[cfg(feature = "onnx")]
        _ => {
            let onnx_path = dir.join(&card.onnx);
            let onnx = read_at_most(&onnx_path, "ONNX model", crate::scorer::MAX_MODEL_BYTES)?;
            Scorer::load(card, &onnx).map_err(|source| FileError::Model { path: onnx_path, source })?
        }
        #[cfg(not(feature = "onnx"))]
        _ => return Err(FileError::Model { path: card_path.to_owned(), source: ModelError::PackedOnly }),
    };
    Ok(LoadedModel { scorer, catalog, card_path: card_path.to_owned() })
}

/// Reads and parses a card alone.
pub fn read_card(card_path: &Path) -> Result<ModelCard, FileError> {
    ModelCard::from_json(&read_at_most(card_path, "model card", crate::card::MAX_CARD_BYTES)?).map_err(|source| FileError::Model { path: card_path.to_owned(), source })
}
