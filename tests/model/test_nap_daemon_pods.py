"""Which DaemonSets akscli counts on a node Karpenter would make, with the tolerations and requests
Karpenter reads: a live daemon pod's where the DaemonSet has one (read from the cluster; where none
is read, the DaemonSet controller's added tolerations and admission's with the template's), else
the template's alone (upstream:
kubernetes-sigs/karpenter 2266468 pkg/controllers/provisioning/provisioner.go getDaemonSetPods,
pkg/controllers/state/cluster.go GetDaemonSetPod, pkg/utils/daemonset/daemonset.go PodForDaemonSet;
kubernetes/kubernetes 05c351a9 pkg/controller/daemon/util/daemonset_util.go
AddOrUpdateDaemonPodTolerations; akscli.nap.fit.daemon_pod)."""

from __future__ import annotations

from typing import Any

import pytest

from akscli.nap import admit as nap_admit
from akscli.nap import fit as nap_fit
from tests.cli import invoke
from tests.emulators.kube.apiserver import wait_until
from tests.kube_emulator.test_karpenter_allocatable import daemonset as emulated_daemonset
from tests.model.test_nap_fit import deploy_t4
from tests.model.test_nap_gpu_pool import Start, nap_lab, text

T4 = "Standard_NC4as_T4_v3"
RUNNING = {"currentNumberScheduled": 3, "desiredNumberScheduled": 3}


def pool(*taints: dict[str, str]) -> dict[str, Any]:
    return {"metadata": {"name": "gpu"}, "spec": {"template": {"spec": {"taints": list(taints)}}}}


def daemonset(status: dict[str, Any] | None = None, **spec: Any) -> dict[str, Any]:
    container = {"name": "agent", "image": "x:1", "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}}}
    body: dict[str, Any] = {"spec": {"template": {"spec": {"containers": [container], **spec}}}}
    if status is not None:
        body["status"] = status
    return body


def counted(taint: dict[str, str], ds: dict[str, Any]) -> int:
    return nap_fit.daemon_overhead(pool(taint), T4, [ds])[1]


@pytest.mark.parametrize(
    "key",
    ["node.kubernetes.io/unschedulable", "node.kubernetes.io/memory-pressure", "node.kubernetes.io/disk-pressure"],
)
def test_a_daemonset_with_a_live_pod_tolerates_the_taints_its_controller_adds(key: str) -> None:
    assert counted({"key": key, "effect": "NoSchedule"}, daemonset(RUNNING)) == 1


def test_a_daemonset_with_no_pod_counts_with_its_templates_tolerations_alone() -> None:
    # PodForDaemonSet: the template's spec, no toleration added
    taint = {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}
    assert counted(taint, daemonset()) == 0
    assert counted(taint, daemonset({"currentNumberScheduled": 0, "desiredNumberScheduled": 0})) == 0


def test_a_misscheduled_pod_is_a_live_pod_too() -> None:
    taint = {"key": "node.kubernetes.io/not-ready", "effect": "NoExecute"}
    assert counted(taint, daemonset({"currentNumberScheduled": 0, "numberMisscheduled": 1})) == 1


def test_only_a_host_network_daemon_pod_tolerates_network_unavailable() -> None:
    taint = {"key": "node.kubernetes.io/network-unavailable", "effect": "NoSchedule"}
    assert counted(taint, daemonset(RUNNING, hostNetwork=True)) == 1
    assert counted(taint, daemonset(RUNNING)) == 0


def test_a_live_pod_asking_an_extended_resource_tolerates_its_taint_as_admission_adds_it() -> None:
    # AKS's ExtendedResourceToleration admission (akscli.kube.scheduling.pod_tolerations)
    ds = daemonset(RUNNING)
    ds["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"] = {"example.com/dev": "1"}
    assert counted({"key": "example.com/dev", "effect": "NoSchedule"}, ds) == 1


def test_a_taint_the_controller_adds_no_toleration_for_still_keeps_the_daemon_off() -> None:
    assert counted({"key": "sku", "value": "gpu", "effect": "NoSchedule"}, daemonset(RUNNING)) == 0


def test_a_live_pods_tolerations_count_not_its_updated_templates() -> None:
    # GetDaemonSetPod: an OnDelete DaemonSet's pod keeps the toleration its template since dropped
    taint = {"key": "sku", "value": "gpu", "effect": "NoSchedule"}
    pod = {"spec": {**daemonset()["spec"]["template"]["spec"], "tolerations": [{**taint, "operator": "Equal"}]}}
    assert nap_fit.daemon_overhead(pool(taint), T4, [daemonset(RUNNING)], lambda _: pod)[1] == 1


def test_a_templates_required_node_affinity_replaces_the_live_pods() -> None:
    # getDaemonSetPods: the template's term, not the controller's metadata.name one
    term = {"matchExpressions": [{"key": "karpenter.sh/nodepool", "operator": "In", "values": ["cpu"]}]}
    ds = daemonset(RUNNING, affinity={"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
        "nodeSelectorTerms": [term]}}})  # fmt: skip
    pinned = {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["aks-system-0"]}]}
    pod = {"spec": {**ds["spec"]["template"]["spec"], "affinity": {"nodeAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [pinned]}}}}}  # fmt: skip
    assert nap_fit.daemon_overhead(pool(), T4, [ds], lambda _: pod)[1] == 0


def test_a_live_daemon_pods_limit_range_requests_count_in_the_deploys_fit(model_emulator: Start) -> None:
    # LimitRanger gave the daemon pod 3Gi its template does not ask; Karpenter counts the pod's
    # (cluster.go GetDaemonSetPod): beside the vLLM pod's 19Gi, more than the T4's 21.8Gi
    def setup(emu: Any) -> None:
        limits = [{"type": "Container", "defaultRequest": {"cpu": "100m", "memory": "3Gi"}}]
        emu.cluster.create({"apiVersion": "v1", "kind": "LimitRange", "spec": {"limits": limits},
                            "metadata": {"name": "defaults", "namespace": "kube-system"}})  # fmt: skip
        agent = emulated_daemonset("agent", "100m", "3Gi")
        del agent["spec"]["template"]["spec"]["containers"][0]["resources"]
        emu.cluster.create(agent)
        assert wait_until(lambda: emu.cluster.list("v1", "Pod", "kube-system", "app=agent"), timeout=5)
        assert wait_until(lambda: scheduled(emu.cluster.get("apps/v1", "DaemonSet", "kube-system", "agent")), timeout=5)

    out = " ".join(deploy_t4(model_emulator, T4, setup).split())
    assert "the pods ask 19Gi and 1 DaemonSet pod(s) that would run there 3Gi" in out


def scheduled(ds: dict[str, Any] | None) -> bool:
    return bool(((ds or {}).get("status") or {}).get("currentNumberScheduled"))


def test_a_daemonsets_pods_are_read_once_one_page_however_many_pools(model_emulator: Start) -> None:
    emu = nap_lab(model_emulator)
    for name in ("gpu", "gpu2"):
        assert invoke("nodepool", "add", name, "--auto-provision", "--gpu", "t4", "-y").exit_code == 0
    emu.cluster.create(emulated_daemonset("agent", "100m", "3Gi"))  # room on no pool's T4: both are asked
    assert wait_until(lambda: scheduled(emu.cluster.get("apps/v1", "DaemonSet", "kube-system", "agent")), timeout=5)
    with emu._log_lock:
        emu.request_log.clear()
    result = invoke("model", "deploy", "phi-4-mini-instruct", "--runtime", "vllm", "--vm-size", T4, "-y")
    assert result.exit_code == 0, text(result)
    reads = [r.query for r in emu.requests(method="GET", path="/namespaces/kube-system/pods")]
    assert [(q.get("labelSelector"), q.get("limit")) for q in reads] == [(["app=agent"], ["500"])]


AGENT = {"metadata": {"name": "agent", "namespace": "kube-system", "uid": "ds-1"},
         "spec": {"selector": {"matchLabels": {"app": "agent"}}}}  # fmt: skip


def agent_pod(name: str, created: str, memory: str, owner: str = "ds-1") -> dict[str, Any]:
    owners = [{"apiVersion": "apps/v1", "kind": "DaemonSet", "name": "agent", "uid": owner, "controller": True}]
    container = {"name": "agent", "resources": {"requests": {"memory": memory}}}
    meta = {"name": name, "namespace": "kube-system", "creationTimestamp": created, "ownerReferences": owners}
    return {"metadata": meta, "spec": {"containers": [container]}}


class PodPages:
    """A kube whose pod list answers in pages in name order, as the API server does."""

    def __init__(self, pods: list[dict[str, Any]]) -> None:
        self.pods = sorted(pods, key=lambda p: str(p["metadata"]["name"]))
        self.pages_served = 0

    def list_pages(self, api_version: str, kind: str, *, page_size: int, **_: Any) -> Any:
        for start in range(0, len(self.pods), page_size):
            self.pages_served += 1
            yield {"items": self.pods[start : start + page_size]}


def test_the_newest_pod_of_a_daemonset_counts_not_the_first_by_name() -> None:
    # cluster.go UpdateDaemonSet keeps the pod whose creationTimestamp is After the others'
    kube = PodPages([agent_pod("agent-aaaaa", "2026-01-01T00:00:00Z", "64Mi"),
                     agent_pod("agent-zzzzz", "2026-03-01T00:00:00Z", "3Gi")])  # fmt: skip
    live = nap_admit._live_pods(kube)(AGENT)  # type: ignore[arg-type]
    assert live is not None and live["metadata"]["name"] == "agent-zzzzz"


def test_a_newer_pod_the_daemonset_does_not_control_is_not_its_pod() -> None:
    kube = PodPages([agent_pod("agent-aaaaa", "2026-01-01T00:00:00Z", "64Mi"),
                     agent_pod("agent-zzzzz", "2026-03-01T00:00:00Z", "3Gi", owner="other")])  # fmt: skip
    live = nap_admit._live_pods(kube)(AGENT)  # type: ignore[arg-type]
    assert live is not None and live["metadata"]["name"] == "agent-aaaaa"


def test_a_daemonset_of_more_pods_than_a_page_costs_one_page() -> None:
    pods = [agent_pod(f"agent-{n:05d}", f"2026-01-01T00:{n // 60 % 60:02d}:{n % 60:02d}Z", "64Mi") for n in range(501)]
    kube = PodPages(pods)
    live = nap_admit._live_pods(kube)(AGENT)  # type: ignore[arg-type]
    assert kube.pages_served == 1
    assert live is not None and live["metadata"]["name"] == "agent-00499"
