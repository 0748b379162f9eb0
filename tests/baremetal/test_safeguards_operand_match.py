"""``baremetal prepare`` asks whether the probes safeguard covers the GPU Operator's probe-less
operands (its validator and GPU Feature Discovery) as Gatekeeper would: the constraint's selectors
against those operands' pod labels (NVIDIA/gpu-operator assets, plus the DaemonSet controller's) and
the namespace's labels, and not where Gatekeeper's Config or the ignore label keeps its webhook out
of the namespace (akscli.kube.safeguards.Exemptions)."""

from __future__ import annotations

from typing import Any

from tests.cli import invoke
from tests.emulators.kube.gatekeeper import install_config, install_probes_safeguard

from .conftest import helm_gpu_operator

POLICY = ("nvidia.com/v1", "ClusterPolicy", None, "akscli-cluster-policy")


def safeguard(emu: Any, **match: Any) -> None:
    constraint = install_probes_safeguard(emu)
    constraint["spec"]["match"].update(match)
    emu.cluster.update(constraint)


def test_a_constraint_selecting_other_pods_lets_the_cluster_policy_through(kube_emulator: Any, kubeconfig: Any) -> None:
    helm_gpu_operator(kube_emulator)
    safeguard(kube_emulator, labelSelector={"matchLabels": {"app": "web"}})
    result = invoke("baremetal", "prepare", "-y")
    assert result.exit_code == 0, result
    assert "Deployment Safeguards" not in result.stderr
    assert kube_emulator.cluster.get(*POLICY) is not None


def test_a_constraint_selecting_gpu_feature_discovery_refuses_the_cluster_policy(
    kube_emulator: Any, kubeconfig: Any
) -> None:
    helm_gpu_operator(kube_emulator)
    safeguard(kube_emulator, labelSelector={"matchLabels": {"app": "gpu-feature-discovery"}})
    result = invoke("baremetal", "prepare", "-y")
    assert result.exit_code == 9, result
    assert "the ClusterPolicy would run nothing" in result.stderr
    assert kube_emulator.cluster.get(*POLICY) is None


def test_a_namespace_selector_the_operator_namespace_does_not_meet_lets_the_cluster_policy_through(
    kube_emulator: Any, kubeconfig: Any
) -> None:
    helm_gpu_operator(kube_emulator)
    safeguard(kube_emulator, namespaceSelector={"matchLabels": {"tier": "prod"}})
    result = invoke("baremetal", "prepare", "-y")
    assert result.exit_code == 0, result
    assert kube_emulator.cluster.get(*POLICY) is not None


def test_a_namespace_gatekeepers_config_excludes_lets_the_cluster_policy_through(
    kube_emulator: Any, kubeconfig: Any
) -> None:
    helm_gpu_operator(kube_emulator)
    install_probes_safeguard(kube_emulator)
    install_config(kube_emulator, ["gpu-operator"], ["webhook"])
    result = invoke("baremetal", "prepare", "-y")
    assert result.exit_code == 0, result
    assert kube_emulator.cluster.get(*POLICY) is not None


def test_a_name_glob_for_other_pods_lets_the_cluster_policy_through(kube_emulator: Any, kubeconfig: Any) -> None:
    # the operands' pods are named <daemonset>-<5 random> (controller_utils.go getPodsPrefix)
    helm_gpu_operator(kube_emulator)
    safeguard(kube_emulator, name="web-*")
    result = invoke("baremetal", "prepare", "-y")
    assert result.exit_code == 0, result
    assert kube_emulator.cluster.get(*POLICY) is not None


def test_a_selector_on_a_revision_hash_value_warns_that_it_may_refuse(kube_emulator: Any, kubeconfig: Any) -> None:
    # controller-revision-hash is the DaemonSet controller's, its value not known before it runs
    helm_gpu_operator(kube_emulator)
    expression = {"key": "controller-revision-hash", "operator": "In", "values": ["abc"]}
    safeguard(kube_emulator, labelSelector={"matchExpressions": [expression]})
    result = invoke("baremetal", "prepare", "-y")
    assert result.exit_code == 0, result
    assert "may cover namespace" in result.stderr and "may be refused" in result.stderr
    assert kube_emulator.cluster.get(*POLICY) is not None
