//! Scoring-only wasm bindings for the browser bench (`bench/browser/`): the JS `Engine` API has no call
//! that scores raw windows, so this exposes whythis's own `Scorer` (the code every explanation runs) for
//! the batch-1 and leave-one-out comparisons with onnxruntime-web, and hands out the exact input slots so
//! both runtimes score the same tensors. Built by `bench/browser/build.sh`; empty on native targets.

#[cfg(target_arch = "wasm32")]
mod bindings {
    use wasm_bindgen::prelude::*;
    use whythis::model::{History, ModelCard, Position, Scorer, Slots, Window};

    /// A loaded model and the windows of one history: the full window and its leave-one-out batch.
    #[wasm_bindgen]
    pub struct BenchScorer {
        scorer: Scorer,
        one: Vec<Slots>,
        leave_one_out: Vec<Slots>,
    }

    fn flat(slots: &[Slots], actions: bool) -> Vec<i64> {
        slots.iter().flat_map(|s| if actions { s.actions.clone() } else { s.items.clone() }).collect()
    }

    fn js_error(e: impl std::fmt::Display) -> JsError {
        JsError::new(&e.to_string())
    }

    #[wasm_bindgen]
    impl BenchScorer {
        /// Loads the card and ONNX bytes and builds the windows of `history` (JSON array of events).
        #[wasm_bindgen(constructor)]
        pub fn new(card: &[u8], onnx: &[u8], history: &str) -> Result<BenchScorer, JsError> {
            let card = ModelCard::from_json(card).map_err(js_error)?;
            let history: History = serde_json::from_str(history).map_err(js_error)?;
            let window = Window::new(&card, &history).map_err(js_error)?;
            let one = vec![window.slots()];
            let leave_one_out = (0..window.len()).map(|p| window.slots_without(&[Position(p)])).collect();
            let scorer = Scorer::load(card, onnx).map_err(js_error)?;
            Ok(BenchScorer { scorer, one, leave_one_out })
        }

        /// Number of windows in the leave-one-out batch (= events in the window).
        #[wasm_bindgen(getter, js_name = leaveOneOutBatch)]
        pub fn leave_one_out_batch(&self) -> usize {
            self.leave_one_out.len()
        }

        /// The `[1, seq_len]` item ids (`actions` false) or action indices of the full window.
        #[wasm_bindgen(js_name = windowInput)]
        pub fn window_input(&self, actions: bool) -> Vec<i64> {
            flat(&self.one, actions)
        }

        /// The `[batch, seq_len]` item ids or action indices of the leave-one-out batch.
        #[wasm_bindgen(js_name = leaveOneOutInput)]
        pub fn leave_one_out_input(&self, actions: bool) -> Vec<i64> {
            flat(&self.leave_one_out, actions)
        }

        /// Scores the full window: its `num_items + 1` scores.
        #[wasm_bindgen(js_name = scoreWindow)]
        pub fn score_window(&self) -> Result<Vec<f32>, JsError> {
            Ok(self.scorer.score(&self.one).map_err(js_error)?.concat())
        }

        /// Scores the leave-one-out batch: `batch × (num_items + 1)` scores, row after row.
        #[wasm_bindgen(js_name = scoreLeaveOneOut)]
        pub fn score_leave_one_out(&self) -> Result<Vec<f32>, JsError> {
            Ok(self.scorer.score(&self.leave_one_out).map_err(js_error)?.concat())
        }
    }
}
