"""baremetal test nccl where every GPU node is full and the cluster autoscaler is older than 1.30:
its status is text, not YAML, and is read for the same facts (the group's target and maximum, a
scale-up backing off) instead of being taken as "cannot grow"."""

from __future__ import annotations

from typing import Any

from tests.cli import invoke

from . import nodes as fx
from .test_nccl_free_gpus import node_names
from .test_nccl_growth import VMSS, _full_scale_set

WHEN = "2026-12-05 19:00:00.123456789 +0000 UTC"


def _condition(kind: str, status: str, message: str) -> str:
    # upstream: kubernetes/autoscaler cluster-autoscaler-1.29.5 cluster-autoscaler/clusterstate/api/
    # utils.go getConditionsString: "%v%-12v %v" (prefix, type + ":", status), " (message)", then
    # the probe and transition times on lines of their own
    return (
        f"  {kind + ':':<12} {status} ({message})\n"
        f"  {'':13}LastProbeTime:      {WHEN}\n"
        f"  {'':13}LastTransitionTime: {WHEN}\n"
    )


def text_status(*, target: int, maximum: int, scale_up: str = "NoActivity") -> str:
    """kube-system/cluster-autoscaler-status's ``status`` as cluster-autoscaler 1.29 writes it
    (upstream: clusterstate/utils/status.go WriteStatusConfigMap, api/utils.go GetReadableString,
    clusterstate.go buildHealthStatusNodeGroup, buildScaleUpStatusNodeGroup,
    buildHealthStatusClusterwide and buildScaleUpStatusClusterwide)."""
    counts = "unready=0 (resourceUnready=0) notStarted=0 longNotStarted=0"
    return (
        f"Cluster-autoscaler status at {WHEN}:\n"
        "Cluster-wide:\n"
        + _condition("Health", "Healthy", f"ready={target} {counts} registered={target} longUnregistered=0")
        + _condition("ScaleUp", "NoActivity", f"ready={target} registered={target}")
        + _condition("ScaleDown", "NoCandidates", "candidates=0")
        + "\nNodeGroups:\n"
        + f"  Name:        {VMSS}\n"
        + _condition(
            "Health",
            "Healthy",
            f"ready={target} {counts} registered={target} longUnregistered=0 "
            f"cloudProviderTarget={target} (minSize=0, maxSize={maximum})",
        )
        + _condition("ScaleUp", scale_up, f"ready={target} cloudProviderTarget={target}")
        + _condition("ScaleDown", "NoCandidates", "candidates=0")
        + "\n"
    )


def _text_autoscaler_status(emu: Any, text: str) -> None:
    emu.cluster.create(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {
                "name": "cluster-autoscaler-status",
                "namespace": "kube-system",
                "annotations": {"cluster-autoscaler.kubernetes.io/last-updated": WHEN},
            },
            "data": {"status": text},
        }
    )


def test_a_full_pool_an_older_autoscaler_can_grow_runs_with_a_warning(kube_emulator: Any, kubeconfig: Any) -> None:
    # Before: "the cluster autoscaler's status is not in the YAML form", exit 8.
    _full_scale_set(kube_emulator)
    _text_autoscaler_status(kube_emulator, text_status(target=2, maximum=4))
    result = invoke("baremetal", "test", "nccl", "--nodes", "2", "--dry-run=server")
    assert result.exit_code == 0, result
    assert (
        f"none of the 2 GPU node(s) of size {fx.ND_H100} can take a test pod with 8 GPU(s) now, but the cluster "
        f"autoscaler can grow {VMSS} from 2 to 4 node(s)" in result.stderr
    )
    assert node_names(result.stdout, "NotIn") == ["aks-gpu-0", "aks-gpu-1"]


def test_a_full_pool_at_an_older_autoscalers_maximum_is_refused(kube_emulator: Any, kubeconfig: Any) -> None:
    _full_scale_set(kube_emulator)
    _text_autoscaler_status(kube_emulator, text_status(target=2, maximum=2))
    result = invoke("baremetal", "test", "nccl", "--nodes", "2", "--dry-run=server")
    assert result.exit_code == 8, result
    assert f"({VMSS} is at the cluster autoscaler's maximum (2 node(s)))" in result.stderr


def test_a_pool_an_older_autoscaler_backs_off_from_is_refused(kube_emulator: Any, kubeconfig: Any) -> None:
    # The text form carries no error message for a backoff: the status alone is said.
    _full_scale_set(kube_emulator)
    _text_autoscaler_status(kube_emulator, text_status(target=2, maximum=4, scale_up="Backoff"))
    result = invoke("baremetal", "test", "nccl", "--nodes", "2", "--dry-run=server")
    assert result.exit_code == 8, result
    assert f"(the cluster autoscaler is backing off {VMSS} (a scale-up failed))" in result.stderr


def test_an_older_autoscaler_still_initializing_names_no_group(kube_emulator: Any, kubeconfig: Any) -> None:
    # An autoscaler still starting writes "Initializing" and no NodeGroups section.
    _full_scale_set(kube_emulator)
    _text_autoscaler_status(kube_emulator, f"Cluster-autoscaler status at {WHEN}:\nInitializing")
    result = invoke("baremetal", "test", "nccl", "--nodes", "2", "--dry-run=server")
    assert result.exit_code == 8, result
    assert f"(the cluster autoscaler does not scale {VMSS})" in result.stderr
