"""Start-up and offline commands against kubectl, measured in the same run (#16's table).

Each row (``STARTUP``) runs akscli and its kubectl counterpart in turn: ``akscli --help`` against
``kubectl version --client`` (target <= 1.0x); ``akscli version``, ``model plan phi-4`` (the
README's main job) and ``model catalog`` against ``kubectl version --client``, and ``akscli render
core/namespace`` against kubectl rendering the same Namespace (``kubectl create namespace
--dry-run=client -o yaml``), all <= 1.5x.

Each row says which path served it (the help cache, or the fast path: akscli.cli.fast runs
version, model catalog, model plan and render without Typer) and names its floor: Python importing
the modules that path imports beyond akscli's own (the standard library's, and render's Jinja2 and
ruamel.yaml), read from the command itself (``served_by``), against the same kubectl command in
the same run; and Python alone beside it. What is above the floor is akscli's own share. Before
the fast path the floor was a one-command Typer app, which these rows no longer import (their own
share printed below zero). Applying 500 objects against ``kubectl apply --server-side`` is
bench_apply.py's (request counts, latency).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench._harness import (
    AKSCLI,
    KUBECTL,
    TOOL_PYTHON,
    compile_bytecode,
    paired_medians,
    ratio_line,
    tool_description,
)

RUNS = int(os.environ.get("AKSCLI_BENCH_RUNS", "21"))
KUBECTL_VERSION = ("version", "--client")
KUBECTL_RENDER = ("create", "namespace", "demo", "--dry-run=client", "-o", "yaml")


# What serves a command line, and the modules it imports that are not akscli's own, read in the
# interpreter of the akscli under test: the console script's own entry (akscli.cli.entry main)
# runs it, stdout and stderr to /dev/null, its exit (process.finish) turned into SystemExit. The
# help cache answers before anything else is tried (entry.cached_help); otherwise a command that
# ran without importing Typer was served by the fast path (akscli.cli.fast), one that imported it
# by the command tree.
SERVED_BY = """
import os, sys
before = set(sys.modules)
report = os.dup(1)
quiet = os.open(os.devnull, os.O_WRONLY)
os.dup2(quiet, 1)
os.dup2(quiet, 2)
from akscli import process
from akscli.cli import entry
helped = []
cached_help = entry.cached_help
def recording(argv, prog):
    text = cached_help(argv, prog)
    helped.append(text is not None)
    return text
entry.cached_help = recording
def finish(code, *, wait_for_threads=True):
    raise SystemExit(code)
process.finish = finish
sys.argv = ["akscli", *sys.argv[1:]]
try:
    entry.main()
except SystemExit:
    pass
sys.stdout.flush()
path = "help cache" if any(helped) else "Typer" if "typer" in sys.modules else "fast path"
modules = [  # under its own name only: not a name an extension registers as it loads (cython_runtime,
    # ruamel.yaml.clib._ruamel_yaml for _ruamel_yaml), which no import finds
    name for name, module in sys.modules.items()
    if name not in before and name.partition(".")[0] != "akscli"
    and getattr(getattr(module, "__spec__", None), "name", None) == name
]
os.write(report, "\\n".join([path, *modules]).encode())
os._exit(0)
"""


def served_by(args: tuple[str, ...]) -> tuple[str, list[str]]:
    """Which path serves ``akscli ARGS`` ("help cache", "fast path" or "Typer") and the modules
    it imports beyond Python's start and akscli's own, in the order it imports them."""
    done = subprocess.run([TOOL_PYTHON, "-c", SERVED_BY, *args], capture_output=True, text=True, check=True)
    path, *modules = done.stdout.split("\n")
    return path, modules


def importing(modules: list[str]) -> list[str]:
    """Python importing ``modules`` and nothing of akscli, started and ended as akscli is
    (akscli.process: the collector off during the imports; ``finish`` runs the atexit handlers,
    then ``os._exit``):
    a path's floor, what no command it serves can go below. Ended by ``os._exit`` as the command
    is: left to end normally, CPython tears every module down one by one (render's 136: about
    30 M instructions, a tenth of the command), a cost the floor would have and the command not,
    so akscli's own share read nil when it was not (docs/changes/audit38-render38.md)."""
    code = (
        f"import atexit, gc, os\ngc.disable()\nfor name in {tuple(modules)!r}:\n    __import__(name)\n"
        "atexit._run_exitfuncs()\nos._exit(0)"
    )
    return [TOOL_PYTHON, "-c", code]


def libraries(modules: list[str]) -> str:
    """``modules`` in words: how many, and the packages among them that are not Python's own."""
    others = sorted({m.partition(".")[0] for m in modules} - set(sys.stdlib_module_names))
    return f"{len(modules)} modules, " + (
        f"of them outside the standard library: {', '.join(others)}" if others else "all of the standard library"
    )


PYTHON = ("the Python interpreter alone (python -c pass)", [TOOL_PYTHON, "-c", "pass"])
# label, akscli's arguments, kubectl's arguments, target ratio, the path that serves it (a test
# holds each row to it: tests/bench/test_startup_rows.py)
STARTUP = (
    ("start-up", ("--help",), KUBECTL_VERSION, 1.0, "help cache"),
    ("a command", ("version",), KUBECTL_VERSION, 1.5, "fast path"),
    ("offline command", ("model", "plan", "phi-4"), KUBECTL_VERSION, 1.5, "fast path"),
    ("offline command", ("model", "catalog"), KUBECTL_VERSION, 1.5, "fast path"),
    ("render", ("render", "core/namespace", "--set", "name=demo"), KUBECTL_RENDER, 1.5, "fast path"),
)


def manifests(prefix: str, count: int) -> str:
    docs = []
    for index in range(count):
        docs.append(f"""apiVersion: v1
kind: ConfigMap
metadata:
  name: {prefix}-{index:04d}
  namespace: default
data:
  index: "{index}"
  payload: "{"x" * 200}"
""")
    return "---\n".join(docs)


def startup(kubectl: str) -> None:
    print(f"load average {os.getloadavg()[0]:.2f}; medians of {RUNS} runs, akscli and kubectl in turn", flush=True)
    pythons: dict[tuple[str, ...], float] = {}
    for label, ours_args, peer_args, target, path in STARTUP:
        served, modules = served_by(ours_args)
        if peer_args not in pythons:
            ours, peer = paired_medians(PYTHON[1], [kubectl, *peer_args], RUNS)
            pythons[peer_args] = ours / peer
            print(f"floor python: {PYTHON[0]}: {_pair(ours, peer, peer_args)}", flush=True)
        ours, peer = paired_medians(importing(modules), [kubectl, *peer_args], RUNS)
        floor = ours / peer
        print(
            f"floor of akscli {' '.join(ours_args)}: Python importing what its path, the {served}, imports "
            f"beyond akscli's own modules ({libraries(modules)}): {_pair(ours, peer, peer_args)}",
            flush=True,
        )
        ours, peer = paired_medians([AKSCLI, *ours_args], [kubectl, *peer_args], RUNS)
        title = f"{label} (akscli {' '.join(ours_args)} vs kubectl {' '.join(peer_args)}; served by the {served}"
        title += ")" if served == path else f", NOT the {path} this row is for)"
        print(
            f"{ratio_line(title, ours, peer, 'kubectl', target)}; floor {floor:.2f}x "
            f"(python alone {pythons[peer_args]:.2f}x), akscli's own share {ours / peer - floor:+.2f}x",
            flush=True,
        )


def _pair(ours: float, peer: float, peer_args: tuple[str, ...]) -> str:
    return f"{ours * 1000:,.0f} ms, kubectl {' '.join(peer_args)} {peer * 1000:,.0f} ms, ratio {ours / peer:.2f}x"


def main() -> None:
    if KUBECTL is None:
        print("kubectl not found: the peer is missing, nothing to compare")
        return
    compile_bytecode()
    print(tool_description(), flush=True)
    startup(KUBECTL)


if __name__ == "__main__":
    main()
