//! The explanation engine's estimators against exact answers on real MovieLens windows (issue 11):
//! the kernel Shapley estimator against every coalition, its standard errors against its real error,
//! the counterfactual search against exhaustive search, and the window budget as a hard limit.

mod common;

use common::{load, real_histories, SHIPPED};
use whythis::explain::counterfactual::{counterfactuals, Evidence, Search};
use whythis::explain::occlusion::occlusion;
use whythis::explain::options::Estimator;
use whythis::explain::rescoring::{combinations, EventSet, Outcome, Rescorer};
use whythis::explain::shapley::{exact, kernel, estimate, ShapleyRequest};
use whythis::explain::{explain, ExplainOptions};
use whythis::files::LoadedModel;
use whythis::model::{Candidates, History, Position, Window};

/// The last `len` events of each real history that has them.
fn windows(m: &LoadedModel, len: usize, users: usize) -> Vec<Window> {
    real_histories()
        .into_iter()
        .filter(|(_, h)| h.events.len() >= len)
        .take(users)
        .map(|(_, h)| Window::new(m.scorer.card(), &History { events: h.events[h.events.len() - len..].to_vec() }).unwrap())
        .collect()
}

fn top(m: &LoadedModel, window: &Window, k: usize) -> (Candidates, Vec<whythis::model::Ranked>) {
    let candidates = Candidates::for_window(window, m.scorer.card().num_items, false);
    let scores = m.scorer.score(&[window.slots()]).unwrap();
    let top = candidates.top_k(&scores[0], k);
    (candidates, top)
}

fn rel_l2(a: &[f64], b: &[f64]) -> f64 {
    let e: f64 = a.iter().zip(b).map(|(x, y)| (x - y).powi(2)).sum();
    (e / b.iter().map(|y| y * y).sum::<f64>()).sqrt()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn request(estimator: Estimator, coalitions: usize, n: usize) -> ShapleyRequest {
    ShapleyRequest {
        estimator,
        max_coalitions: coalitions,
        target_error: 0.0,
        permutations: (coalitions - 2) / (n - 1),
        ..ShapleyRequest::from_options(&ExplainOptions::default())
    }
}

#[test]
fn kernel_shapley_with_every_class_scored_is_exact() {
    let m = load(SHIPPED[0]);
    for window in windows(&m, 9, 4) {
        let (candidates, top) = top(&m, &window, 3);
        let items: Vec<_> = top.iter().map(|r| r.item).collect();
        let mut r = Rescorer::new(&m.scorer, &window, &candidates, items.clone(), 10);
        let truth = exact::values(&mut r).unwrap();
        let mut r = Rescorer::new(&m.scorer, &window, &candidates, items, 10);
        let fit = kernel::values(&mut r, &request(Estimator::Kernel, 1 << 20, 9)).unwrap();
        for (a, b) in fit.phi.iter().zip(&truth.phi) {
            assert!(rel_l2(a, b) < 1e-4, "every coalition scored, the regression is the Shapley value: {a:?} vs {b:?}");
        }
        assert!(fit.se.iter().flatten().all(|s| *s == 0.0), "nothing sampled, nothing uncertain");
    }
}

#[test]
fn kernel_shapley_beats_permutations_at_equal_windows_and_its_errors_are_honest() {
    for card in SHIPPED {
        let m = load(card);
        let n = 10;
        let (mut kernel_err, mut perm_err) = (Vec::new(), Vec::new());
        let (mut within, mut entries) = (0, 0);
        for window in windows(&m, n, 12) {
            let (candidates, top) = top(&m, &window, 3);
            let items: Vec<_> = top.iter().map(|r| r.item).collect();
            let mut r = Rescorer::new(&m.scorer, &window, &candidates, items.clone(), 10);
            let truth = exact::values(&mut r).unwrap();
            // 600 coalitions: below the 1,024 of exact values, so both estimators sample.
            let mut r = Rescorer::new(&m.scorer, &window, &candidates, items.clone(), 10);
            let k = estimate(&mut r, &request(Estimator::Kernel, 600, n)).unwrap();
            assert_eq!(k.estimator, Estimator::Kernel);
            assert!(r.windows_scored() <= 600, "the coalition budget holds: {}", r.windows_scored());
            let mut r = Rescorer::new(&m.scorer, &window, &candidates, items, 10);
            let p = estimate(&mut r, &request(Estimator::Permutation, 600, n)).unwrap();
            for t in 0..truth.phi.len() {
                kernel_err.push(rel_l2(&k.phi[t], &truth.phi[t]));
                perm_err.push(rel_l2(&p.phi[t], &truth.phi[t]));
                let total: f64 = truth.phi[t].iter().sum();
                assert!((k.phi[t].iter().sum::<f64>() - total).abs() < 1e-3 * total.abs().max(1.0), "efficiency");
                for i in 0..n {
                    entries += 1;
                    if (k.phi[t][i] - truth.phi[t][i]).abs() <= 3.0 * k.se[t][i] + 1e-6 {
                        within += 1;
                    }
                }
            }
        }
        let (ke, pe) = (median(kernel_err), median(perm_err));
        assert!(ke < pe, "{card}: kernel median error {ke:.3} should be under the permutation sampler's {pe:.3}");
        let covered = within as f64 / entries as f64;
        assert!(covered >= 0.9, "{card}: only {covered:.2} of the values are within three standard errors of the exact ones");
    }
}

/// The smallest set of up to three events achieving each goal, by scoring every one.
fn exhaustive(r: &mut Rescorer, n: usize, achieves: &dyn Fn(&Outcome) -> bool) -> Option<usize> {
    let mut sets: Vec<EventSet> = Vec::new();
    for size in 1..=3 {
        sets.extend(combinations(n, size, false).into_iter().map(|s| s.into_iter().map(Position).collect::<EventSet>()));
    }
    let outcomes = r.removing("exhaustive", &sets).unwrap();
    sets.iter().zip(&outcomes).find(|(_, o)| achieves(o)).map(|(s, _)| s.len())
}

#[test]
fn the_counterfactual_search_finds_what_exhaustive_search_finds() {
    let m = load(SHIPPED[0]);
    let (n, k) = (12, 10);
    let (mut goals, mut found, mut matched) = (0, 0, 0);
    for window in windows(&m, n, 20) {
        let (candidates, top) = top(&m, &window, k);
        let items: Vec<_> = top.iter().map(|r| r.item).collect();
        let mut r = Rescorer::new(&m.scorer, &window, &candidates, items, k);
        let base: Vec<f32> = top.iter().map(|t| t.score).collect();
        let occ = occlusion(&mut r, &base).unwrap();
        let evidence: Vec<Evidence> = occ.iter().zip(&top).map(|(o, t)| Evidence { occlusion: o, shapley: None, rank: t.rank }).collect();
        let defaults = ExplainOptions::default();
        let search = Search { max_events: defaults.max_events, windows: defaults.counterfactual_windows, catalog: Some(&m.catalog) };
        let sets = counterfactuals(&mut r, &evidence, &search).unwrap();
        for (t, (cf, target)) in sets.iter().zip(&top).enumerate() {
            let drop_min = exhaustive(&mut r, n, &|o| o.out_of_top(target.item, k));
            let displace_min = exhaustive(&mut r, n, &|o| o.ranks[t] > target.rank);
            for (minimum, got) in [(drop_min, &cf.drop_out), (displace_min, &cf.displace)] {
                if let Some(got) = got {
                    assert!(got.positions.len() <= defaults.max_events);
                }
                let Some(minimum) = minimum else { continue };
                goals += 1;
                if let Some(got) = got {
                    found += 1;
                    assert!(got.positions.len() >= minimum, "nothing beats exhaustive search");
                    if got.positions.len() == minimum {
                        matched += 1;
                    }
                }
            }
            assert!(cf.search.complete_up_to >= 1, "every single event is always tried");
        }
    }
    assert!(goals > 50, "the fixture should have goals to test ({goals})");
    assert_eq!(found, goals, "a set of at most three events exists for {goals} goals; the search found {found}");
    let share = matched as f64 / goals as f64;
    assert!(share >= 0.9, "the search matched the certified minimum size in {share:.2} of goals");
}

#[test]
fn a_short_window_is_searched_exhaustively_so_none_is_proven() {
    let m = load(SHIPPED[0]);
    for window in windows(&m, 6, 5) {
        let doc = explain(&m.scorer, &m.catalog, &History { events: history_of(&window) }, &ExplainOptions::default()).unwrap();
        for rec in &doc.recommendations {
            let cf = &rec.explanation.as_ref().unwrap().counterfactual;
            for set in [&cf.drop_out, &cf.displace] {
                match set {
                    // Six events, at most five removed: every set fits the budget, so a null is a proof.
                    None => assert!(cf.exhaustive(), "a null kind without proof: {:?}", cf.search),
                    // Every smaller set was tried, so the one found is a smallest.
                    Some(s) => assert!(cf.search.complete_up_to + 1 >= s.positions.len(), "{:?} for {s:?}", cf.search),
                }
            }
        }
    }
}

fn history_of(window: &Window) -> Vec<whythis::model::Event> {
    window
        .events()
        .iter()
        .map(|e| whythis::model::Event { item: i64::from(e.item.0), action: e.action.clone(), ts: e.ts })
        .collect()
}

#[test]
fn a_window_budget_is_a_hard_limit_and_says_so() {
    let m = load(SHIPPED[0]);
    let history = real_histories().into_iter().find(|(_, h)| h.events.len() >= 50).unwrap().1;
    for max in [120usize, 300, 600] {
        let options = ExplainOptions { max_windows: Some(max), ..ExplainOptions::default() };
        let doc = explain(&m.scorer, &m.catalog, &history, &options).unwrap();
        let cost = doc.cost.unwrap();
        // Ranking, occlusion (50), recent-vs-long-term (2) and Shapley's fixed coalitions (2 + 50 alone) always run.
        assert!(cost.windows <= max.max(105), "{max}: spent {}", cost.windows);
        assert!(!cost.degraded.is_empty(), "{max}: a budget that cut work short is said");
    }
}

#[test]
fn explain_gives_the_values_of_the_estimator_it_names() {
    let m = load(SHIPPED[1]);
    let window = windows(&m, 50, 1).remove(0);
    let history = History { events: history_of(&window) };
    let options = ExplainOptions { shapley_target_error: 0.0, ..ExplainOptions::default() };
    let doc = explain(&m.scorer, &m.catalog, &history, &options).unwrap();
    let (candidates, top) = top(&m, &window, 10);
    let mut r = Rescorer::new(&m.scorer, &window, &candidates, top.iter().map(|t| t.item).collect(), 10);
    let e = estimate(&mut r, &ShapleyRequest::from_options(&options)).unwrap();
    for (rec, phi) in doc.recommendations.iter().zip(&e.phi) {
        let ours: Vec<f64> = rec.explanation.as_ref().unwrap().shapley.values.iter().map(|v| f64::from(v.value)).collect();
        assert!(rel_l2(&ours, phi) < 1e-5, "explain and the estimator disagree: {ours:?} vs {phi:?}");
    }
}

#[test]
fn a_first_pass_paints_the_same_ranking_and_occlusion_for_fewer_windows_and_says_its_shapley_values_are_rough() {
    for card in SHIPPED {
        let m = load(card);
        let history = real_histories().into_iter().find(|(_, h)| h.events.len() >= 50).unwrap().1;
        let full = ExplainOptions::default();
        let window = m.scorer.card().seq_len.min(history.events.len());
        let first = full.first_pass(window).expect("a 50-event window is estimated, so it gets a first pass");
        let (a, b) = (
            explain(&m.scorer, &m.catalog, &history, &first).unwrap(),
            explain(&m.scorer, &m.catalog, &history, &full).unwrap(),
        );
        let items = |d: &whythis::explain::ExplanationDocument| d.recommendations.iter().map(|r| r.item).collect::<Vec<_>>();
        assert_eq!(items(&a), items(&b), "{card}: the first pass ranks as the full request");
        let (wa, wb) = (a.cost.as_ref().unwrap().windows, b.cost.as_ref().unwrap().windows);
        eprintln!("{card}: first pass {wa} windows, full request {wb}");
        assert!(wa * 2 < wb, "{card}: a first pass of {wa} windows against {wb} buys little");
        for (ra, rb) in a.recommendations.iter().zip(&b.recommendations) {
            let (ea, eb) = (ra.explanation.as_ref().unwrap(), rb.explanation.as_ref().unwrap());
            assert_eq!(ea.occlusion, eb.occlusion, "{card}: occlusion does not depend on the pass");
            // Efficiency holds for any fit; the errors say no two values can be told apart.
            let sum: f32 = ea.shapley.values.iter().map(|v| v.value).sum();
            let sum_full: f32 = eb.shapley.values.iter().map(|v| v.value).sum();
            assert!((sum - sum_full).abs() <= 1e-3 * sum_full.abs().max(1.0), "{card}: {sum} vs {sum_full}");
            assert!(ea.shapley.relative_error >= 1.0 && eb.shapley.relative_error < 1.0, "{card}");
            assert!(ea.shapley_note.contains("too rough yet"), "{card}: {}", ea.shapley_note);
            for pair in ea.shapley.values.windows(2) {
                assert!(!ea.shapley.distinguishes(pair[0].position, pair[1].position), "{card}: a first pass ranks events");
            }
        }
    }
    // Exact values need no first pass, nor does a ranking.
    assert_eq!(ExplainOptions::default().first_pass(9), None);
    assert_eq!(ExplainOptions { rank_only: true, ..ExplainOptions::default() }.first_pass(50), None);
}
