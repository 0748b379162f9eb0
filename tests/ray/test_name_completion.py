"""TAB after a Ray command that acts on an existing object offers the names the
cluster has, as journeys4 made it for `model status <TAB>` and as kubectl completes `kubectl get
raycluster <TAB>` (kubernetes/kubectl pkg/util/completion/completion.go ResourceNameCompletionFunc):
read within complete.CLUSTER_TIMEOUT_S, in -n's namespace (else the context's), nothing without a
cluster. A command that creates the object (`ray cluster create`, `ray service deploy`) offers none."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from akscli.cli.complete import protocol_lines
from akscli.cli.main import root_command

RAY = "ray.io/v1"
Start = Callable[..., Any]


def _offered(*words: str) -> list[str]:
    return [line.split("\t")[0] for line in protocol_lines(["__complete", *words], root_command)[:-1]]


# The least a RayCluster's schema takes (shared/crds/kuberay): a head group with one container.
CLUSTER = {
    "headGroupSpec": {"rayStartParams": {}, "template": {"spec": {"containers": [{"name": "ray-head", "image": "r"}]}}}
}
SPECS = {
    "RayCluster": CLUSTER,
    "RayService": {"rayClusterConfig": CLUSTER},
    "RayJob": {"entrypoint": "python train.py", "rayClusterSpec": CLUSTER},
}


def _ray(emu: Any, kind: str, name: str, namespace: str = "default") -> None:
    meta = {"name": name, "namespace": namespace}
    emu.cluster.create({"apiVersion": RAY, "kind": kind, "metadata": meta, "spec": SPECS[kind]})


@pytest.fixture
def ray_world(ray_emulator: Start) -> Any:
    emu = ray_emulator(operator=False)
    emu.cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ml"}})
    _ray(emu, "RayCluster", "train")
    _ray(emu, "RayCluster", "tune")
    _ray(emu, "RayCluster", "batch", "ml")
    _ray(emu, "RayService", "serve")
    _ray(emu, "RayJob", "nightly")
    return emu


@pytest.mark.parametrize(
    "words",
    [["cluster", "status"], ["cluster", "scale"], ["cluster", "delete"], ["cluster", "logs"], ["workergroup", "add"]],
)
def test_a_ray_cluster_name_completes_from_the_cluster(ray_world: Any, words: list[str]) -> None:
    assert _offered("ray", *words, "") == ["train", "tune"]
    assert _offered("ray", *words, "tr") == ["train"]


def test_a_ray_cluster_name_completes_in_the_namespace_given_with_n(ray_world: Any) -> None:
    assert _offered("ray", "cluster", "status", "-n", "ml", "") == ["batch"]


@pytest.mark.parametrize("words", [["service", "status"], ["service", "delete"]])
def test_a_ray_service_name_completes_from_the_cluster(ray_world: Any, words: list[str]) -> None:
    assert _offered("ray", *words, "") == ["serve"]


@pytest.mark.parametrize("words", [["job", "status"], ["job", "logs"], ["job", "stop"], ["job", "delete"]])
def test_a_ray_job_name_completes_from_the_cluster(ray_world: Any, words: list[str]) -> None:
    assert _offered("ray", *words, "") == ["nightly"]


@pytest.mark.parametrize("words", [["cluster", "create"], ["service", "deploy"]])
def test_a_command_that_creates_the_object_offers_no_existing_name(ray_world: Any, words: list[str]) -> None:
    assert _offered("ray", *words, "") == []


def test_no_cluster_completes_no_ray_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "absent"))
    assert protocol_lines(["__complete", "ray", "job", "status", ""], root_command) == [":4"]


def test_a_dashboard_target_completes_cluster_names_and_the_type_forms(ray_world: Any) -> None:
    # kubectl logs <TAB>: the pods' names, then `type/` for the kinds that have pods
    # (kubernetes/kubectl pkg/util/completion/completion.go doPodResourceCompletion).
    assert _offered("ray", "dashboard", "") == ["train", "tune", "raycluster/", "rayjob/", "rayservice/"]
    assert _offered("ray", "dashboard", "tr") == ["train"]


def test_a_dashboard_type_form_completes_that_kinds_names(ray_world: Any) -> None:
    assert _offered("ray", "dashboard", "rayjob/") == ["rayjob/nightly"]
    assert _offered("ray", "dashboard", "rayservice/s") == ["rayservice/serve"]
    assert _offered("ray", "dashboard", "raycluster/t") == ["raycluster/train", "raycluster/tune"]


def test_a_dashboard_target_of_only_type_forms_adds_no_space_after_the_slash(ray_world: Any) -> None:
    assert protocol_lines(["__complete", "ray", "dashboard", "rayj"], root_command) == ["rayjob/", ":6"]
    assert protocol_lines(["__complete", "ray", "dashboard", "t"], root_command)[-1] == ":4"


def test_a_dashboard_target_of_an_unknown_type_completes_nothing(ray_world: Any) -> None:
    assert _offered("ray", "dashboard", "pod/") == []


def test_a_dashboard_type_form_with_its_group_completes_that_kinds_names(ray_world: Any) -> None:
    assert _offered("ray", "dashboard", "rayjob.ray.io/") == ["rayjob.ray.io/nightly"]


@pytest.mark.parametrize("typed", ["train", "raycluster/train"])
def test_a_delete_of_several_names_offers_no_name_already_on_the_line(ray_world: Any, typed: str) -> None:
    # kubectl's `kubectl delete raycluster train <TAB>` (kubernetes/kubectl pkg/util/completion/completion.go
    # resourceTypeAndNameCompletionFunc: "Remove choices already on the command-line").
    assert _offered("ray", "cluster", "delete", typed, "") == ["tune"]
    assert _offered("ray", "cluster", "delete", "train", "tune", "") == []
