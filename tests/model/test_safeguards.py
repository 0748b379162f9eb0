"""What akscli renders passes AKS Deployment Safeguards, on by default (Enforce) in AKS Automatic.

The rules, in MicrosoftDocs/azure-aks-docs articles/aks/deployment-safeguards.md ("Deployment
Safeguards policies", "Deployment Safeguards error messages") and the built-in definitions in
Azure/azure-policy built-in-policies/policyDefinitions/Kubernetes/ (ContainerEnforceProbes.json,
AKS_GuardrailsMustHaveAntiAffinityRulesSet.json, AKS_GuardrailsNoAKSSpecificLabels.json). The
objects checked are the golden files (every family akscli renders) and fresh vLLM renders.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from akscli import yamlio
from akscli.model import catalog, deploy, deploy_flags, planning
from akscli.policy.rules import PolicyConfig
from tests.golden import GOLDEN

# Workload kinds whose pod template the probe and anti-affinity safeguards reach.
_SERVING = ("Deployment", "StatefulSet")


def _golden_objects() -> Iterator[tuple[str, dict[str, Any]]]:
    for path in sorted(GOLDEN.glob("*/*.yaml")):
        for obj in yamlio.load_all(path.read_text(encoding="utf-8")):
            if isinstance(obj, dict):
                yield f"{path.parent.name}/{path.name}", obj


def _vllm(replicas: int | None) -> list[dict[str, Any]]:
    m = catalog.get("phi-4")
    runtime = deploy.plan_runtime("vllm", "kaito")
    plan = planning.plan(m, runtime=runtime, context=4096)
    assert plan.recommended is not None
    request = deploy.DeployRequest(
        name=deploy_flags.default_name(m),
        namespace="ml",
        model=m,
        runtime="vllm",
        fit=plan.recommended,
        context=plan.context,
        replicas=replicas,
    )
    return deploy.build(request)


def _deployment(objects: list[dict[str, Any]]) -> dict[str, Any]:
    return next(o for o in objects if o["kind"] == "Deployment")


@pytest.mark.parametrize("probe", ["readinessProbe", "livenessProbe"])
def test_vllm_container_has_the_probe_the_probes_safeguard_requires(probe: str) -> None:
    # ContainerEnforceProbes.json: requiredProbes defaults to [readinessProbe, livenessProbe].
    containers = _deployment(_vllm(1))["spec"]["template"]["spec"]["containers"]
    assert all(c.get(probe, {}).get("httpGet", {}).get("path") == "/health" for c in containers)


def test_every_rendered_serving_workload_has_both_probes_on_every_container() -> None:
    workloads = [(n, o) for n, o in _golden_objects() if o["kind"] in _SERVING]
    assert workloads
    for name, obj in workloads:
        for c in obj["spec"]["template"]["spec"]["containers"]:
            assert "readinessProbe" in c and "livenessProbe" in c, (name, c["name"])


@pytest.mark.parametrize("replicas", [None, 1, 3])
def test_vllm_deployment_spreads_its_pods_over_nodes_like_the_safeguard_mutator(replicas: int | None) -> None:
    # deployment-safeguards.md "Anti-affinity and topology spread mutator": maxSkew 1, hostname, ScheduleAnyway.
    template = _deployment(_vllm(replicas))["spec"]["template"]
    assert template["spec"]["topologySpreadConstraints"] == [
        {
            "maxSkew": 1,
            "topologyKey": "kubernetes.io/hostname",
            "whenUnsatisfiable": "ScheduleAnyway",
            "labelSelector": {"matchLabels": template["metadata"]["labels"]},
        }
    ]


def test_no_rendered_workload_carries_a_label_reserved_for_aks() -> None:
    # "Label kubernetes.azure.com is reserved for AKS use only" (deployment-safeguards.md).
    for name, obj in _golden_objects():
        pod = obj.get("spec", {}).get("template", {}) if obj["kind"] in (*_SERVING, "DaemonSet") else {}
        for labels in (obj["metadata"].get("labels") or {}, (pod.get("metadata") or {}).get("labels") or {}):
            assert not [k for k in labels if k.split("/")[0].endswith("kubernetes.azure.com")], name


def test_services_rendered_together_select_different_pods() -> None:
    # "Kubernetes cluster services should use unique selectors" (deployment-safeguards.md); one
    # golden file is one deploy, so selectors must differ within a file.
    seen: dict[tuple[str, str, str], str] = {}
    for name, obj in _golden_objects():
        if obj["kind"] == "Service" and obj["spec"].get("selector"):
            key = (name, obj["metadata"].get("namespace", ""), repr(sorted(obj["spec"]["selector"].items())))
            assert seen.setdefault(key, obj["metadata"]["name"]) == obj["metadata"]["name"], name


def test_akscli_policy_finds_no_error_in_anything_akscli_renders() -> None:
    # akscli's own rules carry the latest-tag and resource-request safeguards (policy/rules.py).
    from akscli.policy import engine as policy

    objects = [o for _, o in _golden_objects()]
    errors = [f for f in policy.evaluate(objects, PolicyConfig()) if f.severity == "error"]
    assert errors == []
