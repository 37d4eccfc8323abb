//! The heatmap: one column per window event (oldest to newest), one row per method (attention when the
//! model has it, occlusion, Shapley), drawn with plotters into a canvas; the same numbers as a table.

use crate::view;
use whythis_types::explain::wording::{isolate, signed};
use whythis_types::explain::{DisplayName, ItemExplanation};
use whythis_types::model::WindowEvent;
use leptos::prelude::*;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;

/// One row of the heatmap: a name, whether it is signed, and a value per window position.
#[derive(Debug, Clone, PartialEq)]
pub struct HeatRow {
    /// "Attention", "Occlusion", "Shapley".
    pub name: &'static str,
    /// Signed rows use a diverging scale; attention (a probability) a sequential one.
    pub signed: bool,
    /// One value per window position (None = not reported).
    pub values: Vec<Option<f32>>,
}

/// The rows of the heatmap for an explanation over a window of `n` events.
pub fn heat_rows(ex: &ItemExplanation, n: usize) -> Vec<HeatRow> {
    let mut rows = Vec::new();
    if let Some(att) = &ex.attention {
        let mut values = vec![None; n];
        for a in att {
            if let Some(v) = values.get_mut(a.position.0) {
                *v = Some(a.weight);
            }
        }
        rows.push(HeatRow { name: "Attention", signed: false, values });
    }
    let mut occ = vec![None; n];
    for o in &ex.occlusion {
        if let Some(v) = occ.get_mut(o.position.0) {
            *v = Some(o.delta);
        }
    }
    rows.push(HeatRow { name: "Occlusion", signed: true, values: occ });
    let mut sh = vec![None; n];
    for s in &ex.shapley.values {
        if let Some(v) = sh.get_mut(s.position.0) {
            *v = Some(s.value);
        }
    }
    rows.push(HeatRow { name: "Shapley", signed: true, values: sh });
    rows
}

/// The cell colour: sequential purple for attention, orange (supports) / blue (works against) otherwise.
pub fn cell_colour(row: &HeatRow, value: Option<f32>) -> RGBColor {
    let Some(v) = value else { return RGBColor(235, 235, 235) };
    let max = row.values.iter().flatten().map(|x| x.abs()).fold(0.0f32, f32::max);
    let t = normalised(v, max);
    let mix = |from: (u8, u8, u8), to: (u8, u8, u8), t: f32| {
        let t = t.clamp(0.0, 1.0);
        let c = |a: u8, b: u8| (a as f32 + (b as f32 - a as f32) * t).round() as u8;
        RGBColor(c(from.0, to.0), c(from.1, to.1), c(from.2, to.2))
    };
    let white = (255, 255, 255);
    if !row.signed {
        mix(white, (84, 39, 143), t.abs())
    } else if t >= 0.0 {
        mix(white, (179, 88, 6), t)
    } else {
        mix(white, (33, 102, 172), -t)
    }
}

fn draw(canvas: web_sys::HtmlCanvasElement, rows: &[HeatRow]) -> Result<(), String> {
    let backend = CanvasBackend::with_canvas_object(canvas).ok_or("the canvas has no 2D context")?;
    let root = backend.into_drawing_area();
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let (label_area, grid) = root.split_horizontally(96);
    let n = rows.first().map(|r| r.values.len()).unwrap_or(0).max(1);
    let cells = grid.split_evenly((rows.len(), n));
    for (i, cell) in cells.iter().enumerate() {
        let (r, c) = (i / n, i % n);
        let row = &rows[r];
        cell.fill(&cell_colour(row, row.values.get(c).copied().flatten())).map_err(|e| e.to_string())?;
    }
    let (_, height) = label_area.dim_in_pixel();
    let row_h = height as i32 / rows.len().max(1) as i32;
    let style = TextStyle::from(("sans-serif", 13).into_font()).color(&RGBColor(29, 29, 31));
    for (r, row) in rows.iter().enumerate() {
        label_area
            .draw_text(row.name, &style, (4, r as i32 * row_h + row_h / 2 - 7))
            .map_err(|e| e.to_string())?;
    }
    root.present().map_err(|e| e.to_string())?;
    Ok(())
}

/// Influence as a share of the largest absolute one, in [-1, 1]: a bar's or a cell's strength.
pub fn normalised(value: f32, max_abs: f32) -> f32 {
    if max_abs <= f32::EPSILON || !value.is_finite() {
        0.0
    } else {
        (value / max_abs).clamp(-1.0, 1.0)
    }
}

/// The heatmap and its table alternative.
#[component]
pub fn Heatmap(ex: ItemExplanation, window: Vec<WindowEvent>, names: Vec<DisplayName>, has_attention: bool) -> impl IntoView {
    let rows = heat_rows(&ex, window.len());
    let label = format!(
        "Heatmap of your events, oldest on the left, one row per method. {} The table below has every number.",
        ex.per_event_summary
    );
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    let rows_draw = StoredValue::new(rows.clone());
    let error = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if let Some(c) = canvas.get() {
            let c: web_sys::HtmlCanvasElement = c;
            if let Err(e) = rows_draw.with_value(|r| draw(c, r)) {
                error.set(Some(format!("The heatmap could not be drawn ({e}); the table has the same numbers.")));
            }
        }
    });
    let height = (rows.len() * 30 + 4).to_string();
    let header: Vec<String> = (0..window.len()).map(|p| names.get(p).map_or_else(String::new, |n| isolate(&n.short))).collect();
    let names: Vec<&'static str> = rows.iter().map(|r| r.name).collect();
    view! {
        <figure class="wt-heat" part="heatmap">
            <figcaption class="wt-sub">
                {if has_attention {
                    "Attention heatmap, next to occlusion and Shapley values"
                } else {
                    "Influence heatmap (this model has no attention): occlusion and Shapley values"
                }}
            </figcaption>
            <canvas node_ref=canvas width="640" height=height role="img" aria-label=label class="wt-canvas"></canvas>
            <p class="wt-note">
                "Orange supports the recommendation, blue works against it; darker means stronger. Attention is shown in purple."
            </p>
            {move || error.get().map(|e| view! { <p class="wt-note">{e}</p> })}
            <details class="wt-table-details">
                <summary>"Show the numbers as a table"</summary>
                <div class="wt-table-wrap">
                    <table class="wt-table">
                        <caption>"Per event, oldest first"</caption>
                        <thead>
                            <tr>
                                <th scope="col">"Event"</th>
                                {names.iter().map(|n| view! { <th scope="col">{*n}</th> }).collect_view()}
                            </tr>
                        </thead>
                        <tbody>
                            {header
                                .into_iter()
                                .enumerate()
                                .map(|(p, title)| {
                                    let cells: Vec<String> = rows
                                        .iter()
                                        .map(|r| match r.values.get(p).copied().flatten() {
                                            Some(v) if r.signed => signed(v, 3),
                                            Some(v) => format!("{v:.3}"),
                                            None => "—".into(),
                                        })
                                        .collect();
                                    view! {
                                        <tr>
                                            <th scope="row">{format!("{}. {}", p + 1, title)}</th>
                                            {cells.into_iter().map(|c| view! { <td>{c}</td> }).collect_view()}
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                </div>
            </details>
        </figure>
    }
}
