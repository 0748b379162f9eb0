"""How fast the official kubernetes Python client lists 75,000 nodes page by page (limit 500)
from the standalone emulator, beside `kubectl get nodes --chunk-size=500 -o name` against the
same emulator process. Prints nodes/s for each and the ratio.

    python tests/bench/bench_emulator_list.py [--nodes N]
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from _harness import KUBECTL, standalone_emulator


def list_raw(kubeconfig: Path) -> tuple[int, int, float]:
    """Pages as dicts (json.loads of each page), the way a wrapper that wants dicts lists."""
    from kubernetes import client, config

    v1 = client.CoreV1Api(config.new_client_from_config(str(kubeconfig)))
    started = time.perf_counter()
    n = pages = 0
    token = None
    while True:
        resp = v1.list_node(limit=500, _continue=token, _preload_content=False)
        body = json.loads(resp.data)
        n += len(body["items"])
        pages += 1
        token = body["metadata"].get("continue")
        if not token:
            break
    return n, pages, time.perf_counter() - started


def list_typed(kubeconfig: Path) -> tuple[int, int, float]:
    """Pages deserialized into V1Node models (the client's default)."""
    from kubernetes import client, config

    v1 = client.CoreV1Api(config.new_client_from_config(str(kubeconfig)))
    started = time.perf_counter()
    n = pages = 0
    token = None
    while True:
        page = v1.list_node(limit=500, _continue=token)
        n += len(page.items)
        pages += 1
        token = page.metadata._continue
        if not token:
            break
    return n, pages, time.perf_counter() - started


def kubectl_names(kubeconfig: Path) -> tuple[int, float]:
    assert KUBECTL is not None
    env = dict(os.environ, KUBECONFIG=str(kubeconfig), KUBECACHEDIR=tempfile.mkdtemp(prefix="kubectl-cache-"))
    # discovery once, so the timed run measures listing, as the client runs above do
    subprocess.run([KUBECTL, "api-resources"], env=env, capture_output=True, check=True)
    started = time.perf_counter()
    out = subprocess.run(
        [KUBECTL, "get", "nodes", "--chunk-size=500", "-o", "name"], env=env, capture_output=True, text=True, check=True
    ).stdout
    return len(out.splitlines()), time.perf_counter() - started


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--nodes", type=int, default=75_000)
    args = ap.parse_args()
    started = time.perf_counter()
    with standalone_emulator("--nodes", str(args.nodes), "--no-controllers") as kubeconfig:
        print(f"emulator with {args.nodes:,} nodes ready in {time.perf_counter() - started:.1f} s (TLS, bearer token)")
        n, pages, raw_s = list_raw(kubeconfig)
        print(
            f"kubernetes client, pages as dicts : {n:,} nodes in {pages} pages, {raw_s:.2f} s, {n / raw_s:,.0f} nodes/s"
        )
        n, pages, typed_s = list_typed(kubeconfig)
        print(
            f"kubernetes client, V1Node models  : {n:,} nodes in {pages} pages, {typed_s:.2f} "
            f"s, {n / typed_s:,.0f} nodes/s"
        )
        if KUBECTL is None:
            print("kubectl not found: no peer to compare with")
            return 0
        k, kubectl_s = kubectl_names(kubeconfig)
        print(
            f"kubectl get nodes --chunk-size=500 -o name: {k:,} nodes, {kubectl_s:.2f} s, {k / kubectl_s:,.0f} nodes/s"
        )
        print(f"ratio (kubectl time / client time): dicts {kubectl_s / raw_s:.2f}x, models {kubectl_s / typed_s:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
