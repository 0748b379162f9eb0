"""The deploy fit check counts every allocated ResourceClaim on a DRA node, as the scheduler's
claim tracker does (kubernetes/kubernetes pkg/scheduler/framework/plugins/dynamicresources/
allocateddevices.go foreachAllocatedDevice: each claim with status.allocation, each result but
those with adminAccess), not only the claims the node's pods name: a claim allocated by hand, by
another scheduler, or left allocated after its pod went holds its device. The claims are listed
once per run where the cluster has at most akscli.gpu.held.CLAIMS_READ_MAX of them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from akscli.gpu import held as gpu_held
from tests.baremetal.nodes import NC_A100, ND_H100
from tests.model.test_deploy_cluster_dra import deploy, dra_cluster
from tests.model.test_deploy_cluster_room import deployment_size
from tests.ops.test_gpu_usage_dra import claim, gpu_device

Start = Callable[..., Any]


def allocated(emu: Any, name: str, devices: list[str], owner: dict[str, Any] | None = None) -> None:
    """A claim allocated on a100-0 that no pod names (reservedFor left empty)."""
    obj = claim(name, "team-a", "a100-0", devices)
    status = obj.pop("status")
    status.pop("reservedFor", None)
    if owner is not None:
        obj["metadata"]["ownerReferences"] = [owner]
    emu.cluster.create(obj)
    emu.cluster.patch_status("resource.k8s.io/v1", "ResourceClaim", "team-a", name, status)


def test_a_claim_no_pod_names_holds_its_gpu(model_emulator: Start) -> None:
    # Before: the claims were found through the node's pods only, and the node took the pods.
    emu = model_emulator()
    dra_cluster(emu)
    allocated(emu, "by-hand", ["gpu-0"])
    deploy()
    assert deployment_size(emu) == ND_H100


def test_an_admin_access_result_holds_nothing(model_emulator: Start) -> None:
    # Guard: a device allocated with admin access is shared with other claims (not counted).
    emu = model_emulator()
    dra_cluster(emu)
    obj = claim("monitor", "team-a", "a100-0", ["gpu-0"])
    status = obj.pop("status")
    status.pop("reservedFor", None)
    status["allocation"]["devices"]["results"][0]["adminAccess"] = True
    obj["spec"]["devices"]["requests"][0]["exactly"]["adminAccess"] = True
    emu.cluster.create(
        {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": "ops", "labels": {"resource.kubernetes.io/admin-access": "true"}},
        }
    )
    obj["metadata"]["namespace"] = "ops"
    emu.cluster.create(obj)
    emu.cluster.patch_status("resource.k8s.io/v1", "ResourceClaim", "ops", "monitor", status)
    deploy()
    assert deployment_size(emu) == NC_A100


def test_the_claim_made_for_a_pods_request_counted_by_the_request_is_not_counted_twice(model_emulator: Start) -> None:
    # Guard: a pod asking nvidia.com/gpu whose status names no claim (the emulator's pods are 1.32)
    # has its request placed on a GPU; the claim the scheduler made for it, owned by the pod, is
    # that same GPU. Two GPUs, one held: the node still takes the pods.
    emu = model_emulator()
    dra_cluster(emu, devices=[gpu_device(0, "a100-0"), gpu_device(1, "a100-0")])
    pod = emu.cluster.create(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "tune", "namespace": "team-a"},
            "spec": {
                "nodeName": "a100-0",
                "containers": [{"name": "tune", "image": "tune:v1", "resources": {"limits": {"nvidia.com/gpu": "1"}}}],
            },
        }
    )
    emu.cluster.patch_status("v1", "Pod", "team-a", "tune", {"phase": "Running"})
    owner = {"apiVersion": "v1", "kind": "Pod", "name": "tune", "uid": pod["metadata"]["uid"], "controller": True}
    allocated(emu, "tune-gpu-x7k2p", ["gpu-1"], owner)
    deploy()
    assert deployment_size(emu) == NC_A100


def test_past_the_read_limit_claims_are_found_through_the_pods_only(
    model_emulator: Start, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Guard: a cluster with more claims than CLAIMS_READ_MAX is not listed past its first page.
    monkeypatch.setattr(gpu_held, "CLAIMS_READ_MAX", 1)
    monkeypatch.setattr(gpu_held, "_CLAIM_PAGE", 1)
    emu = model_emulator()
    dra_cluster(emu)
    allocated(emu, "by-hand", ["gpu-0"])
    allocated(emu, "other", ["gpu-9"])
    emu.request_log.clear()
    deploy()
    assert deployment_size(emu) == NC_A100
    assert len(emu.requests(method="GET", path="/resourceclaims", verb="list")) == 1


def test_past_the_read_limit_the_fit_says_a_claim_no_pod_names_was_not_counted(
    model_emulator: Start, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No bounded read finds them: a ResourceClaim's selectable fields are its metadata only
    # (kubernetes/kubernetes pkg/registry/resource/resourceclaim/strategy.go toSelectableFields).
    monkeypatch.setattr(gpu_held, "CLAIMS_READ_MAX", 1)
    monkeypatch.setattr(gpu_held, "_CLAIM_PAGE", 1)
    emu = model_emulator()
    dra_cluster(emu)
    allocated(emu, "by-hand", ["gpu-0"])
    allocated(emu, "other", ["gpu-9"])
    result = deploy()
    assert (
        "the cluster has more than 1 ResourceClaims, so DRA GPUs were counted through the claims the node's pods "
        "name: a claim allocated there that no pod names (made by hand or by another scheduler, or not yet "
        "released) may still hold its GPUs"
    ) in " ".join(result.stderr.split())


def test_within_the_read_limit_the_fit_adds_no_note_on_claims(model_emulator: Start) -> None:
    # Guard: every claim was read, so nothing was left out.
    emu = model_emulator()
    dra_cluster(emu)
    allocated(emu, "other", ["gpu-9"])
    result = deploy()
    assert "ResourceClaims" not in result.stderr
