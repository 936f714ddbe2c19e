use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub email: String,
    #[sea_orm(unique)]
    pub email_normalized: String,
    /// The PHC string of the password; empty for an account without one (see
    /// `accounts::stored_password`).
    pub password_hash: String,
    pub created_at: DateTimeUtc,
    pub confirmed_at: Option<DateTimeUtc>,
    pub credential_version: i32,
    /// The outbox row whose email carries the valid confirmation code.
    pub confirm_code_email: Option<i64>,
    pub confirm_code_expires_at: Option<DateTimeUtc>,
    /// Wrong codes tried in the account's whole unconfirmed life.
    pub confirm_code_failures: i32,
    /// The language the account signed up in; `None` for accounts from before languages.
    pub locale: Option<String>,
    /// The outbox row of the newest sign-in email composed for the account (SPEC §14).
    pub login_code_email: Option<i64>,
    /// Until when that email's code and link work; `None` once either was used.
    pub login_code_expires_at: Option<DateTimeUtc>,
    /// Wrong codes that email has seen.
    pub login_code_failures: i32,
    /// Holds the admin role (SPEC §15).
    pub is_admin: bool,
    /// When an operator disabled the account; `None` while it may sign in.
    pub disabled_at: Option<DateTimeUtc>,
    pub last_login_at: Option<DateTimeUtc>,
    /// The domain of `email_normalized`, for `@domain` searches.
    pub email_domain: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
