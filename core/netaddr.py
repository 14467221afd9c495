"""The client's address as every limit in the project counts it.

One rule for the application's rate limits and the admin login lock-out, so a proxy set up
for one is trusted by both: the address is REMOTE_ADDR unless a setting names the header a
trusted reverse proxy writes. Behind nginx every request's REMOTE_ADDR is nginx's own, so
without that header all clients would share one count; with it and no proxy, any client could
name its own address. Of a comma-separated header (X-Forwarded-For) only the last entry counts,
the one the proxy appended itself. IPv6 addresses count per /64, the block one subscriber
usually gets.
"""

import ipaddress
from collections.abc import Mapping


def client_address(meta: Mapping[str, str], header: str = "") -> str:
    """The address of `meta` (a request's META) by the rule above; `header` as Django names it,
    e.g. HTTP_X_REAL_IP or HTTP_X_FORWARDED_FOR; empty means REMOTE_ADDR."""
    raw = meta.get(header or "REMOTE_ADDR") or meta.get("REMOTE_ADDR") or ""
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
