"""The cyclic collector around a command (akscli.process): the libraries a command loads on first
use (ruamel.yaml, Jinja2) are imported with it off, as the kubernetes client is, and once the
command runs it collects young objects every ``YOUNG_THRESHOLD`` allocations instead of every 700,
still collecting cyclic garbage. Each check runs in a fresh interpreter: the libraries are already
loaded in the test process."""

from __future__ import annotations

import gc
import json
import subprocess
import sys

from akscli import process

# A gc callback that counts the collections that start while the package ``name`` is being
# imported: it is in sys.modules, and ``last``, the name its __init__ binds last, is not yet set
# (ruamel.yaml's ends with ``from ruamel.yaml.main import *``, Jinja2's with ``__version__``).
DURING_IMPORT = """
import gc, json, sys
name, last = sys.argv[1], sys.argv[2]
during = []
def count(phase, info):
    module = sys.modules.get(name)
    if phase == "start" and module is not None and not hasattr(module, last):
        during.append(info["generation"])
gc.callbacks.append(count)
gc.enable()
"""


def _collections_during_import(name: str, last: str, command: str) -> dict[str, object]:
    script = DURING_IMPORT + command + "\nprint(json.dumps({'during': during, 'loaded': name in sys.modules}))"
    done = subprocess.run(
        [sys.executable, "-c", script, name, last], capture_output=True, text=True, timeout=60, check=True
    )
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_the_first_yaml_read_imports_ruamel_with_the_collector_off() -> None:
    found = _collections_during_import("ruamel.yaml", "YAML", "from akscli import yamlio\nyamlio.load('a: 1')")
    assert found == {"during": [], "loaded": True}


def test_the_first_yaml_written_imports_ruamel_with_the_collector_off() -> None:
    found = _collections_during_import("ruamel.yaml", "YAML", "from akscli import yamlio\nyamlio.dump({'a': 1})")
    assert found == {"during": [], "loaded": True}


def test_the_first_render_imports_jinja2_with_the_collector_off() -> None:
    command = "from akscli import render\nrender.render_text('core/namespace', {'name': 'demo'})"
    found = _collections_during_import("jinja2", "__version__", command)
    assert found == {"during": [], "loaded": True}


def test_a_library_already_loaded_is_not_imported_again() -> None:
    frozen_before = gc.get_freeze_count()
    process.import_large("json")  # loaded by the test run: nothing to import, nothing frozen
    assert gc.get_freeze_count() == frozen_before


def test_a_running_command_collects_young_objects_less_often_and_still_collects_cycles() -> None:
    script = """
import gc, json
from akscli import process
process.start()
process.started()
collected = []
gc.callbacks.append(lambda phase, info: collected.append(info["collected"]) if phase == "stop" else None)
for _ in range(3 * process.YOUNG_THRESHOLD):
    cycle = []
    cycle.append(cycle)
print(json.dumps({"threshold": gc.get_threshold()[0], "enabled": gc.isenabled(), "collected": sum(collected)}))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    found = json.loads(done.stdout)
    assert found["threshold"] == process.YOUNG_THRESHOLD == 10_000
    assert found["enabled"]
    assert found["collected"] > process.YOUNG_THRESHOLD  # the cycles were garbage, and were collected


# The console script's main (akscli.cli.entry) run on ``argv``; at exit (process.finish runs the
# atexit handlers) it prints whether ``function`` of module ``name`` is still tracked by the
# collector: gc.get_objects() lists every generation but the frozen one (CPython 3.11
# Modules/gcmodule.c gc_get_objects_impl walks the young, middle and old lists, not permanent).
STILL_TRACKED_AT_EXIT = """
import atexit, gc, json, sys
name, function, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
def report():
    module = sys.modules.get(name)
    target = getattr(module, function, None)
    tracked = any(obj is target for obj in gc.get_objects())
    sys.stderr.write("\\n" + json.dumps({"loaded": target is not None, "tracked": tracked}) + "\\n")
atexit.register(report)
sys.argv = ["akscli", *argv]
from akscli.cli.entry import main
main()
"""


def _tracked_at_exit(name: str, function: str, *argv: str) -> dict[str, bool]:
    done = subprocess.run(
        [sys.executable, "-c", STILL_TRACKED_AT_EXIT, name, function, *argv],
        capture_output=True,
        text=True,
        timeout=60,
    )
    found: dict[str, bool] = json.loads(done.stderr.splitlines()[-1])
    return found


def test_the_command_tree_is_imported_with_the_collector_off_and_frozen() -> None:
    # Typer's import is start-up: with the collector on it ran young collections over it
    # (audit35-perf35: 7 M instructions of `model show phi-4`).
    assert _tracked_at_exit("typer.main", "get_command", "model", "show", "phi-4") == {"loaded": True, "tracked": False}


def test_the_command_tree_is_frozen_when_the_fast_path_hands_a_line_over() -> None:
    found = _tracked_at_exit("typer.main", "get_command", "model", "plan", "phi-4", "--no-such-flag")
    assert found == {"loaded": True, "tracked": False}


def test_the_fast_path_is_imported_with_the_collector_off_and_frozen() -> None:
    assert _tracked_at_exit("akscli.cli.fast", "parse", "version") == {"loaded": True, "tracked": False}
