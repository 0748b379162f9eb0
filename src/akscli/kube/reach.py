"""How Kube.request reports a request that got no HTTP answer, and the proxy's own answers.

The words follow kubectl's where it has them (kubernetes/kubectl pkg/cmd/util/helpers.go,
``StandardErrorMessage``: "The connection to the server %s was refused - did you specify the
right host or port?"), with the kubeconfig field to fix in the hint; never urllib3's repr.
"""

from __future__ import annotations

from dataclasses import dataclass

from akscli import errors, netfail


def proxy_path(namespace: str, service: str, port: int | str, path: str = "") -> str:
    """The path of ``path`` on a Service's port through the API server's service proxy, the
    services/proxy subresource (upstream: kubernetes/client-go 32ce75a7
    kubernetes/typed/core/v1/service_expansion.go ProxyGet)."""
    return f"/api/v1/namespaces/{namespace}/services/{service}:{port}/proxy/{path.lstrip('/')}"


@dataclass(frozen=True)
class ProxyAnswer:
    """A service or pod proxy's error answer (502/503/504) returned to the caller."""

    status: int
    data: bytes


def not_serving(status: int) -> bool:
    """Whether a service proxy's answer means that nothing ready serves behind the Service yet.

    The API server's proxy answers 503 itself when the Service has no ready endpoint ("no
    endpoints available for service", kubernetes/kubernetes
    pkg/registry/core/service/storage/storage.go, ResourceLocation) or the pod behind it does
    not take the connection ("error trying to reach service", apimachinery
    pkg/util/proxy/transport.go, RoundTrip). ``Kube.proxy`` returns it, unretried."""
    return status == 503


def proxy_reason(data: bytes) -> str:
    """The API server's own words in a proxy's 503: the message of the metav1.Status it answers
    with (apimachinery pkg/util/proxy/transport.go RoundTrip, "error trying to reach service:
    dial tcp ...: connect: connection refused"; storage.go ResourceLocation, "no endpoints
    available for service ..."), scrubbed (akscli.redact: a message may quote a URL or a header).
    "" where the body is not a Status."""
    import json

    from akscli import redact

    try:
        body = json.loads(data.decode("utf-8", "replace"))
    except ValueError:
        return ""
    if not isinstance(body, dict) or body.get("kind") != "Status":
        return ""
    return redact.scrub(redact.folded(str(body.get("message") or "")))


# The words of net/http's StatusText for the two gateway answers (golang/go src/net/http/status.go).
GATEWAY_ANSWERS = {502: "Bad Gateway", 504: "Gateway Timeout"}


def gateway_error(status: int, what: str, hint: str) -> errors.AkscliError:
    """One line for a 502 or 504 through the API server's proxy. The API server's proxy reports
    its own failures as 503 (apimachinery pkg/util/proxy/transport.go, RoundTrip, wraps even an
    egress proxy's "proxy error ... code 502" in a ServiceUnavailable), so a 502 or 504 comes from
    the backend or a gateway in front of it. Its body (often an HTML page) is not shown: a 504 is a
    timeout (exit 5, as the API server's own 504 is in kube.status), a 502 a failure (exit 1)."""
    line = f"{what} answered HTTP {status} {GATEWAY_ANSWERS.get(status, '')}".rstrip()
    if status == 504:
        return errors.WaitTimeoutError(f"{line}: it did not answer in time", hint=hint)
    return errors.AkscliError(f"{line}: the server behind it failed or closed the connection", hint=hint)


def not_serving_error(what: str, why: str, hint: str, state: str | None = None) -> errors.NotFoundError:
    """The one line for a backend that is not serving yet (``not_serving``): what is not serving
    (in what state, when known), why, and where to see its state. NotFoundError (exit 3): nothing
    answers there yet, as a model with no ready server and a Ray cluster with no ready head say."""
    shown = f" (state {state})" if state else ""
    return errors.NotFoundError(f"{what} is not serving yet{shown}: {why}", hint=hint)


def unreachable(
    failure: netfail.Failure,
    server: str,
    context: str,
    user: str | None,
    *,
    within: float | tuple[float, float] | None = None,
    tries: int = 1,
    flag: float | None = None,
) -> errors.AkscliError:
    """One line for a request that got no HTTP answer (kubectl's words where it has them).
    ``within``: the request's timeout (seconds, or connect and read), ``tries``: how many times
    it was sent, ``flag``: the --request-timeout typed (None: akscli's default)."""
    where = f"{server} (context {context!r})"
    if failure.timed_out:
        return timed_out(failure, where, within, tries, flag)
    if failure.kind == "refused":
        return errors.AkscliError(
            f"the connection to the server {where} was refused",
            "check the kubeconfig's server address, or choose another context with --context; is the cluster running?",
        )
    if failure.kind == "dns":
        return errors.AkscliError(
            f"cannot resolve the host name of the server {where}",
            "check the kubeconfig's server address, or your DNS or VPN",
        )
    if failure.kind == "tls-client-cert":
        return errors.AuthError(
            f"the kubeconfig's client certificate or key for user {user or 'unknown'!r} "
            f"cannot be used: {failure.reason}",
            "fix client-certificate(-data) and client-key(-data), or get fresh credentials with "
            "'akscli cluster credentials NAME -g GROUP'",
        )
    if failure.is_tls:
        hints = {
            "tls-ca": "the kubeconfig's certificate-authority(-data) is not this server's: get fresh "
            "credentials with 'akscli cluster credentials NAME -g GROUP', or check --context",
            "tls-hostname": "the kubeconfig's server address is not a name in the server's certificate: use "
            "the address the cluster gives, or set tls-server-name",
            "tls-expired": "the server's certificate has expired: renew it (az aks rotate-certs) or check "
            "the machine's clock",
        }
        return errors.AkscliError(
            f"TLS to the server {where} failed: {netfail.TLS_HINTS[failure.kind]} ({failure.reason})",
            hints.get(failure.kind, "check the kubeconfig's server address and certificate-authority"),
        )
    return errors.AkscliError(
        f"cannot reach the API server {where}: {failure.reason}",
        "check the network and the cluster's address, or run with --debug",
    )


def timed_out(
    failure: netfail.Failure,
    where: str,
    within: float | tuple[float, float] | None,
    tries: int,
    flag: float | None = None,
) -> errors.AkscliError:
    """A server that took no connection, or took it and sent no answer, within the request's
    timeout (urllib3's ``Timeout(total=N)`` bounds each try, connection and answer together).
    kubectl prints "Unable to connect to the server: %v" with net/http's timeout error
    (kubernetes/kubectl pkg/cmd/util/helpers.go, ``StandardErrorMessage``, for a ``*url.Error``):
    here the server, the seconds and the tries, and where to look."""
    connecting = failure.kind == "connect-timeout"
    seconds = within[0 if connecting else 1] if isinstance(within, tuple) else within
    limit = f" within {seconds:g}s" if seconds else ""
    doing = "did not accept the connection" if connecting else "did not answer"
    sent = f" ({tries} tries)" if tries > 1 else ""
    return errors.AkscliError(f"the API server {where} {doing}{limit}{sent}", _timeout_hint(connecting, flag))


def _timeout_hint(connecting: bool, flag: float | None) -> str:
    """Where to look, and a longer --request-timeout only where one could help: not after
    ``--request-timeout 0``, where the answer had no limit and the connection alone ran out of its
    30 s (client-go's dial timeout, akscli.kube.retry.NO_TIMEOUT_CONNECT), nor for a connection
    never taken within that much."""
    from akscli.kube.retry import DEFAULT_REQUEST_TIMEOUT, NO_TIMEOUT_CONNECT

    network = (
        "check that this network reaches the server (VPN, firewall, a private cluster's network) and "
        "the kubeconfig's server address"
    )
    if flag == 0:
        return f"{network}: with --request-timeout 0 only the connection has a limit ({NO_TIMEOUT_CONNECT:g}s)"
    if flag is None:
        if connecting:
            return network
        default = f"{DEFAULT_REQUEST_TIMEOUT:g}s each try"
        return f"{network}; a slow server may need a longer --request-timeout (default: {default})"
    if connecting and flag >= NO_TIMEOUT_CONNECT:
        return network
    return f"{network}; a slow server may need more than --request-timeout {flag:g}s"
