"""`kubectl logs --previous` reads the container instance that ran before the current one: the
kubelet keeps the last terminated instance (lastState) and reads its log by its container ID, and
says "previous terminated container ... not found" only where there is none (kubernetes/kubernetes
pkg/kubelet/kubelet_pods.go validateContainerLogStatus). Held to the real kubectl."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.kube_emulator.test_job_suspend import pods, start
from tests.kube_emulator.test_kubectl_fidelity import kubectl
from tests.kube_emulator.test_kubelet_backoff import crash_looping_web, restarts_and_waits

pytestmark = [
    pytest.mark.kubectl,
    pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed"),
]

LAST_WORDS = "loading weights\ntorch.OutOfMemoryError: CUDA out of memory\n"


def restarted_once(emu: KubeEmulator) -> str:
    """A Job pod (restartPolicy OnFailure) whose container logged LAST_WORDS, exited 1 and was
    restarted at once; returns the pod's name."""
    crashed: list[bool] = []

    def exit_code(pod: dict[str, Any]) -> int | None:
        first = pod["status"]["containerStatuses"][0]["restartCount"] == 0
        return 1 if crashed and first else None

    jc = start(emu, exit_code, "OnFailure")
    assert wait_until(lambda: [p["status"].get("phase") for p in pods(emu)] == ["Running"])
    name = str(pods(emu)[0]["metadata"]["name"])
    emu.cluster.set_pod_logs("default", name, LAST_WORDS)
    crashed.append(True)
    jc.advance(0)
    assert wait_until(lambda: pods(emu)[0]["status"]["containerStatuses"][0]["restartCount"] == 1)
    return name


def test_previous_shows_what_the_container_logged_before_it_restarted(
    kube_emulator: KubeEmulator, kubeconfig: Path
) -> None:
    name = restarted_once(kube_emulator)
    r = kubectl("logs", name, "--previous")
    assert (r.returncode, r.stdout) == (0, LAST_WORDS), r.stderr


def test_the_restarted_container_logs_afresh(kube_emulator: KubeEmulator, kubeconfig: Path) -> None:
    name = restarted_once(kube_emulator)
    kube_emulator.cluster.append_pod_logs("default", name, "loading weights again")
    r = kubectl("logs", name)
    assert (r.returncode, r.stdout) == (0, "loading weights again\n"), r.stderr


def test_a_container_that_never_restarted_has_no_previous_log(kube_emulator: KubeEmulator, kubeconfig: Path) -> None:
    start(kube_emulator, lambda _pod: None, "OnFailure")
    assert wait_until(lambda: [p["status"].get("phase") for p in pods(kube_emulator)] == ["Running"])
    name = pods(kube_emulator)[0]["metadata"]["name"]
    r = kubectl("logs", name, "-p")
    assert r.returncode == 1
    assert r.stderr.strip() == (
        f'Error from server (BadRequest): previous terminated container "main" in pod "{name}" not found'
    )


def crash_looping(kube_emulator_factory: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any, str]:
    emu, deployments = crash_looping_web(kube_emulator_factory, ["main"])
    path = emu.write_kubeconfig(tmp_path / "kubeconfig", context="emulator", namespace="default")
    monkeypatch.setenv("KUBECONFIG", str(path))
    monkeypatch.setenv("KUBECACHEDIR", str(tmp_path / "kube-cache"))
    [pod] = emu.cluster.list("v1", "Pod", "default")
    return emu, deployments, str(pod["metadata"]["name"])


def test_a_container_waiting_in_crash_loop_back_off_shows_its_last_run_as_previous(
    kube_emulator_factory: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    emu, _, name = crash_looping(kube_emulator_factory, tmp_path, monkeypatch)
    emu.cluster.set_pod_logs("default", name, LAST_WORDS)  # what the instance that last exited wrote
    r = kubectl("logs", name, "-p")
    assert (r.returncode, r.stdout) == (0, LAST_WORDS), r.stderr


def test_after_another_restart_previous_is_the_newer_instance(
    kube_emulator_factory: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    emu, deployments, name = crash_looping(kube_emulator_factory, tmp_path, monkeypatch)
    emu.cluster.set_pod_logs("default", name, LAST_WORDS)
    deployments.advance(40)  # the back-off ends: a new instance starts, writes nothing, exits
    assert wait_until(lambda: restarts_and_waits(emu) == [(4, "back-off 1m20s")])
    r = kubectl("logs", name, "-p")
    assert (r.returncode, r.stdout) == (0, ""), r.stderr
