//! `whythis feedback-report`: what the "Was this helpful?" answers say, per explanation kind, narrative
//! template, model and position (docs/explanations.md, "Feedback"). Native only: it reads logs the
//! visitors exported from their own devices, or the `whythis-feedback` events a host chose to collect;
//! the widget itself never sends an answer anywhere.
//!
//! A log is either a JSON array of records (what "Export feedback" and `feedbackLog()` give, and also an
//! array of event details) or JSON Lines (one record or event detail per line, as a host appends them).
//! An answer whose reason was typed afterwards arrives twice with the same id; the later one counts.

mod plot;

pub use plot::svg;

use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use crate::json_error::without_values;
use whythis_types::boundary::FeedbackRecord;

/// Why a feedback log could not be read. The sentences name the file and the place, never a record's
/// content (a reason is the visitor's own words).
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    /// The file could not be read.
    #[error("{}: cannot be read: {source}", path.display())]
    Read {
        /// The log.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// The file is not UTF-8 text.
    #[error("{}: is not text (a feedback log is JSON)", path.display())]
    NotText {
        /// The log.
        path: PathBuf,
    },
    /// The file is not JSON, or a record lacks a field or has one of the wrong type.
    #[error("{}: line {line}, column {column}: not a feedback record: {what}", path.display())]
    Record {
        /// The log.
        path: PathBuf,
        /// Where (1-based).
        line: usize,
        /// Where (1-based).
        column: usize,
        /// serde's account of what was wrong (a field name or a type, never a value).
        what: String,
    },
    /// No file held a single answer.
    #[error("the logs hold no answers (an exported log with nothing in it is `[]`)")]
    Empty,
}

/// Every answer of the logs, each id once (the latest time wins: a reason typed afterwards replaces
/// its answer), with how many repeats were merged.
#[derive(Debug, Clone, Default)]
pub struct Answers {
    /// The answers, in the order first seen.
    pub records: Vec<FeedbackRecord>,
    /// Records dropped because a later one had the same id.
    pub merged: usize,
    /// How many logs were read.
    pub logs: usize,
}

/// Reads every log; an unreadable one stops with its error (a report that silently skipped a file would
/// misstate the rates).
pub fn read_logs(paths: &[impl AsRef<Path>]) -> Result<Answers, LogError> {
    let mut answers = Answers::default();
    let mut index: HashMap<String, usize> = HashMap::new();
    for path in paths {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| LogError::Read { path: path.into(), source })?;
        let text = String::from_utf8(bytes).map_err(|_| LogError::NotText { path: path.into() })?;
        for record in parse_log(&text).map_err(|(line, column, what)| LogError::Record { path: path.into(), line, column, what })? {
            match index.get(&record.id) {
                Some(&i) => {
                    answers.merged += 1;
                    // ISO 8601 times of one clock compare as text.
                    if record.time >= answers.records[i].time {
                        answers.records[i] = record;
                    }
                }
                None => {
                    index.insert(record.id.clone(), answers.records.len());
                    answers.records.push(record);
                }
            }
        }
        answers.logs += 1;
    }
    if answers.records.is_empty() {
        return Err(LogError::Empty);
    }
    Ok(answers)
}

/// The records of one log's text, or (line, column, what) of the first bad one.
fn parse_log(text: &str) -> Result<Vec<FeedbackRecord>, (usize, usize, String)> {
    let trimmed = text.trim_start();
    if trimmed.is_empty() {
        return Ok(Vec::new());
    }
    let shown = |e: serde_json::Error| (e.line(), e.column(), without_values(&e));
    if trimmed.starts_with('[') {
        return serde_json::from_str(text).map_err(shown);
    }
    let mut records = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let record = serde_json::from_str(line).map_err(|e| (n + 1, e.column(), without_values(&e)))?;
        records.push(record);
    }
    Ok(records)
}

/// The helpful rate of a group of answers with its 95 % Wilson score interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Rate {
    /// Answers in the group.
    pub answers: usize,
    /// Of which "Yes".
    pub helpful: usize,
    /// helpful / answers.
    pub rate: f64,
    /// Lower end of the 95 % interval.
    pub low: f64,
    /// Upper end of the 95 % interval.
    pub high: f64,
}

impl Rate {
    /// The rate of `helpful` out of `answers` (answers ≥ 1), with its Wilson interval.
    pub fn of(helpful: usize, answers: usize) -> Rate {
        let (low, high) = crate::stats::wilson(helpful, answers);
        Rate { answers, helpful, rate: helpful as f64 / answers.max(1) as f64, low, high }
    }
}

/// What the answers are broken down by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    /// Narrative or deeper dive.
    Kind,
    /// The narrative's template.
    Template,
    /// The model's id.
    Model,
    /// The item's rank when rated.
    Position,
}

impl Dimension {
    /// Every dimension, in the report's order.
    pub const ALL: [Dimension; 4] = [Dimension::Kind, Dimension::Template, Dimension::Model, Dimension::Position];

    /// The heading of its table.
    pub fn title(self) -> &'static str {
        match self {
            Dimension::Kind => "explanation kind",
            Dimension::Template => "narrative template",
            Dimension::Model => "model",
            Dimension::Position => "position",
        }
    }

    /// The group a record falls in, and the key that orders the groups.
    fn group(self, r: &FeedbackRecord) -> (GroupKey, String) {
        match self {
            Dimension::Kind => (GroupKey::Text(r.kind.as_str().into()), r.kind.as_str().into()),
            Dimension::Template => {
                let t = r.template.clone().unwrap_or_else(|| NOT_RECORDED.into());
                (GroupKey::Text(t.clone()), t)
            }
            Dimension::Model => (GroupKey::Text(r.model.clone()), r.model.clone()),
            Dimension::Position => (GroupKey::Rank(r.rank), format!("#{}", r.rank)),
        }
    }
}

/// The group of records written before the template was kept.
pub const NOT_RECORDED: &str = "(not recorded)";

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum GroupKey {
    Rank(u32),
    Text(String),
}

/// One group's rate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    /// The group's value ("narrative", "counterfactual+recent", "#2", a model id).
    pub value: String,
    /// Its rate.
    #[serde(flatten)]
    pub rate: Rate,
}

/// The groups of one dimension, ordered by value (positions by rank).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Breakdown {
    /// What the groups are.
    pub dimension: Dimension,
    /// The groups.
    pub groups: Vec<Group>,
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Logs read.
    pub logs: usize,
    /// Repeated records merged into their answer (a reason typed afterwards).
    pub merged: usize,
    /// Answers with a reason typed.
    pub with_reason: usize,
    /// Every answer.
    pub overall: Rate,
    /// One breakdown per [`Dimension`].
    pub by: Vec<Breakdown>,
}

/// The report of a set of answers (at least one).
pub fn report(answers: &Answers) -> Report {
    let records = &answers.records;
    let helpful = |rs: &[&FeedbackRecord]| rs.iter().filter(|r| r.helpful).count();
    let all: Vec<&FeedbackRecord> = records.iter().collect();
    let by = Dimension::ALL
        .iter()
        .map(|&dimension| {
            let mut groups: BTreeMap<GroupKey, (String, Vec<&FeedbackRecord>)> = BTreeMap::new();
            for r in records {
                let (key, value) = dimension.group(r);
                groups.entry(key).or_insert_with(|| (value, Vec::new())).1.push(r);
            }
            let groups = groups
                .into_values()
                .map(|(value, rs)| Group { value, rate: Rate::of(helpful(&rs), rs.len()) })
                .collect();
            Breakdown { dimension, groups }
        })
        .collect();
    Report {
        logs: answers.logs,
        merged: answers.merged,
        with_reason: records.iter().filter(|r| r.reason.as_deref().is_some_and(|t| !t.trim().is_empty())).count(),
        overall: Rate::of(helpful(&all), all.len()),
        by,
    }
}

fn percent(x: f64) -> String {
    format!("{:.1} %", 100.0 * x)
}

impl Report {
    /// The report as text tables, one per dimension.
    pub fn table(&self) -> String {
        let o = &self.overall;
        let mut out = format!(
            "{} answer{} from {} log{} ({} repeat{} merged: a reason typed afterwards; {} with a reason)\n\
             helpful: {} ({} of {}), 95 % interval {} to {}\n",
            o.answers,
            if o.answers == 1 { "" } else { "s" },
            self.logs,
            if self.logs == 1 { "" } else { "s" },
            self.merged,
            if self.merged == 1 { "" } else { "s" },
            self.with_reason,
            percent(o.rate),
            o.helpful,
            o.answers,
            percent(o.low),
            percent(o.high),
        );
        for b in &self.by {
            let width = b.groups.iter().map(|g| g.value.chars().count()).max().unwrap_or(0).max(b.dimension.title().len());
            out.push_str(&format!(
                "\n{:<width$}  {:>7}  {:>7}  {:>7}  95 % interval\n",
                b.dimension.title(),
                "answers",
                "helpful",
                "rate"
            ));
            for g in &b.groups {
                let r = &g.rate;
                out.push_str(&format!(
                    "{:<width$}  {:>7}  {:>7}  {:>7}  {} to {}\n",
                    g.value,
                    r.answers,
                    r.helpful,
                    percent(r.rate),
                    percent(r.low),
                    percent(r.high)
                ));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_never_repeats_a_value() {
        let log = r#"[{"id":"1","item":1,"rank":1,"helpful":"my secret words","reason":null,"kind":"narrative","model":"m","time":"t"}]"#;
        let (line, _, what) = parse_log(log).unwrap_err();
        assert_eq!(line, 1);
        assert!(!what.contains("secret"), "{what}");
        assert!(what.contains("invalid type"), "{what}");
    }
}
