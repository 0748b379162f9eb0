"""What `nodepool delete --auto-provision` sends, counted by the emulator, through the one body
every delete of Kubernetes objects shares (cli/delete_many.delete_chosen): --all lists the
NodePools and then sends each DELETE with no read of each between, as kubectl delete does
(kubernetes/cli-runtime pkg/resource/builder.go visitBySelector makes each Info from the list's
items; kubernetes/kubectl pkg/cmd/delete/delete.go DeleteResult deletes each Info); a NAME is read
once; --dry-run=server sends one DELETE with dryRun=All each and nothing more (delete.go
deleteResource with DryRunStrategy)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cli import invoke, sent
from tests.model.test_nap_gpu_pool import nap_lab, text
from tests.model.test_nap_pool_delete_many import _pools

POOLS = "/apis/karpenter.sh/v1/nodepools"


def _sent(emu: Any, *args: str) -> list[str]:
    """What `akscli nodepool delete --auto-provision ARGS...` sent to the NodePools."""
    emu.request_log.clear()
    result = invoke("nodepool", "delete", "--auto-provision", *args)
    assert result.exit_code == 0, text(result)
    return sent(emu, POOLS)


def test_all_lists_the_nodepools_then_deletes_each_with_no_read_between(model_emulator: Callable[..., Any]) -> None:
    emu = nap_lab(model_emulator)
    _pools(emu, "gpu-a", "gpu-b")
    assert _sent(emu, "--all", "-y", "--no-wait") == [
        f"GET {POOLS}",
        f"DELETE {POOLS}/default",  # NAP's own NodePool, which the lab has: --all means every one
        f"DELETE {POOLS}/gpu-a",
        f"DELETE {POOLS}/gpu-b",
    ]


def test_a_server_dry_run_reads_each_name_once_and_sends_one_dry_run_delete_each(
    model_emulator: Callable[..., Any],
) -> None:
    emu = nap_lab(model_emulator)
    _pools(emu, "gpu-a", "gpu-b")
    assert _sent(emu, "gpu-a", "gpu-b", "--dry-run=server") == [
        f"GET {POOLS}/gpu-a",
        f"GET {POOLS}/gpu-b",
        f"DELETE {POOLS}/gpu-a?dryRun=All",
        f"DELETE {POOLS}/gpu-b?dryRun=All",
    ]
