"""akscli.kube.safeguards matches a constraint's labelSelector and name against the Pods the real
controllers make, with the labels they add (akscli.kube.pod_labels names the upstream files), and
predicts nothing where Gatekeeper's webhook is not called (Gatekeeper's Config, the ignore label,
Gatekeeper's own namespace)."""

from __future__ import annotations

from typing import Any

import pytest

from akscli import errors
from akscli.kube import safeguards
from tests.emulators.kube.gatekeeper import probes_constraint
from tests.model.test_safeguards_probes_constraint import FakeKube, deployment, templates


def selecting(**selector: Any) -> dict[str, Any]:
    obj = probes_constraint()
    obj["spec"]["match"]["labelSelector"] = selector
    return obj


def expr(key: str, operator: str, *values: str) -> dict[str, Any]:
    return {"matchExpressions": [{"key": key, "operator": operator, **({"values": list(values)} if values else {})}]}


def stateful_set(replicas: int) -> dict[str, Any]:
    obj = deployment({})
    obj["kind"] = "StatefulSet"
    obj["metadata"]["name"] = "db"
    obj["spec"]["replicas"] = replicas
    return obj


def job(name: str = "train") -> dict[str, Any]:
    obj = deployment({})
    obj["apiVersion"], obj["kind"] = "batch/v1", "Job"
    obj["metadata"]["name"] = name
    return obj


def rayjob() -> dict[str, Any]:
    head = {"spec": {"containers": [{"name": "ray-head", "image": "rayproject/ray:2.41.0"}]}}
    return {
        "apiVersion": "ray.io/v1",
        "kind": "RayJob",
        "metadata": {"name": "tune", "namespace": "models"},
        "spec": {"entrypoint": "python tune.py", "rayClusterSpec": {"headGroupSpec": {"template": head}}},
    }


def refused(kube: FakeKube, obj: dict[str, Any], labels: dict[str, dict[str, str]] | None = None) -> bool:
    try:
        safeguards.check(kube, templates(obj), labels)  # type: ignore[arg-type]
    except errors.CheckFailedError:
        return True
    return False


def test_a_selector_on_the_deployments_pod_template_hash_matches_its_pods() -> None:
    # deployment/sync.go getNewReplicaSet adds pod-template-hash to every pod
    assert refused(FakeKube(selecting(**expr("pod-template-hash", "Exists"))), deployment({}))


def test_a_selector_requiring_no_pod_template_hash_leaves_a_deployments_pods_out() -> None:
    assert not refused(FakeKube(selecting(**expr("pod-template-hash", "DoesNotExist"))), deployment({}))


def test_a_selector_on_a_statefulset_pods_name_label_matches_that_ordinal_only() -> None:
    # stateful_set_utils.go updateIdentity: statefulset.kubernetes.io/pod-name <set>-<ordinal>
    kube = FakeKube(selecting(matchLabels={"statefulset.kubernetes.io/pod-name": "db-1"}))
    assert refused(kube, stateful_set(2))
    assert not refused(kube, stateful_set(1))


def test_a_name_glob_is_matched_against_the_statefulset_pods_names() -> None:
    obj = probes_constraint()
    obj["spec"]["match"]["name"] = "db-1"
    assert refused(FakeKube(obj), stateful_set(2))
    assert not refused(FakeKube(obj), stateful_set(1))


def test_a_selector_on_job_name_matches_the_jobs_pods() -> None:
    # registry/batch/job/strategy.go generateSelector: job-name and batch.kubernetes.io/job-name
    kube = FakeKube(selecting(matchLabels={"batch.kubernetes.io/job-name": "train"}))
    assert refused(kube, job("train"))
    assert not refused(kube, job("eval"))


def test_the_default_rayjob_submitter_is_matched_with_kuberays_labels() -> None:
    # rayjob_controller.go getSubmitterTemplate: ray.io/originated-from-crd RayJob
    assert refused(FakeKube(selecting(matchLabels={"ray.io/originated-from-crd": "RayJob"})), rayjob())
    assert not refused(FakeKube(selecting(matchLabels={"app": "web"})), rayjob())


def test_a_namespace_gatekeepers_config_excludes_from_the_webhook_is_not_refused() -> None:
    config = {"spec": {"match": [{"excludedNamespaces": ["mod*"], "processes": ["webhook"]}]}}
    kube = FakeKube(probes_constraint(), config=config)
    assert not refused(kube, deployment({}))
    assert kube.gets == [("config.gatekeeper.sh/v1alpha1", "Config", "config", "gatekeeper-system")]


def test_a_config_exclusion_for_audit_only_still_refuses() -> None:
    config = {"spec": {"match": [{"excludedNamespaces": ["models"], "processes": ["audit", "sync"]}]}}
    with pytest.raises(errors.CheckFailedError, match="has no <readinessProbe>"):
        safeguards.check(FakeKube(probes_constraint(), config=config), templates(deployment({})))  # type: ignore[arg-type]


def test_a_config_exclusion_for_every_process_is_not_refused() -> None:
    config = {"spec": {"match": [{"excludedNamespaces": ["models"], "processes": ["*"]}]}}
    assert not refused(FakeKube(probes_constraint(), config=config), deployment({}))


def test_a_namespace_labelled_for_gatekeeper_to_ignore_is_not_refused() -> None:
    kube = FakeKube(probes_constraint())
    assert not refused(kube, deployment({}), {"models": {"admission.gatekeeper.sh/ignore": "no-self-managing"}})


def test_gatekeepers_own_namespace_is_not_refused() -> None:
    # the chart's webhook configuration leaves out the release namespace, whatever the constraint says
    obj = probes_constraint()
    obj["spec"]["match"]["excludedNamespaces"] = []
    assert not refused(FakeKube(obj), deployment({}, namespace="gatekeeper-system"))


def test_the_config_is_read_only_when_a_constraint_would_act() -> None:
    kube = FakeKube(selecting(matchLabels={"app": "web"}))
    assert not refused(kube, deployment({}))
    assert kube.gets == []
