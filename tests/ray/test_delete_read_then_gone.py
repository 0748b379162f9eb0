"""A NAME that akscli read and that another client deleted before akscli's DELETE is NotFound
(exit 3, named after the others are deleted), as kubectl reports the 404 on its DELETE as
`Error from server (NotFound)` unless --ignore-not-found; with -l or --all that flag defaults to
true (upstream: kubernetes/kubectl pkg/cmd/delete/delete.go DeleteResult:
`if o.IgnoreNotFound { r = r.IgnoreErrors(errors.IsNotFound) }`, and Complete). The race is made
here by the test itself acting as that other client: right after akscli's read of RayCluster b, it
deletes b through the emulator, as a second `kubectl delete` would. (An object -l or --all chose is
not read after the list: test_delete_listed_then_gone.py holds that race.)"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from akscli.kube.client import Kube
from tests.ray.conftest import akscli
from tests.ray.test_delete_many import RAY, _left, _three


@pytest.fixture
def b_goes_after_its_read(ray_emulator: Callable[..., Any], monkeypatch: pytest.MonkeyPatch) -> Any:
    emu = _three(ray_emulator)
    read = Kube.get

    def read_then_b_is_deleted(self: Kube, *args: Any, **kwargs: Any) -> Any:
        obj = read(self, *args, **kwargs)
        if obj is not None and obj["metadata"]["name"] == "b":
            emu.cluster.delete(RAY, "RayCluster", "default", "b")  # another client's delete
        return obj

    monkeypatch.setattr(Kube, "get", read_then_b_is_deleted)
    return emu


def test_a_named_object_gone_between_the_read_and_the_delete_is_not_found_after_the_others(
    b_goes_after_its_read: Any,
) -> None:
    result = akscli("ray cluster delete a b -y")
    assert result.exit_code == 3, result
    assert "error: Ray cluster b not found in namespace default" in result.stderr
    assert result.stdout.splitlines() == ['raycluster.ray.io "a" deleted from default namespace']
    assert _left(b_goes_after_its_read) == ["c"]


def test_ignore_not_found_makes_the_named_object_gone_before_the_delete_no_error(b_goes_after_its_read: Any) -> None:
    result = akscli("ray cluster delete a b -y --ignore-not-found")
    assert result.exit_code == 0, result
    assert "error:" not in result.stderr
    assert _left(b_goes_after_its_read) == ["c"]
