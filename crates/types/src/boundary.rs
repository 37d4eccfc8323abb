//! What crosses to JavaScript besides the explanation document: the error every failure becomes (a
//! stable [`ErrorCode`] and a sentence), the `whythis-error` event's detail, and a feedback record.
//! Shared by the page's module (`whythis-page`, `whythis-ui`), the engine's module (`whythis-engine`) and the native
//! test that holds `pkg/index.d.ts` to these types, so it needs no browser and knows no UI.

use serde::{Deserialize, Serialize};

/// Whose fault a failure is, as hosts match on it (`whythis-error`'s `code`; `pkg/index.d.ts` lists the
/// same strings, checked by `tests/typescript.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorCode {
    /// The model card is missing, unreadable or not of this format.
    Card,
    /// The catalog is unreadable or does not fit the model.
    Catalog,
    /// The ONNX model is unreadable, breaks the model contract, or fails when it runs.
    Model,
    /// A file could not be downloaded.
    Fetch,
    /// The history is unreadable or names what the model does not know.
    History,
    /// No longer raised (kept for hosts that match on it): a history with no events now gets the
    /// model's picks for anyone, said in the panel, not an error.
    EmptyHistory,
    /// The options ask for something impossible.
    Options,
    /// The worker could not start or went away.
    Worker,
    /// The page's Trusted Types policy (its CSP `trusted-types`) would not let the worker start, so the
    /// engine runs on the page's main thread; the message names the policy to allow.
    TrustedTypes,
    /// A bug in whythis (a panic, or an answer it could not read).
    Internal,
    /// A "Was this helpful?" answer reached the page but could not be kept in the local log.
    FeedbackNotStored,
    /// A file's sha256 is not the one the model card names: the model or catalog was changed after
    /// the card was written, and is refused.
    Integrity,
}

impl ErrorCode {
    /// Every code, in declaration order.
    pub const ALL: [ErrorCode; 12] = [
        ErrorCode::Card,
        ErrorCode::Catalog,
        ErrorCode::Model,
        ErrorCode::Fetch,
        ErrorCode::History,
        ErrorCode::EmptyHistory,
        ErrorCode::Options,
        ErrorCode::Worker,
        ErrorCode::TrustedTypes,
        ErrorCode::Internal,
        ErrorCode::FeedbackNotStored,
        ErrorCode::Integrity,
    ];
}

/// An error as the panel shows it, as `whythis-error` reports it, and as the engine refuses a request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WidgetError {
    /// Whose fault it is.
    pub code: ErrorCode,
    /// A sentence for people; never a value from the history.
    pub message: String,
}

impl WidgetError {
    /// Builds an error.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> WidgetError {
        WidgetError { code, message: message.into() }
    }
}

/// `detail` of the `whythis-error` event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorDetail {
    /// The error's code.
    pub code: ErrorCode,
    /// Its sentence.
    pub message: String,
    /// The model card's name, or its URL when the model did not load.
    pub model: String,
}

/// One answer to "Was this helpful?", as dispatched in `whythis-feedback` and kept in the local log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedbackRecord {
    /// Unique per answer; a later reason for the same answer reuses it.
    pub id: String,
    /// The recommended item.
    pub item: u32,
    /// Its rank when rated.
    pub rank: u32,
    /// Yes (true) or No (false).
    pub helpful: bool,
    /// The optional reason the visitor typed.
    pub reason: Option<String>,
    /// Which explanation the visitor was looking at.
    pub kind: ExplanationKind,
    /// The narrative's template (the document's `narrative_template`), so answers can be compared per
    /// wording; absent from records written before it was kept.
    #[serde(default)]
    pub template: Option<String>,
    /// The model's id.
    pub model: String,
    /// When, as an ISO 8601 time.
    pub time: String,
}

/// Which explanation a "Was this helpful?" answer was about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExplanationKind {
    /// The short plain narrative (the deeper dive was closed).
    Narrative,
    /// The deeper dive (open when the visitor answered).
    DeepDive,
}

impl ExplanationKind {
    /// The name as written in the log.
    pub fn as_str(self) -> &'static str {
        match self {
            ExplanationKind::Narrative => "narrative",
            ExplanationKind::DeepDive => "deep_dive",
        }
    }
}

/// `detail` of the `whythis-feedback` event: the record, and whether the local log kept it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedbackDetail {
    /// The answer.
    #[serde(flatten)]
    pub record: FeedbackRecord,
    /// False when the local log could not keep it (a `feedback-not-stored` error follows).
    pub stored: bool,
}

/// `detail` of the `whythis-controls` event: the visitor's controls after a change, and what changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ControlsDetail {
    /// Every control now in force.
    pub controls: crate::explain::Controls,
    /// What changed, in the words the panel announced ("Not interested in …", "Undone: …").
    pub change: String,
    /// False when this device could not keep them (they apply until the page is left).
    pub stored: bool,
}

impl From<&crate::model::ModelError> for ErrorCode {
    /// Whose fault a model-layer failure is. Every variant is named, so a new one is a compile error
    /// here until someone decides whose fault it is.
    fn from(error: &crate::model::ModelError) -> ErrorCode {
        use crate::model::ModelError as M;
        match error {
            M::HistoryJson(_)
            | M::UnknownItem { .. }
            | M::UnknownAction { .. }
            | M::HistoryTooLong { .. }
            | M::NoCandidates => ErrorCode::History,
            // `item` of the options names an item that is not a candidate.
            M::NotACandidate(_) => ErrorCode::Options,
            M::CardJson(_) => ErrorCode::Card,
            M::CatalogJson(_) | M::Lookup(_) => ErrorCode::Catalog,
            M::Integrity { .. } => ErrorCode::Integrity,
            M::Onnx(_)
            | M::Nnef(_)
            | M::PackedOnly
            | M::Contract(_)
            | M::ControlFlow(_)
            | M::TooLarge { .. }
            | M::Run(_)
            | M::Panic(_)
            | M::Probe(_)
            | M::NotANumber { .. } => ErrorCode::Model,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ErrorCode;

    #[test]
    fn all_lists_every_code_once() {
        // The match has no wildcard: a new code does not compile until it is placed here and in ALL.
        let index = |c: ErrorCode| match c {
            ErrorCode::Card => 0,
            ErrorCode::Catalog => 1,
            ErrorCode::Model => 2,
            ErrorCode::Fetch => 3,
            ErrorCode::History => 4,
            ErrorCode::EmptyHistory => 5,
            ErrorCode::Options => 6,
            ErrorCode::Worker => 7,
            ErrorCode::TrustedTypes => 8,
            ErrorCode::Internal => 9,
            ErrorCode::FeedbackNotStored => 10,
            ErrorCode::Integrity => 11,
        };
        let indices: Vec<usize> = ErrorCode::ALL.iter().map(|c| index(*c)).collect();
        assert_eq!(indices, (0..ErrorCode::ALL.len()).collect::<Vec<_>>());
    }
}

/// A link the host page gives the widget (`parameters-href`), kept only when it is `http:`, `https:` or
/// relative: a `javascript:` or `data:` link in the panel would run or show what the host never meant.
pub fn host_link(href: &str) -> Option<String> {
    let href = href.trim();
    if href.is_empty() || href.chars().any(char::is_control) {
        return None;
    }
    // A scheme is what comes before the first ':' when no '/', '?' or '#' comes earlier.
    let scheme_end = href.find(':').filter(|&c| !href[..c].contains(['/', '?', '#']));
    match scheme_end {
        None => Some(href.to_string()),
        Some(c) if ["http", "https"].contains(&href[..c].to_ascii_lowercase().as_str()) => Some(href.to_string()),
        Some(_) => None,
    }
}

#[cfg(test)]
mod link_tests {
    use super::host_link;

    #[test]
    fn only_web_and_relative_links_are_kept() {
        for ok in ["https://shop.example/terms#recs", "HTTP://x.example/", "/terms", "terms.html?a=b:c", "#recs", "./a:b"] {
            assert_eq!(host_link(ok).as_deref(), Some(ok), "{ok}");
        }
        for bad in ["javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,x", "vbscript:x", "", "java\tscript:x", "mailto:a@b"] {
            assert_eq!(host_link(bad), None, "{bad:?}");
        }
    }
}
