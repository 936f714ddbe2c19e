//! The one place where a link that cannot be used becomes a page.
//!
//! Handlers answer an unusable link with `?` ([`AppError::Link`](super::AppError::Link));
//! the response carries an [`UnusableLink`] and [`render`], which runs inside the CSRF
//! layer, writes the page: the confirmation pages hold a resend form, and only the
//! request knows its CSRF token.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::csrf::CsrfToken;
use super::handlers::token_page;
use crate::accounts::LinkProblem;
use crate::i18n;
use crate::tokens::Purpose;

/// A link of `purpose` that cannot be used, on its way to [`render`].
#[derive(Debug, Clone)]
pub(super) struct UnusableLink {
    pub purpose: Purpose,
    pub problem: LinkProblem,
}

impl UnusableLink {
    fn status(&self) -> StatusCode {
        match self.problem {
            LinkProblem::AlreadyUsed => StatusCode::OK,
            LinkProblem::Expired { .. } => StatusCode::GONE,
            LinkProblem::Invalid => StatusCode::BAD_REQUEST,
        }
    }
}

impl IntoResponse for UnusableLink {
    fn into_response(self) -> Response {
        let mut response = self.status().into_response();
        response.extensions_mut().insert(self);
        response
    }
}

/// The texts live in the template, one section per purpose and problem.
#[derive(Template, WebTemplate)]
#[template(path = "link_problem.html")]
struct LinkProblemPage {
    purpose: Purpose,
    problem: LinkProblem,
    csrf_token: String,
    /// Prefills the resend form of an expired confirmation link.
    resend_email: String,
}

/// Middleware: turns a response carrying an [`UnusableLink`] into its page.
pub(super) async fn render(request: Request, next: Next) -> Response {
    let csrf_token = request
        .extensions()
        .get::<CsrfToken>()
        .map(|token| token.0.clone())
        .unwrap_or_default();
    let response = next.run(request).await;
    let Some(link) = response.extensions().get::<UnusableLink>().cloned() else {
        return response;
    };
    let status = link.status();
    let resend_email = match &link.problem {
        LinkProblem::Expired { email } => email.as_str().to_owned(),
        LinkProblem::AlreadyUsed | LinkProblem::Invalid => String::new(),
    };
    let page = LinkProblemPage {
        purpose: link.purpose,
        problem: link.problem,
        csrf_token,
        resend_email,
    };
    token_page((status, page).into_response())
}
