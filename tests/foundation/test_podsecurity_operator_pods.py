"""The PodSecurity preflight predicts the pods operators make from akscli's custom resources
(akscli.kube.podsecurity_operators): KubeRay's default submitter (ray-project/kuberay feeaf72f
ray-operator/controllers/ray/common/job.go GetSubmitterTemplate), KAITO's inference pod
(kaito-project/kaito 056b8280b pkg/workspace/inference/preset_inferences.go) and AI Runway's
providers (ai-runway/airunway b0d3fb77 providers/*/transformer.go)."""

from __future__ import annotations

from typing import Any

from akscli.kube import podsecurity
from akscli.kube.podsecurity_checks import evaluate

HEAD = {"headGroupSpec": {"template": {"spec": {"containers": [{"name": "ray-head"}]}}}}


def containers(spec: dict[str, Any]) -> list[str]:
    return [c["name"] for key in ("initContainers", "containers") for c in spec.get(key) or []]


def where_and_containers(obj: dict[str, Any]) -> list[tuple[str, list[str]]]:
    return [(w, containers(s)) for w, s in podsecurity.pod_specs(obj)]


def ray_job(**spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "ray.io/v1",
        "kind": "RayJob",
        "metadata": {"name": "j"},
        "spec": {"rayClusterSpec": HEAD, **spec},
    }


def workspace(preset: str, annotations: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "apiVersion": "kaito.sh/v1beta1",
        "kind": "Workspace",
        "metadata": {"name": "phi-4", "annotations": annotations or {}},
        "inference": {"preset": {"name": preset}},
    }


def test_a_ray_job_without_a_submitter_template_gets_kuberays_default_submitter() -> None:
    assert where_and_containers(ray_job()) == [("head group", ["ray-head"]), ("submitter", ["ray-job-submitter"])]


def test_kuberays_default_submitter_is_refused_under_restricted() -> None:
    (_, submitter) = podsecurity.pod_specs(ray_job())[1]
    detail = evaluate("restricted", None, submitter) or ""
    assert 'container "ray-job-submitter" must set securityContext.allowPrivilegeEscalation=false' in detail


def test_a_sidecar_mode_submitter_joins_the_head_pod_and_makes_no_job() -> None:
    assert where_and_containers(ray_job(submissionMode="SidecarMode")) == [
        ("head group", ["ray-head", "ray-job-submitter"])
    ]


def test_http_mode_makes_no_submitter_pod_even_with_a_template() -> None:
    template = {"spec": {"containers": [{"name": "s"}]}}
    assert where_and_containers(ray_job(submissionMode="HTTPMode", submitterPodTemplate=template)) == [
        ("head group", ["ray-head"])
    ]


def test_a_kaito_workspace_predicts_one_container_named_after_it_without_a_security_context() -> None:
    ((where, spec),) = podsecurity.pod_specs(workspace("phi-4"))
    assert where == "KAITO's inference pods"
    assert spec == {"initContainers": [], "containers": [{"name": "phi-4"}], "volumes": []}
    assert evaluate("baseline", None, spec) is None
    assert 'container "phi-4" must set' in (evaluate("restricted", None, spec) or "")


def test_local_weights_mount_a_host_path_that_baseline_refuses() -> None:
    ((_, spec),) = podsecurity.pod_specs(workspace("phi-4", {"kaito.sh/use-local-weights": "true"}))
    assert evaluate("baseline", None, spec) == 'hostPath volumes (volume "model-weights-hostpath")'


def test_a_deepgemm_preset_gets_the_cuda_toolkit_provisioner_and_its_host_path() -> None:
    ((_, spec),) = podsecurity.pod_specs(workspace("deepseek-ai/DeepSeek-V4-Pro"))
    assert containers(spec) == ["cuda-toolkit-provisioner", "phi-4"]
    assert evaluate("baseline", None, spec) == 'hostPath volumes (volume "cuda-toolkit-hostpath")'


def test_an_inference_set_predicts_its_child_workspaces_pods() -> None:
    inference_set = {
        "apiVersion": "kaito.sh/v1beta1",
        "kind": "InferenceSet",
        "metadata": {"name": "phi-4"},
        "spec": {"template": {"inference": {"preset": {"name": "phi-4"}}}},
    }
    assert where_and_containers(inference_set) == [("KAITO's inference pods", ["phi-4-<generated>"])]


def test_ai_runway_vllm_and_kaito_providers_predict_their_pods() -> None:
    def model_deployment(provider: str) -> dict[str, Any]:
        spec = {"model": {"id": "phi-4"}, "provider": {"name": provider}}
        return {
            "apiVersion": "airunway.ai/v1alpha1",
            "kind": "ModelDeployment",
            "metadata": {"name": "m"},
            "spec": spec,
        }

    assert where_and_containers(model_deployment("vllm")) == [("AI Runway vllm provider's pods", ["vllm"])]
    assert where_and_containers(model_deployment("kaito")) == [("AI Runway kaito provider's pods", ["m"])]
    assert where_and_containers(model_deployment("kuberay")) == [
        ("AI Runway kuberay provider's pods", ["ray-head"]),
        ("AI Runway kuberay provider's pods", ["ray-worker"]),
    ]


def dynamo(annotations: dict[str, str] | None = None, **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "airunway.ai/v1alpha1",
        "kind": "ModelDeployment",
        "metadata": {"name": "m", "annotations": annotations or {}},
        "spec": {"model": {"id": "phi-4"}, "provider": {"name": "dynamo", **spec.pop("provider", {})}, **spec},
    }


WHERE = "AI Runway dynamo provider's pods, service"


def test_dynamo_with_the_gateway_predicts_the_epp_and_a_worker_with_dynamos_frontend_sidecar() -> None:
    # airunway b0d3fb77 providers/dynamo/transformer.go buildServices; ai-dynamo/dynamo 015d780b
    # graph.go GenerateBasePodSpec: "main", then "sidecar-frontend" for a frontendSidecar
    assert where_and_containers(dynamo()) == [
        (f"{WHERE} Epp", ["main"]),
        (f"{WHERE} VllmWorker", ["main", "sidecar-frontend"]),
    ]


def test_dynamo_without_the_gateway_predicts_a_frontend_and_a_worker_without_sidecar() -> None:
    assert where_and_containers(dynamo(gateway={"enabled": False})) == [
        (f"{WHERE} Frontend", ["main"]),
        (f"{WHERE} VllmWorker", ["main"]),
    ]


def test_dynamo_mocker_mode_takes_the_frontend_path_even_with_the_gateway() -> None:
    mocker = {"airunway.ai/dynamo-test-backend": "mocker"}
    assert [w for w, _ in where_and_containers(dynamo(mocker))] == [f"{WHERE} Frontend", f"{WHERE} VllmWorker"]


def test_disaggregated_dynamo_predicts_prefill_and_decode_workers() -> None:
    services = [w for w, _ in where_and_containers(dynamo(serving={"mode": "disaggregated"}))]
    assert services == [f"{WHERE} Epp", f"{WHERE} VllmPrefillWorker", f"{WHERE} VllmDecodeWorker"]


def test_dynamos_pods_meet_baseline_but_not_restricted() -> None:
    (epp, worker) = podsecurity.pod_specs(dynamo())
    assert evaluate("baseline", None, epp[1]) is None and evaluate("baseline", None, worker[1]) is None
    assert 'container "main" must set' in (evaluate("restricted", None, epp[1]) or "")
    assert 'containers "main", "sidecar-frontend" must set' in (evaluate("restricted", None, worker[1]) or "")


def test_a_hardened_main_container_from_the_overrides_is_kept_but_the_frontend_sidecar_is_still_refused() -> None:
    hardened = {
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
        "runAsNonRoot": True,
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    extra = {"extraPodSpec": {"mainContainer": {"securityContext": hardened}}}
    overrides = {"spec": {"services": {"Epp": extra, "VllmWorker": extra}}}
    (epp, worker) = podsecurity.pod_specs(dynamo(provider={"overrides": overrides}))
    assert evaluate("restricted", None, epp[1]) is None
    detail = evaluate("restricted", None, worker[1]) or ""
    assert 'container "sidecar-frontend" must set' in detail and '"main"' not in detail


def test_a_host_network_from_the_overrides_meets_baselines_check() -> None:
    overrides = {"spec": {"services": {"VllmWorker": {"extraPodSpec": {"hostNetwork": True}}}}}
    (_, (_, worker)) = podsecurity.pod_specs(dynamo(provider={"overrides": overrides}))
    assert evaluate("baseline", None, worker) == "host namespaces (hostNetwork=true)"
