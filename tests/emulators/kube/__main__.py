"""Run the Kubernetes API emulator as its own process (benchmarks, manual runs, runbooks):

    python -m tests.emulators.kube --port 8443 --nodes 75000 --pods 1000000 --kubeconfig /tmp/kc

The operator simulators (KAITO, AI Runway, KubeRay, the Fleet hub, the NVIDIA GPU Operator) run by default,
so akscli's model, ray, fleet and baremetal commands work against it; --no-operators leaves them out.
--lab adds the rest of the runbooks' lab (a Prometheus with the PodMonitor API, a Gateway, Fleet
members, H100 nodes), so that the README's short tour runs by hand.

The kubeconfig is written last, once every generated object is loaded and the controllers have
settled, so its appearance means "ready". A generated cluster's DaemonSets come with their pods
(tests/emulators/kube/generate_daemons.py). TLS and a bearer token are on by default (kubectl sends
credentials only over TLS)."""

from __future__ import annotations

import argparse
import os
import resource
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

from tests.emulators.kube.controllers.builtin import builtin_controllers
from tests.emulators.kube.crds import default_crd_dir
from tests.emulators.kube.emulator import KubeEmulator

# How long ``main`` waits for the controllers to settle before it writes the kubeconfig.
SETTLE_S = 300.0


def build(args: argparse.Namespace) -> KubeEmulator:
    """The emulator that ``main`` serves, not started: generated objects, controllers and the
    operators' simulators (tests/bench/bench_cluster_reads.py builds it in its own process to
    read the request log of each command)."""
    crd_dirs = [] if args.no_crds else (args.crds or [default_crd_dir()])
    emu = KubeEmulator(
        crd_dirs=crd_dirs, tls=not args.no_tls, auth=not args.no_auth, port=args.port, record_requests=args.request_log
    )
    emu.latency_s = args.latency_ms / 1000
    if args.nodes or args.pods:
        emu.generate_cluster(
            nodes=args.nodes, pods=args.pods, gpu_fraction=args.gpu_fraction, dra_fraction=args.dra_fraction
        )
    if args.nodes or args.pods or args.lab:
        from tests.emulators.kube.profiles import aks_storage_classes

        # as an AKS cluster has them: its Azure Disk and Files CSI drivers' classes (MicrosoftDocs/azure-aks-docs
        # articles/aks/concepts-storage.md; kubernetes-sigs/azurefile-csi-driver
        # deploy/example/storageclass-azurefile-csi.yaml) and their provisioner, which --no-controllers leaves out
        aks_storage_classes(emu, provisioner=not args.no_controllers)
    if not args.no_controllers:
        for c in builtin_controllers():
            emu.controllers.add(c)
    if not args.no_operators:
        from tests.emulators.kube.profiles import (
            install_airunway_controller,
            install_airunway_providers,
            install_kaito_controller,
            install_keda_kaito_scaler,
            keda_operator_pod,
            kuberay_operator_pod,
        )
        from tests.emulators.lab import install_gpu_operator_chart, operator_simulators
        from tests.emulators.serving import serve_models

        # KEDA reads a prometheus trigger over the cluster's HTTP, as its prometheus scaler does (upstream:
        # kedacore/keda pkg/scalers/prometheus_scaler.go): the simulators get the emulator's address.
        # Its Fleet members' agents send their heartbeats every 60 s of wall clock (MemberCluster
        # spec.heartbeatPeriodSeconds' default; kubefleet-dev/kubefleet e160c1cd
        # apis/cluster/v1/membercluster_types.go): no test moves this emulator's clock on.
        for c in operator_simulators(kube=emu, agent_period=60.0):
            emu.controllers.add(c)

        # The operators' own pods, as tests.emulators.lab.running installs them: without them
        # `model deploy --wait` and `doctor` rightly report KAITO (and KEDA, KubeRay) as not
        # running. Each only where its CRDs are served (--crds / --no-crds leave operators out).
        def served(crd: str) -> bool:
            return emu.cluster.get("apiextensions.k8s.io/v1", "CustomResourceDefinition", None, crd) is not None

        if served("workspaces.kaito.sh"):
            install_kaito_controller(emu)
            serve_models(emu)
        if served("modeldeployments.airunway.ai"):
            install_airunway_controller(emu)
            install_airunway_providers(emu)
        if served("clusterpolicies.nvidia.com"):
            # a generated cluster starts with its DaemonSets' pods in place (generate_daemons.py)
            install_gpu_operator_chart(emu, steady=bool(args.nodes))
        if served("clustertriggerauthentications.keda.sh"):
            install_keda_kaito_scaler(emu)
        if served("scaledobjects.keda.sh"):
            keda_operator_pod(emu)
        if served("rayclusters.ray.io"):
            kuberay_operator_pod(emu)
    if args.lab:
        install_lab_extras(emu)
    return emu


def install_lab_extras(emu: KubeEmulator) -> None:
    """What the runbooks' lab adds to the operators (tests.emulators.lab.running), so that the
    README's tour runs by hand: the PodMonitor API with kube-prometheus-stack's Prometheus (the
    `--runtime vllm --autoscale` line exits 7 without it), the Gateway `inference-gateway` in
    `default` (`--expose` exits 3 without one), the Fleet hub's three MemberClusters, and two
    ready H100 nodes in pool `gpu` beside a system node (``build`` adds AKS's storage classes).
    The lab's cluster autoscaler is left out: it grows the ARM emulator's pools, which here run
    in another process."""
    from tests.emulators.kube.profiles import install_gateway, install_podmonitor_api, metrics_server
    from tests.emulators.lab import add_fleet_members, add_gpu_nodes

    # On every AKS cluster (upstream: MicrosoftDocs/azure-aks-docs, cited in profiles.metrics_server).
    metrics_server(emu)
    install_podmonitor_api(emu)
    install_gateway(emu)
    add_fleet_members(emu)
    add_gpu_nodes(emu)


def build_args(**values: Any) -> argparse.Namespace:
    """The arguments ``build`` takes, at the command line's defaults, with ``values`` set (for a
    process that builds the emulator itself: tests/bench/bench_cluster_reads.py, a test); a flag
    added to the command line reaches them with its default."""
    args = parser().parse_args(["--kubeconfig", "unused"])
    for name, value in values.items():
        if not hasattr(args, name):
            raise TypeError(f"no emulator argument {name!r}")
        setattr(args, name, value)
    return args


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="python -m tests.emulators.kube", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--port", type=int, default=0, help="listen port on 127.0.0.1 (0: any free port)")
    ap.add_argument("--nodes", type=int, default=0, help="generated nodes")
    ap.add_argument("--pods", type=int, default=0, help="generated pods")
    ap.add_argument("--gpu-fraction", type=float, default=0.2, help="share of GPU nodes (0..1)")
    # DRA nodes as NVIDIA's DRA driver leaves them (upstream sources: generate_dra.py's docstring)
    ap.add_argument(
        "--dra-fraction", type=float, default=0.0, help="share of NVIDIA GPU nodes run by the DRA driver (0..1)"
    )
    ap.add_argument("--kubeconfig", type=Path, required=True, help="where to write the kubeconfig")
    ap.add_argument("--context", default="emulator")
    ap.add_argument("--namespace", default="default")
    ap.add_argument(
        "--no-tls", action="store_true", help="plain HTTP (kubectl then sends no token: combine with --no-auth)"
    )
    ap.add_argument("--no-auth", action="store_true", help="accept requests without a bearer token")
    ap.add_argument("--crds", type=Path, action="append", help="CRD folder to preload (default ../shared/crds)")
    ap.add_argument("--no-crds", action="store_true", help="preload no CRDs")
    ap.add_argument("--no-controllers", action="store_true", help="do not run the built-in workload controllers")
    ap.add_argument(
        "--no-operators", action="store_true", help="do not run the operator simulators (KAITO, KubeRay, Fleet, GPU)"
    )
    ap.add_argument(
        "--lab",
        action="store_true",
        help="add what the runbooks' lab adds: the PodMonitor API and its Prometheus, the Gateway "
        "inference-gateway, Fleet members, two H100 nodes (the README's tour by hand)",
    )
    ap.add_argument("--request-log", action="store_true", help="keep a request log and print a summary at exit")
    ap.add_argument("--latency-ms", type=float, default=0.0, help="delay added to every request (a network hop)")
    return ap


def main(argv: list[str] | None = None) -> int:
    ap = parser()
    args = ap.parse_args(argv)
    if args.nodes < 0 or args.pods < 0:
        ap.error("--nodes and --pods must be >= 0")
    if not 0 <= args.gpu_fraction <= 1:
        ap.error("--gpu-fraction must be within 0..1")
    if args.latency_ms < 0:
        ap.error("--latency-ms must be >= 0")
    if args.lab and (args.no_operators or args.no_crds):
        ap.error("--lab adds to the operator simulators and the shared CRDs: leave out --no-operators and --no-crds")

    started = time.monotonic()
    emu = build(args)
    generated = time.monotonic() - started
    emu.start()
    # The kubeconfig means "ready": the controllers' first syncs of what was loaded end first, so that
    # a benchmark (tests/bench/bench_gpu_usage.py starts timing when it appears) reads a settled
    # cluster (emulator structure, no upstream behaviour).
    if not emu.idle(SETTLE_S):
        print(f"kube emulator: controllers still busy after {SETTLE_S:.0f} s; serving anyway", file=sys.stderr)
    tmp = args.kubeconfig.with_name(args.kubeconfig.name + f".{os.getpid()}.tmp")
    emu.write_kubeconfig(tmp, args.context, args.namespace)
    os.replace(tmp, args.kubeconfig)
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"kube emulator ready at {emu.url}: {args.nodes} nodes, {args.pods} pods generated in "
        f"{generated:.1f} s, peak RSS {rss_mib:,.0f} MiB; kubeconfig {args.kubeconfig}",
        flush=True,
    )

    done = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: done.set())
    done.wait()
    emu.stop()
    if args.request_log:
        by_verb: dict[str, int] = {}
        for r in emu.request_log:
            by_verb[r.verb or r.method] = by_verb.get(r.verb or r.method, 0) + 1
        print(f"requests: {len(emu.request_log)} {by_verb}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
