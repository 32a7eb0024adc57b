"""The front door (`/`), the integration guide page, the language choice and GraphiQL on
`GET /graphql/` for browsers (Django's test client; the browser tests are in
test_pages_browser.py)."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from graphql import parse, validate

from core.graphql.ids import encode_global_id
from liaison.models import ApiToken
from liaison.tokens import BROWSER_SESSION_TOKEN_LABEL, api_token_authenticate
from portal.graphql.explorer import EXAMPLES
from portal.graphql.schema import schema
from portal.views import _render_markdown
from tests.conftest import GraphQL, Member
from tests.signin import sign_in_staff
from tests.switchboard.conftest import submit_request

HTML = {"HTTP_ACCEPT": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


@pytest.mark.django_db
def test_front_door_says_who_may_send_what_and_links_everywhere(
    policy: None, client: Client
) -> None:
    response = client.get("/")
    assert response.status_code == 200
    page = response.content.decode()
    for link in ("/guide/", "/transparency/", "/hotline/", "/console/", "/docs/integration/"):
        assert f'href="{link}"' in page, link
    # The five kinds, who may send each, the live clocks (the terrorism removal: 1 hour).
    for kind in (
        "DATA_DISCLOSURE",
        "EMERGENCY_DISCLOSURE",
        "PRESERVATION",
        "CONTENT_REMOVAL",
        "MODERATION_NOTICE",
    ):
        assert f'data-kind="{kind}"' in page
    notice = re.search(r'data-kind="MODERATION_NOTICE">(.*?)</tr>', page, re.S)
    assert notice is not None
    assert "Authorities and NGOs" in notice.group(1)
    removal = re.search(r'data-kind="CONTENT_REMOVAL">(.*?)</tr>', page, re.S)
    assert removal is not None
    assert "1 hour" in removal.group(1)
    assert "In an emergency" in page
    assert "emergency services" in page
    assert "How to get access" in page
    # CSP: no inline script anywhere, styles by nonce only.
    assert "<script" not in page
    assert (
        "unsafe-inline"
        not in response["Content-Security-Policy"].split("script-src")[1].split(";")[0]
    )


@pytest.mark.django_db
def test_integration_guide_is_served_rendered_and_escaped(client: Client) -> None:
    response = client.get("/docs/integration/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>" in page
    assert '<pre tabindex="0"><code class="language-python">' in page  # reachable by keyboard
    assert "idempotencyKey" in page
    assert "X-Liaison-Signature" in page
    # Raw HTML in the document is shown as text, never run.
    assert _render_markdown("<script>alert(1)</script>\n") == (
        "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n"
    )


@pytest.mark.django_db
def test_language_from_the_browser_and_switchable(policy: None, client: Client) -> None:
    french = client.get("/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9").content.decode()
    assert '<html lang="fr">' in french
    assert "En cas d\N{RIGHT SINGLE QUOTATION MARK}urgence" in french
    german = client.get("/guide/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert '<html lang="de">' in german
    assert "Wohin" in german
    # The switch: a cookie, then back where the visitor was (never to another site).
    switched = client.get("/language/de/", {"next": "/guide/?kind=PRESERVATION"})
    assert switched.status_code == 302
    assert switched["Location"] == "/guide/?kind=PRESERVATION"
    assert client.cookies["django_language"].value == "de"
    assert '<html lang="de">' in client.get("/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert client.get("/language/fr/", {"next": "https://evil.example/"})["Location"] == "/"
    assert client.cookies["django_language"].value == "fr"
    unknown = client.get("/language/xx/", {"next": "/"})
    assert unknown.status_code == 302
    assert client.cookies["django_language"].value == "fr"


@pytest.mark.django_db
def test_graphiql_for_browsers_from_static_files_under_the_csp(client: Client) -> None:
    response = client.get("/graphql/", **HTML)
    assert response.status_code == 200
    page = response.content.decode()
    assert response["Cache-Control"] == "no-store"
    # Everything from /static/, nothing from a CDN; the one inline script is JSON (not run).
    scripts = re.findall(r"<script([^>]*)>", page)
    assert scripts
    for attributes in scripts:
        assert 'src="/static/' in attributes or 'type="application/json"' in attributes
    assert "unpkg" not in page
    assert "https://" not in page
    csp = response["Content-Security-Policy"]
    script_src = csp.split("script-src")[1].split(";")[0]
    assert "unsafe-inline" not in script_src
    assert "unsafe-eval" not in script_src
    assert "http" not in script_src
    assert "data:" in csp.split("font-src")[1].split(";")[0]
    config = json.loads(
        re.search(
            r'<script id="graphiql-config" type="application/json">(.*?)</script>', page, re.S
        ).group(1)  # type: ignore[union-attr]
    )
    assert config["sessionToken"] == ""
    assert len(config["examples"]) == len(EXAMPLES)


def test_every_example_operation_is_valid_against_the_schema() -> None:
    graphql_schema = schema._schema
    kinds = set()
    for example in EXAMPLES:
        document = parse(example["query"])
        assert validate(graphql_schema, document) == [], example["title"]
        kinds |= {definition.operation.value for definition in document.definitions}  # type: ignore[attr-defined]
        if example.get("variables"):
            json.loads(example["variables"])
    assert kinds == {"query", "mutation", "subscription"}
    text = "\n".join(example["query"] for example in EXAMPLES)
    for name in (
        "viewer",
        "legalRequest(",
        "legalRequests(",
        "routingGuide(",
        "hotlineConversations",
        "disclosurePackage(",
        "submitLegalRequest(",
        "sendHotlineMessage(",
        "withdrawLegalRequest(",
        "answerClarification(",
        "legalRequestUpdates",
        "hotlineMessages(",
    ):
        assert name in text, name


@pytest.mark.django_db
def test_non_browser_get_and_post_keep_their_behaviour(client: Client, gql: GraphQL) -> None:
    # As before GraphiQL existed: no operations over GET, whatever the Accept header.
    for accept, status in (("", 400), ("*/*", 404), ("application/json", 400)):
        response = client.get("/graphql/", HTTP_ACCEPT=accept)
        assert response.status_code == status, accept
        assert b"graphiql" not in response.content.lower()
    with_query = client.get("/graphql/", {"query": "{ viewer { authenticated } }"}, **HTML)
    assert with_query.status_code == 400
    assert b"graphiql" not in with_query.content.lower()
    assert gql("{ viewer { authenticated } }")["data"] == {"viewer": {"authenticated": False}}


@pytest.mark.django_db
def test_a_member_signed_in_with_a_second_factor_gets_a_session_token(
    policy: None, authority: Member, other_authority: Member
) -> None:
    browser = sign_in_staff(Client(), authority.membership.user)  # password + second factor
    config = _config(browser.get("/graphql/", **HTML).content.decode())
    secret = config["sessionToken"]
    assert config["sessionOrganization"] == authority.organization.name
    actor = api_token_authenticate(secret)
    assert actor is not None
    assert actor.organization == authority.organization
    token = ApiToken.objects.get(membership=authority.membership, label=BROWSER_SESSION_TOKEN_LABEL)
    assert round((token.expires_at - token.created_at).total_seconds()) == 3600
    # Reloading reuses it; the token is the member's own organization's, nobody else's.
    assert _config(browser.get("/graphql/", **HTML).content.decode())["sessionToken"] == secret
    assert ApiToken.objects.filter(label=BROWSER_SESSION_TOKEN_LABEL).count() == 1
    viewer = browser.post(
        "/graphql/",
        {"query": "{ viewer { organization { name } } }"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    ).json()
    assert viewer["data"]["viewer"]["organization"]["name"] == authority.organization.name
    # Another organization's request is "not found" for it, like for any of the member's tokens.
    foreign = submit_request(other_authority, reference="FOREIGN-1")
    own = submit_request(authority, reference="OWN-1")
    for legal_request, expected in ((foreign, None), (own, "OWN-1")):
        answer = browser.post(
            "/graphql/",
            {
                "query": "query($id: ID!) { legalRequest(id: $id) { reference } }",
                "variables": {"id": encode_global_id("LegalRequest", str(legal_request.pk))},
            },
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {secret}",
        ).json()["data"]["legalRequest"]
        assert (answer and answer["reference"]) == expected
    # The session cookie itself still authenticates nothing on POST /graphql/.
    anonymous = browser.post(
        "/graphql/", {"query": "{ viewer { authenticated } }"}, content_type="application/json"
    ).json()
    assert anonymous["data"]["viewer"]["authenticated"] is False


@pytest.mark.django_db
def test_a_password_alone_gets_no_session_token(authority: Member) -> None:
    browser = Client()
    browser.force_login(authority.membership.user)  # no second factor in this session
    assert _config(browser.get("/graphql/", **HTML).content.decode())["sessionToken"] == ""
    assert not ApiToken.objects.filter(label=BROWSER_SESSION_TOKEN_LABEL).exists()


def _config(page: str) -> dict:
    match = re.search(
        r'<script id="graphiql-config" type="application/json">(.*?)</script>', page, re.S
    )
    assert match is not None
    return json.loads(match.group(1))
