//! `doorman users import` and `doorman users export` (SPEC §16): accounts in JSON Lines,
//! their password hashes included, in and out.

use std::io::{BufRead, Write};

use super::{Operator, OperatorError};
use crate::accounts::{ImportedAccount, LineProblem};

/// Lines inserted by one statement: few enough for any database's parameter limit
/// (7 each), many enough that 100,000 lines take seconds.
const IMPORT_BATCH: usize = 1_000;
/// Progress goes to the report this often.
const PROGRESS_EVERY: usize = 10_000;
const EXPORT_PAGE: u64 = 1_000;

/// What `users import` did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ImportSummary {
    pub imported: usize,
    /// Addresses that already had an account (or came earlier in the file).
    pub skipped: usize,
    /// Lines that could not be read; nothing of them was written.
    pub refused: usize,
}

impl ImportSummary {
    /// Every line went in or was skipped as existing.
    pub fn succeeded(&self) -> bool {
        self.refused == 0
    }
}

impl std::fmt::Display for ImportSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} imported, {} skipped (the address has an account), {} refused",
            self.imported, self.skipped, self.refused
        )
    }
}

impl Operator {
    /// Imports the JSON Lines of `input`; each refused or skipped line and the progress
    /// are written to `report` with their line numbers. With `dry_run` nothing is written
    /// and the summary is the one a real run would give.
    ///
    /// # Errors
    /// Reading `input` or the database failed (lines already imported stay).
    pub async fn import_users(
        &self,
        mut input: impl BufRead,
        dry_run: bool,
        report: &mut impl Write,
    ) -> Result<ImportSummary, OperatorError> {
        let now = chrono::Utc::now();
        let mut summary = ImportSummary::default();
        let mut batch: Vec<(usize, ImportedAccount)> = Vec::with_capacity(IMPORT_BATCH);
        let mut bytes = Vec::new();
        let mut number = 0;
        loop {
            bytes.clear();
            if input.read_until(b'\n', &mut bytes)? == 0 {
                break;
            }
            number += 1;
            let parsed = match std::str::from_utf8(&bytes) {
                Ok(line) if line.trim().is_empty() => continue,
                Ok(line) => ImportedAccount::parse(line, now),
                Err(_) => Err(LineProblem::Json("the line is not UTF-8".into())),
            };
            match parsed {
                Ok(account) => batch.push((number, account)),
                Err(problem) => {
                    summary.refused += 1;
                    writeln!(report, "line {number}: {problem}")?;
                }
            }
            if batch.len() == IMPORT_BATCH {
                self.import_batch(&mut batch, dry_run, &mut summary, report)
                    .await?;
            }
            if number % PROGRESS_EVERY == 0 {
                writeln!(report, "{number} lines read: {summary}")?;
            }
        }
        self.import_batch(&mut batch, dry_run, &mut summary, report)
            .await?;
        Ok(summary)
    }

    async fn import_batch(
        &self,
        batch: &mut Vec<(usize, ImportedAccount)>,
        dry_run: bool,
        summary: &mut ImportSummary,
        report: &mut impl Write,
    ) -> Result<(), OperatorError> {
        let (numbers, accounts): (Vec<usize>, Vec<ImportedAccount>) = batch.drain(..).unzip();
        let inserted = self.accounts.import(&accounts, dry_run).await?;
        for ((number, account), went_in) in numbers.iter().zip(&accounts).zip(inserted) {
            if went_in {
                summary.imported += 1;
            } else {
                summary.skipped += 1;
                writeln!(
                    report,
                    "line {number}: {} already has an account, skipped",
                    account.email().as_str()
                )?;
            }
        }
        Ok(())
    }

    /// Writes every account to `output` as JSON Lines, oldest first, in the import's
    /// format; answers how many.
    ///
    /// # Errors
    /// Writing `output` or the database failed.
    pub async fn export_users(&self, output: &mut impl Write) -> Result<usize, OperatorError> {
        let mut after = 0;
        let mut written = 0;
        loop {
            let page = self.accounts.export_page(after, EXPORT_PAGE).await?;
            let Some(last) = page.last() else {
                break;
            };
            after = last.id;
            for account in &page {
                serde_json::to_writer(&mut *output, account)
                    .map_err(|error| OperatorError::Io(error.into()))?;
                output.write_all(b"\n")?;
            }
            written += page.len();
        }
        output.flush()?;
        Ok(written)
    }
}
