"""The dev server's defences against other sites and slow clients (SECURITY.md, "The dev server
answers only this machine"): which ``Host`` names it answers to, and the deadline a client has to
send a whole request head.
"""

from __future__ import annotations

import io
import ipaddress
import re
import socket
import time
from typing import Any

_LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})
_WILDCARD = frozenset({"", "0.0.0.0", "::"})
# Host = name or IP literal (IPv6 in brackets), then an optional port; no user info, no path.
_HOST = re.compile(r"(?:\[(?P<ip6>[0-9A-Fa-f:.]+)\]|(?P<name>[^\s:@/\[\]]+))(?::\d{1,5})?")


def host_names(host: str) -> tuple[frozenset[str], bool]:
    """The names a ``Host`` header may give for a server bound to ``host``, and whether any IP
    address may be given too: on a wildcard address other machines reach it by theirs, and an
    address (unlike a name) cannot be rebound to this machine by someone else's DNS."""
    bound = host.strip("[]").lower()
    if bound in _WILDCARD:
        return _LOOPBACK | {socket.gethostname().lower()}, True
    return _LOOPBACK | {bound}, False


def names_this_server(header: str, names: frozenset[str], any_ip: bool) -> bool:
    """Whether a ``Host`` header gives one of ``names`` (or any IP address when ``any_ip``), at any
    port: an SSH tunnel may change it. A page elsewhere cannot rebind its own DNS name to 127.0.0.1
    and read the preview, since its name is not one of these."""
    match = _HOST.fullmatch(header.strip())
    if match is None:
        return False
    name = (match["ip6"] or match["name"]).lower()
    return name in names or (any_ip and _is_ip(name))


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


class HeadReader(io.RawIOBase):
    """The socket, read with one deadline for a whole request head: a client that sends nothing,
    half a request, or a byte every few seconds is dropped when the time is up (TimeoutError)."""

    def __init__(self, sock: socket.socket) -> None:
        super().__init__()
        self._sock = sock
        self.deadline = 0.0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the request did not arrive in time")
        self._sock.settimeout(left)
        return self._sock.recv_into(buffer)
