//! Errors of the explanation layer.

use crate::model::ModelError;
use thiserror::Error;

/// Why an explanation could not be made.
#[derive(Debug, Error)]
pub enum ExplainError {
    /// The model layer refused the input or failed to score.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// The options ask for something impossible.
    #[error("invalid options: {0}")]
    Options(String),
}
