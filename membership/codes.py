"""Application codes: the applicant's only key to their application.

A code is 20 random Crockford base-32 characters (100 bits) in groups of four, easy to read
aloud and to type on a phone. Only a keyed digest is stored: HMAC-SHA256, under a key derived
from DJANGO_SECRET_KEY (which lives in the environment, never in the database), of the code's
SHA-256. So the database or a backup alone can neither open nor withdraw an application, and
cannot even test guesses offline. Neither the session nor any other table holds the code: it
is shown once, on the receipt, and re-entering it is the only way back. Guessing is hopeless
(2^100 codes, and lookups are rate limited), and lookups go by digest, so the time a lookup
takes says nothing about other codes.

The inner SHA-256 is what was stored before the digest was keyed (migration 0003 re-keys those
rows), and keys from SECRET_KEY_FALLBACKS are still accepted, so rotating the secret key does not
lock applicants out.
"""

import hashlib
import hmac
import re
import secrets

from django.conf import settings
from django.utils.crypto import salted_hmac

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
GROUPS = 5
GROUP_LENGTH = 4
CODE_LENGTH = GROUPS * GROUP_LENGTH
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})
_SEPARATORS = re.compile(r"[\s\-_.·—–]+")


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return format_code(raw)


def format_code(raw: str) -> str:
    return "-".join(raw[i : i + GROUP_LENGTH] for i in range(0, len(raw), GROUP_LENGTH))


def normalise(text: str) -> str | None:
    """The canonical form of what an applicant typed, or None if it cannot be a code."""
    candidate = _SEPARATORS.sub("", (text or "").upper()).translate(_CONFUSABLE)
    if len(candidate) != CODE_LENGTH or any(char not in ALPHABET for char in candidate):
        return None
    return candidate


DIGEST_SALT = "membership.codes.digest"


def plain_digest(text: str) -> str:
    """The unkeyed SHA-256 of the canonical code; malformed input gets one no code can have."""
    canonical = normalise(text)
    material = canonical if canonical is not None else "\x00invalid\x00" + (text or "")[:64]
    return hashlib.sha256(material.encode()).hexdigest()


def keyed(plain: str, *, secret: str | None = None) -> str:
    """The stored form of an unkeyed digest, under a key derived from the secret key."""
    return salted_hmac(
        DIGEST_SALT, plain, secret=secret or settings.SECRET_KEY, algorithm="sha256"
    ).hexdigest()


def digest(text: str) -> str:
    """The stored form of a code."""
    return keyed(plain_digest(text))


def candidate_digests(text: str) -> list[str]:
    """The code's digest under the current secret key and each of SECRET_KEY_FALLBACKS."""
    plain = plain_digest(text)
    secrets_in_use = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [keyed(plain, secret=secret) for secret in secrets_in_use]


def same_digest(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
