"""A restarted container's lastState carries the times it started and exited on the kubelet's
clock (the one a test moves on with ``advance``), as the runtime stamps them (kubernetes/kubernetes
pkg/kubelet/kuberuntime/kuberuntime_container.go toKubeContainerStatus), not the wall-clock time
of the emulator's pass that noticed the exit."""

from __future__ import annotations

import datetime
from typing import Any

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.kube_emulator.test_job_suspend import pods, start
from tests.kube_emulator.test_kubelet_backoff import container, crash_looping_web, restarts_and_waits, waiting


def seconds(stamp: str) -> float:
    return datetime.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.UTC).timestamp()


def last_exit(status: dict[str, Any]) -> tuple[float, float]:
    terminated = status["lastState"]["terminated"]
    return seconds(terminated["startedAt"]), seconds(terminated["finishedAt"])


def test_a_crash_looping_containers_last_exit_is_when_its_back_off_ended_on_the_kubelets_clock(
    kube_emulator_factory: Any,
) -> None:
    # Made after 3 restarts, waiting 40 s: then 40, 80, 160 and 300 s, so the 7th restart starts
    # (and exits at once) 580 s after the pod was made.
    emu, deployments = crash_looping_web(kube_emulator_factory, ["main"])
    [pod] = emu.cluster.list("v1", "Pod", "default")
    _, made = last_exit(pod["status"]["containerStatuses"][0])
    deployments.advance(600)
    assert wait_until(lambda: restarts_and_waits(emu) == [(7, "back-off 5m0s")])
    [pod] = emu.cluster.list("v1", "Pod", "default")
    started, finished = last_exit(pod["status"]["containerStatuses"][0])
    assert started == finished
    assert 579 <= finished - made <= 590  # 580 s on the clock, plus the real seconds the test took


def test_a_job_containers_exit_after_the_clock_moved_on_is_stamped_on_that_clock(kube_emulator: KubeEmulator) -> None:
    jc = start(kube_emulator, lambda _pod: 1, "OnFailure")
    assert wait_until(lambda: waiting(kube_emulator))
    _, first = last_exit(container(kube_emulator))
    jc.advance(300)  # the 10 s back-off long over: restarted, then it exits again 300 s on
    assert wait_until(lambda: container(kube_emulator)["restartCount"] == 2 and waiting(kube_emulator))
    started, second = last_exit(container(kube_emulator))
    assert 299 <= second - first <= 320
    assert 299 <= started - first <= 320  # the restart came when the clock had moved on
    assert pods(kube_emulator)[0]["status"]["phase"] == "Running"
