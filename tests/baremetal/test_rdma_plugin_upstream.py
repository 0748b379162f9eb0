"""baremetal prepare --rdma: the RDMA shared device plugin's DaemonSet as upstream deploys it.

upstream: Mellanox/k8s-rdma-shared-dev-plugin 410b0f3 deployment/k8s/base/daemonset.yaml (no
tolerations, no resources, privileged, host network, system-node-critical); Mellanox/network-operator
b06827e0 manifests/state-rdma-shared-device-plugin/0060_rdma-shared-dev-plugin-ds.yaml (tolerates
nvidia.com/gpu NoSchedule and the policy's own tolerations; resources only where the policy sets them).
"""

from __future__ import annotations

from typing import Any

from akscli import yamlio
from akscli.baremetal import prepare
from akscli.kube import scheduling
from tests.cli import invoke

from . import nodes as fx

GPU_POOL_TOLERATIONS = [
    {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "sku", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"},
]


def _pod_spec(opts: prepare.PrepareOptions | None = None) -> dict[str, Any]:
    options = opts or prepare.PrepareOptions(cluster_policy=False, rdma=True)
    (ds,) = [o for o in prepare.objects(options) if o["kind"] == "DaemonSet"]
    spec: dict[str, Any] = ds["spec"]["template"]["spec"]
    return spec


def test_the_rdma_plugin_tolerates_the_gpu_pools_taints_not_every_taint() -> None:
    # Before: `- operator: Exists`, which no upstream manifest of the plugin has.
    assert _pod_spec()["tolerations"] == GPU_POOL_TOLERATIONS


def test_the_rdma_plugin_stays_off_a_node_of_another_pool() -> None:
    other_pool = fx.node("aks-other-0")
    other_pool["spec"]["taints"].append({"key": "dedicated", "value": "other-team", "effect": "NoSchedule"})
    assert scheduling.untolerated_taints(other_pool, _pod_spec()["tolerations"]) != []


def test_the_rdma_plugin_sets_no_container_resources_as_upstream() -> None:
    # Before: a 128Mi memory limit and requests that no upstream manifest sets.
    (container,) = _pod_spec()["containers"]
    assert "resources" not in container


def test_the_rdma_plugin_keeps_upstreams_privileges_and_placement() -> None:
    spec = _pod_spec()
    (container,) = spec["containers"]
    assert container["securityContext"] == {"privileged": True}
    assert (spec["hostNetwork"], spec["priorityClassName"]) == (True, "system-node-critical")
    # NFD's built-in rule: a PCI device of vendor 15b3 (kubernetes-sigs/node-feature-discovery
    # source/custom/static_features.go), the hardware the Network Operator's pci-15b3.present names.
    assert spec["nodeSelector"] == {"feature.node.kubernetes.io/rdma.capable": "true"}


def test_a_pools_own_taint_is_tolerated_with_rdma_toleration() -> None:
    result = invoke(
        "baremetal", "prepare", "--rdma", "--no-cluster-policy", "--rdma-toleration", "dedicated=ib:NoSchedule",
        "--rdma-toleration", "kubernetes.azure.com/scalesetpriority:NoSchedule", "--dry-run", "client",
    )  # fmt: skip
    assert result.exit_code == 0, result
    (ds,) = [d for d in yamlio.load_all(result.stdout, "stdout") if d["kind"] == "DaemonSet"]
    assert ds["spec"]["template"]["spec"]["tolerations"] == [
        *GPU_POOL_TOLERATIONS,
        {"key": "dedicated", "operator": "Equal", "value": "ib", "effect": "NoSchedule"},
        {"key": "kubernetes.azure.com/scalesetpriority", "operator": "Exists", "effect": "NoSchedule"},
    ]


def test_an_rdma_toleration_that_is_not_a_taint_is_refused_naming_the_flag() -> None:
    result = invoke("baremetal", "prepare", "--rdma", "--rdma-toleration", "dedicated=ib", "--dry-run", "client")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (
        "error: invalid --rdma-toleration 'dedicated=ib': it is not key[=value]:Effect"
    )
    assert result.stdout == ""
