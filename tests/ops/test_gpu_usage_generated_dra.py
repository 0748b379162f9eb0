"""gpu usage over a generated cluster where a share of the NVIDIA GPU nodes run NVIDIA's DRA driver
(tests/emulators/kube/generate_dra.py): the DRA nodes' GPUs come from their ResourceSlices, the GPUs
their pods hold from allocated ResourceClaims, and the totals agree with a direct count."""

from __future__ import annotations

import json
from typing import Any

from tests.cli import invoke


def test_generated_dra_nodes_are_counted_from_slices_and_claims(kube_emulator: Any, kubeconfig: Any) -> None:
    kube_emulator.generate_cluster(nodes=300, pods=1500, gpu_fraction=0.3, dra_fraction=0.5)
    cluster = kube_emulator.cluster
    slices = cluster.list("resource.k8s.io/v1", "ResourceSlice")
    claims = cluster.list("resource.k8s.io/v1", "ResourceClaim")
    assert slices and claims
    published = {s["spec"]["nodeName"]: len(s["spec"]["devices"]) for s in slices}
    held: dict[str, int] = {}
    for c in claims:
        for r in c["status"]["allocation"]["devices"]["results"]:
            held[r["pool"]] = held.get(r["pool"], 0) + 1

    result = invoke("gpu", "usage", "-o", "json", "--page-size", "100")
    assert result.exit_code == 0, result
    data = json.loads(result.stdout)
    assert data["totals"]["dra"] == "read"
    dra_pools = [p for p in data["pools"] if p["sharing"] == "dra"]
    assert sum(p["allocatable"] for p in dra_pools) == sum(published.values())
    assert sum(p["requested"] for p in dra_pools) == sum(held.values())
    assert sum(n["claims"] for n in data["namespaces"]) == len(claims)


def test_dra_objects_pass_the_emulators_own_validation(kube_emulator: Any) -> None:
    # Bulk-loaded objects skip admission: put one of each through it as a create would.
    kube_emulator.generate_cluster(nodes=40, pods=200, gpu_fraction=0.5, dra_fraction=1.0)
    cluster = kube_emulator.cluster
    for kind in ("ResourceSlice", "ResourceClaim", "DeviceClass"):
        obj = cluster.list("resource.k8s.io/v1", kind)[0]
        obj["metadata"] = {k: v for k, v in obj["metadata"].items() if k in ("name", "namespace")}
        obj["metadata"]["name"] += "-copy"
        status = obj.pop("status", None)
        cluster.create(obj)
        if status is not None:
            cluster.patch_status(
                "resource.k8s.io/v1", kind, obj["metadata"]["namespace"], obj["metadata"]["name"], status
            )
