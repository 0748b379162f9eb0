"""How a test of the model group gives KEDA a value: the one way the lab has. The figures are set on
a serving pod's /metrics (tests.emulators.serving.Serving.figures); the scraper reads them when its
interval passes (the Prometheus, controllers/prometheus_server.py; keda-kaito-scaler's metric cache,
controllers/keda_kaito_scaler.py); then KEDA reads its trigger (controllers/keda.py) and the HPA it
made scales the target when its 15 s sync period passes (controllers/hpa.py)."""

from __future__ import annotations

from typing import Any

from tests.baremetal.nodes import nc_a100_node

KEDA = "keda.sh/v1alpha1"
MONITORING = "monitoring.coreos.com/v1"


def gpu_nodes(emu: Any, count: int) -> None:
    """``count`` A100 nodes: a vLLM pod is Ready only on a node that has its GPU (the emulator's
    pods stay Pending on a cluster with no Node, as kube-scheduler leaves them)."""
    for i in range(count):
        emu.cluster.create(nc_a100_node(f"aks-gpua100-{i}"))


def vllm_pods(emu: Any, name: str = "phi-4", namespace: str = "default") -> list[str]:
    """The ready pods of akscli's vLLM Deployment ``name``, by name."""
    pods = emu.cluster.list("v1", "Pod", namespace, f"akscli.io/model={name}")
    ready = [p for p in pods if any(c.get("type") == "Ready" and c.get("status") == "True"
                                    for c in (p.get("status") or {}).get("conditions") or [])]  # fmt: skip
    return sorted(p["metadata"]["name"] for p in ready)


def scraped_queue(emu: Any, waiting: float, name: str = "phi-4", namespace: str = "default") -> None:
    """``waiting`` requests on the first ready pod of the vLLM deployment (0 on the others), a
    scrape interval passes, KEDA reads its trigger, and its HPA syncs (15 s pass)."""
    for index, pod in enumerate(vllm_pods(emu, name, namespace)):
        emu.serving.figures(namespace, pod).waiting = waiting if index == 0 else 0
    emu.prometheus.interval_passes()
    emu.keda.poll(emu.cluster, namespace, name)
    emu.hpa.sync_period_passes()


def unscraped(emu: Any, name: str = "phi-4", namespace: str = "default") -> None:
    """The PodMonitor loses the label kube-prometheus-stack's Prometheus selects it by; the next
    scrape marks its series stale (no series), and KEDA reads its trigger."""
    unlabel = {"metadata": {"labels": {"release": None}}}
    emu.cluster.patch(MONITORING, "PodMonitor", namespace, name, unlabel)
    emu.prometheus.interval_passes()
    emu.keda.poll(emu.cluster, namespace, name)


def rescraped(emu: Any, name: str = "phi-4", namespace: str = "default") -> None:
    """The PodMonitor gets the label back (the next scrape finds its targets again)."""
    label = {"metadata": {"labels": {"release": "kube-prometheus-stack"}}}
    emu.cluster.patch(MONITORING, "PodMonitor", namespace, name, label)
