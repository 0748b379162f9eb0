"""How an akscli process ends: its output, its exit code and its atexit handlers survive the
fast exit (``akscli.process.finish``), and a thread still working keeps the normal exit."""

from __future__ import annotations

import gc
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from akscli import process
from akscli.azure import token as token_plugin
from tests.emulators.kube.emulator import KubeEmulator

AKSCLI = shutil.which("akscli", path=str(Path(sys.executable).parent))
needs_console_script = pytest.mark.skipif(AKSCLI is None, reason="the akscli console script is not installed here")


def _akscli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    assert AKSCLI is not None
    return subprocess.run([AKSCLI, *args], capture_output=True, text=True, timeout=60, env=env)


def _python(script: str) -> tuple[int, str]:
    """The exit code and stdout of ``script`` run by this interpreter in a process of its own."""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    return done.returncode, done.stdout


@needs_console_script
def test_piped_output_is_whole_when_the_process_ends() -> None:
    done = _akscli("model", "catalog", "-o", "json")
    assert done.returncode == 0
    assert json.loads(done.stdout)  # every byte written before the exit reached the pipe


@needs_console_script
def test_the_exit_code_of_a_failed_command_reaches_the_caller() -> None:
    done = _akscli("model", "plan", "phi-4", "--region", "not a region")
    assert done.returncode == 2
    assert done.stderr.startswith("error:")


@needs_console_script
def test_the_kubernetes_clients_temporary_certificate_files_are_removed_at_exit(
    kube_emulator: KubeEmulator, tmp_path: Path
) -> None:
    # The client writes certificate-authority-data to a temporary file and removes it in an
    # atexit handler (kubernetes-client/python kubernetes/base/config/kube_config.py,
    # _create_temp_file_with_content and _cleanup_temp_files): the fast exit must run it.
    temp = tmp_path / "tmp"
    temp.mkdir()
    kubeconfig = kube_emulator.write_kubeconfig(tmp_path / "kubeconfig")
    manifest = tmp_path / "config-map.yaml"
    manifest.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: exit-check\n  namespace: default\n")
    env = dict(os.environ, KUBECONFIG=str(kubeconfig), TMPDIR=str(temp), KUBECACHEDIR=str(tmp_path / "cache"))
    done = _akscli("apply", "-f", str(manifest), "-y", "-o", "name", env=env)
    assert done.returncode == 0, done.stderr
    assert "configmap/exit-check" in done.stdout
    assert list(temp.iterdir()) == []


def test_a_thread_still_working_is_waited_for_as_the_interpreter_would() -> None:
    script = (
        "import threading, time\n"
        "from akscli import process\n"
        "def work():\n"
        "    time.sleep(0.2)\n"
        "    print('thread done', flush=True)\n"
        "threading.Thread(target=work).start()\n"
        "process.finish(3)\n"
    )
    assert _python(script) == (3, "thread done\n")


def test_atexit_handlers_run_and_output_is_flushed_before_a_fast_exit() -> None:
    script = (
        "import atexit, sys\n"
        "from akscli import process\n"
        "atexit.register(lambda: sys.stdout.write('handler ran\\n'))\n"
        "sys.stdout.write('command output\\n')\n"
        "process.finish(5)\n"
    )
    assert _python(script) == (5, "command output\nhandler ran\n")


def test_a_large_import_leaves_the_collector_as_it_found_it() -> None:
    frozen = gc.get_freeze_count()
    try:
        with process.large_import():
            assert not gc.isenabled()
            made = [[index] for index in range(1000)]
        assert gc.isenabled()
        assert gc.get_freeze_count() >= frozen + len(made)
    finally:
        gc.unfreeze()


@needs_console_script
def test_the_token_plugins_fast_entry_prints_the_credential_and_ends() -> None:
    # kubectl runs `akscli token` before every request; it takes the entry that skips the CLI
    # framework and ends through the same exit.
    folder = Path(token_plugin.cache_dir())
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    cached = Path(token_plugin.cache_path(token_plugin.TokenRequest()))
    cached.write_text(json.dumps({"token": "cached-token", "expires_on": int(time.time()) + 3600}))
    cached.chmod(0o600)
    done = _akscli("token")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["status"]["token"] == "cached-token"


def _akscli_into_a_closed_pipe(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``akscli ARGS | head -1`` or ``| grep -q x`` once the reader has gone: every write to stdout
    fails with EPIPE (Python ignores SIGPIPE, so the write raises BrokenPipeError)."""
    assert AKSCLI is not None
    reader, writer = os.pipe()
    os.close(reader)
    try:
        return subprocess.run([AKSCLI, *args], stdout=writer, stderr=subprocess.PIPE, text=True, timeout=60, env=env)
    finally:
        os.close(writer)


@needs_console_script
def test_a_read_whose_reader_went_away_exits_0() -> None:
    # main.py's rule (`akscli ... | head`: not an error); Typer turned the BrokenPipeError of a
    # write inside the command into sys.exit(1) (typer/core.py _main), so `| head -1` exited 1.
    done = _akscli_into_a_closed_pipe("model", "plan", "phi-4")
    assert (done.returncode, done.stderr) == (0, "")


@needs_console_script
def test_a_change_whose_reader_went_away_records_its_revision(kube_emulator: KubeEmulator, tmp_path: Path) -> None:
    # `akscli model deploy phi-4 | grep -q created`: the objects were applied before the first
    # line was printed; the revision after it was never recorded, so a rollback had nothing.
    kubeconfig = kube_emulator.write_kubeconfig(tmp_path / "kubeconfig")
    env = dict(os.environ, KUBECONFIG=str(kubeconfig), KUBECACHEDIR=str(tmp_path / "cache"))
    env["AKSCLI_AUDIT_LOG"] = str(tmp_path / "audit.jsonl")
    done = _akscli_into_a_closed_pipe("model", "deploy", "phi-4", env=env)
    assert done.returncode == 0, done.stderr
    assert "recorded revision 1 of phi-4" in done.stderr


@needs_console_script
def test_cached_help_whose_reader_went_away_exits_0_without_a_traceback() -> None:
    # `akscli --help | head`: the help fast path (entry.py) wrote outside the command tree's
    # guard, so a closed pipe ended in a BrokenPipeError traceback and exit 1.
    done = _akscli_into_a_closed_pipe("cluster", "create", "--help")
    assert (done.returncode, done.stderr) == (0, "")


@needs_console_script
def test_version_flag_whose_reader_went_away_exits_0_without_a_traceback() -> None:
    done = _akscli_into_a_closed_pipe("--version")
    assert (done.returncode, done.stderr) == (0, "")


@needs_console_script
def test_completion_lines_whose_reader_went_away_exit_0_without_a_traceback() -> None:
    done = _akscli_into_a_closed_pipe("__complete", "model", "")
    assert (done.returncode, done.stderr) == (0, "")
