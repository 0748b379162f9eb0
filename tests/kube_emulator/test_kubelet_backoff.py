"""The kubelet restarts the failing containers of an OnFailure pod at once the first time, then
only after its back-off (10 s doubling to 5 min), waiting in CrashLoopBackOff meanwhile (kubernetes/
kubernetes pkg/kubelet/kuberuntime/kuberuntime_manager.go doBackOff; kubernetes/client-go
util/flowcontrol/backoff.go). Seconds pass on the Job controller's clock, with no sleeps."""

from __future__ import annotations

from typing import Any

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.emulators.kube.controllers import kubelet_backoff
from tests.emulators.kube.controllers.kubelet_backoff import RestartBackOff, go_duration
from tests.kube_emulator.test_job_suspend import conditions, pods, start


def container(emu: KubeEmulator) -> dict[str, Any]:
    [pod] = pods(emu)
    return dict(pod["status"]["containerStatuses"][0])


def waiting(emu: KubeEmulator) -> bool:
    return any(kubelet_backoff.waiting(p.get("status") or {}) for p in pods(emu))


def test_the_second_failure_waits_in_crash_loop_back_off(kube_emulator: KubeEmulator) -> None:
    start(kube_emulator, lambda _pod: 1, "OnFailure")
    assert wait_until(lambda: waiting(kube_emulator))
    [pod] = pods(kube_emulator)
    md = pod["metadata"]
    state = container(kube_emulator)
    assert state["restartCount"] == 1
    assert state["state"]["waiting"] == {
        "reason": "CrashLoopBackOff",
        "message": f"back-off 10s restarting failed container=main pod={md['name']}_default({md['uid']})",
    }
    assert state["lastState"]["terminated"]["exitCode"] == 1
    assert pod["status"]["phase"] == "Running"
    ready = {c["type"]: c for c in pod["status"]["conditions"]}["Ready"]
    assert (ready["status"], ready["reason"], ready["message"]) == (
        "False",
        "ContainersNotReady",
        "containers with unready status: [main]",
    )


def test_a_back_off_event_names_the_container_and_pod(kube_emulator: KubeEmulator) -> None:
    start(kube_emulator, lambda _pod: 1, "OnFailure")

    def events() -> list[dict[str, Any]]:
        return [e for e in kube_emulator.cluster.list("v1", "Event", "default") if e.get("reason") == "BackOff"]

    assert wait_until(lambda: bool(events()))  # the event follows the pod's CrashLoopBackOff status
    [pod] = pods(kube_emulator)
    md = pod["metadata"]
    assert [(e["type"], e["message"]) for e in events()] == [
        ("Warning", f"Back-off restarting failed container main in pod {md['name']}_default({md['uid']})")
    ]


def test_the_container_waits_until_the_back_off_has_passed(kube_emulator: KubeEmulator) -> None:
    jc = start(kube_emulator, lambda _pod: 1, "OnFailure")
    assert wait_until(lambda: waiting(kube_emulator))
    jc.advance(5)  # half the 10 s back-off: far from its end whatever the machine's speed
    kube_emulator.idle()
    assert (container(kube_emulator)["restartCount"], waiting(kube_emulator)) == (1, True)


def test_the_back_off_doubles_after_each_restart(kube_emulator: KubeEmulator) -> None:
    jc = start(kube_emulator, lambda _pod: 1, "OnFailure")
    assert wait_until(lambda: waiting(kube_emulator))
    jc.advance(10)
    assert wait_until(lambda: "back-off 20s" in str(container(kube_emulator)["state"]))
    assert container(kube_emulator)["restartCount"] == 2


def test_a_container_that_then_succeeds_completes_the_job(kube_emulator: KubeEmulator) -> None:
    jc = start(
        kube_emulator, lambda pod: 0 if pod["status"]["containerStatuses"][0]["restartCount"] > 1 else 1, "OnFailure"
    )
    assert wait_until(lambda: waiting(kube_emulator))
    jc.advance(10)
    assert wait_until(lambda: "Complete" in conditions(kube_emulator))
    assert container(kube_emulator)["restartCount"] == 2


def test_the_back_off_is_capped_at_five_minutes() -> None:
    back_off, seen = RestartBackOff(), []
    for t in range(0, 2000, 100):
        back_off.next("pod", float(t), float(t))
        seen.append(go_duration(back_off.get("pod")))
    assert seen[:7] == ["10s", "20s", "40s", "1m20s", "2m40s", "5m0s", "5m0s"]


def test_a_container_stable_for_twice_the_cap_starts_again_from_ten_seconds() -> None:
    back_off = RestartBackOff()
    for t in (0.0, 10.0, 30.0):
        back_off.next("pod", t, t)
    assert back_off.get("pod") == 40.0
    assert not back_off.in_back_off_since("pod", 631.0, 631.0)
    back_off.next("pod", 631.0, 631.0)
    assert back_off.get("pod") == 10.0


def test_a_crash_looping_deployment_pod_names_itself_as_the_kubelet_does(kube_emulator_factory: Any) -> None:
    emu = kube_emulator_factory(controller_failure="crashloop")
    template = {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "main", "image": "web"}]}}
    spec = {"replicas": 1, "selector": {"matchLabels": {"app": "web"}}, "template": template}
    emu.cluster.create({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": spec})

    def events() -> list[str]:
        return [e["message"] for e in emu.cluster.list("v1", "Event", "default") if e.get("reason") == "BackOff"]

    assert wait_until(lambda: bool(events()))  # the kubelet's event comes after the pod's status
    [pod] = emu.cluster.list("v1", "Pod", "default")
    md, [state] = pod["metadata"], pod["status"]["containerStatuses"]
    who = f"{md['name']}_default({md['uid']})"
    assert (state["restartCount"], state["state"]["waiting"]["message"]) == (
        3,
        f"back-off 40s restarting failed container=main pod={who}",
    )
    assert events() == [f"Back-off restarting failed container main in pod {who}"]
