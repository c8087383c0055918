"""App settings as the Functions host uses them in bindings: `%NAME%` expressions and connection names."""

from __future__ import annotations

import re
from collections.abc import Mapping

from devhost.azurite import ACCOUNT, ACCOUNT_KEY

_EXPRESSION = re.compile(r"%([^%\s]+)%")
DEFAULT_CONNECTION = "AzureWebJobsStorage"
DEVELOPMENT_STORAGE = "UseDevelopmentStorage=true"

# What `UseDevelopmentStorage=true` stands for: Azurite on its standard ports. The Python SDKs do not
# understand the shorthand, so the host expands it.
DEVELOPMENT_CONNECTION_STRING = (
    f"DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={ACCOUNT_KEY};"
    f"BlobEndpoint=http://127.0.0.1:10000/{ACCOUNT};QueueEndpoint=http://127.0.0.1:10001/{ACCOUNT};"
    f"TableEndpoint=http://127.0.0.1:10002/{ACCOUNT};"
)


class ConfigurationError(RuntimeError):
    """A function cannot be hosted as declared (the host would report the function as in error)."""


def resolve_expressions(text: str, environ: Mapping[str, str], *, function: str) -> str:
    """Replace every `%NAME%` with the app setting NAME; a missing setting is an error, as in Azure."""

    def setting(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in environ:
            raise ConfigurationError(f"function '{function}': app setting '{name}' (from '%{name}%') is not set")
        return environ[name]

    return _EXPRESSION.sub(setting, text)


def connection_string(connection: str | None, environ: Mapping[str, str], *, function: str) -> str:
    """The connection string a binding's `connection` names (NAME, then AzureWebJobsNAME, as the host looks)."""
    name = connection or DEFAULT_CONNECTION
    for candidate in (name, f"AzureWebJobs{name}"):
        value = environ.get(candidate)
        if value:
            return DEVELOPMENT_CONNECTION_STRING if value.strip().rstrip(";") == DEVELOPMENT_STORAGE else value
    if any(key.startswith(f"{name}__") for key in environ):
        raise ConfigurationError(
            f"function '{function}': connection '{name}' is identity-based; the devhost supports connection "
            "strings only"
        )
    raise ConfigurationError(f"function '{function}': connection setting '{name}' is not set")
