"""The default maxPods of an AKSNodeClass that sets none follows the cluster's network plugin, as
the Karpenter provider's does, where akscli reads it (model deploy --cluster, -g, --subscription:
the managed cluster's networkProfile); 250, Azure CNI Overlay's, where it does not, and the text
says so (upstream: Azure/karpenter-provider-azure 352646f pkg/utils/utils.go GetMaxPods,
pkg/consts/consts.go, hack/deploy/configure-values.sh; akscli.nap.fit.default_max_pods)."""

from __future__ import annotations

from typing import Any

import pytest

from akscli.nap import fit as nap_fit
from tests.azure.helpers import seed_cluster
from tests.cli import invoke
from tests.kube_emulator.test_karpenter_allocatable import daemonset
from tests.model.test_nap_fit import T4
from tests.model.test_nap_gpu_pool import Start, nap_lab, text

POOL: dict[str, Any] = {"metadata": {"name": "gpu"}, "spec": {"template": {"spec": {}}}}
DEFAULT_CLASS: dict[str, Any] = {"metadata": {"name": "default"}, "spec": {}}


@pytest.mark.parametrize(
    ("network", "pods"),
    [
        (("azure", "overlay"), 250),  # DefaultOverlayMaxPods
        (("none", ""), 250),  # DefaultNetPluginNoneMaxPods
        (("azure", ""), 30),  # DefaultNodeSubnetMaxPods
        (("kubenet", ""), 110),  # DefaultKubernetesMaxPods
        (None, 250),  # not read: NAP's Azure CNI Overlay
    ],
)
def test_the_default_max_pods_follows_the_network_plugin_as_the_provider_does(
    network: tuple[str, str] | None, pods: int
) -> None:
    assert nap_fit.default_max_pods(network) == pods


def test_a_class_max_pods_wins_over_the_network_plugins_default() -> None:
    room = nap_fit.class_room({"spec": {"maxPods": 40}}, ("azure", ""))
    assert room["pods"] == 40


def test_a_pods_shortfall_on_the_unread_default_says_the_network_plugin_was_not_read() -> None:
    daemons = [daemonset(f"agent{n}", "1m", "1Mi") for n in range(250)]
    said = nap_fit.shortfall(POOL, T4, {"cpu": 1000}, daemons, DEFAULT_CLASS)
    assert said == (
        "Karpenter counts 250 pods for a node of it (AKSNodeClass default sets no maxPods: the default on Azure "
        "CNI Overlay, taken as the cluster's network plugin was not read; --cluster, -g and --subscription read "
        "it) and the pod with 250 DaemonSet pod(s) that would run there make 251"
    )


def test_cluster_without_resource_group_is_one_usage_line_before_anything_is_read() -> None:
    result = invoke("model", "deploy", "phi-4", "--runtime", "vllm", "--cluster", "aks1", "--subscription", "s")
    assert result.exit_code == 2
    assert "--cluster, -g and --subscription name the AKS cluster together: -g is missing" in text(result)


def test_a_deploy_naming_an_azure_cni_cluster_counts_30_pods_a_node(model_emulator: Start, azure_env: Any) -> None:
    # networkPlugin azure with no networkPluginMode (Azure CNI Node Subnet): GetMaxPods 30; the
    # vLLM pod with 30 DaemonSet pods make 31
    seed_cluster(azure_env, "aks1", networkProfile={"networkPlugin": "azure"})
    emu = nap_lab(model_emulator)
    emu.nap.network_plugin_mode = ""
    for n in range(30):
        emu.cluster.create(daemonset(f"agent{n}", "1m", "1Mi"))
    assert invoke("nodepool", "add", "gpu", "--auto-provision", "--gpu", "t4", "-y").exit_code == 0
    result = invoke(
        "model", "deploy", "phi-4-mini-instruct", "--runtime", "vllm", "--vm-size", T4, "--subscription",
        azure_env.subscription, "--cluster", "aks1", "-g", "rg-ml", "--dry-run=server",
    )  # fmt: skip
    assert result.exit_code == 0, text(result)
    out = " ".join(text(result).split())
    assert "node auto-provisioning makes" not in out
    assert (
        "Karpenter counts 30 pods for a node of it (AKSNodeClass default sets no maxPods: the provider's default "
        "for network plugin azure with no plugin mode) and the pod with 30 DaemonSet pod(s) that would run there "
        "make 31"
    ) in out
