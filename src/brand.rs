//! A team's look (SPEC §16): `BRAND_DIR`'s `style.css`, linked after the built-in
//! stylesheet on every page, and its `logo.svg` or `logo.png`, which takes the place of the
//! name in the header of every page and email. Read once at start-up and served from
//! memory under `/brand/`.

use std::path::Path;
use std::sync::{Arc, LazyLock};

/// A logo larger than this is refused at start-up: it goes out with every email.
const MAX_LOGO_BYTES: usize = 512 * 1024;
const MAX_STYLESHEET_BYTES: usize = 512 * 1024;

#[derive(Debug)]
pub(crate) struct Logo {
    /// `logo.svg` or `logo.png`.
    pub(crate) file_name: &'static str,
    pub(crate) content_type: &'static str,
    pub(crate) bytes: Vec<u8>,
}

/// What `BRAND_DIR` gives; nothing without one.
#[derive(Debug, Default)]
pub(crate) struct Brand {
    pub(crate) stylesheet: Option<String>,
    pub(crate) logo: Option<Logo>,
    /// `BASE_URL`, for the logo's address in emails.
    base_url: String,
}

impl Brand {
    /// Reads `dir`'s `style.css` and logo.
    ///
    /// # Errors
    /// A file that cannot be read or is too large; one line saying which.
    pub(crate) fn load(dir: Option<&Path>, base_url: &str) -> Result<Self, String> {
        let Some(dir) = dir else {
            return Ok(Self {
                base_url: base_url.to_owned(),
                ..Self::default()
            });
        };
        let read = |name: &str, limit: usize| -> Result<Option<Vec<u8>>, String> {
            let path = dir.join(name);
            match std::fs::read(&path) {
                Ok(bytes) if bytes.len() > limit => Err(format!(
                    "{}: larger than {} KiB",
                    path.display(),
                    limit / 1024
                )),
                Ok(bytes) => Ok(Some(bytes)),
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(error) => Err(format!("{}: {error}", path.display())),
            }
        };
        let stylesheet = read("style.css", MAX_STYLESHEET_BYTES)?
            .map(|bytes| {
                String::from_utf8(bytes).map_err(|_| format!("{}: not UTF-8", dir.display()))
            })
            .transpose()?;
        let logo = match read("logo.svg", MAX_LOGO_BYTES)? {
            Some(bytes) => Some(Logo {
                file_name: "logo.svg",
                content_type: "image/svg+xml",
                bytes,
            }),
            None => read("logo.png", MAX_LOGO_BYTES)?.map(|bytes| Logo {
                file_name: "logo.png",
                content_type: "image/png",
                bytes,
            }),
        };
        Ok(Self {
            stylesheet,
            logo,
            base_url: base_url.to_owned(),
        })
    }

    /// The file served at `/brand/{name}`, with its content type.
    pub(crate) fn file(&self, name: &str) -> Option<(&'static str, &[u8])> {
        match (name, &self.stylesheet, &self.logo) {
            ("style.css", Some(css), _) => Some(("text/css; charset=utf-8", css.as_bytes())),
            (name, _, Some(logo)) if name == logo.file_name => {
                Some((logo.content_type, logo.bytes.as_slice()))
            }
            _ => None,
        }
    }
}

static NONE: LazyLock<Arc<Brand>> = LazyLock::new(Arc::default);

tokio::task_local! {
    static CURRENT: Arc<Brand>;
}

/// Runs `future` with `brand` as the look pages are rendered in.
pub(crate) async fn wearing<F: Future>(brand: Arc<Brand>, future: F) -> F::Output {
    CURRENT.scope(brand, future).await
}

/// Runs `render` with `brand` as the look emails are rendered in.
pub(crate) fn sync_wearing<R>(brand: Arc<Brand>, render: impl FnOnce() -> R) -> R {
    CURRENT.sync_scope(brand, render)
}

fn read<R>(read: impl Fn(&Brand) -> R) -> R {
    CURRENT
        .try_with(|brand| read(brand))
        .unwrap_or_else(|_| read(&NONE))
}

/// Whether pages link `/brand/style.css`.
pub(crate) fn has_stylesheet() -> bool {
    read(|brand| brand.stylesheet.is_some())
}

/// The logo's path on this site, for pages.
pub(crate) fn logo_path() -> Option<String> {
    read(|brand| {
        brand
            .logo
            .as_ref()
            .map(|logo| format!("/brand/{}", logo.file_name))
    })
}

/// The logo's full address, for emails.
pub(crate) fn logo_url() -> Option<String> {
    read(|brand| {
        brand
            .logo
            .as_ref()
            .map(|logo| format!("{}/brand/{}", brand.base_url, logo.file_name))
    })
}
