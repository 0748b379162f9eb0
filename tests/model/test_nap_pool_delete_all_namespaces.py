"""`nodepool delete --auto-provision -A`: a Karpenter NodePool is cluster-scoped, and kubectl
delete -A of a cluster-scoped kind lists, reads and deletes it with no namespace, names included
(upstream: kubernetes/cli-runtime pkg/resource/builder.go visitBySelector and visitByName: `if
mapping.Scope.Name() != meta.RESTScopeNameNamespace { selectorNamespace = "" }`; only a namespaced
mapping reaches "a resource cannot be retrieved by name across all namespaces"). So -A is taken
and changes nothing; an Azure agent pool (no --auto-provision) has no namespace reading at all."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cli import invoke
from tests.model.test_nap_gpu_pool import nap_lab, text
from tests.model.test_nap_pool_delete_many import _left, _pools

Start = Callable[..., Any]


def test_nodepool_names_with_all_namespaces_are_deleted_as_without_it(model_emulator: Start) -> None:
    emu = nap_lab(model_emulator)
    _pools(emu, "gpu-a", "gpu-b")
    result = invoke("nodepool", "delete", "gpu-a", "gpu-b", "--auto-provision", "-A", "-y")
    assert result.exit_code == 0, text(result)
    assert result.stdout.splitlines() == [
        'nodepool.karpenter.sh "gpu-a" deleted',
        'nodepool.karpenter.sh "gpu-b" deleted',
    ]
    assert _left(emu) == []


def test_a_nodepool_selector_with_all_namespaces_deletes_what_it_matches(model_emulator: Start) -> None:
    emu = nap_lab(model_emulator)
    _pools(emu, "gpu-a", labels={"team": "ml"})
    _pools(emu, "gpu-b")
    result = invoke("nodepool", "delete", "-l", "team=ml", "--auto-provision", "--all-namespaces", "-y", "-o", "name")
    assert result.exit_code == 0, text(result)
    assert result.stdout == "nodepool.karpenter.sh/gpu-a\n"
    assert _left(emu) == ["gpu-b"]


def test_all_namespaces_on_an_azure_agent_pool_delete_is_refused() -> None:
    result = invoke("nodepool", "delete", "gpu1", "-A", "--cluster", "ml", "-g", "rg", "-y")
    assert result.exit_code == 2, text(result)
    assert result.stderr.startswith("error: -A/--all-namespaces applies to node auto-provisioning pools")
    assert "hint: add --auto-provision, or drop -A/--all-namespaces" in result.stderr
