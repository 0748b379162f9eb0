"""Gatekeeper's match for a big workload: a StatefulSet of 1,000 replicas (1,000 pod guesses, one
per ordinal: akscli.kube.pod_labels) against 100 Pod constraints, for `policy check --context`.

Run: `nox -s bench -- gatekeeper` or `.venv/bin/python tests/bench/bench_gatekeeper_match.py`.
Each row times, in the same run, the constraints judged on each pod by itself
(gatekeeper_match.matches, the path before audit 39) and through akscli.kube.gatekeeper._applying
with one gatekeeper_match.Batch for all (the Pods of one template judged once where the match
reads neither their names nor a per-pod label), after checking that both give the same answers.
Plain logic: no cluster, no emulator.
"""

from __future__ import annotations

import time
from typing import Any

from akscli.kube import gatekeeper, gatekeeper_match

REPLICAS = 1000
CONSTRAINTS = 100
NS_LABELS = {"kubernetes.io/metadata.name": "models", "team": "ml"}
POD = [{"apiGroups": [""], "kinds": ["Pod"]}]
SHAPES: dict[str, dict[str, Any]] = {
    "namespaceSelector rules them out": {"kinds": POD, "namespaceSelector": {"matchLabels": {"team": "other"}}},
    "labelSelector rules them out": {"kinds": POD, "labelSelector": {"matchLabels": {"app": "db"}}},
    "name rules them out": {"kinds": POD, "namespaceSelector": {"matchLabels": {"team": "ml"}}, "name": "db-*"},
    "pod-index rules them out": {
        "kinds": POD,
        "labelSelector": {
            "matchExpressions": [{"key": "apps.kubernetes.io/pod-index", "operator": "In", "values": ["5000"]}]
        },
    },
    "selects them": {"kinds": POD, "labelSelector": {"matchLabels": {"app": "web"}}},
}


def main() -> None:
    sts = {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": "web", "namespace": "models"},
        "spec": {
            "replicas": REPLICAS,
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "c"}]}},
        },
    }
    targets = gatekeeper._object_targets(sts, "models", NS_LABELS, [])
    subjects = [t.subject for t in targets]
    started = time.perf_counter()
    batch = gatekeeper_match.Batch(subjects)
    print(f"{len(targets)} targets; the Batch of them built in {time.perf_counter() - started:.3f} s")
    for label, match in SHAPES.items():
        if batch.matches(match) != [gatekeeper_match.matches(match, s) for s in subjects]:
            raise SystemExit(f"{label}: the Batch answers differently")
        obj = {"metadata": {"name": "c"}, "spec": {"match": match}}
        started = time.perf_counter()
        for _ in range(CONSTRAINTS):
            settled: set[str] = set()
            for target in targets:  # the loop _applying ran before: each target by itself
                if target.ref in settled:
                    continue
                if gatekeeper_match.matches(match, target.subject).matched:
                    settled.add(target.ref)
        each = time.perf_counter() - started
        started = time.perf_counter()
        for _ in range(CONSTRAINTS):
            gatekeeper._applying("K8sBench", obj, targets, batch)
        batched = time.perf_counter() - started
        print(f"{CONSTRAINTS} constraints, {label}: each pod by itself {each:.2f} s, batched {batched:.2f} s")


if __name__ == "__main__":
    main()
