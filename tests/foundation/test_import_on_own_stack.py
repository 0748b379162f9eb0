"""The kubernetes client is imported on a short-lived thread of its own (akscli.process
``import_on_own_stack``): CPython 3.11 and 3.12 free a frame-stack chunk whenever the frame at its
bottom returns, and the client's import from ``connect``, deep under Typer, met such an edge some
3,000 times (an mmap and an munmap each, python/cpython#142183). A new thread's frames start at the
bottom of a stack of their own. The import's errors still reach the caller, and the collector is
left as it was."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from akscli import process

# Records which thread executes the kubernetes package's __init__, then connects (no request is
# sent: connect reads the kubeconfig and builds the client).
WHICH_THREAD = """
import json, sys, threading
from importlib.abc import MetaPathFinder

seen = []

class Watch(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "kubernetes":
            seen.append(threading.current_thread() is threading.main_thread())
        return None

sys.meta_path.insert(0, Watch())
from akscli.kube.client import KubeTarget
from akscli.kube.connecting import connect

kube = connect(KubeTarget(kubeconfig=sys.argv[1]))
print(json.dumps({"on_main_thread": seen, "context": kube.context_name}))
"""


def _kubeconfig(path: Path) -> Path:
    path.write_text(
        json.dumps(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": "c", "cluster": {"server": "https://127.0.0.1:6443"}}],
                "users": [{"name": "u", "user": {"token": "t"}}],
                "contexts": [{"name": "x", "context": {"cluster": "c", "user": "u"}}],
                "current-context": "x",
            }
        )
    )
    return path


def test_connect_imports_the_kubernetes_client_on_a_thread_of_its_own(tmp_path: Path) -> None:
    kubeconfig = _kubeconfig(tmp_path / "kubeconfig")
    done = subprocess.run(
        [sys.executable, "-c", WHICH_THREAD, str(kubeconfig)], capture_output=True, text=True, timeout=120, check=True
    )
    assert json.loads(done.stdout) == {"on_main_thread": [False], "context": "x"}


def test_what_the_import_raises_is_raised_in_the_caller() -> None:
    with pytest.raises(ModuleNotFoundError, match="akscli_no_such_package"):
        process.import_on_own_stack("akscli_no_such_package")
    assert "akscli_no_such_package" not in sys.modules


def test_the_collector_is_left_as_it_was() -> None:
    was_enabled = gc.isenabled()
    gc.enable()
    try:
        sys.modules.pop("colorsys", None)  # a small stdlib module, imported afresh
        process.import_on_own_stack("colorsys")
        assert "colorsys" in sys.modules
        assert gc.isenabled()
    finally:
        if not was_enabled:
            gc.disable()


def test_a_package_already_loaded_starts_no_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_thread(self: threading.Thread) -> None:
        raise AssertionError("a thread was started")

    monkeypatch.setattr(threading.Thread, "start", no_thread)
    process.import_on_own_stack("json")  # loaded by the test run


def test_the_azure_sdk_is_imported_on_a_thread_of_its_own_too() -> None:
    script = WHICH_THREAD.replace('name == "kubernetes"', 'name == "azure.identity"').split("from akscli.kube")[0]
    script += "from akscli.azure import identity\nidentity.credential()\nprint(json.dumps({'on_main_thread': seen}))\n"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    assert json.loads(done.stdout) == {"on_main_thread": [False]}


def test_without_a_thread_to_start_the_import_runs_in_the_caller(monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(self: threading.Thread) -> None:
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(threading.Thread, "start", refused)
    sys.modules.pop("colorsys", None)
    process.import_on_own_stack("colorsys")
    assert "colorsys" in sys.modules
