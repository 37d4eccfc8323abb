//! `pkg/index.d.ts` held to the Rust types it describes. The values are real: documents the shipped
//! models produce, options, histories, error and feedback details, serialised by serde as
//! the JS API hands them over (serde-wasm-bindgen's JSON-compatible mode writes what serde_json writes).
//! Each is checked against its declared interface, field by field and recursively: no key the
//! declaration lacks, no required field missing, every value of its declared type, and every declared
//! field seen in some value. For the inputs (options, history events), whether a field may be left out
//! is asked of serde itself. So a field added, renamed or made optional on either side fails here.

mod common;

use common::{load, real_histories};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use whythis::boundary::{ControlsDetail, ErrorCode, ErrorDetail, FeedbackDetail, FeedbackRecord};
use whythis::explain::{explain, AttentionDetail, Controls, Estimator, EventKey, ExplainOptions, ExplanationDocument};
use whythis::model::{CatalogEntry, Event, History, ItemId, Position};

/// One member of an interface.
#[derive(Debug, Clone)]
struct Field {
    optional: bool,
    ty: String,
}

#[derive(Debug, Default)]
struct Interface {
    fields: BTreeMap<String, Field>,
    /// `extends Partial<P>` (or `extends P`): P's fields, made optional by Partial.
    parent: Option<(String, bool)>,
}

/// The declarations of a .d.ts file: interfaces and type aliases, with comments and methods dropped.
struct Declarations {
    interfaces: BTreeMap<String, Interface>,
    aliases: BTreeMap<String, String>,
}

fn strip_comments(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("/*") {
            rest = after.split_once("*/").map_or("", |(_, r)| r);
        } else if let Some(after) = rest.strip_prefix("//") {
            rest = after.split_once('\n').map_or("", |(_, r)| r);
            out.push('\n');
        } else {
            let c = rest.chars().next().unwrap();
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// Splits at `sep` outside any brackets and string literals.
fn split_top(text: &str, sep: char) -> Vec<String> {
    let (mut parts, mut current, mut depth, mut quoted) = (Vec::new(), String::new(), 0i32, false);
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '{' | '(' | '<' | '[' if !quoted => depth += 1,
            '}' | ')' | '>' | ']' if !quoted => depth -= 1,
            _ => {}
        }
        if c == sep && depth == 0 && !quoted {
            parts.push(std::mem::take(&mut current));
        } else {
            current.push(c);
        }
    }
    parts.push(current);
    parts.into_iter().map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect()
}

/// The text between the `{` at `open` and its matching `}`.
fn braced(text: &str, open: usize) -> &str {
    let mut depth = 0;
    for (i, c) in text[open..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return &text[open + 1..open + i];
                }
            }
            _ => {}
        }
    }
    panic!("unbalanced braces in index.d.ts")
}

fn parse(text: &str) -> Declarations {
    let text = strip_comments(text);
    let mut decls = Declarations { interfaces: BTreeMap::new(), aliases: BTreeMap::new() };
    let mut at = 0;
    while let Some(found) = text[at..].find("export interface ") {
        let start = at + found + "export interface ".len();
        let open = start + text[start..].find('{').unwrap();
        let head: Vec<&str> = text[start..open].split_whitespace().collect();
        let mut interface = Interface::default();
        if let [_, "extends", parent] = head[..] {
            interface.parent = Some(match parent.strip_prefix("Partial<").and_then(|p| p.strip_suffix('>')) {
                Some(p) => (p.to_string(), true),
                None => (parent.to_string(), false),
            });
        }
        let body = braced(&text, open);
        for member in split_top(body, ';') {
            let member = member.strip_prefix("readonly ").unwrap_or(&member);
            let (name, ty) = member.split_once(':').unwrap_or_else(|| panic!("member without a type: {member}"));
            if name.contains('(') {
                continue; // a method
            }
            let (name, optional) = match name.trim().strip_suffix('?') {
                Some(n) => (n.to_string(), true),
                None => (name.trim().to_string(), false),
            };
            assert!(!ty.contains('{'), "{}: name the type of `{name}` instead of writing it inline", head[0]);
            interface.fields.insert(name, Field { optional, ty: ty.trim().to_string() });
        }
        decls.interfaces.insert(head[0].to_string(), interface);
        at = open + body.len();
    }
    let mut at = 0;
    while let Some(found) = text[at..].find("export type ") {
        let start = at + found + "export type ".len();
        let (name, rest) = text[start..].split_once('=').unwrap();
        let end = rest.find(';').unwrap();
        decls.aliases.insert(name.trim().to_string(), rest[..end].trim().to_string());
        at = start + name.len() + end;
    }
    decls
}

/// Checks values against the declarations and remembers which declared fields some value had.
struct Checker {
    decls: Declarations,
    seen: BTreeMap<String, BTreeSet<String>>,
    errors: Vec<String>,
}

impl Checker {
    /// Every field of an interface with the interface that declares it.
    fn fields(&self, name: &str) -> Vec<(String, Field, String)> {
        let interface = self.decls.interfaces.get(name).unwrap_or_else(|| panic!("index.d.ts declares no interface {name}"));
        let mut out: Vec<(String, Field, String)> =
            interface.fields.iter().map(|(n, f)| (n.clone(), f.clone(), name.to_string())).collect();
        if let Some((parent, partial)) = &interface.parent {
            for (n, mut f, from) in self.fields(parent) {
                f.optional |= *partial;
                out.push((n, f, from));
            }
        }
        out
    }

    fn accepts(&mut self, ty: &str, value: &Value, path: &str) -> bool {
        split_top(ty, '|').iter().any(|alt| self.accepts_one(alt, value, path))
    }

    fn accepts_one(&mut self, ty: &str, value: &Value, path: &str) -> bool {
        match ty {
            "number" => value.is_number(),
            "string" => value.is_string(),
            "boolean" => value.is_boolean(),
            "null" => value.is_null(),
            _ if ty.starts_with('"') => value.as_str() == Some(ty.trim_matches('"')),
            _ if ty.ends_with("[]") => {
                let inner = &ty[..ty.len() - 2];
                value.as_array().is_some_and(|a| a.iter().enumerate().all(|(i, v)| self.accepts(inner, v, &format!("{path}[{i}]"))))
            }
            _ if ty.starts_with("Array<") => {
                let inner = &ty["Array<".len()..ty.len() - 1];
                value.as_array().is_some_and(|a| a.iter().enumerate().all(|(i, v)| self.accepts(inner, v, &format!("{path}[{i}]"))))
            }
            _ if ty.starts_with("Record<string,") => {
                let inner = &ty["Record<string,".len()..ty.len() - 1];
                value.as_object().is_some_and(|o| o.iter().all(|(k, v)| self.accepts(inner, v, &format!("{path}.{k}"))))
            }
            _ => {
                if let Some(alias) = self.decls.aliases.get(ty).cloned() {
                    return self.accepts(&alias, value, path);
                }
                // Only an object can be an interface; another alternative of the union may take the rest.
                if !value.is_object() {
                    return false;
                }
                self.check(ty, value, path);
                true
            }
        }
    }

    /// Checks one value against an interface, recording errors.
    fn check(&mut self, name: &str, value: &Value, path: &str) {
        let Some(object) = value.as_object() else {
            self.errors.push(format!("{path}: {name} is an object in index.d.ts, Rust writes {value}"));
            return;
        };
        let fields = self.fields(name);
        for key in object.keys() {
            if !fields.iter().any(|(n, ..)| n == key) {
                self.errors.push(format!("{path}: Rust writes `{key}`, which {name} in index.d.ts does not declare"));
            }
        }
        for (field, decl, declared_in) in fields {
            match object.get(&field) {
                None if !decl.optional => {
                    self.errors.push(format!("{path}: {name}.{field} is required in index.d.ts, Rust left it out"))
                }
                None => {}
                Some(v) => {
                    self.seen.entry(declared_in.clone()).or_default().insert(field.clone());
                    let here = format!("{path}.{field}");
                    if !self.accepts(&decl.ty, v, &here) {
                        self.errors.push(format!("{here}: index.d.ts types {declared_in}.{field} as `{}`, Rust writes {v}", decl.ty));
                    }
                }
            }
        }
    }

    /// Declared fields that no value had: index.d.ts promises what Rust never writes.
    fn unseen(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (name, seen) in &self.seen {
            for field in self.decls.interfaces[name].fields.keys() {
                if !seen.contains(field) {
                    out.push(format!("{name}.{field}"));
                }
            }
        }
        out
    }
}

fn declarations() -> Declarations {
    parse(&std::fs::read_to_string(common::repo("pkg/index.d.ts")).expect("pkg/index.d.ts"))
}

/// The string members of a union alias.
fn literals(decls: &Declarations, alias: &str) -> BTreeSet<String> {
    split_top(&decls.aliases[alias], '|').iter().map(|l| l.trim_matches('"').to_string()).collect()
}

fn to_json<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap()
}

/// Documents of both shipped models on real histories, in every shape the API produces: explained with
/// last-layer and all-layer attention, rank only, and degraded by a window budget.
fn documents() -> Vec<ExplanationDocument> {
    let mut docs = Vec::new();
    let histories: Vec<History> = real_histories().into_iter().take(3).map(|(_, h)| h).collect();
    for card in common::SHIPPED {
        let m = load(card);
        for (i, history) in histories.iter().enumerate() {
            let base = ExplainOptions { top_k: 3, permutations: 16, ..ExplainOptions::default() };
            let variants = [
                base.clone(),
                ExplainOptions { attention: AttentionDetail::AllLayers, ..base.clone() },
                ExplainOptions { rank_only: true, ..base.clone() },
                // Sampled Shapley in chunks, with a budget that runs out in the first: `cost.degraded`.
                ExplainOptions { permutations: 64, max_windows: Some(200 + 50 * i), ..base.clone() },
                // Permutation Shapley with its standard errors, and a what-if (`what_if` on both levels).
                ExplainOptions { estimator: Estimator::Permutation, without: vec![Position(0)], ..base.clone() },
                // The visitor's controls (`controls` in the document).
                ExplainOptions { controls: every_control(), ..base.clone() },
            ];
            for options in variants {
                docs.push(explain(&m.scorer, &m.catalog, history, &options).unwrap_or_else(|e| panic!("{card}: {e}")));
            }
        }
    }
    docs
}

/// Controls with every field set.
fn every_control() -> Controls {
    Controls {
        not_interested: vec![ItemId(50)],
        unused_events: vec![EventKey { item: ItemId(1), ts: Some(874965758) }],
        unused_tags: vec!["Horror".into()],
        unused_before: Some(874000000),
        last_events: Some(30),
        not_personalised: false,
    }
}

#[test]
fn the_declarations_match_what_rust_writes() {
    let mut checker = Checker { decls: declarations(), seen: BTreeMap::new(), errors: Vec::new() };
    for (i, doc) in documents().iter().enumerate() {
        checker.check("ExplanationDocument", &to_json(doc), &format!("document {i}"));
    }
    let options = ExplainOptions {
        item: Some(ItemId(50)),
        sensitive_tags: vec!["Drama".into()],
        sensitive_items: vec![ItemId(7)],
        time_budget_ms: Some(300),
        max_windows: Some(64),
        controls: every_control(),
        ..ExplainOptions::default()
    };
    checker.check("ExplainOptions", &to_json(&options), "options");
    let history = History { events: vec![Event { item: 50, action: Some("rated_5".into()), ts: Some(881250949) }] };
    assert!(checker.accepts("History", &to_json(&history), "history"), "{:?}", checker.errors);
    for code in ErrorCode::ALL {
        let detail = ErrorDetail { code, message: "A sentence.".into(), model: "m".into() };
        checker.check("ErrorDetail", &to_json(&detail), "error detail");
    }
    let record = FeedbackRecord {
        id: "1764547200000-000000001-50".into(),
        item: 50,
        rank: 1,
        helpful: true,
        reason: Some("because".into()),
        kind: whythis::boundary::ExplanationKind::Narrative,
        template: Some("recent_pull".into()),
        model: "m".into(),
        time: "2026-12-01T00:00:00.000Z".into(),
    };
    checker.check("FeedbackDetail", &to_json(&FeedbackDetail { record: record.clone(), stored: false }), "feedback event");
    checker.check("FeedbackDetail", &to_json(&FeedbackRecord { reason: None, ..record }), "feedback log record");
    let controls = ControlsDetail { controls: every_control(), change: "Not interested in Heat (1995).".into(), stored: true };
    checker.check("ControlsDetail", &to_json(&controls), "controls event");
    // What a resolver answers is read as a catalog entry.
    let entry = CatalogEntry { id: ItemId(50), title: "Star Wars (1977)".into(), tags: vec!["Sci-Fi".into()] };
    checker.check("ItemInfo", &to_json(&entry), "item info");

    assert!(checker.errors.is_empty(), "index.d.ts and the Rust types disagree:\n{}", checker.errors.join("\n"));
    assert_eq!(checker.unseen(), Vec::<String>::new(), "declared in index.d.ts, never written by Rust");
    let checked: BTreeSet<&str> = checker.seen.keys().map(String::as_str).collect();
    for name in [
        "ExplanationDocument", "WindowEvent", "Recommendation", "ItemExplanation", "OcclusionEntry", "AttentionEntry",
        "AttentionLayers", "ShapleyValues", "ShapleyEntry", "Counterfactuals", "CounterfactualSet", "RecentVsLongTerm",
        "Ledger", "SimilarityEntry", "Cost", "ExplainOptions", "HistoryEvent", "DisplayName", "WhatIf", "RankChange",
        "CounterfactualSearch", "Controls", "EventKey", "ControlsApplied", "Recourse", "Alternative", "MainParameters", "StatedChoice",
        "ErrorDetail", "FeedbackDetail", "ItemInfo", "ControlsDetail",
    ] {
        assert!(checked.contains(name), "no value reached {name}: the samples no longer cover it");
    }
}

#[test]
fn the_inputs_optional_fields_are_those_serde_lets_the_host_leave_out() {
    let decls = declarations();
    let full_options = to_json(&ExplainOptions { item: Some(ItemId(1)), time_budget_ms: Some(1), max_windows: Some(1), ..ExplainOptions::default() });
    let full_event = json!({ "item": 50, "action": "rated_5", "ts": 881250949 });
    type Reader = fn(Value) -> bool;
    let full_entry = json!({ "id": 50, "title": "Star Wars (1977)", "tags": ["Sci-Fi"] });
    let inputs: [(&str, Value, Reader); 3] = [
        ("ExplainOptions", full_options, |v| serde_json::from_value::<ExplainOptions>(v).is_ok()),
        ("HistoryEvent", full_event, |v| serde_json::from_value::<Event>(v).is_ok()),
        ("ItemInfo", full_entry, |v| serde_json::from_value::<CatalogEntry>(v).is_ok()),
    ];
    for (name, full, reads) in inputs {
        let object = full.as_object().unwrap();
        assert!(reads(full.clone()), "{name}: the full sample reads");
        for (field, decl) in &decls.interfaces[name].fields {
            assert!(object.contains_key(field), "{name}.{field}: declared, but Rust has no such field");
            let mut without = object.clone();
            without.remove(field);
            assert_eq!(decl.optional, reads(Value::Object(without)), "{name}.{field}: `?` in index.d.ts must match whether Rust reads it when left out");
        }
        assert_eq!(object.len(), decls.interfaces[name].fields.len(), "{name}: Rust reads fields index.d.ts does not declare");
    }
}

#[test]
fn the_string_unions_list_exactly_the_rust_variants() {
    let decls = declarations();
    let codes: BTreeSet<String> = ErrorCode::ALL.iter().map(|c| to_json(c).as_str().unwrap().to_string()).collect();
    assert_eq!(literals(&decls, "ErrorCode"), codes);
    let attention: BTreeSet<String> =
        [AttentionDetail::LastLayer, AttentionDetail::AllLayers].iter().map(|a| to_json(a).as_str().unwrap().to_string()).collect();
    assert_eq!(literals(&decls, "AttentionDetail"), attention);
    // Each name reads back as its variant: the union is what the options accept.
    for name in &attention {
        assert!(serde_json::from_value::<AttentionDetail>(json!(name)).is_ok(), "{name}");
    }
}

#[test]
fn the_checker_notices_a_declaration_that_drifted() {
    // The checks above can fail: a d.ts with a renamed, a missing and a mistyped field is caught.
    let drifted = "export interface AttentionEntry {\n  position: string;\n  wieght: number;\n}\n";
    let mut checker = Checker { decls: parse(drifted), seen: BTreeMap::new(), errors: Vec::new() };
    checker.check("AttentionEntry", &json!({ "position": 3, "weight": 0.5 }), "entry");
    let errors = checker.errors.join("\n");
    assert!(errors.contains("does not declare"), "{errors}");
    assert!(errors.contains("wieght is required"), "{errors}");
    assert!(errors.contains("as `string`"), "{errors}");
}
