"""A wait's progress line, which a CI log repeats every 30 s while nothing changes
(statuslines.STATUS_INTERVAL_S), names what it still waits for: the line an object that became
ready writes says which object is not ready yet, and why, so a log does not repeat
``1/2 ready; service/web: ready`` for the whole --timeout."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from akscli import errors
from akscli.kube.client import KubeTarget
from akscli.kube.connecting import connect
from akscli.kube.wait import wait_for
from tests.kube_emulator.helpers import deployment


def _service() -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]},
    }


def _lines_of_a_wait_that_times_out(kube_emulator_factory: Any, tmp_path: Path) -> list[str]:
    emu = kube_emulator_factory(controller_delay=3600)  # the Deployment never becomes available
    kube = connect(KubeTarget(kubeconfig=str(emu.write_kubeconfig(tmp_path / "config"))))
    # As the apply hands them over: the servers' answers, the Deployment judged first.
    answers = [kube.apply(deployment("web", replicas=1)), kube.apply(_service())]
    lines: list[str] = []
    with pytest.raises(errors.WaitTimeoutError):
        wait_for(kube, answers, timeout=1, progress=lines.append)
    return lines


def test_the_line_of_an_object_that_became_ready_names_the_one_still_waited_for(
    kube_emulator_factory: Any, tmp_path: Path
) -> None:
    lines = _lines_of_a_wait_that_times_out(kube_emulator_factory, tmp_path)
    (service_line,) = [line for line in lines if "service/web: ready" in line]
    assert service_line.startswith("1/2 ready; service/web: ready; still waiting for deployment.apps/web: ")


def test_the_last_line_of_a_wait_still_waiting_names_what_it_waits_for(
    kube_emulator_factory: Any, tmp_path: Path
) -> None:
    lines = _lines_of_a_wait_that_times_out(kube_emulator_factory, tmp_path)
    assert "deployment.apps/web" in lines[-1]


def test_a_pending_object_with_no_state_message_is_named_without_an_empty_colon(
    kube_emulator_factory: Any, tmp_path: Path
) -> None:
    from akscli.kube.readiness import Readiness

    emu = kube_emulator_factory()
    kube = connect(KubeTarget(kubeconfig=str(emu.write_kubeconfig(tmp_path / "config"))))
    maps = [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": n, "namespace": "default"}} for n in "ba"]
    answers = [kube.apply(m) for m in maps]
    lines: list[str] = []

    def rule(obj: Any) -> Readiness:  # a rule that has nothing to say yet about b
        return Readiness(obj["metadata"]["name"] == "a")

    with pytest.raises(errors.WaitTimeoutError):
        wait_for(kube, answers, timeout=1, progress=lines.append, rule=rule)
    assert lines[:2] == ["0/2 ready; configmap/b", "1/2 ready; configmap/a: ready; still waiting for configmap/b"]
