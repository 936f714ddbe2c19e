use sea_orm::entity::prelude::*;

/// One authorization: its code (as a hash), the account and client, what was asked, and
/// whether it was revoked (a reused code or refresh token, a removed access).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "oidc_grants")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub grant_id: String,
    #[sea_orm(unique)]
    pub code_hash: String,
    pub client_id: String,
    pub user_id: i64,
    pub redirect_uri: String,
    pub scope: String,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    /// Unix seconds: when the account last proved itself before this authorization.
    pub auth_time: i64,
    pub credential_version: i32,
    pub created_at: DateTimeUtc,
    pub code_expires_at: DateTimeUtc,
    pub code_used_at: Option<DateTimeUtc>,
    pub revoked_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
