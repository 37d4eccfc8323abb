//! What an explanation may spend on the parts that can be done with less: a wall-clock budget and a
//! budget in scored windows. Only Shapley sampling degrades; every other method always runs in full.

use super::options::ExplainOptions;
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
