//! `whythis feedback-report` over real exported logs (tests/fixtures/feedback/, written by the demo in
//! Chromium: "Export feedback" after answering, see tests/e2e/feedback.test.mjs) and over broken ones.

mod common;

use common::repo;
use std::process::{Command, Output};
use whythis::boundary::FeedbackRecord;
use whythis::feedback::{read_logs, report, Dimension, LogError, Rate};

const EXPORTED: &str = "tests/fixtures/feedback/exported.json";

fn whythis(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_whythis")).args(args).current_dir(repo("")).output().unwrap()
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn exported() -> Vec<FeedbackRecord> {
    serde_json::from_slice(&std::fs::read(repo(EXPORTED)).unwrap()).unwrap()
}

fn temp(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("whythis-feedback-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn the_report_counts_every_answer_of_a_real_log_in_every_dimension() {
    let records = exported();
    assert!(records.len() >= 5, "the fixture holds a real session's answers");
    let answers = read_logs(&[repo(EXPORTED)]).unwrap();
    let r = report(&answers);
    assert_eq!(r.overall.answers, records.len());
    assert_eq!(r.overall.helpful, records.iter().filter(|x| x.helpful).count());
    for b in &r.by {
        // Every answer falls in exactly one group of each dimension.
        assert_eq!(b.groups.iter().map(|g| g.rate.answers).sum::<usize>(), records.len(), "{:?}", b.dimension);
        for g in &b.groups {
            let members: Vec<&FeedbackRecord> = records
                .iter()
                .filter(|x| match b.dimension {
                    Dimension::Kind => x.kind.as_str() == g.value,
                    Dimension::Template => x.template.as_deref().unwrap_or(whythis::feedback::NOT_RECORDED) == g.value,
                    Dimension::Model => x.model == g.value,
                    Dimension::Position => format!("#{}", x.rank) == g.value,
                })
                .collect();
            assert_eq!(g.rate.answers, members.len(), "{:?} {}", b.dimension, g.value);
            assert_eq!(g.rate.helpful, members.iter().filter(|x| x.helpful).count());
            assert!(g.rate.low <= g.rate.rate && g.rate.rate <= g.rate.high, "{g:?}");
        }
    }
    // The session answered with the deeper dive both open and closed, on a narrative with a template.
    let kinds = &r.by.iter().find(|b| b.dimension == Dimension::Kind).unwrap().groups;
    assert_eq!(kinds.len(), 2, "{kinds:?}");
    assert!(records.iter().all(|x| x.template.as_deref().is_some_and(|t| !t.is_empty())));
}

#[test]
fn a_reason_sent_afterwards_replaces_its_answer_across_logs_and_json_lines_are_read() {
    let records = exported();
    let first = &records[0];
    // The host collected the event details as JSON Lines: the first answer, then its reason, later.
    let mut later = first.clone();
    later.reason = Some("a reason typed afterwards".into());
    later.helpful = !first.helpful;
    later.time = "2999-01-01T00:00:00.000Z".into();
    let detail = |r: &FeedbackRecord| {
        let mut v = serde_json::to_value(r).unwrap();
        v["stored"] = true.into();
        v.to_string()
    };
    let lines = temp("events.jsonl", &format!("{}\n\n{}\n", detail(first), detail(&later)));
    let answers = read_logs(&[repo(EXPORTED), lines]).unwrap();
    assert_eq!(answers.records.len(), records.len(), "same ids are one answer");
    assert_eq!(answers.merged, 2);
    assert_eq!(answers.logs, 2);
    let merged = answers.records.iter().find(|r| r.id == first.id).unwrap();
    assert_eq!(merged.helpful, later.helpful, "the later record wins");
    assert_eq!(report(&answers).with_reason, records.iter().filter(|r| r.reason.is_some() && r.id != first.id).count() + 1);
}

#[test]
fn records_written_before_templates_were_kept_are_grouped_as_not_recorded() {
    let mut old: Vec<serde_json::Value> = serde_json::from_slice(&std::fs::read(repo(EXPORTED)).unwrap()).unwrap();
    for r in &mut old {
        r.as_object_mut().unwrap().remove("template");
    }
    let path = temp("old.json", &serde_json::to_string(&old).unwrap());
    let r = report(&read_logs(&[path]).unwrap());
    let templates = &r.by.iter().find(|b| b.dimension == Dimension::Template).unwrap().groups;
    assert_eq!(templates.len(), 1);
    assert_eq!(templates[0].value, whythis::feedback::NOT_RECORDED);
}

#[test]
fn the_cli_prints_tables_json_and_an_svg() {
    let svg = std::env::temp_dir().join(format!("whythis-feedback-{}.svg", std::process::id()));
    let o = whythis(&["feedback-report", EXPORTED, "--svg", svg.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    for heading in ["explanation kind", "narrative template", "model", "position", "95 % interval"] {
        assert!(out.contains(heading), "{out}");
    }
    let picture = std::fs::read_to_string(&svg).unwrap();
    assert!(picture.starts_with("<svg") && picture.contains("Helpful rate by position"), "{}", &picture[..200.min(picture.len())]);
    // A dot per group, in every panel.
    let r = report(&read_logs(&[repo(EXPORTED)]).unwrap());
    let groups: usize = r.by.iter().map(|b| b.groups.len()).sum();
    assert_eq!(picture.matches("<circle").count(), groups);

    let o = whythis(&["feedback-report", EXPORTED, "--json"]);
    assert!(o.status.success(), "{}", text(&o));
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(json["overall"]["answers"], exported().len());
    assert_eq!(json["by"].as_array().unwrap().len(), Dimension::ALL.len());
}

#[test]
fn bad_logs_are_refused_in_a_sentence_that_names_the_file_and_place_but_no_answer() {
    let secret = "my private reason";
    let cases = [
        ("truncated.json", format!(r#"[{{"id":"1","item":1,"rank":1,"helpful":true,"reason":"{secret}""#), "line 1"),
        ("wrong-type.json", format!(r#"[{{"id":"1","item":"{secret}","rank":1,"helpful":true,"reason":null,"kind":"narrative","model":"m","time":"t"}}]"#), "invalid type"),
        ("missing.jsonl", format!("{{\"id\":\"1\",\"reason\":\"{secret}\"}}\n"), "missing field"),
        ("kind.json", format!(r#"[{{"id":"1","item":1,"rank":1,"helpful":true,"reason":"{secret}","kind":"{secret}","model":"m","time":"t"}}]"#), "unknown variant"),
        ("empty.json", "[]".to_string(), "no answers"),
        ("not-json.json", "<html>".to_string(), "not a feedback record"),
    ];
    for (name, body, words) in cases {
        let path = temp(name, &body);
        let o = whythis(&["feedback-report", path.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(1), "{name}: {}", text(&o));
        let said = text(&o);
        assert!(said.contains(words), "{name}: {said}");
        assert!(!said.contains(secret) && !said.contains("panicked"), "{name}: {said}");
        if name != "empty.json" {
            assert!(said.contains(name), "{name}: the sentence names the file: {said}");
        }
    }
    let o = whythis(&["feedback-report", "tests/fixtures/feedback/does-not-exist.json"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("cannot be read"), "{}", text(&o));
    let bytes = temp("binary.json", "");
    std::fs::write(&bytes, [0xff, 0xfe, 0x00]).unwrap();
    assert!(matches!(read_logs(&[bytes]), Err(LogError::NotText { .. })));
}

#[test]
fn the_interval_narrows_with_more_answers() {
    let small = Rate::of(3, 4);
    let large = Rate::of(300, 400);
    assert!(large.high - large.low < (small.high - small.low) / 5.0);
}
