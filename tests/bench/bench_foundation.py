"""Foundation benchmarks, each against kubectl measured in the same run (#16's table).

1. Start-up and offline commands (``STARTUP``), each against its kubectl counterpart, the two run
   in turn: ``akscli --help`` against ``kubectl version --client`` (target <= 1.0x); ``akscli
   version``, ``model plan phi-4`` (the README's main job) and ``model catalog`` against
   ``kubectl version --client``, and ``akscli render core/namespace`` against kubectl rendering
   the same Namespace (``kubectl create namespace --dry-run=client -o yaml``), all <= 1.5x.
   Then the floors under those rows: the bare interpreter and a one-command Typer app.
2. Applying 500 objects: ``akscli apply -f`` against ``kubectl apply --server-side`` on the same
   standalone emulator (bench_apply.py measures this with request counts and added latency).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench._harness import (
    AKSCLI,
    KUBECTL,
    TOOL_PYTHON,
    compile_bytecode,
    once,
    paired_medians,
    ratio_line,
    standalone_emulator,
    tool_description,
    tool_env,
)

OBJECTS = 500
RUNS = int(os.environ.get("AKSCLI_BENCH_RUNS", "21"))
KUBECTL_VERSION = ("version", "--client")
# label, akscli's arguments, kubectl's arguments, target ratio
STARTUP = (
    ("start-up", ("--help",), KUBECTL_VERSION, 1.0),
    ("a command", ("version",), KUBECTL_VERSION, 1.5),
    ("offline command", ("model", "plan", "phi-4"), KUBECTL_VERSION, 1.5),
    ("offline command", ("model", "catalog"), KUBECTL_VERSION, 1.5),
    (
        "render",
        ("render", "core/namespace", "--set", "name=demo"),
        ("create", "namespace", "demo", "--dry-run=client", "-o", "yaml"),
        1.5,
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


# What no Typer command can go below: the interpreter alone, and a one-command Typer app (the
# framework's own import and parse), each against kubectl version --client (no target: context).
FLOORS = (
    ("floor: the Python interpreter alone (python -c pass)", [TOOL_PYTHON, "-c", "pass"]),
    (
        # started and ended as akscli is (akscli.process): the collector off during the import,
        # os._exit after the output, so the row is the framework's own cost and nothing else
        "floor: a one-command Typer app (import typer, parse, print; collector off, os._exit)",
        [
            TOOL_PYTHON,
            "-c",
            "import gc, os, sys\n"
            "gc.disable()\n"
            "import typer\n"
            "app = typer.Typer(add_completion=False)\n"
            "@app.command()\n"
            "def plan(model: str, region: str = 'eastus') -> None:\n"
            "    print(model, region)\n"
            "app(sys.argv[1:], standalone_mode=False)\n"
            "sys.stdout.flush()\n"
            "os._exit(0)",
            "phi-4",
        ],
    ),
)


def startup(kubectl: str) -> None:
    print(f"load average {os.getloadavg()[0]:.2f}; medians of {RUNS} runs, akscli and kubectl in turn", flush=True)
    for label, ours_args, peer_args, target in STARTUP:
        ours, peer = paired_medians([AKSCLI, *ours_args], [kubectl, *peer_args], RUNS)
        title = f"{label} (akscli {' '.join(ours_args)} vs kubectl {' '.join(peer_args)})"
        print(ratio_line(title, ours, peer, "kubectl", target), flush=True)
    for label, command in FLOORS:
        ours, peer = paired_medians(command, [kubectl, *KUBECTL_VERSION], RUNS)
        print(f"{label}: {ours * 1000:,.0f} ms, kubectl {peer * 1000:,.0f} ms, ratio {ours / peer:.2f}x", flush=True)


def apply(kubectl: str) -> None:
    with standalone_emulator() as kubeconfig, tempfile.TemporaryDirectory() as tmp:
        env = tool_env(kubeconfig, Path(tmp))
        ours_file = Path(tmp) / "ours.yaml"
        peer_file = Path(tmp) / "peer.yaml"
        ours_file.write_text(manifests("akscli", OBJECTS))
        peer_file.write_text(manifests("kubectl", OBJECTS))
        peer_time, _ = once([kubectl, "apply", "--server-side", "-f", str(peer_file)], env=env)
        ours_time, _ = once([AKSCLI, "apply", "-f", str(ours_file), "--stack", "bench"], env=env)
        print(
            ratio_line(
                f"apply {OBJECTS} new objects (akscli apply vs kubectl apply --server-side)",
                ours_time,
                peer_time,
                "kubectl",
                1.0,
            )
        )
        peer_again, _ = once([kubectl, "apply", "--server-side", "-f", str(peer_file)], env=env)
        ours_again, _ = once([AKSCLI, "apply", "-f", str(ours_file), "--stack", "bench"], env=env)
        print(ratio_line(f"re-apply {OBJECTS} unchanged objects", ours_again, peer_again, "kubectl", 1.0))


def main() -> None:
    if KUBECTL is None:
        print("kubectl not found: the peer is missing, nothing to compare")
        return
    compile_bytecode()
    print(tool_description(), flush=True)
    startup(KUBECTL)
    if "--startup-only" not in sys.argv:
        apply(KUBECTL)


if __name__ == "__main__":
    main()
