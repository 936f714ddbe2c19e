# Les textes français de Doorman. Les mêmes identifiants que en.ftl (un test le vérifie).

## Chaque page

site-name = { -app-name }
nav-label = Menu principal
nav-account = Compte
nav-log-out = Se déconnecter
nav-sign-up = S’inscrire
nav-log-in = Se connecter
footer-tagline = { -app-name } : inscription avec confirmation par e-mail.
footer-languages = Langue
error-summary-heading = Veuillez corriger ce qui suit :

## Éléments de formulaire communs

field-email = Adresse e-mail
field-password = Mot de passe
field-current-password = Mot de passe actuel
field-new-password = Nouveau mot de passe
password-hint = Au moins { $min } caractères. Quelques mots sans rapport entre eux font une bonne phrase de passe.
resend-button = Envoyer un nouveau lien de confirmation

## Page d’accueil

home-title = Bienvenue
home-heading = Bienvenue sur { -app-name }
home-intro = Créez un compte avec votre adresse e-mail, confirmez-le depuis votre boîte de réception, et c’est fait.
home-sign-up = Inscrivez-vous
home-or = ou
home-log-in = connectez-vous

## Inscription

signup-title = Inscription
signup-heading = Créer votre compte
signup-button = S’inscrire
signup-have-account = Vous avez déjà un compte ?
signup-log-in = Se connecter

## Vérifier sa boîte de réception

check-title = Consultez votre boîte de réception
check-intro = Si l’adresse peut être utilisée, nous lui avons envoyé un e-mail avec un code à six chiffres et un lien. Il peut mettre une minute à arriver et peut atterrir dans vos indésirables.
check-this-device-heading = Vous lisez l’e-mail sur cet appareil ?
check-this-device = Saisissez le code ici, ou ouvrez le lien dans ce navigateur : l’un comme l’autre confirme votre compte en une étape.
check-code-label = Code à six chiffres
check-code-hint = Tiré de l’e-mail que nous venons d’envoyer, par exemple 123456.
check-code-button = Confirmer avec le code
check-other-device-heading = Vous le lisez sur un autre appareil ?
check-other-device = Ouvrez-y le lien ; le mot de passe choisi ici vous sera demandé. Une fois le compte confirmé, revenez sur cette page et appuyez sur Continuer.
check-continue-button = Continuer
check-no-email-heading = Pas d’e-mail ?
code-wrong = Ce code n’est pas le bon. Vérifiez l’e-mail de confirmation le plus récent, ou ouvrez plutôt le lien qu’il contient.
code-not-confirmed-yet = L’adresse n’est pas encore confirmée. Saisissez le code de l’e-mail, ou ouvrez son lien, puis appuyez de nouveau sur Continuer.

## Renvoyer

resend-title = Renvoyer la confirmation
resend-heading = Envoyer un nouveau lien de confirmation
resend-intro = Saisissez l’adresse avec laquelle vous vous êtes inscrit. Si un compte de cette adresse attend sa confirmation, un nouveau lien est en route.

## Confirmer un compte

confirm-title = Confirmer votre compte
confirm-heading = Confirmer votre compte pour { $email }
confirm-one-click = C’est dans ce navigateur que vous vous êtes inscrit : il n’y a plus rien à saisir.
confirm-button = Confirmer
confirm-intro = Saisissez le mot de passe choisi lors de l’inscription. Inscrit dans un autre navigateur ? Cela fonctionne ici aussi, avec le même mot de passe.
confirm-password-label = Mot de passe choisi à l’inscription
confirm-password-button = Confirmer mon compte
confirm-new-password-heading = Vous ne vous êtes pas inscrit vous-même, ou avez oublié le mot de passe ?
confirm-new-password-intro = Choisissez plutôt un nouveau mot de passe. Il remplace celui donné à l’inscription.
confirm-new-password-button = Définir le mot de passe et confirmer
confirm-missing-password = Saisissez le mot de passe choisi à l’inscription, ou choisissez-en un nouveau.
confirm-wrong-password = Ce n’est pas le mot de passe choisi à l’inscription. Réessayez, ou choisissez un nouveau mot de passe ci-dessous.

## Se connecter

login-title = Connexion
login-heading = Se connecter
login-button = Se connecter
login-forgot = Mot de passe oublié ?
login-new-here = Nouveau ici ?
login-create-account = Créer un compte
login-invalid = Adresse e-mail ou mot de passe incorrect.
login-disabled = Ce compte est désactivé. Contactez les personnes qui gèrent ce service.
login-email-heading = Ou connectez-vous sans mot de passe
login-email-intro = Nous vous envoyons un code à six chiffres et un lien ; l’un ou l’autre vous connecte.
login-email-button = M’envoyer un code de connexion
login-check-title = Consultez votre boîte de réception
login-check-intro = Si l’adresse a un compte, nous lui avons envoyé un code à six chiffres et un lien de connexion. L’e-mail peut mettre une minute à arriver et atterrir dans vos indésirables.
login-check-code-label = Code à six chiffres
login-check-code-hint = Tiré de l’e-mail de connexion que nous venons d’envoyer, par exemple 123456.
login-check-code-button = Se connecter avec le code
login-check-other-device = Vous lisez l’e-mail sur un autre appareil ? Ouvrez-y le lien : il connecte cet appareil.
login-check-again = Pas d’e-mail, ou un code qui ne fonctionne plus ?
login-check-again-link = En demander un nouveau
login-code-wrong = Ce code est faux ou ne fonctionne plus : utilisez l’e-mail de connexion le plus récent ou demandez-en un nouveau.
login-link-title = Connexion
login-link-heading = Se connecter en tant que { $email } ?
login-link-intro = Appuyez sur le bouton pour vous connecter dans ce navigateur.
login-link-button = Se connecter
unconfirmed-title = Confirmez d’abord votre adresse
unconfirmed-intro = Votre mot de passe est bon, mais l’adresse e-mail du compte n’est pas encore confirmée. Ouvrez le lien de l’e-mail de confirmation, ou demandez-en un nouveau.

## Mot de passe oublié

forgot-title = Mot de passe oublié
forgot-heading = Mot de passe oublié ?
forgot-intro = Saisissez l’adresse de votre compte. Si elle en a un, nous lui envoyons un lien pour choisir un nouveau mot de passe.
forgot-button = M’envoyer un lien de réinitialisation
forgot-sent-title = Consultez votre boîte de réception
forgot-sent-intro = Si l’adresse a un compte, nous lui avons envoyé un lien pour choisir un nouveau mot de passe. Il peut mettre une minute à arriver et peut atterrir dans vos indésirables. Le lien fonctionne une fois.
forgot-sent-back = Retour à la connexion
reset-title = Choisir un nouveau mot de passe
reset-heading = Choisir un nouveau mot de passe pour { $email }
reset-button = Définir le nouveau mot de passe

## La page du compte

account-title = Votre compte
account-member-since = Membre depuis
account-log-out = Se déconnecter
account-change-email-heading = Changer votre adresse e-mail
account-change-email-intro = Nous envoyons un lien à la nouvelle adresse ; le changement a lieu quand vous l’ouvrez.
account-new-email = Nouvelle adresse e-mail
account-change-email-button = Changer l’adresse e-mail
account-change-password-heading = Changer votre mot de passe
account-password-hint = Au moins { $min } caractères. Les autres appareils sont déconnectés.
account-change-password-button = Changer le mot de passe
account-delete-heading = Supprimer votre compte
account-delete-intro = Le compte est supprimé immédiatement. L’adresse pourra s’inscrire de nouveau plus tard.
account-delete-button = Supprimer mon compte
account-wrong-password = Ce n’est pas votre mot de passe actuel.
account-same-email = C’est déjà votre adresse.
account-email-change-sent = Consultez la boîte de réception de la nouvelle adresse : le changement a lieu quand vous ouvrez le lien que nous y avons envoyé.
account-email-changed = Votre adresse e-mail a été changée.
account-password-changed = Votre mot de passe a été changé. Les autres appareils ont été déconnectés.
account-no-password = Votre compte n’a pas de mot de passe : vous vous connectez avec des codes reçus par e-mail. Vous pouvez en définir un ci-dessous.
account-set-password-heading = Définir un mot de passe
account-set-password-button = Définir le mot de passe
account-sign-in-again = Par sécurité, il faut pour cela une connexion datant de moins de 15 minutes. Déconnectez-vous, reconnectez-vous par e-mail, puis réessayez.
email-change-title = Confirmer votre nouvelle adresse
email-change-heading = Confirmer votre nouvelle adresse { $email }
email-change-intro = Saisissez le mot de passe de votre compte pour le déplacer vers cette adresse.
email-change-button = Utiliser cette adresse
address-taken-title = Cette adresse est prise
address-taken-intro = Un autre compte a enregistré cette adresse après l’envoi du lien ; votre compte garde donc son adresse actuelle.
address-taken-back = Retour à votre compte

## Liens inutilisables

link-used-title = Lien déjà utilisé
link-expired-title = Lien expiré
link-invalid-title = Lien non valide
link-expired-heading = Ce lien a expiré
link-invalid-heading = Ce lien n’est pas valide
link-confirm-used-heading = Votre compte est déjà confirmé
link-confirm-used = Il n’y a plus rien à faire avec ce lien.
link-confirm-used-log-in = Connectez-vous pour continuer.
link-confirm-expired = Les liens de confirmation fonctionnent pendant une durée limitée. Demandez-en un nouveau ci-dessous.
link-confirm-invalid = Le lien a peut-être été copié incomplètement, ou un plus récent l’a remplacé. Demandez un nouveau lien ci-dessous.
link-reset-expired = Les liens de réinitialisation fonctionnent pendant une durée limitée. Demandez-en un nouveau.
link-reset-invalid = Les liens de réinitialisation fonctionnent une fois, et un lien plus récent ou un changement de mot de passe les remplace. Demandez-en un nouveau.
link-reset-again = Demander un nouveau lien de réinitialisation
link-change-used-heading = Adresse déjà changée
link-change-used = Votre compte utilise déjà cette adresse.
link-change-expired = Les liens de changement d’adresse fonctionnent pendant une durée limitée. Redemandez le changement depuis la page de votre compte.
link-change-invalid = Le lien est peut-être incomplet, ou votre adresse a changé depuis son envoi. Redemandez le changement depuis la page de votre compte.
link-change-account = Aller à votre compte
link-login-expired = Les liens de connexion ne fonctionnent que peu de temps. Demandez un nouvel e-mail de connexion :
link-login-invalid = Les liens de connexion fonctionnent une fois, et un e-mail de connexion plus récent les remplace. Demandez-en un nouveau :

## Pages d’erreur

error-back = Retour à la page d’accueil
error-bad-request-title = Requête incorrecte
error-bad-request = La requête n’a pas pu être lue. Revenez en arrière, vérifiez votre saisie et réessayez.
error-unauthorized-title = Non connecté
error-unauthorized = Connectez-vous d’abord.
error-csrf-title = Formulaire expiré
error-csrf = Ce formulaire n’a pas pu être vérifié, peut-être parce qu’il est resté longtemps ouvert ou que les cookies sont bloqués. Revenez en arrière, rechargez la page et réessayez.
error-not-found-title = Page introuvable
error-not-found = Il n’y a pas de page à cette adresse.
error-method-title = Non autorisé
error-method = Cette page ne s’utilise pas ainsi. Revenez en arrière et utilisez le formulaire de la page.
error-dev-host-title = Serveur de développement
error-dev-host = Ce serveur de développement ne répond qu’aux requêtes adressées à localhost. Ouvrez-le à l’adresse avec laquelle il a été lancé, par exemple http://127.0.0.1:3000.
error-too-large-title = Trop de données
error-too-large = Le formulaire a envoyé plus de données qu’aucun champ n’en demande. Revenez en arrière et raccourcissez votre saisie.
error-media-type-title = Formulaire non pris en charge
error-media-type = Le formulaire a été envoyé dans un format que cette page n’accepte pas.
error-throttled-title = Trop de tentatives
error-throttled = Il y a eu trop de tentatives depuis cet endroit en peu de temps. Veuillez attendre une minute et réessayer.
error-busy-title = Occupé en ce moment
error-busy = Beaucoup de personnes s’inscrivent en même temps. Veuillez attendre quelques secondes et réessayer.
error-internal-title = Une erreur s’est produite
error-internal = Une erreur s’est produite de notre côté. Veuillez réessayer dans un instant.

## Erreurs de champ

signup-invite-only-title = Inscription sur invitation
signup-invite-only = Les comptes sont créés ici uniquement sur invitation. Si vous avez été invité, ouvrez le lien de votre e-mail d’invitation ; sinon, demandez-en une aux responsables de ce site.
signup-closed-title = Inscriptions fermées
signup-closed = Aucun nouveau compte ne peut être créé ici pour le moment. Si vous en avez déjà un, connectez-vous.
email-missing = Saisissez votre adresse e-mail.
email-too-long = Une adresse e-mail a au plus 254 caractères.
email-invalid = Saisissez une adresse e-mail comme nom@example.com.
email-not-allowed = Les adresses de ce domaine ne peuvent pas être utilisées ici. Utilisez une autre adresse.
password-too-short = Utilisez au moins { $min } caractères. Une phrase de passe de quelques mots sans rapport entre eux est longue et facile à retenir.
password-too-long = Utilisez au plus { $max } caractères.
password-control = Votre mot de passe ne doit pas contenir de caractères de contrôle comme des tabulations ou des retours à la ligne. Essayez une phrase de passe de quelques mots sans rapport entre eux.
password-common = Ce mot de passe fait partie des plus courants, que les attaquants essaient en premier. Essayez une phrase de passe de quelques mots sans rapport entre eux.
password-is-email = Votre mot de passe ne doit pas être votre adresse e-mail. Essayez une phrase de passe de quelques mots sans rapport entre eux.

## La boîte de développement

mailbox-title = Boîte de développement
mailbox-intro = Chaque e-mail mis en file, le plus récent d’abord. Les liens sont créés à l’ouverture d’un message, comme le fait l’envoi. Cette page n’existe pas en production.
mailbox-empty = Pas encore d’e-mail.
mailbox-to = À
mailbox-subject = Objet
mailbox-status = État
mailbox-read = Lire
mailbox-status-queued = en file
mailbox-status-retrying = nouvel essai après { $attempts ->
    [one] une tentative
   *[other] { $attempts } tentatives
} : { $error }
mailbox-status-sent = envoyé
mailbox-status-skipped = ignoré : { $reason }
mailbox-status-given-up = échec : abandonné après 24 heures ({ $error })
mailbox-html = HTML
mailbox-text = Texte

## Dates

long-date = { $day } { $month } { $year }
month-name = { $month ->
    [1] janvier
    [2] février
    [3] mars
    [4] avril
    [5] mai
    [6] juin
    [7] juillet
    [8] août
    [9] septembre
    [10] octobre
    [11] novembre
   *[12] décembre
}

## Durée de validité d’un lien ou d’un code

duration-days = { $count ->
    [one] un jour
   *[other] { $count } jours
}
duration-hours = { $count ->
    [one] une heure
   *[other] { $count } heures
}
duration-minutes = { $count ->
    [one] une minute
   *[other] { $count } minutes
}
duration-seconds = { $count ->
    [one] une seconde
   *[other] { $count } secondes
}

## Messages de champ de l’API JSON (titres et détails restent en anglais)

api-wrong-password = Ce n’est pas le mot de passe choisi à l’inscription ; envoyez `new_password` pour le remplacer.
api-wrong-code = Ce code n’est pas le bon ; vérifiez l’e-mail de confirmation le plus récent.

## E-mails

email-footer = Vous recevez cet e-mail parce que cette adresse a été saisie sur une page { -app-name }.
email-paste-link = Ou collez ce lien dans votre navigateur :

confirmation-subject = Confirmez votre adresse e-mail
confirmation-intro = Quelqu’un, vous sans doute, s’est inscrit sur { -app-name } avec cette adresse e-mail.
confirmation-code-intro = Sur l’appareil où vous vous êtes inscrit, saisissez ce code sur la page qui vous a demandé de consulter votre boîte de réception :
confirmation-code-label = Votre code :
confirmation-code-valid = Le code fonctionne pendant { $valid_for }.
confirmation-link-intro = Ou ouvrez ce lien, sur n’importe quel appareil. Dans le navigateur où vous vous êtes inscrit, un bouton suffit ; sur un autre appareil, le mot de passe choisi à l’inscription vous est demandé, ou un nouveau si vous ne vous êtes pas inscrit vous-même.
confirmation-button = Confirmer mon adresse
confirmation-link-valid = Le lien fonctionne pendant { $valid_for }. Si vous ne vous êtes pas inscrit, ignorez cet e-mail : le compte reste inactif et sera supprimé.

already-registered-subject = Quelqu’un a essayé de s’inscrire avec votre adresse
already-registered-intro = Quelqu’un vient d’essayer de créer un compte { -app-name } avec cette adresse e-mail, mais vous en avez déjà un. Rien n’a été modifié.
already-registered-log-in = Si c’était vous, connectez-vous avec votre mot de passe actuel :
already-registered-button = Se connecter
already-registered-forgot = Oublié ? Réinitialisez-le ici :
already-registered-not-you = Si ce n’était pas vous, vous pouvez ignorer cet e-mail.

password-reset-subject = Réinitialisez votre mot de passe
password-reset-intro = Quelqu’un, vous sans doute, a demandé à réinitialiser le mot de passe du compte { -app-name } de cette adresse. Pour choisir un nouveau mot de passe, ouvrez ce lien :
password-reset-button = Choisir un nouveau mot de passe
password-reset-valid = Le lien fonctionne une fois, pendant { $valid_for }. Si vous ne l’avez pas demandé, ignorez cet e-mail : votre mot de passe reste tel quel.

password-changed-subject = Votre mot de passe a été changé
password-changed-intro = Le mot de passe de votre compte { -app-name } vient d’être changé, et toutes les autres sessions ont été déconnectées.
password-changed-not-you = Si c’était vous, il n’y a rien à faire. Sinon, réinitialisez votre mot de passe maintenant :

email-change-confirmation-subject = Confirmez votre nouvelle adresse e-mail
email-change-confirmation-intro = Quelqu’un, vous sans doute, a demandé à déplacer un compte { -app-name } vers cette adresse e-mail. Pour terminer, ouvrez ce lien et saisissez le mot de passe du compte :
email-change-confirmation-button = Confirmer ma nouvelle adresse
email-change-confirmation-valid = Le lien fonctionne pendant { $valid_for }. Si vous n’avez rien demandé, ignorez cet e-mail : rien ne change.

email-change-notice-subject = Votre adresse e-mail est en cours de changement
email-change-notice-intro = Quelqu’un a demandé à changer l’adresse e-mail de votre compte { -app-name }. Le changement n’a lieu que lorsque la nouvelle adresse est confirmée depuis sa propre boîte de réception.
email-change-notice-not-you = Si c’était vous, il n’y a rien à faire ici. Sinon, quelqu’un connaît votre mot de passe : réinitialisez-le maintenant sur

email-taken-subject = Quelqu’un a essayé d’utiliser votre adresse
email-taken-intro = Quelqu’un a essayé de déplacer un autre compte { -app-name } vers cette adresse e-mail, qui a déjà un compte : le vôtre. Rien n’a été modifié.
email-taken-log-in = Vous pouvez vous connecter comme d’habitude :
email-taken-not-you = Si vous ne vous y attendiez pas, vous pouvez ignorer cet e-mail.

sign-in-subject = Votre code de connexion
sign-in-intro = Quelqu’un, vous sans doute, a demandé à se connecter à { -app-name } avec cette adresse e-mail.
sign-in-code-intro = Dans le navigateur où vous l’avez demandé, saisissez ce code :
sign-in-code-label = Votre code :
sign-in-link-intro = Ou ouvrez ce lien et appuyez sur le bouton, sur n’importe quel appareil : c’est l’appareil où vous appuyez qui est connecté.
sign-in-button = Se connecter
sign-in-valid = Le code et le lien fonctionnent une fois, pendant { $valid_for }, jusqu’à ce qu’un e-mail de connexion plus récent les remplace. Si vous n’avez rien demandé, ignorez cet e-mail : personne ne peut se connecter sans lui.

no-account-subject = Aucun compte n’a cette adresse
no-account-intro = Quelqu’un, vous sans doute, a demandé à se connecter à { -app-name } avec cette adresse e-mail, mais elle n’a pas de compte.
no-account-sign-up = Vous êtes-vous inscrit avec une autre adresse ? Sinon, créez un compte :
no-account-button = Créer un compte
no-account-not-you = Si vous n’avez rien demandé, vous pouvez ignorer cet e-mail.

## Se connecter à des applications (OpenID Connect)

consent-title = Autoriser l’accès
consent-heading = Vous connecter à { $client } avec votre compte ?
consent-intro = { $client } demande à savoir qui vous êtes. Si vous l’autorisez, elle reçoit :
consent-email = votre adresse e-mail, qui est confirmée
consent-offline = un accès en votre absence, jusqu’à ce que vous le retiriez sur la page de votre compte
consent-allow = Autoriser
consent-deny = Refuser
oidc-error-title = Cette demande de connexion ne peut pas être utilisée
oidc-error-unknown-client = L’application qui vous a envoyé ici n’est pas enregistrée auprès de ce service. Retournez-y et prévenez ceux qui la gèrent.
oidc-error-redirect-uri = L’application qui vous a envoyé ici a demandé à revenir à une adresse qu’elle n’a pas enregistrée. Pour votre sécurité, vous n’y avez pas été envoyé.
oidc-error-request = La demande de connexion est incomplète ou mal formée. Retournez à l’application et réessayez.
logout-confirm-title = Vous déconnecter ?
logout-confirm-intro = Une application demande à mettre fin à votre session ici. Vous déconnecter aussi de ce service ?
logout-confirm-button = Me déconnecter
logout-confirm-stay = Rester connecté
logged-out-title = Vous êtes déconnecté
logged-out-intro = Votre session ici a pris fin.
logged-out-log-in = Vous reconnecter
account-apps-heading = Applications ayant accès
account-apps-none = Aucune application n’a accès à votre compte.
account-apps-remove = Retirer l’accès
account-app-removed = L’application n’a plus accès à votre compte.

## La console des opérateurs

admin-nav-label = Console
admin-nav-dashboard = Vue d’ensemble
admin-nav-users = Comptes
admin-nav-outbox = Boîte d’envoi
admin-nav-audit = Journal
admin-title = Console
admin-share-confirmed = Part des inscriptions des 30 derniers jours confirmées en moins de 24 heures
admin-outbox-depth = E-mails et événements en attente d’envoi
admin-last-30-days = Les 30 derniers jours
admin-chart-caption = Inscriptions, confirmations et livraisons échouées par jour ; le tableau ci-dessous reprend les mêmes chiffres.
admin-signups = Inscriptions
admin-confirmations = Confirmations
admin-failed-deliveries = Livraisons échouées
admin-table-caption = Par jour, du plus ancien au plus récent
admin-day = Jour
admin-users-title = Comptes
admin-search = Recherche
admin-search-hint = Le début d’une adresse, ou @domaine pour toutes les adresses d’un domaine.
admin-status = Statut
admin-status-any = Tous
admin-status-unconfirmed = Non confirmé
admin-status-confirmed = Confirmé
admin-status-disabled = Désactivé
admin-status-admin = Admin
admin-search-button = Rechercher
admin-users-caption = Comptes, du plus récent au plus ancien
admin-created = Créé
admin-last-login = Dernière connexion
admin-users-none = Aucun compte ne correspond.
admin-next-page = Page suivante
admin-kind = Type
admin-recipient = Destinataire
admin-attempts = Tentatives
admin-retry = Réessayer
admin-at = Quand
admin-action = Action
admin-actor = Par
admin-account = Compte
admin-client = Client
admin-details = Détails
admin-confirmed = Confirmé
admin-language = Langue
admin-password = Mot de passe
admin-password-set = Défini
admin-password-none = Aucun (se connecte par e-mail)
admin-actions = Actions
admin-action-resend = Renvoyer la confirmation
admin-action-confirm = Confirmer l’adresse
admin-action-reset = Envoyer une réinitialisation
admin-action-end-sessions = Fermer toutes les sessions
admin-action-enable = Réactiver le compte
admin-action-disable = Désactiver le compte
admin-sessions = Sessions
admin-sessions-none = Aucune session n’est ouverte.
admin-started = Ouverte le
admin-last-seen = Vue pour la dernière fois
admin-browser = Navigateur
admin-emails = Derniers e-mails et événements
admin-events = Événements du journal
admin-delete-heading = Supprimer le compte
admin-delete-intro = Le compte, ses sessions et ses e-mails non envoyés sont supprimés aussitôt ; c’est irréversible.
admin-delete-type = Saisissez l’adresse pour confirmer
admin-delete-button = Supprimer le compte
admin-delete-mismatch = Ce n’est pas l’adresse de ce compte ; rien n’a été supprimé.
admin-outbox-title = Boîte d’envoi
admin-outbox-intro = Les e-mails et événements webhook encore en attente, et ceux abandonnés après 24 heures d’échecs, du plus récent au plus ancien.
admin-outbox-empty = Rien n’attend et rien n’a échoué.
admin-audit-title = Journal
admin-actor-hint = L’identifiant d’un compte, le nom d’une clé d’API, cli ou system.
admin-action-any = Toutes
admin-filter-button = Filtrer
admin-audit-none = Aucun événement ne correspond.
admin-reauth-title = Confirmez que c’est vous
admin-reauth-intro = La console redemande votre mot de passe toutes les 15 minutes.
admin-reauth-button = Continuer
admin-reauth-or-email = Ou reconnectez-vous par e-mail :
admin-reauth-email = Votre compte n’a pas de mot de passe : reconnectez-vous par e-mail pour continuer.
admin-reauth-sign-in = Se connecter
admin-notice-disabled = Le compte est désactivé et toutes ses sessions sont fermées.
admin-notice-enabled = Le compte peut de nouveau se connecter.
admin-notice-confirmed = L’adresse est confirmée.
admin-notice-sessions-ended = Toutes les sessions du compte sont fermées.
admin-notice-confirmation-resent = Un nouvel e-mail de confirmation est en route.
admin-notice-reset-sent = Un e-mail de réinitialisation est en route.
admin-notice-deleted = Le compte a été supprimé.
admin-notice-retried = La livraison est de nouveau en file d’attente.
admin-actor-account = compte { $id }
admin-actor-key = clé { $name }
admin-actor-cli = ligne de commande
admin-actor-system = { -app-name }
invitation-subject = Vous êtes invité à créer un compte
invitation-intro = Vous êtes invité à créer un compte avec cette adresse e-mail. Ouvrez ce lien et choisissez un mot de passe :
invitation-button = Accepter l’invitation
invitation-valid = Le lien fonctionne une fois, pendant { $valid_for }. Si vous ne voulez pas de compte, ignorez cet e-mail : rien n’est créé sans vous.
invite-title = Accepter votre invitation
invite-heading = Créer votre compte
invite-intro = Choisissez un mot de passe pour { $email }. Votre adresse est déjà confirmée : l’invitation l’a atteinte.
invite-button = Créer mon compte
invite-exists-title = Vous avez déjà un compte
invite-exists = L’adresse { $email } a déjà un compte : cette invitation n’a plus rien à faire. Connectez-vous avec.
invite-log-in = Se connecter
link-invite-expired = Cette invitation a expiré. Demandez-en une nouvelle à la personne qui vous a invité.
link-invite-invalid = Ce lien d’invitation n’est pas valide. Vérifiez que vous avez ouvert le lien complet de l’e-mail, ou demandez une nouvelle invitation.
admin-notice-invited = L’invitation est en route.
admin-invite-heading = Inviter quelqu’un
admin-invite-hint = La personne reçoit un lien pour choisir un mot de passe ; son compte est confirmé par ce lien.
admin-invite-button = Envoyer l’invitation
error-unavailable-title = Réessayez plus tard
error-unavailable = L’inscription ne peut pas être décidée pour le moment. Veuillez réessayer dans quelques minutes.
signup-refused = Cette inscription a été refusée.
no-account-no-sign-up = Peut-être vous êtes-vous inscrit avec une autre adresse ? Les nouveaux comptes sont créés ici sur invitation.
