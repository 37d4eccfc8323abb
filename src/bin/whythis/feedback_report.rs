//! `whythis feedback-report`: the helpful rate of "Was this helpful?" answers from exported logs.

use std::path::PathBuf;
use std::process::ExitCode;
use whythis::feedback;

/// Arguments of `whythis feedback-report`.
#[derive(clap::Args)]
pub struct Args {
    /// Feedback logs: files from "Export feedback" or `feedbackLog()` (a JSON array), or the host's
    /// collected `whythis-feedback` event details (a JSON array or one JSON object per line).
    #[arg(required = true)]
    logs: Vec<PathBuf>,
    /// Print the report as JSON instead of tables.
    #[arg(long)]
    json: bool,
    /// Also draw the report as an SVG picture into this file.
    #[arg(long)]
    svg: Option<PathBuf>,
}

pub fn run(args: &Args) -> Result<ExitCode, String> {
    let answers = feedback::read_logs(&args.logs).map_err(|e| e.to_string())?;
    let report = feedback::report(&answers);
    if let Some(path) = &args.svg {
        let picture = feedback::svg(&report).map_err(|e| format!("the picture could not be drawn: {e}"))?;
        std::fs::write(path, picture).map_err(|e| format!("{}: cannot be written: {e}", path.display()))?;
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?);
    } else {
        print!("{}", report.table());
    }
    Ok(ExitCode::SUCCESS)
}
