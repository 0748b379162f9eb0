"""`nodepool delete --auto-provision` waits, as kubectl delete does, until the NodePool is gone (its
NodeClaims and their nodes first), for --timeout, as every --wait: the flag took only an ARM pool's
wait before, and the NodePool's wait was a fixed 10m, which stays its default."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cli import invoke
from tests.model.test_nap_gpu_pool import nap_lab, text

Start = Callable[..., Any]
NODEPOOL = "karpenter.sh/v1"


def _add_gpu_pool(emu: Any) -> None:
    added = invoke("nodepool", "add", "gpu", "--auto-provision", "--gpu", "a100", "--gpus-per-node", "1", "-y")
    assert added.exit_code == 0, text(added)


def test_delete_auto_provision_past_its_timeout_exits_5_naming_what_holds_the_nodepool(model_emulator: Start) -> None:
    emu = nap_lab(model_emulator)
    _add_gpu_pool(emu)
    # A finalizer no controller removes: the NodePool stays, being deleted, past the wait.
    emu.cluster.patch(NODEPOOL, "NodePool", None, "gpu", {"metadata": {"finalizers": ["test.akscli/hold"]}})
    result = invoke("nodepool", "delete", "gpu", "--auto-provision", "-y", "--timeout", "1s")
    assert result.exit_code == 5, text(result)
    assert "error: not deleted within 1s:" in result.stderr and "test.akscli/hold" in result.stderr


def test_delete_auto_provision_takes_timeout_and_deletes_the_nodepool(model_emulator: Start) -> None:
    emu = nap_lab(model_emulator)
    _add_gpu_pool(emu)
    result = invoke("nodepool", "delete", "gpu", "--auto-provision", "-y", "--timeout", "2m")
    assert result.exit_code == 0, text(result)
    assert emu.cluster.get(NODEPOOL, "NodePool", None, "gpu") is None
