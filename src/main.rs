use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    // aws-lc-rs and ring both end up in the tree; pick one provider for rustls up front.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    match ops::cli::run(ops::cli::Cli::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ops-server: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
