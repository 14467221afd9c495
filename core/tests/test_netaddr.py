"""The client address every limit counts by (core.netaddr)."""

from core.netaddr import client_address


def test_without_a_trusted_header_only_the_connection_counts():
    meta = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.9"}
    assert client_address(meta) == "127.0.0.1"


def test_behind_a_trusted_proxy_the_last_forwarded_entry_counts():
    meta = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 203.0.113.10"}
    assert client_address(meta, "HTTP_X_FORWARDED_FOR") == "203.0.113.10"
    assert client_address({"REMOTE_ADDR": "127.0.0.1"}, "HTTP_X_REAL_IP") == "127.0.0.1"


def test_ipv6_counts_per_64_and_mapped_ipv4_as_ipv4():
    assert client_address({"REMOTE_ADDR": "2001:db8:1:2::1"}) == "2001:db8:1:2::/64"
    assert client_address({"REMOTE_ADDR": "::ffff:192.0.2.4"}) == "192.0.2.4"
