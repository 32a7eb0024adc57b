"""Secrets and production settings: no public SECRET_KEY, https headers, CSP everywhere, shared
documents and signing key.

Before: with SECRET_KEY unset the portal silently used a public default (compose another one);
only /hotline/ had a CSP and /static/ had no security header at all; every compose container
generated its own signing key and kept uploaded documents on its own disk.
Now: every entry point but `make run` refuses to start without SECRET_KEY (make run keeps one in
var/secret-key); HTTPS=true brings secure cookies, the https redirect and HSTS; one CSP for every
response, /static/ included; `check --deploy` is clean with the production settings; compose
takes one signing key from a secret and the documents live in S3-compatible storage (MinIO).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import stat
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.test import Client

from liaison.models import LegalDocument
from portal import run
from tests.conftest import Member
from tests.factories import StaffUserFactory
from tests.liaison.conftest import submit
from tests.liaison.test_documents import PDF, gid, upload
from tests.realthings import ROOT, running_portal
from tests.security.conftest import PortalServer
from tests.signin import sign_in_staff

# Where nothing listens: the settings are imported, nothing is connected to.
NOWHERE = {
    "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
    "REDIS_URL": "redis://127.0.0.1:1/0",
}
MISSING = "django.core.exceptions.ImproperlyConfigured: SECRET_KEY is not set"
PRODUCTION = {
    "DEBUG": "false",
    "HTTPS": "true",
    "ALLOWED_HOSTS": "portal.example.org",
}


def clean_env(tmp_path: Path, **variables: str) -> dict[str, str]:
    """An environment with none of the developer's or the test run's settings in it (no
    SECRET_KEY), and var/ in a temporary folder."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "LIAISON_VAR_DIR": str(tmp_path / "var"),
        **variables,
    }


def python(
    env: dict[str, str], *args: str, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=timeout, check=False,
    )  # fmt: skip


SHOW_SETTINGS = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "from django.core.files.storage import storages; d = storages['default']; "
    "print(json.dumps({'SECRET_KEY': s.SECRET_KEY, 'SIGNING_KEY': s.SIGNING_KEY, "
    "'storage': type(d).__module__ + '.' + type(d).__name__, "
    "'storage_settings': {k: str(getattr(d, k, None)) for k in ('location', 'bucket_name', "
    "'endpoint_url', 'access_key', 'secret_key', 'addressing_style', 'file_overwrite', "
    "'default_acl', 'querystring_auth')}}))"
)


def show_settings(env: dict[str, str]) -> dict[str, Any]:
    result = python(env, "-c", SHOW_SETTINGS)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- SECRET_KEY ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entry_point", "database"),
    [
        (["-c", "import django; django.setup()"], NOWHERE),
        # What uvicorn and celery import, also on a machine with the embedded default.
        (["-m", "uvicorn", "portal.asgi:application", "--port", "0"], NOWHERE),
        (["-m", "uvicorn", "portal.asgi:application", "--port", "0"], {}),
        (["-m", "celery", "-A", "portal", "worker", "-Q", "urgent", "-c", "1"], NOWHERE),
        # manage.py in production (a DATABASE_URL, DEBUG off).
        (["manage.py", "check"], NOWHERE),
    ],
    ids=["settings", "uvicorn", "uvicorn-embedded-default", "celery", "manage.py"],
)
def test_every_entry_point_refuses_to_start_without_a_secret_key(
    tmp_path: Path, entry_point: list[str], database: dict[str, str]
) -> None:
    result = python(clean_env(tmp_path, **database), *entry_point)
    assert result.returncode != 0
    assert MISSING in result.stderr, result.stderr[-3000:]
    message = next(line for line in result.stderr.splitlines() if MISSING in line)
    assert "SECRET_KEY_FILE" in message  # says what to do
    assert "make run" in message
    assert not (tmp_path / "var" / "secret-key").exists()  # and made none up


def test_debug_uses_the_development_key_of_var(tmp_path: Path) -> None:
    shown = show_settings(clean_env(tmp_path, DEBUG="true", **NOWHERE))
    key_file = tmp_path / "var" / "secret-key"
    assert shown["SECRET_KEY"] == key_file.read_text().strip()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_manage_py_on_the_embedded_default_uses_make_runs_key(tmp_path: Path) -> None:
    # `help` starts no embedded server; it lists the portal's commands only if settings loaded.
    env = clean_env(tmp_path, REDIS_URL=NOWHERE["REDIS_URL"])
    result = python(env, "manage.py", "help")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "not properly configured" not in result.stdout + result.stderr
    assert "seed_demo" in result.stdout
    key_file = tmp_path / "var" / "secret-key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert run.secret_key.load_or_create(key_file) == key_file.read_text().strip()


def test_keys_can_come_from_files(tmp_path: Path) -> None:
    secret = tmp_path / "secret_key"
    secret.write_text("from-a-file-" + "x" * 60 + "\n")
    signing = tmp_path / "signing_key"
    signing.write_text("c2lnbmluZy1rZXktMzItYnl0ZXMtZXhhY3RseS4uLi4=\n")
    shown = show_settings(
        clean_env(tmp_path, SECRET_KEY_FILE=str(secret), SIGNING_KEY_FILE=str(signing), **NOWHERE)
    )
    assert shown["SECRET_KEY"] == "from-a-file-" + "x" * 60
    assert shown["SIGNING_KEY"] == "c2lnbmluZy1rZXktMzItYnl0ZXMtZXhhY3RseS4uLi4="


@pytest.mark.parametrize("variable", ["SECRET_KEY_FILE", "SIGNING_KEY_FILE"])
def test_a_missing_key_file_is_refused_by_name(tmp_path: Path, variable: str) -> None:
    env = clean_env(tmp_path, **NOWHERE)
    if variable != "SECRET_KEY_FILE":
        env["SECRET_KEY"] = "k" * 60
    env[variable] = str(tmp_path / "no-such-file")
    result = python(env, "-c", "import django; django.setup()")
    assert result.returncode != 0
    assert f"ImproperlyConfigured: {variable} is {tmp_path / 'no-such-file'}" in result.stderr


def test_make_run_generates_the_key_once_and_reuses_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "var" / "secret-key"
    first: dict[str, str] = {}
    run.ensure_secret_key(first, path)
    assert len(first["SECRET_KEY"]) >= 50
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert f"SECRET_KEY generated into {path}" in capsys.readouterr().out

    second: dict[str, str] = {}
    run.ensure_secret_key(second, path)  # the next `make run`
    assert second["SECRET_KEY"] == first["SECRET_KEY"]
    assert f"SECRET_KEY from {path}" in capsys.readouterr().out

    path.chmod(0o644)  # a key others can read is made private again
    run.ensure_secret_key({}, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_make_run_keeps_a_key_it_is_given(tmp_path: Path) -> None:
    path = tmp_path / "secret-key"
    given = {"SECRET_KEY": "given"}
    run.ensure_secret_key(given, path)
    from_file = {"SECRET_KEY_FILE": "/run/secrets/secret_key"}
    run.ensure_secret_key(from_file, path)
    assert given == {"SECRET_KEY": "given"}
    assert from_file == {"SECRET_KEY_FILE": "/run/secrets/secret_key"}
    assert not path.exists()


# --- manage.py check --deploy -------------------------------------------------------------------


def test_check_deploy_is_clean_with_the_production_settings(tmp_path: Path) -> None:
    env = clean_env(tmp_path, SECRET_KEY=secrets.token_urlsafe(50), **PRODUCTION, **NOWHERE)
    result = python(env, "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_fails_on_plain_http(tmp_path: Path) -> None:
    """What CI's check stands for: forget HTTPS=true in production and it fails."""
    env = clean_env(tmp_path, SECRET_KEY=secrets.token_urlsafe(50), **PRODUCTION, **NOWHERE)
    env["HTTPS"] = "false"
    result = python(env, "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in result.stderr + result.stdout


# --- headers of pages and static files, on the real server --------------------------------------


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, Any, bytes]:
    """GET without following redirects: status, headers, body."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - http only
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


PAGES = ["/guide/", "/accounts/login/", "/hotline/", "/static/hotline/chat.css",
         "/static/admin/css/base.css", "/static/no-such-file.css"]  # fmt: skip


def csp(headers: Any) -> dict[str, str]:
    """The Content-Security-Policy header as {directive: sources}."""
    directives = {}
    for part in (headers["Content-Security-Policy"] or "").split(";"):
        name, _, sources = part.strip().partition(" ")
        directives[name] = sources
    return directives


@pytest.mark.parametrize("path", PAGES)
def test_pages_and_static_files_carry_csp_and_nosniff(
    portal_server: PortalServer, path: str
) -> None:
    status, headers, _ = fetch(portal_server.url + path)
    assert status == (404 if "no-such-file" in path else 200)
    policy = csp(headers)
    assert policy["default-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy["script-src"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Strict-Transport-Security"] is None  # plain http: never


def test_the_hotline_keeps_its_stricter_policy(portal_server: PortalServer) -> None:
    _, headers, _ = fetch(portal_server.url + "/hotline/")
    policy = csp(headers)
    assert policy["form-action"] == "'none'"
    assert "style-src-attr" not in policy
    assert policy["connect-src"] == "'self'"


def test_an_inline_style_needs_the_pages_nonce(portal_server: PortalServer) -> None:
    _, headers, body = fetch(portal_server.url + "/guide/")
    nonce = re.search(rb'<style nonce="([^"]+)">', body)
    assert nonce is not None
    assert f"'nonce-{nonce.group(1).decode()}'" in csp(headers)["style-src"]


@pytest.fixture(scope="module")
def https_server(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """uvicorn with HTTPS=true behind a (pretend) TLS proxy on 127.0.0.1: uvicorn takes the
    scheme from X-Forwarded-Proto of that address."""
    with running_portal(
        tmp_path_factory.mktemp("https-server") / "uvicorn.log",
        env={"HTTPS": "true", "HSTS_SECONDS": str(365 * 24 * 3600)},
        uvicorn_args=("--proxy-headers", "--forwarded-allow-ips", "127.0.0.1"),
    ) as server:
        yield server.url


HTTPS_PROXY = {"X-Forwarded-Proto": "https"}


def test_https_redirects_plain_http_but_not_the_health_check(https_server: str) -> None:
    status, headers, _ = fetch(https_server + "/guide/")
    assert status == 301
    assert headers["Location"].startswith("https://")
    assert fetch(https_server + "/healthz")[0] == 200  # container health checks


@pytest.mark.parametrize("path", ["/guide/", "/accounts/login/", "/static/hotline/chat.css"])
def test_https_pages_and_static_files_carry_hsts(https_server: str, path: str) -> None:
    status, headers, _ = fetch(https_server + path, HTTPS_PROXY)
    assert status == 200
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert csp(headers)["default-src"] == "'self'"
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_https_cookies_are_secure(https_server: str) -> None:
    _, headers, _ = fetch(https_server + "/accounts/login/", HTTPS_PROXY)
    cookies = headers.get_all("Set-Cookie") or []
    csrf = next(cookie for cookie in cookies if cookie.startswith("csrftoken="))
    assert "; Secure" in csrf


# --- shared storage: documents on S3, the signing key from a secret ------------------------------


def test_s3_storage_comes_from_the_environment(tmp_path: Path) -> None:
    password = tmp_path / "minio-password"
    password.write_text("minio-secret\n")
    env = clean_env(
        tmp_path,
        SECRET_KEY="k" * 60,
        AWS_STORAGE_BUCKET_NAME="liaison-documents",
        AWS_S3_ENDPOINT_URL="http://minio:9000",
        AWS_S3_ADDRESSING_STYLE="path",
        AWS_ACCESS_KEY_ID="liaison",
        AWS_SECRET_ACCESS_KEY_FILE=str(password),
        **NOWHERE,
    )
    shown = show_settings(env)
    assert shown["storage"] == "storages.backends.s3.S3Storage"
    assert shown["storage_settings"] | {"location": ""} == {
        "location": "",
        "bucket_name": "liaison-documents",
        "endpoint_url": "http://minio:9000",
        "access_key": "liaison",
        "secret_key": "minio-secret",
        "addressing_style": "path",
        "file_overwrite": "False",  # a name is never reused for another document
        "default_acl": "None",  # private
        "querystring_auth": "True",
    }


def test_the_default_storage_is_the_local_disk(tmp_path: Path) -> None:
    shown = show_settings(clean_env(tmp_path, SECRET_KEY="k" * 60, **NOWHERE))
    assert shown["storage"] == "django.core.files.storage.filesystem.FileSystemStorage"
    assert shown["storage_settings"]["location"] == str(ROOT / "var" / "media")


@pytest.fixture
def s3_bucket(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Documents go to a bucket of an in-process S3 (moto), as they go to MinIO in compose."""
    from moto import mock_aws

    for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(variable, "testing")
    with mock_aws():
        import boto3

        s3 = boto3.resource("s3", region_name="us-east-1")
        bucket = s3.create_bucket(Bucket="liaison-documents")
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {"bucket_name": "liaison-documents", "region_name": "us-east-1",
                            "default_acl": None, "file_overwrite": False},
            },
        }  # fmt: skip
        yield bucket


@pytest.mark.django_db
def test_documents_work_on_s3_storage(client: Client, authority: Member, s3_bucket: Any) -> None:
    legal_request = submit(authority, with_document=False)
    result = upload(client, authority, gid(legal_request), PDF)
    assert result["__typename"] == "LegalDocument", result
    document = LegalDocument.objects.get()
    [stored] = list(s3_bucket.objects.all())
    assert stored.key == document.file.name
    assert stored.get()["Body"].read() == PDF
    with pytest.raises(NotImplementedError):
        _ = document.file.path  # not on a local disk: the code must not need one

    own = client.get(result["downloadPath"], HTTP_AUTHORIZATION=f"Bearer {authority.token}")
    assert own.status_code == 200
    assert b"".join(own.streaming_content) == PDF
    staff = sign_in_staff(Client(), StaffUserFactory())  # admin takes the second factor
    admin_url = f"/admin/liaison/legalrequest/{legal_request.pk}/documents/{document.pk}/"
    response = staff.get(admin_url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF


PORTAL_SERVICES = ["migrate", "web", "worker-urgent", "worker-default", "beat"]


def test_compose_shares_one_secret_key_signing_key_and_document_store() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    for name in PORTAL_SERVICES:
        environment = services[name]["environment"]
        assert environment["SECRET_KEY"].startswith("${SECRET_KEY:?"), name  # required
        assert environment["SIGNING_KEY_FILE"] == "/run/secrets/signing_key", name
        assert "signing_key" in services[name]["secrets"], name
        assert environment["AWS_STORAGE_BUCKET_NAME"], name
        assert environment["AWS_S3_ENDPOINT_URL"] == "http://minio:9000", name
        assert environment["HTTPS"] == "${HTTPS:-true}", name
    assert compose["secrets"]["signing_key"]["file"].startswith("${SIGNING_KEY_FILE:?")
    assert "minio" in services
    assert "documents-bucket" in services["web"]["depends_on"]
