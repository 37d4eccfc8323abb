//! Counterfactual completeness (issue 11, target 2): the search of `explain` against exhaustive search
//! of every set of up to three events, on real MovieLens-100k windows.
//!
//! Run: `cargo run --release --example counterfactual_search -- [CARD] [--users N] [--len L]`
//! For each user (the last L events), each of the top 10 items and each kind (`drop_out`, `displace`):
//! the certified minimum size (≤ 3) by exhaustive search, and what the search found. Prints how often a
//! set exists and is found, how often the sizes match, and the windows each spent.

use std::path::Path;
use whythis::audit::interactions;
use whythis::explain::rescoring::{combinations, EventSet, Rescorer};
use whythis::explain::{explain, ExplainOptions};
use whythis::files;
use whythis::model::{Candidates, History, Position, Window};

fn main() {
    let mut card = "models/sasrec.card.json".to_string();
    let (mut users, mut len) = (40usize, 16usize);
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--users" => users = it.next().and_then(|v| v.parse().ok()).expect("--users N"),
            "--len" => len = it.next().and_then(|v| v.parse().ok()).expect("--len L"),
            other => card = other.into(),
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let m = files::load_model(&root.join(&card)).expect("model loads");
    let c = m.scorer.card().clone();
    let text = std::fs::read_to_string(root.join("../shared/data/movielens-100k/u.data")).expect("MovieLens-100k u.data");
    let all = interactions::parse(&text, &c).expect("u.data parses").users;
    let eligible: Vec<&History> = all.values().filter(|h| h.events.len() >= len).collect();
    let step = (eligible.len() / users).max(1);
    let options = ExplainOptions::default();
    let k = options.top_k;

    let (mut exists, mut found, mut matched, mut goals_with_set_users, mut users_all_matched) = (0, 0, 0, 0, 0);
    let mut missed_larger = 0;
    let mut windows = Vec::new();
    for history in eligible.iter().step_by(step).take(users) {
        let short = History { events: history.events[history.events.len() - len..].to_vec() };
        let doc = explain(&m.scorer, &m.catalog, &short, &options).expect("explains");
        windows.push(doc.cost.as_ref().unwrap().by_method.get("counterfactual").copied().unwrap_or(0));
        let window = Window::new(&c, &short).unwrap();
        let candidates = Candidates::for_window(&window, c.num_items, false);
        let items: Vec<_> = doc.recommendations.iter().map(|r| r.item).collect();
        let mut rescorer = Rescorer::new(&m.scorer, &window, &candidates, items, k);
        let mut sets: Vec<EventSet> = Vec::new();
        for size in 1..=3 {
            sets.extend(combinations(len, size, false).into_iter().map(|s| s.into_iter().map(Position).collect::<EventSet>()));
        }
        let outcomes = rescorer.removing("exhaustive", &sets).unwrap();
        let mut all_matched = true;
        let mut any = false;
        for (t, rec) in doc.recommendations.iter().enumerate() {
            let cf = &rec.explanation.as_ref().unwrap().counterfactual;
            for (kind, got) in [("drop_out", &cf.drop_out), ("displace", &cf.displace)] {
                let achieves = |o: &whythis::explain::rescoring::Outcome| match kind {
                    "drop_out" => o.out_of_top(rec.item, k),
                    _ => o.ranks[t] > rec.rank,
                };
                let minimum = sets.iter().zip(&outcomes).find(|(_, o)| achieves(o)).map(|(s, _)| s.len());
                // Goals whose smallest set is larger than 3 are not certified here.
                let Some(minimum) = minimum else { continue };
                any = true;
                exists += 1;
                match got {
                    Some(set) => {
                        found += 1;
                        if set.positions.len() == minimum {
                            matched += 1;
                        } else {
                            all_matched = false;
                            missed_larger += 1;
                        }
                    }
                    None => all_matched = false,
                }
            }
        }
        if any {
            goals_with_set_users += 1;
            if all_matched {
                users_all_matched += 1;
            }
        }
    }
    windows.sort();
    println!(
        "{card}: {} users, windows of {len} events, top {k}: {exists} (item, kind) goals have a set of ≤ 3 events; \
         the search found {} of them ({:.1} %), at the certified minimum size {matched} ({:.1} %; {missed_larger} larger); \
         users with every minimum matched: {users_all_matched} of {goals_with_set_users} ({:.1} %); \
         counterfactual windows per explanation: median {}, max {}",
        windows.len(),
        found,
        100.0 * found as f64 / exists.max(1) as f64,
        100.0 * matched as f64 / exists.max(1) as f64,
        100.0 * users_all_matched as f64 / goals_with_set_users.max(1) as f64,
        windows[windows.len() / 2],
        windows[windows.len() - 1],
    );
}
