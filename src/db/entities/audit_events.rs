use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub created_at: DateTimeUtc,
    /// `account`, `api_key`, `cli` or `system`.
    pub actor_kind: String,
    /// An account's id, a key's name; empty for `cli` and `system`.
    pub actor: String,
    pub action: String,
    /// The account concerned; kept after it is deleted.
    pub user_id: Option<i64>,
    /// Its address when the event happened.
    pub user_email: Option<String>,
    pub client_ip: Option<String>,
    /// JSON, never a secret.
    pub details: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
