//! Arbitrary text as a link token: verification must never panic, and must never accept
//! anything, since no key here ever signed it.
#![no_main]

use std::sync::LazyLock;

use doorman::internals::{Keyring, LinkToken, Purpose, SecretKey, TokenError, Tokens};
use libfuzzer_sys::fuzz_target;

static TOKENS: LazyLock<Tokens> = LazyLock::new(|| {
    Tokens::new(Keyring::new(
        &SecretKey::new(b"fuzzing key, fuzzing key, fuzzing key".to_vec()),
        &[SecretKey::new(b"previous fuzzing key, previous key".to_vec())],
    ))
});

fuzz_target!(|data: &[u8]| {
    let Some(token) = std::str::from_utf8(data).ok().and_then(LinkToken::parse) else {
        return;
    };
    for purpose in [Purpose::Confirm, Purpose::Reset, Purpose::EmailChange] {
        match TOKENS.verify(&token, purpose) {
            Err(TokenError::Invalid) => {}
            other => panic!("accepted a token no key signed: {other:?}"),
        }
    }
});
