"""A RayJob's entrypoint is a command line, and a user types tokens into command lines
(``ray job submit -- python train.py --hf-token hf_...``). The audit log hid them already
(akscli.audit_argv); every printed form of the RayJob now hides them too: ``--dry-run -o yaml``,
``ray job list -o wide`` (the jobs of the Ray job API included), ``ray job status``, each word that
holds a credential shown as ``***`` (akscli.printable.masked_command), the rest as written.
kubectl prints a command as it is (its diff masks only a Secret's data: kubernetes/kubectl
pkg/cmd/diff/diff.go Masker)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from akscli.printable import masked_command
from tests.cli import invoke
from tests.ray.test_cli_cluster import wait_until
from tests.ray.test_cli_job import job, submit
from tests.ray.test_job_api_routes import info, shared, submit_to_api

TOKEN = "hf_" + "a1B2c3D4e5F6g7H8i9J0k1L2"
ENTRYPOINT = ("python", "train.py", "--hf-token", TOKEN, "--epochs", "2")


def submitted(ray_emulator: Callable[..., Any]) -> Any:
    emu = ray_emulator(run_seconds=30)
    assert submit("train", entrypoint=ENTRYPOINT).exit_code == 0
    wait_until(lambda: bool((job(emu, "train").get("status") or {}).get("jobDeploymentStatus")))
    return emu


def printed(*args: str) -> str:
    """stdout of ``akscli ARGS``, which succeeds and writes the token nowhere."""
    result = invoke(*args)
    assert result.exit_code == 0, result
    assert TOKEN not in result.stdout + result.stderr
    return result.stdout


def test_a_dry_run_rayjob_hides_the_token_its_entrypoint_holds(ray_emulator: Callable[..., Any]) -> None:
    ray_emulator(operator=False)
    stdout = printed("ray", "job", "submit", "--name", "train", "--dry-run=client", "-o", "yaml", "--", *ENTRYPOINT)
    assert "entrypoint: python train.py --hf-token *** --epochs 2" in stdout


def test_the_wide_job_list_hides_the_token_of_an_entrypoint(ray_emulator: Callable[..., Any]) -> None:
    submitted(ray_emulator)
    assert "python train.py --hf-token *** --epochs 2" in printed("ray", "job", "list", "-o", "wide")


@pytest.mark.parametrize("fmt", ["table", "yaml", "json"])
def test_job_status_hides_the_token_of_the_entrypoint(ray_emulator: Callable[..., Any], fmt: str) -> None:
    submitted(ray_emulator)
    assert "python train.py --hf-token *** --epochs 2" in printed("ray", "job", "status", "train", "-o", fmt)


def test_the_job_list_as_json_hides_the_token_of_an_entrypoint(ray_emulator: Callable[..., Any]) -> None:
    submitted(ray_emulator)
    stdout = printed("ray", "job", "list", "-o", "json")
    assert '"entrypoint": "python train.py --hf-token *** --epochs 2"' in stdout


def test_a_job_submitted_straight_to_the_ray_job_api_shows_no_token(ray_emulator: Callable[..., Any]) -> None:
    emu = shared(ray_emulator)
    assert submit_to_api(emu, entrypoint=f"HF_TOKEN={TOKEN} python direct.py", submission_id="direct")[0] == 200
    wait_until(lambda: info(emu, "direct")["status"] in ("RUNNING", "SUCCEEDED"))
    assert "HF_TOKEN=*** python direct.py" in printed("ray", "job", "list", "--cluster", "shared", "-o", "wide")


def test_the_audit_record_of_the_submit_keeps_hiding_the_token(
    ray_emulator: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "audit.jsonl"
    monkeypatch.setenv("AKSCLI_AUDIT_LOG", str(log))
    submitted(ray_emulator)
    assert TOKEN not in log.read_text()


@pytest.mark.parametrize(
    ("entrypoint", "shown"),
    [
        (f"python t.py --token={TOKEN}", "python t.py --token=***"),
        (f"python t.py {TOKEN}", "python t.py ***"),
        ("curl -u bob:s3cret-pass https://x", "curl -u bob:*** https://x"),
        (f"sh -c 'python t.py --api-key {TOKEN} && echo ok'", "sh -c 'python t.py --api-key *** && echo ok'"),
        ("sh -c \"curl -H 'Authorization: Bearer abcdefgh12345' x\"", "sh -c 'curl -H *** x'"),
        ("python t.py --db postgresql://u:s3cret@db/x", "python t.py --db postgresql://u:***@db/x"),
    ],
)
def test_each_credential_word_of_a_command_line_is_masked(entrypoint: str, shown: str) -> None:
    assert masked_command(entrypoint) == shown


@pytest.mark.parametrize(
    "entrypoint",
    [
        "python train.py --epochs 2 --lr 0.1 --data s3://bucket/runs",
        'bash -lc "cd /app && python run.py --model meta-llama/Llama-3.1-8B-Instruct"',
        "python -c 'import ray; ray.init()'",
    ],
)
def test_a_command_line_without_credentials_is_shown_as_written(entrypoint: str) -> None:
    assert masked_command(entrypoint) == entrypoint


@pytest.mark.parametrize("flags", [[], ["--debug"]], ids=["plain", "debug"])
def test_a_server_answer_that_quotes_the_entrypoints_token_is_scrubbed(
    ray_emulator: Callable[..., Any], flags: list[str]
) -> None:
    emu = ray_emulator(operator=False)
    emu.faults.add(
        path=r"/rayjobs", status=422, count=100, message=f"denied: entrypoint python train.py --hf-token {TOKEN}"
    )
    result = submit("train", *flags, entrypoint=ENTRYPOINT)
    assert result.exit_code == 2, result
    assert "error: denied: entrypoint python train.py --hf-token ***" in result.stderr
    assert TOKEN not in result.stdout + result.stderr
