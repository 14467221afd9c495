"""Encryption of applicants' personal data and proofs of diagnosis.

Keys come from MEMBERSHIP_ENCRYPTION_KEYS: comma-separated Fernet keys, the first encrypts and
all decrypt (MultiFernet), so a key is rotated by putting a new one first, running
`manage.py rotate_membership_key`, then removing the old one. With DJANGO_DEBUG=false the
variable is required (settings stop start-up naming it); in the demo and the tests a missing
key is replaced by a development key derived from the secret key, with a loud warning, so that
nobody mistakes the demo for a safe place for real proofs.
"""

import base64
import hashlib
import logging

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)

KEYS_VARIABLE = "MEMBERSHIP_ENCRYPTION_KEYS"
DEVELOPMENT_KEY_LABEL = b"living-handbook membership DEVELOPMENT key, never for real data:"
KEY_HELP = (
    'generate one with: python3 -c "from cryptography.fernet import Fernet; '
    'print(Fernet.generate_key().decode())"'
)

_warned_about_development_key = False

__all__ = ["InvalidToken", "cipher", "decrypt", "encrypt", "using_development_key"]


def development_key() -> bytes:
    """A key derived from SECRET_KEY: stable across restarts of the demo, useless in production."""
    digest = hashlib.sha256(DEVELOPMENT_KEY_LABEL + settings.SECRET_KEY.encode()).digest()
    return base64.urlsafe_b64encode(digest)


def using_development_key() -> bool:
    return not configured_keys()


def configured_keys() -> list[str]:
    return [key.strip() for key in getattr(settings, "MEMBERSHIP_ENCRYPTION_KEYS", []) if key]


def validate_keys() -> None:
    """Stop start-up on a malformed key, naming the variable and the key's position (not its value)."""
    for number, key in enumerate(configured_keys(), start=1):
        try:
            Fernet(key.encode())
        except (ValueError, TypeError) as exc:
            raise ImproperlyConfigured(
                f"{KEYS_VARIABLE}: key number {number} is not a valid Fernet key "
                f"(32 url-safe base64-encoded bytes); {KEY_HELP}"
            ) from exc
    if not configured_keys() and not settings.DEBUG:
        raise ImproperlyConfigured(
            f"The environment variable {KEYS_VARIABLE} must be set (see .env.example); {KEY_HELP}"
        )


def cipher() -> MultiFernet:
    global _warned_about_development_key
    keys = configured_keys()
    if keys:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    if not settings.DEBUG:
        validate_keys()
    if not _warned_about_development_key:
        logger.warning(
            "%s is not set: using a DEVELOPMENT encryption key derived from DJANGO_SECRET_KEY. "
            "Fine for the demo and tests, never for real applications.",
            KEYS_VARIABLE,
        )
        _warned_about_development_key = True
    return MultiFernet([Fernet(development_key())])


def encrypt(plaintext: bytes) -> bytes:
    """Encrypt with the first key; the result is the Fernet token's raw bytes (no base64 bloat)."""
    return base64.urlsafe_b64decode(cipher().encrypt(plaintext))


def decrypt(ciphertext: bytes) -> bytes:
    return cipher().decrypt(base64.urlsafe_b64encode(ciphertext))


def rotate(ciphertext: bytes) -> bytes:
    """Re-encrypt with the first key whatever key encrypted it (raises InvalidToken if none did)."""
    token = cipher().rotate(base64.urlsafe_b64encode(ciphertext))
    return base64.urlsafe_b64decode(token)


def encrypt_text(text: str) -> str:
    return cipher().encrypt(text.encode()).decode("ascii")


def decrypt_text(token: str) -> str:
    return cipher().decrypt(token.encode("ascii")).decode()


def rotate_text(token: str) -> str:
    return cipher().rotate(token.encode("ascii")).decode("ascii")
