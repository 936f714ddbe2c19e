# Doorman's English messages: every text a person reads on a page or in an email.
# The other languages must have exactly these message ids (a test checks).

## Every page

site-name = { -app-name }
nav-label = Main
nav-account = Account
nav-log-out = Log out
nav-sign-up = Sign up
nav-log-in = Log in
footer-tagline = { -app-name }: sign up with email confirmation.
footer-languages = Language
error-summary-heading = Please fix the following:

## Shared form parts

field-email = Email address
field-password = Password
field-current-password = Current password
field-new-password = New password
password-hint = At least { $min } characters. A few unrelated words make a good passphrase.
resend-button = Send a new confirmation link

## Landing page

home-title = Welcome
home-heading = Welcome to { -app-name }
home-intro = Create an account with your email address, confirm it from your inbox, and you are in.
home-sign-up = Sign up
home-or = or
home-log-in = log in

## Sign-up

signup-title = Sign up
signup-heading = Create your account
signup-button = Sign up
signup-have-account = Already have an account?
signup-log-in = Log in

## Check your inbox

check-title = Check your inbox
check-intro = If the address can be used, we have sent it an email with a six-digit code and a link. It may take a minute to arrive, and it may land in your spam folder.
check-this-device-heading = Reading the email on this device?
check-this-device = Enter the code here, or open the link in this browser: either confirms your account in one step.
check-code-label = Six-digit code
check-code-hint = From the email we just sent, for example 123456.
check-code-button = Confirm with the code
check-other-device-heading = Reading it on another device?
check-other-device = Open the link there; you will be asked for the password you chose here. Once it is confirmed, come back to this page and press Continue.
check-continue-button = Continue
check-no-email-heading = No email?
code-wrong = That code is not right. Check the newest confirmation email, or open the link in it instead.
code-not-confirmed-yet = The address is not confirmed yet. Enter the code from the email, or open its link, then press Continue again.

## Resend

resend-title = Resend confirmation
resend-heading = Send a new confirmation link
resend-intro = Enter the address you signed up with. If it has an account waiting for confirmation, a new link is on its way.

## Confirming an account

confirm-title = Confirm your account
confirm-heading = Confirm your account for { $email }
confirm-one-click = This is the browser you signed up in, so there is nothing more to type.
confirm-button = Confirm
confirm-intro = Enter the password you chose when you signed up. Signed up in another browser? It works here too, with the same password.
confirm-password-label = Password chosen at sign-up
confirm-password-button = Confirm my account
confirm-new-password-heading = Did not sign up yourself, or forgot the password?
confirm-new-password-intro = Choose a new password instead. It replaces the one given at sign-up.
confirm-new-password-button = Set password and confirm
confirm-missing-password = Enter the password chosen at sign-up, or choose a new one.
confirm-wrong-password = That is not the password chosen at sign-up. Try again, or choose a new password below.

## Logging in

login-title = Log in
login-heading = Log in
login-button = Log in
login-forgot = Forgot your password?
login-new-here = New here?
login-create-account = Create an account
login-invalid = Invalid email or password.
login-disabled = This account is disabled. Contact the people who run this service.
login-email-heading = Or sign in without your password
login-email-intro = We email you a six-digit code and a link; either signs you in.
login-email-button = Email me a sign-in code
login-check-title = Check your inbox
login-check-intro = If the address has an account, we have sent it a six-digit code and a link to sign in. It may take a minute to arrive, and it may land in your spam folder.
login-check-code-label = Six-digit code
login-check-code-hint = From the sign-in email we just sent, for example 123456.
login-check-code-button = Sign in with the code
login-check-other-device = Reading the email on another device? Open its link there: it signs in that device.
login-check-again = No email, or a code that no longer works?
login-check-again-link = Ask for a new one
login-code-wrong = That code is not right or no longer works: use the newest sign-in email, or ask for a new one.
login-link-title = Sign in
login-link-heading = Log in as { $email }?
login-link-intro = Press the button to sign in in this browser.
login-link-button = Log in
unconfirmed-title = Confirm your address first
unconfirmed-intro = Your password is right, but the account's email address is not confirmed yet. Open the link in the confirmation email, or ask for a new one.

## Forgotten password

forgot-title = Forgot your password
forgot-heading = Forgot your password?
forgot-intro = Enter the address of your account. If it has one, we email it a link to choose a new password.
forgot-button = Email me a reset link
forgot-sent-title = Check your inbox
forgot-sent-intro = If the address has an account, we have sent it a link to choose a new password. It may take a minute to arrive, and it may land in your spam folder. The link works once.
forgot-sent-back = Back to log in
reset-title = Choose a new password
reset-heading = Choose a new password for { $email }
reset-button = Set new password

## The account page

account-title = Your account
account-member-since = Member since
account-log-out = Log out
account-change-email-heading = Change your email address
account-change-email-intro = We send a link to the new address; the change happens when you open it.
account-new-email = New email address
account-change-email-button = Change email address
account-change-password-heading = Change your password
account-password-hint = At least { $min } characters. Other devices are logged out.
account-change-password-button = Change password
account-delete-heading = Delete your account
account-delete-intro = This deletes the account at once. The address can sign up again later.
account-delete-button = Delete my account
account-wrong-password = That is not your current password.
account-same-email = That is already your address.
account-email-change-sent = Check the inbox of the new address: the change happens when you open the link we sent there.
account-email-changed = Your email address was changed.
account-password-changed = Your password was changed. Other devices were logged out.
account-no-password = Your account has no password: you sign in with emailed codes. You can set one below.
account-set-password-heading = Set a password
account-set-password-button = Set password
account-sign-in-again = For your safety, this needs a sign-in from the last 15 minutes. Log out and sign in again by email, then try once more.
email-change-title = Confirm your new address
email-change-heading = Confirm your new address { $email }
email-change-intro = Enter your account's password to move the account to this address.
email-change-button = Use this address
address-taken-title = That address is taken
address-taken-intro = Another account registered this address after the link was sent, so your account keeps its current address.
address-taken-back = Back to your account

## Links that cannot be used

link-used-title = Link already used
link-expired-title = Link expired
link-invalid-title = Link not valid
link-expired-heading = This link has expired
link-invalid-heading = This link is not valid
link-confirm-used-heading = Your account is already confirmed
link-confirm-used = There is nothing more to do with this link.
link-confirm-used-log-in = Log in to continue.
link-confirm-expired = Confirmation links work for a limited time. Ask for a new one below.
link-confirm-invalid = The link may have been copied incompletely, or it was replaced by a newer one. Ask for a new link below.
link-reset-expired = Reset links work for a limited time. Ask for a new one.
link-reset-invalid = Reset links work once, and a newer link or a password change replaces them. Ask for a new one.
link-reset-again = Ask for a new reset link
link-change-used-heading = Address already changed
link-change-used = Your account already uses this address.
link-change-expired = Links to change an address work for a limited time. Ask for the change again from your account page.
link-change-invalid = The link may be incomplete, or your address changed since it was sent. Ask for the change again from your account page.
link-change-account = Go to your account
link-login-expired = Sign-in links work only for a short time. Ask for a new sign-in email:
link-login-invalid = Sign-in links work once, and a newer sign-in email replaces them. Ask for a new one:

## Error pages

error-back = Back to the start page
error-bad-request-title = Bad request
error-bad-request = The request could not be read. Go back, check what you entered and try again.
error-unauthorized-title = Not logged in
error-unauthorized = Log in first.
error-csrf-title = Form expired
error-csrf = This form could not be verified, perhaps because it was open for a long time or cookies are blocked. Go back, reload the page and try again.
error-not-found-title = Page not found
error-not-found = There is no page at this address.
error-method-title = Not allowed
error-method = This page cannot be used that way. Go back and use the form on the page.
error-dev-host-title = Development server
error-dev-host = This development server answers only requests for localhost. Open it at the address it was started with, such as http://127.0.0.1:3000.
error-too-large-title = Too much data
error-too-large = The form sent more data than any field needs. Go back and shorten what you entered.
error-media-type-title = Unsupported form
error-media-type = The form was sent in a format this page does not accept.
error-throttled-title = Too many attempts
error-throttled = There have been too many attempts from here in a short time. Please wait a minute and try again.
error-busy-title = Busy right now
error-busy = Many people are signing up at once. Please wait a few seconds and try again.
error-internal-title = Something went wrong
error-internal = Something went wrong on our side. Please try again in a moment.

## Field errors

signup-invite-only-title = Sign-up by invitation
signup-invite-only = Accounts here are created by invitation only. If you were invited, open the link in your invitation email; otherwise ask the people who run this site for one.
signup-closed-title = Sign-up closed
signup-closed = New accounts cannot be created here at the moment. If you already have one, log in.
email-missing = Enter your email address.
email-too-long = An email address has at most 254 characters.
email-invalid = Enter an email address like name@example.com.
email-not-allowed = Addresses at this domain cannot be used here. Use another address.
password-too-short = Use at least { $min } characters. A passphrase of a few unrelated words is long and easy to remember.
password-too-long = Use at most { $max } characters.
password-control = Your password must not contain control characters such as tabs or line breaks. Try a passphrase of a few unrelated words.
password-common = This password is one of the most common ones, which attackers try first. Try a passphrase of a few unrelated words.
password-is-email = Your password must not be your email address. Try a passphrase of a few unrelated words.

## The development mailbox

mailbox-title = Development mailbox
mailbox-intro = Every email queued, newest first. Links are minted when you open a message, as the worker does when it sends. This page does not exist in production.
mailbox-empty = No emails yet.
mailbox-to = To
mailbox-subject = Subject
mailbox-status = Status
mailbox-read = Read
mailbox-status-queued = queued
mailbox-status-retrying = retrying after { $attempts ->
    [one] one attempt
   *[other] { $attempts } attempts
}: { $error }
mailbox-status-sent = sent
mailbox-status-skipped = skipped: { $reason }
mailbox-status-given-up = failed: given up after 24 hours ({ $error })
mailbox-html = HTML
mailbox-text = Text

## Dates

long-date = { $day } { $month } { $year }
month-name = { $month ->
    [1] January
    [2] February
    [3] March
    [4] April
    [5] May
    [6] June
    [7] July
    [8] August
    [9] September
    [10] October
    [11] November
   *[12] December
}

## How long a link or code works

duration-days = { $count ->
    [one] one day
   *[other] { $count } days
}
duration-hours = { $count ->
    [one] one hour
   *[other] { $count } hours
}
duration-minutes = { $count ->
    [one] one minute
   *[other] { $count } minutes
}
duration-seconds = { $count ->
    [one] one second
   *[other] { $count } seconds
}

## The JSON API's field messages (its titles and details stay English)

api-wrong-password = That is not the password chosen at sign-up; send `new_password` to replace it.
api-wrong-code = That code is not right; check the newest confirmation email.

## Emails

email-footer = You received this email because this address was entered on a { -app-name } page.
email-paste-link = Or paste this link into your browser:

confirmation-subject = Confirm your email address
confirmation-intro = Someone, hopefully you, signed up for { -app-name } with this email address.
confirmation-code-intro = On the device where you signed up, enter this code on the page that asked you to check your inbox:
confirmation-code-label = Your code:
confirmation-code-valid = The code works for { $valid_for }.
confirmation-link-intro = Or open this link, on any device. In the browser where you signed up, one button confirms; on another device you are asked for the password chosen at sign-up, or for a new one if you did not sign up yourself.
confirmation-button = Confirm my address
confirmation-link-valid = The link works for { $valid_for }. If you did not sign up, ignore this email: the account stays inactive and is deleted.

already-registered-subject = Someone tried to sign up with your address
already-registered-intro = Someone just tried to create a { -app-name } account with this email address, but you already have one. Nothing was changed.
already-registered-log-in = If this was you, log in with your existing password:
already-registered-button = Log in
already-registered-forgot = Forgot it? Reset it here:
already-registered-not-you = If it was not you, you can ignore this email.

password-reset-subject = Reset your password
password-reset-intro = Someone, hopefully you, asked to reset the password of the { -app-name } account for this address. To choose a new password, open this link:
password-reset-button = Choose a new password
password-reset-valid = The link works once, for { $valid_for }. If you did not ask for it, ignore this email: your password stays as it is.

password-changed-subject = Your password was changed
password-changed-intro = The password of your { -app-name } account was just changed, and every other session was logged out.
password-changed-not-you = If this was you, there is nothing to do. If it was not, reset your password now:

email-change-confirmation-subject = Confirm your new email address
email-change-confirmation-intro = Someone, hopefully you, asked to move a { -app-name } account to this email address. To finish, open this link and enter the account's password:
email-change-confirmation-button = Confirm my new address
email-change-confirmation-valid = The link works for { $valid_for }. If you did not ask for this, ignore this email: nothing changes.

email-change-notice-subject = Your email address is being changed
email-change-notice-intro = Someone asked to change the email address of your { -app-name } account. The change happens only when the new address is confirmed from its own inbox.
email-change-notice-not-you = If this was you, there is nothing to do here. If it was not, someone knows your password: reset it now at

email-taken-subject = Someone tried to use your address
email-taken-intro = Someone tried to move another { -app-name } account to this email address, which already has an account: yours. Nothing was changed.
email-taken-log-in = You can log in as usual:
email-taken-not-you = If you did not expect this, you can ignore this email.

sign-in-subject = Your sign-in code
sign-in-intro = Someone, hopefully you, asked to sign in to { -app-name } with this email address.
sign-in-code-intro = In the browser where you asked, enter this code:
sign-in-code-label = Your code:
sign-in-link-intro = Or open this link and press the button, on any device: it signs in the device that presses it.
sign-in-button = Sign in
sign-in-valid = The code and the link work once, for { $valid_for }, until a newer sign-in email replaces them. If you did not ask for this, ignore this email: nobody can sign in without it.

no-account-subject = There is no account with this address
no-account-intro = Someone, hopefully you, asked to sign in to { -app-name } with this email address, but it has no account.
no-account-sign-up = Perhaps you signed up with another address? Or create an account:
no-account-button = Create an account
no-account-not-you = If you did not ask for this, you can ignore this email.

## Signing in to applications (OpenID Connect)

consent-title = Allow access
consent-heading = Sign in to { $client } with your account?
consent-intro = { $client } asks to know who you are. If you allow it, it receives:
consent-email = your email address, which is confirmed
consent-offline = access while you are away, until you remove it on your account page
consent-allow = Allow
consent-deny = Deny
oidc-error-title = This sign-in request cannot be used
oidc-error-unknown-client = The application that sent you here is not registered with this service. Go back to it and tell its operators.
oidc-error-redirect-uri = The application that sent you here asked to return to an address it has not registered. For your safety you were not sent there.
oidc-error-request = The sign-in request is incomplete or malformed. Go back to the application and try again.
logout-confirm-title = Log out?
logout-confirm-intro = An application asks to end your session here. Log out of this service too?
logout-confirm-button = Log out
logout-confirm-stay = Stay logged in
logged-out-title = You are logged out
logged-out-intro = Your session here has ended.
logged-out-log-in = Log in again
account-apps-heading = Apps with access
account-apps-none = No application has access to your account.
account-apps-remove = Remove access
account-app-removed = The application no longer has access to your account.

## The operators' console

admin-nav-label = Console
admin-nav-dashboard = Overview
admin-nav-users = Accounts
admin-nav-outbox = Outbox
admin-nav-audit = Audit log
admin-title = Console
admin-share-confirmed = Sign-ups of the last 30 days confirmed within 24 hours
admin-outbox-depth = Emails and events waiting to be sent
admin-last-30-days = The last 30 days
admin-chart-caption = Sign-ups, confirmations and failed deliveries per day; the table below lists the same numbers.
admin-signups = Sign-ups
admin-confirmations = Confirmations
admin-failed-deliveries = Failed deliveries
admin-table-caption = Per day, oldest first
admin-day = Day
admin-users-title = Accounts
admin-search = Search
admin-search-hint = The start of an address, or @domain for every address at a domain.
admin-status = Status
admin-status-any = Any
admin-status-unconfirmed = Unconfirmed
admin-status-confirmed = Confirmed
admin-status-disabled = Disabled
admin-status-admin = Admin
admin-search-button = Search
admin-users-caption = Accounts, newest first
admin-created = Created
admin-last-login = Last login
admin-users-none = No account matches.
admin-next-page = Next page
admin-kind = Kind
admin-recipient = Recipient
admin-attempts = Attempts
admin-retry = Retry
admin-at = When
admin-action = Action
admin-actor = By
admin-account = Account
admin-client = Client
admin-details = Details
admin-confirmed = Confirmed
admin-language = Language
admin-password = Password
admin-password-set = Set
admin-password-none = None (signs in by email)
admin-actions = Actions
admin-action-resend = Resend the confirmation
admin-action-confirm = Confirm the address
admin-action-reset = Send a password reset
admin-action-end-sessions = End all sessions
admin-action-enable = Enable the account
admin-action-disable = Disable the account
admin-sessions = Sessions
admin-sessions-none = No session is open.
admin-started = Started
admin-last-seen = Last seen
admin-browser = Browser
admin-emails = Last emails and events
admin-events = Audit events
admin-delete-heading = Delete the account
admin-delete-intro = The account, its sessions and its unsent emails are deleted at once; this cannot be undone.
admin-delete-type = Type the address to confirm
admin-delete-button = Delete the account
admin-delete-mismatch = That is not this account's address; nothing was deleted.
admin-outbox-title = Outbox
admin-outbox-intro = Emails and webhook events still waiting to be sent, and those given up after 24 hours of failures, newest first.
admin-outbox-empty = Nothing is waiting and nothing failed.
admin-audit-title = Audit log
admin-actor-hint = An account's id, an API key's name, cli or system.
admin-action-any = Any
admin-filter-button = Filter
admin-audit-none = No event matches.
admin-reauth-title = Confirm it is you
admin-reauth-intro = The console asks for your password again every 15 minutes.
admin-reauth-button = Continue
admin-reauth-or-email = Or sign in again by email:
admin-reauth-email = Your account has no password: sign in again by email to continue.
admin-reauth-sign-in = Sign in
admin-notice-disabled = The account is disabled and every session it had has ended.
admin-notice-enabled = The account can sign in again.
admin-notice-confirmed = The address is confirmed.
admin-notice-sessions-ended = Every session of the account has ended.
admin-notice-confirmation-resent = A new confirmation email is on its way.
admin-notice-reset-sent = A password-reset email is on its way.
admin-notice-deleted = The account was deleted.
admin-notice-retried = The delivery is queued again.
admin-actor-account = account { $id }
admin-actor-key = key { $name }
admin-actor-cli = command line
admin-actor-system = { -app-name }
invitation-subject = You are invited to create an account
invitation-intro = You are invited to create an account with this email address. Open this link and choose a password:
invitation-button = Accept the invitation
invitation-valid = The link works once, for { $valid_for }. If you do not want an account, ignore this email: nothing is created without you.
invite-title = Accept your invitation
invite-heading = Create your account
invite-intro = Choose a password for { $email }. Your address is already confirmed: the invitation reached it.
invite-button = Create my account
invite-exists-title = You already have an account
invite-exists = The address { $email } already has an account, so this invitation has nothing left to do. Log in with it.
invite-log-in = Log in
link-invite-expired = This invitation has expired. Ask the person who invited you for a new one.
link-invite-invalid = This invitation link is not valid. Check that you opened the whole link from the email, or ask for a new invitation.
admin-notice-invited = The invitation is on its way.
admin-invite-heading = Invite someone
admin-invite-hint = They get a link to choose a password; their account is confirmed by it.
admin-invite-button = Send the invitation
error-unavailable-title = Try again later
error-unavailable = Sign-up cannot be decided right now. Please try again in a few minutes.
signup-refused = This sign-up was refused.
no-account-no-sign-up = Perhaps you signed up with another address? New accounts here are created by invitation.
