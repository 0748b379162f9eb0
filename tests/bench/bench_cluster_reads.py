"""Benchmark: every akscli command that reads a cluster, against one large seeded emulator.

The emulator runs in a forked process of its own that hands its request log over a pipe after
each command (so its memory is not counted, nor inherited by the commands: a child forked from a
process holding the emulator reports that process's pages as its peak RSS); each command runs as
a child process of this small one, timed, with its peak resident memory from ``wait4``'s rusage. For each
command it prints wall time, peak RSS, and the requests it sent: method, path, limit,
labelSelector, fieldSelector and how many were continuations, grouped. Not a test (tests assert
requests, never timings: tests/kube/test_cluster_read_rules.py); run it directly:

    python tests/bench/bench_cluster_reads.py --nodes 75000 --pods 198000
"""

from __future__ import annotations

import argparse
import collections
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench._harness import AKSCLI
from tests.emulators.kube.__main__ import build, build_args

Record = tuple[str, str, dict[str, list[str]], str]  # method, path, query, user agent

# Set up first (not measured): a model and a Ray cluster for the commands that read one.
SETUP = [
    ["model", "deploy", "phi-4-mini-instruct", "--vm-size", "Standard_NC24ads_A100_v4", "-y"],
    ["ray", "cluster", "create", "bench", "-y"],
    ["ray", "cluster", "create", "other", "-y"],
]
COMMANDS = [
    ["doctor"],
    ["doctor", "--for", "model"],
    ["doctor", "--for", "ray"],
    ["doctor", "--for", "baremetal"],
    ["doctor", "--for", "fleet"],
    ["baremetal", "doctor"],
    [
        "model",
        "deploy",
        "phi-4-mini-instruct",
        "--name",
        "fit",
        "--runtime",
        "vllm",
        "--vm-size",
        "Standard_NC24ads_A100_v4",
        "--dry-run=server",
    ],
    ["model", "list"],
    ["model", "status", "phi-4-mini-instruct"],
    ["model", "top"],
    ["ray", "cluster", "list"],
    ["ray", "cluster", "list", "-o", "json"],
    ["ray", "cluster", "status", "bench"],
    ["ray", "cluster", "nodes", "bench"],
    ["ray", "workergroup", "list"],
    ["gpu", "usage"],
    ["nodepool", "show", "bench", "--auto-provision"],
    # Only with --only naming them: one dry-run create per GPU node (15,000 at 75,000 nodes).
    ["baremetal", "inventory", "--dry-run=server", "-o", "name"],
    # Reads every node for the most common GPU size (no --vm-size).
    ["baremetal", "test", "nccl", "--nodes", "2", "--dry-run=server", "-o", "name"],
]
OPT_IN = ("baremetal inventory", "baremetal test")
# emu.idle(30) calls before the commands are timed (5,000 Ray pods keep the simulator busy a while).
SETTLE_TRIES = 20


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, float, int, str]:
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        proc = subprocess.Popen([AKSCLI, *cmd], stdout=out, stderr=subprocess.STDOUT, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        out.seek(0)
        tail = out.read().decode(errors="replace")[-300:]
    return wall, usage.ru_maxrss / 1024.0, os.waitstatus_to_exitcode(status), tail


def serve(conn: multiprocessing.connection.Connection, emu_args: argparse.Namespace, kubeconfig: Path) -> None:
    """The emulator's process: build, serve, and answer "idle", "take" (the request log since the
    last take) and "stop" from the pipe."""
    started = time.perf_counter()
    emu = build(emu_args)
    emu.start()
    emu.write_kubeconfig(kubeconfig)
    conn.send(time.perf_counter() - started)
    while (msg := conn.recv()) != "stop":
        if msg == "idle":
            conn.send(emu.idle(30))
        elif isinstance(msg, tuple) and msg[0] == "rayworkers":
            conn.send(_scale_ray_workers(emu, msg[1]))
        elif isinstance(msg, tuple) and msg[0] == "nodeclaims":
            conn.send(_seed_nodeclaims(emu, msg[1]))
        elif isinstance(msg, tuple) and msg[0] == "rayclusters":
            conn.send(_copy_rayclusters(emu, msg[1]))
        elif msg == "take":
            with emu._log_lock:
                conn.send([(r.method, r.path, r.query, r.user_agent) for r in emu.request_log])
                emu.request_log.clear()
    emu.stop()


def summarize(records: list[Record]) -> list[str]:
    groups: collections.Counter[tuple[str, ...]] = collections.Counter()
    continued: collections.Counter[tuple[str, ...]] = collections.Counter()
    for method, path, q, _ in records:
        key = (
            method,
            path,
            f"limit={q['limit'][0]}" if "limit" in q else ("watch" if "watch" in q else "-"),
            f"labelSelector={q['labelSelector'][0]}" if "labelSelector" in q else "",
            f"fieldSelector={q['fieldSelector'][0]}" if "fieldSelector" in q else "",
        )
        groups[key] += 1
        continued[key] += "continue" in q
    return [
        f"    {n:>5} x {' '.join(k for k in key if k)}"
        + (f" ({continued[key]} with continue)" if continued[key] else "")
        for key, n in groups.most_common()
    ]


def _scale_ray_workers(emu: Any, count: int) -> int:
    """The RayCluster ``bench`` with ``count`` worker pods, as a training run's cluster has: its
    group's replicas set to ``count`` and its worker pod copied (the KubeRay simulator makes
    pods at a few dozen a second; copies it counts as the group's, upstream: ray-project/kuberay
    ray-operator/controllers/ray/raycluster_controller.go reconcilePods, by the group label)."""
    rc = emu.cluster.get("ray.io/v1", "RayCluster", "default", "bench")
    if rc is None:
        return 0
    group = rc["spec"]["workerGroupSpecs"][0]
    group.update(replicas=count, maxReplicas=count)
    emu.cluster.update(rc)
    workers = [
        p
        for p in emu.cluster.list("v1", "Pod", "default")
        if p["metadata"].get("labels", {}).get("ray.io/cluster") == "bench"
        and p["metadata"]["labels"].get("ray.io/node-type") == "worker"
    ]
    if not workers:
        return 0
    for n in range(count - len(workers)):
        copy = {key: value for key, value in workers[0].items() if key != "metadata"}
        meta = workers[0]["metadata"]
        copy["metadata"] = {
            "name": f"bench-worker-copy-{n:05d}",
            "namespace": "default",
            "labels": meta["labels"],
            "ownerReferences": meta.get("ownerReferences", []),
        }
        emu.cluster.create(copy)
    return count


def _seed_nodeclaims(emu: Any, count: int) -> int:
    """A NAP NodePool ``bench`` with ``count`` launched NodeClaims, one per node as Karpenter keeps
    them (upstream: kubernetes-sigs/karpenter pkg/apis/v1/nodeclaim_status.go; the pool label from
    pkg/controllers/provisioning/scheduling/nodeclaimtemplate.go). No NAP simulator: it would make
    a node for each."""
    ref = {"group": "karpenter.azure.com", "kind": "AKSNodeClass", "name": "default"}
    size = "Standard_NC24ads_A100_v4"
    sizes = [{"key": "node.kubernetes.io/instance-type", "operator": "In", "values": [size]}]
    emu.cluster.create({"apiVersion": "karpenter.azure.com/v1beta1", "kind": "AKSNodeClass",
                        "metadata": {"name": "default"}, "spec": {"imageFamily": "Ubuntu"}})  # fmt: skip
    emu.cluster.create({"apiVersion": "karpenter.sh/v1", "kind": "NodePool", "metadata": {"name": "bench"},
                        "spec": {"template": {"spec": {"nodeClassRef": ref, "requirements": sizes}}}})  # fmt: skip
    labels = {"karpenter.sh/nodepool": "bench", "node.kubernetes.io/instance-type": size,
              "karpenter.sh/capacity-type": "on-demand"}  # fmt: skip
    conditions = [
        {"type": kind, "status": "True", "reason": kind, "message": "", "lastTransitionTime": "2026-12-05T10:00:00Z"}
        for kind in ("Launched", "Registered", "Initialized", "Ready")
    ]
    for n in range(count):
        name = f"bench-{n:05d}"
        emu.cluster.create({"apiVersion": "karpenter.sh/v1", "kind": "NodeClaim",
                            "metadata": {"name": name, "labels": labels},
                            "spec": {"nodeClassRef": ref, "requirements": sizes}})  # fmt: skip
        status = {
            "nodeName": f"aks-{name}",
            "providerID": f"azure:///subscriptions/0/resourceGroups/mc/providers/Microsoft.Compute/virtualMachines/aks-{name}",
            "capacity": {"cpu": "24", "memory": "220Gi", "nvidia.com/gpu": "1"},
            "allocatable": {"cpu": "23800m", "memory": "200Gi", "nvidia.com/gpu": "1"},
            "conditions": conditions,
        }
        emu.cluster.patch_status("karpenter.sh/v1", "NodeClaim", None, name, status)
    return count


def _copy_rayclusters(emu: Any, count: int) -> int:
    """``count`` suspended copies of the RayCluster ``bench`` (as akscli made it), for the lists
    of many Ray clusters: suspended, so the KubeRay simulator makes no pods for them (upstream:
    ray-project/kuberay ray-operator/controllers/ray/raycluster_controller.go, spec.suspend)."""
    source = emu.cluster.get("ray.io/v1", "RayCluster", "default", "bench")
    if source is None:
        return 0
    for n in range(count):
        copy = {key: value for key, value in source.items() if key != "status"}
        meta = source["metadata"]
        copy["metadata"] = {"name": f"copy-{n:05d}", "namespace": meta["namespace"], "labels": meta.get("labels", {})}
        copy["spec"] = {**source["spec"], "suspend": True}
        emu.cluster.create(copy)
    return count


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--nodes", type=int, default=75000)
    ap.add_argument("--pods", type=int, default=198000)
    ap.add_argument("--rayclusters", type=int, default=0, help="suspended copies of the bench RayCluster")
    ap.add_argument("--ray-workers", type=int, default=0, help="scale RayCluster bench to this many worker pods")
    ap.add_argument("--nodeclaims", type=int, default=0, help="NodeClaims of a NAP NodePool 'bench'")
    ap.add_argument("--only", action="append", help="run only commands whose text contains this (repeatable)")
    args = ap.parse_args()
    emu_args = build_args(nodes=args.nodes, pods=args.pods, request_log=True)
    work = Path(tempfile.mkdtemp(prefix="akscli-reads-"))
    kubeconfig = work / "kubeconfig"
    conn, child_end = multiprocessing.Pipe()
    emulator = multiprocessing.get_context("fork").Process(target=serve, args=(child_end, emu_args, kubeconfig))
    emulator.start()
    print(f"emulator: {args.nodes:,} nodes, {args.pods:,} pods in {conn.recv():.0f} s", flush=True)
    env = {**os.environ, "KUBECONFIG": str(kubeconfig), "AKSCLI_AUDIT_LOG": str(work / "audit.jsonl")}
    env.setdefault("AKSCLI_PROBE_IMAGE", "registry.example.com/akscli-probe:0.1.0")  # inventory's image
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    try:
        for cmd in SETUP:
            code = run(cmd, env)[2]
            print(f"setup: akscli {' '.join(cmd)}: exit {code}", flush=True)
        if args.ray_workers:
            conn.send(("rayworkers", args.ray_workers))
            print(f"setup: RayCluster bench scaled to {conn.recv()} worker pods", flush=True)
        if args.nodeclaims:
            conn.send(("nodeclaims", args.nodeclaims))
            print(f"setup: NodePool bench with {conn.recv()} NodeClaims", flush=True)
        if args.rayclusters:
            conn.send(("rayclusters", args.rayclusters))
            print(f"setup: {conn.recv()} suspended copies of RayCluster bench", flush=True)
        # Settled before anything is timed: the controllers and the operators' simulators have
        # nothing due (emu.idle), so no pod is made while a command reads (a DaemonSet's pods, the
        # GPU Operator's pod that doctor checks). At most SETTLE_TRIES x 30 s; said on stdout.
        settle_started, settled = time.perf_counter(), False
        for _ in range(SETTLE_TRIES):
            conn.send("idle")
            if settled := bool(conn.recv()):
                break
        waited = time.perf_counter() - settle_started
        print(f"setup: emulator {'settled' if settled else 'NOT settled'} after {waited:.0f} s", flush=True)
        rows = []
        for cmd in COMMANDS:
            text = " ".join(cmd)
            if args.only and not any(o in text for o in args.only):
                continue
            if text.startswith(OPT_IN) and not args.only:
                continue
            if cmd[0] == "nodepool" and not args.nodeclaims:
                continue  # its NodePool is seeded only with --nodeclaims
            conn.send("take")
            conn.recv()
            wall, rss, code, tail = run(cmd, env)
            conn.send("take")
            records: list[Record] = conn.recv()
            ours = [r for r in records if r[3].startswith("akscli")] or records
            rows.append((text, len(ours), wall, rss, code))
            print(f"akscli {text}: exit {code}, {wall:.1f} s, {rss:.0f} MiB, {len(ours)} requests", flush=True)
            if code not in (0, 9):
                print("    " + tail.strip().replace("\n", "\n    "))
            print("\n".join(summarize(ours)), flush=True)
        print(f"\n{'command':<40} {'requests':>8} {'wall s':>7} {'RSS MiB':>8} {'exit':>4}")
        for text, n, wall, rss, code in rows:
            print(f"{text[:40]:<40} {n:>8} {wall:>7.1f} {rss:>8.0f} {code:>4}")
    finally:
        conn.send("stop")
        emulator.join(60)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
