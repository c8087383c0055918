"""Which address a request came from, for per-address throttling (pure).

Azure Functions sits behind the platform's front end, which appends the address it received the
connection from to `X-Forwarded-For` (with the port); anything before that entry was written by the
client and is not trusted. The devhost does the same for local runs. IPv6 callers are counted per /64,
the block one household or phone usually holds.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping

UNKNOWN = "unknown"


def _host(entry: str) -> str:
    entry = entry.strip()
    if entry.startswith("["):  # [2001:db8::1]:443
        return entry[1:].split("]", 1)[0]
    if entry.count(":") == 1:  # 203.0.113.7:54321
        return entry.split(":", 1)[0]
    return entry


def client_address(headers: Mapping[str, str]) -> str:
    """The caller's address as the platform saw it (lower-case header names), or "unknown"."""
    forwarded = headers.get("x-forwarded-for") or ""
    entries = [e for e in forwarded.split(",") if e.strip()]
    if not entries:
        return UNKNOWN
    try:
        address = ipaddress.ip_address(_host(entries[-1]))
    except ValueError:
        return UNKNOWN
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)
