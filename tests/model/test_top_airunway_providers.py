"""`model top` and `model status` on AI Runway's kuberay and dynamo providers: where their pods
serve vLLM's /metrics, if anywhere (docs/changes/audit10-weak.md has the upstream files)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.cli import invoke, list_items
from tests.emulators.kube.controllers.vllm import VllmMetrics

from .conftest import AIRUNWAY_CRDS

Start = Callable[..., Any]
DYNAMO_LABEL = "nvidia.com/dynamo-graph-deployment-name"


def _deploy(provider: str) -> None:
    result = invoke("model", "deploy", "phi-4", "--runtime", "airunway", "--provider", provider, "-y")
    assert result.exit_code == 0, result


def _pod(emu: Any, name: str, labels: dict[str, str], ports: list[dict[str, Any]]) -> None:
    emu.cluster.create(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": name, "namespace": "default", "labels": labels},
            "spec": {"containers": [{"name": "main", "image": "runtime:1", "ports": ports}]},
            "status": {"phase": "Running"},
        }
    )


def _dynamo_pods(emu: Any) -> None:
    # ai-dynamo/dynamo component_frontend.go: port "http" 8000; component_worker.go: port "system" 9090.
    _pod(emu, "phi-4-frontend-0", {DYNAMO_LABEL: "phi-4"}, [{"name": "http", "containerPort": 8000}])
    _pod(emu, "phi-4-worker-0", {DYNAMO_LABEL: "phi-4"}, [{"name": "system", "containerPort": 9090}])


def _kuberay_pods(emu: Any) -> None:
    # ray-project/kuberay constant.go: Ray Serve's proxy on "serve" 8000, Ray's metrics on "metrics" 8080.
    ports = [{"name": "serve", "containerPort": 8000}, {"name": "metrics", "containerPort": 8080}]
    _pod(emu, "phi-4-raycluster-head", {"airunway.ai/model-deployment": "phi-4"}, ports)


def test_top_of_a_dynamo_model_reads_vllm_figures_from_the_worker_system_port(model_emulator: Start) -> None:
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    _deploy("dynamo")
    _dynamo_pods(emu)
    emu.register_pod_proxy("default", "phi-4-worker-0", 9090, VllmMetrics("phi-4", running=2, waiting=3).handler())
    result = invoke("model", "top", "phi-4", "--interval", "100ms", "-o", "json")
    assert result.exit_code == 0, result
    [row] = list_items(result.stdout)
    assert (row["pod"], row["running"], row["waiting"]) == ("phi-4-worker-0", 2, 3)
    assert not emu.requests(path="/pods/phi-4-frontend-0")


def test_top_of_a_kuberay_model_is_refused_in_one_line_without_scraping(model_emulator: Start) -> None:
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    _deploy("kuberay")
    _kuberay_pods(emu)
    result = invoke("model", "top", "phi-4", "--interval", "100ms")
    assert result.exit_code == 7, result
    [error] = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert "kuberay provider" in error and "no vLLM /metrics" in error
    assert "Traceback" not in result.stderr
    assert not emu.requests(path="/proxy")


def test_top_of_every_model_skips_a_kuberay_one_with_a_warning(model_emulator: Start) -> None:
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    _deploy("dynamo")
    _dynamo_pods(emu)
    emu.register_pod_proxy("default", "phi-4-worker-0", 9090, VllmMetrics("phi-4", waiting=1).handler())
    result = invoke("model", "deploy", "phi-4", "--name", "phi-4-ray", "--runtime", "airunway",
                    "--provider", "kuberay", "-y")  # fmt: skip
    assert result.exit_code == 0, result
    rows = invoke("model", "top", "--interval", "100ms", "-o", "json")
    assert rows.exit_code == 0, rows
    assert [r["pod"] for r in list_items(rows.stdout)] == ["phi-4-worker-0"]
    assert "warning: no figures from model default/phi-4-ray:" in rows.stderr


def test_status_of_a_kuberay_model_says_why_it_has_no_figures(model_emulator: Start) -> None:
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    _deploy("kuberay")
    _kuberay_pods(emu)
    doc = json.loads(invoke("model", "status", "phi-4", "-o", "json").stdout)
    assert doc["serving"].startswith("metrics unavailable: phi-4 runs on AI Runway's kuberay provider")
