//! The report as an SVG picture (plotters): one panel per dimension, a dot per group at its helpful
//! rate with its 95 % interval as a whisker, and the overall rate as a dashed line to compare against.

use super::{Report, NOT_RECORDED};
use plotters::prelude::*;

const ROW: u32 = 26;
const PANEL_CHROME: u32 = 70;
const WIDTH: u32 = 760;

/// The report drawn as an SVG document.
pub fn svg(report: &Report) -> Result<String, String> {
    let heights: Vec<u32> = report.by.iter().map(|b| PANEL_CHROME + ROW * b.groups.len() as u32).collect();
    let height = heights.iter().sum::<u32>().max(1);
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let mut rest = root.clone();
        for (b, h) in report.by.iter().zip(&heights) {
            let (panel, below) = rest.split_vertically(*h);
            rest = below;
            let n = b.groups.len() as i32;
            let labels: Vec<String> = b.groups.iter().map(|g| format!("{} (n={})", g.value, g.rate.answers)).collect();
            let mut chart = ChartBuilder::on(&panel)
                .caption(format!("Helpful rate by {}", b.dimension.title()), ("sans-serif", 16))
                .margin(8)
                .x_label_area_size(24)
                .y_label_area_size(230)
                .build_cartesian_2d(0f64..1f64, (0..n).into_segmented())
                .map_err(|e| e.to_string())?;
            chart
                .configure_mesh()
                .disable_y_mesh()
                .y_labels(b.groups.len().max(1))
                .y_label_formatter(&|y| match y {
                    SegmentValue::CenterOf(i) => labels.get(*i as usize).cloned().unwrap_or_default(),
                    _ => String::new(),
                })
                .x_labels(6)
                .x_label_formatter(&|x| format!("{:.0} %", 100.0 * x))
                .draw()
                .map_err(|e| e.to_string())?;
            let overall = report.overall.rate;
            chart
                .draw_series(DashedLineSeries::new(vec![(overall, SegmentValue::Exact(0)), (overall, SegmentValue::Exact(n))], 4, 4, BLUE.mix(0.6).stroke_width(1)))
                .map_err(|e| e.to_string())?;
            for (i, g) in b.groups.iter().enumerate() {
                let y = SegmentValue::CenterOf(i as i32);
                let colour = if g.value == NOT_RECORDED { RGBColor(140, 140, 140) } else { RGBColor(20, 20, 20) };
                chart
                    .draw_series(std::iter::once(PathElement::new(vec![(g.rate.low, y.clone()), (g.rate.high, y.clone())], colour.stroke_width(2))))
                    .map_err(|e| e.to_string())?;
                chart
                    .draw_series(std::iter::once(Circle::new((g.rate.rate, y), 4, colour.filled())))
                    .map_err(|e| e.to_string())?;
            }
        }
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(out)
}
