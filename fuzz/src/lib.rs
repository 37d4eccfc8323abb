//! What the ONNX fuzz targets count as a crash.
//!
//! libFuzzer's Rust glue aborts on every panic. whythis cannot stop tract (a dependency) from
//! panicking on a malformed graph; it promises to contain such a panic and report the model as broken
//! in words (`ModelError::Panic`, `ModelError::Probe`; in the browser the engine's instance is replaced).
//! So a panic raised inside a dependency is let unwind to whythis's containment and logged once per
//! place, while a panic in whythis's own code, or one that escapes the containment, is still a crash.

use std::collections::HashSet;
use std::sync::Mutex;

/// Installs the policy above as the panic hook; call it from the target's `init`.
pub fn crash_only_outside_dependencies() {
    static SEEN: Mutex<Option<HashSet<String>>> = Mutex::new(None);
    let abort_hook = std::panic::take_hook(); // libFuzzer's: prints, then aborts
    std::panic::set_hook(Box::new(move |info| {
        let place = info.location().map(|l| format!("{}:{}", l.file(), l.line())).unwrap_or_default();
        if !in_dependency(&place) {
            abort_hook(info);
            return;
        }
        let mut seen = SEEN.lock().unwrap_or_else(|e| e.into_inner());
        if seen.get_or_insert_with(HashSet::new).insert(place.clone()) {
            let payload = info.payload();
            let message = payload.downcast_ref::<&str>().copied().or(payload.downcast_ref::<String>().map(String::as_str));
            let message = message.unwrap_or("no message").replace('\n', " ");
            eprintln!("whythis-fuzz: panic in a dependency, left to whythis to contain, at {place}: {message}");
        }
    }));
}

/// A place in a crate from the registry (tract, ndarray, …), not in whythis or the standard library.
fn in_dependency(place: &str) -> bool {
    // CARGO_HOME varies (~/.cargo, /usr/local/cargo); crates.io sources always sit under registry/src.
    place.contains("/registry/src/")
}
