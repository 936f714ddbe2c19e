//! Benchmark ceiling for sign-ups: argon2id with Doorman's production parameters, through
//! Doorman's own hasher. Prints the median time of one hash in milliseconds, then how many
//! hashes per second all cores together complete.
//! `cargo run --release --example argon2_ceiling -- 20`

use std::sync::Arc;
use std::time::Instant;

use doorman::internals::PasswordHasher;

#[tokio::main]
async fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(20);
    let cores = std::thread::available_parallelism().map_or(1, usize::from);

    let single = PasswordHasher::new(1, 0);
    let mut times = Vec::with_capacity(rounds);
    for round in 0..rounds {
        let started = Instant::now();
        single
            .hash(&format!("benchmark passphrase {round}"))
            .await
            .unwrap();
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);

    let parallel = Arc::new(PasswordHasher::new(cores, cores));
    let started = Instant::now();
    let mut jobs = Vec::new();
    for lane in 0..cores {
        let hasher = parallel.clone();
        jobs.push(tokio::spawn(async move {
            for round in 0..rounds {
                hasher
                    .hash(&format!("benchmark passphrase {lane} {round}"))
                    .await
                    .unwrap();
            }
        }));
    }
    for job in jobs {
        job.await.unwrap();
    }
    let per_second = (cores * rounds) as f64 / started.elapsed().as_secs_f64();
    println!("{:.3} {:.2}", times[times.len() / 2], per_second);
}

/// The same allocator as the `doorman` binary, so the ceiling is measured like for like.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
