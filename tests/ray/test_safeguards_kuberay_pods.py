"""The probes safeguard judges a RayCluster's head and worker pods as KubeRay makes them
(akscli.kube.safeguards.as_kuberay_makes; ray-project/kuberay feeaf72f ray-operator/controllers/
ray/common/pod.go): KubeRay gives the Ray container each probe it lacks, but the in-tree autoscaler
and any sidecar go without, and Gatekeeper's rule checks every container. The pods carry KubeRay's
labels (labelPod), which a constraint's labelSelector is matched against."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from akscli import errors
from akscli.kube import safeguards
from tests.cli import invoke
from tests.emulators.kube.gatekeeper import install_probes_safeguard, probes_constraint
from tests.model.test_safeguards_probes_constraint import FakeKube, templates

IMAGE = "rayproject/ray:2.52.0"


def cluster(*, autoscale: bool = False, worker: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    head = {"rayStartParams": {}, "template": {"spec": {"containers": [{"name": "ray-head", "image": IMAGE}]}}}
    spec: dict[str, Any] = {"rayVersion": "2.52.0", "headGroupSpec": head}
    if autoscale:
        spec["enableInTreeAutoscaling"] = True
    if worker is not None:
        spec["workerGroupSpecs"] = [
            {"groupName": "gpu", "replicas": 1, "rayStartParams": {}, "template": {"spec": {"containers": worker}}}
        ]
    return {
        "apiVersion": "ray.io/v1",
        "kind": "RayCluster",
        "metadata": {"name": "rc", "namespace": "models"},
        "spec": spec,
    }


def constraint(**match: Any) -> dict[str, Any]:
    obj = probes_constraint()
    obj["spec"]["match"].update(match)
    return obj


def test_the_autoscaler_sidecar_of_a_head_is_refused() -> None:
    with pytest.raises(errors.CheckFailedError) as err:
        safeguards.check(FakeKube(probes_constraint()), templates(cluster(autoscale=True)))  # type: ignore[arg-type]
    assert err.value.message.startswith("raycluster.ray.io/rc (head group): Deployment Safeguards would refuse")
    assert "Container <autoscaler> in your Pod has no <readinessProbe>" in err.value.message


def test_the_ray_container_without_probes_is_not_refused_as_kuberay_adds_them() -> None:
    assert (
        safeguards.check(FakeKube(probes_constraint()), templates(cluster(worker=[{"name": "w", "image": IMAGE}])))
        == []
    )  # type: ignore[arg-type]


def test_a_worker_sidecar_without_probes_is_refused() -> None:
    worker = [{"name": "w", "image": IMAGE}, {"name": "log-tail", "image": "busybox:1.36"}]
    with pytest.raises(errors.CheckFailedError, match=r"\(worker group gpu\).*Container <log-tail>"):
        safeguards.check(FakeKube(probes_constraint()), templates(cluster(worker=worker)))  # type: ignore[arg-type]


def test_a_ray_container_probe_kuberay_would_leave_as_set_is_judged_as_written() -> None:
    # initLivenessAndReadinessProbe sets only a nil probe; a grpc probe alone counts as missing
    worker = [{"name": "w", "image": IMAGE, "readinessProbe": {"grpc": {"port": 8080}}}]
    with pytest.raises(errors.CheckFailedError, match="Container <w> in your Pod has no <readinessProbe>"):
        safeguards.check(FakeKube(probes_constraint()), templates(cluster(worker=worker)))  # type: ignore[arg-type]


def test_a_selector_on_kuberays_worker_label_leaves_the_autoscaling_head_out() -> None:
    kube = FakeKube(constraint(labelSelector={"matchLabels": {"ray.io/node-type": "worker"}}))
    assert safeguards.check(kube, templates(cluster(autoscale=True))) == []  # type: ignore[arg-type]


def test_the_autoscaler_runs_the_head_image_which_excluded_images_covers() -> None:
    obj = probes_constraint(excluded_images=["rayproject/ray:*"])
    assert safeguards.check(FakeKube(obj), templates(cluster(autoscale=True))) == []  # type: ignore[arg-type]


def test_apply_refuses_an_autoscaling_raycluster_before_anything_is_sent(
    ray_emulator: Callable[..., Any], tmp_path: Path
) -> None:
    emu = ray_emulator()
    install_probes_safeguard(emu)
    obj = cluster(autoscale=True)
    obj["metadata"]["namespace"] = "default"
    path = tmp_path / "rc.yaml"
    path.write_text(json.dumps(obj), encoding="utf-8")
    result = invoke("apply", "-f", str(path), "-y")
    assert result.exit_code == 9, result
    assert "Container <autoscaler> in your Pod has no <readinessProbe>" in result.stderr
    assert "hint: exclude namespace default from Deployment Safeguards" in result.stderr
    assert emu.cluster.get("ray.io/v1", "RayCluster", "default", "rc") is None


def test_a_selector_on_kuberays_group_label_picks_the_worker_group() -> None:
    # labelPod: ray.io/group is the group's name, whatever the template says
    worker = [{"name": "w", "image": IMAGE}, {"name": "log-tail", "image": "busybox:1.36"}]
    chosen = FakeKube(constraint(labelSelector={"matchLabels": {"ray.io/group": "gpu", "ray.io/cluster": "rc"}}))
    with pytest.raises(errors.CheckFailedError, match="Container <log-tail>"):
        safeguards.check(chosen, templates(cluster(worker=worker)))  # type: ignore[arg-type]
    other = FakeKube(constraint(labelSelector={"matchLabels": {"ray.io/group": "cpu"}}))
    assert safeguards.check(other, templates(cluster(worker=worker))) == []  # type: ignore[arg-type]


def test_the_simulated_kuberay_gives_the_ray_container_its_probes_so_gatekeeper_admits_the_pods(
    ray_emulator: Callable[..., Any],
) -> None:
    # common/pod.go initLivenessAndReadinessProbe (tests/emulators/kube/controllers/kuberay/probes.py)
    emu = ray_emulator()
    install_probes_safeguard(emu)
    result = invoke("ray", "cluster", "create", "demo", "--wait", "--timeout", "20s")
    assert result.exit_code == 0, result
    [head] = emu.cluster.list("v1", "Pod", "default", label_selector="ray.io/cluster=demo,ray.io/node-type=head")
    ray = head["spec"]["containers"][0]
    assert ray["readinessProbe"]["exec"]["command"][:2] == ["bash", "-c"] or "httpGet" in ray["readinessProbe"]
    assert ray["livenessProbe"]["failureThreshold"] == 120
