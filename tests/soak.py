"""The fault-injection soak: many objects applied through 429s, 5xx, dropped connections and lost
responses, re-run with the faults still on, until every seed converges with no duplicates.

Shared by the slow-marked test (tests/foundation/test_soak.py) and the benchmark that prints the
figure (tests/bench/bench_soak.py).
"""

from __future__ import annotations

import copy
import random
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.emulators.kube import KubeEmulator

NAMESPACE = "soak"
STACK = "soak"
FAULT_KINDS = ("429", "500", "503", "drop", "lost")


@dataclass
class SoakResult:
    seed: int
    converged: bool
    runs: int
    faults: int
    objects_found: int
    duplicates: int
    wrong: list[str] = field(default_factory=list)


def soak_objects(count: int) -> list[dict[str, Any]]:
    """A Namespace and ``count`` ConfigMaps and Services (two kinds, two tiers) in it."""
    objects: list[dict[str, Any]] = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}}]
    for i in range(count - 1):
        name = f"obj-{i:04d}"
        if i % 5 == 4:
            objects.append(
                {
                    "apiVersion": "v1",
                    "kind": "Service",
                    "metadata": {"name": name, "namespace": NAMESPACE},
                    "spec": {"selector": {"app": name}, "ports": [{"port": 80, "targetPort": 8080}]},
                }
            )
        else:
            objects.append(
                {
                    "apiVersion": "v1",
                    "kind": "ConfigMap",
                    "metadata": {"name": name, "namespace": NAMESPACE},
                    "data": {"index": str(i)},
                }
            )
    return objects


def inject_faults(emu: KubeEmulator, rng: random.Random, count: int, share: float = 0.1) -> int:
    """Faults on about ``share`` of the objects; some persist past one run's retries."""
    injected = 0
    for i in rng.sample(range(count - 1), int((count - 1) * share)):
        kind = rng.choice(FAULT_KINDS)
        # Up to 8 hits: more than one run's 6 attempts, so some first runs fail part-way and
        # the re-run meets the remaining faults.
        hits = rng.choice((1, 2, 3, 8))
        path = rf"/obj-{i:04d}$"
        if kind == "429":
            emu.faults.add(verb="PATCH", path=path, status=429, retry_after=0.01, count=hits)
        elif kind in ("500", "503"):
            emu.faults.add(verb="PATCH", path=path, status=int(kind), count=hits)
        elif kind == "drop":
            emu.faults.add(verb="PATCH", path=path, drop_connection=True, count=hits)
        else:
            emu.faults.add(verb="PATCH", path=path, lose_response=True, count=hits, dry_run=False)
        injected += 1
    # and a little everywhere: the namespace, the stack's lists, the discovery documents
    emu.faults.add(verb="GET", path=r"/configmaps$", status=503, count=1)
    emu.faults.add(verb="PATCH", path=rf"/namespaces/{NAMESPACE}$", drop_connection=True, count=1)
    return injected + 2


def run_seed(seed: int, count: int, max_runs: int = 8) -> SoakResult:
    """Apply ``count`` objects with faults from ``seed``; re-run (faults on) until it converges."""
    from akscli import errors
    from akscli.kube import apply as engine
    from akscli.kube.client import KubeTarget, RetryPolicy
    from akscli.kube.connecting import connect
    from akscli.render import with_stack_labels

    rng = random.Random(seed)
    emu = KubeEmulator(crd_dirs=[], record_requests=False).start()
    try:
        with tempfile.TemporaryDirectory(prefix="akscli-soak-") as tmp:
            kubeconfig = emu.write_kubeconfig(Path(tmp) / "kubeconfig")
            wanted = soak_objects(count)
            faults = inject_faults(emu, rng, count)
            retry = RetryPolicy(attempts=6, base_delay=0.005, max_delay=0.05, deadline=30)
            runs, converged = 0, False
            while runs < max_runs and not converged:
                runs += 1
                kube = connect(KubeTarget(kubeconfig=str(kubeconfig)), retry=retry)
                objects = with_stack_labels(copy.deepcopy(wanted), STACK)
                options = engine.ApplyOptions(parallel=8)
                try:
                    engine.execute(kube, engine.plan(kube, objects, stack=STACK, options=options), options=options)
                    converged = True
                except errors.AkscliError:
                    continue
            found, duplicates, wrong = _check(emu, wanted)
            return SoakResult(seed, converged and not wrong, runs, faults, found, duplicates, wrong)
    finally:
        emu.stop()


def _check(emu: KubeEmulator, wanted: list[dict[str, Any]]) -> tuple[int, int, list[str]]:
    """(objects of the stack found, duplicates, what is missing or wrong)."""
    seen: dict[str, int] = {}
    wrong: list[str] = []
    for api_version, kind in (("v1", "ConfigMap"), ("v1", "Service")):
        for obj in emu.cluster.list(api_version, kind, namespace=NAMESPACE):
            if (obj["metadata"].get("labels") or {}).get("akscli.io/stack") == STACK:
                key = f"{kind}/{obj['metadata']['name']}"
                seen[key] = seen.get(key, 0) + 1
                if kind == "ConfigMap" and obj.get("data", {}).get("index") != str(int(key.split("-")[-1])):
                    wrong.append(f"{key}: wrong data")
    expected = {f"{o['kind']}/{o['metadata']['name']}" for o in wanted if o["kind"] != "Namespace"}
    wrong += [f"{key}: missing" for key in sorted(expected - set(seen))]
    wrong += [f"{key}: not applied by the soak" for key in sorted(set(seen) - expected)]
    return sum(seen.values()), sum(n - 1 for n in seen.values()), wrong


def soak(seeds: int = 20, count: int = 500) -> tuple[list[SoakResult], float]:
    started = time.perf_counter()
    results = [run_seed(seed, count) for seed in range(seeds)]
    return results, time.perf_counter() - started
