"""The pinned deploy's room check runs kube-scheduler's TaintToleration and NodeAffinity filters
with what the weighed pod carries: its own nodeSelector, required node affinity and tolerations,
and the toleration AKS's ExtendedResourceToleration admission plugin adds for each extended
resource it asks for (upstream: kubernetes/kubernetes pkg/scheduler/framework/plugins/
tainttoleration/taint_toleration.go and nodeaffinity/node_affinity.go; staging/src/k8s.io/
component-helpers/scheduling/corev1/nodeaffinity/nodeaffinity.go; plugin/pkg/admission/
extendedresourcetoleration/admission.go). The emulator's scheduler (tests/emulators/kube/
controllers/scheduling.py) applies the same filters: where the check says no node can take the
pods, the emulator leaves them Pending, for the same reason."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from akscli.kube import scheduling
from akscli.model.kinds import MODEL_LABEL
from tests.baremetal.nodes import NC_A100, node
from tests.cli import invoke
from tests.emulators.kube.apiserver import wait_until
from tests.emulators.kube.controllers import node_filters
from tests.emulators.kube.controllers import scheduling as emulated

Start = Callable[..., Any]
SPOT_TAINT = {"key": "kubernetes.azure.com/scalesetpriority", "value": "spot", "effect": "NoSchedule"}
RDMA = "rdma/rdma_shared_device_a"


def a100(**labels: str) -> dict[str, Any]:
    n = node("a100-0", size=NC_A100, gpus=1)
    n["metadata"]["labels"].update(labels)
    return n


def plan_and_fit() -> tuple[Any, Any]:
    """phi-4's vLLM plan and its fit on NC_A100 (one GPU)."""
    from akscli.model import catalog, planning

    plan = planning.plan(catalog.get("phi-4"), runtime="vllm", context=4096)
    fit = planning.check_vm_size(plan, NC_A100)
    assert fit is not None
    return plan, fit


def check(pod: dict[str, Any]) -> str | None:
    """The room check's note for phi-4 pinned to NC_A100 (--vm-size), weighing ``pod``."""
    from akscli.kube.connecting import connect
    from akscli.model import cluster_fit

    plan, fit = plan_and_fit()
    chosen, note = cluster_fit.fit_to_cluster(connect(), plan, fit, given=True, pod=lambda f: pod)
    assert chosen is fit
    return note


def pinned(**spec: Any) -> dict[str, Any]:
    """The pinned pod akscli weighs for the fit (cluster_fit.gpu_pod), with ``spec`` fields added."""
    from akscli.model import cluster_fit

    return {**cluster_fit.gpu_pod(plan_and_fit()[1]), **spec}


def pending_message(emu: Any, name: str) -> str:
    """The PodScheduled condition's message of the deploy's Pending pod."""

    def pending() -> list[dict[str, Any]]:
        pods = emu.cluster.list("v1", "Pod", "default", label_selector=f"{MODEL_LABEL}={name}")
        return [p for p in pods if p["status"].get("phase") == "Pending" and p["status"].get("conditions")]

    assert wait_until(lambda: bool(pending()))
    return str(pending()[0]["status"]["conditions"][0]["message"])


def required(*expressions: dict[str, Any]) -> dict[str, Any]:
    return {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [{"matchExpressions": list(expressions)}]
            }
        }
    }


def test_a_node_whose_labels_fail_the_pods_node_selector_is_not_counted(model_emulator: Start) -> None:
    model_emulator().cluster.create(a100())
    pod = pinned()
    pod["nodeSelector"] = {**pod["nodeSelector"], "kubernetes.azure.com/agentpool": "serving"}
    assert f"no {NC_A100} node of the cluster can take the pods now (1 node(s) didn't match Pod's node " in (
        check(pod) or ""
    )


def test_a_node_whose_labels_fail_the_pods_required_node_affinity_is_not_counted(model_emulator: Start) -> None:
    model_emulator().cluster.create(a100())
    pod = pinned(affinity=required({"key": "kubernetes.azure.com/agentpool", "operator": "NotIn", "values": ["gpu"]}))
    assert "(1 node(s) didn't match Pod's node affinity/selector)" in (check(pod) or "")


def test_a_node_whose_labels_meet_the_required_node_affinity_is_counted(model_emulator: Start) -> None:
    model_emulator().cluster.create(a100())
    pod = pinned(affinity=required({"key": "nvidia.com/gpu.count", "operator": "Gt", "values": ["0"]}))
    assert check(pod) is None


def test_a_taint_the_pod_tolerates_itself_keeps_the_node(model_emulator: Start) -> None:
    spot = a100()
    spot["spec"]["taints"] = [SPOT_TAINT]
    model_emulator().cluster.create(spot)
    pod = pinned()
    pod["tolerations"] = [*pod["tolerations"], {**SPOT_TAINT, "operator": "Equal"}]
    assert check(pod) is None


def test_a_taint_on_an_extended_resource_the_pod_asks_for_is_tolerated_as_aks_admits_it(
    model_emulator: Start,
) -> None:
    tainted = a100()
    tainted["spec"]["taints"] = [{"key": RDMA, "value": "present", "effect": "NoSchedule"}]
    model_emulator().cluster.create(tainted)
    pod = pinned()
    pod["containers"][0]["resources"]["limits"][RDMA] = "1"
    assert check(pod) is None


def test_the_airunway_pod_weighed_carries_the_model_deployments_selector_and_tolerations() -> None:
    from akscli.model import cluster_fit
    from akscli.model.kinds import GPU_TOLERATIONS

    from .test_serving_paths_upstream import _request

    req = _request(runtime="airunway", provider="llmd")
    pod = cluster_fit.rendered_pod(req)(req.fit)
    assert pod["nodeSelector"] == {"node.kubernetes.io/instance-type": req.fit.vm_size}
    assert pod["tolerations"] == list(GPU_TOLERATIONS)


# ---- the check and the emulator agree --------------------------------------------------------

LABELS = {"pool": "gpu", "gpus": "4", "zone": "1"}
EXPRESSIONS = [
    {"key": "pool", "operator": "In", "values": ["gpu", "cpu"]},
    {"key": "pool", "operator": "In", "values": ["cpu"]},
    {"key": "pool", "operator": "NotIn", "values": ["gpu"]},
    {"key": "spot", "operator": "NotIn", "values": ["true"]},
    {"key": "pool", "operator": "Exists"},
    {"key": "spot", "operator": "Exists"},
    {"key": "spot", "operator": "DoesNotExist"},
    {"key": "pool", "operator": "DoesNotExist"},
    {"key": "gpus", "operator": "Gt", "values": ["2"]},
    {"key": "gpus", "operator": "Gt", "values": ["4"]},
    {"key": "gpus", "operator": "Lt", "values": ["8"]},
    {"key": "pool", "operator": "Lt", "values": ["8"]},
    {"key": "missing", "operator": "Gt", "values": ["0"]},
]


@pytest.mark.parametrize("expression", EXPRESSIONS, ids=lambda e: f"{e['key']}-{e['operator']}-{e.get('values')}")
def test_the_check_and_the_emulator_match_node_affinity_alike(expression: dict[str, Any]) -> None:
    n = {"metadata": {"name": "n-0", "labels": LABELS}}
    spec = {"affinity": required(expression)}
    assert scheduling.matches_node_affinity(spec, n) == node_filters.matches_affinity(spec, n)


def test_the_emulator_leaves_pending_for_the_reason_the_check_gave(model_emulator: Start) -> None:
    emu = model_emulator()
    emu.cluster.create(a100())
    pod = pinned(affinity=required({"key": "kubernetes.azure.com/agentpool", "operator": "In", "values": ["serving"]}))
    assert "(1 node(s) didn't match Pod's node affinity/selector)" in (check(pod) or "")
    reasons, _ = emulated.fit_reasons(pod, emulated.pod_requests(pod), a100(), Counter)
    assert reasons == [scheduling.AFFINITY_REASON]


def test_a_named_size_the_check_warned_about_leaves_the_deployed_pod_pending(model_emulator: Start) -> None:
    emu = model_emulator()
    spot = a100()
    spot["spec"]["taints"] = [SPOT_TAINT]
    emu.cluster.create(spot)
    result = invoke("model", "deploy", "phi-4", "--runtime", "vllm", "--vm-size", NC_A100, "-y")
    assert result.exit_code == 0, result
    assert f"1 tainted {SPOT_TAINT['key']}=spot:NoSchedule, which the pods do not tolerate" in result.stderr
    assert pending_message(emu, "phi-4").startswith(
        "0/1 nodes are available: 1 node(s) had untolerated taint {kubernetes.azure.com/scalesetpriority: spot}."
    )
