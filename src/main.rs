use clap::Parser;

/// mimalloc instead of glibc's allocator: glibc gives each thread that allocates (Tokio's
/// workers and blocking threads, one thread per SQLite connection) an arena of its own and
/// keeps what was freed there, so resident memory grew with the number of threads that had
/// ever been busy (issue 17); mimalloc returns freed pages to the system.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
