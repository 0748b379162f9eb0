"""A throwaway certificate authority and a server certificate for 127.0.0.1.

Generated once per process (EC keys are cheap, but every test gets a fresh emulator and
we keep the suite fast), written to a private temp directory, never to the repository.

Plumbing, not a simulated service: the emulators serve HTTPS so that akscli's real clients
(azure-core, msal, the kube client) verify a certificate as they do against Azure. What the
certificates carry is what a strict verifier asks of a chain, nothing more: CPython's
ssl.create_default_context sets VERIFY_X509_STRICT (upstream: python/cpython Lib/ssl.py
create_default_context, 3.13: "VERIFY_X509_STRICT makes OpenSSL more conservative about the
certificates it accepts"), under which OpenSSL wants a CA with critical basicConstraints CA:TRUE,
keyCertSign and a subjectKeyIdentifier, and a leaf with an authorityKeyIdentifier and its names in
subjectAltName (RFC 5280 4.2.1.1, 4.2.1.2, 4.2.1.3, 4.2.1.6, 4.2.1.9); hostname checks read the
subjectAltName only (RFC 6125 6.4.4; python/cpython Lib/ssl.py check_hostname over OpenSSL
X509_VERIFY_PARAM_set1_host); the leaf's extendedKeyUsage id-kp-serverAuth (RFC 5280 4.2.1.12).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


@dataclass(frozen=True)
class TlsFiles:
    ca_file: Path
    cert_file: Path
    key_file: Path

    @property
    def ca_pem(self) -> bytes:
        return self.ca_file.read_bytes()


_lock = threading.Lock()
_cached: TlsFiles | None = None


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def throwaway_tls() -> TlsFiles:
    global _cached
    with _lock:
        if _cached is not None and _cached.ca_file.exists():
            return _cached
        now = dt.datetime.now(dt.UTC)
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_subject = _name("akscli test ARM emulator CA")
        ca_ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
        ca_cert = (
            x509.CertificateBuilder()
            .subject_name(ca_subject)
            .issuer_name(ca_subject)
            .public_key(ca_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(ca_ski, critical=False)
            .sign(ca_key, hashes.SHA256())
        )
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (
            x509.CertificateBuilder()
            .subject_name(_name("127.0.0.1"))
            .issuer_name(ca_subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(
                x509.SubjectAlternativeName(
                    [
                        x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                        x509.DNSName("localhost"),
                        # workspace.py's Azure Monitor workspace query endpoint, whose hosts are
                        # <workspace>.<region>.prometheus.monitor.azure.com (upstream:
                        # MicrosoftDocs/azure-monitor-docs articles/azure-monitor/metrics/
                        # prometheus-api-promql.md, as workspace.py cites it)
                        x509.DNSName("*.eastus.prometheus.monitor.azure.com"),
                    ]
                ),
                critical=False,
            )
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski),
                critical=False,
            )
            .sign(ca_key, hashes.SHA256())
        )
        d = Path(tempfile.mkdtemp(prefix="akscli-arm-tls-"))
        files = TlsFiles(d / "ca.pem", d / "server.pem", d / "server.key")
        files.ca_file.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
        files.cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        files.key_file.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        files.key_file.chmod(0o600)
        _cached = files
        return files
