//! The audit report: per-method fidelity against random, stability, attention/occlusion agreement, and
//! per-segment distributions with a chi-square test of each segment against the rest.

use super::segments::Segments;
use crate::explain::fidelity::{Faithfulness, TOP_KS};
use crate::model::ItemId;
use serde::{Deserialize, Serialize};
use statrs::distribution::{ChiSquared, ContinuousCDF};
use std::collections::BTreeMap;
use std::fmt::Write;

/// A segment is compared with the rest only when it has at least this many users.
pub const MIN_SEGMENT_USERS: usize = 10;
/// Family-wise significance level; each test is held to it divided by the number of tests (Bonferroni).
pub const ALPHA: f64 = 0.01;

/// What the audit found for one user's top-1 recommendation.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UserRecord {
    /// The user id.
    pub user: u64,
    /// Events in the window.
    pub events: usize,
    /// The top-1 item.
    pub item: ItemId,
    /// The narrative templates used.
    pub template: String,
    /// Size of the drop-out set, if one was found.
    pub drop_out_size: Option<usize>,
    /// Size of the displace set, if one was found.
    pub displace_size: Option<usize>,
    /// Action of the most supportive event ("none" if no event supports the item).
    pub top_action: String,
    /// Recency bucket of the most supportive event.
    pub top_recency: String,
    /// The item of the most supportive event (none if no event supports the item): what drift compares,
    /// as positions differ between models of other window lengths.
    #[serde(default)]
    pub top_influence: Option<ItemId>,
    /// The items of the displace set, ascending, if one was found.
    #[serde(default)]
    pub counterfactual_items: Option<Vec<ItemId>>,
    /// Faithfulness per attribution method.
    pub fidelity: BTreeMap<String, Faithfulness>,
    /// Spearman correlation of attention and occlusion over the window (models with attention).
    pub spearman_attention_occlusion: Option<f32>,
    /// Whether explaining twice gave byte-identical documents (checked on a sample).
    pub stable: Option<bool>,
}

/// Fidelity of one method over all users.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MethodSummary {
    /// Users with a defined deletion AUC.
    pub users: usize,
    /// Mean deletion AUC in attribution order (lower = more faithful).
    pub deletion_auc: f64,
    /// Mean deletion AUC in random order.
    pub random_deletion_auc: f64,
    /// Share of users whose attribution order beats the random order.
    pub beats_random: f64,
    /// Mean comprehensiveness@k.
    pub comprehensiveness: BTreeMap<usize, f64>,
    /// Mean sufficiency@k.
    pub sufficiency: BTreeMap<usize, f64>,
}

/// One segment against the rest on one measure.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SegmentFinding {
    /// The attribute (e.g. "gender").
    pub attribute: String,
    /// The segment (e.g. "F").
    pub segment: String,
    /// What is compared (e.g. "narrative template").
    pub measure: String,
    /// Users in the segment.
    pub users: usize,
    /// The segment's distribution over categories.
    pub distribution: BTreeMap<String, usize>,
    /// The rest's distribution.
    pub rest: BTreeMap<String, usize>,
    /// Pearson's chi-square statistic.
    pub chi_square: f64,
    /// Its p-value.
    pub p_value: f64,
    /// True when p is below ALPHA over the number of tests.
    pub flagged: bool,
}

/// The whole audit.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuditReport {
    /// The model's name.
    pub model: Option<String>,
    /// Users audited.
    pub users: usize,
    /// Users left out, with why.
    pub skipped_users: Vec<String>,
    /// Interactions left out because the model does not know their item.
    pub skipped_unknown_items: usize,
    /// Fidelity per method.
    pub methods: BTreeMap<String, MethodSummary>,
    /// (users checked, of which byte-identical).
    pub stability: (usize, usize),
    /// Mean and median Spearman correlation of attention with occlusion.
    pub attention_occlusion_spearman: Option<(f64, f64)>,
    /// Each segment against the rest.
    pub segments: Vec<SegmentFinding>,
    /// Attributes not used as segments, with why.
    pub skipped_attributes: Vec<String>,
    /// Per-user records.
    pub records: Vec<UserRecord>,
}

/// Spearman's rank correlation (ties get their mean rank); None when either side is constant.
pub fn spearman(a: &[f32], b: &[f32]) -> Option<f32> {
    fn ranks(x: &[f32]) -> Vec<f64> {
        let mut idx: Vec<usize> = (0..x.len()).collect();
        idx.sort_by(|&i, &j| x[i].total_cmp(&x[j]));
        let mut r = vec![0.0; x.len()];
        let mut i = 0;
        while i < idx.len() {
            let mut j = i;
            while j + 1 < idx.len() && x[idx[j + 1]] == x[idx[i]] {
                j += 1;
            }
            for &k in &idx[i..=j] {
                r[k] = (i + j) as f64 / 2.0;
            }
            i = j + 1;
        }
        r
    }
    if a.len() != b.len() || a.len() < 3 {
        return None;
    }
    let (ra, rb) = (ranks(a), ranks(b));
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let (ma, mb) = (mean(&ra), mean(&rb));
    let cov: f64 = ra.iter().zip(&rb).map(|(x, y)| (x - ma) * (y - mb)).sum();
    let va: f64 = ra.iter().map(|x| (x - ma).powi(2)).sum();
    let vb: f64 = rb.iter().map(|y| (y - mb).powi(2)).sum();
    (va > 0.0 && vb > 0.0).then(|| (cov / (va * vb).sqrt()) as f32)
}

/// Pearson's chi-square of a 2×C table and its p-value; None when fewer than two categories occur.
pub fn chi_square(a: &BTreeMap<String, usize>, b: &BTreeMap<String, usize>) -> Option<(f64, f64)> {
    let mut cats: Vec<&String> = a.keys().chain(b.keys()).collect();
    cats.sort();
    cats.dedup();
    let (na, nb) = (a.values().sum::<usize>() as f64, b.values().sum::<usize>() as f64);
    if cats.len() < 2 || na == 0.0 || nb == 0.0 {
        return None;
    }
    let total = na + nb;
    let mut stat = 0.0;
    for c in &cats {
        let (oa, ob) = (*a.get(*c).unwrap_or(&0) as f64, *b.get(*c).unwrap_or(&0) as f64);
        let col = oa + ob;
        for (o, n) in [(oa, na), (ob, nb)] {
            let e = col * n / total;
            stat += (o - e).powi(2) / e;
        }
    }
    let dist = ChiSquared::new((cats.len() - 1) as f64).ok()?;
    Some((stat, 1.0 - dist.cdf(stat)))
}

type Measure = (&'static str, fn(&UserRecord) -> String);

const MEASURES: [Measure; 4] = [
    ("narrative template", |r| r.template.clone()),
    ("drop-out set size", |r| r.drop_out_size.map_or("none".into(), |s| s.to_string())),
    ("top influence: action", |r| r.top_action.clone()),
    ("top influence: recency", |r| r.top_recency.clone()),
];

/// Builds the report from per-user records.
pub fn summarise(
    model: Option<String>,
    records: Vec<UserRecord>,
    skipped_users: Vec<String>,
    skipped_unknown_items: usize,
    segments: &Segments,
) -> AuditReport {
    let mut methods = BTreeMap::new();
    let names: Vec<String> = {
        let mut n: Vec<String> = records.iter().flat_map(|r| r.fidelity.keys().cloned()).collect();
        n.sort();
        n.dedup();
        n
    };
    for name in names {
        let fs: Vec<&Faithfulness> = records.iter().filter_map(|r| r.fidelity.get(&name)).collect();
        let pairs: Vec<(f64, f64)> = fs
            .iter()
            .filter_map(|f| Some((f64::from(f.deletion_auc?), f64::from(f.random_deletion_auc?))))
            .collect();
        let n = pairs.len().max(1) as f64;
        let mean_at = |pick: fn(&Faithfulness) -> &BTreeMap<usize, f32>, k: usize| {
            let v: Vec<f64> = fs.iter().filter_map(|f| pick(f).get(&k).map(|x| f64::from(*x))).collect();
            v.iter().sum::<f64>() / v.len().max(1) as f64
        };
        methods.insert(
            name,
            MethodSummary {
                users: pairs.len(),
                deletion_auc: pairs.iter().map(|p| p.0).sum::<f64>() / n,
                random_deletion_auc: pairs.iter().map(|p| p.1).sum::<f64>() / n,
                beats_random: pairs.iter().filter(|p| p.0 < p.1).count() as f64 / n,
                comprehensiveness: TOP_KS.iter().map(|&k| (k, mean_at(|f| &f.comprehensiveness, k))).collect(),
                sufficiency: TOP_KS.iter().map(|&k| (k, mean_at(|f| &f.sufficiency, k))).collect(),
            },
        );
    }
    let checked: Vec<bool> = records.iter().filter_map(|r| r.stable).collect();
    let mut rhos: Vec<f64> = records.iter().filter_map(|r| r.spearman_attention_occlusion.map(f64::from)).collect();
    rhos.sort_by(f64::total_cmp);
    let attention_occlusion_spearman =
        (!rhos.is_empty()).then(|| (rhos.iter().sum::<f64>() / rhos.len() as f64, rhos[rhos.len() / 2]));

    let mut findings = Vec::new();
    let by_user: BTreeMap<u64, &UserRecord> = records.iter().map(|r| (r.user, r)).collect();
    for (attribute, labels) in &segments.by_attribute {
        let mut groups: BTreeMap<&String, Vec<&UserRecord>> = BTreeMap::new();
        for (user, label) in labels {
            if let Some(r) = by_user.get(user) {
                groups.entry(label).or_default().push(r);
            }
        }
        for (segment, members) in &groups {
            if members.len() < MIN_SEGMENT_USERS || members.len() == by_user.len() {
                continue;
            }
            for (measure, of) in MEASURES {
                let count = |rs: &mut dyn Iterator<Item = &UserRecord>| {
                    let mut m: BTreeMap<String, usize> = BTreeMap::new();
                    for r in rs {
                        *m.entry(of(r)).or_default() += 1;
                    }
                    m
                };
                let distribution = count(&mut members.iter().copied());
                let rest = count(&mut records.iter().filter(|r| labels.get(&r.user) != Some(*segment)));
                if let Some((chi, p)) = chi_square(&distribution, &rest) {
                    findings.push(SegmentFinding {
                        attribute: attribute.clone(),
                        segment: (*segment).clone(),
                        measure: measure.into(),
                        users: members.len(),
                        distribution,
                        rest,
                        chi_square: chi,
                        p_value: p,
                        flagged: false,
                    });
                }
            }
        }
    }
    let tests = findings.len().max(1) as f64;
    for f in &mut findings {
        f.flagged = f.p_value < ALPHA / tests;
    }
    AuditReport {
        model,
        users: records.len(),
        skipped_users,
        skipped_unknown_items,
        methods,
        stability: (checked.len(), checked.iter().filter(|s| **s).count()),
        attention_occlusion_spearman,
        segments: findings,
        skipped_attributes: segments.skipped.clone(),
        records,
    }
}

impl AuditReport {
    /// The report as a readable table.
    pub fn table(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "Audit of {} over {} users", self.model.as_deref().unwrap_or("the model"), self.users);
        if !self.skipped_users.is_empty() || self.skipped_unknown_items > 0 {
            let _ = writeln!(s, "  left out: {} users, {} interactions with unknown items", self.skipped_users.len(), self.skipped_unknown_items);
        }
        let _ = writeln!(s, "\nFidelity (deletion AUC, lower = more faithful; top-1 item per user)");
        let _ = writeln!(s, "  {:<10} {:>6} {:>9} {:>9} {:>8} {:>9} {:>9}", "method", "users", "AUC", "random", "beats", "comp@5", "suff@5");
        for (name, m) in &self.methods {
            let _ = writeln!(
                s,
                "  {:<10} {:>6} {:>9.3} {:>9.3} {:>7.0}% {:>9.3} {:>9.3}",
                name,
                m.users,
                m.deletion_auc,
                m.random_deletion_auc,
                m.beats_random * 100.0,
                m.comprehensiveness.get(&5).copied().unwrap_or(f64::NAN),
                m.sufficiency.get(&5).copied().unwrap_or(f64::NAN)
            );
        }
        let _ = writeln!(s, "\nStability: {} of {} users checked gave byte-identical documents", self.stability.1, self.stability.0);
        if let Some((mean, median)) = self.attention_occlusion_spearman {
            let _ = writeln!(s, "Attention vs occlusion (Spearman): mean {mean:.3}, median {median:.3}");
        }
        let flagged: Vec<&SegmentFinding> = self.segments.iter().filter(|f| f.flagged).collect();
        let _ = writeln!(
            s,
            "\nSegments: {} comparisons (chi-square, segment vs rest, Bonferroni at {ALPHA}); {} flagged",
            self.segments.len(),
            flagged.len()
        );
        for f in flagged {
            let _ = writeln!(
                s,
                "  FLAG {}={} ({} users), {}: p={:.2e}\n       segment {:?}\n       rest    {:?}",
                f.attribute, f.segment, f.users, f.measure, f.p_value, f.distribution, f.rest
            );
        }
        for skipped in &self.skipped_attributes {
            let _ = writeln!(s, "  not a segment: {skipped}");
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spearman_of_monotone_and_reversed_orders() {
        assert_eq!(spearman(&[1.0, 2.0, 3.0, 4.0], &[10.0, 20.0, 30.0, 40.0]), Some(1.0));
        assert_eq!(spearman(&[1.0, 2.0, 3.0, 4.0], &[4.0, 3.0, 2.0, 1.0]), Some(-1.0));
        assert_eq!(spearman(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]), None);
    }

    #[test]
    fn chi_square_separates_different_distributions_from_alike_ones() {
        let m = |pairs: &[(&str, usize)]| pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect::<BTreeMap<_, _>>();
        let (_, p_alike) = chi_square(&m(&[("a", 50), ("b", 50)]), &m(&[("a", 48), ("b", 52)])).unwrap();
        let (_, p_apart) = chi_square(&m(&[("a", 90), ("b", 10)]), &m(&[("a", 10), ("b", 90)])).unwrap();
        assert!(p_alike > 0.5 && p_apart < 1e-10, "{p_alike} {p_apart}");
    }
}
