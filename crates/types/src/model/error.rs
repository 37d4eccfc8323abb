//! Everything that can go wrong in the model layer, worded for the person who has to fix it.

use super::contract::Violation;
use super::control_flow::ControlFlowRefusal;
use super::ids::ItemId;
use thiserror::Error;

/// An error from loading a model, reading its inputs, or scoring.
#[derive(Debug, Error)]
pub enum ModelError {
    /// The model card is not valid JSON or lacks a required key.
    #[error("the model card is not valid: {0}")]
    CardJson(String),
    /// The catalog is not valid JSON or not an array of items.
    #[error("the catalog is not valid: {0}")]
    CatalogJson(String),
    /// The host's resolver (`el.itemInfo`) answered a lookup with entries whythis refuses; the sentence
    /// names entries by their place in the answer, never by id (the ids asked are the visitor's items).
    #[error("the item names from the page's itemInfo resolver are not valid: {0}")]
    Lookup(String),
    /// The history is not valid JSON or not a list of events.
    #[error("the history is not valid: {0}")]
    HistoryJson(String),
    /// tract could not parse or analyse the ONNX bytes.
    #[error("the ONNX model could not be read: {0}")]
    Onnx(String),
    /// tract could not read or run a packed (NNEF) model.
    #[error("the packed model could not be read: {0}")]
    Nnef(String),
    /// An ONNX card was given to a build that runs packed models only (the browser's small engine, or
    /// whythis-model without its `onnx` feature).
    #[error("this engine runs packed models only (a card that names an \"nnef\" file, written by `whythis pack`), and the card names an ONNX model; pack it, or load it with whythis's ONNX engine")]
    PackedOnly,
    /// A file's sha256 is not the one its card names: it changed after packing, or was damaged.
    #[error("the file \"{file}\" is not the one the model card names: its sha256 differs, so it was changed or damaged after the card was written")]
    Integrity { file: String },
    /// The graph has control flow (`If`, `Loop`) that cannot be settled before scoring (docs/contract.md, "Control flow").
    #[error("the model's control flow cannot be resolved: {0}")]
    ControlFlow(ControlFlowRefusal),
    /// The card or the graph breaks one or more rules of the model contract.
    #[error("the model does not follow the whythis model contract:\n{}", list(.0))]
    Contract(Vec<Violation>),
    /// A history event names an item the model does not have. The id itself is left out: error texts
    /// reach consoles and logs, and the history must not.
    #[error("event {index} of the history (counting from 0) names an item the model does not know; the model only knows items 1 to {num_items}")]
    UnknownItem { index: usize, num_items: u32 },
    /// A history event names an action the card does not list (the action itself is left out, as above).
    #[error("event {index} of the history (counting from 0) has an action that the model card does not list (it knows: {known})")]
    UnknownAction { index: usize, known: String },
    /// An input is larger than whythis reads, so it is refused before it is parsed.
    #[error("the {what} is {bytes} bytes long; whythis reads at most {max} bytes")]
    TooLarge { what: &'static str, bytes: usize, max: usize },
    /// The history has more events than whythis accepts; a history being read stops at the first
    /// event past the limit, so how many more there were is not known.
    #[error("the history has more than {max} events, the most whythis reads")]
    HistoryTooLong { max: usize },
    /// A request asked about an item that is not a candidate.
    #[error("item {0} is not a candidate for this history (it is out of range, or already in the window and allow_seen is off)")]
    NotACandidate(ItemId),
    /// There is nothing to recommend: every item is already in the window.
    #[error("there is no candidate item: every item of the catalog is already in the history")]
    NoCandidates,
    /// tract failed while running the model.
    #[error("the model failed while scoring: {0}")]
    Run(String),
    /// tract panicked on this model; the panic was contained.
    #[error("tract failed on this model ({0}); the model is probably corrupt or uses an unsupported construct")]
    Panic(String),
    /// The model fails on a window of its largest item id and action, the check run at load.
    #[error("the model fails when it scores a window of its largest item id and action ({0}); it probably indexes one of its tables out of range")]
    Probe(String),
    /// The model produced NaN scores, so no ranking can be trusted.
    #[error("the model produced a score that is not a number (NaN) for item {item}; its ranking cannot be trusted")]
    NotANumber { item: usize },
}

fn list(violations: &[Violation]) -> String {
    violations.iter().map(|v| format!("  - {v}")).collect::<Vec<_>>().join("\n")
}

/// A panic's message as whythis passes it on, with every number masked: a panic inside a model's
/// graph can quote an index that is one of the visitor's item ids, and panic texts reach consoles,
/// error events and host pages. The place in the source, when known, is kept: it is code, not data.
pub fn describe_panic(payload: &(dyn std::any::Any + Send), place: Option<&std::panic::Location<'_>>) -> String {
    let message = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("a panic without a message");
    let mut masked = String::with_capacity(message.len());
    for c in message.chars() {
        if !c.is_ascii_digit() {
            masked.push(c);
        } else if !masked.ends_with('#') {
            masked.push('#');
        }
    }
    match place {
        Some(l) => format!("{masked}, at {}:{}", source_path(l.file()), l.line()),
        None => masked,
    }
}

/// A dependency's source path from its crate on: the registry's prefix names the builder's home.
fn source_path(file: &str) -> &str {
    match file.split_once("/registry/src/") {
        Some((_, rest)) => rest.split_once('/').map_or(rest, |(_, in_crate)| in_crate),
        None => file,
    }
}

#[cfg(test)]
mod tests {
    use super::{describe_panic, source_path};

    #[test]
    fn panic_texts_keep_their_words_and_lose_their_numbers() {
        let payload: Box<dyn std::any::Any + Send> = Box::new(String::from("index out of bounds: the len is 1683 but the index is 4242"));
        assert_eq!(describe_panic(&*payload, None), "index out of bounds: the len is # but the index is #");
        let payload: Box<dyn std::any::Any + Send> = Box::new("item 1500 at -3.5e7");
        assert_eq!(describe_panic(&*payload, None), "item # at -#.#e#");
        let payload: Box<dyn std::any::Any + Send> = Box::new(7_u8);
        assert_eq!(describe_panic(&*payload, None), "a panic without a message");
    }

    #[test]
    fn the_place_is_kept_and_a_registry_path_starts_at_its_crate() {
        let place = std::panic::Location::caller();
        let payload: Box<dyn std::any::Any + Send> = Box::new("boom");
        assert_eq!(describe_panic(&*payload, Some(place)), format!("boom, at {}:{}", place.file(), place.line()));
        let registry = "/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/tract-core-0.23.9/src/ops/array/gather.rs";
        assert_eq!(source_path(registry), "tract-core-0.23.9/src/ops/array/gather.rs");
        assert_eq!(source_path("src/model/scorer.rs"), "src/model/scorer.rs");
    }
}
