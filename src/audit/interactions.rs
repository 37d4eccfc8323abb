//! Reading an interactions table (user, item, [action or rating], timestamp) into per-user histories.

use crate::model::{Event, History, ModelCard};
use std::collections::BTreeMap;
use thiserror::Error;

/// Why an interactions table could not be read.
#[derive(Debug, Error)]
pub enum InteractionsError {
    /// A line has too few fields or a field that is not a number where one is needed.
    #[error("line {line}: {why} (expected user, item, [action or rating,] timestamp, separated by tabs, commas, | or ::)")]
    Line { line: usize, why: String },
    /// The table holds no interactions.
    #[error("the interactions table holds no interactions")]
    Empty,
}

/// Per-user histories, oldest first, and what had to be skipped.
#[derive(Debug, Default)]
pub struct Interactions {
    /// Each user's events, sorted by timestamp (ties keep file order).
    pub users: BTreeMap<u64, History>,
    /// Events whose item the model does not know.
    pub skipped_unknown_items: usize,
}

fn split(line: &str) -> Vec<&str> {
    for sep in ["::", "\t", "|", ","] {
        if line.contains(sep) {
            return line.split(sep).map(str::trim).collect();
        }
    }
    line.split_whitespace().collect()
}

/// Parses the table. A third field among four is the action: a number `r` becomes `rated_r` when the
/// card lists that action (MovieLens ratings), otherwise it is taken as the action's name.
pub fn parse(text: &str, card: &ModelCard) -> Result<Interactions, InteractionsError> {
    let mut rows: BTreeMap<u64, Vec<(i64, usize, Event)>> = BTreeMap::new();
    let mut out = Interactions::default();
    for (index, line) in text.lines().enumerate() {
        let line_no = index + 1;
        if line.trim().is_empty() {
            continue;
        }
        let fields = split(line);
        let bad = |why: String| InteractionsError::Line { line: line_no, why };
        if fields.len() < 3 {
            return Err(bad(format!("{} field(s)", fields.len())));
        }
        let (Ok(user), Ok(item)) = (fields[0].parse::<u64>(), fields[1].parse::<i64>()) else {
            if index == 0 {
                continue; // a header
            }
            return Err(bad("user and item must be whole numbers".into()));
        };
        let (action, ts_field) = if fields.len() >= 4 { (Some(fields[2]), fields[3]) } else { (None, fields[2]) };
        let ts = ts_field.parse::<i64>().map_err(|_| bad(format!("timestamp \"{ts_field}\" is not a whole number")))?;
        if item < 1 || item > i64::from(card.num_items) {
            out.skipped_unknown_items += 1;
            continue;
        }
        let action = action.map(|a| {
            let rated = format!("rated_{a}");
            if a.parse::<f64>().is_ok() && card.action_index(&rated).is_some() {
                rated
            } else {
                a.to_owned()
            }
        });
        let events = rows.entry(user).or_default();
        let order = events.len();
        events.push((ts, order, Event { item, action, ts: Some(ts) }));
    }
    if rows.is_empty() {
        return Err(InteractionsError::Empty);
    }
    for (user, mut events) in rows {
        events.sort_by_key(|(ts, order, _)| (*ts, *order));
        out.users.insert(user, History { events: events.into_iter().map(|(_, _, e)| e).collect() });
    }
    Ok(out)
}
