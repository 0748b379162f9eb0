"""baremetal prepare against what upstream publishes and what the cluster runs (issue #13 item 3):
a current GPU Operator release's images and CRD fields, no ClusterPolicy beside the chart's, no
second NFD, and AKS's own GPU driver left alone."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from akscli.baremetal import prepare
from tests.cli import invoke
from tests.emulators.kube.crds import default_crd_dir, load_crd_dir
from tests.emulators.kube.profiles import ready_pod
from tests.ops.test_ops_emulator import CLUSTER_POLICY_SPEC

from . import nodes as fx
from .conftest import add_nodes, helm_gpu_operator


def policy_spec(**kw: Any) -> dict[str, Any]:
    (policy,) = [o for o in prepare.objects(prepare.PrepareOptions(**kw)) if o["kind"] == "ClusterPolicy"]
    spec: dict[str, Any] = policy["spec"]
    return spec


def deprecated_paths(schema: dict[str, Any], path: str = "") -> Iterator[str]:
    """Fields the ClusterPolicy CRD says are no longer honoured ("Deprecated: ...")."""
    for key, sub in (schema.get("properties") or {}).items():
        where = f"{path}.{key}" if path else key
        if str(sub.get("description", "")).lstrip("'").startswith("Deprecated"):
            yield where
        yield from deprecated_paths(sub, where)


def present(spec: dict[str, Any], path: str) -> bool:
    node: Any = spec
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def test_no_field_the_crd_marks_deprecated_is_set() -> None:
    (crd,) = [c for c in load_crd_dir(default_crd_dir() / "nvidia") if c["spec"]["names"]["kind"] == "ClusterPolicy"]
    schema = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]
    deprecated = list(deprecated_paths(schema))
    assert "driver.useOpenKernelModules" in deprecated and "operator.defaultRuntime" in deprecated
    for spec in (policy_spec(), policy_spec(mig_strategy="mixed", gpudirect_rdma=True, kernel_module_type="open")):
        assert [p for p in deprecated if present(spec, p)] == []


def test_every_image_is_the_releases_own() -> None:
    release = prepare.release(None)
    spec = policy_spec(mig_strategy="single")
    for component in ("validator", "driver", "toolkit", "devicePlugin", "dcgmExporter", "gfd", "migManager"):
        want = release[component]
        got = spec[component]
        assert (got["repository"], got["image"], got["version"]) == (
            want["repository"],
            want["image"],
            want["version"],
        ), component
    # Since v25.10 the validator is the operator's own image (values.yaml validator.image: gpu-operator).
    assert spec["validator"]["image"] == "gpu-operator"


def test_the_rdma_plugin_comes_from_where_upstream_publishes() -> None:
    objs = prepare.objects(prepare.PrepareOptions(rdma=True, cluster_policy=False))
    (ds,) = [o for o in objs if o["kind"] == "DaemonSet"]
    assert ds["spec"]["template"]["spec"]["containers"][0]["image"].startswith("ghcr.io/mellanox/")


def test_the_policy_name_is_not_the_charts() -> None:
    (policy,) = prepare.objects(prepare.PrepareOptions())
    assert policy["metadata"]["name"] != "cluster-policy"


def chart_cluster_policy(emu: Any) -> None:
    """The ClusterPolicy the GPU Operator chart creates by default (templates/clusterpolicy.yaml)."""
    emu.cluster.create(
        {
            "apiVersion": "nvidia.com/v1",
            "kind": "ClusterPolicy",
            "metadata": {
                "name": "cluster-policy",
                "labels": {
                    "app.kubernetes.io/managed-by": "Helm",
                    "app.kubernetes.io/instance": "gpu-operator",
                    "app.kubernetes.io/component": "gpu-operator",
                },
            },
            "spec": CLUSTER_POLICY_SPEC,
        }
    )


def test_no_second_cluster_policy_beside_the_charts(kube_emulator: Any, kubeconfig: Any) -> None:
    helm_gpu_operator(kube_emulator)
    chart_cluster_policy(kube_emulator)
    result = invoke("baremetal", "prepare", "--mig-strategy", "mixed", "-y")
    assert result.exit_code == 0, result
    policies = kube_emulator.cluster.list("nvidia.com/v1", "ClusterPolicy")
    assert [p["metadata"]["name"] for p in policies] == ["cluster-policy"]
    assert "helm upgrade gpu-operator nvidia/gpu-operator -n gpu-operator --reuse-values" in result.stderr
    assert "--set mig.strategy=mixed" in result.stderr


def test_no_nfd_is_deployed_and_the_charts_is_reported(kube_emulator: Any, kubeconfig: Any) -> None:
    helm_gpu_operator(kube_emulator)
    # The chart's NFD subchart (node-feature-discovery 0.19 labels app.kubernetes.io/name).
    ready_pod(kube_emulator, "gpu-operator", "gpu-operator-node-feature-discovery-master-0", {
        "app.kubernetes.io/name": "node-feature-discovery", "role": "master"})  # fmt: skip
    result = invoke("baremetal", "prepare", "--rdma", "-y")
    assert result.exit_code == 0, result
    assert "Node Feature Discovery runs in gpu-operator: prepare deploys none" in result.stderr
    assert not any("nfd" in d["metadata"]["name"] for d in kube_emulator.cluster.list("apps/v1", "DaemonSet"))


def test_rdma_without_any_nfd_says_nothing_labels_the_nodes(kube_emulator: Any, kubeconfig: Any) -> None:
    helm_gpu_operator(kube_emulator)
    result = invoke("baremetal", "prepare", "--rdma", "-y")
    assert result.exit_code == 0, result
    assert "no Node Feature Discovery runs" in result.stderr


def test_aks_managed_driver_is_left_to_aks(kube_emulator: Any, kubeconfig: Any) -> None:
    add_nodes(kube_emulator, [fx.aks_plain_node("aks-nc-0")])
    helm_gpu_operator(kube_emulator)
    result = invoke("baremetal", "prepare", "-y")
    assert result.exit_code == 0, result
    spec = kube_emulator.cluster.get("nvidia.com/v1", "ClusterPolicy", None, "akscli-cluster-policy")["spec"]
    assert [spec[k]["enabled"] for k in ("driver", "toolkit", "devicePlugin")] == [False, False, False]
    assert "AKS-managed driver" in result.stderr


def test_gpudirect_on_the_aks_managed_driver_is_refused(kube_emulator: Any, kubeconfig: Any) -> None:
    add_nodes(kube_emulator, [fx.aks_plain_node("aks-nc-0")])
    helm_gpu_operator(kube_emulator)
    result = invoke("baremetal", "prepare", "--gpudirect-rdma", "-y")
    assert result.exit_code == 2
    assert "--gpu-driver none" in result.stderr
    assert kube_emulator.cluster.list("nvidia.com/v1", "ClusterPolicy") == []


def network_operator_policy(emu: Any, spec: dict[str, Any]) -> None:
    """A NicClusterPolicy (Mellanox/network-operator api/v1alpha1, mellanox.com, scope=Cluster). No CRD of the
    Network Operator is in ../shared/crds: this stand-in CRD keeps any spec."""
    emu.cluster.create(
        {
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": {"name": "nicclusterpolicies.mellanox.com"},
            "spec": {
                "group": "mellanox.com",
                "scope": "Cluster",
                "names": {"plural": "nicclusterpolicies", "singular": "nicclusterpolicy", "kind": "NicClusterPolicy"},
                "versions": [
                    {
                        "name": "v1alpha1",
                        "served": True,
                        "storage": True,
                        "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}},
                    }
                ],
            },
        }
    )
    emu.cluster.create(
        {"apiVersion": "mellanox.com/v1alpha1", "kind": "NicClusterPolicy", "metadata": {"name": "nic"}, "spec": spec}
    )


def test_gpudirect_without_any_mofed_source_is_refused_before_anything_is_applied(
    kube_emulator: Any, kubeconfig: Any
) -> None:
    # gpu-driver-container nvidia-driver reload_nvidia_peermem waits for /run/mellanox/drivers/.driver-ready,
    # written by the Network Operator's MOFED container, unless useHostMofed.
    helm_gpu_operator(kube_emulator)
    result = invoke("baremetal", "prepare", "--gpudirect-rdma", "-y")
    assert result.exit_code == 2, result
    assert "--host-mofed" in result.stderr and "spec.ofedDriver" in result.stderr
    assert "Traceback" not in result.stderr
    assert kube_emulator.cluster.list("nvidia.com/v1", "ClusterPolicy") == []


def test_gpudirect_with_the_network_operators_mofed_driver_is_applied(kube_emulator: Any, kubeconfig: Any) -> None:
    helm_gpu_operator(kube_emulator)
    network_operator_policy(kube_emulator, {"ofedDriver": {"image": "doca-driver", "version": "25.10-1.2.8.0-0"}})
    result = invoke("baremetal", "prepare", "--gpudirect-rdma", "-y")
    assert result.exit_code == 0, result
    spec = kube_emulator.cluster.get("nvidia.com/v1", "ClusterPolicy", None, "akscli-cluster-policy")["spec"]
    assert spec["driver"]["rdma"] == {"enabled": True, "useHostMofed": False}


def test_a_network_operator_policy_without_a_mofed_driver_does_not_count(kube_emulator: Any, kubeconfig: Any) -> None:
    helm_gpu_operator(kube_emulator)
    network_operator_policy(kube_emulator, {"rdmaSharedDevicePlugin": {"image": "k8s-rdma-shared-dev-plugin"}})
    result = invoke("baremetal", "prepare", "--gpudirect-rdma", "-y")
    assert result.exit_code == 2, result


def test_rdma_plugin_of_the_network_operator_is_not_deployed_twice(kube_emulator: Any, kubeconfig: Any) -> None:
    # nicclusterpolicy_types.go rdmaSharedDevicePlugin: the Network Operator deploys the same plugin; its
    # `config` is the plugin's config.json.
    helm_gpu_operator(kube_emulator)
    config = '{"configList": [{"resourceName": "rdma_shared_device_a", "rdmaHcaMax": 63, "selectors": {}}]}'
    network_operator_policy(
        kube_emulator, {"rdmaSharedDevicePlugin": {"image": "k8s-rdma-shared-dev-plugin", "config": config}}
    )
    result = invoke("baremetal", "prepare", "--rdma", "-y")
    assert result.exit_code == 0, result
    assert "NicClusterPolicy nic deploys the RDMA shared device plugin (rdma/rdma_shared_device_a)" in result.stderr
    assert kube_emulator.cluster.get("apps/v1", "DaemonSet", "gpu-operator", "rdma-shared-dp-ds") is None


def test_the_network_operators_rdma_resource_is_named_with_its_configured_prefix(
    kube_emulator: Any, kubeconfig: Any
) -> None:
    # Mellanox/k8s-rdma-shared-dev-plugin pkg/resources/server.go: the resource is
    # "<resourcePrefix>/<resourceName>", the prefix "rdma" only where the entry sets none
    # (pkg/resources/resources_manager.go ValidateConfigs).
    helm_gpu_operator(kube_emulator)
    config = (
        '{"configList": [{"resourceName": "shared_ib", "resourcePrefix": "nvidia.com", "rdmaHcaMax": 63,'
        ' "selectors": {}}, {"resourceName": "shared_b", "rdmaHcaMax": 63, "selectors": {}}]}'
    )
    network_operator_policy(
        kube_emulator, {"rdmaSharedDevicePlugin": {"image": "k8s-rdma-shared-dev-plugin", "config": config}}
    )
    result = invoke("baremetal", "prepare", "--rdma", "-y")
    assert result.exit_code == 0, result
    assert "deploys the RDMA shared device plugin (nvidia.com/shared_ib, rdma/shared_b)" in result.stderr
