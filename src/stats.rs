//! Small statistics shared by the reports (feedback, drift).

/// The 95 % Wilson score interval of `successes` out of `trials` (trials ≥ 1). Wilson's rather than
/// the normal approximation: the groups of a report are small and their rates near 0 or 1, where the
/// normal interval leaves [0, 1] or collapses to a point.
pub fn wilson(successes: usize, trials: usize) -> (f64, f64) {
    const Z: f64 = 1.959_963_984_540_054; // the normal quantile of 0.975
    let n = trials.max(1) as f64;
    let p = successes as f64 / n;
    let z2 = Z * Z;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = Z / (1.0 + z2 / n) * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

#[cfg(test)]
mod tests {
    use super::wilson;

    #[test]
    fn matches_the_textbook_values_and_stays_in_the_unit_range() {
        // 8 of 10: 0.490 to 0.943.
        let (low, high) = wilson(8, 10);
        assert!((low - 0.4902).abs() < 1e-3 && (high - 0.9433).abs() < 1e-3, "{low} {high}");
        let (low, high) = wilson(5, 5);
        assert_eq!(high, 1.0);
        assert!(low > 0.4 && low < 0.6);
        assert_eq!(wilson(0, 3).0, 0.0);
        let (small, large) = (wilson(3, 4), wilson(300, 400));
        assert!(large.1 - large.0 < (small.1 - small.0) / 5.0);
    }
}
