//! The `doorman` command: `serve` (default), `migrate`, `worker`, and the operator's
//! `users …`, `outbox …`, `clients …`, `keys …`, `audit …` and `admin-keys …`.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use doorman::config::Config;
use doorman::operator::{ClientRegistration, Format, Operator, OperatorError};
use doorman::startup::{Application, Services, run_worker};

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
    /// Run only the email delivery worker and housekeeping, without HTTP.
    Worker,
    #[command(flatten)]
    Operate(OperatorCommand),
}

/// What an operator runs; recorded in the audit log as done by `cli`.
#[derive(Subcommand)]
enum OperatorCommand {
    /// Inspect and manage accounts.
    #[command(subcommand)]
    Users(UsersCommand),
    /// Inspect and retry queued emails.
    #[command(subcommand)]
    Outbox(OutboxCommand),
    /// Register and manage OpenID Connect clients (relying parties).
    #[command(subcommand)]
    Clients(ClientsCommand),
    /// The OpenID Connect signing keys.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// The audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Keys for the admin API.
    #[command(subcommand)]
    AdminKeys(AdminKeysCommand),
}

#[derive(Subcommand)]
enum ClientsCommand {
    /// Register a client; prints its id and, unless public, its secret (shown once).
    Add {
        /// What people see on the consent page.
        #[arg(long)]
        name: String,
        /// Where codes may be sent (https, or http on a loopback host); repeatable.
        #[arg(long = "redirect-uri", required = true)]
        redirect_uris: Vec<String>,
        /// Where RP-initiated logout may send people afterwards; repeatable.
        #[arg(long = "post-logout-redirect-uri")]
        post_logout_redirect_uris: Vec<String>,
        /// A browser or native app: no secret, PKCE required.
        #[arg(long)]
        public: bool,
        /// The operator's own application: people are not asked for consent.
        #[arg(long)]
        first_party: bool,
        #[command(flatten)]
        output: Output,
    },
    /// List the registered clients.
    List {
        #[command(flatten)]
        output: Output,
    },
    /// Remove a client, ending every token it holds.
    Remove { client_id: String },
    /// Give a confidential client a new secret (shown once); the old one stops working.
    RotateSecret { client_id: String },
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Make a new signing key the signer at once; older keys stay published while tokens
    /// they signed live.
    Rotate,
}

#[derive(Args)]
struct Output {
    /// Print JSON for scripts instead of a table.
    #[arg(long)]
    json: bool,
}

impl Output {
    fn format(&self) -> Format {
        if self.json {
            Format::Json
        } else {
            Format::Human
        }
    }
}

#[derive(Subcommand)]
enum UsersCommand {
    /// List accounts, oldest first.
    List {
        /// Only accounts whose address is not confirmed yet.
        #[arg(long)]
        unconfirmed: bool,
        #[command(flatten)]
        output: Output,
    },
    /// Show one account.
    Show {
        email: String,
        #[command(flatten)]
        output: Output,
    },
    /// Confirm an account's address without the emailed link.
    Confirm { email: String },
    /// Delete an account, its sessions and its unsent emails.
    Delete { email: String },
    /// Give an account the admin role: the console at /admin.
    Promote { email: String },
    /// Take the admin role away.
    Demote { email: String },
    /// Import accounts from JSON Lines (`-` for stdin): {"email", "password_hash",
    /// "confirmed", "created_at", "locale"}, hashes from Django, bcrypt, argon2, scrypt or
    /// PBKDF2. Existing addresses are skipped; bad lines are reported by number; exit
    /// status 1 if any line was refused.
    Import {
        file: PathBuf,
        /// Check every line and report what would happen, writing nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Email an address an invitation (INVITE_TTL) to create its account, confirmed.
    Invite {
        email: String,
        /// Where the new account goes once it accepts (checked like any return_to).
        #[arg(long)]
        return_to: Option<String>,
    },
    /// Write every account as JSON Lines, in the import's format (to stdout without FILE).
    Export { file: Option<PathBuf> },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// The audit log, newest first.
    List {
        /// Only events of this account.
        #[arg(long)]
        account: Option<String>,
        /// At most this many events.
        #[arg(long, default_value_t = 100)]
        limit: u64,
        #[command(flatten)]
        output: Output,
    },
}

#[derive(Subcommand)]
enum AdminKeysCommand {
    /// Make a key for the admin API; it is printed once, alone on the last line.
    Create { name: String },
    /// List the keys' names (never the keys).
    List {
        #[command(flatten)]
        output: Output,
    },
    /// Revoke a key at once.
    Revoke { name: String },
}

#[derive(Subcommand)]
enum OutboxCommand {
    /// List queued, sent and failed emails, oldest first.
    List {
        /// Only emails that were given up on.
        #[arg(long)]
        failed: bool,
        #[command(flatten)]
        output: Output,
    },
    /// Requeue a given-up email, or all of them.
    Retry {
        /// The outbox row to requeue.
        #[arg(required_unless_present = "all_failed", conflicts_with = "all_failed")]
        id: Option<i64>,
        /// Requeue every given-up email.
        #[arg(long)]
        all_failed: bool,
    },
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
        Command::Operate(command) => {
            doorman::operator::as_cli(operate(command, &config)).await?;
        }
    }
    Ok(())
}

/// The operator's commands.
async fn operate(command: OperatorCommand, config: &Config) -> anyhow::Result<()> {
    let operator = Services::build(config).await?.operator();
    match command {
        OperatorCommand::Users(command) => {
            let output = match command {
                UsersCommand::List {
                    unconfirmed,
                    output,
                } => operator.list_users(unconfirmed, output.format()).await,
                UsersCommand::Show { email, output } => {
                    operator.show_user(&email, output.format()).await
                }
                UsersCommand::Confirm { email } => operator.confirm_user(&email).await,
                UsersCommand::Delete { email } => operator.delete_user(&email).await,
                UsersCommand::Promote { email } => operator.set_admin(&email, true).await,
                UsersCommand::Demote { email } => operator.set_admin(&email, false).await,
                UsersCommand::Import { file, dry_run } => {
                    return import_users(&operator, &file, dry_run).await;
                }
                UsersCommand::Export { file } => return export_users(&operator, file).await,
                UsersCommand::Invite { email, return_to } => {
                    operator.invite(&email, return_to.as_deref()).await
                }
            };
            print_result(output)?;
        }
        OperatorCommand::Audit(AuditCommand::List {
            account,
            limit,
            output,
        }) => {
            print_result(
                operator
                    .list_audit(account.as_deref(), limit, output.format())
                    .await,
            )?;
        }
        OperatorCommand::AdminKeys(command) => {
            let output = match command {
                AdminKeysCommand::Create { name } => operator.create_admin_key(&name).await,
                AdminKeysCommand::List { output } => {
                    operator.list_admin_keys(output.format()).await
                }
                AdminKeysCommand::Revoke { name } => operator.revoke_admin_key(&name).await,
            };
            print_result(output)?;
        }
        OperatorCommand::Clients(command) => {
            let output = match command {
                ClientsCommand::Add {
                    name,
                    redirect_uris,
                    post_logout_redirect_uris,
                    public,
                    first_party,
                    output,
                } => {
                    operator
                        .add_client(
                            ClientRegistration {
                                name,
                                redirect_uris,
                                post_logout_redirect_uris,
                                public,
                                first_party,
                            },
                            output.format(),
                        )
                        .await
                }
                ClientsCommand::List { output } => operator.list_clients(output.format()).await,
                ClientsCommand::Remove { client_id } => operator.remove_client(&client_id).await,
                ClientsCommand::RotateSecret { client_id } => {
                    operator.rotate_client_secret(&client_id).await
                }
            };
            print_result(output)?;
        }
        OperatorCommand::Keys(KeysCommand::Rotate) => {
            print_result(operator.rotate_keys().await)?;
        }
        OperatorCommand::Outbox(command) => {
            let output = match command {
                OutboxCommand::List { failed, output } => {
                    operator.list_outbox(failed, output.format()).await
                }
                OutboxCommand::Retry { id, all_failed: _ } => operator.retry_outbox(id).await,
            };
            print_result(output)?;
        }
    }
    Ok(())
}

async fn import_users(operator: &Operator, file: &Path, dry_run: bool) -> anyhow::Result<()> {
    let input: Box<dyn BufRead> = if file == Path::new("-") {
        Box::new(std::io::stdin().lock())
    } else {
        let opened = File::open(file).with_context(|| format!("cannot open {}", file.display()))?;
        Box::new(BufReader::new(opened))
    };
    let summary = operator
        .import_users(input, dry_run, &mut std::io::stderr().lock())
        .await?;
    let dry = if dry_run {
        " (dry run: nothing was written)"
    } else {
        ""
    };
    println!("{summary}{dry}");
    if !summary.succeeded() {
        anyhow::bail!(
            "{} line(s) could not be imported; see above",
            summary.refused
        );
    }
    Ok(())
}

async fn export_users(operator: &Operator, file: Option<PathBuf>) -> anyhow::Result<()> {
    let written = match file {
        Some(path) => {
            let created =
                File::create(&path).with_context(|| format!("cannot write {}", path.display()))?;
            operator.export_users(&mut BufWriter::new(created)).await?
        }
        None => operator.export_users(&mut std::io::stdout().lock()).await?,
    };
    eprintln!("{written} account(s) exported");
    Ok(())
}

fn print_result(output: Result<String, OperatorError>) -> anyhow::Result<()> {
    println!("{}", output?);
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

/// glibc's allocator keeps a per-thread arena for each thread that ever ran a 19 MiB
/// argon2 hash, and is slow on the many small allocations of each request.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
