"""`model rollback` of a name typed wrong said `no revisions recorded for phi4` with `hint:
revisions are recorded by akscli model deploy`, which names no fix. It is now not found as
`model history` and `model test` say it, with the deployed names close to it (model/live.py
not_found; kubectl rollout undo of a Deployment that is not there is NotFound)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, cast

from akscli import suggest
from akscli.errors import AuthError, NotFoundError
from akscli.model import live
from tests.cli import invoke

Start = Callable[..., Any]


def test_a_rollback_of_a_mistyped_name_names_the_deployed_model(model_emulator: Start) -> None:
    model_emulator()
    assert invoke("model", "deploy", "phi-4", "-y").exit_code == 0
    result = invoke("model", "rollback", "phi4", "-y")
    assert result.exit_code == 3, result
    assert result.stderr.splitlines() == [
        "error: model deployment phi4 not found in namespace default",
        "hint: did you mean phi-4? list them with: akscli model list -n default",
    ]


def test_a_deleted_model_whose_history_was_kept_still_rolls_back(model_emulator: Start) -> None:
    model_emulator()
    assert invoke("model", "deploy", "phi-4", "-y").exit_code == 0
    assert invoke("model", "delete", "phi-4", "--keep-history", "-y").exit_code == 0
    assert invoke("model", "rollback", "phi-4", "--to-revision", "1", "-y").exit_code == 0


class _ListingKube:
    """A cluster with every serving kind, whose lists hold ``count`` objects or fail with ``error``."""

    def __init__(self, count: int = 0, error: Exception | None = None) -> None:
        self.count, self.error, self.read = count, error, 0

    def has_api(self, api_version: str, kind: str) -> bool:
        return True

    def list(self, api_version: str, kind: str, **_: Any) -> Iterator[dict[str, Any]]:
        if self.error is not None:
            raise self.error
        for i in range(self.count):
            self.read += 1
            yield {"metadata": {"name": f"{kind.lower()}-{i}"}}


def test_a_list_the_user_may_not_read_leaves_the_not_found_line_and_its_hint() -> None:
    # RBAC to get the model's objects, not to list them: still not found, without a guess.
    kube = _ListingKube(error=AuthError("workspaces is forbidden: cannot list"))
    error = live.not_found(cast(Any, kube), "phi4", "default")
    assert isinstance(error, NotFoundError)
    assert error.hint == "list them with: akscli model list -n default"


def test_the_close_names_are_read_from_one_page_of_each_list_on_a_big_cluster() -> None:
    kube = _ListingKube(count=5_000)
    live.not_found(cast(Any, kube), "phi4", "default")
    assert kube.read <= suggest.NAMES_LOOKED_UP * len(live.SERVING_KINDS)
