"""Benchmark: `akscli gpu usage` against `kubectl get nodes/pods -o json` on one emulator.

Fills the standalone Kubernetes emulator (its own process, so that its memory is not counted)
with 75,000 nodes and as many pods as asked (200,000 by default: the row of #16's table),
then runs each command as a child process against that emulator in the same run and prints
wall time and the child's peak resident memory (from ``wait4``'s rusage). Not a test: run it
with ``nox -s bench -- gpu_usage`` or directly:

    python tests/bench/bench_gpu_usage.py --nodes 75000 --pods 1000000

At 1,000,000 pods kubectl holds every object in memory: it was killed at 21 GiB on a 23 GiB
machine (16:28 UTC, 2026-12-03), which ended the whole `nox -s bench` session; hence the default.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench._harness import KUBECTL, TOOL_PYTHON, standalone_emulator

Row = tuple[str, float, float, float, int]  # command, wall s, CPU s, peak RSS MiB, exit code


def run_child(cmd: list[str], env: dict[str, str], stdout_path: Path) -> tuple[float, float, float, int]:
    """(wall seconds, CPU seconds, peak RSS MiB, exit code) of one child process."""
    with stdout_path.open("wb") as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        code = os.waitstatus_to_exitcode(status)
        proc.returncode = code
        if code != 0:
            err.seek(0)
            sys.stderr.write(f"{' '.join(cmd)} exited {code}:\n{err.read().decode()[-2000:]}\n")
    cpu = usage.ru_utime + usage.ru_stime
    return wall, cpu, usage.ru_maxrss / 1024.0, code  # ru_maxrss is KiB on Linux


def measure(args: argparse.Namespace, kubeconfig: Path, work: Path) -> list[Row]:
    """akscli, then (unless --no-kubectl) kubectl's two lists, against the same emulator."""
    env = {**os.environ, "KUBECONFIG": str(kubeconfig), "AKSCLI_AUDIT_LOG": str(work / "audit.jsonl")}
    akscli = [TOOL_PYTHON, "-m", "akscli", "gpu", "usage", "-o", "json", "--page-size", str(args.page_size)]
    rows = [("akscli gpu usage -o json", *run_child(akscli, env, work / "akscli.json"))]
    if rows[0][4] == 0:
        totals = json.loads((work / "akscli.json").read_text())["totals"]
        print(
            f"akscli read {totals['nodesSeen']:,} nodes and {totals['podsSeen']:,} pods:"
            f" {totals['allocatable']:,} GPUs, {totals['idle']:,} idle",
            flush=True,
        )
    if args.no_kubectl:
        return rows
    if KUBECTL is None:
        print("kubectl not found: only akscli was measured", flush=True)
        return rows
    for what in (["nodes"], ["pods", "-A"]):
        command = [KUBECTL, "get", *what, "-o", "json"]
        rows.append((f"kubectl get {' '.join(what)} -o json", *run_child(command, env, work / "kubectl.json")))
    return rows


def print_rows(rows: list[Row]) -> None:
    print(f"\n{'command':<34} {'wall s':>8} {'cpu s':>8} {'peak RSS MiB':>13} {'exit':>5}")
    for name, wall, cpu, rss, code in rows:
        print(f"{name:<34} {wall:>8.1f} {cpu:>8.1f} {rss:>13.0f} {code:>5}")
    if len(rows) == 3:
        k_wall, k_cpu = rows[1][1] + rows[2][1], rows[1][2] + rows[2][2]
        k_rss = max(rows[1][3], rows[2][3])
        print(f"{'kubectl, both commands':<34} {k_wall:>8.1f} {k_cpu:>8.1f} {k_rss:>13.0f}")
        print(f"\nakscli / kubectl: wall {rows[0][1] / k_wall:.2f}x, peak memory {rows[0][3] / k_rss:.3f}x")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=75_000)
    parser.add_argument("--pods", type=int, default=200_000)
    parser.add_argument("--gpu-fraction", type=float, default=0.2)
    parser.add_argument("--dra-fraction", type=float, default=0.0, help="share of NVIDIA GPU nodes run by DRA")
    parser.add_argument("--page-size", type=int, default=500)
    parser.add_argument(
        "--no-kubectl",
        action="store_true",
        help="measure akscli only (kubectl holds every object: ~3 GiB per "
        "100,000 pods, more than a small machine has at 1,000,000)",
    )
    args = parser.parse_args()
    fill = (
        *("--nodes", str(args.nodes), "--pods", str(args.pods), "--gpu-fraction", str(args.gpu_fraction)),
        *("--dra-fraction", str(args.dra_fraction)),
    )
    started = time.perf_counter()
    with standalone_emulator(*fill, startup_timeout=3600) as kubeconfig, tempfile.TemporaryDirectory() as tmp:
        print(
            f"emulator: {args.nodes:,} nodes, {args.pods:,} pods generated and served in"
            f" {time.perf_counter() - started:.1f}s",
            flush=True,
        )
        rows = measure(args, kubeconfig, Path(tmp))
    print_rows(rows)
    return 0 if all(r[4] == 0 for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
