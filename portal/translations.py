"""French and German texts of the public pages, the hotline chat and the API explorer's frame.

The source of locale/{fr,de}/LC_MESSAGES/django.po: after `manage.py makemessages -l fr -l de`,
`python -m portal.translations` fills in every msgstr from here (failing on a text it has no
translation for) and compiles the .mo files with msgfmt. Both are committed, so a checkout runs
in three languages without gettext tools. English is the msgid itself.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
LANGUAGES = {
    "fr": ("French", "nplurals=2; plural=(n > 1);"),
    "de": ("German", "nplurals=2; plural=(n != 1);"),
}

# msgid -> (French, German)
TEXTS: dict[str, tuple[str, str]] = {
    # core/durations.py (plurals are below)
    "Sign In": ("Connexion", "Anmelden"),
    "Account": ("Compte", "Konto"),
    "Staff admin": ("Administration", "Verwaltung"),
    "Two-factor authentication": ("Double authentification", "Zwei-Faktor-Authentifizierung"),
    "Change password": ("Changer le mot de passe", "Passwort ändern"),
    "Sign out": ("Se déconnecter", "Abmelden"),
    "Language": ("Langue", "Sprache"),
    "Skip to the content": ("Aller au contenu", "Zum Inhalt springen"),
    "Site": ("Site", "Website"),
    "Routing guide": ("Guide d\u2019orientation", "Routing-Leitfaden"),
    "Hotline": ("Ligne directe", "Hotline"),
    "Transparency": ("Transparence", "Transparenz"),
    "Integration guide": ("Guide d\u2019intégration", "Integrationsleitfaden"),
    "Console sign-in": ("Connexion à la console", "Anmeldung zur Konsole"),
    "The platform discloses only IP addresses and phone numbers, after a legal analysis of "
    "each request.": (
        "La plateforme ne communique que des adresses IP et des numéros de téléphone, après "
        "une analyse juridique de chaque demande.",
        "Die Plattform gibt nur IP-Adressen und Telefonnummern heraus, nach einer rechtlichen "
        "Prüfung jedes Ersuchens.",
    ),
    "Disclosure signing key": ("Clé de signature des communications", "Signaturschlüssel"),
    "API explorer": ("Explorateur d\u2019API", "API-Explorer"),
    "Skip to the message box": ("Aller à la zone de message", "Zum Nachrichtenfeld springen"),
    "a direct line to the platform's staff": (
        "une ligne directe avec les équipes de la plateforme",
        "ein direkter Draht zu den Teams der Plattform",
    ),
    "Checking who is online…": ("Qui est en ligne\u202f?…", "Wer ist online …"),
    "Not connected": ("Non connecté", "Nicht verbunden"),
    "Signed in as <strong>%(staff_name)s</strong> (staff)": (
        "Connecté en tant que <strong>%(staff_name)s</strong> (équipe)",
        "Angemeldet als <strong>%(staff_name)s</strong> (Team)",
    ),
    "Forget token": ("Oublier le jeton", "Token vergessen"),
    "Connect to the hotline": ("Se connecter à la ligne directe", "Mit der Hotline verbinden"),
    "Paste your organization's API token. It stays in this browser tab only and is sent "
    "over the secure connection, never in an address.": (
        "Collez le jeton d\u2019API de votre organisation. Il reste dans cet onglet seulement et "
        "passe par la connexion sécurisée, jamais dans une adresse.",
        "Fügen Sie das API-Token Ihrer Organisation ein. Es bleibt nur in diesem Tab und wird "
        "über die sichere Verbindung gesendet, nie in einer Adresse.",
    ),
    "API token": ("Jeton d\u2019API", "API-Token"),
    "Connect": ("Se connecter", "Verbinden"),
    'Members can also sign in to the <a href="/console/">console</a>. Platform staff: <a '
    'href="/admin/login/?next=/hotline/">sign in to admin</a> first.': (
        'Les membres peuvent aussi se connecter à la <a href="/console/">console</a>. '
        'Équipes de la plateforme\u202f: <a href="/admin/login/?next=/hotline/">connectez-vous '
        "à l\u2019administration</a> d\u2019abord.",
        'Mitglieder können sich auch an der <a href="/console/">Konsole</a> anmelden. Teams '
        'der Plattform: zuerst <a href="/admin/login/?next=/hotline/">in der Verwaltung '
        "anmelden</a>.",
    ),
    "Conversations": ("Conversations", "Unterhaltungen"),
    "Loading…": ("Chargement…", "Wird geladen …"),
    "Messages": ("Messages", "Nachrichten"),
    "<strong>Urgent report</strong> — goes straight to the platform's on-call team as a "
    "moderation notice.": (
        "<strong>Signalement urgent</strong> — va directement à l\u2019équipe d\u2019astreinte "
        "de la plateforme, comme notification de modération.",
        "<strong>Dringende Meldung</strong> — geht direkt an das Bereitschaftsteam der "
        "Plattform, als Moderationsmeldung.",
    ),
    "What is it about?": ("De quoi s\u2019agit-il\u202f?", "Worum geht es?"),
    "Choose a category…": ("Choisissez une catégorie…", "Kategorie wählen …"),
    "1-hour clock": ("délai d\u2019une heure", "Frist 1 Stunde"),
    "Links, channels or @usernames": (
        "Liens, canaux ou @noms d\u2019utilisateur",
        "Links, Kanäle oder @Benutzernamen",
    ),
    "(one per line; or put them in the message)": (
        "(un par ligne\u202f; ou dans le message)",
        "(einer pro Zeile; oder in der Nachricht)",
    ),
    "Message": ("Message", "Nachricht"),
    "Write a message. Enter sends, Shift+Enter starts a new line.": (
        "Écrivez un message. Entrée l\u2019envoie, Maj+Entrée va à la ligne.",
        "Nachricht schreiben. Eingabe sendet, Umschalt+Eingabe für eine neue Zeile.",
    ),
    "Urgent report": ("Signalement urgent", "Dringende Meldung"),
    "Enter to send · Shift+Enter for a new line": (
        "Entrée pour envoyer · Maj+Entrée pour aller à la ligne",
        "Eingabe zum Senden · Umschalt+Eingabe für eine neue Zeile",
    ),
    "Send": ("Envoyer", "Senden"),
    "The hotline needs JavaScript.": (
        "La ligne directe a besoin de JavaScript.",
        "Die Hotline benötigt JavaScript.",
    ),
    "Terrorism": ("Terrorisme", "Terrorismus"),
    "Child safety": ("Protection de l\u2019enfance", "Kinderschutz"),
    "Illegal goods": ("Biens illicites", "Illegale Waren"),
    "Fraud": ("Fraude", "Betrug"),
    "Violence": ("Violence", "Gewalt"),
    "Other": ("Autre", "Sonstiges"),
    # hotline/static/hotline/chat.js (hotline/views.py CHAT_TEXTS)
    "%(category)s report %(reference)s": (
        "Signalement %(category)s %(reference)s",
        "Meldung %(category)s %(reference)s",
    ),
    "%(count)s staff online": (
        "%(count)s membre(s) de l\u2019équipe en ligne",
        "%(count)s im Team online",
    ),
    "%(count)s unread": ("%(count)s non lu(s)", "%(count)s ungelesen"),
    "%(line)s · answered by the platform's staff": (
        "%(line)s · les équipes de la plateforme répondent",
        "%(line)s · die Teams der Plattform antworten",
    ),
    "%(minutes)s min overdue": ("%(minutes)s min de retard", "%(minutes)s Min. überfällig"),
    "%(name)s is typing…": ("%(name)s écrit…", "%(name)s schreibt …"),
    "%(what)s sent — finding the right desk…": (
        "%(what)s envoyé — recherche du bon service…",
        "%(what)s gesendet — die richtige Stelle wird gesucht …",
    ),
    "%(what)s → %(desk)s · due %(deadline)s, %(left)s": (
        "%(what)s → %(desk)s · échéance %(deadline)s, %(left)s",
        "%(what)s → %(desk)s · fällig %(deadline)s, %(left)s",
    ),
    "(staff)": ("(équipe)", "(Team)"),
    "A message is at most 8 KB. Shorten it or split it in two.": (
        "Un message fait au plus 8 Ko. Raccourcissez-le ou coupez-le en deux.",
        "Eine Nachricht hat höchstens 8 KB. Kürzen oder teilen Sie sie.",
    ),
    "Authority": ("Autorité", "Behörde"),
    "Choose what the report is about: it decides the desk and the clock.": (
        "Choisissez l\u2019objet du signalement\u202f: il décide du service et du délai.",
        "Wählen Sie, worum es geht: Das bestimmt die zuständige Stelle und die Frist.",
    ),
    "Connected": ("Connecté", "Verbunden"),
    "Connecting…": ("Connexion…", "Verbindung wird aufgebaut …"),
    "Connection lost — retrying in %(seconds)s s": (
        "Connexion perdue — nouvel essai dans %(seconds)s s",
        "Verbindung verloren — neuer Versuch in %(seconds)s s",
    ),
    "Main line": ("Ligne principale", "Hauptleitung"),
    "NGO": ("ONG", "NGO"),
    "No messages yet.": ("Pas encore de message.", "Noch keine Nachrichten."),
    "No messages yet. Write below: the platform's staff answer here.": (
        "Pas encore de message. Écrivez ci-dessous\u202f: les équipes de la plateforme "
        "répondent ici.",
        "Noch keine Nachrichten. Schreiben Sie unten: Die Teams der Plattform antworten hier.",
    ),
    "No staff online — urgent reports still page the on-call team": (
        "Personne en ligne — les signalements urgents alertent quand même l\u2019astreinte",
        "Niemand online — dringende Meldungen alarmieren trotzdem die Bereitschaft",
    ),
    "Not signed in": ("Non connecté", "Nicht angemeldet"),
    "Platform staff": ("Équipes de la plateforme", "Teams der Plattform"),
    "Reconnecting…": ("Reconnexion…", "Neue Verbindung …"),
    "Report routed": ("Signalement orienté", "Meldung zugewiesen"),
    "Report sent": ("Signalement envoyé", "Meldung gesendet"),
    "Send urgent report": ("Envoyer le signalement urgent", "Dringende Meldung senden"),
    "Staff": ("Équipe", "Team"),
    "Switchboard": ("Standard", "Vermittlung"),
    "That does not look like a Liaison Portal token (it starts with lp_).": (
        "Ce n\u2019est pas un jeton du Liaison Portal (il commence par lp_).",
        "Das ist kein Liaison-Portal-Token (es beginnt mit lp_).",
    ),
    "This token was refused: it may be expired or revoked. Paste a current one.": (
        "Ce jeton a été refusé\u202f: il a peut-être expiré ou été révoqué. Collez-en un valide.",
        "Dieses Token wurde abgelehnt: Es ist vielleicht abgelaufen oder widerrufen. Fügen "
        "Sie ein gültiges ein.",
    ),
    "Urgent": ("Urgent", "Dringend"),
    "Write a message before sending.": (
        "Écrivez un message avant d\u2019envoyer.",
        "Schreiben Sie vor dem Senden eine Nachricht.",
    ),
    "You": ("Vous", "Sie"),
    "Your organization's main line": (
        "La ligne principale de votre organisation",
        "Die Hauptleitung Ihrer Organisation",
    ),
    "Your session ended — sign in to admin again": (
        "Votre session a pris fin — reconnectez-vous à l\u2019administration",
        "Ihre Sitzung ist abgelaufen — melden Sie sich erneut in der Verwaltung an",
    ),
    "in %(hours)s h": ("dans %(hours)s h", "in %(hours)s Std."),
    "in %(minutes)s min": ("dans %(minutes)s min", "in %(minutes)s Min."),
    "main line": ("ligne principale", "Hauptleitung"),
    "sending…": ("envoi…", "wird gesendet …"),
    # portal/graphql/explorer.py and its template
    "Token set: operations run as its organization.": (
        "Jeton enregistré\u202f: les opérations s\u2019exécutent au nom de son organisation.",
        "Token gesetzt: Operationen laufen im Namen seiner Organisation.",
    ),
    "Token forgotten: only public fields answer.": (
        "Jeton oublié\u202f: seuls les champs publics répondent.",
        "Token vergessen: Nur öffentliche Felder antworten.",
    ),
    "Operation editor": ("Éditeur d\u2019opération", "Operations-Editor"),
    "Variables editor": ("Éditeur de variables", "Variablen-Editor"),
    "Response": ("Réponse", "Antwort"),
    "Example operations": ("Exemples d\u2019opérations", "Beispieloperationen"),
    "Signed in: queries run as %(organization)s (a token for this browser session, valid "
    "one hour).": (
        "Connecté\u202f: les requêtes s\u2019exécutent au nom de %(organization)s (un jeton "
        "pour cette session de navigateur, valable une heure).",
        "Angemeldet: Abfragen laufen im Namen von %(organization)s (ein Token für diese "
        "Browsersitzung, eine Stunde gültig).",
    ),
    "Use token": ("Utiliser le jeton", "Token verwenden"),
    "Forget": ("Oublier", "Vergessen"),
    "No token: only public fields (routingGuide, transparencyReport) answer.": (
        "Sans jeton\u202f: seuls les champs publics (routingGuide, transparencyReport) répondent.",
        "Ohne Token: Nur öffentliche Felder (routingGuide, transparencyReport) antworten.",
    ),
    "GraphiQL": ("GraphiQL", "GraphiQL"),
    "GraphiQL is not installed on this server: run <code>python -m "
    "portal.vendor_assets</code> (it needs npm).": (
        "GraphiQL n\u2019est pas installé sur ce serveur\u202f: lancez <code>python -m "
        "portal.vendor_assets</code> (il faut npm).",
        "GraphiQL ist auf diesem Server nicht installiert: Führen Sie <code>python -m "
        "portal.vendor_assets</code> aus (dafür braucht es npm).",
    ),
    "Loading GraphiQL…": ("Chargement de GraphiQL…", "GraphiQL wird geladen …"),
    "The API explorer needs JavaScript. The integration guide shows the same operations "
    "with curl and Python.": (
        "L\u2019explorateur d\u2019API a besoin de JavaScript. Le guide d\u2019intégration "
        "montre les mêmes opérations avec curl et Python.",
        "Der API-Explorer benötigt JavaScript. Der Integrationsleitfaden zeigt dieselben "
        "Operationen mit curl und Python.",
    ),
    "This guide is kept in English only, as the API it describes.": (
        "Ce guide n\u2019existe qu\u2019en anglais, comme l\u2019API qu\u2019il décrit.",
        "Dieser Leitfaden ist nur auf Englisch verfügbar, wie die API, die er beschreibt.",
    ),
    "Open the API explorer": ("Ouvrir l\u2019explorateur d\u2019API", "API-Explorer öffnen"),
    # the front door (portal/templates/portal/front_door.html, portal/views.py)
    "One front door for authorities and NGOs": (
        "Un point d\u2019entrée unique pour les autorités et les ONG",
        "Ein Eingang für Behörden und NGOs",
    ),
    "One front door for legal requests and urgent reports": (
        "Un point d\u2019entrée unique pour les demandes légales et les signalements urgents",
        "Ein Eingang für Rechtsersuchen und dringende Meldungen",
    ),
    "Police, prosecutors, courts, regulators and NGOs send the platform their legal requests "
    "and urgent reports here. Each one reaches the right team at once, with its legal "
    "deadline, and you can follow it until it is answered.": (
        "Police, parquets, tribunaux, régulateurs et ONG envoient ici leurs demandes légales "
        "et leurs signalements urgents à la plateforme. Chacun arrive aussitôt à la bonne "
        "équipe, avec son délai légal, et vous le suivez jusqu\u2019à la réponse.",
        "Polizei, Staatsanwaltschaften, Gerichte, Aufsichtsbehörden und NGOs senden der "
        "Plattform hier ihre Rechtsersuchen und dringenden Meldungen. Jedes erreicht sofort "
        "das richtige Team, mit seiner gesetzlichen Frist, und Sie verfolgen es bis zur "
        "Antwort.",
    ),
    "In an emergency": ("En cas d\u2019urgence", "Im Notfall"),
    "If someone is in immediate danger, call your local emergency services first.": (
        "Si quelqu\u2019un est en danger immédiat, appelez d\u2019abord les services "
        "d\u2019urgence locaux.",
        "Ist jemand in unmittelbarer Gefahr, rufen Sie zuerst den örtlichen Notruf an.",
    ),
    "<strong>Authorities</strong>: send an <strong>emergency disclosure</strong> (threat to "
    "life) from the console or the API. It goes to the emergency desk at once, and the "
    "platform calls your agency's registered number back before any data leaves.": (
        "<strong>Autorités</strong>\u202f: envoyez une <strong>communication d\u2019urgence"
        "</strong> (menace pour la vie) depuis la console ou l\u2019API. Elle va aussitôt au "
        "service des urgences, et la plateforme rappelle le numéro enregistré de votre "
        "service avant que la moindre donnée ne parte.",
        "<strong>Behörden</strong>: Senden Sie ein <strong>Notfall-Auskunftsersuchen"
        "</strong> (Gefahr für Leib und Leben) über die Konsole oder die API. Es geht sofort "
        "an die Notfallstelle, und die Plattform ruft die hinterlegte Nummer Ihrer Behörde "
        "zurück, bevor Daten herausgegeben werden.",
    ),
    "<strong>Terrorist content</strong>: a removal order under Regulation (EU) 2021/784 runs "
    "on a one-hour clock from receipt.": (
        "<strong>Contenu terroriste</strong>\u202f: une injonction de retrait au titre du "
        "règlement (UE) 2021/784 doit être exécutée dans l\u2019heure suivant sa réception.",
        "<strong>Terroristische Inhalte</strong>: Eine Entfernungsanordnung nach Verordnung "
        "(EU) 2021/784 hat eine Frist von einer Stunde ab Eingang.",
    ),
    "<strong>NGOs</strong>: mark your message as an <strong>urgent report</strong> on the "
    "hotline; staff on call see it live.": (
        "<strong>ONG</strong>\u202f: marquez votre message comme <strong>signalement urgent"
        "</strong> sur la ligne directe\u202f; l\u2019équipe d\u2019astreinte le voit en direct.",
        "<strong>NGOs</strong>: Markieren Sie Ihre Nachricht in der Hotline als "
        "<strong>dringende Meldung</strong>; das Bereitschaftsteam sieht sie sofort.",
    ),
    "Sign in to the console": ("Se connecter à la console", "An der Konsole anmelden"),
    "Open the hotline": ("Ouvrir la ligne directe", "Hotline öffnen"),
    "Who may send what": ("Qui peut envoyer quoi", "Wer was senden darf"),
    "Authorities": ("Autorités", "Behörden"),
    "Police, prosecutors, courts and regulators (Digital Services Coordinators, competent "
    "authorities for terrorist content) may send all five kinds of request below.": (
        "Police, parquets, tribunaux et régulateurs (coordinateurs pour les services "
        "numériques, autorités compétentes pour les contenus terroristes) peuvent envoyer les "
        "cinq types de demande ci-dessous.",
        "Polizei, Staatsanwaltschaften, Gerichte und Aufsichtsbehörden (Koordinatoren für "
        "digitale Dienste, zuständige Behörden für terroristische Inhalte) dürfen alle fünf "
        "Arten von Ersuchen unten senden.",
    ),
    "NGOs": ("ONG", "NGOs"),
    "Trusted flaggers, child-safety hotlines and counter-terrorism groups send moderation "
    "notices, and talk to staff live on the hotline.": (
        "Signaleurs de confiance, lignes de protection de l\u2019enfance et groupes de lutte "
        "contre le terrorisme envoient des notifications de modération et parlent en direct "
        "aux équipes sur la ligne directe.",
        "Vertrauenswürdige Hinweisgeber, Kinderschutz-Hotlines und Gruppen gegen Terrorismus "
        "senden Moderationsmeldungen und sprechen in der Hotline live mit den Teams.",
    ),
    "The five kinds of request": ("Les cinq types de demande", "Die fünf Arten von Ersuchen"),
    "Kind": ("Type", "Art"),
    "What it is for": ("À quoi il sert", "Wofür"),
    "Who may send it": ("Qui peut l\u2019envoyer", "Wer es senden darf"),
    "Deadline from receipt": ("Délai à compter de la réception", "Frist ab Eingang"),
    "Authorities and NGOs": ("Autorités et ONG", "Behörden und NGOs"),
    "The exact desk and deadline depend on the category and your country: the <a "
    'href="/guide/">routing guide</a> answers from the rules the platform applies. The '
    "platform discloses only IP addresses and phone numbers.": (
        "Le service et le délai exacts dépendent de la catégorie et de votre pays\u202f: le <a "
        'href="/guide/">guide d\u2019orientation</a> répond avec les règles que la plateforme '
        "applique. La plateforme ne communique que des adresses IP et des numéros de "
        "téléphone.",
        "Zuständige Stelle und Frist hängen von der Kategorie und Ihrem Land ab: Der <a "
        'href="/guide/">Routing-Leitfaden</a> antwortet nach den Regeln, die die Plattform '
        "anwendet. Die Plattform gibt nur IP-Adressen und Telefonnummern heraus.",
    ),
    "How to get access": ("Obtenir un accès", "So erhalten Sie Zugang"),
    '<a href="/console/request-access/">Request access</a> for your organization: your '
    "official domain, your registry or agency identifier, and a switchboard number from a "
    "public directory.": (
        '<a href="/console/request-access/">Demandez un accès</a> pour votre organisation'
        "\u202f: votre domaine officiel, votre identifiant d\u2019agence ou de registre, et un "
        "numéro de standard tiré d\u2019un annuaire public.",
        '<a href="/console/request-access/">Beantragen Sie Zugang</a> für Ihre Organisation: '
        "Ihre offizielle Domain, Ihre Register- oder Behördenkennung und eine Zentralnummer "
        "aus einem öffentlichen Verzeichnis.",
    ),
    "Request access": ("Demander un accès", "Zugang beantragen"),
    "Platform staff verify you by calling that number; an e-mail domain alone never verifies "
    "anyone.": (
        "Les équipes de la plateforme vous vérifient en appelant ce numéro\u202f; un domaine "
        "d\u2019e-mail seul ne vérifie jamais personne.",
        "Die Teams der Plattform prüfen Sie, indem sie diese Nummer anrufen; eine E-Mail-"
        "Domain allein weist niemanden aus.",
    ),
    "Your first member receives a one-time invitation, sets a password and a second factor "
    "(an authenticator app or a passkey), and can then invite colleagues and create API "
    "tokens.": (
        "Votre premier membre reçoit une invitation à usage unique, choisit un mot de passe et "
        "un second facteur (une application d\u2019authentification ou une clé d\u2019accès), "
        "puis peut inviter des collègues et créer des jetons d\u2019API.",
        "Ihr erstes Mitglied erhält eine einmalige Einladung, legt ein Passwort und einen "
        "zweiten Faktor fest (eine Authenticator-App oder einen Passkey) und kann dann "
        "Kolleginnen und Kollegen einladen und API-Tokens erstellen.",
    ),
    "Where to start": ("Par où commencer", "Wo Sie anfangen"),
    "Which desk handles your request, by when, and what it must contain.": (
        "Quel service traite votre demande, dans quel délai, et ce qu\u2019elle doit contenir.",
        "Welche Stelle Ihr Ersuchen bearbeitet, bis wann, und was es enthalten muss.",
    ),
    "Console": ("Console", "Konsole"),
    "For members: submit and follow requests, answer questions, download disclosures, manage "
    "tokens and colleagues.": (
        "Pour les membres\u202f: envoyer et suivre des demandes, répondre aux questions, "
        "télécharger les communications, gérer les jetons et les collègues.",
        "Für Mitglieder: Ersuchen senden und verfolgen, Fragen beantworten, Auskünfte "
        "herunterladen, Tokens und Kollegen verwalten.",
    ),
    "A live line to the platform's staff for NGOs and authorities.": (
        "Une ligne en direct avec les équipes de la plateforme, pour les ONG et les autorités.",
        "Ein direkter Draht zu den Teams der Plattform für NGOs und Behörden.",
    ),
    "Connect your case system to the GraphQL API: tokens, submissions, live updates, signed "
    'webhooks and packages. Try it in the <a href="/graphql/">API explorer</a>.': (
        "Reliez votre système de dossiers à l\u2019API GraphQL\u202f: jetons, envois, suivi en "
        "direct, webhooks et paquets signés. Essayez-la dans l\u2019"
        '<a href="/graphql/">explorateur d\u2019API</a>.',
        "Verbinden Sie Ihr Fallsystem mit der GraphQL-API: Tokens, Ersuchen, Live-Updates, "
        'signierte Webhooks und Pakete. Probieren Sie es im <a href="/graphql/">API-Explorer'
        "</a> aus.",
    ),
    "How many requests the platform received and how it answered them, by country.": (
        "Combien de demandes la plateforme a reçues et comment elle y a répondu, par pays.",
        "Wie viele Ersuchen die Plattform erhalten und wie sie sie beantwortet hat, nach Land.",
    ),
    "Data disclosure": ("Communication de données", "Datenauskunft"),
    "Emergency disclosure": ("Communication d\u2019urgence", "Notfallauskunft"),
    "Preservation": ("Conservation", "Sicherung"),
    "Content removal": ("Retrait de contenu", "Entfernung von Inhalten"),
    "Moderation notice": ("Notification de modération", "Moderationsmeldung"),
    "The IP addresses and phone number of named accounts, on a court order, a European "
    "Production Order, a subpoena or an MLAT request.": (
        "Les adresses IP et le numéro de téléphone de comptes désignés, sur décision de "
        "justice, injonction européenne de production, assignation ou demande d\u2019entraide "
        "judiciaire.",
        "Die IP-Adressen und die Telefonnummer benannter Konten, auf Gerichtsbeschluss, "
        "Europäische Herausgabeanordnung, Subpoena oder Rechtshilfeersuchen.",
    ),
    "The same data when a life is in danger: an emergency disclosure, confirmed by a call to "
    "your agency's registered number before any data leaves.": (
        "Les mêmes données quand une vie est en danger\u202f: une communication d\u2019urgence, "
        "confirmée par un appel au numéro enregistré de votre service avant que la moindre "
        "donnée ne parte.",
        "Dieselben Daten, wenn ein Leben in Gefahr ist: eine Notfallauskunft, bestätigt durch "
        "einen Anruf bei der hinterlegten Nummer Ihrer Behörde, bevor Daten herausgehen.",
    ),
    "Keep an account's data while you obtain the order that discloses it (90 days in the US, "
    "60 + 30 days in the EU).": (
        "Conserver les données d\u2019un compte le temps d\u2019obtenir l\u2019injonction qui les "
        "communique (90 jours aux États-Unis, 60 + 30 jours dans l\u2019UE).",
        "Die Daten eines Kontos sichern, bis Sie die Anordnung zur Herausgabe haben (90 Tage "
        "in den USA, 60 + 30 Tage in der EU).",
    ),
    "Take content down: a terrorist content removal order (one hour) or an order to act "
    "against illegal content under the Digital Services Act.": (
        "Retirer un contenu\u202f: injonction de retrait de contenu terroriste (une heure) ou "
        "injonction d\u2019agir contre un contenu illicite au titre du règlement sur les "
        "services numériques.",
        "Inhalte entfernen: eine Entfernungsanordnung für terroristische Inhalte (eine Stunde) "
        "oder eine Anordnung zum Vorgehen gegen rechtswidrige Inhalte nach dem Digital "
        "Services Act.",
    ),
    "Flag content that breaks the law or the platform's rules; trusted flaggers' notices come "
    "first.": (
        "Signaler un contenu contraire à la loi ou aux règles de la plateforme\u202f; les "
        "notifications des signaleurs de confiance passent en premier.",
        "Inhalte melden, die gegen Gesetze oder die Regeln der Plattform verstoßen; Meldungen "
        "vertrauenswürdiger Hinweisgeber haben Vorrang.",
    ),
    # the routing guide (switchboard)
    "Where to send a legal request": (
        "Où envoyer une demande légale",
        "Wohin mit einem Rechtsersuchen",
    ),
    "Tell us what you need: the guide answers from the same routing rules and legal clocks "
    "the platform applies when your request arrives.": (
        "Dites-nous ce dont vous avez besoin\u202f: le guide répond avec les mêmes règles "
        "d\u2019orientation et les mêmes délais légaux que la plateforme applique à "
        "l\u2019arrivée de votre demande.",
        "Sagen Sie uns, was Sie brauchen: Der Leitfaden antwortet nach denselben Routing-"
        "Regeln und gesetzlichen Fristen, die die Plattform beim Eingang Ihres Ersuchens "
        "anwendet.",
    ),
    "Show me": ("Afficher", "Anzeigen"),
    "Handled by": ("Traité par", "Bearbeitet von"),
    "Deadline": ("Délai", "Frist"),
    "within %(deadline)s of receipt": (
        "sous %(deadline)s à compter de la réception",
        "Frist: %(deadline)s ab Eingang",
    ),
    "urgent": ("urgent", "dringend"),
    "How to send it": ("Comment l\u2019envoyer", "So senden Sie es"),
    "Required fields": ("Champs obligatoires", "Pflichtfelder"),
    "Accepted legal bases": ("Bases légales acceptées", "Akzeptierte Rechtsgrundlagen"),
    "Machines can ask the same question: <code>routingGuide(kind, category, "
    "jurisdiction)</code> on <code>/graphql/</code>, no token needed.": (
        "Les machines peuvent poser la même question\u202f: <code>routingGuide(kind, "
        "category, jurisdiction)</code> sur <code>/graphql/</code>, sans jeton.",
        "Maschinen können dieselbe Frage stellen: <code>routingGuide(kind, category, "
        "jurisdiction)</code> auf <code>/graphql/</code>, ohne Token.",
    ),
    "Your file number (reference)": (
        "Votre numéro de dossier (référence)",
        "Ihr Aktenzeichen (Referenz)",
    ),
    "Legal basis (statute or instrument)": (
        "Base légale (texte ou instrument)",
        "Rechtsgrundlage (Gesetz oder Instrument)",
    ),
    "Jurisdiction (ISO country code)": (
        "Juridiction (code pays ISO)",
        "Rechtsraum (ISO-Ländercode)",
    ),
    "Summary of the facts": ("Résumé des faits", "Zusammenfassung des Sachverhalts"),
    "Targets (accounts, channels or message links)": (
        "Cibles (comptes, canaux ou liens de messages)",
        "Ziele (Konten, Kanäle oder Nachrichtenlinks)",
    ),
    "Data requested (IP addresses and/or phone number only)": (
        "Données demandées (adresses IP et/ou numéro de téléphone seulement)",
        "Angefragte Daten (nur IP-Adressen und/oder Telefonnummer)",
    ),
    "What do you need?": ("De quoi avez-vous besoin\u202f?", "Was brauchen Sie?"),
    "Your country": ("Votre pays", "Ihr Land"),
}

# msgid -> (French singular, plural), (German singular, plural)
PLURALS: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    "%(count)d day": (("%(count)d jour", "%(count)d jours"), ("%(count)d Tag", "%(count)d Tage")),
    "%(count)d hour": (
        ("%(count)d heure", "%(count)d heures"),
        ("%(count)d Stunde", "%(count)d Stunden"),
    ),
    "%(count)d minute": (
        ("%(count)d minute", "%(count)d minutes"),
        ("%(count)d Minute", "%(count)d Minuten"),
    ),
}


_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')


def _unquote(lines: list[str]) -> str:
    text = "".join(m.group(1) for line in lines for m in _STRING.finditer(line))
    return text.replace("\\n", "\n").replace('\\"', '"').replace("\\\\", "\\")


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def po_fill(path: Path, language: str) -> list[str]:
    """Rewrite one django.po with the translations above; returns the msgids it lacks."""
    index = 0 if language == "fr" else 1
    name, plural_forms = LANGUAGES[language]
    blocks = path.read_text(encoding="utf-8").strip().split("\n\n")
    header = blocks[0]
    header = re.sub(r'"Language: [^"]*\\n"', f'"Language: {language}\\\\n"', header)
    header = re.sub(r'"Plural-Forms: [^"]*\\n"', f'"Plural-Forms: {plural_forms}\\\\n"', header)
    header = header.replace("#, fuzzy\n", "")
    header = header.replace("charset=CHARSET", "charset=UTF-8")
    header = re.sub(
        r"^# SOME DESCRIPTIVE TITLE\.", f"# {name} texts of the Liaison Portal.", header
    )
    out, missing = [header], []
    for block in blocks[1:]:
        lines = block.split("\n")
        comments = [line for line in lines if line.startswith("#")]
        comments = [line.replace(", fuzzy", "") for line in comments if line.strip() != "#, fuzzy"]
        comments = [line for line in comments if not line.startswith("#|")]
        body = [line for line in lines if not line.startswith("#")]
        fields: dict[str, list[str]] = {}
        current = ""
        for line in body:
            match = re.match(r"(msgid_plural|msgid|msgstr\[\d\]|msgstr) ", line)
            if match:
                current = match.group(1)
                fields[current] = [line[len(current) + 1 :]]
            elif current:
                fields[current].append(line)
        if "msgid" not in fields:  # an obsolete entry (#~): dropped
            continue
        msgid = _unquote(fields["msgid"])
        entry = [*comments, "msgid " + _quote(msgid)]
        if "msgid_plural" in fields:
            forms = PLURALS.get(msgid)
            entry.append("msgid_plural " + _quote(_unquote(fields["msgid_plural"])))
            if forms is None:
                missing.append(msgid)
                forms = (("", ""), ("", ""))
            entry += [f"msgstr[{n}] " + _quote(text) for n, text in enumerate(forms[index])]
        else:
            translated = TEXTS.get(msgid)
            if translated is None:
                missing.append(msgid)
            entry.append("msgstr " + _quote(translated[index] if translated else ""))
        out.append("\n".join(entry))
    path.write_text("\n\n".join(out) + "\n", encoding="utf-8")
    return missing


def main() -> int:
    """Fill and compile every catalogue; 1 if a text has no translation or msgfmt fails."""
    msgfmt = shutil.which("msgfmt")
    status = 0
    for language in LANGUAGES:
        po = LOCALE_DIR / language / "LC_MESSAGES" / "django.po"
        missing = po_fill(po, language)
        for msgid in missing:
            print(f"{language}: no translation for {msgid!r}", file=sys.stderr)
            status = 1
        if msgfmt is None:
            print("msgfmt is missing (apt-get install gettext): .mo not compiled", file=sys.stderr)
            return 1
        result = subprocess.run(  # noqa: S603 (a fixed command line)
            [msgfmt, "--check", "-o", str(po.with_suffix(".mo")), str(po)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if result.returncode != 0:
            print(result.stderr, file=sys.stderr)
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
