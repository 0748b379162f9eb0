"""An object that -l or --all listed and that another client deleted before akscli's DELETE of it
(the list is akscli's read of it) is no error, as kubectl delete defaults --ignore-not-found to
true with -l, --all or --field-selector unless the flag was typed (upstream:
kubernetes/kubectl pkg/cmd/delete/delete.go Complete:
`if f := cmd.Flags().Lookup("ignore-not-found"); f != nil && !f.Changed { o.IgnoreNotFound = true }`).
The race is made here by the test itself acting as that other client: between akscli's list and
its DELETEs, it deletes RayCluster b through the emulator, as a second `kubectl delete` would."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from akscli.kube.client import Kube
from tests.cli import invoke
from tests.ray.conftest import akscli
from tests.ray.test_delete_many import RAY, _left, _three


@pytest.fixture
def b_goes_after_the_list(ray_emulator: Callable[..., Any], monkeypatch: pytest.MonkeyPatch) -> Any:
    emu = _three(ray_emulator)
    listed = Kube.list

    def list_then_b_is_deleted(self: Kube, *args: Any, **kwargs: Any) -> Iterator[dict[str, Any]]:
        items = list(listed(self, *args, **kwargs))
        emu.cluster.delete(RAY, "RayCluster", "default", "b")  # another client's delete
        return iter(items)

    monkeypatch.setattr(Kube, "list", list_then_b_is_deleted)
    return emu


def test_an_object_listed_by_a_selector_and_gone_before_its_delete_is_no_error(b_goes_after_the_list: Any) -> None:
    result = akscli("ray cluster delete -l team=ml -y")
    assert result.exit_code == 0, result
    assert "error:" not in result.stderr
    assert result.stdout.splitlines() == ['raycluster.ray.io "a" deleted from default namespace']
    assert _left(b_goes_after_the_list) == ["c"]


def test_an_object_listed_by_all_and_gone_before_its_delete_is_no_error(b_goes_after_the_list: Any) -> None:
    result = akscli("ray cluster delete --all -y")
    assert result.exit_code == 0, result
    assert "error:" not in result.stderr
    assert _left(b_goes_after_the_list) == []


def test_ignore_not_found_typed_false_makes_the_listed_and_gone_object_an_error(b_goes_after_the_list: Any) -> None:
    result = invoke("ray", "cluster", "delete", "--all", "-y", "--ignore-not-found=false")
    assert result.exit_code == 3, result
    assert "error: Ray cluster b not found in namespace default" in result.stderr
    assert _left(b_goes_after_the_list) == []  # the others were deleted first (ContinueOnError)
