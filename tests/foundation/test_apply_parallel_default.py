"""The --parallel default the flags show is the apply engine's own."""

from __future__ import annotations

from akscli.cli import options
from akscli.kube import apply


def test_flag_default_parallel_is_the_engine_default() -> None:
    assert options.DEFAULT_PARALLEL == apply.DEFAULT_PARALLEL == apply.ApplyOptions().parallel
