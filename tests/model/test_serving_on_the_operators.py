"""Model serving works the way the real operators behave (issue #12's regressions), against the
emulator and the KAITO simulator; each test names the upstream file it relies on."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.cli import invoke, list_items
from tests.emulators.kube.controllers.kaito import openai_handler
from tests.emulators.kube.profiles import hf_token_secret

from ._gateway import Unresolved, resolve

KAITO = "kaito.sh/v1beta1"
Start = Callable[..., Any]


def _deploy(*args: str) -> Any:
    result = invoke("model", "deploy", *args, "-y")
    assert result.exit_code == 0, result
    return result


def _picker(
    emu: Any,
    name: str,
    namespace: str = "default",
    pool: str | None = None,
    secure_serving: bool = False,
    group: str = "inference.networking.k8s.io",
) -> None:
    """An endpoint picker as llm-d-router's gateway chart installs it with release NAME minus
    "-epp": Service and Deployment NAME, the Service's ports grpc-ext-proc 9002 and http-metrics
    9090 selecting label llm-d-router-gateway, the EPP started with --pool-name, --pool-namespace
    and --pool-group (llm-d/llm-d-router v0.9.0 5f4e762f config/charts/routerlib/templates/
    _deployment.yaml, _service.yaml, _helpers.tpl). Unless secure_serving, with
    router.epp.flags.secure-serving=false, as docs/model.md says for an Istio gateway (the EPP
    serves TLS by default: pkg/epp/server/options.go)."""
    pool = pool or name.removesuffix("-epp")
    selector = {"llm-d-router-gateway": name}
    ports = [{"name": "grpc-ext-proc", "protocol": "TCP", "port": 9002}, {"name": "http-metrics", "port": 9090}]
    emu.cluster.create(
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": name, "namespace": namespace, "labels": {"app.kubernetes.io/name": name}},
            "spec": {"selector": selector, "ports": ports, "type": "ClusterIP"},
        }
    )
    args = ["--pool-name", pool, "--pool-namespace", namespace, "--pool-group", group]
    args += ["--zap-encoder", "json", "--config-file", "/config/default-plugins.yaml", "--grpc-health-port", "9003"]
    args += [] if secure_serving else ["--secure-serving=false"]
    container = {
        "name": "epp",
        "image": "ghcr.io/llm-d/llm-d-router-endpoint-picker:v0.9.0",
        "args": [*args, "--tracing=false"],
        "ports": [
            {"name": "grpc", "containerPort": 9002},
            {"name": "grpc-health", "containerPort": 9003},
            {"name": "metrics", "containerPort": 9090},
        ],
        "env": [{"name": "NAMESPACE", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}}],
    }
    # the chart's ServiceAccount NAME first (routerlib templates/_rbac.yaml): the ServiceAccount
    # admission plugin refuses the picker's pods without it (kubernetes/kubernetes
    # plugin/pkg/admission/serviceaccount/admission.go)
    emu.cluster.create(
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": name, "namespace": namespace}}
    )
    emu.cluster.create(
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": name, "namespace": namespace, "labels": {"app.kubernetes.io/name": name}},
            "spec": {
                "selector": {"matchLabels": selector},
                "template": {
                    "metadata": {"labels": {**selector, "llm-d.ai/igw-mode": "llm-d-router-gateway"}},
                    "spec": {"serviceAccountName": name, "containers": [container]},
                },
            },
        }
    )


def test_the_route_of_an_inferenceset_reaches_every_replica(model_emulator: Start) -> None:
    # KAITO names the children NAME-<suffix> and makes a Service per child only
    # (kaito-project/kaito pkg/inferenceset/inferenceset_controller.go, pkg/workspace/manifests/manifests.go).
    emu = model_emulator()
    _deploy("phi-4", "--replicas", "2", "--expose", "--wait", "--timeout", "20s")
    children = emu.cluster.list(KAITO, "Workspace", "default", label_selector="inferenceset.kaito.sh/created-by=phi-4")
    assert len(children) == 2 and all(c["metadata"]["name"].startswith("phi-4-") for c in children)
    assert resolve(emu.cluster, "default", "phi-4") == sorted(f"{c['metadata']['name']}-0" for c in children)


def test_the_route_of_a_vllm_deployment_reaches_every_replica(model_emulator: Start) -> None:
    emu = model_emulator()
    _deploy("phi-4", "--runtime", "vllm", "--replicas", "2", "--expose")
    deployment = emu.cluster.get("apps/v1", "Deployment", "default", "phi-4")
    assert deployment["spec"]["replicas"] == 2
    # akscli applies no claim: the only claims are the weights volumes' that the ephemeral volume
    # controller makes, each owned by its pod (pkg/controller/volume/ephemeral/controller.go).
    owners = [
        [r["kind"] for r in o["metadata"].get("ownerReferences") or []]
        for o in emu.cluster.list("v1", "PersistentVolumeClaim", "default")
    ]
    assert all(kinds == ["Pod"] for kinds in owners), owners


def test_the_pool_of_a_multinode_workspace_reaches_the_leader_only(model_emulator: Start) -> None:
    # KAITO's own pool selects pod-index 0 (pkg/workspace/manifests/manifests.go).
    emu = model_emulator()
    hf_token_secret(emu, "hf")
    _picker(emu, "llama-epp")
    _deploy(
        "llama-3.3-70b-instruct", "--name", "llama", "--vm-size", "Standard_NC48ads_A100_v4", "--access-secret", "hf",
        "--expose", "--inference-pool", "--endpoint-picker", "llama-epp", "--wait", "--timeout", "20s",
    )  # fmt: skip
    pods = emu.cluster.list("v1", "Pod", "default", label_selector="kaito.sh/workspace=llama")
    assert sorted(p["metadata"]["name"] for p in pods) == ["llama-0", "llama-1"]
    assert resolve(emu.cluster, "default", "llama") == ["llama-0"]


def test_a_pool_without_its_endpoint_picker_is_refused_before_anything_is_applied(model_emulator: Start) -> None:
    emu = model_emulator()
    result = invoke("model", "deploy", "phi-4", "--expose", "--inference-pool", "-y")
    assert result.exit_code == 3, result
    assert "endpoint picker" in result.stderr and "phi-4-epp" in result.stderr
    assert emu.cluster.get(KAITO, "Workspace", "default", "phi-4") is None


def test_a_pool_whose_picker_is_gone_does_not_resolve(model_emulator: Start) -> None:
    emu = model_emulator()
    _picker(emu, "phi-4-epp")
    _deploy("phi-4", "--expose", "--inference-pool", "--wait", "--timeout", "20s")
    assert resolve(emu.cluster, "default", "phi-4") == ["phi-4-0"]
    emu.cluster.delete("v1", "Service", "default", "phi-4-epp")
    with pytest.raises(Unresolved, match="ResolvedRefs=False"):
        resolve(emu.cluster, "default", "phi-4")


def test_expose_without_the_gateway_is_refused_before_anything_is_applied(model_emulator: Start) -> None:
    emu = model_emulator(gateway=False)
    result = invoke("model", "deploy", "phi-4", "--expose", "-y")
    assert result.exit_code == 3, result
    assert "Gateway default/inference-gateway" in result.stderr and "--gateway" in result.stderr
    assert emu.cluster.get(KAITO, "Workspace", "default", "phi-4") is None


def test_the_readme_gives_the_exit_code_expose_ends_with_when_the_gateway_is_missing(model_emulator: Start) -> None:
    # The README's tour promises an exit code for `--expose` without a Gateway: the one it exits with.
    model_emulator(gateway=False)
    code = invoke("model", "deploy", "phi-4", "--runtime", "vllm", "--expose", "-y").exit_code
    readme = " ".join((Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8").split())
    assert f"a Gateway (none: exit {code}" in readme


def test_wait_without_a_running_controller_fails_at_once(model_emulator: Start) -> None:
    model_emulator(controller=False)
    started = time.monotonic()
    result = invoke("model", "deploy", "phi-4", "--wait", "--timeout", "30m", "-y")
    assert result.exit_code == 7, result
    assert "controller is not running" in result.stderr
    assert time.monotonic() - started < 10


def test_kaito_autoscaling_without_keda_kaito_scaler_is_refused(model_emulator: Start) -> None:
    emu = model_emulator()
    emu.cluster.delete("keda.sh/v1alpha1", "ClusterTriggerAuthentication", None, "keda-kaito-scaler-creds")
    result = invoke("model", "deploy", "phi-4", "--autoscale", "1:3", "-y")
    assert result.exit_code == 7, result
    assert "keda-kaito-scaler is not installed" in result.stderr and "helm" in result.stderr


def test_vllm_autoscaling_without_a_podmonitor_api_is_refused(model_emulator: Start) -> None:
    model_emulator()
    result = invoke("model", "deploy", "phi-4", "--runtime", "vllm", "--autoscale", "1:3", "-y")
    assert result.exit_code == 7, result
    assert "nothing scrapes it" in result.stderr


def test_a_test_of_an_inferenceset_asks_for_the_name_kaito_serves_it_under(model_emulator: Start) -> None:
    # KAITO serves an InferenceSet's model under the set's name (pkg/model/interface.go).
    emu = model_emulator()
    _deploy("phi-4", "--name", "foo", "--replicas", "2", "--wait", "--timeout", "20s")
    emu.register_service_proxy("default", "foo", 80, openai_handler("foo", reply="hi"))
    result = invoke("model", "test", "foo")
    assert result.exit_code == 0, result
    assert result.stdout.strip() == "hi" and "foo:" in result.stderr


@pytest.mark.parametrize("command", ["endpoint", "test"])
def test_a_pending_model_says_it_is_not_serving_yet(model_emulator: Start, command: str) -> None:
    model_emulator(failure="quota")
    _deploy("phi-4")
    result = invoke("model", command, "phi-4")
    assert result.exit_code == 3, result
    assert "not serving yet" in result.stderr and 'services "phi-4" not found' not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 2  # error and hint


def test_a_model_on_a_size_kaito_cannot_estimate_never_provisions(model_emulator: Start) -> None:
    # Why akscli refuses such a size up front: the estimator fails "Unsupported SKU", the reconcile
    # stops before any node, and KAITO's deferred status write appends that error to every condition
    # (pkg/sku/helpers.go, pkg/workspace/controllers/workspace_controller.go Reconcile, syncWorkspaceStatus).
    emu = model_emulator()
    objects = invoke("model", "deploy", "phi-4-mini-instruct", "--dry-run=client").stdout
    assert "Standard_NC4as_T4_v3" not in objects
    emu.cluster.create(
        {
            "apiVersion": KAITO,
            "kind": "Workspace",
            "metadata": {"name": "t4", "namespace": "default"},
            "resource": {"instanceType": "Standard_NC4as_T4_v3", "labelSelector": {"matchLabels": {"apps": "t4"}}},
            "inference": {"preset": {"name": "phi-4-mini-instruct"}},
        }
    )
    emu.idle()
    status = emu.cluster.get(KAITO, "Workspace", "default", "t4")["status"]
    assert "targetNodeCount" not in status and status["state"] == "Pending"
    inference = next(c for c in status["conditions"] if c["type"] == "InferenceReady")
    assert (inference["status"], inference["reason"]) == ("False", "WorkspaceInferenceStatusPending")
    assert inference["message"] == (
        "Inference workload is not ready (last reconcile error: failed to update Workspace status "
        "targetNodeCount: failed to calculate target node count: failed to get GPU config for instance type "
        "Standard_NC4as_T4_v3: invalid value: Unsupported SKU 'Standard_NC4as_T4_v3' for cloud provider: sku)"
    )
    assert emu.cluster.list("v1", "Node") == [] and emu.cluster.get("v1", "Service", "default", "t4") is None


def test_a_redeploy_that_changes_nothing_records_no_revision(model_emulator: Start) -> None:
    model_emulator()
    _deploy("phi-4")
    second = _deploy("phi-4")
    assert "no change since revision 1" in second.stderr
    rows = invoke("model", "history", "phi-4", "-o", "json").stdout
    assert [r["revision"] for r in list_items(rows)] == [1]


def test_delete_finds_a_model_applied_from_its_dry_run_under_another_stack(
    model_emulator: Start, tmp_path: Any
) -> None:
    emu = model_emulator()
    manifest = tmp_path / "x.yaml"
    manifest.write_text(invoke("model", "deploy", "phi-4", "--dry-run=client").stdout)
    applied = invoke("apply", "-f", str(manifest), "--stack", "other", "-y")
    assert applied.exit_code == 0, applied
    result = invoke("model", "delete", "phi-4", "-y")
    assert result.exit_code == 0, result
    # KAITO's finalizer holds the Workspace until its nodes are gone (kaito.py); the delete is in.
    workspace = emu.cluster.get(KAITO, "Workspace", "default", "phi-4")
    assert workspace is None or workspace["metadata"].get("deletionTimestamp")
    assert emu.cluster.get("v1", "ConfigMap", "default", "phi-4-inference-config") is None


@pytest.mark.parametrize("command", ["endpoint", "test"])
def test_the_not_serving_hint_names_the_models_namespace(model_emulator: Start, command: str) -> None:
    # run as printed, 'akscli model status phi-4' would look in the context's namespace
    model_emulator(failure="quota")
    _deploy("phi-4", "-n", "ml", "--create-namespace")
    result = invoke("model", command, "phi-4", "-n", "ml")
    assert result.exit_code == 3, result
    assert "hint: see why with: akscli model status phi-4 -n ml, or deploy with --wait" in result.stderr


@pytest.mark.parametrize("command", ["endpoint", "test"])
def test_a_model_with_no_ready_pod_says_so_at_once(
    model_emulator: Start, command: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The Service exists, no pod answers behind it: the proxy's 503 "no endpoints available"
    # (kubernetes pkg/registry/core/service/storage/storage.go) is about the model, not the API
    # server, and is not retried.
    from akscli.kube import retry

    model_emulator()
    _deploy("phi-4", "--wait", "--timeout", "20s")
    slept: list[float] = []
    monkeypatch.setattr(retry, "sleep", slept.append)
    result = invoke("model", command, "phi-4")
    assert result.exit_code == 3, result
    assert "model phi-4 is not serving yet" in result.stderr and "no ready server behind Service" in result.stderr
    assert "API server failed" not in result.stderr
    assert slept == []
