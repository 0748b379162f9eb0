"""doctor names an operator Deployment stuck mid-rollout: a changed pod template whose new pod no
node takes, beside the old pod that still serves (RollingUpdate, the default of
kubernetes/kubernetes pkg/apis/apps/v1/defaults.go; the emulator rolls it as rolling.go does,
tests/emulators/kube/controllers/deployment.py). Its words are ``kubectl rollout status``'s
(kubernetes/kubectl pkg/polymorphichelpers/rollout_status.go DeploymentStatusViewer)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from akscli.doctor import rollout as doctor_rollout
from tests.baremetal.nodes import small_cpu_node
from tests.cli import invoke
from tests.emulators.kube.apiserver import wait_until
from tests.kube_emulator.test_deployment_progress import controller

LABELS = {"app": "keda-operator", "app.kubernetes.io/name": "keda-operator"}
NS = "keda"
KEDA = "ghcr.io/kedacore/keda:2.16.0"
UNMATCHED = "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector."


def _operator(
    emu: Any, name: str = "keda-operator", namespace: str = NS, labels: dict[str, str] = LABELS, image: str = KEDA
) -> None:
    """An operator's Deployment as a hand-written manifest would make it (no strategy), running."""
    if emu.cluster.get("v1", "Node", None, "aks-system-0") is None:
        emu.cluster.create(small_cpu_node())
    emu.cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}})
    container = {"name": name, "image": image}
    emu.cluster.create(
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": name, "namespace": namespace, "labels": labels},
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": labels},
                "template": {"metadata": {"labels": labels}, "spec": {"containers": [container]}},
            },
        }
    )
    assert wait_until(lambda: _status(emu, name, namespace).get("availableReplicas") == 1)


def _status(emu: Any, name: str = "keda-operator", namespace: str = NS) -> dict[str, Any]:
    obj = emu.cluster.get("apps/v1", "Deployment", namespace, name) or {}
    return dict(obj.get("status") or {})


def _move_to_a_pool_nothing_has(emu: Any, name: str = "keda-operator", namespace: str = NS) -> None:
    """A new pod template whose pod no node takes (a nodeSelector no node has)."""
    d = emu.cluster.get("apps/v1", "Deployment", namespace, name)
    d["spec"]["template"]["spec"]["nodeSelector"] = {"agentpool": "none"}
    emu.cluster.update(d)
    assert wait_until(
        lambda: (
            _status(emu, name, namespace).get("observedGeneration") == 2
            and _status(emu, name, namespace).get("replicas") == 2
        )
    )


def _keda_checks() -> tuple[int, list[dict[str, Any]]]:
    result = invoke("doctor", "--for", "model", "-o", "json")
    return result.exit_code, [c for c in json.loads(result.stdout)["checks"] if c["component"] == "keda"]


def test_a_rollout_whose_new_pod_no_node_takes_is_named_beside_the_serving_old_pod(
    kube_emulator: Any, kubeconfig: Any
) -> None:
    _operator(kube_emulator)
    _move_to_a_pool_nothing_has(kube_emulator)
    _, checks = _keda_checks()
    [pods] = [c for c in checks if c["check"] == "pods"]
    assert pods["status"] == "ok"
    [rollout] = [c for c in checks if c["check"] == "rollout deployment/keda-operator"]
    assert rollout["status"] == "not-ready"
    assert rollout["detail"].startswith(
        'deployment keda/keda-operator: Waiting for deployment "keda-operator" rollout to finish: '
        "1 old replicas are pending termination: 1 of 1 new replicas updated, 0 available "
        "(ReplicaSet keda-operator-"
    )
    assert "); 1 old replica(s) still serving; pod keda/keda-operator-" in rollout["detail"]
    assert f" not scheduled: {UNMATCHED}" in rollout["detail"]


def test_a_stuck_rollout_names_rollout_status_and_undo(kube_emulator: Any, kubeconfig: Any) -> None:
    _operator(kube_emulator)
    _move_to_a_pool_nothing_has(kube_emulator)
    [rollout] = [c for c in _keda_checks()[1] if c["check"].startswith("rollout ")]
    assert rollout["fix"] == (
        "kubectl rollout status deployment/keda-operator -n keda follows it; "
        "kubectl rollout undo deployment/keda-operator -n keda goes back to the previous pod template"
    )


def test_a_rollout_past_its_progress_deadline_says_so_in_kubectls_words(kube_emulator: Any, kubeconfig: Any) -> None:
    _operator(kube_emulator)
    _move_to_a_pool_nothing_has(kube_emulator)
    controller(kube_emulator).advance(601)  # progressDeadlineSeconds defaults to 600
    assert wait_until(
        lambda: any(
            c.get("reason") == "ProgressDeadlineExceeded" for c in _status(kube_emulator).get("conditions") or []
        )
    )
    [rollout] = [c for c in _keda_checks()[1] if c["check"].startswith("rollout ")]
    assert rollout["detail"].startswith(
        'deployment keda/keda-operator: deployment "keda-operator" exceeded its progress deadline: '
        "1 of 1 new replicas updated, 0 available"
    )


def test_a_rollout_that_leaves_the_old_pod_serving_is_a_warning(kube_emulator: Any, kubeconfig: Any) -> None:
    _operator(kube_emulator)
    _move_to_a_pool_nothing_has(kube_emulator)
    [rollout] = [c for c in _keda_checks()[1] if c["check"].startswith("rollout ")]
    assert rollout["severity"] == "optional"


def test_a_gpu_operator_rollout_is_named_too(kube_emulator: Any, kubeconfig: Any) -> None:
    """The GPU Operator's chart runs it as a Deployment labelled app=gpu-operator
    (NVIDIA/gpu-operator deployments/gpu-operator/templates/operator.yaml); doctor reads its pods
    through akscli.gpu.stack."""
    labels = {"app": "gpu-operator", "app.kubernetes.io/component": "gpu-operator"}
    _operator(kube_emulator, "gpu-operator", "gpu-operator", labels, "nvcr.io/nvidia/gpu-operator:v25.3.0")
    _move_to_a_pool_nothing_has(kube_emulator, "gpu-operator", "gpu-operator")
    result = invoke("doctor", "--for", "baremetal", "-o", "json")
    [rollout] = [c for c in json.loads(result.stdout)["checks"] if c["check"] == "rollout deployment/gpu-operator"]
    assert (rollout["component"], rollout["severity"]) == ("gpu-driver", "optional")
    assert rollout["detail"].startswith(
        'deployment gpu-operator/gpu-operator: Waiting for deployment "gpu-operator" rollout to finish: '
        "1 old replicas are pending termination"
    )


def test_baremetal_doctor_names_the_gpu_operator_rollout_as_a_warning_while_the_old_pod_serves(
    kube_emulator: Any, kubeconfig: Any
) -> None:
    """The same gpu_stack rules feed ``baremetal doctor``: a finding of check gpu-operator."""
    labels = {"app": "gpu-operator", "app.kubernetes.io/component": "gpu-operator"}
    _operator(kube_emulator, "gpu-operator", "gpu-operator", labels, "nvcr.io/nvidia/gpu-operator:v25.3.0")
    _move_to_a_pool_nothing_has(kube_emulator, "gpu-operator", "gpu-operator")
    findings = json.loads(invoke("baremetal", "doctor", "-o", "json").stdout)["findings"]
    [rollout] = [f for f in findings if f["message"].startswith("deployment gpu-operator/gpu-operator: ")]
    assert (rollout["check"], rollout["severity"]) == ("gpu-operator", "warning")
    assert "kubectl rollout undo deployment/gpu-operator -n gpu-operator" in rollout["fix"]


def test_a_finished_rollout_is_no_finding(kube_emulator: Any, kubeconfig: Any) -> None:
    _operator(kube_emulator)
    assert not [c for c in _keda_checks()[1] if c["check"].startswith("rollout ")]


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (
            {"observedGeneration": 1, "replicas": 1, "updatedReplicas": 0},
            'Waiting for deployment "op" rollout to finish: 0 out of 1 new replicas have been updated',
        ),
        (
            {"observedGeneration": 1, "replicas": 2, "updatedReplicas": 1, "availableReplicas": 1},
            'Waiting for deployment "op" rollout to finish: 1 old replicas are pending termination',
        ),
        (
            {"observedGeneration": 1, "replicas": 1, "updatedReplicas": 1, "availableReplicas": 0},
            'Waiting for deployment "op" rollout to finish: 0 of 1 updated replicas are available',
        ),
        (
            {"observedGeneration": 1, "replicas": 1, "updatedReplicas": 1, "availableReplicas": 1},
            'deployment "op" successfully rolled out',
        ),
        ({"observedGeneration": 0}, "Waiting for deployment spec update to be observed"),
    ],
)
def test_the_rollout_is_worded_as_kubectl_rollout_status_words_it(status: dict[str, Any], message: str) -> None:
    deployment = {"metadata": {"name": "op", "generation": 1}, "spec": {"replicas": 1}, "status": status}
    assert doctor_rollout.status_line(deployment)[0] == message


class _Counting:
    """FakeReader, with each read recorded as (verb, kind)."""

    def __init__(self, *objects: dict[str, Any]) -> None:
        from tests.ops.fakes import FakeReader

        self.reader = FakeReader(*objects)
        self.reads: list[tuple[str, str]] = []

    def get(self, api_version: str, kind: str, name: str, namespace: str | None = None) -> dict[str, Any] | None:
        self.reads.append(("get", kind))
        return self.reader.get(api_version, kind, name, namespace)

    def list(self, api_version: str, kind: str, **kwargs: Any) -> Any:
        self.reads.append(("list", kind))
        return self.reader.list(api_version, kind, **kwargs)


def _replica_set(name: str, digest: str, created: str, replicas: int, available: int) -> dict[str, Any]:
    labels = {"app": "op", "pod-template-hash": digest}
    return {
        "kind": "ReplicaSet",
        "metadata": {
            "name": name,
            "namespace": "ops",
            "labels": labels,
            "creationTimestamp": created,
            "ownerReferences": [{"kind": "Deployment", "name": "op", "uid": "d-1", "controller": True}],
        },
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels}, "spec": {"containers": [{"name": "op", "image": digest}]}},
        },
        "status": {"replicas": replicas, "availableReplicas": available},
    }


def _pending_pod(index: int) -> dict[str, Any]:
    return {
        "kind": "Pod",
        "metadata": {
            "name": f"op-new-{index}",
            "namespace": "ops",
            "labels": {"app": "op", "pod-template-hash": "new"},
        },
        "status": {
            "phase": "Pending",
            "conditions": [
                {"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": UNMATCHED}
            ],
        },
    }


def test_a_stuck_rollout_costs_one_get_and_two_lists_whatever_its_history_and_pods() -> None:
    """Ten older ReplicaSets (revisionHistoryLimit's default, kubernetes/kubernetes
    pkg/apis/apps/v1/defaults.go) and twenty Pending new pods: still three reads, none per pod."""
    template = {"metadata": {"labels": {"app": "op"}}, "spec": {"containers": [{"name": "op", "image": "new"}]}}
    deployment = {
        "kind": "Deployment",
        "metadata": {"name": "op", "namespace": "ops", "uid": "d-1", "generation": 2},
        "spec": {"replicas": 20, "selector": {"matchLabels": {"app": "op"}}, "template": template},
        "status": {"observedGeneration": 2, "replicas": 40, "updatedReplicas": 20, "availableReplicas": 20},
    }
    old = [
        _replica_set(f"op-old{i}", f"old{i}", f"2026-01-{i + 10}T00:00:00Z", 20 if i == 9 else 0, 20 if i == 9 else 0)
        for i in range(10)
    ]
    reader = _Counting(
        deployment,
        *old,
        _replica_set("op-new", "new", "2026-02-01T00:00:00Z", 20, 0),
        *(_pending_pod(i) for i in range(20)),
    )
    [stuck] = doctor_rollout.rollouts(reader, [("ops", "op")])  # type: ignore[arg-type]
    assert reader.reads == [("get", "Deployment"), ("list", "ReplicaSet"), ("list", "Pod")]
    assert (stuck.new_set, stuck.updated, stuck.new_available, stuck.old_available) == ("op-new", 20, 0, 20)
    assert stuck.problem is not None and stuck.problem.pod == "op-new-0"


def test_a_finished_rollout_costs_one_get() -> None:
    deployment = {
        "kind": "Deployment",
        "metadata": {"name": "op", "namespace": "ops", "uid": "d-1", "generation": 1},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "op"}}},
        "status": {"observedGeneration": 1, "replicas": 1, "updatedReplicas": 1, "availableReplicas": 1},
    }
    reader = _Counting(deployment)
    assert doctor_rollout.rollouts(reader, [("ops", "op"), ("ops", "op")]) == []  # type: ignore[arg-type]
    assert reader.reads == [("get", "Deployment")]


def _first_install(conditions: list[dict[str, Any]]) -> Any:
    """A Deployment with one ReplicaSet, none of its one pod available."""
    template = {"metadata": {"labels": {"app": "op"}}, "spec": {"containers": [{"name": "op", "image": "new"}]}}
    deployment = {
        "kind": "Deployment",
        "metadata": {"name": "op", "namespace": "ops", "uid": "d-1", "generation": 1},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "op"}}, "template": template},
        "status": {"observedGeneration": 1, "replicas": 1, "updatedReplicas": 1, "conditions": conditions},
    }
    return _Counting(deployment, _replica_set("op-new", "new", "2026-02-01T00:00:00Z", 1, 0), _pending_pod(0))


def test_a_first_install_not_ready_yet_is_left_to_the_pods_check() -> None:
    assert doctor_rollout.rollouts(_first_install([]), [("ops", "op")]) == []


def test_a_first_install_past_its_deadline_is_named_with_no_undo() -> None:
    """kubernetes/kubernetes pkg/controller/deployment/progress.go syncRolloutStatus sets
    Progressing False, ProgressDeadlineExceeded on a first rollout too; with no older ReplicaSet
    there is no revision for ``kubectl rollout undo`` to go back to."""
    timed_out = [{"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded"}]
    [stuck] = doctor_rollout.rollouts(_first_install(timed_out), [("ops", "op")])
    assert stuck.fix == (
        "kubectl rollout status deployment/op -n ops follows it; "
        "kubectl describe deployment op -n ops names what holds it"
    )


def test_a_deployment_scaled_up_whose_new_pods_serve_is_no_rollout_finding() -> None:
    """Two replicas asked of a rolled-out Deployment, the second Pending: kubectl rollout status
    waits ("1 of 2 updated replicas are available"), but no pod template changed, so there is
    nothing to undo; the older revision kept at 0 (sync.go cleanupDeployment) is only history."""
    template = {"metadata": {"labels": {"app": "op"}}, "spec": {"containers": [{"name": "op", "image": "new"}]}}
    deployment = {
        "kind": "Deployment",
        "metadata": {"name": "op", "namespace": "ops", "uid": "d-1", "generation": 3},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "op"}}, "template": template},
        "status": {"observedGeneration": 3, "replicas": 2, "updatedReplicas": 2, "availableReplicas": 1},
    }
    reader = _Counting(
        deployment,
        _replica_set("op-old", "old", "2026-01-01T00:00:00Z", 0, 0),
        _replica_set("op-new", "new", "2026-02-01T00:00:00Z", 2, 1),
    )
    assert doctor_rollout.rollouts(reader, [("ops", "op")]) == []


def test_a_rollout_whose_new_pod_mounts_a_missing_secret_names_the_secret_and_the_fix(
    kube_emulator: Any, kubeconfig: Any
) -> None:
    """The new pod waits in ContainerCreating with FailedMount (the emulator's kubelet:
    tests/emulators/kube/controllers/kubelet_volumes.py; kubernetes/kubernetes pkg/volume/secret/
    secret.go SetUpAt): doctor names the volume's Secret and how to make it."""
    _operator(kube_emulator)
    d = kube_emulator.cluster.get("apps/v1", "Deployment", NS, "keda-operator")
    d["spec"]["template"]["spec"]["volumes"] = [{"name": "certs", "secret": {"secretName": "kedaorg-certs"}}]
    kube_emulator.cluster.update(d)
    assert wait_until(lambda: _status(kube_emulator).get("replicas") == 2)
    [rollout] = [c for c in _keda_checks()[1] if c["check"].startswith("rollout ")]
    assert "; 1 old replica(s) still serving; pod keda-operator-" in rollout["detail"]
    assert rollout["detail"].endswith(
        " waits in ContainerCreating: its volume certs mounts Secret kedaorg-certs, which namespace keda does not have"
    )
    assert rollout["fix"].startswith("create Secret kedaorg-certs in namespace keda, or mark the volume optional: ")
    assert rollout["fix"].endswith("; kubectl rollout status deployment/keda-operator -n keda follows it")
