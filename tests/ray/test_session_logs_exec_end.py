"""`ray cluster logs --out-dir` gathers the Ray session logs through exec (tar), as kubectl ray log
does (ray-project/kuberay kubectl-plugin/pkg/cmd/log/log.go: any error of the exec's stream, its
exit status included, fails the download). An exec that ends early gathers nothing and says why."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.cli import invoke
from tests.ray.test_kuberay_states import _tar, head


def _logs_with_exec(
    ray_emulator: Callable[..., Any], tmp_path: Path, answer: tuple[int, bytes, bytes], cut: bool = False
) -> tuple[Any, str]:
    emu = ray_emulator()
    assert invoke("ray", "cluster", "create", "demo", "--wait", "--timeout", "20s").exit_code == 0
    pod = head(emu, "demo")["metadata"]["name"]
    emu.register_exec("default", pod, lambda _c, _cmd, _in: answer)
    if cut:
        emu.faults.add(path="/exec$", drop_connection=True, in_stream=True)
    return invoke("ray", "cluster", "logs", "demo", "--out-dir", str(tmp_path)), pod


def test_session_logs_cut_before_the_exec_status_are_not_gathered_and_the_line_says_cut(
    ray_emulator: Callable[..., Any], tmp_path: Path
) -> None:
    archive = _tar({"./raylet.out": b"raylet started\n"}).getvalue()
    result, pod = _logs_with_exec(ray_emulator, tmp_path, (0, archive, b""), cut=True)
    assert result.exit_code == 0, result
    assert (
        f"Ray session logs (/tmp/ray/session_latest/logs/) not gathered: tar in pod default/{pod} was cut: "
        "error reading from error stream: websocket: close 1006 (abnormal closure): unexpected EOF"
    ) in result.stderr
    assert not (tmp_path / pod / "raylet.out").exists()  # nothing of a stream that ended early
    assert (tmp_path / f"{pod}.log").exists()


def test_session_logs_whose_tar_exits_non_zero_are_not_gathered(
    ray_emulator: Callable[..., Any], tmp_path: Path
) -> None:
    archive = _tar({"./raylet.out": b"raylet started\n"}).getvalue()
    result, pod = _logs_with_exec(ray_emulator, tmp_path, (2, archive, b"tar: ./gcs_server.out: Cannot open\n"))
    assert (
        f"not gathered: tar in pod default/{pod} failed: command terminated with exit code 2 "
        "(tar: ./gcs_server.out: Cannot open)"
    ) in result.stderr
    assert not (tmp_path / pod / "raylet.out").exists()


def test_session_logs_of_a_tar_that_exits_0_are_unpacked(ray_emulator: Callable[..., Any], tmp_path: Path) -> None:
    archive = _tar({"./raylet.out": b"raylet started\n"}).getvalue()
    result, pod = _logs_with_exec(ray_emulator, tmp_path, (0, archive, b""))
    assert f"wrote 1 Ray session log file(s) under {tmp_path / pod}" in result.stderr
    assert (tmp_path / pod / "raylet.out").read_text() == "raylet started\n"
