"""A Ray cluster or job name typed wrong: the hint leads with the names of that kind in the
namespace spelled close to it, as ``model test`` does for a deployed model (akscli/suggest.py),
before the list command it named alone (ray/live.py not_found)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

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
