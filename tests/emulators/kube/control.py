"""Test controls: bearer-token authentication with a 403 rule table, fault injection, the
request log, and a throwaway TLS certificate authority."""

from __future__ import annotations

import datetime
import ipaddress
import re
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class User:
    name: str
    groups: list[str]


@dataclass
class Rule:
    allow: bool
    verbs: set[str] | None
    resources: set[str] | None
    groups: set[str] | None
    namespaces: set[str] | None
    names: set[str] | None
    users: set[str] | None

    def matches(self, user: str, verb: str, group: str, resource: str, namespace: str | None, name: str | None) -> bool:
        return (
            (self.users is None or user in self.users)
            and (self.verbs is None or verb in self.verbs)
            and (self.resources is None or resource in self.resources)
            and (self.groups is None or group in self.groups)
            and (self.namespaces is None or (namespace or "") in self.namespaces)
            and (self.names is None or (name or "") in self.names)
        )


def _set(v: str | list[str] | None) -> set[str] | None:
    if v is None:
        return None
    return {v} if isinstance(v, str) else set(v)


class Auth:
    """Bearer tokens -> users, and an ordered allow/deny rule table (first match wins,
    default allow). With ``required`` False every request is the admin user."""

    def __init__(self, required: bool = True) -> None:
        self.required = required
        self.admin_token = secrets.token_urlsafe(24)
        self.tokens: dict[str, User] = {
            self.admin_token: User("emulator-admin", ["system:masters", "system:authenticated"])
        }
        self.rules: list[Rule] = []
        self._lock = threading.Lock()

    def add_token(self, token: str, user: str, groups: list[str] | None = None) -> None:
        with self._lock:
            self.tokens[token] = User(user, [*(groups or []), "system:authenticated"])

    def authenticate(self, header: str | None) -> User | None:
        if not self.required:
            return User("emulator-admin", ["system:masters", "system:authenticated"])
        if not header or not header.lower().startswith("bearer "):
            return None
        return self.tokens.get(header[7:].strip())

    def deny(
        self,
        *,
        verb: str | list[str] | None = None,
        resource: str | list[str] | None = None,
        group: str | list[str] | None = None,
        namespace: str | list[str] | None = None,
        name: str | list[str] | None = None,
        user: str | list[str] | None = None,
    ) -> None:
        """Answer 403 for matching requests (None matches anything)."""
        with self._lock:
            self.rules.append(
                Rule(False, _set(verb), _set(resource), _set(group), _set(namespace), _set(name), _set(user))
            )

    def allow(
        self,
        *,
        verb: str | list[str] | None = None,
        resource: str | list[str] | None = None,
        group: str | list[str] | None = None,
        namespace: str | list[str] | None = None,
        name: str | list[str] | None = None,
        user: str | list[str] | None = None,
    ) -> None:
        """An allow rule placed before later deny rules (e.g. allow one namespace, then deny all)."""
        with self._lock:
            self.rules.append(
                Rule(True, _set(verb), _set(resource), _set(group), _set(namespace), _set(name), _set(user))
            )

    def authorize(
        self,
        user: str,
        _groups: list[str],
        verb: str,
        group: str,
        resource: str,
        namespace: str | None,
        name: str | None,
    ) -> bool:
        with self._lock:
            for r in self.rules:
                if r.matches(user, verb, group, resource, namespace, name):
                    return r.allow
        return True


@dataclass
class Fault:
    verb: str | None
    path: re.Pattern[str] | None
    status: int | None
    retry_after: float | None
    count: int | None
    drop_connection: bool
    delay: float
    message: str
    hits: int = 0
    lose_response: bool = False
    dry_run: bool | None = None
    before: Callable[[], object] | None = None
    in_stream: bool = False
    flow_control: bool = False
    reason: str | None = None


class Faults:
    def __init__(self) -> None:
        self.rules: list[Fault] = []
        self._lock = threading.Lock()

    def add(
        self,
        verb: str | None = None,
        path: str | None = None,
        status: int | None = None,
        retry_after: float | None = None,
        count: int | None = 1,
        drop_connection: bool = False,
        delay: float = 0.0,
        message: str | None = None,
        lose_response: bool = False,
        dry_run: bool | None = None,
        before: Callable[[], object] | None = None,
        in_stream: bool = False,
        flow_control: bool = False,
        reason: str | None = None,
    ) -> Fault:
        """verb: HTTP method (GET, PATCH ...) or Kubernetes verb (list, watch, apply ...);
        path: a regex searched in the request path; count: how many requests it hits
        (None = all).

        lose_response: the request is served and committed, then the connection drops before
        the response is written. Real clients meet this when a load balancer, proxy or the
        apiserver's own timeout filter cuts a request whose write etcd already committed
        (kubernetes/apiserver pkg/server/filters/timeout.go answers 504 while the handler
        goes on; client-go rest/request.go then sees a connection error or a timeout, never
        the object); a retried create then meets 409 AlreadyExists.
        dry_run: True or False hits only requests with or without ``dryRun`` (None: both).
        before: another client's write, made just before the request is handled. A write
        guarded by resourceVersion (a read, then an update or a patch carrying the version read)
        then meets the API server's own 409 Conflict, "the object has been modified" (upstream:
        kubernetes/kubernetes staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go,
        Update, ``NewConflict`` on a resourceVersion mismatch).
        in_stream: with status, on a watch: answer 200, send the Status as an ERROR event and
        end the stream, as the API server does with an error met once a watch is under way
        (upstream: kubernetes/apiserver v0.35.0 pkg/storage/etcd3/watcher.go sendError and
        transformErrorToEvent, an error that is no API status becoming 500 InternalError;
        pkg/storage/cacher/cacher.go Watch, newErrWatcher).
        With drop_connection instead, on a watch: answer 200, send what the watch sends first
        (a watch-list's objects and its end bookmark), then cut the connection before the
        stream's last chunk, as a load balancer's cut or a killed API server leaves a client
        (which reads it as an unexpected EOF: upstream kubernetes/apimachinery pkg/watch/streamwatcher.go
        receive ends the watch on io.ErrUnexpectedEOF, and client-go's reflector watches again).
        With drop_connection, on a followed log (``follow=true``): send the lines the log has,
        then cut the same way (kubectl logs -f ends with ``error: unexpected EOF``, exit 1: upstream
        kubernetes/kubectl pkg/cmd/logs/logs.go DefaultConsumeRequest); on any
        other answer (a proxied one, a plain log): send its headers and half its body, then cut.
        On an exec (pods/exec over WebSocket): send the command's output, then cut before its
        status on the error channel and before any close frame (streams.run_exec). A test fault, no
        upstream behaviour: it stands for a connection lost mid-stream; the stream it cuts is the one
        kubernetes/kubernetes staging/src/k8s.io/client-go/tools/remotecommand/websocket.go
        readDemuxLoop reads (output channels, then the status on channel 3, then the close).
        flow_control: answer as API Priority and Fairness turns a request away before it is
        served: 429, a text body and whole-second Retry-After (``retry_after``, else 1), as
        status.FlowControlRejection says (upstream: kubernetes/apiserver 24a394e5
        pkg/server/filters/priority-and-fairness.go tooManyRequests); never inside a watch's stream, which APF
        admitted.
        reason: the Status's reason, where it is not the code's own (status.REASONS): an admission
        webhook that answers with a code of its choice and no reason gets "Forbidden" (upstream:
        kubernetes/kubernetes staging/src/k8s.io/apiserver/pkg/admission/plugin/webhook/errors/
        statuserror.go ToStatusErr, ``result.Reason = metav1.StatusReasonForbidden`` unless the code
        is 500), so a webhook's 409 is no AlreadyExists."""
        if flow_control and (status not in (None, 429) or in_stream):
            raise ValueError("API Priority and Fairness answers 429, before any stream")
        if flow_control:
            status = 429
        if in_stream and status is None and not drop_connection:
            raise ValueError("an in-stream fault needs a status or drop_connection")
        if status is None and not drop_connection and delay <= 0 and not lose_response and before is None:
            raise ValueError("a fault needs status, drop_connection, lose_response, delay or before")
        f = Fault(
            verb.lower() if verb else None,
            re.compile(path) if path else None,
            status,
            retry_after,
            count,
            drop_connection,
            delay,
            message or f"injected fault: HTTP {status}",
            lose_response=lose_response,
            dry_run=dry_run,
            before=before,
            in_stream=in_stream,
            flow_control=flow_control,
            reason=reason,
        )
        with self._lock:
            self.rules.append(f)
        return f

    def clear(self) -> None:
        with self._lock:
            self.rules.clear()

    def match(self, method: str, verb: str, path: str, dry_run: bool = False) -> Fault | None:
        with self._lock:
            for f in self.rules:
                if f.count is not None and f.count <= 0:
                    continue
                if f.dry_run is not None and f.dry_run != dry_run:
                    continue
                if f.verb and f.verb not in (method.lower(), verb):
                    continue
                if f.path and not f.path.search(path):
                    continue
                if f.count is not None:
                    f.count -= 1
                f.hits += 1
                return f
        return None


@dataclass
class RequestRecord:
    method: str
    path: str
    query: dict[str, list[str]]
    status: int
    latency: float
    verb: str = ""
    user: str = ""
    user_agent: str = ""
    content_type: str = ""
    extra: dict[str, str] = field(default_factory=dict)


@dataclass
class TLSMaterial:
    ca_pem: bytes
    cert_pem: bytes
    key_pem: bytes


_tls_cache: TLSMaterial | None = None
_tls_lock = threading.Lock()


def tls_material() -> TLSMaterial:
    """A throwaway CA and a server certificate for 127.0.0.1/localhost (EC keys: fast),
    made once per process."""
    global _tls_cache
    with _tls_lock:
        if _tls_cache is not None:
            return _tls_cache
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID

        now = datetime.datetime.now(datetime.UTC)
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "akscli-emulator-ca")])
        ca = (
            x509.CertificateBuilder()
            .subject_name(ca_name)
            .issuer_name(ca_name)
            .public_key(ca_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    key_cert_sign=True,
                    crl_sign=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .sign(ca_key, hashes.SHA256())
        )
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kube-apiserver")]))
            .issuer_name(ca_name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(
                x509.SubjectAlternativeName(
                    [
                        x509.DNSName("localhost"),
                        x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                    ]
                ),
                critical=False,
            )
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .sign(ca_key, hashes.SHA256())
        )
        _tls_cache = TLSMaterial(
            ca.public_bytes(serialization.Encoding.PEM),
            cert.public_bytes(serialization.Encoding.PEM),
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            ),
        )
        return _tls_cache
