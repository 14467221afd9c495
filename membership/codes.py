"""Application codes: the applicant's only key to their application.

A code is 20 random Crockford base-32 characters (100 bits) in groups of four, easy to read
aloud and to type on a phone; only its SHA-256 digest is stored, so the database alone cannot
be used to look at anyone's status. Guessing is hopeless (2^100 codes, and lookups are rate
limited), and lookups go by digest, so the time a lookup takes says nothing about other codes.
"""

import hashlib
import hmac
import re
import secrets

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


def digest(text: str) -> str:
    """The stored form of a code; malformed input gets the digest of a value no code can have."""
    canonical = normalise(text)
    material = canonical if canonical is not None else "\x00invalid\x00" + (text or "")[:64]
    return hashlib.sha256(material.encode()).hexdigest()


def same_digest(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
