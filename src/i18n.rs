//! Languages (SPEC §11): Project Fluent message files, one per shipped language, compiled
//! into the binary from `templates/messages/`.
//!
//! Templates and handlers ask [`t`] for a message by id; the language is the one in scope
//! for the current request or email ([`scope`], [`sync_scope`]), so a page, its error
//! texts and the emails it causes never need the language threaded through each call.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;
use std::sync::{Arc, LazyLock};

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use fluent_syntax::ast::Entry;

/// A language Doorman ships messages for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    English,
    German,
    French,
}

impl Language {
    pub const ALL: [Language; 3] = [Language::English, Language::German, Language::French];

    /// The BCP 47 tag, as `<html lang>`, `Content-Language` and the account record say it.
    pub fn tag(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::German => "de",
            Language::French => "fr",
        }
    }

    /// The language's name in itself, for the footer's links.
    pub fn name(self) -> &'static str {
        match self {
            Language::English => "English",
            Language::German => "Deutsch",
            Language::French => "Français",
        }
    }

    /// The shipped language a tag names by its primary subtag (`de-CH` is German), if any.
    pub fn from_tag(tag: &str) -> Option<Self> {
        let primary = tag.split(['-', '_']).next()?.trim();
        Language::ALL
            .into_iter()
            .find(|language| language.tag().eq_ignore_ascii_case(primary))
    }

    /// The best match of an `Accept-Language` header among the shipped languages: the
    /// highest weight wins, and the header's order breaks ties (RFC 9110 §12.5.4). `None`
    /// when it names none of them (or only with `q=0`).
    pub fn negotiate(accept_language: &str) -> Option<Self> {
        // A header is a few dozen bytes; more than this many entries is not a browser.
        const MAX_ENTRIES: usize = 32;
        let mut best: Option<(Language, u16)> = None;
        for entry in accept_language.split(',').take(MAX_ENTRIES) {
            let mut parts = entry.split(';');
            let range = parts.next().unwrap_or_default().trim();
            let weight = parts
                .find_map(|parameter| {
                    let (name, value) = parameter.split_once('=')?;
                    name.trim()
                        .eq_ignore_ascii_case("q")
                        .then(|| parse_weight(value.trim()))
                })
                .unwrap_or(Some(1000));
            let (Some(language), Some(weight)) = (Language::from_tag(range), weight) else {
                continue;
            };
            if weight > 0 && best.is_none_or(|(_, best_weight)| weight > best_weight) {
                best = Some((language, weight));
            }
        }
        best.map(|(language, _)| language)
    }

    fn index(self) -> usize {
        match self {
            Language::English => 0,
            Language::German => 1,
            Language::French => 2,
        }
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tag())
    }
}

/// A `q` value in thousandths; `None` when it is not one (RFC 9110 §12.4.2).
fn parse_weight(raw: &str) -> Option<u16> {
    let (whole, fraction) = raw.split_once('.').unwrap_or((raw, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    let thousandths = format!("{fraction:0<3}").parse::<u16>().ok()?;
    match whole {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

/// The message files, in [`Language::ALL`]'s order.
const SOURCES: [(Language, &str); 3] = [
    (
        Language::English,
        include_str!("../templates/messages/en.ftl"),
    ),
    (
        Language::German,
        include_str!("../templates/messages/de.ftl"),
    ),
    (
        Language::French,
        include_str!("../templates/messages/fr.ftl"),
    ),
];

type Bundle = FluentBundle<FluentResource>;

/// One language's messages: the bundle, and every message without arguments already
/// formatted, since a page asks for a few dozen of those per request.
struct Catalog {
    bundle: Bundle,
    plain: HashMap<String, String>,
}

/// Every language's messages as an instance speaks them: the shipped files, with
/// `APP_NAME` wherever they name the product (the `-app-name` term) and the messages of
/// `MESSAGES_DIR` in place of the shipped ones.
pub struct Messages {
    catalogs: Vec<Catalog>,
}

/// The shipped messages under the shipped name: outside any instance's scope (the CLI,
/// tests of single templates).
static SHIPPED: LazyLock<Arc<Messages>> = LazyLock::new(|| {
    Arc::new(
        Messages::load("Doorman", None)
            .unwrap_or_else(|problem| panic!("templates/messages: {problem}")),
    )
});

impl Messages {
    /// The shipped messages, `app_name` for the product's name, and the overrides of
    /// `overrides` (a folder of `<lang>.ftl` files), checked now so that a bad file stops
    /// start-up rather than a request.
    ///
    /// # Errors
    /// A file that does not parse, or an override of a message Doorman does not have;
    /// one line saying which.
    pub fn load(app_name: &str, overrides: Option<&Path>) -> Result<Self, String> {
        let catalogs = SOURCES
            .iter()
            .map(|(language, source)| {
                let extra = match overrides {
                    Some(folder) => override_file(folder, *language)?,
                    None => None,
                };
                catalog(*language, source, app_name, extra)
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { catalogs })
    }
}

/// `folder/<lang>.ftl`, if there is one.
fn override_file(folder: &Path, language: Language) -> Result<Option<(String, String)>, String> {
    let path = folder.join(format!("{}.ftl", language.tag()));
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(Some((path.display().to_string(), text))),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(format!("{}: {error}", path.display())),
    }
}

fn parse(source: String, name: &str) -> Result<FluentResource, String> {
    FluentResource::try_new(source).map_err(|(_, errors)| {
        let first = errors
            .first()
            .map(|error| format!("{error:?}"))
            .unwrap_or_default();
        format!("{name} does not parse: {first}")
    })
}

fn catalog(
    language: Language,
    source: &str,
    app_name: &str,
    overrides: Option<(String, String)>,
) -> Result<Catalog, String> {
    let shipped_name = format!("templates/messages/{language}.ftl");
    let tag = language
        .tag()
        .parse()
        .map_err(|error| format!("bad tag: {error}"))?;
    let mut bundle = FluentBundle::new_concurrent(vec![tag]);
    // Unicode isolation marks around every argument would end up inside URLs and
    // addresses in plain-text emails.
    bundle.set_use_isolating(false);
    let shipped = parse(source.to_owned(), &shipped_name)?;
    let ids: Vec<String> = message_ids(&shipped);
    bundle
        .add_resource(shipped)
        .map_err(|errors| format!("{shipped_name}: duplicate messages: {errors:?}"))?;
    let escaped = app_name.replace('\\', "\\\\").replace('"', "\\\"");
    let name = parse(format!("-app-name = {{ \"{escaped}\" }}\n"), "APP_NAME")?;
    bundle.add_resource_overriding(name);
    if let Some((path, text)) = overrides {
        let resource = parse(text, &path)?;
        if let Some(unknown) = message_ids(&resource)
            .into_iter()
            .find(|id| !ids.contains(id))
        {
            return Err(format!("{path}: `{unknown}` is not a message Doorman has"));
        }
        bundle.add_resource_overriding(resource);
    }
    // Every message that formats without arguments is kept formatted.
    let mut plain = HashMap::new();
    for id in ids {
        let Some(pattern) = bundle.get_message(&id).and_then(|message| message.value()) else {
            continue;
        };
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, None, &mut errors);
        if errors.is_empty() {
            plain.insert(id, text.into_owned());
        }
    }
    Ok(Catalog { bundle, plain })
}

fn message_ids(resource: &FluentResource) -> Vec<String> {
    resource
        .entries()
        .filter_map(|entry| match entry {
            Entry::Message(message) => Some(message.id.name.to_owned()),
            _ => None,
        })
        .collect()
}

tokio::task_local! {
    static MESSAGES: Arc<Messages>;
}

/// Runs `future` speaking `messages` (an instance's), in whatever language is in scope.
pub(crate) async fn speaking<F: Future>(messages: Arc<Messages>, future: F) -> F::Output {
    MESSAGES.scope(messages, future).await
}

/// Runs `render` speaking `messages`.
pub(crate) fn sync_speaking<R>(messages: Arc<Messages>, render: impl FnOnce() -> R) -> R {
    MESSAGES.sync_scope(messages, render)
}

/// Reads the current language's catalog of the messages in scope (the shipped ones
/// outside any).
fn with_catalog<R>(language: Language, read: impl Fn(&Catalog) -> R) -> R {
    MESSAGES
        .try_with(|messages| read(&messages.catalogs[language.index()]))
        .unwrap_or_else(|_| read(&SHIPPED.catalogs[language.index()]))
}

tokio::task_local! {
    static CURRENT: Language;
}

/// Runs `future` with `language` as the one [`t`] speaks.
pub(crate) async fn scope<F: Future>(language: Language, future: F) -> F::Output {
    CURRENT.scope(language, future).await
}

/// Runs `render` with `language` as the one [`t`] speaks.
pub(crate) fn sync_scope<R>(language: Language, render: impl FnOnce() -> R) -> R {
    CURRENT.sync_scope(language, render)
}

/// The language in scope; English outside any (start-up, the CLI).
pub(crate) fn current() -> Language {
    CURRENT
        .try_with(|language| *language)
        .unwrap_or(Language::English)
}

/// The message `id` in the current language.
pub(crate) fn t(id: &str) -> String {
    let language = current();
    with_catalog(language, |catalog| match catalog.plain.get(id) {
        Some(text) => text.clone(),
        None => format(catalog, language, id, None),
    })
}

/// A value a message is formatted with. Its Rust type says what it is: integers are
/// Fluent numbers, so plural forms are chosen by the language's rules; text (an address,
/// a code like `042917`) is shown exactly as given.
pub(crate) trait MessageArgument {
    fn to_fluent(&self) -> FluentValue<'static>;
}

macro_rules! counts {
    ($($number:ty),*) => {$(
        impl MessageArgument for $number {
            fn to_fluent(&self) -> FluentValue<'static> {
                FluentValue::from(*self)
            }
        }
    )*};
}

counts!(i32, i64, u32, u64, usize);

impl MessageArgument for str {
    fn to_fluent(&self) -> FluentValue<'static> {
        FluentValue::from(self.to_owned())
    }
}

impl MessageArgument for String {
    fn to_fluent(&self) -> FluentValue<'static> {
        FluentValue::from(self.clone())
    }
}

impl<T: MessageArgument + ?Sized> MessageArgument for &T {
    fn to_fluent(&self) -> FluentValue<'static> {
        (**self).to_fluent()
    }
}

/// The message `id` with one argument, `$name` in the message.
pub(crate) fn t1(id: &str, name: &str, value: impl MessageArgument) -> String {
    t_with(id, &[(name, &value)])
}

/// The message `id` with named arguments.
pub(crate) fn t_with(id: &str, values: &[(&str, &dyn MessageArgument)]) -> String {
    let mut args = FluentArgs::new();
    for (name, value) in values {
        args.set(*name, value.to_fluent());
    }
    let language = current();
    with_catalog(language, |catalog| {
        format(catalog, language, id, Some(&args))
    })
}

/// A calendar date as people write it in the current language: "1 December 2026",
/// "1. Dezember 2026", "1 décembre 2026".
pub(crate) fn long_date(date: impl chrono::Datelike) -> String {
    let month = t1("month-name", "month", date.month());
    t_with(
        "long-date",
        &[
            ("day", &date.day()),
            ("month", &month),
            ("year", &date.year()),
        ],
    )
}

fn format(
    catalog: &Catalog,
    language: Language,
    id: &str,
    args: Option<&FluentArgs<'_>>,
) -> String {
    let bundle = &catalog.bundle;
    let Some(pattern) = bundle.get_message(id).and_then(|message| message.value()) else {
        // Tests keep every id used present in every language; this is the last resort.
        tracing::error!(%language, id, "missing message");
        return id.to_owned();
    };
    let mut errors = Vec::new();
    let text = bundle.format_pattern(pattern, args, &mut errors);
    if !errors.is_empty() {
        tracing::error!(%language, id, ?errors, "message did not format cleanly");
    }
    text.into_owned()
}

/// A value a person reads as a sentence: a refusal shown next to a field, say.
pub(crate) trait Localize {
    /// The text in the current language.
    fn localize(&self) -> String;
}

/// "24 hours", "7 Tage", "15 minutes": how long a link or code works, for people to read.
pub(crate) fn describe_duration(duration: std::time::Duration) -> String {
    let seconds = duration.as_secs();
    let (amount, unit) = if seconds.is_multiple_of(86_400) && seconds > 86_400 {
        (seconds / 86_400, "duration-days")
    } else if seconds.is_multiple_of(3600) {
        (seconds / 3600, "duration-hours")
    } else if seconds.is_multiple_of(60) {
        (seconds / 60, "duration-minutes")
    } else {
        (seconds, "duration-seconds")
    };
    t1(unit, "count", amount)
}

#[cfg(test)]
pub(crate) mod tests {
    use std::collections::BTreeSet;
    use std::time::Duration;

    use super::*;

    fn message_ids(source: &str) -> BTreeSet<String> {
        let resource = FluentResource::try_new(source.to_owned()).expect("parses");
        resource
            .entries()
            .filter_map(|entry| match entry {
                fluent_syntax::ast::Entry::Message(message) => Some(message.id.name.to_owned()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn every_language_has_exactly_the_messages_english_has() {
        let english = message_ids(SOURCES[0].1);
        for (language, source) in &SOURCES[1..] {
            let theirs = message_ids(source);
            let missing: Vec<_> = english.difference(&theirs).collect();
            let extra: Vec<_> = theirs.difference(&english).collect();
            assert!(
                missing.is_empty() && extra.is_empty(),
                "{language}.ftl lacks {missing:?} and has {extra:?} that English lacks"
            );
        }
    }

    #[test]
    fn the_app_name_takes_the_place_of_doorman_in_every_message() {
        let messages = Arc::new(Messages::load(r#"Acme "Portal" \ Co"#, None).unwrap());
        for language in Language::ALL {
            let catalog = &messages.catalogs[language.index()];
            for (id, text) in &catalog.plain {
                assert!(!text.contains("Doorman"), "{language} {id}: {text}");
            }
            sync_speaking(messages.clone(), || {
                sync_scope(language, || {
                    assert_eq!(t("site-name"), r#"Acme "Portal" \ Co"#);
                    assert!(t("sign-in-intro").contains("Acme"));
                })
            });
        }
        assert_eq!(
            t("site-name"),
            "Doorman",
            "outside an instance, the shipped name"
        );
    }

    #[test]
    fn a_messages_dir_overrides_known_messages_and_refuses_unknown_or_broken_ones() {
        let folder = std::env::temp_dir().join(format!(
            "doorman-messages-{}",
            hex::encode(crate::keys::random_bytes::<6>())
        ));
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(
            folder.join("de.ftl"),
            "home-heading = Willkommen im Portal von { -app-name }\n",
        )
        .unwrap();
        let messages = Arc::new(Messages::load("Acme", Some(&folder)).unwrap());
        sync_speaking(messages.clone(), || {
            assert_eq!(
                sync_scope(Language::German, || t("home-heading")),
                "Willkommen im Portal von Acme"
            );
            assert_eq!(
                sync_scope(Language::English, || t("home-heading")),
                "Welcome to Acme"
            );
        });

        std::fs::write(folder.join("fr.ftl"), "no-such-message = Bonjour\n").unwrap();
        let unknown = Messages::load("Acme", Some(&folder)).err().unwrap();
        assert!(
            unknown.contains("fr.ftl: `no-such-message` is not a message"),
            "{unknown}"
        );

        std::fs::write(folder.join("fr.ftl"), "home-heading = { broken\n").unwrap();
        let broken = Messages::load("Acme", Some(&folder)).err().unwrap();
        assert!(broken.contains("fr.ftl does not parse"), "{broken}");
        std::fs::remove_dir_all(folder).unwrap();
    }

    #[test]
    fn every_message_file_loads() {
        Messages::load("Doorman", None).unwrap();
        for language in Language::ALL {
            assert_eq!(SOURCES[language.index()].0, language);
        }
    }

    /// Every id the templates and the code ask for exists (in English, hence everywhere).
    #[test]
    fn every_message_asked_for_exists() {
        let english = message_ids(SOURCES[0].1);
        let mut asked = BTreeSet::new();
        for root in ["templates", "src"] {
            collect_asked_ids(std::path::Path::new(root), &mut asked);
        }
        assert!(asked.len() > 100, "found only {} ids", asked.len());
        let unknown: Vec<_> = asked.difference(&english).collect();
        assert!(unknown.is_empty(), "unknown message ids: {unknown:?}");
    }

    fn collect_asked_ids(dir: &std::path::Path, asked: &mut BTreeSet<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                collect_asked_ids(&path, asked);
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            asked.extend(asked_ids(&text));
        }
    }

    /// The literal ids passed to `t`, `t1` and `t_with` (and not to `text` or the like).
    fn asked_ids(text: &str) -> Vec<String> {
        let mut ids = Vec::new();
        for call in ["t(\"", "t1(\"", "t_with(\""] {
            for (at, _) in text.match_indices(call) {
                let before = text[..at].chars().next_back();
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.') {
                    continue;
                }
                let rest = &text[at + call.len()..];
                if let Some(end) = rest.find('"') {
                    ids.push(rest[..end].to_owned());
                }
            }
        }
        ids
    }

    /// A missing id renders as itself (`email-missng`); ids chosen by a `match` are not
    /// literal calls the scan above finds, so each family is rendered and checked here.
    pub(crate) fn assert_all_found(texts: &[String]) {
        for text in texts {
            let looks_like_an_id = text.contains('-')
                && text
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
            assert!(!looks_like_an_id, "no message for {text}");
        }
    }

    #[test]
    fn every_refusal_and_status_has_its_message() {
        use crate::accounts::EmailRejection;
        use crate::outbox::DeliveryStatus;
        use crate::passwords::PasswordRejection;
        for language in Language::ALL {
            let texts = sync_scope(language, || {
                vec![
                    EmailRejection::Missing.localize(),
                    EmailRejection::TooLong.localize(),
                    EmailRejection::Malformed.localize(),
                    EmailRejection::NotAllowed.localize(),
                    PasswordRejection::TooShort { min: 15 }.localize(),
                    PasswordRejection::TooLong.localize(),
                    PasswordRejection::ControlCharacters.localize(),
                    PasswordRejection::Common.localize(),
                    PasswordRejection::IsEmail.localize(),
                    DeliveryStatus::Pending {
                        attempts: 0,
                        last_error: None,
                    }
                    .localize(),
                    DeliveryStatus::Pending {
                        attempts: 2,
                        last_error: Some("connection refused".to_owned()),
                    }
                    .localize(),
                    DeliveryStatus::Sent.localize(),
                    DeliveryStatus::Skipped {
                        reason: "no account".to_owned(),
                    }
                    .localize(),
                    DeliveryStatus::GivenUp { last_error: None }.localize(),
                ]
            });
            assert_all_found(&texts);
        }
    }

    #[test]
    fn accept_language_picks_the_heaviest_shipped_language() {
        let cases = [
            ("de-DE,de;q=0.9,en;q=0.8", Some(Language::German)),
            (
                "fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5",
                Some(Language::French),
            ),
            ("en;q=0.5, fr;q=0.9", Some(Language::French)),
            ("es, it;q=0.9, de;q=0.1", Some(Language::German)),
            ("DE", Some(Language::German)),
            ("de;q=0, fr;q=0.001", Some(Language::French)),
            ("de;q=0", None),
            ("es, pt-BR", None),
            ("", None),
            ("*", None),
            ("de;q=2", None),
            ("de;q=abc, en", Some(Language::English)),
            (";;;,,,", None),
        ];
        for (header, expected) in cases {
            assert_eq!(Language::negotiate(header), expected, "{header:?}");
        }
    }

    #[test]
    fn text_arguments_are_shown_as_given_and_numbers_choose_plurals() {
        for (value, expected) in [
            ("042917", "042917"),
            ("1e5", "1e5"),
            ("1.50", "1.50"),
            ("ada@example.com", "ada@example.com"),
        ] {
            let shown = sync_scope(Language::English, || t1("confirm-heading", "email", value));
            assert_eq!(shown, format!("Confirm your account for {expected}"));
        }
        let one = sync_scope(Language::English, || t1("duration-days", "count", 1));
        assert_eq!(one, "one day", "a count picks the plural form");
    }

    #[test]
    fn dates_and_durations_read_in_each_language() {
        use Language::{English, French, German};
        let date = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
        for (language, day, expected) in [
            (English, date(2026, 12, 1), "1 December 2026"),
            (German, date(2026, 12, 1), "1. Dezember 2026"),
            (French, date(2026, 12, 1), "1 décembre 2026"),
            (German, date(2027, 3, 9), "9. März 2027"),
        ] {
            assert_eq!(sync_scope(language, || long_date(day)), expected);
        }
        for (language, seconds, expected) in [
            (English, 86_400, "24 hours"),
            (German, 86_400, "24 Stunden"),
            (French, 86_400, "24 heures"),
            (English, 3600, "one hour"),
            (German, 3600, "eine Stunde"),
            (English, 7 * 86_400, "7 days"),
            (French, 900, "15 minutes"),
            (English, 90, "90 seconds"),
        ] {
            let duration = Duration::from_secs(seconds);
            assert_eq!(
                sync_scope(language, || describe_duration(duration)),
                expected
            );
        }
    }
}
