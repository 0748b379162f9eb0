"""`model deploy` reads the target namespace's PodSecurity labels before anything is applied.

kube-apiserver's PodSecurity admission refuses a Pod its namespace's enforce level forbids but only
warns for a Deployment (upstream: kubernetes/pod-security-admission 8f84a87c admission/admission.go
ValidatePod, ValidatePodController), so without this check the Deployment is created, its
ReplicaSet's Pods are refused and `--wait` runs to its timeout. vLLM's pod runs as the image's user
with no securityContext that restricted asks for (akscli.kube.podsecurity)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cli import invoke
from tests.kube_emulator.helpers import raw

from .conftest import AIRUNWAY_CRDS

Start = Callable[..., Any]
ENFORCE = "pod-security.kubernetes.io/enforce"
WARN = "pod-security.kubernetes.io/warn"


def namespace(emu: Any, name: str, **labels: str) -> None:
    body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}}
    assert raw(emu, "POST", "/api/v1/namespaces", body).status == 201


def deploy(*extra: str) -> Any:
    return invoke("model", "deploy", "phi-4", "--runtime", "vllm", "-n", "locked", *extra, "-y")


def test_a_restricted_namespace_refuses_the_deploy_naming_the_level_the_check_and_the_fix(
    model_emulator: Start,
) -> None:
    emu = model_emulator()
    namespace(emu, "locked", **{ENFORCE: "restricted"})
    result = deploy()
    assert result.exit_code == 9, result
    error = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(error) == 1
    assert error[0].startswith(
        "error: deployment.apps/phi-4: namespace locked would refuse its pods: "
        'violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false ('
    )
    assert 'runAsNonRoot != true (pod or container "vllm" must set securityContext.runAsNonRoot=true)' in error[0]
    assert "kubectl label namespace locked pod-security.kubernetes.io/enforce=baseline --overwrite" in result.stderr


def test_nothing_is_applied_when_the_namespace_refuses_the_pods(model_emulator: Start) -> None:
    emu = model_emulator()
    namespace(emu, "locked", **{ENFORCE: "restricted"})
    assert deploy().exit_code == 9
    assert emu.cluster.get("apps/v1", "Deployment", "locked", "phi-4") is None
    assert emu.cluster.list("v1", "ConfigMap", "locked", "akscli.io/model=phi-4") == []


def test_deploy_wait_in_a_restricted_namespace_fails_at_once_not_at_its_timeout(model_emulator: Start) -> None:
    emu = model_emulator()
    namespace(emu, "locked", **{ENFORCE: "restricted"})
    result = deploy("--wait", "--timeout", "20s")
    assert result.exit_code == 9, result  # the check's code, not the wait's timeout (5)
    assert "violates PodSecurity" in result.stderr


def test_the_server_dry_run_shows_the_refusal_the_api_server_dry_run_would_not(model_emulator: Start) -> None:
    emu = model_emulator()
    namespace(emu, "locked", **{ENFORCE: "restricted"})
    result = deploy("--dry-run=server")
    assert result.exit_code == 9, result
    assert 'violates PodSecurity "restricted:latest"' in result.stderr
    assert result.stdout == ""


def test_the_enforce_version_label_is_named_in_the_refusal(model_emulator: Start) -> None:
    emu = model_emulator()
    namespace(emu, "locked", **{ENFORCE: "restricted", f"{ENFORCE}-version": "v1.30"})
    result = deploy()
    assert result.exit_code == 9, result
    assert 'violates PodSecurity "restricted:v1.30"' in result.stderr


def test_a_baseline_namespace_takes_the_vllm_pods(model_emulator: Start) -> None:
    emu = model_emulator()
    namespace(emu, "locked", **{ENFORCE: "baseline"})
    result = deploy()
    assert result.exit_code == 0, result
    assert "PodSecurity" not in result.stderr
    assert emu.cluster.get("apps/v1", "Deployment", "locked", "phi-4") is not None


def test_a_warn_only_label_deploys_with_a_warning_on_stderr(model_emulator: Start) -> None:
    emu = model_emulator()
    namespace(emu, "locked", **{WARN: "restricted"})
    result = deploy()
    assert result.exit_code == 0, result
    assert (
        'deployment.apps/phi-4 in namespace locked: its pods would violate PodSecurity "restricted:latest": '
        "allowPrivilegeEscalation != false" in result.stderr
    )
    assert "PodSecurity" not in result.stdout
    assert emu.cluster.get("apps/v1", "Deployment", "locked", "phi-4") is not None


def test_a_refused_switch_of_runtime_leaves_the_running_model_as_it_was(model_emulator: Start) -> None:
    # A deploy that replaces the server (a KAITO Workspace by vLLM's Deployment) deletes the old
    # one before it applies the new: the namespace's level is read before that deletion.
    emu = model_emulator()
    namespace(emu, "locked")
    assert invoke("model", "deploy", "phi-4", "-n", "locked", "-y").exit_code == 0
    running = emu.cluster.get("kaito.sh/v1beta1", "Workspace", "locked", "phi-4")["metadata"]["uid"]
    assert emu.idle(30.0)  # KAITO's pods made before the label: PodSecurity judges only new Pods
    patch = {"metadata": {"labels": {ENFORCE: "restricted"}}}
    r = raw(emu, "PATCH", "/api/v1/namespaces/locked", patch, content_type="application/merge-patch+json")
    assert r.status == 200
    result = deploy()
    assert result.exit_code == 9, result
    assert emu.cluster.get("kaito.sh/v1beta1", "Workspace", "locked", "phi-4")["metadata"]["uid"] == running
    assert emu.cluster.get("apps/v1", "Deployment", "locked", "phi-4") is None


def test_the_namespace_is_read_once_for_its_existence_and_its_labels(model_emulator: Start) -> None:
    # ensure_namespace and the PodSecurity check share one read (akscli.kube.namespaces): a second
    # GET of the same object is what bench_deploy_wait counts as polling.
    emu = model_emulator()
    namespace(emu, "locked", **{WARN: "baseline"})
    emu.request_log.clear()
    assert deploy().exit_code == 0
    assert (
        len([r for r in emu.requests(method="GET", path="/api/v1/namespaces/locked") if r.path.endswith("/locked")])
        == 1
    )


def test_a_kaito_workspace_is_refused_for_the_pods_kaito_would_make(model_emulator: Start) -> None:
    # KAITO's inference pod sets no securityContext (kaito-project/kaito 056b8280b
    # pkg/workspace/inference/preset_inferences.go setInferenceContainers): restricted refuses it.
    emu = model_emulator()
    namespace(emu, "locked", **{ENFORCE: "restricted"})
    result = invoke("model", "deploy", "phi-4", "-n", "locked", "-y")
    assert result.exit_code == 9, result
    assert (
        "error: workspace.kaito.sh/phi-4 (KAITO's inference pods): namespace locked would refuse its pods: "
        'violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "phi-4" must set'
    ) in result.stderr
    assert emu.cluster.get("kaito.sh/v1beta1", "Workspace", "locked", "phi-4") is None


def test_a_kaito_workspace_deploys_in_a_baseline_namespace(model_emulator: Start) -> None:
    emu = model_emulator()
    namespace(emu, "team", **{ENFORCE: "baseline"})
    result = invoke("model", "deploy", "phi-4", "-n", "team", "-y")
    assert result.exit_code == 0, result
    assert emu.cluster.get("kaito.sh/v1beta1", "Workspace", "team", "phi-4") is not None


def test_an_ai_runway_dynamo_deploy_is_refused_for_the_pods_dynamos_operator_would_make(
    model_emulator: Start,
) -> None:
    # NVIDIA Dynamo's operator sets no container securityContext (ai-dynamo/dynamo 015d780b
    # deploy/operator/internal/dynamo/graph.go GenerateBasePodSpec): restricted refuses its pods.
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    namespace(emu, "locked", **{ENFORCE: "restricted"})
    result = invoke("model", "deploy", "phi-4", "--runtime", "airunway", "--provider", "dynamo", "-n", "locked", "-y")
    assert result.exit_code == 9, result
    assert (
        "error: modeldeployment.airunway.ai/phi-4 (AI Runway dynamo provider's pods, service Frontend): "
        'namespace locked would refuse its pods: violates PodSecurity "restricted:latest": '
        'allowPrivilegeEscalation != false (container "main" must set'
    ) in result.stderr
    assert emu.cluster.get("airunway.ai/v1alpha1", "ModelDeployment", "locked", "phi-4") is None


def test_an_ai_runway_dynamo_deploy_is_taken_by_a_baseline_namespace(model_emulator: Start) -> None:
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    namespace(emu, "team", **{ENFORCE: "baseline"})
    result = invoke("model", "deploy", "phi-4", "--runtime", "airunway", "--provider", "dynamo", "-n", "team", "-y")
    assert result.exit_code == 0, result
    assert emu.cluster.get("airunway.ai/v1alpha1", "ModelDeployment", "team", "phi-4") is not None
