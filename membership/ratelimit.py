"""Small fixed-window rate limits on Django's cache, without another dependency.

Counters live in the default cache (local memory unless CACHES says otherwise; with several
server processes each keeps its own count, so the effective limit is per process). Keys hold a
keyed hash of the IP address or contact, never the value itself. IPv6 addresses count per /64,
the block one subscriber usually gets.
"""

import hashlib
import hmac
import ipaddress
import time

from django.conf import settings
from django.core.cache import cache

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
    header = settings.MEMBERSHIP_CLIENT_IP_HEADER or "REMOTE_ADDR"
    raw = request.META.get(header) or request.META.get("REMOTE_ADDR") or ""
    candidate = raw.split(",")[-1].strip()
    try:
        address = ipaddress.ip_address(candidate)
    except ValueError:
        return candidate[:64]
    if address.version == 6:
        if address.ipv4_mapped:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def normalise_contact(contact: str) -> str:
    return "".join(contact.split()).replace("-", "").lower()


def allow_application_from_ip(request) -> bool:
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


def allow_lookup(request) -> bool:
    return hit(
        "lookup", client_ip(request), limit=settings.MEMBERSHIP_LOOKUP_LIMIT_PER_IP, window=HOUR
    )
