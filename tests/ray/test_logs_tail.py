"""`--tail=-1` is every line, as kubectl logs takes it (kubernetes/kubectl pkg/cmd/logs/logs.go:
-1 is --tail's default and "all"; Validate refuses below -1); before, `ray job logs --tail=-1` and
`model logs --tail=-1` were refused (exit 2) as out of range."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from akscli import validate
from tests.cli import invoke
from tests.ray.test_cli_job import submit


def test_ray_job_logs_tail_minus_one_prints_every_line(ray_emulator: Callable[..., Any]) -> None:
    ray_emulator(job_logs="one\ntwo\nthree\n")
    assert submit("done", "--keep-cluster", "--wait", "--timeout", "30s").exit_code == 0
    every = invoke("ray", "job", "logs", "done", "--tail=-1")
    assert every.exit_code == 0, every
    assert every.stdout == invoke("ray", "job", "logs", "done").stdout


def test_model_logs_tail_minus_one_is_taken() -> None:
    # Checked before the cluster is read: -1 passes, so the command goes on to look for the model.
    refused = invoke("model", "logs", "phi-4", "--tail=-2")
    assert refused.exit_code == 2
    taken = invoke("model", "logs", "phi-4", "--tail=-1", "--kubeconfig", "/nonexistent")
    assert "--tail" not in taken.stderr


def test_a_tail_below_minus_one_is_refused_naming_minus_one() -> None:
    r = invoke("ray", "job", "logs", "done", "--tail=-5")
    assert r.exit_code == 2, r
    assert r.stderr.splitlines() == [
        "error: invalid --tail '-5': it must be between 1 and 1000000",
        "hint: -1 shows every line, as kubectl logs --tail=-1 does",
    ]


def test_tail_minus_one_and_no_tail_are_the_same() -> None:
    assert validate.tail(-1) is validate.tail(None) is None
    assert validate.tail(0) == 0
    assert validate.tail(3, 1) == 3
