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
    # console/templates/console (the members' console)
    "Please correct the following:": (
        "Veuillez corriger ce qui suit\u202f:",
        "Bitte korrigieren Sie Folgendes:",
    ),
    "Please correct the fields marked below.": (
        "Veuillez corriger les champs signalés ci-dessous.",
        "Bitte korrigieren Sie die unten markierten Felder.",
    ),
    "Liaison Portal · Console": ("Liaison Portal · Console", "Liaison Portal · Konsole"),
    "administrator": ("administrateur", "Administrator"),
    "Requests": ("Demandes", "Ersuchen"),
    "New request": ("Nouvelle demande", "Neues Ersuchen"),
    "Notice statistics": ("Statistiques des signalements", "Meldungsstatistik"),
    "API tokens": ("Jetons d\u2019API", "API-Tokens"),
    "Members": ("Membres", "Mitglieder"),
    "Settings": ("Paramètres", "Einstellungen"),
    "Second factor": ("Second facteur", "Zweiter Faktor"),
    "Join %(name)s": ("Rejoindre %(name)s", "%(name)s beitreten"),
    "You are invited as %(role)s with the address <strong>%(email)s</strong>. After this step "
    "you set up a second factor (an authenticator app or a passkey): the console always asks "
    "for it.": (
        "Vous êtes invité comme %(role)s avec l\u2019adresse <strong>%(email)s</strong>. Ensuite, "
        "vous configurez un second facteur (une application d\u2019authentification ou une clé "
        "d\u2019accès)\u202f: la console le demande toujours.",
        "Sie sind als %(role)s mit der Adresse <strong>%(email)s</strong> eingeladen. Danach "
        "richten Sie einen zweiten Faktor ein (eine Authenticator-App oder einen Passkey): die "
        "Konsole verlangt ihn immer.",
    ),
    "You are signed in as %(email)s.": (
        "Vous êtes connecté en tant que %(email)s.",
        "Sie sind als %(email)s angemeldet.",
    ),
    "Join": ("Rejoindre", "Beitreten"),
    "Invitation not valid": ("Invitation non valable", "Einladung ungültig"),
    "This invitation link does not work": (
        "Ce lien d\u2019invitation ne fonctionne pas",
        "Dieser Einladungslink funktioniert nicht",
    ),
    "It was used already, it expired, or it was withdrawn. Ask your organization's "
    "administrator for a new invitation.": (
        "Il a déjà été utilisé, il a expiré ou il a été retiré. Demandez une nouvelle invitation "
        "à l\u2019administrateur de votre organisation.",
        "Er wurde schon benutzt, ist abgelaufen oder wurde zurückgezogen. Bitten Sie die "
        "Administration Ihrer Organisation um eine neue Einladung.",
    ),
    "Members of %(name)s": ("Membres de %(name)s", "Mitglieder von %(name)s"),
    "Invite a colleague": ("Inviter un collègue", "Kollegin oder Kollegen einladen"),
    "They receive a one-time link by e-mail, choose a password and set up a second factor.": (
        "Il reçoit un lien à usage unique par courriel, choisit un mot de passe et configure un "
        "second facteur.",
        "Sie erhalten einen Einmal-Link per E-Mail, wählen ein Passwort und richten einen "
        "zweiten Faktor ein.",
    ),
    "Send invitation": ("Envoyer l\u2019invitation", "Einladung senden"),
    "Open invitations": ("Invitations en cours", "Offene Einladungen"),
    "%(email)s (%(role)s), until %(until)s": (
        "%(email)s (%(role)s), jusqu\u2019au %(until)s",
        "%(email)s (%(role)s), bis %(until)s",
    ),
    "Withdraw the invitation of %(email)s": (
        "Retirer l\u2019invitation de %(email)s",
        "Einladung von %(email)s zurückziehen",
    ),
    "Withdraw": ("Retirer", "Zurückziehen"),
    "Member": ("Membre", "Mitglied"),
    "Role": ("Rôle", "Rolle"),
    "State": ("État", "Zustand"),
    "(you)": ("(vous)", "(Sie)"),
    "Role of %(email)s": ("Rôle de %(email)s", "Rolle von %(email)s"),
    "Set role": ("Définir le rôle", "Rolle setzen"),
    "active": ("actif", "aktiv"),
    "Deactivate %(email)s": ("Désactiver %(email)s", "%(email)s deaktivieren"),
    "Deactivate": ("Désactiver", "Deaktivieren"),
    "deactivated": ("désactivé", "deaktiviert"),
    "Reactivate %(email)s": ("Réactiver %(email)s", "%(email)s reaktivieren"),
    "Reactivate": ("Réactiver", "Reaktivieren"),
    "Not a member": ("Pas membre", "Kein Mitglied"),
    "The console is for members of authorities and NGOs": (
        "La console est réservée aux membres des autorités et des ONG",
        "Die Konsole ist für Mitglieder von Behörden und NGOs",
    ),
    "Your account is not an active member of any organization. If your organization uses the "
    "portal, ask one of its administrators to invite you. If it does not yet, <a "
    'href="%(access_url)s">request access</a>.': (
        "Votre compte n\u2019est membre actif d\u2019aucune organisation. Si votre organisation "
        "utilise le portail, demandez à l\u2019un de ses administrateurs de vous inviter. Sinon, "
        '<a href="%(access_url)s">demandez un accès</a>.',
        "Ihr Konto ist kein aktives Mitglied einer Organisation. Nutzt Ihre Organisation das "
        "Portal, bitten Sie eine ihrer Administratorinnen oder einen ihrer Administratoren um "
        'eine Einladung. Falls nicht, <a href="%(access_url)s">beantragen Sie Zugang</a>.',
    ),
    'Platform staff work in the <a href="%(admin_url)s">staff admin</a>.': (
        'Les équipes de la plateforme travaillent dans l\u2019<a href="%(admin_url)s">'
        "administration</a>.",
        'Die Teams der Plattform arbeiten in der <a href="%(admin_url)s">Verwaltung</a>.',
    ),
    "Request access for your organization": (
        "Demander un accès pour votre organisation",
        "Zugang für Ihre Organisation beantragen",
    ),
    "Authorities (police, prosecutors, courts, regulators) and NGOs (trusted flaggers, "
    "hotlines) ask here. Platform staff verify every organization themselves before anyone can "
    "submit: they look up your switchboard number in the public directory you name and call it "
    "to confirm you. Your e-mail address alone never verifies you.": (
        "Les autorités (police, parquets, tribunaux, régulateurs) et les ONG (signaleurs de "
        "confiance, lignes d\u2019assistance) en font la demande ici. Les équipes de la plateforme "
        "vérifient elles-mêmes chaque organisation avant toute soumission\u202f: elles cherchent "
        "votre numéro de standard dans l\u2019annuaire public que vous indiquez et "
        "l\u2019appellent pour vous confirmer. Votre adresse électronique seule ne vous "
        "vérifie jamais.",
        "Behörden (Polizei, Staatsanwaltschaften, Gerichte, Aufsichtsbehörden) und NGOs "
        "(vertrauenswürdige Hinweisgeber, Hotlines) beantragen hier. Die Teams der Plattform "
        "prüfen jede Organisation selbst, bevor jemand einreichen kann: Sie suchen Ihre "
        "Zentralnummer im öffentlichen Verzeichnis, das Sie nennen, und rufen dort an, um Sie zu "
        "bestätigen. Ihre E-Mail-Adresse allein verifiziert Sie nie.",
    ),
    "<strong>Emergency?</strong> Do not wait for access: follow the emergency instructions of "
    'the <a href="/guide/">routing guide</a>.': (
        "<strong>Urgence\u202f?</strong> N\u2019attendez pas l\u2019accès\u202f: suivez les "
        'instructions d\u2019urgence du <a href="/guide/">guide d\u2019orientation</a>.',
        "<strong>Notfall?</strong> Warten Sie nicht auf den Zugang: folgen Sie den "
        'Notfallhinweisen im <a href="/guide/">Routing-Leitfaden</a>.',
    ),
    "Your organization": ("Votre organisation", "Ihre Organisation"),
    "Request received": ("Demande reçue", "Antrag eingegangen"),
    "Thank you: your request for access is received": (
        "Merci\u202f: votre demande d\u2019accès est reçue",
        "Danke: Ihr Antrag auf Zugang ist eingegangen",
    ),
    "Platform staff look up your organization's switchboard number in a public directory and "
    "call it.": (
        "Les équipes de la plateforme cherchent le numéro de standard de votre organisation dans "
        "un annuaire public et l\u2019appellent.",
        "Die Teams der Plattform suchen die Zentralnummer Ihrer Organisation in einem "
        "öffentlichen Verzeichnis und rufen dort an.",
    ),
    "When your organization confirms you, you receive an e-mail with a one-time link.": (
        "Quand votre organisation vous confirme, vous recevez un courriel avec un lien à usage "
        "unique.",
        "Bestätigt Ihre Organisation Sie, erhalten Sie eine E-Mail mit einem Einmal-Link.",
    ),
    "You choose a password and set up a second factor; then you can invite colleagues, create "
    "API tokens and submit requests.": (
        "Vous choisissez un mot de passe et configurez un second facteur\u202f; vous pouvez "
        "ensuite inviter des collègues, créer des jetons d\u2019API et soumettre des demandes.",
        "Sie wählen ein Passwort und richten einen zweiten Faktor ein; dann können Sie "
        "Kolleginnen und Kollegen einladen, API-Tokens erstellen und Ersuchen einreichen.",
    ),
    "Nobody from the platform will ask you for a password or a code.": (
        "Personne de la plateforme ne vous demandera un mot de passe ou un code.",
        "Niemand von der Plattform wird Sie nach einem Passwort oder Code fragen.",
    ),
    "Request": ("Demande", "Ersuchen"),
    "Status": ("Statut", "Status"),
    "Being routed…": ("En cours d\u2019orientation…", "Wird zugewiesen …"),
    "paused": ("suspendu", "angehalten"),
    "in %(left)s": ("dans %(left)s", "in %(left)s"),
    "Set when routed": ("Fixé à l\u2019orientation", "Wird bei der Zuweisung gesetzt"),
    "Clock paused since": ("Délai suspendu depuis", "Frist angehalten seit"),
    "waiting for your answer; the deadline moves on by the pause when you answer.": (
        "en attente de votre réponse\u202f; l\u2019échéance est reportée de la durée de la "
        "suspension quand vous répondez.",
        "wartet auf Ihre Antwort; die Frist verschiebt sich um die Pause, wenn Sie antworten.",
    ),
    "Instrument": ("Instrument", "Instrument"),
    "inferred from kind and country": (
        "déduit du type et du pays",
        "aus Art und Land abgeleitet",
    ),
    "named by you": ("indiqué par vous", "von Ihnen angegeben"),
    "Received": ("Reçue", "Eingegangen"),
    "Category": ("Catégorie", "Kategorie"),
    "Jurisdiction": ("Juridiction", "Rechtsordnung"),
    "Legal basis": ("Base juridique", "Rechtsgrundlage"),
    "Data": ("Données", "Daten"),
    "Period": ("Période", "Zeitraum"),
    "Reason": ("Motif", "Grund"),
    "Verification under way: the platform is confirming this request with your organization by "
    "telephone. The request is handled meanwhile; no data is released before the call.": (
        "Vérification en cours\u202f: la plateforme confirme cette demande auprès de votre "
        "organisation par téléphone. La demande est traitée entre-temps\u202f; aucune donnée "
        "n\u2019est communiquée avant l\u2019appel.",
        "Überprüfung läuft: Die Plattform bestätigt dieses Ersuchen telefonisch bei Ihrer "
        "Organisation. Das Ersuchen wird inzwischen bearbeitet; vor dem Anruf werden keine "
        "Daten herausgegeben.",
    ),
    "No data held: the platform holds no data for the targets in the requested period, so "
    "there is no disclosure package.": (
        "Aucune donnée détenue\u202f: la plateforme ne détient aucune donnée sur les cibles pour "
        "la période demandée\u202f; il n\u2019y a donc pas de paquet de communication.",
        "Keine Daten vorhanden: Die Plattform hat für die Ziele im angefragten Zeitraum keine "
        "Daten, daher gibt es kein Auskunftspaket.",
    ),
    "The request cannot be executed as it stands": (
        "La demande ne peut pas être exécutée en l\u2019état",
        "Das Ersuchen kann so nicht ausgeführt werden",
    ),
    "Ground (e-Evidence Annex III):": (
        "Motif (e-Evidence, annexe III)\u202f:",
        "Grund (e-Evidence, Anhang III):",
    ),
    "Correct the request (attach a corrected order below if needed): the review and the clock "
    "resume. Or withdraw it.": (
        "Corrigez la demande (joignez ci-dessous une décision corrigée si nécessaire)\u202f: "
        "l\u2019examen et le délai reprennent. Ou retirez-la.",
        "Berichtigen Sie das Ersuchen (fügen Sie unten bei Bedarf eine berichtigte Anordnung "
        "bei): Prüfung und Frist laufen weiter. Oder ziehen Sie es zurück.",
    ),
    "Send correction": ("Envoyer la correction", "Berichtigung senden"),
    "Withdraw instead…": ("Retirer plutôt…", "Stattdessen zurückziehen …"),
    "Ended; the data is no longer kept:": (
        "Terminée\u202f; les données ne sont plus conservées\u202f:",
        "Beendet; die Daten werden nicht mehr aufbewahrt:",
    ),
    "Data kept until": ("Données conservées jusqu\u2019au", "Daten aufbewahrt bis"),
    "and beyond it until your production request is answered": (
        "et au-delà jusqu\u2019à la réponse à votre demande de production",
        "und darüber hinaus, bis Ihr Herausgabeersuchen beantwortet ist",
    ),
    "Extended once (the law allows one extension).": (
        "Prolongée une fois (la loi permet une prolongation).",
        "Einmal verlängert (das Gesetz erlaubt eine Verlängerung).",
    ),
    "You may ask once for an extension of %(days)s days.": (
        "Vous pouvez demander une fois une prolongation de %(days)s jours.",
        "Sie können einmal eine Verlängerung um %(days)s Tage beantragen.",
    ),
    "Extend the preservation": ("Prolonger la conservation", "Sicherung verlängern"),
    "Targets": ("Cibles", "Ziele"),
    "Staff ask": ("Question des équipes", "Rückfrage des Teams"),
    "Send answer": ("Envoyer la réponse", "Antwort senden"),
    "Disclosure package": ("Paquet de communication", "Auskunftspaket"),
    "Available until %(until)s. Every download is recorded.": (
        "Disponible jusqu\u2019au %(until)s. Chaque téléchargement est enregistré.",
        "Verfügbar bis %(until)s. Jeder Download wird protokolliert.",
    ),
    "Records (JSON, exactly the signed bytes)": (
        "Enregistrements (JSON, exactement les octets signés)",
        "Datensätze (JSON, genau die signierten Bytes)",
    ),
    "Signature (Ed25519, base64)": ("Signature (Ed25519, base64)", "Signatur (Ed25519, Base64)"),
    "Records (CSV, for spreadsheets)": (
        "Enregistrements (CSV, pour tableurs)",
        "Datensätze (CSV, für Tabellenkalkulationen)",
    ),
    "Verify the signature": ("Vérifier la signature", "Signatur prüfen"),
    "The platform signs the JSON file's bytes exactly as downloaded with its Ed25519 key "
    '<code>%(key_id)s</code>, published at <a href="%(signing_key_url)s">%(signing_key_url)s</a>. '
    "Check the signature before you rely on the data; the CSV is the same records, not signed. "
    "With Python and the <code>cryptography</code> package:": (
        "La plateforme signe les octets du fichier JSON, tels que téléchargés, avec sa clé "
        'Ed25519 <code>%(key_id)s</code>, publiée à <a href="%(signing_key_url)s">'
        "%(signing_key_url)s</a>. Vérifiez la signature avant de vous fier aux données\u202f; le "
        "CSV contient les mêmes enregistrements, non signés. Avec Python et le paquet "
        "<code>cryptography</code>\u202f:",
        "Die Plattform signiert die Bytes der JSON-Datei genau wie heruntergeladen mit ihrem "
        "Ed25519-Schlüssel <code>%(key_id)s</code>, veröffentlicht unter <a "
        'href="%(signing_key_url)s">%(signing_key_url)s</a>. Prüfen Sie die Signatur, bevor Sie '
        "sich auf die Daten verlassen; die CSV enthält dieselben Datensätze, unsigniert. Mit "
        "Python und dem Paket <code>cryptography</code>:",
    ),
    "Run it where you saved both files. A valid signature shows the records are exactly what "
    "the platform produced.": (
        "Exécutez-le là où vous avez enregistré les deux fichiers. Une signature valide montre "
        "que les enregistrements sont exactement ceux produits par la plateforme.",
        "Führen Sie es dort aus, wo Sie beide Dateien gespeichert haben. Eine gültige Signatur "
        "zeigt, dass die Datensätze genau die der Plattform sind.",
    ),
    "Documents": ("Documents", "Dokumente"),
    "No document attached.": ("Aucun document joint.", "Kein Dokument beigefügt."),
    "Attach document": ("Joindre le document", "Dokument beifügen"),
    "Telling the user": (
        "Information de l\u2019utilisateur",
        "Benachrichtigung der Nutzerin oder des Nutzers",
    ),
    "Your non-disclosure order (%(basis)s): the user is not told before": (
        "Votre interdiction de divulgation (%(basis)s)\u202f: l\u2019utilisateur n\u2019est pas "
        "informé avant le",
        "Ihre Geheimhaltungsanordnung (%(basis)s): die Nutzerin oder der Nutzer wird nicht "
        "informiert vor dem",
    ),
    "The platform tells the user about requests unless a legal prohibition applies. Attach "
    "your non-disclosure order if one does.": (
        "La plateforme informe l\u2019utilisateur des demandes, sauf interdiction légale. Joignez "
        "votre interdiction de divulgation s\u2019il y en a une.",
        "Die Plattform informiert die Nutzerin oder den Nutzer über Ersuchen, außer ein "
        "gesetzliches Verbot steht dem entgegen. Fügen Sie gegebenenfalls Ihre "
        "Geheimhaltungsanordnung bei.",
    ),
    "Extend the order": ("Prolonger l\u2019interdiction", "Anordnung verlängern"),
    "Attach the order": ("Joindre l\u2019interdiction", "Anordnung beifügen"),
    "Timeline": ("Chronologie", "Verlauf"),
    "Withdraw this request…": ("Retirer cette demande…", "Dieses Ersuchen zurückziehen …"),
    "Requests of %(name)s": ("Demandes de %(name)s", "Ersuchen von %(name)s"),
    "Your organization is not verified yet: you can read, but not submit.": (
        "Votre organisation n\u2019est pas encore vérifiée\u202f: vous pouvez lire, mais pas "
        "soumettre.",
        "Ihre Organisation ist noch nicht verifiziert: Sie können lesen, aber nicht einreichen.",
    ),
    "Search and filters": ("Recherche et filtres", "Suche und Filter"),
    "(active)": ("(actifs)", "(aktiv)"),
    "Filter requests": ("Filtrer les demandes", "Ersuchen filtern"),
    "Filter": ("Filtrer", "Filtern"),
    "Clear": ("Effacer", "Zurücksetzen"),
    "Reference": ("Référence", "Aktenzeichen"),
    "Desk": ("Service", "Stelle"),
    "Due (UTC)": ("Échéance (UTC)", "Fällig (UTC)"),
    "Received (UTC)": ("Reçue (UTC)", "Eingegangen (UTC)"),
    "(no reference)": ("(sans référence)", "(ohne Aktenzeichen)"),
    "Paused": ("Suspendu", "Angehalten"),
    "Due": ("Échéance", "Fällig"),
    "(paused)": ("(suspendu)", "(angehalten)"),
    "Pages": ("Pages", "Seiten"),
    "Previous": ("Précédente", "Zurück"),
    "Page %(number)s of %(pages)s": (
        "Page %(number)s sur %(pages)s",
        "Seite %(number)s von %(pages)s",
    ),
    "Next": ("Suivante", "Weiter"),
    "No requests match.": ("Aucune demande ne correspond.", "Keine passenden Ersuchen."),
    "Checked exactly as the API checks <code>submitLegalRequest</code>. When it is accepted you "
    "see at once which desk handles it and by when (the clock runs from receipt).": (
        "Contrôlée exactement comme l\u2019API contrôle <code>submitLegalRequest</code>. Une fois "
        "acceptée, vous voyez aussitôt quel service la traite et pour quand (le délai court dès "
        "la réception).",
        "Geprüft genau wie die API <code>submitLegalRequest</code> prüft. Ist es angenommen, "
        "sehen Sie sofort, welche Stelle es bearbeitet und bis wann (die Frist läuft ab Eingang).",
    ),
    "What each kind of request must carry": (
        "Ce que chaque type de demande doit contenir",
        "Was jede Art von Ersuchen enthalten muss",
    ),
    "Required:": ("Obligatoire\u202f:", "Erforderlich:"),
    "Targets:": ("Cibles\u202f:", "Ziele:"),
    "Data:": ("Données\u202f:", "Daten:"),
    "IP addresses and/or phone number only": (
        "adresses IP et/ou numéro de téléphone uniquement",
        "nur IP-Adressen und/oder Telefonnummer",
    ),
    "none (no data is disclosed)": (
        "aucune (aucune donnée n\u2019est communiquée)",
        "keine (es werden keine Daten herausgegeben)",
    ),
    "Legal bases:": ("Bases juridiques\u202f:", "Rechtsgrundlagen:"),
    "Legal instruments: clock, required fields, documents": (
        "Instruments juridiques\u202f: délai, champs obligatoires, documents",
        "Rechtsinstrumente: Frist, Pflichtfelder, Dokumente",
    ),
    "Name the instrument your request rests on, or leave it to the platform, which infers it:": (
        "Indiquez l\u2019instrument sur lequel repose votre demande, ou laissez la plateforme le "
        "déduire\u202f:",
        "Nennen Sie das Instrument, auf dem Ihr Ersuchen beruht, oder überlassen Sie es der "
        "Plattform, die es ableitet:",
    ),
    "For:": ("Pour\u202f:", "Für:"),
    "Clock:": ("Délai\u202f:", "Frist:"),
    "the platform's routing policy": (
        "la politique d\u2019orientation de la plateforme",
        "die Routing-Regeln der Plattform",
    ),
    "Signed document:": ("Document signé\u202f:", "Signiertes Dokument:"),
    "mandatory": ("obligatoire", "verpflichtend"),
    "not required": ("non requis", "nicht erforderlich"),
    "Targets (accounts, channels or messages)": (
        "Cibles (comptes, canaux ou messages)",
        "Ziele (Konten, Kanäle oder Nachrichten)",
    ),
    "Leave the period empty for a disclosure to cover the 90 days before submission.": (
        "Laissez la période vide pour qu\u2019une communication couvre les 90 jours précédant la "
        "soumission.",
        "Lassen Sie den Zeitraum leer, damit eine Auskunft die 90 Tage vor der Einreichung "
        "umfasst.",
    ),
    "Submit request": ("Soumettre la demande", "Ersuchen einreichen"),
    "Withdraw %(reference)s": ("Retirer %(reference)s", "%(reference)s zurückziehen"),
    "Withdraw request %(reference)s?": (
        "Retirer la demande %(reference)s\u202f?",
        "Ersuchen %(reference)s zurückziehen?",
    ),
    "Staff stop working on it and it cannot be reopened; send a new request if you need one "
    "later.": (
        "Les équipes cessent de la traiter et elle ne peut pas être rouverte\u202f; envoyez une "
        "nouvelle demande si vous en avez besoin plus tard.",
        "Das Team bearbeitet es nicht weiter, und es kann nicht wieder geöffnet werden; senden "
        "Sie später bei Bedarf ein neues Ersuchen.",
    ),
    "Yes, withdraw the request": ("Oui, retirer la demande", "Ja, Ersuchen zurückziehen"),
    "No, keep it": ("Non, la garder", "Nein, behalten"),
    "Settings of %(name)s": ("Paramètres de %(name)s", "Einstellungen von %(name)s"),
    "Webhook": ("Webhook", "Webhook"),
    "Status changes of your requests are POSTed to this address, signed with "
    '<code>X-Liaison-Signature: t=&lt;unix time&gt;,v1=&lt;hex HMAC-SHA256 of "&lt;t&gt;.'
    '&lt;body&gt;"&gt;</code>. The address must be public (no internal or private network '
    "addresses) and use https.": (
        "Les changements de statut de vos demandes sont envoyés (POST) à cette adresse, signés "
        "avec <code>X-Liaison-Signature: t=&lt;unix time&gt;,v1=&lt;hex HMAC-SHA256 of "
        '"&lt;t&gt;.&lt;body&gt;"&gt;</code>. L\u2019adresse doit être publique (aucune adresse '
        "de réseau interne ou privé) et utiliser https.",
        "Statusänderungen Ihrer Ersuchen werden per POST an diese Adresse gesendet, signiert mit "
        "<code>X-Liaison-Signature: t=&lt;unix time&gt;,v1=&lt;hex HMAC-SHA256 of "
        '"&lt;t&gt;.&lt;body&gt;"&gt;</code>. Die Adresse muss öffentlich sein (keine internen '
        "oder privaten Netzadressen) und https verwenden.",
    ),
    "Your signing secret (shown only now; store it with your receiver):": (
        "Votre secret de signature (affiché seulement maintenant\u202f; conservez-le avec votre "
        "récepteur)\u202f:",
        "Ihr Signaturgeheimnis (nur jetzt angezeigt; bewahren Sie es bei Ihrem Empfänger auf):",
    ),
    "Signing secret": ("Secret de signature", "Signaturgeheimnis"),
    "Save webhook URL": ("Enregistrer l\u2019URL du webhook", "Webhook-URL speichern"),
    "Rotate secret": ("Renouveler le secret", "Geheimnis erneuern"),
    "Send a test event": ("Envoyer un événement de test", "Testereignis senden"),
    "Recent deliveries": ("Envois récents", "Letzte Zustellungen"),
    "Event": ("Événement", "Ereignis"),
    "Created (UTC)": ("Créé (UTC)", "Erstellt (UTC)"),
    "Attempts": ("Tentatives", "Versuche"),
    "Last answer": ("Dernière réponse", "Letzte Antwort"),
    "Created": ("Créé", "Erstellt"),
    "Contact address": ("Adresse de contact", "Kontaktadresse"),
    "Status e-mails (reference and status only) go here. Your callback number, "
    "<strong>%(phone)s</strong>, was verified by platform staff; ask them to change it.": (
        "Les courriels de statut (référence et statut seulement) arrivent ici. Votre numéro de "
        "rappel, <strong>%(phone)s</strong>, a été vérifié par les équipes de la "
        "plateforme\u202f; demandez-leur de le changer.",
        "Status-E-Mails (nur Aktenzeichen und Status) gehen hierhin. Ihre Rückrufnummer, "
        "<strong>%(phone)s</strong>, wurde vom Team der Plattform geprüft; bitten Sie es, sie "
        "zu ändern.",
    ),
    "Status e-mails (reference and status only) go here. Your organization has no callback "
    "number yet: platform staff set it when they verify you.": (
        "Les courriels de statut (référence et statut seulement) arrivent ici. Votre "
        "organisation n\u2019a pas encore de numéro de rappel\u202f: les équipes de la "
        "plateforme le fixent en vous vérifiant.",
        "Status-E-Mails (nur Aktenzeichen und Status) gehen hierhin. Ihre Organisation hat "
        "noch keine Rückrufnummer: das Team der Plattform setzt sie bei der Verifizierung.",
    ),
    "Save contact address": ("Enregistrer l\u2019adresse de contact", "Kontaktadresse speichern"),
    "Your notices": ("Vos signalements", "Ihre Meldungen"),
    "Moderation notices %(name)s sent, per month and category (UTC). Urgent reports go through "
    'the <a href="/hotline/">hotline</a>.': (
        "Signalements de modération envoyés par %(name)s, par mois et par catégorie (UTC). Les "
        'signalements urgents passent par la <a href="/hotline/">ligne directe</a>.',
        "Moderationsmeldungen von %(name)s, je Monat und Kategorie (UTC). Dringende Meldungen "
        'laufen über die <a href="/hotline/">Hotline</a>.',
    ),
    "Notices per month and category": (
        "Signalements par mois et par catégorie",
        "Meldungen je Monat und Kategorie",
    ),
    "Month": ("Mois", "Monat"),
    "Notices": ("Signalements", "Meldungen"),
    "No notices yet.": ("Aucun signalement pour l\u2019instant.", "Noch keine Meldungen."),
    "A token lets your systems call the GraphQL API as you (<code>Authorization: Bearer "
    "&lt;token&gt;</code>).": (
        "Un jeton permet à vos systèmes d\u2019appeler l\u2019API GraphQL en votre nom "
        "(<code>Authorization: Bearer &lt;token&gt;</code>).",
        "Mit einem Token rufen Ihre Systeme die GraphQL-API in Ihrem Namen auf "
        "(<code>Authorization: Bearer &lt;token&gt;</code>).",
    ),
    "You see every token of your organization.": (
        "Vous voyez tous les jetons de votre organisation.",
        "Sie sehen alle Tokens Ihrer Organisation.",
    ),
    "You see your own tokens.": (
        "Vous voyez vos propres jetons.",
        "Sie sehen Ihre eigenen Tokens.",
    ),
    "Your new token": ("Votre nouveau jeton", "Ihr neues Token"),
    "Copy it now: it is shown only this once and cannot be recovered.": (
        "Copiez-le maintenant\u202f: il n\u2019est affiché qu\u2019une fois et ne peut pas être "
        "récupéré.",
        "Kopieren Sie es jetzt: Es wird nur dieses eine Mal angezeigt und kann nicht "
        "wiederhergestellt werden.",
    ),
    "Token": ("Jeton", "Token"),
    "Create a token": ("Créer un jeton", "Token erstellen"),
    "Create token": ("Créer le jeton", "Token erstellen"),
    "Tokens": ("Jetons", "Tokens"),
    "Name": ("Nom", "Name"),
    "Starts with": ("Commence par", "Beginnt mit"),
    "Expires (UTC)": ("Expire (UTC)", "Läuft ab (UTC)"),
    "Last used (UTC)": ("Dernière utilisation (UTC)", "Zuletzt benutzt (UTC)"),
    "(unnamed)": ("(sans nom)", "(ohne Namen)"),
    "Expires": ("Expire", "Läuft ab"),
    "Last used": ("Dernière utilisation", "Zuletzt benutzt"),
    "never": ("jamais", "nie"),
    "revoked": ("révoqué", "widerrufen"),
    "expired": ("expiré", "abgelaufen"),
    "Revoke token %(name)s": ("Révoquer le jeton %(name)s", "Token %(name)s widerrufen"),
    "Revoke": ("Révoquer", "Widerrufen"),
    # console/forms.py (the console's form labels)
    "Any": ("Tous", "Alle"),
    "Kind of request": ("Type de demande", "Art des Ersuchens"),
    "Legal instrument": ("Instrument juridique", "Rechtsinstrument"),
    "Fixes the clock and what the request must carry; see the instruments above.": (
        "Il fixe le délai et ce que la demande doit contenir\u202f; voir les instruments "
        "ci-dessus.",
        "Legt die Frist fest und was das Ersuchen enthalten muss; siehe die Instrumente oben.",
    ),
    "Category of harm": ("Catégorie de préjudice", "Schadenskategorie"),
    "Choose…": ("Choisir…", "Auswählen …"),
    "Your reference (file number)": ("Votre référence (numéro de dossier)", "Ihr Aktenzeichen"),
    "Data requested (disclosure and preservation only)": (
        "Données demandées (communication et conservation seulement)",
        "Angefragte Daten (nur Auskunft und Sicherung)",
    ),
    "Data period from (UTC)": ("Période des données du (UTC)", "Datenzeitraum von (UTC)"),
    "Data period until (UTC)": ("Période des données au (UTC)", "Datenzeitraum bis (UTC)"),
    "Preservation this production request follows (optional)": (
        "Conservation que suit cette demande de production (facultatif)",
        "Sicherung, auf die dieses Herausgabeersuchen folgt (optional)",
    ),
    "The preserved data is then kept until this request is answered.": (
        "Les données conservées sont alors gardées jusqu\u2019à la réponse à cette demande.",
        "Die gesicherten Daten bleiben dann aufbewahrt, bis dieses Ersuchen beantwortet ist.",
    ),
    "Infer it from kind and country": (
        "Le déduire du type et du pays",
        "Aus Art und Land ableiten",
    ),
    "None": ("Aucune", "Keine"),
    "Target %(number)s: kind": ("Cible %(number)s\u202f: type", "Ziel %(number)s: Art"),
    "Target %(number)s: value": ("Cible %(number)s\u202f: valeur", "Ziel %(number)s: Wert"),
    "Yes, ask for the one extension the instrument allows (it cannot be asked twice)": (
        "Oui, demander l\u2019unique prolongation que permet l\u2019instrument (elle ne peut "
        "pas être demandée deux fois)",
        "Ja, die eine Verlängerung beantragen, die das Instrument erlaubt (sie kann nicht "
        "zweimal beantragt werden)",
    ),
    "What you corrected": ("Ce que vous avez corrigé", "Was Sie berichtigt haben"),
    "Corrected legal basis (leave empty if unchanged)": (
        "Base juridique corrigée (vide si inchangée)",
        "Berichtigte Rechtsgrundlage (leer lassen, wenn unverändert)",
    ),
    "Corrected summary (leave empty if unchanged)": (
        "Résumé corrigé (vide si inchangé)",
        "Berichtigte Zusammenfassung (leer lassen, wenn unverändert)",
    ),
    "Legal basis of the order": (
        "Base juridique de l\u2019interdiction",
        "Rechtsgrundlage der Anordnung",
    ),
    "The user may not be told before (UTC)": (
        "L\u2019utilisateur ne peut pas être informé avant le (UTC)",
        "Die Nutzerin oder der Nutzer darf nicht informiert werden vor (UTC)",
    ),
    "Search": ("Rechercher", "Suche"),
    "Due soon": ("Échéance proche", "Bald fällig"),
    "Overdue": ("En retard", "Überfällig"),
    "Your answer": ("Votre réponse", "Ihre Antwort"),
    "Signed legal order (PDF, at most 20 MB)": (
        "Décision juridique signée (PDF, 20 Mo au plus)",
        "Signierte Anordnung (PDF, höchstens 20 MB)",
    ),
    "Expires after (days)": ("Expire après (jours)", "Läuft ab nach (Tagen)"),
    "Colleague's e-mail address": (
        "Adresse électronique du collègue",
        "E-Mail-Adresse der Kollegin oder des Kollegen",
    ),
    "Webhook URL": ("URL du webhook", "Webhook-URL"),
    "Status e-mails to": ("Courriels de statut à", "Status-E-Mails an"),
    "We are": ("Nous sommes", "Wir sind"),
    "Organization's official name": (
        "Nom officiel de l\u2019organisation",
        "Offizieller Name der Organisation",
    ),
    "Country": ("Pays", "Land"),
    "Official internet domain": ("Domaine internet officiel", "Offizielle Internet-Domain"),
    "For example police.example.gov": (
        "Par exemple police.example.gov",
        "Zum Beispiel polizei.example.de",
    ),
    "Registry or agency identifier": (
        "Identifiant de registre ou d\u2019agence",
        "Register- oder Behördenkennung",
    ),
    "An ORI, agency code, company or charity register number.": (
        "Un ORI, un code d\u2019agence, un numéro de registre du commerce ou des associations.",
        "Eine ORI, Behördenkennziffer, Handels- oder Vereinsregisternummer.",
    ),
    "Switchboard telephone number": ("Numéro du standard", "Telefonnummer der Zentrale"),
    "The main number as a public directory lists it, e.g. +49 611 550.": (
        "Le numéro principal tel qu\u2019un annuaire public l\u2019indique, p. ex. +49 611 550.",
        "Die Hauptnummer, wie ein öffentliches Verzeichnis sie nennt, z. B. +49 611 550.",
    ),
    "Where that number is published": (
        "Où ce numéro est publié",
        "Wo diese Nummer veröffentlicht ist",
    ),
    "The public directory or official web page (address or name).": (
        "L\u2019annuaire public ou la page web officielle (adresse ou nom).",
        "Das öffentliche Verzeichnis oder die offizielle Webseite (Adresse oder Name).",
    ),
    "Your name": ("Votre nom", "Ihr Name"),
    "Your function": ("Votre fonction", "Ihre Funktion"),
    "Your official e-mail address": (
        "Votre adresse électronique officielle",
        "Ihre dienstliche E-Mail-Adresse",
    ),
    "Anything else staff should know": (
        "Ce que les équipes devraient encore savoir",
        "Was das Team sonst wissen sollte",
    ),
    "Choose a password": ("Choisissez un mot de passe", "Wählen Sie ein Passwort"),
    "The password again": ("Le mot de passe à nouveau", "Das Passwort noch einmal"),
    # console/views.py (the console's messages)
    "Your console session was idle too long: sign in again.": (
        "Votre session de console est restée inactive trop longtemps\u202f: reconnectez-vous.",
        "Ihre Konsolensitzung war zu lange inaktiv: Melden Sie sich erneut an.",
    ),
    "The console needs a second factor: add an authenticator app or a passkey, then open the "
    "console again.": (
        "La console exige un second facteur\u202f: ajoutez une application d\u2019authentification "
        "ou une clé d\u2019accès, puis rouvrez la console.",
        "Die Konsole verlangt einen zweiten Faktor: Fügen Sie eine Authenticator-App oder einen "
        "Passkey hinzu und öffnen Sie die Konsole erneut.",
    ),
    "Request %(reference)s received under %(instrument)s (inferred).": (
        "Demande %(reference)s reçue sous %(instrument)s (déduit).",
        "Ersuchen %(reference)s eingegangen unter %(instrument)s (abgeleitet).",
    ),
    "Request %(reference)s received under %(instrument)s (named by you).": (
        "Demande %(reference)s reçue sous %(instrument)s (indiqué par vous).",
        "Ersuchen %(reference)s eingegangen unter %(instrument)s (von Ihnen angegeben).",
    ),
    "Answer sent; the clock runs again.": (
        "Réponse envoyée\u202f; le délai court à nouveau.",
        "Antwort gesendet; die Frist läuft wieder.",
    ),
    "Preservation extended.": ("Conservation prolongée.", "Sicherung verlängert."),
    "Correction sent; the review and the clock resume.": (
        "Correction envoyée\u202f; l\u2019examen et le délai reprennent.",
        "Berichtigung gesendet; Prüfung und Frist laufen weiter.",
    ),
    "Non-disclosure order attached.": (
        "Interdiction de divulgation jointe.",
        "Geheimhaltungsanordnung beigefügt.",
    ),
    "Non-disclosure order extended.": (
        "Interdiction de divulgation prolongée.",
        "Geheimhaltungsanordnung verlängert.",
    ),
    "Request %(reference)s withdrawn.": (
        "Demande %(reference)s retirée.",
        "Ersuchen %(reference)s zurückgezogen.",
    ),
    "Document attached.": ("Document joint.", "Dokument beigefügt."),
    "Token %(name)s revoked.": ("Jeton %(name)s révoqué.", "Token %(name)s widerrufen."),
    "Invitation sent to %(email)s.": (
        "Invitation envoyée à %(email)s.",
        "Einladung an %(email)s gesendet.",
    ),
    "%(email)s updated.": ("%(email)s mis à jour.", "%(email)s aktualisiert."),
    "Invitation of %(email)s withdrawn.": (
        "Invitation de %(email)s retirée.",
        "Einladung von %(email)s zurückgezogen.",
    ),
    "Webhook URL saved.": ("URL du webhook enregistrée.", "Webhook-URL gespeichert."),
    "New webhook secret made; the old one no longer signs.": (
        "Nouveau secret de webhook créé\u202f; l\u2019ancien ne signe plus.",
        "Neues Webhook-Geheimnis erstellt; das alte signiert nicht mehr.",
    ),
    "Test event queued; see its delivery below.": (
        "Événement de test en file d\u2019attente\u202f; voir son envoi ci-dessous.",
        "Testereignis eingereiht; seine Zustellung steht unten.",
    ),
    "Contact address saved.": ("Adresse de contact enregistrée.", "Kontaktadresse gespeichert."),
    "Too many requests for access from your address: try later.": (
        "Trop de demandes d\u2019accès depuis votre adresse\u202f: réessayez plus tard.",
        "Zu viele Zugangsanträge von Ihrer Adresse: Versuchen Sie es später.",
    ),
    "Welcome to %(name)s.": ("Bienvenue chez %(name)s.", "Willkommen bei %(name)s."),
    "Welcome to %(name)s. Now add your second factor.": (
        "Bienvenue chez %(name)s. Ajoutez maintenant votre second facteur.",
        "Willkommen bei %(name)s. Fügen Sie jetzt Ihren zweiten Faktor hinzu.",
    ),
    "Python code to verify the signature": (
        "Code Python pour vérifier la signature",
        "Python-Code zum Prüfen der Signatur",
    ),
    "No tokens yet.": ("Aucun jeton pour l\u2019instant.", "Noch keine Tokens."),
    # switchboard/templates/switchboard/guide.html and others (issue 10's instrument table)
    "inferred": ("déduit", "abgeleitet"),
    "Legal clock": ("Délai légal", "Gesetzliche Frist"),
    "Signed document": ("Document signé", "Signiertes Dokument"),
    "required": ("requis", "erforderlich"),
    "Data kept": ("Données conservées", "Daten aufbewahrt"),
    "extendable once by %(extension)s on your request (extendPreservation)": (
        "prolongeable une fois de %(extension)s à votre demande (extendPreservation)",
        "auf Ihren Antrag einmal um %(extension)s verlängerbar (extendPreservation)",
    ),
    "Instruments and their clocks": (
        "Les instruments et leurs délais",
        "Instrumente und ihre Fristen",
    ),
    "Name the instrument in <code>instrument</code> when you submit; without it, it is "
    "inferred from kind, category and country.": (
        "Indiquez l\u2019instrument dans <code>instrument</code> en soumettant\u202f; à défaut, il "
        "est déduit du type, de la catégorie et du pays.",
        "Nennen Sie das Instrument beim Einreichen in <code>instrument</code>; sonst wird es aus "
        "Art, Kategorie und Land abgeleitet.",
    ),
    "Kinds": ("Types", "Arten"),
    "Clock": ("Délai", "Frist"),
    "Document": ("Document", "Dokument"),
    "The signed legal document (PDF, attachLegalDocument)": (
        "Le document juridique signé (PDF, attachLegalDocument)",
        "Das signierte Rechtsdokument (PDF, attachLegalDocument)",
    ),
    "Infer it from the above": ("Le déduire de ce qui précède", "Aus den Angaben ableiten"),
    "Legal instrument (optional)": (
        "Instrument juridique (facultatif)",
        "Rechtsinstrument (optional)",
    ),
    # The choices of the models (liaison/models: gettext_noop, translated where shown, core.labels)
    "Routed": ("Orientée", "Zugewiesen"),
    "Under review": ("En cours d\u2019examen", "In Prüfung"),
    "Needs information": ("Informations requises", "Rückfrage offen"),
    "Approved": ("Approuvée", "Genehmigt"),
    "Rejected": ("Rejetée", "Abgelehnt"),
    "Fulfilled": ("Exécutée", "Erledigt"),
    "Withdrawn": ("Retirée", "Zurückgezogen"),
    "European Production Order (Reg. (EU) 2023/1543)": (
        "Injonction européenne de production (règl. (UE) 2023/1543)",
        "Europäische Herausgabeanordnung (VO (EU) 2023/1543)",
    ),
    "Emergency European Production Order": (
        "Injonction européenne de production en situation d\u2019urgence",
        "Europäische Herausgabeanordnung in Notfällen",
    ),
    "European Preservation Order (Reg. (EU) 2023/1543)": (
        "Injonction européenne de conservation (règl. (UE) 2023/1543)",
        "Europäische Sicherungsanordnung (VO (EU) 2023/1543)",
    ),
    "TCO removal order (Reg. (EU) 2021/784)": (
        "Injonction de retrait de contenus terroristes (règl. (UE) 2021/784)",
        "Entfernungsanordnung für terroristische Inhalte (VO (EU) 2021/784)",
    ),
    "DSA Art. 9 order to act against illegal content": (
        "Injonction d\u2019agir contre des contenus illicites (art. 9 DSA)",
        "Anordnung zum Vorgehen gegen rechtswidrige Inhalte (Art. 9 DSA)",
    ),
    "DSA Art. 10 order to provide information": (
        "Injonction de fournir des informations (art. 10 DSA)",
        "Anordnung zur Bereitstellung von Informationen (Art. 10 DSA)",
    ),
    "18 U.S.C. 2703(d) order or warrant": (
        "Ordonnance judiciaire ou mandat (18 U.S.C. 2703(d))",
        "Gerichtliche Anordnung oder Warrant (18 U.S.C. 2703(d))",
    ),
    "18 U.S.C. 2703(f) preservation request": (
        "Demande de conservation (18 U.S.C. 2703(f))",
        "Sicherungsersuchen (18 U.S.C. 2703(f))",
    ),
    "18 U.S.C. 2702(b)(8) emergency disclosure": (
        "Communication d\u2019urgence (18 U.S.C. 2702(b)(8))",
        "Notfallauskunft (18 U.S.C. 2702(b)(8))",
    ),
    "National court order": ("Décision judiciaire nationale", "Nationale gerichtliche Anordnung"),
    "Mutual legal assistance request (MLAT)": (
        "Demande d\u2019entraide judiciaire (MLAT)",
        "Rechtshilfeersuchen (MLAT)",
    ),
    "Trusted flagger notice (DSA Art. 22)": (
        "Notification d\u2019un signaleur de confiance (art. 22 DSA)",
        "Meldung eines vertrauenswürdigen Hinweisgebers (Art. 22 DSA)",
    ),
    "API": ("API", "API"),
    "Hotline report": ("Signalement par la ligne directe", "Meldung über die Hotline"),
    "Username": ("Nom d\u2019utilisateur", "Benutzername"),
    "User id": ("Identifiant d\u2019utilisateur", "Benutzer-ID"),
    "Phone number": ("Numéro de téléphone", "Telefonnummer"),
    "Channel": ("Canal", "Kanal"),
    "Message link": ("Lien vers un message", "Link zu einer Nachricht"),
    "IP addresses": ("Adresses IP", "IP-Adressen"),
    "Issuing authority could not be verified": (
        "L\u2019autorité d\u2019émission n\u2019a pas pu être vérifiée",
        "Die ausstellende Behörde konnte nicht verifiziert werden",
    ),
    "Authority not competent for jurisdiction": (
        "Autorité non compétente pour ce pays",
        "Behörde für dieses Land nicht zuständig",
    ),
    "Legal basis invalid or insufficient": (
        "Base juridique invalide ou insuffisante",
        "Rechtsgrundlage ungültig oder unzureichend",
    ),
    "Legal document missing, invalid or unsigned": (
        "Acte juridique manquant, invalide ou non signé",
        "Rechtsdokument fehlt, ist ungültig oder nicht unterzeichnet",
    ),
    "Target accounts not identifiable": (
        "Comptes visés non identifiables",
        "Betroffene Konten nicht identifizierbar",
    ),
    "Targets did not break the platform's rules": (
        "Les comptes visés n\u2019ont pas enfreint les règles de la plateforme",
        "Die Betroffenen haben nicht gegen die Regeln der Plattform verstoßen",
    ),
    "Data beyond IP addresses and phone number": (
        "Données autres que les adresses IP et le numéro de téléphone",
        "Daten über IP-Adressen und Telefonnummer hinaus",
    ),
    "Request is not proportionate": (
        "Demande non proportionnée",
        "Ersuchen ist nicht verhältnismäßig",
    ),
    "Emergency callback did not confirm the request": (
        "Le rappel de vérification n\u2019a pas confirmé la demande d\u2019urgence",
        "Der Kontrollrückruf hat das Notfallersuchen nicht bestätigt",
    ),
    "Suspected forged or fraudulent request": (
        "Demande soupçonnée d\u2019être falsifiée ou frauduleuse",
        "Verdacht auf ein gefälschtes oder betrügerisches Ersuchen",
    ),
    "Other (see note)": ("Autre (voir la note)", "Sonstiges (siehe Vermerk)"),
    "The order is incomplete": (
        "L\u2019injonction est incomplète",
        "Die Anordnung ist unvollständig",
    ),
    "The order contains manifest errors": (
        "L\u2019injonction contient des erreurs manifestes",
        "Die Anordnung enthält offensichtliche Fehler",
    ),
    "The order does not contain sufficient information to execute it": (
        "L\u2019injonction ne contient pas suffisamment d\u2019informations pour être exécutée",
        "Die Anordnung enthält nicht genügend Informationen, um sie auszuführen",
    ),
    "The data requested is not stored": (
        "Les données demandées ne sont pas conservées",
        "Die angeforderten Daten sind nicht gespeichert",
    ),
    "De facto impossibility, for reasons not attributable to the provider": (
        "Impossibilité de fait, pour des raisons non imputables au fournisseur de services",
        "Faktische Unmöglichkeit aus Gründen, die der Diensteanbieter nicht zu vertreten hat",
    ),
    "The order was not issued or validated by a competent authority": (
        "L\u2019injonction n\u2019a pas été émise ou validée par une autorité compétente",
        "Die Anordnung wurde nicht von einer zuständigen Behörde erlassen oder validiert",
    ),
    "Complying would conflict with the applicable law of a third country": (
        "L\u2019exécution serait contraire au droit applicable d\u2019un pays tiers",
        "Die Befolgung stünde im Widerspruch zum anwendbaren Recht eines Drittstaats",
    ),
    "Corrected by the authority": ("Corrigée par l\u2019autorité", "Von der Behörde berichtigt"),
    "Withdrawn by the authority": ("Retirée par l\u2019autorité", "Von der Behörde zurückgezogen"),
    "Pending": ("En attente", "Ausstehend"),
    "Verified": ("Vérifiée", "Verifiziert"),
    "Suspended": ("Suspendue", "Gesperrt"),
    "Administrator": ("Administrateur", "Administrator"),
    "member": ("membre", "Mitglied"),
    "Delivered": ("Remise", "Zugestellt"),
    "Dead-lettered": ("Abandonnée après échecs", "Endgültig fehlgeschlagen"),
    # The services' errors a console form shows (gettext_noop there: the API stays English;
    # console.forms.apply_service_errors translates them)
    "Kind must be one of %(choices)s.": (
        "Le type doit être l\u2019un des suivants\u202f: %(choices)s.",
        "Die Art muss eine der folgenden sein: %(choices)s.",
    ),
    "NGOs may only send MODERATION_NOTICE requests.": (
        "Les ONG ne peuvent envoyer que des demandes MODERATION_NOTICE.",
        "NGOs dürfen nur Ersuchen der Art MODERATION_NOTICE senden.",
    ),
    "Your organization may not send %(kind)s requests.": (
        "Votre organisation ne peut pas envoyer de demandes %(kind)s.",
        "Ihre Organisation darf keine Ersuchen der Art %(kind)s senden.",
    ),
    "Category must be one of %(choices)s.": (
        "La catégorie doit être l\u2019une des suivantes\u202f: %(choices)s.",
        "Die Kategorie muss eine der folgenden sein: %(choices)s.",
    ),
    "This field is required for this kind of request.": (
        "Ce champ est obligatoire pour ce type de demande.",
        "Dieses Feld ist für diese Art von Ersuchen erforderlich.",
    ),
    "At most %(limit)s characters.": (
        "%(limit)s caractères au maximum.",
        "Höchstens %(limit)s Zeichen.",
    ),
    "At least one target is required.": (
        "Au moins un compte ou contenu visé est requis.",
        "Mindestens ein Ziel ist erforderlich.",
    ),
    "At most %(limit)s targets per request.": (
        "%(limit)s comptes ou contenus visés au maximum par demande.",
        "Höchstens %(limit)s Ziele je Ersuchen.",
    ),
    "%(kind)s targets must be one of %(allowed)s.": (
        "Les cibles d\u2019une demande %(kind)s doivent être de l\u2019un des types "
        "suivants\u202f: %(allowed)s.",
        "Ziele eines Ersuchens der Art %(kind)s müssen eine der folgenden Arten haben: "
        "%(allowed)s.",
    ),
    "This target is listed twice.": (
        "Cette cible figure deux fois.",
        "Dieses Ziel ist doppelt aufgeführt.",
    ),
    "Say which data you need: IP_ADDRESSES and/or PHONE_NUMBER.": (
        "Indiquez les données demandées\u202f: IP_ADDRESSES et/ou PHONE_NUMBER.",
        "Geben Sie an, welche Daten Sie benötigen: IP_ADDRESSES und/oder PHONE_NUMBER.",
    ),
    "%(kind)s requests do not disclose data.": (
        "Une demande %(kind)s ne donne lieu à aucune communication de données.",
        "Ersuchen der Art %(kind)s führen zu keiner Datenauskunft.",
    ),
    "The platform discloses only IP addresses and phone numbers; %(refused)s cannot be "
    "requested.": (
        "La plateforme ne communique que des adresses IP et des numéros de téléphone\u202f; "
        "%(refused)s ne peut pas être demandé.",
        "Die Plattform gibt nur IP-Adressen und Telefonnummern heraus; %(refused)s kann nicht "
        "angefordert werden.",
    ),
    "An idempotency key is 1 to 128 characters.": (
        "Une clé d\u2019idempotence compte de 1 à 128 caractères.",
        "Ein Idempotenzschlüssel hat 1 bis 128 Zeichen.",
    ),
    "Instrument must be one of %(choices)s.": (
        "L\u2019instrument doit être l\u2019un des suivants\u202f: %(choices)s.",
        "Das Instrument muss eines der folgenden sein: %(choices)s.",
    ),
    "Give both ends of the period (periodStart and periodEnd), or neither.": (
        "Indiquez le début et la fin de la période (periodStart et periodEnd), ou ni l\u2019un ni "
        "l\u2019autre.",
        "Geben Sie Beginn und Ende des Zeitraums an (periodStart und periodEnd) oder keines "
        "von beiden.",
    ),
    "Give a time zone, e.g. 2026-01-31T00:00:00Z.": (
        "Indiquez un fuseau horaire, par exemple 2026-01-31T00:00:00Z.",
        "Geben Sie eine Zeitzone an, z.\u202fB. 2026-01-31T00:00:00Z.",
    ),
    "The period must end after it starts.": (
        "La période doit se terminer après son début.",
        "Der Zeitraum muss nach seinem Beginn enden.",
    ),
    "The period cannot reach into the future.": (
        "La période ne peut pas s\u2019étendre dans le futur.",
        "Der Zeitraum darf nicht in die Zukunft reichen.",
    ),
    "The period is at most %(days)s days long.": (
        "La période ne peut excéder %(days)s jours.",
        "Der Zeitraum umfasst höchstens %(days)s Tage.",
    ),
    "Only members of an organization can submit requests.": (
        "Seuls les membres d\u2019une organisation peuvent soumettre des demandes.",
        "Nur Mitglieder einer Organisation können Ersuchen einreichen.",
    ),
    "Your organization is not verified yet. The platform's staff verify new organizations "
    "before they can submit requests; you can still read your existing requests.": (
        "Votre organisation n\u2019est pas encore vérifiée. Les équipes de la plateforme "
        "vérifient les nouvelles organisations avant qu\u2019elles puissent soumettre des "
        "demandes\u202f; vous pouvez toujours consulter vos demandes existantes.",
        "Ihre Organisation ist noch nicht verifiziert. Die Teams der Plattform verifizieren neue "
        "Organisationen, bevor diese Ersuchen einreichen können; Ihre bestehenden Ersuchen "
        "können Sie weiterhin lesen.",
    ),
    "%(value)s is not an ISO 3166-1 alpha-2 country code (e.g. DE, FR, US).": (
        "%(value)s n\u2019est pas un code pays ISO 3166-1 alpha-2 (par exemple DE, FR, US).",
        "%(value)s ist kein Ländercode nach ISO 3166-1 alpha-2 (z.\u202fB. DE, FR, US).",
    ),
    "%(value)s is not an ISO 3166-1 alpha-2 country code in capitals (e.g. DE, FR, US).": (
        "%(value)s n\u2019est pas un code pays ISO 3166-1 alpha-2 en majuscules (par exemple "
        "DE, FR, US).",
        "%(value)s ist kein Ländercode nach ISO 3166-1 alpha-2 in Großbuchstaben (z.\u202fB. DE, "
        "FR, US).",
    ),
    "A target needs a value.": (
        "Une cible doit avoir une valeur.",
        "Ein Ziel braucht einen Wert.",
    ),
    "A target value is at most 300 characters.": (
        "La valeur d\u2019une cible compte 300 caractères au maximum.",
        "Der Wert eines Ziels hat höchstens 300 Zeichen.",
    ),
    "Unknown target kind %(kind)s.": (
        "Type de cible inconnu\u202f: %(kind)s.",
        "Unbekannte Zielart %(kind)s.",
    ),
    "A user id is a positive whole number, written in digits 0-9.": (
        "Un identifiant d\u2019utilisateur est un nombre entier positif, écrit avec les chiffres 0 "
        "à 9.",
        "Eine Benutzer-ID ist eine positive ganze Zahl aus den Ziffern 0 bis 9.",
    ),
    "Not a phone number: write it in E.164 form, e.g. +4915123456789.": (
        "Ce n\u2019est pas un numéro de téléphone\u202f: écrivez-le au format E.164, par exemple "
        "+4915123456789.",
        "Keine Telefonnummer: Schreiben Sie sie im Format E.164, z.\u202fB. +4915123456789.",
    ),
    "Not a valid phone number: write it in E.164 form, e.g. +4915123456789.": (
        "Numéro de téléphone non valide\u202f: écrivez-le au format E.164, par exemple "
        "+4915123456789.",
        "Keine gültige Telefonnummer: Schreiben Sie sie im Format E.164, z.\u202fB. "
        "+4915123456789.",
    ),
    "A channel link is https://t.me/<name>.": (
        "Un lien de canal a la forme https://t.me/<nom>.",
        "Ein Kanallink hat die Form https://t.me/<Name>.",
    ),
    "A username is 5-32 letters, digits or underscores, starts with a letter and does not end "
    "with an underscore.": (
        "Un nom d\u2019utilisateur compte de 5 à 32 lettres, chiffres ou tirets bas, commence par "
        "une lettre et ne se termine pas par un tiret bas.",
        "Ein Benutzername besteht aus 5 bis 32 Buchstaben, Ziffern oder Unterstrichen, beginnt "
        "mit einem Buchstaben und endet nicht mit einem Unterstrich.",
    ),
    "A message link is https://t.me/<channel>/<message id>.": (
        "Un lien de message a la forme https://t.me/<canal>/<numéro du message>.",
        "Ein Nachrichtenlink hat die Form https://t.me/<Kanal>/<Nachrichtennummer>.",
    ),
    "The file is not a PDF (it does not start with %PDF-).": (
        "Le fichier n\u2019est pas un PDF (il ne commence pas par %PDF-).",
        "Die Datei ist kein PDF (sie beginnt nicht mit %PDF-).",
    ),
    "The file is not a complete PDF (no %%EOF trailer).": (
        "Le fichier n\u2019est pas un PDF complet (pas de marqueur final %%EOF).",
        "Die Datei ist kein vollständiges PDF (keine Endmarke %%EOF).",
    ),
    "The file is empty.": ("Le fichier est vide.", "Die Datei ist leer."),
    "The file is larger than %(limit)s MB.": (
        "Le fichier dépasse %(limit)s Mo.",
        "Die Datei ist größer als %(limit)s MB.",
    ),
    "No file was received.": (
        "Aucun fichier n\u2019a été reçu.",
        "Es wurde keine Datei empfangen.",
    ),
    "The request is %(status)s; documents can no longer be attached.": (
        "La demande est au statut %(status)s\u202f: aucun document ne peut plus y être joint.",
        "Das Ersuchen hat den Status %(status)s; Dokumente können nicht mehr beigefügt werden.",
    ),
    "Only the requesting organization can extend its preservation.": (
        "Seule l\u2019organisation requérante peut prolonger sa conservation.",
        "Nur die ersuchende Organisation kann ihre Sicherung verlängern.",
    ),
    "This request has no preservation yet: it is extended once the data is preserved.": (
        "Cette demande n\u2019a pas encore de conservation\u202f: elle se prolonge une fois les "
        "données conservées.",
        "Für dieses Ersuchen besteht noch keine Sicherung: Sie kann verlängert werden, sobald "
        "die Daten gesichert sind.",
    ),
    "Only a production (disclosure) request can name a preservation.": (
        "Seule une demande de production (communication de données) peut désigner une "
        "conservation.",
        "Nur ein Herausgabeersuchen (Datenauskunft) kann eine Sicherung angeben.",
    ),
    "No preservation of your organization with this id.": (
        "Aucune conservation de votre organisation ne porte cet identifiant.",
        "Keine Sicherung Ihrer Organisation mit dieser ID.",
    ),
    "This preservation has ended; the data is no longer kept.": (
        "Cette conservation a pris fin\u202f; les données ne sont plus conservées.",
        "Diese Sicherung ist beendet; die Daten werden nicht mehr aufbewahrt.",
    ),
    "This preservation is already named by your open request %(reference)s.": (
        "Cette conservation est déjà désignée par votre demande en cours %(reference)s.",
        "Diese Sicherung ist bereits in Ihrem offenen Ersuchen %(reference)s angegeben.",
    ),
}

# msgid -> (French singular, plural), (German singular, plural)
PLURALS: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    "%(counter)s request": (
        ("%(counter)s demande", "%(counter)s demandes"),
        ("%(counter)s Ersuchen", "%(counter)s Ersuchen"),
    ),
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
