"""`--tail=-1` is every line and `--tail 0` none, as kubectl logs takes them (kubernetes/kubectl
pkg/cmd/logs/logs.go: -1 is --tail's default and "all"; Validate refuses below -1; ToLogOptions sends
TailLines for any other value, 0 included); before, `ray job logs --tail=-1` and `model logs
--tail=-1` were refused (exit 2) as out of range, and `ray job|cluster logs --tail 0` too, while
`model logs --tail 0` was taken: one rule now (validate.tail)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from akscli import validate
from tests.cli import invoke
from tests.ray.test_cli_cluster import wait_until
from tests.ray.test_cli_job import submit
from tests.ray.test_kuberay_states import completed_http_mode_job, dashboard_answering_logs, head_started


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
        "error: invalid --tail '-5': it must be -1 or between 0 and 1000000",
        "hint: -1 shows every line, as kubectl logs --tail=-1 does",
    ]


def test_tail_minus_one_and_no_tail_are_the_same() -> None:
    assert validate.tail(-1) is validate.tail(None) is None
    assert validate.tail(0) == 0
    assert validate.tail(3) == 3


def test_ray_job_logs_tail_zero_prints_no_line(ray_emulator: Callable[..., Any]) -> None:
    ray_emulator(job_logs="one\ntwo\nthree\n")
    assert submit("done", "--keep-cluster", "--wait", "--timeout", "30s").exit_code == 0
    none = invoke("ray", "job", "logs", "done", "--tail", "0")
    assert none.exit_code == 0, none
    assert none.stdout == ""


def test_an_http_mode_jobs_tail_is_cut_from_the_ray_job_apis_log_and_zero_is_none(
    ray_emulator: Callable[..., Any],
) -> None:
    # The Ray job API answers the whole log (no tail): akscli cuts it, 0 keeping no line (before,
    # `lines[-0:]` was every line).
    emu = ray_emulator()
    status = completed_http_mode_job(emu)
    dashboard_answering_logs(emu, status["rayClusterName"], "epoch 1\nepoch 2\nepoch 3\n")
    none = invoke("ray", "job", "logs", "http", "--tail", "0")
    assert (none.exit_code, none.stdout) == (0, ""), none
    assert invoke("ray", "job", "logs", "http", "--tail", "2").stdout.splitlines() == ["epoch 2", "epoch 3"]
    assert invoke("ray", "job", "logs", "http", "--tail", "9").stdout.splitlines() == ["epoch 1", "epoch 2", "epoch 3"]


def test_ray_cluster_logs_tail_zero_prints_no_line(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator()
    assert invoke("ray", "cluster", "create", "auto", "--worker-min", "0", "--worker-max", "2").exit_code == 0
    wait_until(lambda: head_started(emu, "auto"))
    assert invoke("ray", "cluster", "logs", "auto").stdout != ""
    none = invoke("ray", "cluster", "logs", "auto", "--tail", "0")
    assert none.exit_code == 0, none
    assert none.stdout == ""


def test_every_logs_command_takes_the_same_tail_range() -> None:
    # One rule: the largest value each takes, and the first it refuses, are the same everywhere.
    for command in (("model", "logs", "phi-4"), ("ray", "job", "logs", "j"), ("ray", "cluster", "logs", "c")):
        refused = invoke(*command, "--tail", "1000001")
        assert (
            refused.stderr.splitlines()[0] == "error: invalid --tail '1000001': it must be -1 or between 0 and 1000000"
        )
