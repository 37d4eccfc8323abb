//! Errors of the explanation layer.

use thiserror::Error;
use whythis_model::ModelError;
use whythis_types::boundary::ErrorCode;

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

impl From<&ExplainError> for ErrorCode {
    /// Whose fault an explanation's failure is: the model layer's errors say so themselves.
    fn from(error: &ExplainError) -> ErrorCode {
        match error {
            ExplainError::Options(_) => ErrorCode::Options,
            ExplainError::Model(e) => e.into(),
        }
    }
}
