"""The system pool's reserved taint, CriticalAddonsOnly, is refused on pools that run user pods:
AKS Deployment Safeguards' "Reserved System Pool Taints" strips it from (or warns on) any other
node (MicrosoftDocs/azure-aks-docs articles/aks/deployment-safeguards.md; Azure/azure-policy
built-in-policies/policyDefinitions/Kubernetes/AKS_GuardrailsReservedSystemPoolTaints.json)."""

from __future__ import annotations

from tests.cli import invoke

TAINT = "CriticalAddonsOnly=true:NoSchedule"


def test_user_pool_with_the_system_taint_is_refused_before_anything_is_sent() -> None:
    result = invoke("nodepool", "add", "gpu1", "-c", "aks1", "-g", "rg", "--gpu", "a100", "--taint", TAINT, "--dry-run")
    assert result.exit_code == 2
    assert "CriticalAddonsOnly is reserved for the system pool" in result.stderr
    assert "hint: drop it" in result.stderr


def test_auto_provisioned_pool_with_the_system_taint_is_refused() -> None:
    result = invoke("nodepool", "add", "gpu1", "--auto-provision", "--gpu", "a100", "--taint", TAINT, "--dry-run")
    assert result.exit_code == 2
    assert "CriticalAddonsOnly is reserved for the system pool" in result.stderr


def test_system_pool_may_carry_the_system_taint() -> None:
    result = invoke(
        "nodepool",
        "add",
        "sys1",
        "-c",
        "aks1",
        "-g",
        "rg",
        "--mode",
        "System",
        "--vm-size",
        "Standard_D4s_v5",
        "--taint",
        TAINT,
        "--dry-run",
        "-o",
        "json",
    )
    assert result.exit_code == 0, result
    assert TAINT in result.stdout
