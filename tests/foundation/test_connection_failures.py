"""How akscli reports a cluster it cannot talk to: kubectl's diagnosis, one line, at once.

client-go (kubernetes/client-go rest/request.go, ``request``'s ``isErrRetryableFunc``) retries a
reset or dropped connection, never a refusal, a name that does not resolve, or a TLS failure;
those are wrong settings, and waiting does not fix them.
"""

from __future__ import annotations

import base64
import json
import socket
from pathlib import Path
from typing import Any

import pytest

from akscli import errors, netfail
from akscli.kube import retry
from akscli.kube.client import KubeTarget, RetryPolicy
from akscli.kube.connecting import connect
from tests.cli import invoke


@pytest.fixture(autouse=True)
def fresh_process(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """No server has answered yet; retry waits are recorded, not slept."""
    netfail.forget()
    slept: list[float] = []
    monkeypatch.setattr(retry, "sleep", slept.append)
    return slept


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write(path: Path, config: dict[str, Any]) -> Path:
    path.write_text(json.dumps(config), encoding="utf-8")
    path.chmod(0o600)
    return path


def test_a_refused_connection_is_one_line_at_once(tmp_path: Path, fresh_process: list[float]) -> None:
    port = closed_port()
    kc = refused_kubeconfig(tmp_path / "kc", port)
    result = invoke("model", "list", "--kubeconfig", str(kc))
    assert result.exit_code == 1
    assert f"the connection to the server 127.0.0.1:{port} (context 'x') was refused" in result.stderr
    assert "--context" in result.stderr
    assert "MaxRetryError" not in result.stderr and "HTTPSConnectionPool" not in result.stderr
    assert fresh_process == []  # not retried


def refused_kubeconfig(path: Path, port: int) -> Path:
    return write(
        path,
        {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": "c", "cluster": {"server": f"https://127.0.0.1:{port}"}}],
            "users": [{"name": "u", "user": {"token": "t"}}],
            "contexts": [{"name": "x", "context": {"cluster": "c", "user": "u"}}],
            "current-context": "x",
        },
    )


def test_a_refusal_from_a_server_that_answered_before_is_retried(tmp_path: Path, fresh_process: list[float]) -> None:
    port = closed_port()
    kube = connect(KubeTarget(kubeconfig=str(refused_kubeconfig(tmp_path / "kc", port))), retry=RetryPolicy(attempts=3))
    netfail.answered(f"127.0.0.1:{port}")  # as if it had answered earlier in this process (it restarts)
    with pytest.raises(Exception, match="was refused"):
        kube.request("GET", "/api/v1/namespaces/default")
    assert len(fresh_process) == 2


def test_a_server_certificate_from_an_unknown_authority_is_not_retried(
    kube_emulator: Any, tmp_path: Path, fresh_process: list[float]
) -> None:
    config = kube_emulator.kubeconfig_dict()
    del config["clusters"][0]["cluster"]["certificate-authority-data"]
    result = invoke("model", "list", "--kubeconfig", str(write(tmp_path / "kc", config)))
    assert result.exit_code == 1
    assert "signed by an authority the configuration does not trust" in result.stderr
    assert "certificate-authority" in result.stderr
    assert fresh_process == []


def test_a_certificate_that_does_not_name_the_server_is_said_so(
    kube_emulator: Any, tmp_path: Path, fresh_process: list[float]
) -> None:
    config = kube_emulator.kubeconfig_dict()
    config["clusters"][0]["cluster"]["tls-server-name"] = "not-this-server.example"
    result = invoke("model", "list", "--kubeconfig", str(write(tmp_path / "kc", config)))
    assert result.exit_code == 1
    assert "does not name this host" in result.stderr
    assert fresh_process == []


def test_a_client_certificate_that_does_not_load_is_a_credentials_error(
    kube_emulator: Any, tmp_path: Path, fresh_process: list[float]
) -> None:
    config = kube_emulator.kubeconfig_dict()
    garbage = base64.b64encode(b"not a certificate").decode()
    config["users"][0]["user"].update({"client-certificate-data": garbage, "client-key-data": garbage})
    result = invoke("model", "list", "--kubeconfig", str(write(tmp_path / "kc", config)))
    assert result.exit_code == 6
    assert (
        "client certificate or key for user 'emulator-user' cannot be used: no PEM certificate or key in it"
        in result.stderr
    )
    assert fresh_process == []


def test_a_dropped_connection_is_still_retried(kube_emulator: Any, kubeconfig: Path) -> None:
    kube_emulator.faults.add(verb="GET", path=r"/namespaces/default$", drop_connection=True, count=1)
    kube = connect(KubeTarget(kubeconfig=str(kubeconfig)))
    assert kube.request("GET", "/api/v1/namespaces/default")["metadata"]["name"] == "default"


def test_a_service_proxy_503_is_not_retried_without_retry_after(
    kube_emulator: Any, kubeconfig: Path, fresh_process: list[float]
) -> None:
    kube_emulator.faults.add(verb="GET", path=r"/proxy/", status=503, count=10)
    kube = connect(KubeTarget(kubeconfig=str(kubeconfig)))
    status, _ = kube.proxy("default", "phi-4", 80, "/v1/models")
    assert status == 503
    assert fresh_process == []


def test_a_service_proxy_503_with_retry_after_is_retried(
    kube_emulator: Any, kubeconfig: Path, fresh_process: list[float]
) -> None:
    kube_emulator.faults.add(verb="GET", path=r"/proxy/", status=503, retry_after=1, count=1)
    kube = connect(KubeTarget(kubeconfig=str(kubeconfig)))
    with pytest.raises(errors.NotFoundError):  # the emulator's own answer once the fault is spent
        kube.proxy("default", "phi-4", 80, "/v1/models")
    assert len(fresh_process) == 1 and 1.0 <= fresh_process[0] <= 1.0 + kube.retry.base_delay


def test_failures_are_classified_as_client_go_retries_them() -> None:
    import ssl

    from urllib3.exceptions import ConnectTimeoutError, MaxRetryError, NewConnectionError, ProtocolError

    refused = MaxRetryError(None, "/", NewConnectionError(None, "[Errno 111] Connection refused"))  # type: ignore[arg-type]
    refused.reason.__cause__ = ConnectionRefusedError(111, "Connection refused")  # type: ignore[union-attr]
    assert netfail.classify(refused).kind == "refused"
    assert not netfail.classify(refused).retryable("h:1")
    assert netfail.classify(MaxRetryError(None, "/", ConnectTimeoutError())).kind == "connect-timeout"  # type: ignore[arg-type]
    dropped = ProtocolError("Connection aborted.", ConnectionResetError(104, "reset"))
    assert netfail.classify(dropped).retryable("h:1")
    unknown_ca = ssl.SSLCertVerificationError(1, "certificate verify failed")
    unknown_ca.verify_message = "unable to get local issuer certificate"
    assert netfail.classify(unknown_ca).kind == "tls-ca"
    netfail.answered("h:1")
    assert netfail.classify(refused).retryable("h:1")
    assert not netfail.classify(unknown_ca).retryable("h:1")
