"""Keep tests on this machine: connections and look-ups of other hosts raise NetworkBlocked."""

import socket

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", None, ""}


class NetworkBlocked(RuntimeError):
    pass


def block_network(monkeypatch) -> None:
    real_connect = socket.socket.connect
    real_getaddrinfo = socket.getaddrinfo

    def connect(self, address):
        host = address[0] if isinstance(address, tuple) else None
        if self.family != socket.AF_UNIX and host not in LOCAL_HOSTS:
            raise NetworkBlocked(f"test tried to connect to {address!r}")
        return real_connect(self, address)

    def getaddrinfo(host, *args, **kwargs):
        if host not in LOCAL_HOSTS:
            raise NetworkBlocked(f"test tried to look up {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
