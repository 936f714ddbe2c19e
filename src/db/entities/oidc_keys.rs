use sea_orm::entity::prelude::*;

/// A signing key; the private half sealed under a key derived from `SECRET_KEY`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "oidc_keys")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub kid: String,
    pub sealed_key: String,
    pub created_at: DateTimeUtc,
    /// When a newer key became the signer.
    pub retired_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
