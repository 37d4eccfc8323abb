//! Recent against long-term behaviour (docs/explanations.md §3): what the last few events alone do.

use crate::document::RecentVsLongTerm;
use crate::error::ExplainError;
use crate::options::RECENT_EVENTS;
use crate::rescoring::Rescorer;
use whythis_model::Position;

/// `s(H) - s(H without the last r)` and `s(H) - s(only the last r)`, per target; r = min(5, n).
pub fn recent_vs_long_term(rescorer: &mut Rescorer, base_scores: &[f32]) -> Result<Vec<RecentVsLongTerm>, ExplainError> {
    let n = rescorer.window().len();
    let r = RECENT_EVENTS.min(n);
    let recent: Vec<Position> = (n - r..n).map(Position).collect();
    let older: Vec<Position> = (0..n - r).map(Position).collect();
    let outcomes = rescorer.removing("recent_vs_long_term", &[recent, older])?;
    Ok((0..base_scores.len())
        .map(|t| RecentVsLongTerm {
            recent_events: r,
            without_recent: base_scores[t] - outcomes[0].scores[t],
            only_recent: base_scores[t] - outcomes[1].scores[t],
        })
        .collect())
}
