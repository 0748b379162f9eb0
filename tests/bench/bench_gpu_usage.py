"""Benchmark: `akscli gpu usage` against `kubectl get nodes/pods -o json` on one emulator.

Fills the Kubernetes emulator with 75,000 nodes and as many pods as asked (1,000,000 by default,
or what this machine holds), then runs each command as a child process against the same
emulator in the same run and prints wall time and the child's peak resident memory (from
``wait4``'s rusage). Not a test: run it with ``nox -s bench -- gpu_usage`` or directly:

    python tests/bench/bench_gpu_usage.py --nodes 75000 --pods 1000000
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))


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


def serve(args: argparse.Namespace) -> int:
    """The emulator in its own process, so that its memory is not counted in the children's."""
    from tests.emulators.kube import KubeEmulator

    shared = Path(os.environ.get("AKSCLI_SHARED_DIR", REPO.parent / "shared"))
    # TLS because kubectl sends a bearer token only over https.
    emu = KubeEmulator(crd_dirs=[shared / "crds"], tls=True)
    emu.record_requests = False  # a 1,000,000-pod run would otherwise keep every request
    emu.start()
    try:
        started = time.perf_counter()
        emu.generate_cluster(nodes=args.nodes, pods=args.pods, gpu_fraction=args.gpu_fraction)
        fill = time.perf_counter() - started
        emu.write_kubeconfig(args.serve)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
        print(f"ready {fill:.1f} {rss:.0f}", flush=True)
        sys.stdin.read()  # until the driver closes our stdin
    finally:
        emu.stop()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=75_000)
    parser.add_argument("--pods", type=int, default=1_000_000)
    parser.add_argument("--gpu-fraction", type=float, default=0.2)
    parser.add_argument("--page-size", type=int, default=500)
    parser.add_argument(
        "--no-kubectl",
        action="store_true",
        help="measure akscli only (kubectl holds every object: ~3 GiB per "
        "100,000 pods, more than a small machine has at 1,000,000)",
    )
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        return serve(args)

    kubectl = None if args.no_kubectl else shutil.which("kubectl")
    akscli = [sys.executable, "-m", "akscli"]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        kubeconfig = work / "kubeconfig"
        server = subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--serve",
                str(kubeconfig),
                "--nodes",
                str(args.nodes),
                "--pods",
                str(args.pods),
                "--gpu-fraction",
                str(args.gpu_fraction),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert server.stdin is not None and server.stdout is not None
        try:
            ready = server.stdout.readline().split()
            if not ready or ready[0] != "ready":
                sys.stderr.write("the emulator did not start\n")
                return 1
            print(
                f"emulator: {args.nodes:,} nodes, {args.pods:,} pods generated in {ready[1]}s;"
                f" emulator peak RSS {ready[2]} MiB",
                flush=True,
            )
            env = {**os.environ, "KUBECONFIG": str(kubeconfig), "AKSCLI_AUDIT_LOG": str(work / "audit.jsonl")}
            wall, cpu, rss, code = run_child(
                [*akscli, "gpu", "usage", "-o", "json", "--page-size", str(args.page_size)], env, work / "akscli.json"
            )
            rows.append(("akscli gpu usage -o json", wall, cpu, rss, code))
            if code == 0:
                totals = json.loads((work / "akscli.json").read_text())["totals"]
                print(
                    f"akscli read {totals['nodesSeen']:,} nodes and {totals['podsSeen']:,} pods:"
                    f" {totals['allocatable']:,} GPUs, {totals['idle']:,} idle",
                    flush=True,
                )
            if kubectl:
                for what in (["nodes"], ["pods", "-A"]):
                    wall, cpu, rss, code = run_child([kubectl, "get", *what, "-o", "json"], env, work / "kubectl.json")
                    rows.append((f"kubectl get {' '.join(what)} -o json", wall, cpu, rss, code))
            elif not args.no_kubectl:
                print("kubectl not found: only akscli was measured", flush=True)
        finally:
            server.stdin.close()
            server.wait(timeout=60)

    print(f"\n{'command':<34} {'wall s':>8} {'cpu s':>8} {'peak RSS MiB':>13} {'exit':>5}")
    for name, wall, cpu, rss, code in rows:
        print(f"{name:<34} {wall:>8.1f} {cpu:>8.1f} {rss:>13.0f} {code:>5}")
    if len(rows) == 3:
        k_wall, k_cpu = rows[1][1] + rows[2][1], rows[1][2] + rows[2][2]
        k_rss = max(rows[1][3], rows[2][3])
        print(f"{'kubectl, both commands':<34} {k_wall:>8.1f} {k_cpu:>8.1f} {k_rss:>13.0f}")
        print(f"\nakscli / kubectl: wall {rows[0][1] / k_wall:.2f}x, peak memory {rows[0][3] / k_rss:.3f}x")
    return 0 if all(r[4] == 0 for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
