# Doormans deutsche Texte. Dieselben Nachrichten-IDs wie en.ftl (ein Test prüft es).

## Jede Seite

site-name = { -app-name }
nav-label = Hauptmenü
nav-account = Konto
nav-log-out = Abmelden
nav-sign-up = Registrieren
nav-log-in = Anmelden
footer-tagline = { -app-name }: Registrierung mit E-Mail-Bestätigung.
footer-languages = Sprache
error-summary-heading = Bitte korrigieren Sie Folgendes:

## Gemeinsame Formularteile

field-email = E-Mail-Adresse
field-password = Passwort
field-current-password = Aktuelles Passwort
field-new-password = Neues Passwort
password-hint = Mindestens { $min } Zeichen. Ein paar Wörter, die nichts miteinander zu tun haben, ergeben eine gute Passphrase.
resend-button = Neuen Bestätigungslink senden

## Startseite

home-title = Willkommen
home-heading = Willkommen bei { -app-name }
home-intro = Legen Sie mit Ihrer E-Mail-Adresse ein Konto an, bestätigen Sie es aus Ihrem Posteingang, und schon sind Sie dabei.
home-sign-up = Registrieren
home-or = oder
home-log-in = anmelden

## Registrierung

signup-title = Registrieren
signup-heading = Konto anlegen
signup-button = Registrieren
signup-have-account = Sie haben schon ein Konto?
signup-log-in = Anmelden

## Posteingang prüfen

check-title = Sehen Sie in Ihren Posteingang
check-intro = Wenn die Adresse verwendet werden kann, haben wir ihr eine E-Mail mit einem sechsstelligen Code und einem Link geschickt. Es kann eine Minute dauern, bis sie ankommt, und sie kann im Spam-Ordner landen.
check-this-device-heading = Lesen Sie die E-Mail auf diesem Gerät?
check-this-device = Geben Sie hier den Code ein oder öffnen Sie den Link in diesem Browser: beides bestätigt Ihr Konto in einem Schritt.
check-code-label = Sechsstelliger Code
check-code-hint = Aus der E-Mail, die wir gerade geschickt haben, zum Beispiel 123456.
check-code-button = Mit dem Code bestätigen
check-other-device-heading = Lesen Sie sie auf einem anderen Gerät?
check-other-device = Öffnen Sie den Link dort; Sie werden nach dem Passwort gefragt, das Sie hier gewählt haben. Sobald das Konto bestätigt ist, kommen Sie auf diese Seite zurück und drücken Sie auf Weiter.
check-continue-button = Weiter
check-no-email-heading = Keine E-Mail?
code-wrong = Dieser Code stimmt nicht. Nehmen Sie die neueste Bestätigungs-E-Mail oder öffnen Sie stattdessen den Link darin.
code-not-confirmed-yet = Die Adresse ist noch nicht bestätigt. Geben Sie den Code aus der E-Mail ein oder öffnen Sie ihren Link, und drücken Sie dann erneut auf Weiter.

## Erneut senden

resend-title = Bestätigung erneut senden
resend-heading = Einen neuen Bestätigungslink senden
resend-intro = Geben Sie die Adresse ein, mit der Sie sich registriert haben. Wenn zu ihr ein Konto auf seine Bestätigung wartet, ist ein neuer Link unterwegs.

## Ein Konto bestätigen

confirm-title = Konto bestätigen
confirm-heading = Konto für { $email } bestätigen
confirm-one-click = In diesem Browser haben Sie sich registriert, Sie müssen also nichts mehr eingeben.
confirm-button = Bestätigen
confirm-intro = Geben Sie das Passwort ein, das Sie bei der Registrierung gewählt haben. In einem anderen Browser registriert? Es funktioniert auch hier, mit demselben Passwort.
confirm-password-label = Bei der Registrierung gewähltes Passwort
confirm-password-button = Mein Konto bestätigen
confirm-new-password-heading = Nicht selbst registriert oder das Passwort vergessen?
confirm-new-password-intro = Wählen Sie stattdessen ein neues Passwort. Es ersetzt das bei der Registrierung angegebene.
confirm-new-password-button = Passwort setzen und bestätigen
confirm-missing-password = Geben Sie das bei der Registrierung gewählte Passwort ein oder wählen Sie ein neues.
confirm-wrong-password = Das ist nicht das bei der Registrierung gewählte Passwort. Versuchen Sie es noch einmal oder wählen Sie unten ein neues Passwort.

## Anmelden

login-title = Anmelden
login-heading = Anmelden
login-button = Anmelden
login-forgot = Passwort vergessen?
login-new-here = Neu hier?
login-create-account = Konto anlegen
login-invalid = E-Mail-Adresse oder Passwort ist falsch.
login-disabled = Dieses Konto ist gesperrt. Wenden Sie sich an die Betreiber dieses Dienstes.
login-email-heading = Oder ohne Passwort anmelden
login-email-intro = Wir schicken Ihnen einen sechsstelligen Code und einen Link; beides meldet Sie an.
login-email-button = Anmeldecode per E-Mail schicken
login-check-title = Sehen Sie in Ihren Posteingang
login-check-intro = Wenn die Adresse ein Konto hat, haben wir ihr einen sechsstelligen Code und einen Link zum Anmelden geschickt. Es kann eine Minute dauern, bis die E-Mail ankommt, und sie kann im Spam-Ordner landen.
login-check-code-label = Sechsstelliger Code
login-check-code-hint = Aus der Anmelde-E-Mail, die wir gerade geschickt haben, zum Beispiel 123456.
login-check-code-button = Mit dem Code anmelden
login-check-other-device = Lesen Sie die E-Mail auf einem anderen Gerät? Öffnen Sie dort den Link: Er meldet dieses Gerät an.
login-check-again = Keine E-Mail, oder ein Code, der nicht mehr funktioniert?
login-check-again-link = Einen neuen anfordern
login-code-wrong = Dieser Code ist falsch oder funktioniert nicht mehr: Verwenden Sie die neueste Anmelde-E-Mail oder fordern Sie eine neue an.
login-link-title = Anmelden
login-link-heading = Als { $email } anmelden?
login-link-intro = Drücken Sie den Knopf, um sich in diesem Browser anzumelden.
login-link-button = Anmelden
unconfirmed-title = Bestätigen Sie zuerst Ihre Adresse
unconfirmed-intro = Ihr Passwort stimmt, aber die E-Mail-Adresse des Kontos ist noch nicht bestätigt. Öffnen Sie den Link in der Bestätigungs-E-Mail oder fordern Sie einen neuen an.

## Passwort vergessen

forgot-title = Passwort vergessen
forgot-heading = Passwort vergessen?
forgot-intro = Geben Sie die Adresse Ihres Kontos ein. Wenn es eines gibt, schicken wir ihr einen Link, mit dem Sie ein neues Passwort wählen.
forgot-button = Link zum Zurücksetzen senden
forgot-sent-title = Sehen Sie in Ihren Posteingang
forgot-sent-intro = Wenn zu der Adresse ein Konto gehört, haben wir ihr einen Link geschickt, mit dem Sie ein neues Passwort wählen. Es kann eine Minute dauern, bis er ankommt, und er kann im Spam-Ordner landen. Der Link funktioniert einmal.
forgot-sent-back = Zurück zur Anmeldung
reset-title = Neues Passwort wählen
reset-heading = Neues Passwort für { $email } wählen
reset-button = Neues Passwort setzen

## Die Kontoseite

account-title = Ihr Konto
account-member-since = Mitglied seit
account-log-out = Abmelden
account-change-email-heading = E-Mail-Adresse ändern
account-change-email-intro = Wir schicken einen Link an die neue Adresse; die Änderung erfolgt, wenn Sie ihn öffnen.
account-new-email = Neue E-Mail-Adresse
account-change-email-button = E-Mail-Adresse ändern
account-change-password-heading = Passwort ändern
account-password-hint = Mindestens { $min } Zeichen. Andere Geräte werden abgemeldet.
account-change-password-button = Passwort ändern
account-delete-heading = Konto löschen
account-delete-intro = Das Konto wird sofort gelöscht. Mit der Adresse kann man sich später wieder registrieren.
account-delete-button = Mein Konto löschen
account-wrong-password = Das ist nicht Ihr aktuelles Passwort.
account-same-email = Das ist bereits Ihre Adresse.
account-email-change-sent = Sehen Sie in den Posteingang der neuen Adresse: Die Änderung erfolgt, wenn Sie den Link öffnen, den wir dorthin geschickt haben.
account-email-changed = Ihre E-Mail-Adresse wurde geändert.
account-password-changed = Ihr Passwort wurde geändert. Andere Geräte wurden abgemeldet.
account-no-password = Ihr Konto hat kein Passwort: Sie melden sich mit Codes per E-Mail an. Unten können Sie eines festlegen.
account-set-password-heading = Passwort festlegen
account-set-password-button = Passwort festlegen
account-sign-in-again = Zu Ihrer Sicherheit braucht das eine Anmeldung aus den letzten 15 Minuten. Melden Sie sich ab und per E-Mail wieder an, dann versuchen Sie es noch einmal.
email-change-title = Neue Adresse bestätigen
email-change-heading = Neue Adresse { $email } bestätigen
email-change-intro = Geben Sie das Passwort Ihres Kontos ein, um das Konto auf diese Adresse umzustellen.
email-change-button = Diese Adresse verwenden
address-taken-title = Diese Adresse ist vergeben
address-taken-intro = Ein anderes Konto hat diese Adresse registriert, nachdem der Link verschickt wurde. Ihr Konto behält daher seine bisherige Adresse.
address-taken-back = Zurück zu Ihrem Konto

## Links, die nicht verwendet werden können

link-used-title = Link bereits verwendet
link-expired-title = Link abgelaufen
link-invalid-title = Link ungültig
link-expired-heading = Dieser Link ist abgelaufen
link-invalid-heading = Dieser Link ist ungültig
link-confirm-used-heading = Ihr Konto ist bereits bestätigt
link-confirm-used = Mit diesem Link ist nichts mehr zu tun.
link-confirm-used-log-in = Melden Sie sich an, um fortzufahren.
link-confirm-expired = Bestätigungslinks funktionieren nur eine begrenzte Zeit. Fordern Sie unten einen neuen an.
link-confirm-invalid = Der Link wurde vielleicht unvollständig kopiert, oder ein neuerer hat ihn ersetzt. Fordern Sie unten einen neuen Link an.
link-reset-expired = Links zum Zurücksetzen funktionieren nur eine begrenzte Zeit. Fordern Sie einen neuen an.
link-reset-invalid = Links zum Zurücksetzen funktionieren einmal, und ein neuerer Link oder eine Passwortänderung ersetzt sie. Fordern Sie einen neuen an.
link-reset-again = Neuen Link zum Zurücksetzen anfordern
link-change-used-heading = Adresse bereits geändert
link-change-used = Ihr Konto verwendet diese Adresse bereits.
link-change-expired = Links zum Ändern einer Adresse funktionieren nur eine begrenzte Zeit. Fordern Sie die Änderung auf Ihrer Kontoseite erneut an.
link-change-invalid = Der Link ist vielleicht unvollständig, oder Ihre Adresse hat sich geändert, seit er verschickt wurde. Fordern Sie die Änderung auf Ihrer Kontoseite erneut an.
link-change-account = Zu Ihrem Konto
link-login-expired = Anmeldelinks funktionieren nur kurze Zeit. Fordern Sie eine neue Anmelde-E-Mail an:
link-login-invalid = Anmeldelinks funktionieren einmal, und eine neuere Anmelde-E-Mail ersetzt sie. Fordern Sie eine neue an:

## Fehlerseiten

error-back = Zurück zur Startseite
error-bad-request-title = Ungültige Anfrage
error-bad-request = Die Anfrage konnte nicht gelesen werden. Gehen Sie zurück, prüfen Sie Ihre Eingaben und versuchen Sie es erneut.
error-unauthorized-title = Nicht angemeldet
error-unauthorized = Melden Sie sich zuerst an.
error-csrf-title = Formular abgelaufen
error-csrf = Dieses Formular konnte nicht geprüft werden, vielleicht weil es lange offen war oder Cookies blockiert sind. Gehen Sie zurück, laden Sie die Seite neu und versuchen Sie es erneut.
error-not-found-title = Seite nicht gefunden
error-not-found = Unter dieser Adresse gibt es keine Seite.
error-method-title = Nicht erlaubt
error-method = Diese Seite kann so nicht verwendet werden. Gehen Sie zurück und verwenden Sie das Formular auf der Seite.
error-dev-host-title = Entwicklungsserver
error-dev-host = Dieser Entwicklungsserver beantwortet nur Anfragen an localhost. Öffnen Sie ihn unter der Adresse, mit der er gestartet wurde, etwa http://127.0.0.1:3000.
error-too-large-title = Zu viele Daten
error-too-large = Das Formular hat mehr Daten geschickt, als ein Feld braucht. Gehen Sie zurück und kürzen Sie Ihre Eingaben.
error-media-type-title = Formular nicht unterstützt
error-media-type = Das Formular wurde in einem Format geschickt, das diese Seite nicht annimmt.
error-throttled-title = Zu viele Versuche
error-throttled = Von hier aus gab es in kurzer Zeit zu viele Versuche. Bitte warten Sie eine Minute und versuchen Sie es erneut.
error-busy-title = Gerade ausgelastet
error-busy = Gerade registrieren sich viele Menschen gleichzeitig. Bitte warten Sie ein paar Sekunden und versuchen Sie es erneut.
error-internal-title = Etwas ist schiefgelaufen
error-internal = Bei uns ist etwas schiefgelaufen. Bitte versuchen Sie es gleich noch einmal.

## Fehler an Feldern

signup-invite-only-title = Registrierung nur mit Einladung
signup-invite-only = Konten werden hier nur auf Einladung angelegt. Wenn Sie eingeladen wurden, öffnen Sie den Link in Ihrer Einladungs-E-Mail; sonst bitten Sie die Betreiber dieser Seite um eine.
signup-closed-title = Registrierung geschlossen
signup-closed = Hier können derzeit keine neuen Konten angelegt werden. Wenn Sie bereits eines haben, melden Sie sich an.
email-missing = Geben Sie Ihre E-Mail-Adresse ein.
email-too-long = Eine E-Mail-Adresse hat höchstens 254 Zeichen.
email-invalid = Geben Sie eine E-Mail-Adresse wie name@example.com ein.
email-not-allowed = Adressen dieser Domain können hier nicht verwendet werden. Verwenden Sie eine andere Adresse.
password-too-short = Verwenden Sie mindestens { $min } Zeichen. Eine Passphrase aus ein paar Wörtern, die nichts miteinander zu tun haben, ist lang und leicht zu merken.
password-too-long = Verwenden Sie höchstens { $max } Zeichen.
password-control = Ihr Passwort darf keine Steuerzeichen wie Tabulatoren oder Zeilenumbrüche enthalten. Versuchen Sie eine Passphrase aus ein paar Wörtern, die nichts miteinander zu tun haben.
password-common = Dieses Passwort gehört zu den häufigsten, die Angreifer zuerst ausprobieren. Versuchen Sie eine Passphrase aus ein paar Wörtern, die nichts miteinander zu tun haben.
password-is-email = Ihr Passwort darf nicht Ihre E-Mail-Adresse sein. Versuchen Sie eine Passphrase aus ein paar Wörtern, die nichts miteinander zu tun haben.

## Das Entwicklungspostfach

mailbox-title = Entwicklungspostfach
mailbox-intro = Jede eingereihte E-Mail, die neueste zuerst. Links werden erzeugt, wenn Sie eine Nachricht öffnen, so wie es der Versand beim Senden tut. In der Produktion gibt es diese Seite nicht.
mailbox-empty = Noch keine E-Mails.
mailbox-to = An
mailbox-subject = Betreff
mailbox-status = Status
mailbox-read = Lesen
mailbox-status-queued = eingereiht
mailbox-status-retrying = neuer Versuch nach { $attempts ->
    [one] einem Versuch
   *[other] { $attempts } Versuchen
}: { $error }
mailbox-status-sent = gesendet
mailbox-status-skipped = übersprungen: { $reason }
mailbox-status-given-up = fehlgeschlagen: nach 24 Stunden aufgegeben ({ $error })
mailbox-html = HTML
mailbox-text = Text

## Daten

long-date = { $day }. { $month } { $year }
month-name = { $month ->
    [1] Januar
    [2] Februar
    [3] März
    [4] April
    [5] Mai
    [6] Juni
    [7] Juli
    [8] August
    [9] September
    [10] Oktober
    [11] November
   *[12] Dezember
}

## Wie lange ein Link oder Code funktioniert

duration-days = { $count ->
    [one] einen Tag
   *[other] { $count } Tage
}
duration-hours = { $count ->
    [one] eine Stunde
   *[other] { $count } Stunden
}
duration-minutes = { $count ->
    [one] eine Minute
   *[other] { $count } Minuten
}
duration-seconds = { $count ->
    [one] eine Sekunde
   *[other] { $count } Sekunden
}

## Feldmeldungen der JSON-API (Titel und Details bleiben englisch)

api-wrong-password = Das ist nicht das bei der Registrierung gewählte Passwort; senden Sie `new_password`, um es zu ersetzen.
api-wrong-code = Dieser Code stimmt nicht; nehmen Sie die neueste Bestätigungs-E-Mail.

## E-Mails

email-footer = Sie erhalten diese E-Mail, weil diese Adresse auf einer { -app-name }-Seite eingegeben wurde.
email-paste-link = Oder fügen Sie diesen Link in Ihren Browser ein:

confirmation-subject = Bestätigen Sie Ihre E-Mail-Adresse
confirmation-intro = Jemand, hoffentlich Sie, hat sich mit dieser E-Mail-Adresse bei { -app-name } registriert.
confirmation-code-intro = Geben Sie auf dem Gerät, auf dem Sie sich registriert haben, diesen Code auf der Seite ein, die Sie gebeten hat, in Ihren Posteingang zu sehen:
confirmation-code-label = Ihr Code:
confirmation-code-valid = Der Code funktioniert { $valid_for } lang.
confirmation-link-intro = Oder öffnen Sie diesen Link, auf einem beliebigen Gerät. In dem Browser, in dem Sie sich registriert haben, bestätigt ein Knopf; auf einem anderen Gerät werden Sie nach dem bei der Registrierung gewählten Passwort gefragt oder nach einem neuen, wenn Sie sich nicht selbst registriert haben.
confirmation-button = Meine Adresse bestätigen
confirmation-link-valid = Der Link funktioniert { $valid_for } lang. Wenn Sie sich nicht registriert haben, ignorieren Sie diese E-Mail: Das Konto bleibt inaktiv und wird gelöscht.

already-registered-subject = Jemand wollte sich mit Ihrer Adresse registrieren
already-registered-intro = Gerade wollte jemand mit dieser E-Mail-Adresse ein { -app-name }-Konto anlegen, aber Sie haben bereits eines. Nichts wurde geändert.
already-registered-log-in = Wenn Sie das waren, melden Sie sich mit Ihrem bisherigen Passwort an:
already-registered-button = Anmelden
already-registered-forgot = Vergessen? Hier setzen Sie es zurück:
already-registered-not-you = Wenn Sie es nicht waren, können Sie diese E-Mail ignorieren.

password-reset-subject = Setzen Sie Ihr Passwort zurück
password-reset-intro = Jemand, hoffentlich Sie, möchte das Passwort des { -app-name }-Kontos zu dieser Adresse zurücksetzen. Um ein neues Passwort zu wählen, öffnen Sie diesen Link:
password-reset-button = Neues Passwort wählen
password-reset-valid = Der Link funktioniert einmal, { $valid_for } lang. Wenn Sie ihn nicht angefordert haben, ignorieren Sie diese E-Mail: Ihr Passwort bleibt, wie es ist.

password-changed-subject = Ihr Passwort wurde geändert
password-changed-intro = Das Passwort Ihres { -app-name }-Kontos wurde gerade geändert, und alle anderen Sitzungen wurden abgemeldet.
password-changed-not-you = Wenn Sie das waren, ist nichts zu tun. Wenn nicht, setzen Sie Ihr Passwort jetzt zurück:

email-change-confirmation-subject = Bestätigen Sie Ihre neue E-Mail-Adresse
email-change-confirmation-intro = Jemand, hoffentlich Sie, möchte ein { -app-name }-Konto auf diese E-Mail-Adresse umstellen. Um das abzuschließen, öffnen Sie diesen Link und geben Sie das Passwort des Kontos ein:
email-change-confirmation-button = Meine neue Adresse bestätigen
email-change-confirmation-valid = Der Link funktioniert { $valid_for } lang. Wenn Sie das nicht angefordert haben, ignorieren Sie diese E-Mail: Nichts ändert sich.

email-change-notice-subject = Ihre E-Mail-Adresse wird geändert
email-change-notice-intro = Jemand möchte die E-Mail-Adresse Ihres { -app-name }-Kontos ändern. Die Änderung erfolgt erst, wenn die neue Adresse aus ihrem eigenen Posteingang bestätigt wird.
email-change-notice-not-you = Wenn Sie das waren, ist hier nichts zu tun. Wenn nicht, kennt jemand Ihr Passwort: Setzen Sie es jetzt zurück unter

email-taken-subject = Jemand wollte Ihre Adresse verwenden
email-taken-intro = Jemand wollte ein anderes { -app-name }-Konto auf diese E-Mail-Adresse umstellen, zu der es bereits ein Konto gibt: Ihres. Nichts wurde geändert.
email-taken-log-in = Sie können sich wie gewohnt anmelden:
email-taken-not-you = Wenn Sie das nicht erwartet haben, können Sie diese E-Mail ignorieren.

sign-in-subject = Ihr Anmeldecode
sign-in-intro = Jemand, hoffentlich Sie, möchte sich mit dieser E-Mail-Adresse bei { -app-name } anmelden.
sign-in-code-intro = Geben Sie in dem Browser, in dem Sie angefragt haben, diesen Code ein:
sign-in-code-label = Ihr Code:
sign-in-link-intro = Oder öffnen Sie diesen Link und drücken Sie den Knopf, auf einem beliebigen Gerät: Angemeldet wird das Gerät, auf dem Sie drücken.
sign-in-button = Anmelden
sign-in-valid = Code und Link funktionieren einmal, { $valid_for } lang, bis eine neuere Anmelde-E-Mail sie ersetzt. Wenn Sie das nicht angefordert haben, ignorieren Sie diese E-Mail: Ohne sie kann sich niemand anmelden.

no-account-subject = Zu dieser Adresse gibt es kein Konto
no-account-intro = Jemand, hoffentlich Sie, möchte sich mit dieser E-Mail-Adresse bei { -app-name } anmelden, aber sie hat kein Konto.
no-account-sign-up = Haben Sie sich vielleicht mit einer anderen Adresse registriert? Oder legen Sie ein Konto an:
no-account-button = Konto anlegen
no-account-not-you = Wenn Sie das nicht angefordert haben, können Sie diese E-Mail ignorieren.

## Bei Anwendungen anmelden (OpenID Connect)

consent-title = Zugriff erlauben
consent-heading = Mit Ihrem Konto bei { $client } anmelden?
consent-intro = { $client } möchte wissen, wer Sie sind. Wenn Sie es erlauben, erhält es:
consent-email = Ihre E-Mail-Adresse, die bestätigt ist
consent-offline = Zugriff, während Sie nicht da sind, bis Sie ihn auf Ihrer Kontoseite entfernen
consent-allow = Erlauben
consent-deny = Ablehnen
oidc-error-title = Diese Anmeldeanfrage kann nicht verwendet werden
oidc-error-unknown-client = Die Anwendung, die Sie hierher geschickt hat, ist bei diesem Dienst nicht registriert. Gehen Sie zu ihr zurück und informieren Sie ihre Betreiber.
oidc-error-redirect-uri = Die Anwendung, die Sie hierher geschickt hat, wollte zu einer Adresse zurückkehren, die sie nicht registriert hat. Zu Ihrer Sicherheit wurden Sie nicht dorthin geschickt.
oidc-error-request = Die Anmeldeanfrage ist unvollständig oder fehlerhaft. Gehen Sie zur Anwendung zurück und versuchen Sie es erneut.
logout-confirm-title = Abmelden?
logout-confirm-intro = Eine Anwendung möchte Ihre Sitzung hier beenden. Möchten Sie sich auch bei diesem Dienst abmelden?
logout-confirm-button = Abmelden
logout-confirm-stay = Angemeldet bleiben
logged-out-title = Sie sind abgemeldet
logged-out-intro = Ihre Sitzung hier wurde beendet.
logged-out-log-in = Wieder anmelden
account-apps-heading = Anwendungen mit Zugriff
account-apps-none = Keine Anwendung hat Zugriff auf Ihr Konto.
account-apps-remove = Zugriff entfernen
account-app-removed = Die Anwendung hat keinen Zugriff mehr auf Ihr Konto.

## Die Konsole für Betreiber

admin-nav-label = Konsole
admin-nav-dashboard = Übersicht
admin-nav-users = Konten
admin-nav-outbox = Postausgang
admin-nav-audit = Protokoll
admin-title = Konsole
admin-share-confirmed = Anteil der Registrierungen der letzten 30 Tage, die binnen 24 Stunden bestätigt wurden
admin-outbox-depth = E-Mails und Ereignisse, die auf den Versand warten
admin-last-30-days = Die letzten 30 Tage
admin-chart-caption = Registrierungen, Bestätigungen und gescheiterte Zustellungen pro Tag; die Tabelle unten enthält dieselben Zahlen.
admin-signups = Registrierungen
admin-confirmations = Bestätigungen
admin-failed-deliveries = Gescheiterte Zustellungen
admin-table-caption = Pro Tag, älteste zuerst
admin-day = Tag
admin-users-title = Konten
admin-search = Suche
admin-search-hint = Der Anfang einer Adresse, oder @domain für alle Adressen einer Domain.
admin-status = Status
admin-status-any = Alle
admin-status-unconfirmed = Unbestätigt
admin-status-confirmed = Bestätigt
admin-status-disabled = Gesperrt
admin-status-admin = Admin
admin-search-button = Suchen
admin-users-caption = Konten, neueste zuerst
admin-created = Angelegt
admin-last-login = Letzte Anmeldung
admin-users-none = Kein Konto passt.
admin-next-page = Nächste Seite
admin-kind = Art
admin-recipient = Empfänger
admin-attempts = Versuche
admin-retry = Erneut versuchen
admin-at = Wann
admin-action = Aktion
admin-actor = Von
admin-account = Konto
admin-client = Client
admin-details = Details
admin-confirmed = Bestätigt
admin-language = Sprache
admin-password = Passwort
admin-password-set = Gesetzt
admin-password-none = Keines (meldet sich per E-Mail an)
admin-actions = Aktionen
admin-action-resend = Bestätigung erneut senden
admin-action-confirm = Adresse bestätigen
admin-action-reset = Link zum Zurücksetzen senden
admin-action-end-sessions = Alle Sitzungen beenden
admin-action-enable = Konto entsperren
admin-action-disable = Konto sperren
admin-sessions = Sitzungen
admin-sessions-none = Keine Sitzung ist offen.
admin-started = Begonnen
admin-last-seen = Zuletzt gesehen
admin-browser = Browser
admin-emails = Letzte E-Mails und Ereignisse
admin-events = Protokolleinträge
admin-delete-heading = Konto löschen
admin-delete-intro = Das Konto, seine Sitzungen und seine ungesendeten E-Mails werden sofort gelöscht; das lässt sich nicht rückgängig machen.
admin-delete-type = Geben Sie zur Bestätigung die Adresse ein
admin-delete-button = Konto löschen
admin-delete-mismatch = Das ist nicht die Adresse dieses Kontos; nichts wurde gelöscht.
admin-outbox-title = Postausgang
admin-outbox-intro = E-Mails und Webhook-Ereignisse, die noch auf den Versand warten, und solche, die nach 24 Stunden voller Fehler aufgegeben wurden, neueste zuerst.
admin-outbox-empty = Nichts wartet und nichts ist gescheitert.
admin-audit-title = Protokoll
admin-actor-hint = Die ID eines Kontos, der Name eines API-Schlüssels, cli oder system.
admin-action-any = Alle
admin-filter-button = Filtern
admin-audit-none = Kein Eintrag passt.
admin-reauth-title = Bestätigen Sie, dass Sie es sind
admin-reauth-intro = Die Konsole fragt alle 15 Minuten erneut nach Ihrem Passwort.
admin-reauth-button = Weiter
admin-reauth-or-email = Oder melden Sie sich erneut per E-Mail an:
admin-reauth-email = Ihr Konto hat kein Passwort: Melden Sie sich erneut per E-Mail an, um fortzufahren.
admin-reauth-sign-in = Anmelden
admin-notice-disabled = Das Konto ist gesperrt, und alle seine Sitzungen sind beendet.
admin-notice-enabled = Das Konto kann sich wieder anmelden.
admin-notice-confirmed = Die Adresse ist bestätigt.
admin-notice-sessions-ended = Alle Sitzungen des Kontos sind beendet.
admin-notice-confirmation-resent = Eine neue Bestätigungs-E-Mail ist unterwegs.
admin-notice-reset-sent = Eine E-Mail zum Zurücksetzen des Passworts ist unterwegs.
admin-notice-deleted = Das Konto wurde gelöscht.
admin-notice-retried = Die Zustellung steht wieder in der Warteschlange.
admin-actor-account = Konto { $id }
admin-actor-key = Schlüssel { $name }
admin-actor-cli = Kommandozeile
admin-actor-system = { -app-name }
invitation-subject = Sie sind eingeladen, ein Konto anzulegen
invitation-intro = Sie sind eingeladen, mit dieser E-Mail-Adresse ein Konto anzulegen. Öffnen Sie diesen Link und wählen Sie ein Passwort:
invitation-button = Einladung annehmen
invitation-valid = Der Link funktioniert einmal, { $valid_for } lang. Wenn Sie kein Konto möchten, ignorieren Sie diese E-Mail: Ohne Sie wird nichts angelegt.
invite-title = Einladung annehmen
invite-heading = Konto anlegen
invite-intro = Wählen Sie ein Passwort für { $email }. Ihre Adresse ist bereits bestätigt: Die Einladung hat sie erreicht.
invite-button = Mein Konto anlegen
invite-exists-title = Sie haben bereits ein Konto
invite-exists = Zur Adresse { $email } gibt es bereits ein Konto, diese Einladung hat also nichts mehr zu tun. Melden Sie sich damit an.
invite-log-in = Anmelden
link-invite-expired = Diese Einladung ist abgelaufen. Bitten Sie die Person, die Sie eingeladen hat, um eine neue.
link-invite-invalid = Dieser Einladungslink ist ungültig. Prüfen Sie, ob Sie den ganzen Link aus der E-Mail geöffnet haben, oder bitten Sie um eine neue Einladung.
admin-notice-invited = Die Einladung ist unterwegs.
admin-invite-heading = Jemanden einladen
admin-invite-hint = Die Person erhält einen Link, um ein Passwort zu wählen; ihr Konto ist damit bestätigt.
admin-invite-button = Einladung senden
error-unavailable-title = Später erneut versuchen
error-unavailable = Über die Registrierung kann gerade nicht entschieden werden. Bitte versuchen Sie es in ein paar Minuten erneut.
signup-refused = Diese Registrierung wurde abgelehnt.
no-account-no-sign-up = Vielleicht haben Sie sich mit einer anderen Adresse registriert? Neue Konten werden hier auf Einladung angelegt.
