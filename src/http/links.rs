use crate::accounts::AccountLinks;
use crate::tokens::SecretToken;

/// Builds the links in emails from `BASE_URL`, never from the request's `Host` header,
/// which an attacker controls.
pub(crate) struct Links {
    base_url: String,
    /// `SIGNUP=open`: only then do emails point to the sign-up page.
    signup_open: bool,
}

impl Links {
    pub(crate) fn new(base_url: &str, signup_open: bool) -> Self {
        Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            signup_open,
        }
    }
}

impl Links {
    /// The login page, with `return_to` (already checked) for where to go afterwards.
    pub(crate) fn login_to(&self, return_to: Option<&str>) -> String {
        with_return_to(format!("{}/login", self.base_url), return_to)
    }
}

fn with_return_to(link: String, return_to: Option<&str>) -> String {
    match return_to {
        Some(return_to) => {
            let query: String = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("return_to", return_to)
                .finish();
            format!("{link}?{query}")
        }
        None => link,
    }
}

impl AccountLinks for Links {
    fn confirm_account(&self, token: &SecretToken, return_to: Option<&str>) -> String {
        with_return_to(
            format!("{}/confirm/{}", self.base_url, token.expose()),
            return_to,
        )
    }

    fn reset_password(&self, token: &SecretToken) -> String {
        format!("{}/password/reset/{}", self.base_url, token.expose())
    }

    fn confirm_email_change(&self, token: &SecretToken) -> String {
        format!("{}/account/email/confirm/{}", self.base_url, token.expose())
    }

    fn login(&self) -> String {
        format!("{}/login", self.base_url)
    }

    fn forgot_password(&self) -> String {
        format!("{}/password/forgot", self.base_url)
    }

    fn sign_in(&self, token: &SecretToken, return_to: Option<&str>) -> String {
        with_return_to(
            format!("{}/login/email/{}", self.base_url, token.expose()),
            return_to,
        )
    }

    fn signup(&self, return_to: Option<&str>) -> Option<String> {
        self.signup_open
            .then(|| with_return_to(format!("{}/signup", self.base_url), return_to))
    }

    fn invitation(&self, token: &SecretToken, return_to: Option<&str>) -> String {
        with_return_to(
            format!("{}/invite/{}", self.base_url, token.expose()),
            return_to,
        )
    }
}
