"""Benchmark: every akscli command that lists or reads Azure Resource Manager, at subscription scale.

One ARM emulator in a forked process of its own holds a subscription with ``--clusters``
AKS clusters over ``--groups`` resource groups (one system pool each), one cluster with
``--pools`` agent pools, and a fleet with ``--members`` members (each an AKS cluster of the
subscription), ``--runs`` update runs and ``--gates`` gates. Each command runs as a child
process of this small one; for each it prints wall time, CPU time (user and system, steadier than
wall time on a shared machine), peak RSS (``wait4``), and the ARM requests it sent, grouped
by method and path pattern, with how many followed a ``nextLink``. ``--throttle`` turns on the
emulator's token buckets at ARM's documented sizes (tests/emulators/arm/throttle.py) and counts
the 429s. Not a test (tests assert requests, never timings: tests/azure/test_arm_scale.py); run
it directly:

    python tests/bench/bench_arm_reads.py [--clusters 2000 --groups 50 --pools 100 --members 200 \
        --runs 300 --gates 1200]
"""

from __future__ import annotations

import argparse
import collections
import multiprocessing
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench._harness import AKSCLI

Record = tuple[str, str, dict[str, list[str]], int]  # method, path, query, status
SUB = "00000000-0000-0000-0000-000000000000"
AKS = "providers/Microsoft.ContainerService"
BIG = ("rg-000", "big")  # the cluster with many pools
FLEET = ("rg-fleet", "fleet1")


def cluster_id(group: str, name: str) -> str:
    return f"/subscriptions/{SUB}/resourceGroups/{group}/{AKS}/managedClusters/{name}"


def _pool(name: str, mode: str = "User") -> dict[str, Any]:
    return {
        "name": name,
        "mode": mode,
        "count": 3,
        "vmSize": "Standard_D4ds_v5",
        "osType": "Linux",
        "orchestratorVersion": "1.33.5",
        "currentOrchestratorVersion": "1.33.5",
        "provisioningState": "Succeeded",
        "powerState": {"code": "Running"},
    }


def seed_cluster(emu: Any, group: str, name: str, pools: list[dict[str, Any]]) -> str:
    rid = cluster_id(group, name)
    for p in pools:
        emu.put_resource(f"{rid}/agentPools/{p['name']}", {"properties": {k: v for k, v in p.items() if k != "name"}})
    emu.put_resource(
        rid,
        {
            "location": "eastus",
            "sku": {"name": "Base", "tier": "Free"},
            "properties": {
                "kubernetesVersion": "1.33.5",
                "currentKubernetesVersion": "1.33.5",
                "dnsPrefix": f"{name}-dns",
                "fqdn": f"{name}-dns-abc.hcp.eastus.azmk8s.io",
                "powerState": {"code": "Running"},
                "aadProfile": {"managed": True, "enableAzureRBAC": True},
                "agentPoolProfiles": pools,
            },
        },
    )
    return rid


def seed(emu: Any, args: argparse.Namespace) -> None:
    members: list[str] = []
    for n in range(args.clusters):
        group = f"rg-{n % args.groups:03d}"
        emu.add_resource_group(f"/subscriptions/{SUB}/resourceGroups/{group}")
        rid = seed_cluster(emu, group, f"aks-{n:05d}", [_pool("system", "System")])
        if len(members) < args.members:
            members.append(rid)
    seed_cluster(emu, *BIG, [_pool("system", "System"), *(_pool(f"p{i:03d}") for i in range(args.pools - 1))])
    emu.add_resource_group(f"/subscriptions/{SUB}/resourceGroups/{FLEET[0]}")
    fleet = f"/subscriptions/{SUB}/resourceGroups/{FLEET[0]}/{AKS}/fleets/{FLEET[1]}"
    emu.put_resource(fleet, {"location": "eastus", "properties": {}})
    for i, rid in enumerate(members):
        emu.put_resource(f"{fleet}/members/m{i:04d}", {"properties": {"clusterResourceId": rid, "group": f"g{i % 4}"}})
    for i in range(args.runs):
        emu.put_resource(
            f"{fleet}/updateRuns/run{i:04d}",
            {
                "properties": {
                    "managedClusterUpdate": {"upgrade": {"type": "NodeImageOnly"}},
                    "status": {"status": {"state": "Completed"}},
                }
            },
        )
    for i in range(args.gates):
        # The shape of Gates_Get.json (../shared/data/arm-examples/fleet-2026-06-01); a fleet's
        # gates stay until their run is deleted, so this list only grows.
        run = f"run{i // 4:04d}"
        target = {"name": run, "stage": "stage1", "group": f"g{i % 4}", "timing": "After"}
        emu.put_resource(
            f"{fleet}/gates/gate{i:05d}",
            {
                "properties": {
                    "displayName": f"check group g{i % 4} of {run}",
                    "target": {"id": f"{fleet}/updateRuns/{run}", "updateRunProperties": target},
                    "gateType": "Approval",
                    "state": "Completed",
                }
            },
        )


COMMANDS = [
    ["cluster", "list"],
    ["cluster", "list", "-o", "json"],
    ["cluster", "list", "-o", "yaml"],
    ["cluster", "list", "-o", "name"],
    ["cluster", "list", "-g", "rg-007"],
    ["cluster", "show", BIG[1], "-g", BIG[0]],
    ["nodepool", "list", "-c", BIG[1], "-g", BIG[0]],
    ["nodepool", "show", "p001", "-c", BIG[1], "-g", BIG[0]],
    ["cluster", "credentials", BIG[1], "-g", BIG[0], "--kubeconfig", "{work}/kc", "-y"],
    ["fleet", "list"],
    ["fleet", "show", FLEET[1], "-g", FLEET[0]],
    ["fleet", "member", "list", "--fleet", FLEET[1], "-g", FLEET[0]],
    ["fleet", "rollout", "list", "--fleet", FLEET[1], "-g", FLEET[0]],
    ["fleet", "gates", "--fleet", FLEET[1], "-g", FLEET[0]],
    ["fleet", "gates", "--fleet", FLEET[1], "-g", FLEET[0], "-o", "json"],
]


def serve(conn: Any, args: argparse.Namespace, env_file: Path) -> None:
    """The emulator's process: seed, serve, and answer "take" (the request log since the last
    take) and "stop" from the pipe."""
    from tests.emulators.arm.server import ArmEmulator
    from tests.emulators.arm.throttle import Throttle
    from tests.emulators.lab import arm_environment, seed_subscription

    started = time.perf_counter()
    emu = ArmEmulator().start()
    seed_subscription(emu)
    seed(emu, args)
    if args.throttle:
        emu.throttle = Throttle()
    env = arm_environment(emu, env_file.parent)
    env_file.write_text("\n".join(f"{k}={v}" for k, v in env.items()), encoding="utf-8")
    conn.send(time.perf_counter() - started)
    while (msg := conn.recv()) != "stop":
        if msg == "take":
            log = list(emu.request_log)
            emu.request_log.clear()
            conn.send([(e.method, e.path, {k: v for k, v in e.query.items()}, e.status) for e in log])
    emu.stop()


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, float, float, int, str]:
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        proc = subprocess.Popen([AKSCLI, *cmd], stdout=out, stderr=subprocess.STDOUT, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        out.seek(0)
        tail = out.read().decode(errors="replace")[-300:]
    cpu = usage.ru_utime + usage.ru_stime
    return wall, cpu, usage.ru_maxrss / 1024.0, os.waitstatus_to_exitcode(status), tail


def _shape(path: str) -> str:
    """A path with its names replaced by their kind: /managedClusters/{name}."""
    shape = re.sub(r"/subscriptions/[^/]+", "/subscriptions/{sub}", path)
    shape = re.sub(r"/resourceGroups/[^/]+", "/resourceGroups/{rg}", shape, flags=re.I)
    shape = re.sub(r"/(operations|operationresults)/[^/]+", r"/\1/{id}", shape)
    return re.sub(r"/(managedClusters|agentPools|fleets|members|updateRuns)/[^/]+", r"/\1/{name}", shape, flags=re.I)


def summarize(records: list[Record]) -> list[str]:
    groups: collections.Counter[tuple[str, str]] = collections.Counter()
    paged: collections.Counter[tuple[str, str]] = collections.Counter()
    throttled: collections.Counter[tuple[str, str]] = collections.Counter()
    for method, path, q, status in records:
        key = (method, _shape(path))
        groups[key] += 1
        paged[key] += any(k.lower() == "$skiptoken" for k in q)
        throttled[key] += status == 429
    return [
        f"    {n:>5} x {' '.join(key)}"
        + (f" ({paged[key]} from nextLink)" if paged[key] else "")
        + (f" ({throttled[key]} answered 429)" if throttled[key] else "")
        for key, n in groups.most_common()
    ]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clusters", type=int, default=2000)
    ap.add_argument("--groups", type=int, default=50)
    ap.add_argument("--pools", type=int, default=100)
    ap.add_argument("--members", type=int, default=200)
    ap.add_argument("--runs", type=int, default=300)
    ap.add_argument("--gates", type=int, default=1200)
    ap.add_argument("--throttle", action="store_true", help="ARM's documented token buckets on")
    ap.add_argument("--only", action="append", help="run only commands whose text contains this (repeatable)")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="akscli-arm-reads-"))
    env_file = work / "arm.env"
    conn, child_end = multiprocessing.Pipe()
    emulator = multiprocessing.get_context("fork").Process(target=serve, args=(child_end, args, env_file))
    emulator.start()
    seeded = conn.recv()
    print(
        f"emulator: {args.clusters:,} clusters in {args.groups} groups, a cluster of {args.pools} pools, "
        f"a fleet of {args.members} members, {args.runs} runs and {args.gates} gates, seeded in {seeded:.1f} s"
        + (" (throttling on)" if args.throttle else ""),
        flush=True,
    )
    arm_env = dict(line.split("=", 1) for line in env_file.read_text(encoding="utf-8").splitlines())
    env = {**os.environ, **arm_env, "AKSCLI_AUDIT_LOG": str(work / "audit.jsonl"), "KUBECONFIG": str(work / "kc")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    try:
        rows = []
        for template in COMMANDS:
            cmd = [part.replace("{work}", str(work)) for part in template]
            text = " ".join(template)
            if args.only and not any(o in text for o in args.only):
                continue
            conn.send("take")
            conn.recv()
            wall, cpu, rss, code, tail = run(cmd, env)
            conn.send("take")
            records: list[Record] = conn.recv()
            arm = [r for r in records if r[1].lower().startswith("/subscriptions/")]
            rows.append((text, len(arm), sum(r[3] == 429 for r in arm), wall, cpu, rss, code))
            print(
                f"akscli {text}: exit {code}, {wall:.1f} s, CPU {cpu:.2f} s, {rss:.0f} MiB, {len(arm)} ARM requests",
                flush=True,
            )
            if code != 0:
                print("    " + tail.strip().replace("\n", "\n    "))
            print("\n".join(summarize(arm)), flush=True)
        print(f"\n{'command':<48} {'ARM req':>7} {'429':>4} {'wall s':>7} {'CPU s':>6} {'RSS MiB':>8} {'exit':>4}")
        for text, n, n429, wall, cpu, rss, code in rows:
            print(f"{text[:48]:<48} {n:>7} {n429:>4} {wall:>7.1f} {cpu:>6.2f} {rss:>8.0f} {code:>4}")
    finally:
        conn.send("stop")
        emulator.join(60)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
