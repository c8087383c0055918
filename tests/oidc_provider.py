"""A local OpenID Connect provider for single sign-on tests: oidc-provider-mock over HTTPS on loopback.

MSAL accepts only https authorities with at least one path segment, so the provider is served with a
certificate from a throwaway CA and mounted under `/oidc`. Its issuer is the bare origin, which MSAL
accepts for an `oidc_authority` on the same scheme and host.
"""

from __future__ import annotations

import contextlib
import ipaddress
import ssl
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.serving import make_server

MOUNT = "/oidc"


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def write_loopback_certificate(folder: Path) -> tuple[Path, Path, Path]:
    """(CA file, server certificate, server key) for 127.0.0.1, with the extensions strict verifiers require."""
    now = datetime.now(UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("cu-online test CA")
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1)).not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                     crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("127.0.0.1")).issuer_name(ca_name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1)).not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                       critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    ca_file, cert_file, key_file = folder / "ca.pem", folder / "server.pem", folder / "server.key"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return ca_file, cert_file, key_file


@dataclass
class LocalProvider:
    origin: str
    ca_file: Path
    http: httpx.Client

    @property
    def authority(self) -> str:
        return self.origin + MOUNT

    def set_user(self, sub: str, claims: dict) -> None:
        resp = self.http.put(f"{self.authority}/users/{sub}", json=claims)
        assert resp.status_code == 204, resp.text

    def _answer(self, auth_uri: str, form: dict[str, str]) -> dict[str, str]:
        """Submit the provider's consent form; returns the query of the redirect back to the app."""
        assert auth_uri.startswith(self.authority + "/oauth2/authorize?"), auth_uri
        resp = self.http.post(auth_uri, data=form)
        assert resp.status_code == 302, resp.text
        return dict(parse_qsl(urlsplit(resp.headers["location"]).query))

    def authorize(self, auth_uri: str, sub: str) -> dict[str, str]:
        return self._answer(auth_uri, {"sub": sub})

    def deny(self, auth_uri: str) -> dict[str, str]:
        return self._answer(auth_uri, {"action": "deny"})


@contextlib.contextmanager
def running(folder: Path) -> Iterator[LocalProvider]:
    with warnings.catch_warnings():
        # oidc-provider-mock imports parts of authlib that authlib itself has deprecated; not ours to fix.
        # authlib turns its own warnings to "always" when first imported, so that filter must come after.
        import authlib.deprecate  # noqa: F401
        warnings.simplefilter("ignore", DeprecationWarning)
        import oidc_provider_mock
    ca_file, cert_file, key_file = write_loopback_certificate(folder)
    server_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_tls.load_cert_chain(cert_file, key_file)
    app = DispatcherMiddleware(_not_found, {MOUNT: oidc_provider_mock.app(require_nonce=True)})
    server = make_server("127.0.0.1", 0, app, threaded=True, ssl_context=server_tls)
    thread = threading.Thread(target=server.serve_forever, name="oidc-provider", daemon=True)
    thread.start()
    client_tls = ssl.create_default_context(cafile=str(ca_file))
    try:
        with httpx.Client(verify=client_tls, trust_env=False, timeout=10) as http:
            yield LocalProvider(origin=f"https://127.0.0.1:{server.server_port}", ca_file=ca_file, http=http)
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


def _not_found(environ, start_response):
    start_response("404 Not Found", [("Content-Type", "text/plain")])
    return [b"not found"]
