"""Start-up and offline commands against kubectl, measured in the same run (#16's table).

Each row (``STARTUP``) runs akscli and its kubectl counterpart in turn: ``akscli --help`` against
``kubectl version --client`` (target <= 1.0x); ``akscli version``, ``model plan phi-4`` (the
README's main job) and ``model catalog`` against ``kubectl version --client``, and ``akscli render
core/namespace`` against kubectl rendering the same Namespace (``kubectl create namespace
--dry-run=client -o yaml``), all <= 1.5x.

Each row also names its floor: the libraries of the design card that the command cannot run
without, imported by a one-command Typer app started and ended as akscli is (``FLOORS``), against
the same kubectl command in the same run. What is above the floor is akscli's own share. Applying
500 objects against ``kubectl apply --server-side`` is bench_apply.py's (request counts, latency).
"""

from __future__ import annotations

import os
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


def _typer_app(*imports: str) -> list[str]:
    """A one-command Typer app that also imports ``imports``, started and ended as akscli is
    (akscli.process): the collector off during the imports, os._exit after the output."""
    code = (
        "import gc, os, sys\n"
        "gc.disable()\n"
        f"import {', '.join(('typer', *imports))}\n"
        "app = typer.Typer(add_completion=False)\n"
        "@app.command()\n"
        "def plan(model: str, region: str = 'eastus') -> None:\n"
        "    print(model, region)\n"
        "app(sys.argv[1:], standalone_mode=False)\n"
        "sys.stdout.flush()\n"
        "os._exit(0)"
    )
    return [TOOL_PYTHON, "-c", code, "phi-4"]


# floor name -> (what it is, the command). What no akscli command of that kind can go below.
FLOORS = {
    "python": ("the Python interpreter alone (python -c pass)", [TOOL_PYTHON, "-c", "pass"]),
    "typer": ("a one-command Typer app (import typer, parse, print)", _typer_app()),
    "typer+jinja2+ruamel": (
        "the same app importing Jinja2 and ruamel.yaml too (render's renderer and YAML library)",
        _typer_app("jinja2", "ruamel.yaml"),
    ),
    # render's floor in parts: Typer with only one of the two, and the two without Typer, which
    # alone measured over render's 1.5x target (docs/changes/audit23-perf23.md)
    "typer+jinja2": ("the Typer app importing Jinja2 only", _typer_app("jinja2")),
    "typer+ruamel": ("the Typer app importing ruamel.yaml only", _typer_app("ruamel.yaml")),
    "jinja2+ruamel": (
        "no Typer: Python importing Jinja2 and ruamel.yaml, the collector off",
        [TOOL_PYTHON, "-c", "import gc\ngc.disable()\nimport jinja2, ruamel.yaml"],
    ),
}
# label, akscli's arguments, kubectl's arguments, target ratio, floor, the floor's parts (printed)
STARTUP = (
    ("start-up", ("--help",), KUBECTL_VERSION, 1.0, "python", ()),
    ("a command", ("version",), KUBECTL_VERSION, 1.5, "typer", ()),
    ("offline command", ("model", "plan", "phi-4"), KUBECTL_VERSION, 1.5, "typer", ()),
    ("offline command", ("model", "catalog"), KUBECTL_VERSION, 1.5, "typer", ()),
    (
        "render",
        ("render", "core/namespace", "--set", "name=demo"),
        KUBECTL_RENDER,
        1.5,
        "typer+jinja2+ruamel",
        ("typer", "typer+jinja2", "typer+ruamel", "jinja2+ruamel"),
    ),
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
    floors: dict[tuple[str, tuple[str, ...]], float] = {}
    for name, (what, command) in FLOORS.items():
        for peer_args in {row[2] for row in STARTUP if name == row[4] or name in row[5]}:
            ours, peer = paired_medians(command, [kubectl, *peer_args], RUNS)
            floors[name, peer_args] = ours / peer
            print(
                f"floor {name}: {what}: {ours * 1000:,.0f} ms, kubectl {' '.join(peer_args)} {peer * 1000:,.0f} ms, "
                f"ratio {ours / peer:.2f}x",
                flush=True,
            )
    for label, ours_args, peer_args, target, floor, parts in STARTUP:
        ours, peer = paired_medians([AKSCLI, *ours_args], [kubectl, *peer_args], RUNS)
        title = f"{label} (akscli {' '.join(ours_args)} vs kubectl {' '.join(peer_args)})"
        floor_ratio = floors[floor, peer_args]
        of_which = ", ".join(f"{part} {floors[part, peer_args]:.2f}x" for part in parts)
        print(
            f"{ratio_line(title, ours, peer, 'kubectl', target)}; floor {floor} {floor_ratio:.2f}x"
            f"{f' ({of_which})' if of_which else ''}, akscli's own share {ours / peer - floor_ratio:+.2f}x",
            flush=True,
        )


def main() -> None:
    if KUBECTL is None:
        print("kubectl not found: the peer is missing, nothing to compare")
        return
    compile_bytecode()
    print(tool_description(), flush=True)
    startup(KUBECTL)


if __name__ == "__main__":
    main()
