"""nodepool add --enable-managed-gpu: AKS's fully managed GPU stack (gpuProfile.nvidia.managementMode
Managed), as az aks nodepool add --enable-managed-gpu=true makes it (MicrosoftDocs/azure-aks-docs
fb060abe articles/aks/aks-managed-gpu-nodes.md) and Microsoft's example sends it
(Azure/azure-rest-api-specs .../aks/stable/2026-08-01/examples/AgentPoolsCreate_ManagedGPU.json)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from akscli.azure import nodepools
from akscli.errors import UsageError
from tests.azure.helpers import RG, seed_cluster
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator, schema

EXAMPLE = (
    Path(__file__).resolve().parents[2].parent
    / "shared/data/arm-examples/containerservice-2026-08-01/AgentPoolsCreate_ManagedGPU.json"
)


def _spec(**flags: object) -> nodepools.NodePoolSpec:
    return nodepools.NodePoolSpec.from_flags(name="gpu", cluster="aks1", resource_group=RG, **flags)  # type: ignore[arg-type]


def test_the_body_carries_the_gpu_profile_of_microsofts_example() -> None:
    example = json.loads(EXAMPLE.read_text())["parameters"]["parameters"]["properties"]["gpuProfile"]
    body = nodepools.build_body(_spec(gpu="t4", managed_gpu=True))
    assert body["properties"]["gpuProfile"] == example
    assert schema.problems(schema.aks_models(), "AgentPool", body, strict=True) == []


@pytest.mark.parametrize(
    ("flags", "needle"),
    [
        ({"vm_size": "Standard_D8ds_v5"}, "Standard_D8ds_v5 has no GPU"),
        ({"vm_size": "Standard_NG32ads_V620_v1"}, "not NVIDIA"),
        ({"gpu": "t4", "gpu_driver": "none"}, "--gpu-driver none asks for none"),
        ({"gpu": "t4", "min_count": 0, "max_count": 2}, "does not autoscale managed GPU pools"),
    ],
)
def test_what_a_managed_gpu_pool_cannot_be_is_refused_before_anything_is_sent(flags: dict, needle: str) -> None:
    with pytest.raises(UsageError, match=needle):
        _spec(managed_gpu=True, **flags)


def test_the_emulator_refuses_a_management_mode_the_spec_lacks() -> None:
    body = {"properties": {"gpuProfile": {"nvidia": {"managementMode": "Enabled"}}}}
    assert schema.problems(schema.aks_models(), "AgentPool", body) == [
        "property 'properties.gpuProfile.nvidia.managementMode' has the value 'Enabled'; "
        "the published API allows Unmanaged, Managed"
    ]


def test_azs_spelling_adds_the_pool_and_list_wide_shows_it_managed(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    r = invoke(
        "nodepool", "add", "gpu", "-c", "aks1", "-g", RG, "--gpu", "t4", "--enable-managed-gpu=true", "-o", "json"
    )
    assert r.exit_code == 0, r
    assert json.loads(r.stdout)["properties"]["gpuProfile"]["nvidia"] == {"managementMode": "Managed"}
    r = invoke("nodepool", "list", "-c", "aks1", "-g", RG, "-o", "wide")
    header, row = r.stdout.splitlines()[0], next(x for x in r.stdout.splitlines() if x.startswith("gpu "))
    assert "GPU MANAGEMENT" in header and "Managed" in row.split()
