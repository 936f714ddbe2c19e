//! The OpenID Connect provider's tables (SPEC §13): registered clients, signing keys sealed
//! under a key derived from `SECRET_KEY`, grants (one per authorization: its code, the
//! account, what was asked), refresh tokens chained to their grant, and the consent each
//! account gave each client. Codes, refresh tokens and client secrets are stored only as
//! hashes.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub(super) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(OidcClients::Table)
                    .if_not_exists()
                    .col(big_pk_auto(OidcClients::Id))
                    .col(string_len_uniq(OidcClients::ClientId, 64))
                    .col(string_len(OidcClients::Name, 200))
                    // SHA-256 of the secret, hex; NULL for a public client.
                    .col(string_len_null(OidcClients::SecretHash, 64))
                    // JSON arrays of exact URIs.
                    .col(text(OidcClients::RedirectUris))
                    .col(text(OidcClients::PostLogoutRedirectUris))
                    .col(boolean(OidcClients::FirstParty).default(false))
                    .col(timestamp_with_time_zone(OidcClients::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OidcKeys::Table)
                    .if_not_exists()
                    .col(string_len(OidcKeys::Kid, 64).primary_key())
                    // The PKCS#8 private key, AES-256-GCM under a key derived from SECRET_KEY.
                    .col(text(OidcKeys::SealedKey))
                    .col(timestamp_with_time_zone(OidcKeys::CreatedAt))
                    // When a newer key became the signer; NULL for the signer.
                    .col(timestamp_with_time_zone_null(OidcKeys::RetiredAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OidcGrants::Table)
                    .if_not_exists()
                    .col(big_pk_auto(OidcGrants::Id))
                    // Public name of the grant, in the access tokens it issues.
                    .col(string_len_uniq(OidcGrants::GrantId, 64))
                    .col(string_len_uniq(OidcGrants::CodeHash, 64))
                    .col(string_len(OidcGrants::ClientId, 64))
                    .col(big_integer(OidcGrants::UserId))
                    .col(text(OidcGrants::RedirectUri))
                    .col(string_len(OidcGrants::Scope, 200))
                    .col(text_null(OidcGrants::Nonce))
                    .col(string_len_null(OidcGrants::CodeChallenge, 128))
                    .col(big_integer(OidcGrants::AuthTime))
                    // The account's credential version when it was granted: a password
                    // change since ends its refresh tokens.
                    .col(integer(OidcGrants::CredentialVersion))
                    .col(timestamp_with_time_zone(OidcGrants::CreatedAt))
                    .col(timestamp_with_time_zone(OidcGrants::CodeExpiresAt))
                    .col(timestamp_with_time_zone_null(OidcGrants::CodeUsedAt))
                    .col(timestamp_with_time_zone_null(OidcGrants::RevokedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("oidc_grants_by_account")
                    .table(OidcGrants::Table)
                    .col(OidcGrants::UserId)
                    .col(OidcGrants::ClientId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OidcRefreshTokens::Table)
                    .if_not_exists()
                    .col(big_pk_auto(OidcRefreshTokens::Id))
                    .col(string_len_uniq(OidcRefreshTokens::TokenHash, 64))
                    .col(big_integer(OidcRefreshTokens::GrantId))
                    .col(timestamp_with_time_zone(OidcRefreshTokens::CreatedAt))
                    .col(timestamp_with_time_zone(OidcRefreshTokens::ExpiresAt))
                    // When it was exchanged for its successor: presenting it again is reuse.
                    .col(timestamp_with_time_zone_null(OidcRefreshTokens::ReplacedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("oidc_refresh_tokens_by_grant")
                    .table(OidcRefreshTokens::Table)
                    .col(OidcRefreshTokens::GrantId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OidcConsents::Table)
                    .if_not_exists()
                    .col(big_pk_auto(OidcConsents::Id))
                    .col(big_integer(OidcConsents::UserId))
                    .col(string_len(OidcConsents::ClientId, 64))
                    .col(string_len(OidcConsents::Scope, 200))
                    .col(timestamp_with_time_zone(OidcConsents::GrantedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("oidc_consents_once_per_account_and_client")
                    .table(OidcConsents::Table)
                    .col(OidcConsents::UserId)
                    .col(OidcConsents::ClientId)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            OidcConsents::Table.into_iden(),
            OidcRefreshTokens::Table.into_iden(),
            OidcGrants::Table.into_iden(),
            OidcKeys::Table.into_iden(),
            OidcClients::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum OidcClients {
    Table,
    Id,
    ClientId,
    Name,
    SecretHash,
    RedirectUris,
    PostLogoutRedirectUris,
    FirstParty,
    CreatedAt,
}

#[derive(DeriveIden)]
enum OidcKeys {
    Table,
    Kid,
    SealedKey,
    CreatedAt,
    RetiredAt,
}

#[derive(DeriveIden)]
enum OidcGrants {
    Table,
    Id,
    GrantId,
    CodeHash,
    ClientId,
    UserId,
    RedirectUri,
    Scope,
    Nonce,
    CodeChallenge,
    AuthTime,
    CredentialVersion,
    CreatedAt,
    CodeExpiresAt,
    CodeUsedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum OidcRefreshTokens {
    Table,
    Id,
    TokenHash,
    GrantId,
    CreatedAt,
    ExpiresAt,
    ReplacedAt,
}

#[derive(DeriveIden)]
enum OidcConsents {
    Table,
    Id,
    UserId,
    ClientId,
    Scope,
    GrantedAt,
}
