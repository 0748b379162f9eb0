"""`nodepool delete --auto-provision` takes several NodePool names, -l/--selector or --all, as
kubectl delete (upstream: kubernetes/kubectl pkg/cmd/delete/delete.go DeleteOptions.Validate and
DeleteResult; pkg/cmd/delete/delete_flags.go --all); an Azure agent pool (no --auto-provision) stays
one NAME, as az aks nodepool delete's one --name (Azure/azure-cli
src/azure-cli/azure/cli/command_modules/acs/_params.py name_type): an ARM DELETE names one pool."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cli import invoke
from tests.model.test_nap_gpu_pool import nap_lab, text

Start = Callable[..., Any]
NODEPOOL = "karpenter.sh/v1"


def _pools(emu: Any, *names: str, labels: dict[str, str] | None = None) -> None:
    for name in names:
        added = invoke("nodepool", "add", name, "--auto-provision", "--gpu", "a100", "--gpus-per-node", "1", "-y")
        assert added.exit_code == 0, text(added)
        if labels:  # the NodePool's own labels (add's --labels are its nodes')
            emu.cluster.patch(NODEPOOL, "NodePool", None, name, {"metadata": {"labels": labels}})


def _left(emu: Any) -> list[str]:
    """The test's NodePools left (NAP's own `default` NodePool, which the lab has, left out)."""
    return sorted(
        p["metadata"]["name"]
        for p in emu.cluster.list(NODEPOOL, "NodePool", None)
        if p["metadata"]["name"] != "default"
    )


def test_two_nodepools_are_deleted_in_one_command_with_one_line_each(model_emulator: Start) -> None:
    emu = nap_lab(model_emulator)
    _pools(emu, "gpu-a", "gpu-b")
    result = invoke("nodepool", "delete", "gpu-a", "gpu-b", "--auto-provision", "-y")
    assert result.exit_code == 0, text(result)
    assert result.stdout.splitlines() == [
        'nodepool.karpenter.sh "gpu-a" deleted',
        'nodepool.karpenter.sh "gpu-b" deleted',
    ]
    assert result.stderr.count("waiting for 2 object(s) to be deleted") == 1
    assert _left(emu) == []


def test_a_selector_deletes_only_the_labelled_nodepools(model_emulator: Start) -> None:
    emu = nap_lab(model_emulator)
    _pools(emu, "gpu-a", labels={"team": "ml"})
    _pools(emu, "gpu-b")
    result = invoke("nodepool", "delete", "-l", "team=ml", "--auto-provision", "-y", "-o", "name")
    assert result.exit_code == 0, text(result)
    assert result.stdout == "nodepool.karpenter.sh/gpu-a\n"
    assert _left(emu) == ["gpu-b"]


def test_a_missing_nodepool_is_named_after_the_others_are_deleted(model_emulator: Start) -> None:
    emu = nap_lab(model_emulator)
    _pools(emu, "gpu-a")
    result = invoke("nodepool", "delete", "gpu-a", "nosuch", "--auto-provision", "-y")
    assert result.exit_code == 3, text(result)
    assert "NodePool nosuch not found" in result.stderr
    assert _left(emu) == []


def test_a_bad_name_of_two_deletes_nothing(model_emulator: Start) -> None:
    emu = nap_lab(model_emulator)
    _pools(emu, "gpu-a")
    result = invoke("nodepool", "delete", "gpu-a", "Bad_Name", "--auto-provision", "-y")
    assert result.exit_code == 2, text(result)
    assert _left(emu) == ["gpu-a"]


def test_all_with_a_selector_is_refused(model_emulator: Start) -> None:
    emu = nap_lab(model_emulator)
    _pools(emu, "gpu-a")
    result = invoke("nodepool", "delete", "--all", "-l", "team=ml", "--auto-provision", "-y")
    assert result.exit_code == 2, text(result)
    assert "error: cannot set --all and --selector at the same time" in result.stderr
    assert _left(emu) == ["gpu-a"]


def test_an_azure_agent_pool_delete_takes_one_name() -> None:
    result = invoke("nodepool", "delete", "gpu1", "gpu2", "--cluster", "ml", "-g", "rg", "-y")
    assert result.exit_code == 2, text(result)
    assert "error: an Azure agent pool is deleted one NAME at a time" in result.stderr
    assert "add --auto-provision" in result.stderr


def test_an_azure_agent_pool_delete_takes_no_selector() -> None:
    result = invoke("nodepool", "delete", "--all", "--cluster", "ml", "-g", "rg", "-y")
    assert result.exit_code == 2, text(result)
    assert result.stderr.startswith("error: --all applies to node auto-provisioning pools")
