"""The lab (tests.emulators.lab, `python -m tests.emulators.kube`): a Service answers as the vLLM
server behind it once a pod it selects is ready, and a ready server's pod answers vLLM's /metrics
(tests.emulators.serving), so getting-started's `akscli model test` runs there as written, after a
plain deploy (a Workspace), an --autoscale one (an InferenceSet) or one of akscli's own vLLM
Deployment."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.baremetal.nodes import nc_a100_node
from tests.cli import invoke, list_items
from tests.emulators.kube.apiserver_common import wait_until
from tests.emulators.kube.controllers.kaito import openai_handler
from tests.emulators.kube.incluster import DialError, InClusterHttp
from tests.emulators.kube.profiles import ready_pod
from tests.emulators.serving import serve_models, vllm_serves

Start = Callable[..., Any]


def test_model_test_answers_through_a_ready_workspaces_service_in_the_lab(model_emulator: Start) -> None:
    serve_models(model_emulator())
    assert invoke("model", "deploy", "phi-4", "--wait", "--timeout", "20s", "-y").exit_code == 0
    result = invoke("model", "test", "phi-4", "-o", "json")
    assert result.exit_code == 0, result
    assert "Hello from the emulated model." in result.stdout


def test_a_workspace_that_is_not_ready_is_not_serving_in_the_lab(model_emulator: Start) -> None:
    emu = model_emulator(failure="inference")  # the server keeps crashing
    serve_models(emu)
    assert invoke("model", "deploy", "phi-4", "--no-wait", "-y").exit_code == 0
    # The emulator's kubelet marks the pod Ready before KAITO's simulator makes it crash; `model
    # test` runs once the crash is in, else it races that moment (2 failures in 12 runs under load).
    assert wait_until(lambda: _crashing(emu, "default", "phi-4-0"))
    result = invoke("model", "test", "phi-4")
    assert result.exit_code == 3, result
    assert "no ready server behind Service phi-4" in result.stderr


def _crashing(emu: Any, namespace: str, pod: str) -> bool:
    found = emu.cluster.get("v1", "Pod", namespace, pod) or {}
    statuses = (found.get("status") or {}).get("containerStatuses") or []
    return any(((s.get("state") or {}).get("waiting") or {}).get("reason") == "CrashLoopBackOff" for s in statuses)


def _deploy_autoscaled_through_kaito(model_emulator: Start) -> None:
    """`model deploy --autoscale` through KAITO makes an InferenceSet, whose Workspaces are
    named NAME-<5 characters>, and akscli's Service NAME for the set's leader pods."""
    serve_models(model_emulator())
    deployed = invoke("model", "deploy", "phi-4", "--autoscale", "1:4", "--wait", "--timeout", "20s", "-y")
    assert deployed.exit_code == 0, deployed


def test_model_test_answers_through_an_inferencesets_service_in_the_lab(model_emulator: Start) -> None:
    _deploy_autoscaled_through_kaito(model_emulator)
    result = invoke("model", "test", "phi-4", "-o", "json")
    assert result.exit_code == 0, result
    assert "Hello from the emulated model." in result.stdout


def test_model_endpoint_lists_the_inferencesets_name_as_the_model_served(model_emulator: Start) -> None:
    _deploy_autoscaled_through_kaito(model_emulator)
    result = invoke("model", "endpoint", "phi-4", "-o", "json")
    assert result.exit_code == 0, result
    assert json.loads(result.stdout)["models"] == ["phi-4"]


def test_model_logs_reads_the_inferencesets_leader_pod(model_emulator: Start) -> None:
    _deploy_autoscaled_through_kaito(model_emulator)
    result = invoke("model", "logs", "phi-4")
    assert result.exit_code == 0, result
    assert "Uvicorn running on http://0.0.0.0:5000" in result.stdout


def test_model_top_reads_vllm_metrics_from_the_inferencesets_leader_pod(model_emulator: Start) -> None:
    _deploy_autoscaled_through_kaito(model_emulator)
    result = invoke("model", "top", "phi-4", "--interval", "200ms", "-o", "json")
    assert result.exit_code == 0, result
    [row] = list_items(result.stdout)
    assert row["pod"].startswith("phi-4-") and row["pod"].endswith("-0") and row["waiting"] == 0


def test_model_top_reads_vllm_metrics_from_a_workspaces_pod_in_the_lab(model_emulator: Start) -> None:
    serve_models(model_emulator())
    assert invoke("model", "deploy", "phi-4", "--wait", "--timeout", "20s", "-y").exit_code == 0
    result = invoke("model", "top", "phi-4", "--interval", "200ms", "-o", "json")
    assert result.exit_code == 0, result
    assert [row["pod"] for row in list_items(result.stdout)] == ["phi-4-0"]


def _with_a_gpu_node(emu: Any) -> Any:
    emu.cluster.create(nc_a100_node())  # the vLLM pod is Ready only on a node that has its GPU
    return emu


def test_model_test_answers_through_akscli_s_own_vllm_deployment_in_the_lab(model_emulator: Start) -> None:
    serve_models(_with_a_gpu_node(model_emulator()))
    deployed = invoke("model", "deploy", "phi-4", "--runtime", "vllm", "--wait", "--timeout", "20s", "-y")
    assert deployed.exit_code == 0, deployed
    result = invoke("model", "test", "phi-4", "-o", "json")
    assert result.exit_code == 0, result
    assert "Hello from the emulated model." in result.stdout


def test_model_test_of_an_id_the_server_does_not_serve_names_the_ids_it_serves(model_emulator: Start) -> None:
    # vLLM answers 404 "The model `phi-4` does not exist." (vllm-project/vllm v0.11.0
    # serving_engine.py _check_model); akscli said "not serving yet" and told the user to wait.
    serve_models(_with_a_gpu_node(model_emulator()))
    assert invoke("model", "deploy", "phi-4", "--runtime", "vllm", "--wait", "--timeout", "20s", "-y").exit_code == 0
    result = invoke("model", "test", "phi-4", "--model", "phi-4")
    assert result.exit_code == 3, result
    assert result.stderr.splitlines() == [
        "error: the server behind Service phi-4 does not serve the model id phi-4 "
        "(HTTP 404: The model `phi-4` does not exist.); it serves microsoft/phi-4",
        "hint: name one it serves: akscli model test phi-4 -n default --model microsoft/phi-4",
    ]


def test_vllm_answers_a_model_it_does_not_serve_with_its_404_body_on_both_completions_paths() -> None:
    # vllm-project/vllm v0.11.0: serving_engine.py _check_model, protocol.py ErrorResponse/ErrorInfo;
    # an empty model is the served one (_is_model_supported).
    server = openai_handler(["a", "b"])
    for path in ("/v1/chat/completions", "/v1/completions"):
        status, _, body = server("POST", path, b'{"model": "c", "prompt": "hi"}')
        assert (status, json.loads(body)) == (
            404,
            {
                "error": {
                    "message": "The model `c` does not exist.",
                    "type": "NotFoundError",
                    "param": None,
                    "code": 404,
                }
            },
        )
        status, _, body = server("POST", path, b'{"prompt": "hi"}')
        assert (status, json.loads(body)["model"]) == (200, "a")
    assert json.loads(server("POST", "/v1/completions", b'{"model": "b"}')[2])["choices"][0]["text"]


def test_model_endpoint_lists_the_served_model_name_of_the_vllm_deployment(model_emulator: Start) -> None:
    serve_models(_with_a_gpu_node(model_emulator()))
    assert invoke("model", "deploy", "phi-4", "--runtime", "vllm", "--wait", "--timeout", "20s", "-y").exit_code == 0
    result = invoke("model", "endpoint", "phi-4", "-o", "json")
    assert result.exit_code == 0, result
    assert json.loads(result.stdout)["models"] == ["microsoft/phi-4"]  # --served-model-name, the model's id


def test_model_top_reads_vllm_metrics_from_the_vllm_deployment_s_pod(model_emulator: Start) -> None:
    serve_models(_with_a_gpu_node(model_emulator()))
    assert invoke("model", "deploy", "phi-4", "--runtime", "vllm", "--wait", "--timeout", "20s", "-y").exit_code == 0
    result = invoke("model", "top", "phi-4", "--interval", "200ms", "-o", "json")
    assert result.exit_code == 0, result
    [row] = list_items(result.stdout)
    assert row["pod"].startswith("phi-4-") and row["waiting"] == 0


def test_a_vllm_serve_command_serves_its_positional_model_on_its_port() -> None:
    # `vllm serve MODEL`: the served name falls back to the model (vllm/config/model.py get_served_model_name).
    container = {"name": "s", "image": "any", "command": ["vllm", "serve", "Qwen/Qwen3-8B"], "args": ["--port", "9000"]}
    assert vllm_serves(container) == (("Qwen/Qwen3-8B",), 9000)


def test_every_served_model_name_is_served_and_the_port_defaults_to_8000() -> None:
    container = {
        "name": "s",
        "image": "vllm/vllm-openai:v0.11.0",
        "args": ["--model", "m", "--served-model-name", "a", "b"],
    }
    assert vllm_serves(container) == (("a", "b"), 8000)


def test_v1_models_lists_every_served_model_name(model_emulator: Start) -> None:
    # vllm/entrypoints/openai/api_server.py: one BaseModelPath per --served-model-name, and
    # serving_models.py show_available_models lists a ModelCard for each.
    emu = model_emulator()
    serve_models(emu)
    args = ["--model", "m", "--served-model-name", "a", "b"]
    ready_pod(emu, "default", "server-0", {"app": "server"}, image="vllm/vllm-openai:v0.11.0", args=args)
    emu.cluster.create(
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "server", "namespace": "default"},
            "spec": {"selector": {"app": "server"}, "ports": [{"port": 80, "targetPort": 8000}]},
        }
    )
    status, body = InClusterHttp(emu).get("http://server.default.svc:80/v1/models")
    assert status == 200
    assert [card["id"] for card in json.loads(body)["data"]] == ["a", "b"]


def test_a_container_that_runs_no_vllm_server_serves_nothing() -> None:
    assert vllm_serves({"name": "s", "image": "nginx:1.27", "args": ["--model", "m"]}) is None


def test_a_service_without_a_ready_pod_refuses_an_in_cluster_connection_not_503(model_emulator: Start) -> None:
    # A pod dialling a Service with no endpoints meets kube-proxy's REJECT (connection refused);
    # only the API server's proxy answers 503. keda-kaito-scaler scraped a member before its pod
    # was ready and said "unexpected status code 503" (journeys7, on the standalone emulator).
    emu = model_emulator()
    serve_models(emu)
    emu.cluster.create(
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "server", "namespace": "default"},
            "spec": {"selector": {"app": "server"}, "ports": [{"port": 80, "targetPort": 8000}]},
        }
    )
    ip = emu.cluster.get("v1", "Service", "default", "server")["spec"]["clusterIP"]
    with pytest.raises(DialError) as refused:
        InClusterHttp(emu).get("http://server.default.svc.cluster.local:80/metrics")
    assert str(refused.value) == (
        f'Get "http://server.default.svc.cluster.local:80/metrics": dial tcp {ip}:80: connect: connection refused'
    )
