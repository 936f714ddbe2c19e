//! The `doorman` command: `serve` (default), `migrate`, `worker`.

use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use doorman::config::Config;
use doorman::startup::{Application, run_worker};

#[derive(Parser)]
#[command(name = "doorman", version, about = "Sign-up with email confirmation")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web application and run the delivery worker (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Run only the email delivery worker, without HTTP.
    Worker,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let _ = dotenvy::dotenv();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("doorman: configuration error: {error}");
            return ExitCode::from(2);
        }
    };
    doorman::telemetry::init(config.log_format);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("the tokio runtime starts");
    match runtime.block_on(run(cli.command.unwrap_or(Command::Serve), config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("doorman: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, config: Config) -> anyhow::Result<()> {
    match command {
        Command::Serve => {
            let app = Application::build(&config).await?;
            tracing::info!(address = %app.local_addr(), base_url = %config.base_url, "doorman is serving");
            if config.is_development() {
                tracing::info!(
                    "development mode: every queued email is readable at {}/dev/mailbox",
                    config.base_url
                );
            }
            app.run_until(shutdown_signal())
                .await
                .context("the HTTP server failed")?;
        }
        Command::Migrate => {
            doorman::db::connect_and_migrate(&config.database_url).await?;
            println!("migrations applied");
        }
        Command::Worker => run_worker(&config, shutdown_signal()).await?,
    }
    Ok(())
}

/// SIGTERM (from an orchestrator) or Ctrl-C.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("shutting down");
}
