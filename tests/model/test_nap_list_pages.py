"""`nodepool list --auto-provision` reaches the output layer page by page (limit and continue, as
kubectl get --chunk-size): each NodePool becomes its text or its table row as its page arrives
(tests/listpages.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.cli import invoke
from tests.emulators.kube.controllers.karpenter_install import install_nap
from tests.listpages import one_object_a_page, printed_page_by_page
from tests.model.conftest import SERVING_CRDS


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_nap_pool_list_prints_each_page_as_it_arrives(
    model_emulator: Callable[..., Any], monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    install_nap(model_emulator(crds=(*SERVING_CRDS, "karpenter")))
    added = invoke("nodepool", "add", "gpu", "--auto-provision", "--gpu", "h100", "--max-gpus", "8", "-y")
    assert added.exit_code == 0, added
    events = one_object_a_page(monkeypatch)
    listed = invoke("nodepool", "list", "--auto-provision", "-o", fmt)
    assert listed.exit_code == 0, listed
    assert "default" in listed.stdout and "gpu" in listed.stdout
    assert printed_page_by_page(events)


def test_an_empty_nap_pool_list_says_kubectls_no_resources_found(model_emulator: Callable[..., Any]) -> None:
    """NodePool is cluster-scoped: kubectl get's line with no namespace, on stderr, as every
    empty list of Kubernetes objects writes it (output.no_resources; upstream: kubernetes/kubectl
    dee3483a pkg/cmd/get/get.go Run)."""
    install_nap(model_emulator(crds=(*SERVING_CRDS, "karpenter")), default_pool=False)
    listed = invoke("nodepool", "list", "--auto-provision")
    assert listed.exit_code == 0, listed
    assert listed.stdout == ""
    assert listed.stderr == "No resources found\n"
