use sea_orm::entity::prelude::*;

/// A relying party the operator registered (`doorman clients add`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "oidc_clients")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub client_id: String,
    pub name: String,
    /// SHA-256 of the secret, hex; `None` for a public client.
    pub secret_hash: Option<String>,
    /// A JSON array of the exact redirect URIs.
    pub redirect_uris: String,
    /// A JSON array of the exact post-logout redirect URIs.
    pub post_logout_redirect_uris: String,
    pub first_party: bool,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
