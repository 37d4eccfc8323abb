//! The card's `sha256` of each file it names (docs/contract.md, "Packed models"): a file is checked
//! against it before it is used, so a model or catalog changed after the card was written is refused,
//! in the browser as natively.

use super::card::ModelCard;
use super::error::ModelError;
use sha2::{Digest, Sha256};

/// The sha256 of bytes as lowercase hex, as a card writes it.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Checks `bytes`, read from the file the card names `file`, against the card's sha256 of it; a file the
/// card gives no sha256 for passes (an ONNX card need not carry them; `whythis pack` writes them all).
pub fn verify(card: &ModelCard, file: &str, bytes: &[u8]) -> Result<(), ModelError> {
    match card.sha256.get(file) {
        Some(expected) if *expected != sha256_hex(bytes) => Err(ModelError::Integrity { file: file.to_string() }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::sha256_hex;

    #[test]
    fn the_digest_is_sha256() {
        assert_eq!(sha256_hex(b""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
