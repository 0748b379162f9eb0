"""The PodSecurity preflight predicts Dynamo's ``wait-for-leader-mp`` init container on the worker pods
of a multinode vLLM service that AI Runway's dynamo provider makes (akscli.kube.podsecurity_operators;
upstream: ai-dynamo/dynamo deploy/operator/internal/dynamo/backend_vllm.go VLLMBackend.UpdatePodSpec,
updateVLLMMultinodeArgs, shouldUseMpBackend; compatibility VLLMMultiprocessing; ai-runway/airunway
b0d3fb77 providers/dynamo/transformer.go buildEngineArgs, buildResourceLimits, and
test/e2e/testdata/dynamo-multinode-modeldeployment.yaml for the shape of a multinode deploy)."""

from __future__ import annotations

from typing import Any

from akscli.kube import podsecurity
from akscli.kube.podsecurity_checks import evaluate
from tests.foundation.test_podsecurity_operator_pods import dynamo, where_and_containers

WHERE = "AI Runway dynamo provider's pods, service"
HARDENED = {
    "allowPrivilegeEscalation": False,
    "capabilities": {"drop": ["ALL"]},
    "runAsNonRoot": True,
    "seccompProfile": {"type": "RuntimeDefault"},
}


def multinode(tp: str, gpus: int, nodes: int = 2, **worker: Any) -> dict[str, Any]:
    """AI Runway's e2e multinode deploy: two nodes, tensor parallel over the GPUs of each pod."""
    overrides = {"spec": {"services": {"VllmWorker": {"multinode": {"nodeCount": nodes}, **worker}}}}
    return dynamo(
        gateway={"enabled": False},
        engine={"type": "vllm", "args": {"tensor-parallel-size": tp}},
        resources={"gpu": {"count": gpus}},
        provider={"overrides": overrides},
    )


def test_a_worker_whose_tensor_parallel_spans_nodes_waits_for_its_leader_with_mp() -> None:
    assert where_and_containers(multinode("4", 2)) == [
        (f"{WHERE} Frontend", ["main"]),
        (f"{WHERE} VllmWorker", ["wait-for-leader-mp", "main"]),
    ]


def test_the_init_container_is_refused_under_restricted_even_with_a_hardened_main_container() -> None:
    hardened = {"extraPodSpec": {"mainContainer": {"securityContext": HARDENED}}}
    (_, (_, worker)) = podsecurity.pod_specs(multinode("4", 2, **hardened))
    assert 'container "wait-for-leader-mp" must set' in (evaluate("restricted", None, worker) or "")
    assert evaluate("baseline", None, worker) is None


def test_a_tensor_parallel_that_fits_one_pod_predicts_no_init_container() -> None:
    # AI Runway's own e2e case: TP 2 on 2 GPUs per pod. The revisions read disagree here (the
    # v1alpha1 one adds it for mp alone, the v1beta1 one does not); akscli does not predict it.
    assert (f"{WHERE} VllmWorker", ["main"]) in where_and_containers(multinode("2", 2))


def test_the_ray_backend_annotation_predicts_no_init_container() -> None:
    ray = {"annotations": {"nvidia.com/vllm-distributed-executor-backend": "ray"}}
    assert (f"{WHERE} VllmWorker", ["main"]) in where_and_containers(multinode("4", 2, **ray))


def test_a_single_node_service_predicts_no_init_container() -> None:
    assert (f"{WHERE} VllmWorker", ["main"]) in where_and_containers(multinode("4", 2, nodes=1))


def test_the_mocker_runs_no_vllm_and_predicts_no_init_container() -> None:
    obj = multinode("4", 2)
    obj["metadata"]["annotations"] = {"airunway.ai/dynamo-test-backend": "mocker"}
    assert (f"{WHERE} VllmWorker", ["main"]) in where_and_containers(obj)
