//! Packed models (docs/contract.md, "Packed models"; `whythis pack`): every model of the tests that
//! loads, packed into tract's NNEF form, must score real windows as its ONNX form does (1e-5, identical
//! top 10) and, for the shipped models, give the same explanation document; packing is deterministic,
//! and a changed file is refused by its sha256, in a sentence that names the file.

mod common;

use common::{real_histories, repo, SHIPPED};
use std::path::{Path, PathBuf};
use std::process::Command;
use whythis::explain::{explain, ExplainOptions};
use whythis::files::{self, FileError};
use whythis::model::{Candidates, ModelError, Window};

/// Absolute tolerance of a score between a model's ONNX and packed forms.
const TOL: f32 = 1e-5;

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("whythis-pack-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_whythis")).args(args).current_dir(repo("")).output().unwrap()
}

/// Packs a card with the CLI into `out`; the packed card's path.
fn pack(card: &str, out: &Path) -> PathBuf {
    let o = run(&["pack", card, "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{card}: {}", String::from_utf8_lossy(&o.stderr));
    let name = Path::new(card).file_name().unwrap().to_str().unwrap();
    out.join(name)
}

/// Every card of the tests that loads: the shipped models, the fixtures and the zoo's loadable ones.
fn loadable_cards() -> Vec<String> {
    let mut cards: Vec<String> = SHIPPED.iter().map(|c| c.to_string()).collect();
    for dir in ["tests/fixtures", "tests/fixtures/zoo"] {
        let mut found: Vec<String> = std::fs::read_dir(repo(dir))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".card.json"))
            .map(|n| format!("{dir}/{n}"))
            .filter(|c| files::load_model(&repo(c)).is_ok())
            .collect();
        found.sort();
        cards.extend(found);
    }
    cards
}

#[test]
fn every_model_of_the_tests_scores_alike_packed() {
    let cards = loadable_cards();
    assert!(cards.len() >= 10, "the shipped models, fixtures and zoo: {cards:?}");
    let out = temp_dir("parity");
    for (i, card) in cards.iter().enumerate() {
        let dir = out.join(i.to_string());
        let packed_card = pack(card, &dir);
        let onnx = files::load_model(&repo(card)).unwrap();
        let packed = files::load_model(&packed_card).unwrap_or_else(|e| panic!("{card} packed: {e}"));
        assert_eq!(packed.scorer.batches(), onnx.scorer.batches(), "{card}");
        assert_eq!(packed.scorer.attention_shape(), onnx.scorer.attention_shape(), "{card}");
        assert_eq!(packed.scorer.embedding(), onnx.scorer.embedding(), "{card}");
        assert_eq!(packed.catalog.len(), onnx.catalog.len(), "{card}");
        let card_data = onnx.scorer.card();
        let windows: Vec<_> = real_histories()
            .iter()
            .take(12)
            .map(|(_, h)| {
                // Histories of the shipped catalog; a smaller model sees its ids folded into range.
                let items = h.events.iter().map(|e| 1 + (e.item - 1) % i64::from(card_data.num_items));
                Window::new(card_data, &whythis::model::History::from_items(items)).unwrap()
            })
            .collect();
        let slots: Vec<_> = windows.iter().map(Window::slots).collect();
        let a = onnx.scorer.score(&slots).unwrap();
        let b = packed.scorer.score(&slots).unwrap();
        for (w, (x, y)) in windows.iter().zip(a.iter().zip(&b)) {
            let worst = x.iter().zip(y).skip(1).map(|(p, q)| (p - q).abs()).fold(0.0, f32::max);
            assert!(worst <= TOL, "{card}: scores differ by {worst}");
            let c = Candidates::for_window(w, card_data.num_items, false);
            let top = |s: &[f32]| c.top_k(s, 10).iter().map(|r| r.item).collect::<Vec<_>>();
            assert_eq!(top(x), top(y), "{card}: the top 10");
        }
    }
}

#[test]
fn the_shipped_models_explain_alike_packed_and_pack_deterministically() {
    let out = temp_dir("shipped");
    for card in SHIPPED {
        let first = pack(card, &out.join("a"));
        let again = pack(card, &out.join("b"));
        let packed = files::read_card(&first).unwrap();
        for file in packed.sha256.keys().map(String::as_str).chain(["sasrec.card.json", "gru4rec.card.json"].into_iter().filter(|f| first.ends_with(f))) {
            assert_eq!(std::fs::read(first.with_file_name(file)).unwrap(), std::fs::read(again.with_file_name(file)).unwrap(), "{card}: {file} packs to the same bytes");
        }
        assert!(packed.onnx.is_empty() && packed.nnef.is_some() && packed.sha256.len() >= 2, "{packed:?}");
        let (onnx, packed) = (files::load_model(&repo(card)).unwrap(), files::load_model(&first).unwrap());
        let options = ExplainOptions { top_k: 10, ..ExplainOptions::default() };
        for (_, history) in real_histories().iter().take(2) {
            let a = explain(&onnx.scorer, &onnx.catalog, history, &options).unwrap();
            let b = explain(&packed.scorer, &packed.catalog, history, &options).unwrap();
            assert_eq!(a, b, "{card}: the same explanation document");
        }
        // `whythis check` reads a packed card.
        let o = run(&["check", first.to_str().unwrap()]);
        let said = String::from_utf8_lossy(&o.stdout);
        assert!(o.status.success() && said.contains("packed    ") && said.contains("OK"), "{said}");
    }
}

#[test]
fn a_changed_file_is_refused_by_its_sha256_in_words() {
    let out = temp_dir("tampered");
    let card = pack("models/sasrec.card.json", &out);
    let packed = files::read_card(&card).unwrap();
    let files_named: Vec<String> = packed.sha256.keys().cloned().collect();
    assert_eq!(files_named.len(), 3, "model, embeddings and catalog: {files_named:?}");
    for file in &files_named {
        let path = out.join(file);
        let original = std::fs::read(&path).unwrap();
        let mut changed = original.clone();
        let middle = changed.len() / 2;
        changed[middle] ^= 1;
        std::fs::write(&path, &changed).unwrap();
        match files::load_model(&card) {
            Err(FileError::Model { source: ModelError::Integrity { file: named }, .. }) => assert_eq!(&named, file),
            other => panic!("{file} changed by one bit: {:?}", other.map(|_| "loaded")),
        }
        let o = run(&["check", card.to_str().unwrap()]);
        let said = String::from_utf8_lossy(&o.stdout);
        assert!(!o.status.success() && said.contains(&format!("the file \"{file}\" is not the one the model card names")), "{said}");
        std::fs::write(&path, &original).unwrap();
    }
    assert!(files::load_model(&card).is_ok(), "restored, it loads again");
}

#[test]
fn cards_that_name_no_model_or_two_or_a_broken_pack_are_refused_by_the_rule() {
    let out = temp_dir("cards");
    let packed = pack("models/gru4rec.card.json", &out);
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&packed).unwrap()).unwrap();
    let cases: [(&str, Box<dyn Fn(&mut serde_json::Value)>, &str); 4] = [
        ("neither", Box::new(|c| { c.as_object_mut().unwrap().remove("nnef"); }), "it names neither"),
        ("both", Box::new(|c| c["onnx"] = "gru4rec.onnx".into()), "it names both"),
        ("no facts", Box::new(|c| { c.as_object_mut().unwrap().remove("packed"); }), "must carry \"packed\""),
        ("bad hash", Box::new(|c| c["sha256"]["catalog.json"] = "ABC".into()), "must be 64 lowercase hexadecimal digits"),
    ];
    for (what, change, words) in cases {
        let mut card = json.clone();
        change(&mut card);
        let path = out.join("changed.card.json");
        std::fs::write(&path, serde_json::to_vec(&card).unwrap()).unwrap();
        let err = files::load_model(&path).map(|_| ()).unwrap_err().to_string();
        assert!(err.contains(words), "{what}: {err}");
    }
    // A packed card cannot be packed again, and a corrupt archive is refused in words.
    let o = run(&["pack", packed.to_str().unwrap(), "--out", out.join("again").to_str().unwrap()]);
    assert!(!o.status.success() && String::from_utf8_lossy(&o.stderr).contains("packed already"));
    let mut card = json.clone();
    card["sha256"].as_object_mut().unwrap().remove("gru4rec.nnef.tar");
    std::fs::write(out.join("gru4rec.nnef.tar"), b"not a tar archive at all").unwrap();
    std::fs::write(out.join("nohash.card.json"), serde_json::to_vec(&card).unwrap()).unwrap();
    let err = files::load_model(&out.join("nohash.card.json")).map(|_| ()).unwrap_err().to_string();
    assert!(err.contains("the packed model could not be read"), "{err}");
}

/// The demo's default models are packed (models/*.packed.*, `whythis pack models/X.card.json --out models
/// --stem X.packed`): what is committed must be what packing the committed ONNX models gives today, so a
/// retrained model or a changed packer cannot leave a stale pack behind.
#[test]
fn the_demos_packed_models_are_what_pack_makes_of_its_onnx_models() {
    let out = temp_dir("demo");
    for model in ["sasrec", "gru4rec"] {
        let stem = format!("{model}.packed");
        let o = run(&["pack", &format!("models/{model}.card.json"), "--out", out.to_str().unwrap(), "--stem", &stem]);
        assert!(o.status.success(), "{model}: {}", String::from_utf8_lossy(&o.stderr));
        let card = files::read_card(&out.join(format!("{stem}.card.json"))).unwrap();
        let mut names: Vec<String> = card.sha256.keys().cloned().collect();
        names.push(format!("{stem}.card.json"));
        for name in names {
            let fresh = std::fs::read(out.join(&name)).unwrap();
            let committed = std::fs::read(repo(&format!("models/{name}"))).unwrap_or_else(|e| panic!("models/{name}: {e}; pack the demo's models again (see this test)"));
            assert!(fresh == committed, "models/{name} is not what `whythis pack models/{model}.card.json --out models --stem {stem}` writes today; run it again");
        }
    }
    // Packing beside the ONNX card under its own name would overwrite the card being packed (tried on a
    // copy, so a broken check cannot overwrite the repository's).
    let copy = temp_dir("beside");
    for name in ["sasrec.card.json", "sasrec.onnx", "catalog.json"] {
        std::fs::copy(repo(&format!("models/{name}")), copy.join(name)).unwrap();
    }
    let card = copy.join("sasrec.card.json");
    let o = run(&["pack", card.to_str().unwrap(), "--out", copy.to_str().unwrap()]);
    assert!(!o.status.success());
    assert_eq!(std::fs::read(&card).unwrap(), std::fs::read(repo("models/sasrec.card.json")).unwrap(), "the card was left as it was");
    assert!(String::from_utf8_lossy(&o.stderr).contains("would overwrite the card it packs"), "{}", String::from_utf8_lossy(&o.stderr));
}

