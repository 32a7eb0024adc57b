"""The deployment's Ed25519 key that signs disclosure packages, and signature checks.

The private key comes from the environment (`SIGNING_KEY`: base64 of the 32 raw bytes, or a PEM
private key) or, when unset, from `SIGNING_KEY_PATH` (default var/signing-key.pem), generated
there once with mode 0600. The public key is published at /.well-known/liaison-signing-key and
in the schema (`signingKey`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import os
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

logger = logging.getLogger(__name__)
ALGORITHM = "Ed25519"


@dataclass(frozen=True)
class PublicKeyInfo:
    """What verifiers need: the raw public key (base64), its PEM form and its fingerprint."""

    algorithm: str
    public_key: str
    public_key_pem: str
    key_id: str


def _parse_key(raw: str) -> Ed25519PrivateKey:
    text = raw.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_private_key(text.encode(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ImproperlyConfigured("SIGNING_KEY is a PEM key, but not an Ed25519 one.")
        return key
    try:
        seed = base64.b64decode(text, validate=True)
    except binascii.Error as error:
        raise ImproperlyConfigured("SIGNING_KEY is neither PEM nor base64.") from error
    if len(seed) != 32:
        raise ImproperlyConfigured("SIGNING_KEY must be the 32 raw bytes of an Ed25519 key.")
    return Ed25519PrivateKey.from_private_bytes(seed)


def _load_or_create_file(path: Path) -> Ed25519PrivateKey:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        # Written to a private temporary file, then linked into place: a concurrent process
        # either wins the link or reads the complete file the other one wrote.
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".signing-key-")
        try:
            os.fchmod(fd, 0o600)
            os.write(fd, pem)
            os.close(fd)
            try:
                os.link(temporary, path)
                logger.warning("signing: generated a new Ed25519 signing key in %s", path)
            except FileExistsError:
                pass
        finally:
            os.unlink(temporary)
    return _parse_key(path.read_text())


@cache
def signing_key() -> Ed25519PrivateKey:
    """The deployment's private key (loaded once per process)."""
    raw = getattr(settings, "SIGNING_KEY", "") or ""
    if raw:
        return _parse_key(raw)
    return _load_or_create_file(Path(settings.SIGNING_KEY_PATH))


@receiver(setting_changed)
def _forget_key(*, setting: str, **kwargs: object) -> None:
    """Tests (and only tests) change the key settings at run time."""
    if setting in ("SIGNING_KEY", "SIGNING_KEY_PATH"):
        signing_key.cache_clear()


def public_key() -> Ed25519PublicKey:
    """The public half of the deployment's key."""
    return signing_key().public_key()


def public_key_info() -> PublicKeyInfo:
    """The public key in the forms authorities use to verify packages."""
    key = public_key()
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    pem = key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    return PublicKeyInfo(
        algorithm=ALGORITHM,
        public_key=base64.b64encode(raw).decode(),
        public_key_pem=pem,
        key_id=hashlib.sha256(raw).hexdigest()[:32],
    )


def sign(message: bytes) -> str:
    """Sign bytes with the deployment's key; the signature as base64."""
    return base64.b64encode(signing_key().sign(message)).decode()


def verify(message: bytes, signature: str) -> bool:
    """Whether `signature` (base64) is the deployment key's signature of `message`."""
    try:
        public_key().verify(base64.b64decode(signature, validate=True), message)
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True
