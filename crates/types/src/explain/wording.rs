//! The small rules every sentence of whythis follows (docs/explanations.md, "Wording"): how long a title
//! or tag may be, how it is set inside a sentence, how lists read, and the one recent-vs-long-term
//! verdict, the labels of numbers and actions. Pure text functions, built for both wasm modules: the
//! engine words the document with them, the panel sets its labels and tables with the same rules.

use super::document::{OcclusionEntry, RecentVsLongTerm, Verdict};
use crate::model::Rank;

/// The longest title shown before it is cut with an ellipsis.
pub const MAX_TITLE: usize = 80;
/// The longest tag shown before it is cut with an ellipsis.
pub const MAX_TAG: usize = 40;
/// How every sentence and list names an item the host marked private, or one that carries a tag it
/// marked sensitive: the one phrase, phrased once.
pub const PRIVATE_TITLE: &str = "a title you keep private";

/// Cuts a string to `max` characters (by chars, never inside one), adding "…" when cut; trims it first.
pub fn shorten(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Wraps catalog text in FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE (the plain-text `<bdi>`): its
/// direction is its own, and a bidi control inside it (an unclosed U+202E) ends at its end instead of
/// reversing the rest of the sentence.
pub fn isolate(text: &str) -> String {
    format!("\u{2068}{text}\u{2069}")
}

/// A tag as it appears in a sentence or a table: shortened and isolated.
pub fn tag_label(tag: &str) -> String {
    isolate(&shorten(tag, MAX_TAG))
}

/// "A", "A and B", "A, B and C".
pub fn join(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {}", rest.join(", "), last),
    }
}

/// The text with its first letter upper-case (for a sentence that starts with a name); a title set in
/// an isolate starts with the isolate, and is left as it is.
pub fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) if first.is_lowercase() => first.to_uppercase().chain(chars).collect(),
        _ => text.to_string(),
    }
}

/// Which counts for more toward the item: `None` when every event of the window is a recent one
/// (there is no longer-term part to weigh); otherwise recent when removing the recent events costs
/// more of the score than removing the rest (`without_recent > only_recent`; ties go to the long term).
pub fn verdict(recent: &RecentVsLongTerm, window_len: usize) -> Option<Verdict> {
    if window_len <= recent.recent_events {
        return None;
    }
    Some(if recent.without_recent > recent.only_recent { Verdict::Recent } else { Verdict::LongTerm })
}

/// The verdict in one sentence, the same words wherever it is said.
pub fn verdict_sentence(verdict: Verdict, recent_events: usize) -> String {
    match verdict {
        Verdict::Recent => format!("Your last {recent_events} events count for more here than your longer-term taste."),
        Verdict::LongTerm => format!("Your longer-term taste counts for more here than your last {recent_events} events."),
    }
}

/// How an item moved under a what-if: "up from #3", "down from #1", "unchanged".
pub fn movement(before: Rank, now: Rank) -> String {
    match before.cmp(&now) {
        std::cmp::Ordering::Greater => format!("up from {before}"),
        std::cmp::Ordering::Less => format!("down from {before}"),
        std::cmp::Ordering::Equal => "unchanged".to_string(),
    }
}

/// A number with an explicit sign ("+0.12", "−0.03", "±0.00" when it rounds to nothing): two decimals
/// in sentences, three in the panel's tables.
pub fn signed(value: f32, decimals: usize) -> String {
    let rounded = format!("{:.*}", decimals, value.abs());
    if rounded.bytes().all(|b| b == b'0' || b == b'.') {
        format!("±{rounded}")
    } else if value > 0.0 {
        format!("+{rounded}")
    } else {
        format!("−{rounded}")
    }
}

/// The word that says which way an influence goes, so colour is never the only cue.
pub fn direction(value: f32) -> &'static str {
    if value.abs() < 0.0005 {
        "no effect"
    } else if value > 0.0 {
        "supports"
    } else {
        "works against"
    }
}

/// An event's occlusion as a label beside its bar: "supports it (+0.120); without it: #3".
pub fn occlusion_label(entry: &OcclusionEntry) -> String {
    format!("{} it ({}); without it: {}", direction(entry.delta), signed(entry.delta, 3), entry.rank_without)
}

/// A readable action name: "rated_5" becomes "rated 5★", "add_to_library" "add to library".
pub fn action_label(action: Option<&str>) -> String {
    match action {
        None => String::new(),
        Some(a) => match a.strip_prefix("rated_").and_then(|stars| stars.parse::<u8>().ok()) {
            Some(n) => format!("rated {n}★"),
            None => a.replace('_', " "),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_read_naturally() {
        assert_eq!(join(&["a".to_string()]), "a");
        assert_eq!(join(&["a", "b", "c"].map(String::from)), "a, b and c");
    }

    #[test]
    fn shortening_counts_characters_not_bytes() {
        assert_eq!(shorten(&"é".repeat(100), 10).chars().count(), 10);
        assert!(shorten(&"x".repeat(100), 10).ends_with('…'));
        assert_eq!(shorten("  short ", 10), "short");
    }

    #[test]
    fn a_sentence_starting_with_the_private_phrase_is_capitalised_and_an_isolate_is_not_touched() {
        assert_eq!(capitalised(PRIVATE_TITLE), "A title you keep private");
        assert_eq!(capitalised(&isolate("élan")), isolate("élan"));
    }

    #[test]
    fn the_verdict_follows_the_signed_losses_and_needs_older_events() {
        let r = |without_recent, only_recent| RecentVsLongTerm { recent_events: 5, without_recent, only_recent };
        assert_eq!(verdict(&r(0.8, 0.2), 9), Some(Verdict::Recent));
        assert_eq!(verdict(&r(0.2, 0.8), 9), Some(Verdict::LongTerm));
        // A larger loss in magnitude that is a gain is no support: removing the recent events raises the score.
        assert_eq!(verdict(&r(-2.0, 1.0), 9), Some(Verdict::LongTerm));
        assert_eq!(verdict(&r(0.8, 0.2), 5), None);
    }

    #[test]
    fn numbers_carry_their_sign_and_labels_their_direction() {
        assert_eq!(signed(0.12, 3), "+0.120");
        assert_eq!(signed(-0.034, 3), "−0.034");
        assert_eq!(signed(-0.0001, 2), "±0.00");
        assert_eq!(signed(0.004, 2), "±0.00");
        assert_eq!(signed(0.004, 3), "+0.004");
        let entry = OcclusionEntry { position: crate::model::Position(0), item: crate::model::ItemId(1), delta: 0.2, rank_without: Rank(3) };
        assert_eq!(occlusion_label(&entry), "supports it (+0.200); without it: #3");
        assert_eq!(action_label(Some("rated_5")), "rated 5★");
        assert_eq!(action_label(Some("add_to_library")), "add to library");
    }

    #[test]
    fn movement_is_said_against_the_rank_with_every_event() {
        assert_eq!(movement(Rank(3), Rank(1)), "up from #3");
        assert_eq!(movement(Rank(1), Rank(2)), "down from #1");
        assert_eq!(movement(Rank(2), Rank(2)), "unchanged");
    }
}

/// A time (seconds since the epoch) as its UTC date, `yyyy-mm-dd`, as a date input writes it. Written
/// here rather than taken from a date crate: one conversion, the civil-from-days rule, is all the
/// sentences need, and both wasm modules would carry the crate.
pub fn utc_date(ts: i64) -> String {
    // Days since 1970-01-01, shifted so eras of 400 years start on 0000-03-01.
    let z = ts.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod date_tests {
    use super::utc_date;

    #[test]
    fn dates_are_utc_calendar_days() {
        assert_eq!(utc_date(0), "1970-01-01");
        assert_eq!(utc_date(86_399), "1970-01-01");
        assert_eq!(utc_date(-1), "1969-12-31");
        // MovieLens 100K's first rating, and a leap day.
        assert_eq!(utc_date(881_250_949), "1997-12-04");
        assert_eq!(utc_date(951_782_400), "2000-02-29");
        assert_eq!(utc_date(4_102_444_800), "2100-01-01");
    }
}
