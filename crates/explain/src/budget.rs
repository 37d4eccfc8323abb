//! What an explanation may spend: a wall-clock budget and a budget in scored windows. Ranking,
//! occlusion and recent-vs-long-term always run in full (they are the panel's first paint); the
//! counterfactual search and Shapley estimation size their work from what is left, a batch at a
//! time, so a budget holds however long one window takes to score.

use crate::options::ExplainOptions;
use web_time::{Duration, Instant};

/// The budgets of one explanation, started when the explanation starts.
#[derive(Debug, Clone)]
pub struct Budget {
    started: Instant,
    time: Option<Duration>,
    max_windows: Option<usize>,
}

/// Which budget ran out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spent {
    /// The wall-clock budget, in milliseconds.
    Time(u64),
    /// The window budget.
    Windows(usize),
}

impl Budget {
    /// The budgets the options ask for, starting now.
    pub fn start(options: &ExplainOptions) -> Budget {
        Budget {
            started: Instant::now(),
            time: options.time_budget_ms.map(Duration::from_millis),
            max_windows: options.max_windows,
        }
    }

    /// No budget at all.
    pub fn unlimited() -> Budget {
        Budget { started: Instant::now(), time: None, max_windows: None }
    }

    /// Which budget is spent, if any, after `windows` windows have been scored. The window budget is
    /// checked first, so a test that sets both gets the deterministic answer.
    pub fn spent(&self, windows: usize) -> Option<Spent> {
        if let Some(max) = self.max_windows.filter(|max| windows >= *max) {
            return Some(Spent::Windows(max));
        }
        let time = self.time?;
        (self.started.elapsed() >= time).then(|| Spent::Time(time.as_millis() as u64))
    }

    /// How many more windows fit, after `windows` have been scored at about `seconds_per_window` each
    /// (`None` = no limit). The time part keeps a tenth of what is left in reserve for the work after
    /// scoring (solving, pruning, wording), so that the whole explanation ends inside its budget.
    pub fn affordable(&self, windows: usize, seconds_per_window: f64) -> Option<usize> {
        let by_windows = self.max_windows.map(|max| max.saturating_sub(windows));
        let by_time = self.time.map(|time| {
            let left = time.saturating_sub(self.started.elapsed()).as_secs_f64() * 0.9;
            if seconds_per_window > 0.0 { (left / seconds_per_window).floor() as usize } else { usize::MAX }
        });
        match (by_windows, by_time) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The budget that is the tighter one now, for the sentence of a degraded result.
    pub fn binding(&self, windows: usize, seconds_per_window: f64) -> Option<Spent> {
        let by_windows = self.max_windows.map(|max| max.saturating_sub(windows));
        let by_time = self.time.map(|time| {
            let left = time.saturating_sub(self.started.elapsed()).as_secs_f64();
            if seconds_per_window > 0.0 { (left / seconds_per_window) as usize } else { usize::MAX }
        });
        match (by_windows, by_time) {
            (Some(w), Some(t)) if w <= t => self.max_windows.map(Spent::Windows),
            (Some(_), None) => self.max_windows.map(Spent::Windows),
            (_, Some(_)) => self.time.map(|t| Spent::Time(t.as_millis() as u64)),
            (None, None) => None,
        }
    }
}

impl Spent {
    /// The end of a sentence saying why work stopped: "to stay within 300 ms".
    pub fn reason(self) -> String {
        match self {
            Spent::Time(ms) => format!("to stay within the time budget of {ms} ms"),
            Spent::Windows(n) => format!("to stay within the budget of {n} scored windows"),
        }
    }
}
