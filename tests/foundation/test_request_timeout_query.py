"""--request-timeout reaches the API server as kubectl sends it: the ``timeout`` query parameter on
every request, in Go's duration form (kubernetes/client-go 32ce75a7 rest/request.go NewRequest takes
the http.Client's Timeout, URL sets ``timeout`` to ``r.timeout.String()`` where it is not 0). Before,
akscli bounded its requests by the flag but never told the server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from akscli.durations import go_string
from tests.cli import invoke

CONFIGMAP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  k: v\n"


@pytest.mark.parametrize(
    ("seconds", "written"),
    [
        (0, "0s"),
        (30, "30s"),
        (90, "1m30s"),
        (60, "1m0s"),
        (3600, "1h0m0s"),
        (5400.25, "1h30m0.25s"),
        (1.5, "1.5s"),
        (0.5, "500ms"),
        (0.0015, "1.5ms"),
        (2e-6, "2\u00b5s"),
        (-1, "-1s"),
    ],
)
def test_a_duration_is_written_as_gos_duration_string(seconds: float, written: str) -> None:
    assert go_string(seconds) == written


def _applied(emu: Any, tmp_path: Path, *flags: str) -> list[Any]:
    path = tmp_path / "cm.yaml"
    path.write_text(CONFIGMAP)
    emu.request_log.clear()
    result = invoke("apply", "-f", str(path), "-y", *flags)
    assert result.exit_code == 0, result
    return list(emu.request_log)


@pytest.mark.parametrize(("typed", "sent"), [("90", "1m30s"), ("1.5s", "1.5s"), ("2m", "2m0s")])
def test_every_request_carries_the_request_timeout_as_kubectl_sends_it(
    kube_emulator: Any, kubeconfig: Path, tmp_path: Path, typed: str, sent: str
) -> None:
    requests = _applied(kube_emulator, tmp_path, "--request-timeout", typed)
    assert requests
    assert {(r.method, r.path): r.query.get("timeout") for r in requests} == {
        (r.method, r.path): [sent] for r in requests
    }


@pytest.mark.parametrize("flags", [(), ("--request-timeout", "0")])
def test_no_timeout_parameter_without_a_request_timeout(
    kube_emulator: Any, kubeconfig: Path, tmp_path: Path, flags: tuple[str, ...]
) -> None:
    # kubectl sends it only where the client's Timeout is not 0
    requests = _applied(kube_emulator, tmp_path, *flags)
    assert [r.path for r in requests if "timeout" in r.query] == []


def test_a_negative_request_timeout_is_sent_as_typed_and_bounds_nothing_here(
    kube_emulator: Any, kubeconfig: Path, tmp_path: Path
) -> None:
    # audit35 (wait35): client-go sets ``timeout`` where r.timeout != 0 (a negative one too) and bounds
    # the request only where it is > 0; the API server then uses its own maximum (kubernetes/apiserver
    # 24a394e5 pkg/endpoints/filters/request_deadline.go: only 0 < timeout < maximum is taken).
    # Before, akscli read -1s as 0 and sent no timeout.
    from akscli.kube.client import KubeTarget
    from akscli.kube.connecting import connect

    requests = _applied(kube_emulator, tmp_path, "--request-timeout=-1s")
    assert requests
    assert {tuple(r.query.get("timeout") or ()) for r in requests} == {("-1s",)}
    assert connect(KubeTarget(kubeconfig=str(kubeconfig), request_timeout=-1.0)).request_timeout == 0.0
