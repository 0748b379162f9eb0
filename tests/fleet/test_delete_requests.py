"""What `fleet placement delete` and `fleet rollout strategy delete` send on the hub, counted by
the emulator, through the one body every delete of Kubernetes objects shares
(cli/delete_many.delete_chosen): --all lists and then sends each DELETE with no read of each
object between, as kubectl delete does (kubernetes/cli-runtime pkg/resource/builder.go
visitBySelector makes each Info from the list's items; kubernetes/kubectl pkg/cmd/delete/delete.go
DeleteResult deletes each Info); --dry-run=server sends one DELETE with dryRun=All each and nothing
more (delete.go deleteResource with DryRunStrategy); a declined confirmation sends no DELETE."""

from __future__ import annotations

import pytest

from tests.cli import invoke, sent
from tests.fleet.conftest import Hub
from tests.fleet.test_placement_delete_many import _two
from tests.fleet.test_staged_delete_many import _strategy

P1 = "/apis/placement.kubernetes-fleet.io/v1"
CRP = f"{P1}/clusterresourceplacements"
CRO = f"{P1}/clusterresourceoverrides"
CSUS = f"{P1}/clusterstagedupdatestrategies"


def _sent(hub: Hub, *args: str, answer: str | None = None) -> list[str]:
    """What `akscli fleet ARGS...` sent to KubeFleet's placement API (``answer``: to its question)."""
    hub.emu.request_log.clear()
    result = invoke("fleet", *args, input=answer, tty=answer is not None)
    assert result.exit_code == (1 if answer else 0), result
    return sent(hub.emu, P1)


def test_placement_delete_all_reads_no_placement_after_the_list(hub: Hub) -> None:
    _two(hub)
    sent = _sent(hub, "placement", "delete", "--all", "-y", "--no-wait")
    assert sent == [
        f"GET {CRP}",
        f"GET {CRO}/one-override",  # the override fleet place made for it, which goes with it
        f"GET {CRO}/two-override",
        f"DELETE {CRP}/one",
        f"DELETE {CRP}/two",
    ]


def test_placement_delete_dry_run_server_sends_one_dry_run_delete_each_and_nothing_more(hub: Hub) -> None:
    _two(hub)
    sent = _sent(hub, "placement", "delete", "one", "two", "--dry-run=server")
    assert sent == [
        f"GET {CRP}/one",
        f"GET {CRO}/one-override",
        f"GET {CRP}/two",
        f"GET {CRO}/two-override",
        f"DELETE {CRP}/one?dryRun=All",
        f"DELETE {CRP}/two?dryRun=All",
    ]


def test_strategy_delete_selector_reads_no_strategy_after_the_list(hub: Hub) -> None:
    _strategy(hub, "a", labels={"team": "ml"})
    _strategy(hub, "b", labels={"team": "ml"})
    sent = _sent(hub, "rollout", "strategy", "delete", "-l", "team=ml", "-y", "--no-wait")
    assert sent == [f"GET {CSUS}", f"DELETE {CSUS}/a", f"DELETE {CSUS}/b"]


@pytest.mark.parametrize(("flags", "answer"), [(("--dry-run=client",), None), ((), "n\n")], ids=["client", "declined"])
def test_strategy_delete_sends_nothing_after_its_read_on_a_client_dry_run_or_a_declined_confirmation(
    hub: Hub, flags: tuple[str, ...], answer: str | None
) -> None:
    _strategy(hub, "a")
    assert _sent(hub, "rollout", "strategy", "delete", "a", *flags, answer=answer) == [f"GET {CSUS}/a"]
