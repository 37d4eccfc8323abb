//! Drift between two audits of the same users: two models, or two periods of the interactions table.
//! Per user it asks whether the top-1 explanation changed in what a visitor reads: the narrative
//! template, the top influence (the item of the event whose removal costs the recommended item most)
//! and the counterfactual set (the items whose removal displaces it); then how often, over all users
//! and per segment, with a 95 % Wilson interval ([`crate::stats::wilson`]).

use super::report::{AuditReport, UserRecord};
use super::segments::Segments;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write;

/// What may change between the two audits, per user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// The top-1 item itself.
    TopItem,
    /// The narrative template of the top-1 item.
    Template,
    /// The item of the most supportive event (or that none supports it).
    TopInfluence,
    /// The items of the displace counterfactual set (or that none was found).
    Counterfactual,
}

impl Change {
    /// Every measure, in the report's order.
    pub const ALL: [Change; 4] = [Change::TopItem, Change::Template, Change::TopInfluence, Change::Counterfactual];

    /// Its name in the table.
    pub fn title(self) -> &'static str {
        match self {
            Change::TopItem => "top item",
            Change::Template => "narrative template",
            Change::TopInfluence => "top influence",
            Change::Counterfactual => "counterfactual set",
        }
    }

    fn changed(self, a: &UserRecord, b: &UserRecord) -> bool {
        match self {
            Change::TopItem => a.item != b.item,
            Change::Template => a.template != b.template,
            Change::TopInfluence => a.top_influence != b.top_influence,
            Change::Counterfactual => a.counterfactual_items != b.counterfactual_items,
        }
    }
}

/// How often one measure changed in a group of users.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangeRate {
    /// The measure.
    pub change: Change,
    /// Users in the group.
    pub users: usize,
    /// Of which the measure changed for.
    pub changed: usize,
    /// changed / users.
    pub rate: f64,
    /// Lower end of the 95 % interval.
    pub low: f64,
    /// Upper end of the 95 % interval.
    pub high: f64,
}

/// The change rates of one segment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SegmentDrift {
    /// The attribute (e.g. gender).
    pub attribute: String,
    /// Its value (e.g. F).
    pub segment: String,
    /// One rate per [`Change`].
    pub changes: Vec<ChangeRate>,
}

/// The drift report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DriftReport {
    /// The first audit's label (a model's name, or a period).
    pub before: String,
    /// The second's.
    pub after: String,
    /// Users audited in both.
    pub users: usize,
    /// Users audited in only one of the two (left out of the rates).
    pub unmatched: usize,
    /// Over all users.
    pub overall: Vec<ChangeRate>,
    /// Per segment with at least [`super::report::MIN_SEGMENT_USERS`] users.
    pub segments: Vec<SegmentDrift>,
}

fn rates(pairs: &[(&UserRecord, &UserRecord)]) -> Vec<ChangeRate> {
    Change::ALL
        .iter()
        .map(|&change| {
            let changed = pairs.iter().filter(|(a, b)| change.changed(a, b)).count();
            let (low, high) = crate::stats::wilson(changed, pairs.len());
            ChangeRate { change, users: pairs.len(), changed, rate: changed as f64 / pairs.len().max(1) as f64, low, high }
        })
        .collect()
}

/// Compares two audits user by user.
pub fn drift(before: &AuditReport, after: &AuditReport, labels: (String, String), segments: &Segments) -> DriftReport {
    let b: BTreeMap<u64, &UserRecord> = after.records.iter().map(|r| (r.user, r)).collect();
    let pairs: Vec<(&UserRecord, &UserRecord)> =
        before.records.iter().filter_map(|a| b.get(&a.user).map(|b| (a, *b))).collect();
    let unmatched = before.records.len() + after.records.len() - 2 * pairs.len();
    let mut by_segment = Vec::new();
    for (attribute, of_user) in &segments.by_attribute {
        let mut groups: BTreeMap<&String, Vec<(&UserRecord, &UserRecord)>> = BTreeMap::new();
        for pair in &pairs {
            if let Some(label) = of_user.get(&pair.0.user) {
                groups.entry(label).or_default().push(*pair);
            }
        }
        for (segment, members) in groups {
            if members.len() >= super::report::MIN_SEGMENT_USERS {
                by_segment.push(SegmentDrift { attribute: attribute.clone(), segment: segment.clone(), changes: rates(&members) });
            }
        }
    }
    DriftReport { before: labels.0, after: labels.1, users: pairs.len(), unmatched, overall: rates(&pairs), segments: by_segment }
}

impl DriftReport {
    /// The report as text tables.
    pub fn table(&self) -> String {
        let pct = |x: f64| format!("{:.1} %", 100.0 * x);
        let row = |s: &mut String, name: &str, c: &[ChangeRate]| {
            let _ = write!(s, "  {name:<24}");
            for r in c {
                let _ = write!(s, " {:>8} [{}–{}]", pct(r.rate), pct(r.low), pct(r.high));
            }
            let _ = writeln!(s, "  (n={})", c.first().map(|r| r.users).unwrap_or(0));
        };
        let mut s = String::new();
        let _ = writeln!(s, "Drift from {} to {} over {} users ({} audited in only one)", self.before, self.after, self.users, self.unmatched);
        let _ = writeln!(s, "How often the top-1 explanation changed (95 % interval):");
        let _ = write!(s, "  {:<24}", "");
        for c in Change::ALL {
            let _ = write!(s, " {:>24}", c.title());
        }
        let _ = writeln!(s);
        row(&mut s, "all users", &self.overall);
        for seg in &self.segments {
            row(&mut s, &format!("{}={}", seg.attribute, seg.segment), &seg.changes);
        }
        s
    }
}
