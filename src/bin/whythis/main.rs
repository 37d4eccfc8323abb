//! `whythis`: check a model, rank and explain a history, audit explanations over a data set, report
//! what visitors answered to "Was this helpful?".

#[cfg(not(target_arch = "wasm32"))]
mod audit;
#[cfg(not(target_arch = "wasm32"))]
mod check;
#[cfg(not(target_arch = "wasm32"))]
mod explain;
#[cfg(not(target_arch = "wasm32"))]
mod feedback_report;
#[cfg(not(target_arch = "wasm32"))]
mod input;
#[cfg(not(target_arch = "wasm32"))]
mod pack;
#[cfg(not(target_arch = "wasm32"))]
mod recommend;

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    use clap::Parser;
    // Panics inside tract are turned into errors by the model layer; their default report would only
    // repeat the error in a frightening form.
    std::panic::set_hook(Box::new(|_| {}));
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Pack(args) => pack::run(&args),
        Command::Recommend(args) => recommend::run(&args),
        Command::Explain(args) => explain::run(&args),
        Command::Audit(args) => audit::run(&args),
        Command::FeedbackReport(args) => feedback_report::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("whythis: {message}");
            std::process::ExitCode::FAILURE
        }
    }
}

// The CLI is native only; the wasm build of the crate is the widget.
#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
#[derive(clap::Parser)]
#[command(name = "whythis", version, about = "Explains, on your own machine, why a sequence recommender suggested an item.")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[cfg(not(target_arch = "wasm32"))]
#[derive(clap::Subcommand)]
enum Command {
    /// Check a model card and its ONNX graph against the whythis model contract.
    Check(check::Args),
    /// Pack a checked ONNX model as tract's NNEF form, with a card naming the sha256 of every file.
    Pack(pack::Args),
    /// Rank the next items for a history.
    Recommend(recommend::Args),
    /// Rank the next items for a history and explain each one.
    Explain(explain::Args),
    /// Audit explanations over a data set: fidelity, stability, disparities between user segments.
    Audit(audit::Args),
    /// Report the helpful rate of "Was this helpful?" answers from exported feedback logs.
    FeedbackReport(feedback_report::Args),
}
