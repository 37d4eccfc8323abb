//! serde_json's errors as whythis shows them: the place and the kind of fault, never a value read
//! from the file (the CLI's inputs hold a visitor's words and histories).

/// serde_json's message without the values it quotes (`invalid type: string "…"`, ``unknown variant
/// `…` `` would repeat a visitor's words into a terminal or a CI log). Only the names of whythis's own
/// fields are kept ("missing field `item`").
pub fn without_values(e: &serde_json::Error) -> String {
    let message = e.to_string();
    let message = message.split(" at line ").next().unwrap_or(&message);
    if message.starts_with("missing field") || message.starts_with("duplicate field") {
        return message.to_string();
    }
    // What follows "expected" is whythis's schema ("expected `narrative` or `deep_dive`").
    let (found, expected) = match message.find(", expected") {
        Some(i) => message.split_at(i),
        None => (message, ""),
    };
    let mut out = String::new();
    let mut open: Option<char> = None;
    for c in found.chars() {
        match (open, c) {
            (None, '"' | '`') => {
                open = Some(c);
                out.push(c);
                out.push('…');
            }
            (Some(q), _) if c == q => {
                open = None;
                out.push(c);
            }
            (Some(_), _) => {}
            (None, _) => out.push(c),
        }
    }
    out + expected
}
