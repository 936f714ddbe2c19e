//! Arbitrary bytes as a form body, through the form decoder and the domain parsers behind
//! it: nothing may panic, and whatever parses must respect the domain's limits.
#![no_main]

use doorman::internals::{
    ConfirmForm, Email, EmailPasswordForm, NewPassword, PasswordAttempt, decode_form,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    if let Some(form) = decode_form::<EmailPasswordForm>(body) {
        if let Ok(email) = Email::parse(&form.email) {
            assert!(email.as_str().chars().count() <= 254);
            assert!(!email.as_str().chars().any(char::is_control));
        }
        if let Ok(password) = NewPassword::parse(&form.password, &form.email, 15) {
            assert!((15..=128).contains(&password.expose().chars().count()));
        }
        let _ = PasswordAttempt::parse(&form.password);
    }
    let _ = decode_form::<ConfirmForm>(body);
});
