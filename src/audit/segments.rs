//! User segments for the disparity audit: a table of user id and attributes (e.g. MovieLens u.user:
//! id|age|gender|occupation|zip). Numeric attributes are cut into quartiles; attributes with too many
//! distinct values to compare (zip codes) are left out and reported.

use std::collections::{BTreeMap, BTreeSet};

/// Attributes with more distinct values than this are not segments.
pub const MAX_SEGMENT_VALUES: usize = 30;

/// Each user's segment per attribute, and the attributes left out.
#[derive(Debug, Default, Clone)]
pub struct Segments {
    /// attribute → user → segment label.
    pub by_attribute: BTreeMap<String, BTreeMap<u64, String>>,
    /// Attributes left out, with why.
    pub skipped: Vec<String>,
}

/// Parses a segments table; `names` names the columns after the user id (else a header row or
/// "column N").
pub fn parse(text: &str, names: &[String]) -> Result<Segments, String> {
    let mut rows: Vec<(u64, Vec<String>)> = Vec::new();
    let mut header: Option<Vec<String>> = None;
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let sep = ['|', '\t', ','].into_iter().find(|c| line.contains(*c)).unwrap_or(' ');
        let fields: Vec<String> = line.split(sep).map(|f| f.trim().to_owned()).collect();
        match fields[0].parse::<u64>() {
            Ok(user) => rows.push((user, fields[1..].to_vec())),
            Err(_) if i == 0 => header = Some(fields[1..].to_vec()),
            Err(_) => return Err(format!("line {}: the first field must be a user id", i + 1)),
        }
    }
    let width = rows.iter().map(|(_, f)| f.len()).max().unwrap_or(0);
    let mut segments = Segments::default();
    for col in 0..width {
        let name = names
            .get(col)
            .cloned()
            .or_else(|| header.as_ref().and_then(|h| h.get(col).cloned()))
            .unwrap_or_else(|| format!("column {}", col + 2));
        let values: Vec<(u64, &str)> =
            rows.iter().filter_map(|(u, f)| f.get(col).map(|v| (*u, v.as_str()))).collect();
        let distinct: BTreeSet<&str> = values.iter().map(|(_, v)| *v).collect();
        let numeric: Option<Vec<f64>> = values.iter().map(|(_, v)| v.parse::<f64>().ok()).collect();
        let labels: BTreeMap<u64, String> = match numeric {
            Some(nums) if distinct.len() > 12 => {
                let mut sorted = nums.clone();
                sorted.sort_by(f64::total_cmp);
                let q = |p: f64| sorted[((sorted.len() - 1) as f64 * p).round() as usize];
                let cuts = [q(0.25), q(0.5), q(0.75)];
                values
                    .iter()
                    .zip(&nums)
                    .map(|((u, _), x)| {
                        let band = cuts.iter().filter(|c| x > c).count();
                        let label = match band {
                            0 => format!("≤{}", cuts[0]),
                            1 => format!("{}–{}", cuts[0], cuts[1]),
                            2 => format!("{}–{}", cuts[1], cuts[2]),
                            _ => format!(">{}", cuts[2]),
                        };
                        (*u, label)
                    })
                    .collect()
            }
            _ if distinct.len() > MAX_SEGMENT_VALUES => {
                segments.skipped.push(format!("{name}: {} distinct values, too many to compare", distinct.len()));
                continue;
            }
            _ => values.iter().map(|(u, v)| (*u, (*v).to_owned())).collect(),
        };
        segments.by_attribute.insert(name, labels);
    }
    Ok(segments)
}
