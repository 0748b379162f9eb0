"""The kubelet restarts the failing containers of an OnFailure pod at once the first time, then
only after its back-off (10 s doubling to 5 min), waiting in CrashLoopBackOff meanwhile (kubernetes/
kubernetes pkg/kubelet/kuberuntime/kuberuntime_manager.go doBackOff; kubernetes/client-go
util/flowcontrol/backoff.go). Seconds pass on the Job controller's clock, with no sleeps."""

from __future__ import annotations

from typing import Any

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.emulators.kube.controllers import kubelet_backoff
from tests.emulators.kube.controllers import kubelet_crashloop as crash
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


def crash_looping_web(kube_emulator_factory: Any, containers: list[str]) -> tuple[Any, Any]:
    """A crashloop-mode emulator with Deployment ``web`` of one pod with ``containers``, made
    after 3 restarts (back-off 40s); returns the emulator and its Deployment controller."""
    emu = kube_emulator_factory(controller_failure="crashloop")
    template = {
        "metadata": {"labels": {"app": "web"}},
        "spec": {"containers": [{"name": name, "image": "web"} for name in containers]},
    }
    spec = {"replicas": 1, "selector": {"matchLabels": {"app": "web"}}, "template": template}
    emu.cluster.create({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": spec})
    # The pod is made, then the kubelet's back-off is started on the controller's clock, then its
    # BackOff event is recorded: a clock moved on before that started the back-off late, and the
    # restart a test advanced to never came (pods.py _make_pod). Waited for the event, not the pod.
    assert wait_until(lambda: any(e.get("reason") == "BackOff" for e in emu.cluster.list("v1", "Event", "default")))
    [controller] = [c for c in emu.controllers.controllers if type(c).__name__ == "DeploymentController"]
    return emu, controller


def restarts_and_waits(emu: Any) -> list[tuple[int, str]]:
    [pod] = emu.cluster.list("v1", "Pod", "default")
    return [
        (c["restartCount"], c["state"]["waiting"]["message"].split(" restarting")[0])
        for c in pod["status"]["containerStatuses"]
    ]


def test_a_crash_looping_always_pod_restarts_when_its_back_off_ends_and_waits_twice_as_long(
    kube_emulator_factory: Any,
) -> None:
    emu, deployments = crash_looping_web(kube_emulator_factory, ["main"])
    deployments.advance(40)
    assert wait_until(lambda: restarts_and_waits(emu) == [(4, "back-off 1m20s")])


def test_a_crash_looping_always_pods_back_off_stops_doubling_at_five_minutes(kube_emulator_factory: Any) -> None:
    # 40 s, then 80, 160 and 300: 580 s after it was made the pod has restarted 4 more times
    emu, deployments = crash_looping_web(kube_emulator_factory, ["main"])
    deployments.advance(580)
    assert wait_until(lambda: restarts_and_waits(emu) == [(7, "back-off 5m0s")])


def test_a_pod_before_its_back_off_ends_is_not_restarted(kube_emulator_factory: Any) -> None:
    emu, deployments = crash_looping_web(kube_emulator_factory, ["main"])
    deployments.advance(5)  # 35 s of real time to spare before the 40 s back-off ends
    assert emu.idle(10.0)
    assert restarts_and_waits(emu) == [(3, "back-off 40s")]


def test_each_container_of_a_crash_looping_pod_has_its_own_back_off(kube_emulator_factory: Any) -> None:
    emu, deployments = crash_looping_web(kube_emulator_factory, ["main", "sidecar"])
    deployments.advance(40)
    assert wait_until(lambda: restarts_and_waits(emu) == [(4, "back-off 1m20s"), (4, "back-off 1m20s")])
    [pod] = emu.cluster.list("v1", "Pod", "default")
    keys = {crash.stable_key(pod, c) for c in pod["spec"]["containers"]}
    assert len(keys) == 2 and all(deployments.crash_loops.back_off.get(k) == 80 for k in keys)
