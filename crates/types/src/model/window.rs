//! The window the model sees (docs/contract.md §2): the last `seq_len` events, right-aligned, left-padded,
//! and the removal of events from it.

use super::card::ModelCard;
use super::error::ModelError;
use super::history::History;
use super::ids::{ItemId, Position};
use serde::{Deserialize, Serialize};

/// The padding id and padding action in every input slot.
pub const PAD: i64 = 0;

/// One real event of the window, checked against the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WindowEvent {
    /// 0 = the window's oldest event.
    pub position: Position,
    /// The item.
    pub item: ItemId,
    /// The action's name as given (or the card's default when none was given).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// When it happened, if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ts: Option<i64>,
    /// The action's index in the card's vocabulary (the value fed to `action_types`).
    #[serde(skip)]
    pub action_index: i64,
}

/// The model's input for one window: `seq_len` item ids and action indices, padded on the left.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Slots {
    /// Item ids, one per slot.
    pub items: Vec<i64>,
    /// Action indices, one per slot.
    pub actions: Vec<i64>,
}

/// The last `seq_len` events of a history; explanations are about these events only.
#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    events: Vec<WindowEvent>,
    seq_len: usize,
}

impl Window {
    /// Builds the window of a history for a model, checking every event's item and action.
    ///
    /// Every event is checked, not only those inside the window: an unknown id anywhere means the host
    /// and the model disagree about the catalog, and ranking on anyway would hide that.
    pub fn new(card: &ModelCard, history: &History) -> Result<Window, ModelError> {
        history.check_length()?;
        let uses_actions = card.inputs.action_types.is_some();
        let mut checked = Vec::with_capacity(history.len());
        for (index, event) in history.events.iter().enumerate() {
            if event.item < 1 || event.item > i64::from(card.num_items) {
                return Err(ModelError::UnknownItem { index, num_items: card.num_items });
            }
            let action_index = match &event.action {
                Some(name) => match card.action_index(name) {
                    Some(i) => i,
                    // A model that does not read actions keeps any label for the ledger.
                    None if !uses_actions => PAD,
                    None => {
                        return Err(ModelError::UnknownAction {
                            index,
                            known: card.actions.as_deref().unwrap_or_default()[1..].join(", "),
                        })
                    }
                },
                None => card.default_action_index(),
            };
            let action = event.action.clone().or_else(|| card.action_name(action_index).map(str::to_owned));
            checked.push((ItemId(event.item as u32), action, event.ts, action_index));
        }
        let skip = checked.len().saturating_sub(card.seq_len);
        let events = checked
            .into_iter()
            .skip(skip)
            .enumerate()
            .map(|(p, (item, action, ts, action_index))| WindowEvent {
                position: Position(p),
                item,
                action,
                ts,
                action_index,
            })
            .collect();
        Ok(Window { events, seq_len: card.seq_len })
    }

    /// The window's real events, oldest first.
    pub fn events(&self) -> &[WindowEvent] {
        &self.events
    }

    /// Number of real events (at most `seq_len`).
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// True for a cold start: every slot is padding.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// The model's window length.
    pub fn seq_len(&self) -> usize {
        self.seq_len
    }

    /// The event at a position.
    pub fn event(&self, position: Position) -> Option<&WindowEvent> {
        self.events.get(position.0)
    }

    /// The slot (0..seq_len) that an event occupies in the full window.
    pub fn slot_of(&self, position: Position) -> usize {
        self.seq_len - self.events.len() + position.0
    }

    /// The full window's slots.
    pub fn slots(&self) -> Slots {
        self.slots_keeping(|_| true)
    }

    /// The slots with the given events removed: the rest stay in order, right-aligned; older events
    /// never slide in.
    pub fn slots_without(&self, removed: &[Position]) -> Slots {
        self.slots_keeping(|p| !removed.contains(&p))
    }

    /// The slots of only the given events (everything else removed).
    pub fn slots_only(&self, kept: &[Position]) -> Slots {
        self.slots_keeping(|p| kept.contains(&p))
    }

    /// The slots of the events for which `keep` is true.
    pub fn slots_keeping(&self, keep: impl Fn(Position) -> bool) -> Slots {
        let mut items = vec![PAD; self.seq_len];
        let mut actions = vec![PAD; self.seq_len];
        let kept: Vec<&WindowEvent> = self.events.iter().filter(|e| keep(e.position)).collect();
        let start = self.seq_len - kept.len();
        for (slot, event) in (start..).zip(kept) {
            items[slot] = event.item.as_input();
            actions[slot] = event.action_index;
        }
        Slots { items, actions }
    }

    /// The all-padding window (no events).
    pub fn empty_slots(&self) -> Slots {
        self.slots_keeping(|_| false)
    }

    /// The window without the given events, as a window of its own (a what-if): the rest keep their
    /// order and are numbered afresh from 0, and its slots are exactly [`Window::slots_without`]'s.
    /// Positions past the end are ignored; callers check them first.
    pub fn without(&self, removed: &[Position]) -> Window {
        let events = self
            .events
            .iter()
            .filter(|e| !removed.contains(&e.position))
            .enumerate()
            .map(|(p, e)| WindowEvent { position: Position(p), ..e.clone() })
            .collect();
        Window { events, seq_len: self.seq_len }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(seq_len: usize, num_items: u32) -> ModelCard {
        ModelCard::from_json(
            format!(
                r#"{{"format":"whythis-model/1","onnx":"m.onnx","seq_len":{seq_len},"num_items":{num_items},
                "inputs":{{"item_ids":"item_ids","action_types":"action_types"}},"outputs":{{"scores":"scores"}},
                "actions":["pad","play","search"]}}"#
            )
            .as_bytes(),
        )
        .unwrap()
    }

    #[test]
    fn removal_right_aligns_and_never_slides_older_events_in() {
        // docs/contract.md §2: [0,0,a,b,c,d] without b is [0,0,0,a,c,d].
        let w = Window::new(&card(6, 9), &History::from_items([1, 2, 3, 4])).unwrap();
        assert_eq!(w.slots().items, vec![0, 0, 1, 2, 3, 4]);
        assert_eq!(w.slots_without(&[Position(1)]).items, vec![0, 0, 0, 1, 3, 4]);
        // A longer history: the window is the last 3, and removal does not bring event 1 back.
        let w = Window::new(&card(3, 9), &History::from_items([1, 2, 3, 4, 5])).unwrap();
        assert_eq!(w.slots().items, vec![3, 4, 5]);
        assert_eq!(w.slots_without(&[Position(0)]).items, vec![0, 4, 5]);
        assert_eq!(w.slots_only(&[Position(0)]).items, vec![0, 0, 3]);
    }

    #[test]
    fn a_window_without_events_is_renumbered_and_scores_as_the_removal() {
        let h = History::parse(r#"[{"item":1,"action":"search"},{"item":2},{"item":3,"action":"play"},{"item":4}]"#).unwrap();
        let w = Window::new(&card(6, 9), &h).unwrap();
        let reduced = w.without(&[Position(1), Position(3)]);
        assert_eq!(reduced.slots(), w.slots_without(&[Position(1), Position(3)]));
        let kept: Vec<(usize, u32)> = reduced.events().iter().map(|e| (e.position.0, e.item.0)).collect();
        assert_eq!(kept, vec![(0, 1), (1, 3)]);
        assert_eq!(reduced.events()[1].action.as_deref(), Some("play"));
        assert!(w.without(&[Position(0), Position(1), Position(2), Position(3)]).is_empty());
    }

    #[test]
    fn actions_follow_their_events() {
        let h = History::parse(r#"[{"item":1,"action":"search"},{"item":2},{"item":3,"action":"play"}]"#).unwrap();
        let w = Window::new(&card(4, 9), &h).unwrap();
        assert_eq!(w.slots().actions, vec![0, 2, 1, 1]);
        assert_eq!(w.slots_without(&[Position(0)]).actions, vec![0, 0, 1, 1]);
        assert_eq!(w.events()[1].action.as_deref(), Some("play"));
    }

    #[test]
    fn bad_events_are_named() {
        let err = Window::new(&card(4, 9), &History::from_items([1, 10])).unwrap_err();
        assert!(err.to_string().contains("event 1") && err.to_string().contains("1 to 9"), "{err}");
        assert!(!err.to_string().contains("10"), "the history's item id leaked into the error: {err}");
        assert!(Window::new(&card(4, 9), &History::from_items([0])).is_err());
        let h = History::parse(r#"[{"item":1,"action":"dance"}]"#).unwrap();
        let err = Window::new(&card(4, 9), &h).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("event 0") && text.contains("play, search"), "{err}");
        assert!(!text.contains("dance"), "the history's action leaked into the error: {err}");
    }

    #[test]
    fn empty_history_is_all_padding() {
        let w = Window::new(&card(3, 9), &History::default()).unwrap();
        assert!(w.is_empty());
        assert_eq!(w.slots().items, vec![0, 0, 0]);
    }
}
