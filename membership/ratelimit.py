"""Small fixed-window rate limits on Django's cache, without another dependency.

Counters live in the default cache, which is shared by every server process (the database
cache, or Redis or memcached when CACHE_URL names one; ADR 0016), so a limit holds across
gunicorn workers. Keys hold a keyed hash of the IP address or contact, never the value itself.
The views count an attempt only once it has passed the CSRF check and its form is valid: a
request any web page can make a visitor's browser send must not use up the limit of a shared
address. The client address is `core.netaddr.client_address`'s (IPv6 per /64).
"""

import hashlib
import hmac
import time

from django.conf import settings
from django.core.cache import cache

from core.netaddr import client_address

HOUR = 3600
DAY = 24 * HOUR


def _hash(value: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:32]


def hit(scope: str, identity: str, *, limit: int, window: int) -> bool:
    """Count one attempt; False once `identity` has made more than `limit` in this window."""
    if limit <= 0 or not identity:
        return True
    bucket = int(time.time() // window)
    key = f"membership:rate:{scope}:{bucket}:{_hash(identity)}"
    cache.add(key, 0, timeout=window + 60)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=window + 60)
        count = 1
    return count <= limit


def reached(scope: str, identity: str, *, limit: int, window: int) -> bool:
    """True if `identity` has already used up its `limit` in this window (counts nothing)."""
    if limit <= 0 or not identity:
        return False
    bucket = int(time.time() // window)
    return (cache.get(f"membership:rate:{scope}:{bucket}:{_hash(identity)}") or 0) >= limit


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or the header a trusted reverse proxy sets."""
    return client_address(request.META, settings.MEMBERSHIP_CLIENT_IP_HEADER)


def normalise_contact(contact: str) -> str:
    return "".join(contact.split()).replace("-", "").lower()


def application_limit_reached(request) -> bool:
    """Checked before an upload is parsed; counts nothing (`allow_application_from_ip` does)."""
    return reached(
        "apply-ip", client_ip(request), limit=settings.MEMBERSHIP_APPLY_LIMIT_PER_IP, window=HOUR
    )


def allow_application_from_ip(request) -> bool:
    """Counts one application that passed CSRF and validation; False once over the limit."""
    return hit(
        "apply-ip", client_ip(request), limit=settings.MEMBERSHIP_APPLY_LIMIT_PER_IP, window=HOUR
    )


def contact_has_applied_enough(contact: str) -> bool:
    """Checked before the (costly) proof is examined; only accepted applications count."""
    return reached(
        "apply-contact",
        normalise_contact(contact),
        limit=settings.MEMBERSHIP_APPLY_LIMIT_PER_CONTACT,
        window=DAY,
    )


def count_application_for_contact(contact: str) -> None:
    hit(
        "apply-contact",
        normalise_contact(contact),
        limit=settings.MEMBERSHIP_APPLY_LIMIT_PER_CONTACT,
        window=DAY,
    )


def lookup_limit_reached(request) -> bool:
    """Checked before a reply's upload is parsed; counts nothing (`allow_lookup` does)."""
    return reached(
        "lookup", client_ip(request), limit=settings.MEMBERSHIP_LOOKUP_LIMIT_PER_IP, window=HOUR
    )


def allow_lookup(request) -> bool:
    """Counts one look-up of a code that passed CSRF (and, where there is one, the form's
    validation); False once over the limit, whatever the code."""
    return hit(
        "lookup", client_ip(request), limit=settings.MEMBERSHIP_LOOKUP_LIMIT_PER_IP, window=HOUR
    )
