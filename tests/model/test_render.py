"""Rendered manifests of both runtimes: golden files, and valid against the upstream CRDs.

Regenerate the golden files after an intended change with AKSCLI_UPDATE_GOLDEN=1.
"""

from __future__ import annotations

from typing import Any

import pytest

from akscli.errors import UsageError
from akscli.model import catalog, deploy, deploy_flags, planning, runtime_values

from ._golden import assert_golden, has_schema, schema_problems


def _request(model: str = "phi-4", **kwargs: Any) -> deploy.DeployRequest:
    m = catalog.get(model)
    runtime = deploy.plan_runtime(kwargs.get("runtime", "kaito"), kwargs.get("provider", "kaito"))
    plan = planning.plan(m, runtime=runtime, context=kwargs.pop("context", 4096))
    fit = planning.check_vm_size(plan, kwargs.pop("vm_size")) if "vm_size" in kwargs else plan.recommended
    assert fit is not None
    base: dict[str, Any] = {
        "name": deploy_flags.default_name(m),
        "namespace": "ml",
        "model": m,
        "runtime": "kaito",
        "fit": fit,
        "context": plan.context,
    }
    return deploy.DeployRequest(**{**base, **kwargs})


CASES: dict[str, dict[str, Any]] = {
    "kaito-workspace.yaml": {},
    "kaito-inferenceset-autoscale-route.yaml": {
        "model": "llama-3.1-8b-instruct",
        "replicas": 2,
        "autoscale": (1, 4),
        "access_secret": "hf-token",
        "expose": True,
        "inference_pool": True,
    },
    "kaito-multinode.yaml": {"model": "deepseek-r1-0528", "context": 8192},
    "vllm.yaml": {"runtime": "vllm", "access_secret": "hf-token"},
    "vllm-trust-remote-code.yaml": {"runtime": "vllm", "trust_remote_code": True},
    "vllm-autoscale-route.yaml": {
        "model": "gpt-oss-120b",
        "runtime": "vllm",
        "autoscale": (1, 3),
        "expose": True,
        "hostname": "llm.example.com",
        "vm_size": "Standard_NC80adis_H100_v5",
        "monitor_api": "azmonitoring.coreos.com/v1",
        "prometheus": "https://amw-ml-a1b2.eastus.prometheus.monitor.azure.com",
        "workspace_cluster": "aks-ml-eastus",
    },
    "kaito-fleet.yaml": {"fleet": True, "fleet_count": 2, "staged_strategy": "gpu-rings"},
    "airunway-kaito-gated.yaml": {"model": "llama-3.1-8b-instruct", "runtime": "airunway", "access_secret": "hf-token"},
    "airunway-kuberay.yaml": {"runtime": "airunway", "provider": "kuberay", "access_secret": "hf-token"},
    "airunway-vllm.yaml": {"runtime": "airunway", "provider": "vllm", "replicas": 2},
    "airunway-llmd-trust-remote-code.yaml": {"runtime": "airunway", "provider": "llmd", "trust_remote_code": True},
    "airunway-auto.yaml": {"runtime": "airunway", "provider": "auto", "access_secret": "hf-token"},
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_rendered_manifests_match_the_golden_file(name: str) -> None:
    assert_golden(name, deploy.build(_request(**CASES[name])))


@pytest.mark.parametrize("name", sorted(set(CASES) - {"vllm.yaml", "vllm-trust-remote-code.yaml"}))
def test_every_custom_resource_is_valid_against_its_crd(name: str) -> None:
    objects = deploy.build(_request(**CASES[name]))
    custom = [o for o in objects if has_schema(o)]
    assert custom
    assert [p for o in custom for p in schema_problems(o)] == []


def test_the_vllm_server_gets_its_arguments_from_the_plan() -> None:
    req = _request("gpt-oss-120b", runtime="vllm", vm_size="Standard_NC80adis_H100_v5")
    deployment = next(o for o in deploy.build(req) if o["kind"] == "Deployment")
    args = deployment["spec"]["template"]["spec"]["containers"][0]["args"]
    assert args[args.index("--tensor-parallel-size") + 1] == str(req.fit.tensor_parallel)
    assert args[args.index("--max-model-len") + 1] == str(req.context)
    assert args[args.index("--gpu-memory-utilization") + 1] == "0.9"


def test_the_access_token_is_referenced_by_secret_never_inlined() -> None:
    req = _request("llama-3.1-8b-instruct", runtime="vllm", access_secret="hf-token")
    deployment = next(o for o in deploy.build(req) if o["kind"] == "Deployment")
    env = deployment["spec"]["template"]["spec"]["containers"][0]["env"]
    assert env == [{"name": "HF_TOKEN", "valueFrom": {"secretKeyRef": {"name": "hf-token", "key": "HF_TOKEN"}}}]


def test_kaito_gets_the_plans_context_as_max_model_len() -> None:
    objects = deploy.build(_request(context=12000))
    config = next(o for o in objects if o["kind"] == "ConfigMap")
    assert "max-model-len: 12000" in config["data"]["inference_config.yaml"]


def test_autoscaling_a_kaito_model_asks_kaitos_scaler_through_the_inferenceset() -> None:
    # keda-kaito-scaler makes the ScaledObject from these (kaito-project/keda-kaito-scaler
    # pkg/constants/constants.go); akscli creates none of its own for KAITO.
    objects = deploy.build(_request(autoscale=(1, 3)))
    assert "ScaledObject" not in [o["kind"] for o in objects]
    ann = next(o for o in objects if o["kind"] == "InferenceSet")["metadata"]["annotations"]
    assert ann["scaledobject.kaito.sh/auto-provision"] == "true"
    assert ann["scaledobject.kaito.sh/max-replicas"] == "3"
    assert "name: vllm:num_requests_waiting" in ann["scaledobject.kaito.sh/metrics"]


def test_kaitos_scaler_range_is_checked_before_rendering() -> None:
    with pytest.raises(UsageError, match="MIN >= 1 and MAX >= 2"):
        deploy.build(_request(autoscale=(0, 3)))
    with pytest.raises(UsageError, match="MIN >= 1 and MAX >= 2"):
        deploy.build(_request(autoscale=(1, 1)))


def test_the_vllm_scaledobject_treats_an_absent_metric_as_an_error() -> None:
    objects = deploy.build(_request(runtime="vllm", autoscale=(1, 3), monitor_api="monitoring.coreos.com/v1"))
    trigger = next(o for o in objects if o["kind"] == "ScaledObject")["spec"]["triggers"][0]
    assert trigger["metadata"]["ignoreNullValues"] == "false"
    monitor = next(o for o in objects if o["kind"] == "PodMonitor")
    assert monitor["apiVersion"] == "monitoring.coreos.com/v1"
    assert monitor["spec"]["selector"]["matchLabels"]["akscli.io/model"] == "phi-4"


def test_the_podmonitor_is_in_the_group_the_cluster_serves() -> None:
    objects = deploy.build(_request(monitor_api="azmonitoring.coreos.com/v1"))
    monitor = next(o for o in objects if o["kind"] == "PodMonitor")
    assert monitor["apiVersion"] == "azmonitoring.coreos.com/v1"
    assert monitor["spec"]["selector"]["matchLabels"] == {
        "kaito.sh/workspace": "phi-4",
        "apps.kubernetes.io/pod-index": "0",
    }


def test_an_inferenceset_gets_a_service_over_each_childs_leader_and_the_route_uses_it() -> None:
    objects = deploy.build(_request(replicas=2, expose=True))
    service = next(o for o in objects if o["kind"] == "Service")
    assert service["metadata"]["name"] == "phi-4"
    assert service["spec"]["selector"] == {
        "inferenceset.kaito.sh/created-by": "phi-4",
        "apps.kubernetes.io/pod-index": "0",
    }
    assert service["spec"]["ports"][0]["targetPort"] == 5000
    route = next(o for o in objects if o["kind"] == "HTTPRoute")
    assert route["spec"]["rules"][0]["backendRefs"] == [{"name": "phi-4", "port": 80}]


def test_the_pool_of_a_multinode_workspace_selects_the_leader_only() -> None:
    objects = deploy.build(_request(inference_pool=True, expose=True))
    pool = next(o for o in objects if o["kind"] == "InferencePool")
    assert pool["spec"]["selector"]["matchLabels"] == {
        "kaito.sh/workspace": "phi-4",
        "apps.kubernetes.io/pod-index": "0",
    }


def test_the_served_name_of_an_inferenceset_is_the_sets_name() -> None:
    assert runtime_values.served_name(_request(name="foo", replicas=2)) == "foo"
    assert runtime_values.served_name(_request(name="foo")) == "phi-4"
    assert runtime_values.served_name(_request(name="foo", runtime="vllm")) == "microsoft/phi-4"


def test_vllm_replicas_each_get_their_own_weights_disk() -> None:
    objects = deploy.build(_request(runtime="vllm", replicas=2))
    assert "PersistentVolumeClaim" not in [o["kind"] for o in objects]
    volumes = next(o for o in objects if o["kind"] == "Deployment")["spec"]["template"]["spec"]["volumes"]
    weights = next(v for v in volumes if v["name"] == "weights")
    claim = weights["ephemeral"]["volumeClaimTemplate"]["spec"]
    assert claim["accessModes"] == ["ReadWriteOnce"] and claim["storageClassName"] == "managed-csi-premium"


def test_vllm_on_more_than_one_node_is_refused_with_the_way_out() -> None:
    with pytest.raises(UsageError) as err:
        deploy.build(_request("deepseek-r1-0528", runtime="vllm", context=8192))
    assert "--runtime kaito" in (err.value.hint or "")


def test_an_inference_pool_without_a_route_is_refused() -> None:
    with pytest.raises(UsageError, match="needs --expose"):
        deploy.build(_request(inference_pool=True))


def test_fleet_placement_requires_members_with_enough_nodes_of_the_size() -> None:
    objects = deploy.build(_request(fleet=True))
    crp = next(o for o in objects if o["kind"] == "ClusterResourcePlacement")
    term = crp["spec"]["policy"]["affinity"]["clusterAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][
        "clusterSelectorTerms"
    ][0]
    expr = term["propertySelector"]["matchExpressions"][0]
    assert expr["name"].startswith("kubernetes.azure.com/vm-sizes/Standard_")
    assert (expr["operator"], expr["values"]) == ("Ge", ["1"])


def test_fleet_refuses_the_default_namespace() -> None:
    # kubefleet-dev/kubefleet e160c1cd cmd/hubagent/workload/setup.go: skippedNamespaces["default"] = true.
    with pytest.raises(UsageError, match="the KubeFleet hub agent skips namespace default"):
        deploy.build(_request(fleet=True, namespace="default"))


def test_fleet_refuses_a_reserved_namespace() -> None:
    with pytest.raises(UsageError, match="reserved namespace kube-public"):
        deploy.build(_request(fleet=True, namespace="kube-public"))


@pytest.mark.parametrize("inference_pool", [False, True], ids=["service", "pool"])
def test_the_route_names_its_backend_in_its_own_namespace_so_it_needs_no_reference_grant(inference_pool: bool) -> None:
    # Only a backendRef into another namespace needs a ReferenceGrant (kubernetes-sigs/gateway-api
    # v1.6.1 apis/v1/referencegrant_types.go); a Gateway in another namespace is attachment.
    req = _request(
        "gpt-oss-120b",
        runtime="vllm",
        vm_size="Standard_NC80adis_H100_v5",
        expose=True,
        gateway="shared",
        gateway_namespace="gateways",
        inference_pool=inference_pool,
    )
    route = next(o for o in deploy.build(req) if o["kind"] == "HTTPRoute")
    assert route["metadata"]["namespace"] == "ml"
    assert route["spec"]["parentRefs"] == [{"name": "shared", "namespace": "gateways"}]
    refs = [ref for rule in route["spec"]["rules"] for ref in rule["backendRefs"]]
    assert refs and all("namespace" not in ref for ref in refs)
