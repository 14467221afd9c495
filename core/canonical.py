"""The one canonical JSON spelling, and the content hash taken over it.

Records from every source (registry versions, PubMed records) are compared by a hash of their
normalised fields, so a record read twice is not stored twice while any change to a field we
use is noticed. The hash must not depend on key order, spacing or the JSON library, so there
is exactly one spelling: sorted keys, no spaces, UTF-8 unescaped.
"""

from __future__ import annotations

import hashlib
import json

import orjson

CANONICAL_OPTIONS = {"sort_keys": True, "ensure_ascii": False, "separators": (",", ":")}


def canonical_json(value) -> bytes:
    """Sorted keys, no spaces, UTF-8 unescaped: the one spelling of a value's JSON.

    orjson writes exactly what `json.dumps(**CANONICAL_OPTIONS)` writes (a test holds the two
    equal on every real registry record), several times faster; what orjson refuses
    (integers beyond 64 bits) goes to the standard library, so the bytes never depend on
    which library wrote them.
    """
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        return json.dumps(value, **CANONICAL_OPTIONS).encode("utf-8")


def hash_bytes(canonical: bytes) -> str:
    """SHA-256 hex of bytes already in canonical form (the bulk parser makes them once)."""
    return hashlib.sha256(canonical).hexdigest()


def content_hash(value) -> str:
    """SHA-256 hex of the canonical JSON of `value`: equal values hash equal."""
    return hash_bytes(canonical_json(value))


class CanonicalJSONEncoder(json.JSONEncoder):
    """A JSONField encoder that stores `canonical_json`'s text, so the bytes a hash was taken
    over can be stored as they are."""

    def __init__(self, **kwargs):
        kwargs.update(CANONICAL_OPTIONS)
        super().__init__(**kwargs)
