"""One journey per runtime against the emulator and the operator simulators: deploy with
replicas, autoscaling (where the runtime has it) and --expose; the route resolves as a gateway
would to every replica; the queue metric scales it; an upgrade rolls out as a new revision;
rollback restores the previous one; delete leaves no object behind."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from tests.baremetal.nodes import nc_a100_node
from tests.cli import invoke, list_items

from ._gateway import Unresolved, resolve
from ._queue import rescraped, scraped_queue, unscraped
from .conftest import AIRUNWAY_CRDS, SERVING_CRDS

KAITO = "kaito.sh/v1beta1"
KEDA = "keda.sh/v1alpha1"
Start = Callable[..., Any]


def _ok(*args: str) -> Any:
    result = invoke("model", *args)
    assert result.exit_code == 0, result
    return result


def _eventually(check: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.05)


def _leaders(emu: Any, name: str) -> list[str]:
    kids = emu.cluster.list(KAITO, "Workspace", "default", label_selector=f"inferenceset.kaito.sh/created-by={name}")
    return sorted(f"{k['metadata']['name']}-0" for k in kids)


def _everything(emu: Any, name: str) -> list[str]:
    found = []
    for api, kind in (
        (KAITO, "Workspace"),
        (KAITO, "InferenceSet"),
        (KEDA, "ScaledObject"),
        ("apps/v1", "Deployment"),
        ("v1", "Service"),
        ("v1", "ConfigMap"),
        ("gateway.networking.k8s.io/v1", "HTTPRoute"),
        ("inference.networking.k8s.io/v1", "InferencePool"),
    ):
        found += [f"{kind}/{o['metadata']['name']}" for o in emu.cluster.list(api, kind, "default")
                  if o["metadata"]["name"].startswith(name)]  # fmt: skip
    return found


def test_kaito_journey(model_emulator: Start) -> None:
    emu = model_emulator(serving=True)
    _ok("deploy", "phi-4", "--replicas", "2", "--autoscale", "1:4", "--expose", "--wait", "--timeout", "20s", "-y")
    assert resolve(emu.cluster, "default", "phi-4") == _leaders(emu, "phi-4") and len(_leaders(emu, "phi-4")) == 2
    # keda-kaito-scaler made the ScaledObject and averages the leaders' queues (their Services'
    # /metrics): 12 and 0 waiting, 6 > --queue-threshold 5 with every replica ready, so its formula
    # doubles the set; its HPA behavior holds that for the 60 s evaluation window, then adds one
    # replica (keda-kaito-scaler v0.6.2 pkg/scaledobject/provisioner.go).
    _eventually(lambda: emu.cluster.get(KEDA, "ScaledObject", "default", "phi-4") is not None)
    emu.serving.figures("default", _leaders(emu, "phi-4")[0]).waiting = 12
    emu.kaito_scaler.poll(emu.cluster)  # its metric cache's next poll
    emu.keda.poll(emu.cluster, "default", "phi-4")
    emu.hpa.sync_period_passes()  # the HPA KEDA made syncs
    assert len(_leaders(emu, "phi-4")) == 2
    emu.hpa.clock.advance(60)
    emu.hpa.sync_period_passes()
    _eventually(lambda: len(_leaders(emu, "phi-4")) == 3)
    _eventually(lambda: resolve(emu.cluster, "default", "phi-4") == _leaders(emu, "phi-4"))
    # An upgrade: a longer context is a new revision; rollback restores the first.
    _ok("deploy", "phi-4", "--replicas", "2", "--autoscale", "1:4", "--expose", "--max-model-len", "4096", "-y")
    history = list_items(_ok("history", "phi-4", "-o", "json").stdout)
    assert [r["revision"] for r in history] == [1, 2]
    _ok("rollback", "phi-4", "-y")
    config = emu.cluster.get("v1", "ConfigMap", "default", "phi-4-inference-config")
    assert "max-model-len: 8192" in config["data"]["inference_config.yaml"]
    _ok("delete", "phi-4", "-y")
    emu.idle()
    _eventually(lambda: _everything(emu, "phi-4") == [])


def test_vllm_journey(model_emulator: Start) -> None:
    emu = model_emulator(crds=SERVING_CRDS, monitoring=True)
    for i in range(4):  # a pod is Ready only on a node: one A100 node per replica at the most
        emu.cluster.create(nc_a100_node(f"aks-gpua100-{i}"))
    _ok("deploy", "phi-4", "--runtime", "vllm", "--replicas", "2", "--autoscale", "1:4", "--expose", "-y")
    assert emu.cluster.get("monitoring.coreos.com/v1", "PodMonitor", "default", "phi-4") is not None
    _eventually(lambda: len(_resolves(emu)) == 2)
    # No series (no Prometheus scrapes the PodMonitor any more): ignoreNullValues "false" makes it
    # an error, and nothing scales down to 1.
    unscraped(emu)
    _eventually(lambda: _ready(emu, "phi-4") == "False")
    assert emu.cluster.get("apps/v1", "Deployment", "default", "phi-4")["spec"]["replicas"] == 2
    rescraped(emu)
    scraped_queue(emu, 18)
    _eventually(lambda: emu.cluster.get("apps/v1", "Deployment", "default", "phi-4")["spec"]["replicas"] == 4)
    _eventually(lambda: len(_resolves(emu)) == 4)
    _ok("deploy", "phi-4", "--runtime", "vllm", "--replicas", "2", "--autoscale", "1:4", "--expose",
        "--image", "vllm/vllm-openai:v0.11.1", "-y")  # fmt: skip
    _ok("rollback", "phi-4", "-y")
    image = emu.cluster.get("apps/v1", "Deployment", "default", "phi-4")["spec"]["template"]["spec"]["containers"][0]
    assert image["image"] == "vllm/vllm-openai:v0.24.0"  # kinds.DEFAULT_VLLM_IMAGE
    assert [r["change"] for r in list_items(_ok("history", "phi-4", "-o", "json").stdout)][-1] == "rollback to 1"
    _ok("delete", "phi-4", "-y")
    emu.idle()
    _eventually(lambda: _everything(emu, "phi-4") == [])


def _ready(emu: Any, name: str) -> str | None:
    so = emu.cluster.get(KEDA, "ScaledObject", "default", name) or {}
    conds = {c["type"]: c for c in (so.get("status") or {}).get("conditions") or []}
    return (conds.get("Ready") or {}).get("status")


def test_airunway_journey(model_emulator: Start) -> None:
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    _ok("deploy", "phi-4", "--runtime", "airunway", "--expose", "--wait", "--timeout", "20s", "-y")
    md = emu.cluster.get("airunway.ai/v1alpha1", "ModelDeployment", "default", "phi-4")
    assert md["status"]["phase"] == "Running" and md["spec"]["gateway"]["enabled"] is True
    ws = emu.cluster.get(KAITO, "Workspace", "default", "phi-4")
    assert ws["resource"]["instanceType"] == "Standard_NC24ads_A100_v4"
    assert ws["inference"]["preset"]["name"] == "phi-4"
    # AI Runway made the pool, its picker and the route; akscli made none of its own.
    _eventually(lambda: _resolves(emu) == ["phi-4-0"])
    route = emu.cluster.get("gateway.networking.k8s.io/v1", "HTTPRoute", "default", "phi-4")
    assert "app.kubernetes.io/managed-by" not in (route["metadata"].get("labels") or {})
    rows = list_items(_ok("list", "-o", "json").stdout)
    assert [(r["name"], r["runtime"], r["state"], r["vm_size"]) for r in rows] == [
        ("phi-4", "airunway", "Ready", "Standard_NC24ads_A100_v4")
    ]
    _ok("deploy", "phi-4", "--runtime", "airunway", "--expose", "--max-model-len", "4096", "-y")
    _ok("rollback", "phi-4", "-y")
    # KAITO reads the context from the inference config the Workspace names (through overrides).
    config = emu.cluster.get("v1", "ConfigMap", "default", "phi-4-inference-config")
    assert "max-model-len: 8192" in config["data"]["inference_config.yaml"]
    assert ws["inference"]["config"] == "phi-4-inference-config"
    _ok("delete", "phi-4", "-y")
    emu.idle()
    _eventually(lambda: _everything(emu, "phi-4") == [])


def test_airunway_keeps_a_crash_looping_model_deploying_until_the_wait_times_out(model_emulator: Start) -> None:
    # KAITO writes state Pending for a crash-looping Workspace; AI Runway maps it to Deploying,
    # never Failed (providers/kaito/status.go, controller.go), so the wait runs to its timeout.
    model_emulator(failure="inference", crds=("kaito", "airunway"))
    result = invoke("model", "deploy", "phi-4", "--runtime", "airunway", "--wait", "--timeout", "3s", "-y")
    assert result.exit_code == 5, result
    assert "phase=Deploying: Workspace created, waiting for pods to be ready" in result.stderr


def _resolves(emu: Any) -> list[str]:
    try:
        return resolve(emu.cluster, "default", "phi-4")
    except Unresolved:
        return []


def test_airunway_refuses_autoscaling_it_cannot_do() -> None:
    result = invoke("model", "deploy", "phi-4", "--runtime", "airunway", "--autoscale", "1:3", "--dry-run=client")
    assert result.exit_code == 2 and "no scale subresource" in result.stderr


@pytest.mark.parametrize("provider", ["kaito", "vllm"])
def test_airunway_renders_the_plan_for_its_provider(provider: str) -> None:
    result = invoke("model", "deploy", "phi-4", "--runtime", "airunway", "--provider", provider, "--dry-run=client")
    assert result.exit_code == 0, result
    assert "kind: ModelDeployment" in result.stdout and f"name: {provider}" in result.stdout


def test_keda_reads_an_absent_series_as_zero_by_default(model_emulator: Start) -> None:
    # kedacore/keda pkg/scalers/prometheus_scaler.go: ignoreNullValues defaults to true, so a query
    # over no scraped pod reads 0 and the target drops to its minimum (what main did before), once
    # the HPA's 5 minute scale-down window has passed, a replica per 300 s (kubernetes/kubernetes
    # pkg/controller/podautoscaler/horizontal.go stabilizeRecommendationWithBehaviors).
    emu = model_emulator(monitoring=True)
    _ok("deploy", "phi-4", "--runtime", "vllm", "--replicas", "3", "--autoscale", "1:4", "-y")
    so = emu.cluster.get(KEDA, "ScaledObject", "default", "phi-4")
    trigger = so["spec"]["triggers"][0]
    trigger["metadata"].pop("ignoreNullValues")
    emu.cluster.patch(KEDA, "ScaledObject", "default", "phi-4", {"spec": {"triggers": [trigger]}})
    unscraped(emu)
    emu.hpa.sync_period_passes()
    assert emu.cluster.get("apps/v1", "Deployment", "default", "phi-4")["spec"]["replicas"] == 3
    for _ in range(2):  # after the window, one replica per 300 s (akscli's scale-down behavior)
        emu.hpa.clock.advance(300)
        emu.hpa.sync_period_passes()
    _eventually(lambda: emu.cluster.get("apps/v1", "Deployment", "default", "phi-4")["spec"]["replicas"] == 1)
