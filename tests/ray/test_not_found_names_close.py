"""A Ray cluster or job name typed wrong: the hint leads with the names of that kind in the
namespace spelled close to it, as ``model test`` does for a deployed model (akscli/suggest.py),
before the list command it named alone (ray/live.py not_found)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any, cast

from akscli import suggest
from akscli.errors import AkscliError, NotFoundError
from akscli.ray import live
from tests.cli import invoke


def _cluster(emu: Any, name: str) -> None:
    rendered = invoke("ray", "cluster", "create", name, "--dry-run=client", "-o", "json")
    emu.cluster.create(json.loads(rendered.stdout))


def test_a_mistyped_cluster_name_is_answered_with_the_close_one(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator()
    _cluster(emu, "train")
    result = invoke("ray", "cluster", "status", "trian")
    assert result.exit_code == 3, result
    assert result.stderr.splitlines() == [
        "error: Ray cluster trian not found in namespace default",
        "hint: did you mean train? list them with: akscli ray cluster list -n default",
    ]


def test_job_submit_to_a_mistyped_cluster_names_the_close_one(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator()
    _cluster(emu, "train")
    result = invoke("ray", "job", "submit", "--cluster", "trian", "--", "python", "x.py")
    assert result.exit_code == 3, result
    assert "hint: did you mean train? " in result.stderr


def test_a_name_close_to_none_keeps_the_list_hint_alone(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator()
    _cluster(emu, "train")
    result = invoke("ray", "cluster", "delete", "zzz", "-y")
    assert result.exit_code == 3, result
    assert result.stderr.splitlines()[-1] == "hint: list them with: akscli ray cluster list -n default"


class _ListingKube:
    """A cluster whose list of the kind holds ``count`` objects, or fails with ``error``."""

    def __init__(self, count: int = 0, error: Exception | None = None) -> None:
        self.count, self.error, self.read = count, error, 0

    def list(self, api_version: str, kind: str, **_: Any) -> Iterator[dict[str, Any]]:
        if self.error is not None:
            raise self.error
        for i in range(self.count):
            self.read += 1
            yield {"metadata": {"name": f"rc-{i}"}}


def test_a_list_that_fails_leaves_the_not_found_line_and_its_hint() -> None:
    # The guess is read on the error path only; a list the server does not answer must not
    # replace what the command found: that the name is not there.
    kube = _ListingKube(error=AkscliError("the API server did not answer in time"))
    error = live.not_found("RayCluster", "trian", "default", cast(Any, kube))
    assert isinstance(error, NotFoundError)
    assert error.hint == "list them with: akscli ray cluster list -n default"


def test_the_close_names_are_read_from_one_page_of_the_list_on_a_big_cluster() -> None:
    kube = _ListingKube(count=5_000)
    error = live.not_found("RayCluster", "rc-7x", "default", cast(Any, kube))
    assert kube.read <= suggest.NAMES_LOOKED_UP
    assert (error.hint or "").startswith("did you mean rc-7")
