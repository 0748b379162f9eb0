"""A ``ray cluster create -f`` file's pod templates name a ServiceAccount, ConfigMaps and Secrets
the namespace must hold (akscli/ray/file_refs.py cites what a missing one does to the pod): the
ones no pod starts without are refused before the RayCluster is applied, an image pull Secret is a
warning (the kubelet pulls without it), and what cannot be read is a warning."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from akscli import yamlio
from akscli.ray import file_refs
from tests.cli import invoke

RAY = "ray.io/v1"
Start = Callable[..., Any]


def _file(tmp_path: Path, head: dict[str, Any] | None = None, worker: dict[str, Any] | None = None) -> str:
    """A RayCluster file akscli renders, with ``head`` and ``worker`` merged into the pod specs."""
    rendered = invoke("ray", "cluster", "create", "demo", "--dry-run=client", "-o", "yaml")
    assert rendered.exit_code == 0, rendered
    [doc] = yamlio.load_all(rendered.stdout, "rendered")
    doc["spec"]["headGroupSpec"]["template"]["spec"].update(head or {})
    doc["spec"]["workerGroupSpecs"][0]["template"]["spec"].update(worker or {})
    path = tmp_path / "rc.yaml"
    path.write_text(yamlio.dump(doc))
    return str(path)


def _make(emu: Any, kind: str, name: str) -> None:
    emu.cluster.create({"apiVersion": "v1", "kind": kind, "metadata": {"name": name, "namespace": "default"}})


SECRET_VOLUME = {"volumes": [{"name": "creds", "secret": {"secretName": "s3-creds"}}]}
CONFIG_ENV = {
    "containers": [
        {
            "name": "ray-worker",
            "image": "rayproject/ray:2.52.0",
            "env": [{"name": "MODE", "valueFrom": {"configMapKeyRef": {"name": "ray-settings", "key": "mode"}}}],
        }
    ]
}


def test_a_file_naming_a_service_account_that_does_not_exist_is_refused(ray_emulator: Start, tmp_path: Path) -> None:
    emu = ray_emulator()
    path = _file(tmp_path, head={"serviceAccountName": "ray-sa"})
    result = invoke("ray", "cluster", "create", "demo", "-f", path, "-y")
    assert result.exit_code == 3, result
    [error] = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert "names what namespace default does not have: ServiceAccount ray-sa (head serviceAccountName)" in error
    assert "kubectl create serviceaccount ray-sa -n default" in result.stderr
    assert "Traceback" not in result.stderr
    assert emu.cluster.get(RAY, "RayCluster", "default", "demo") is None


def test_every_missing_volume_and_env_source_is_named_in_one_refusal(ray_emulator: Start, tmp_path: Path) -> None:
    emu = ray_emulator()
    path = _file(tmp_path, head=SECRET_VOLUME, worker=CONFIG_ENV)
    result = invoke("ray", "cluster", "create", "demo", "-f", path, "-y")
    assert result.exit_code == 3, result
    assert "Secret s3-creds (head volume creds); ConfigMap ray-settings (worker group" in result.stderr
    assert emu.cluster.get(RAY, "RayCluster", "default", "demo") is None


def test_a_file_whose_references_exist_is_applied(ray_emulator: Start, tmp_path: Path) -> None:
    emu = ray_emulator()
    for kind, name in (("ServiceAccount", "ray-sa"), ("Secret", "s3-creds"), ("ConfigMap", "ray-settings")):
        _make(emu, kind, name)
    path = _file(tmp_path, head={"serviceAccountName": "ray-sa", **SECRET_VOLUME}, worker=CONFIG_ENV)
    result = invoke("ray", "cluster", "create", "demo", "-f", path, "-y")
    assert result.exit_code == 0, result
    assert "-f file" not in result.stderr
    assert emu.cluster.get(RAY, "RayCluster", "default", "demo") is not None


def test_optional_sources_are_not_required(ray_emulator: Start, tmp_path: Path) -> None:
    emu = ray_emulator()
    volume = {"volumes": [{"name": "creds", "secret": {"secretName": "s3-creds", "optional": True}}]}
    path = _file(tmp_path, head=volume)
    result = invoke("ray", "cluster", "create", "demo", "-f", path, "-y")
    assert result.exit_code == 0, result
    assert emu.cluster.get(RAY, "RayCluster", "default", "demo") is not None


def test_a_missing_image_pull_secret_is_a_warning(ray_emulator: Start, tmp_path: Path) -> None:
    emu = ray_emulator()
    path = _file(tmp_path, worker={"imagePullSecrets": [{"name": "acr-pull"}]})
    result = invoke("ray", "cluster", "create", "demo", "-f", path, "-y")
    assert result.exit_code == 0, result
    assert "Secret default/acr-pull (worker group" in result.stderr
    assert "the kubelet pulls the image without it" in result.stderr
    assert emu.cluster.get(RAY, "RayCluster", "default", "demo") is not None


def test_references_that_cannot_be_read_are_a_warning(ray_emulator: Start, tmp_path: Path) -> None:
    emu = ray_emulator()
    emu.auth.deny(verb="get", resource="serviceaccounts")
    path = _file(tmp_path, head={"serviceAccountName": "ray-sa"})
    result = invoke("ray", "cluster", "create", "demo", "-f", path, "-y")
    assert result.exit_code == 0, result
    assert "cannot read ServiceAccount ray-sa in namespace default: not checked that they exist" in result.stderr


def test_each_object_named_twice_is_read_once() -> None:
    class Reads:
        def __init__(self) -> None:
            self.gets: list[tuple[str, str]] = []

        def get(self, api_version: str, kind: str, name: str, namespace: str | None = None) -> dict[str, Any]:
            self.gets.append((kind, name))
            return {}

    sa = {"serviceAccountName": "ray-sa", **SECRET_VOLUME}
    cluster = {
        "spec": {
            "headGroupSpec": {"template": {"spec": sa}},
            "workerGroupSpecs": [{"groupName": "gpu", "template": {"spec": sa}}],
        }
    }
    reads = Reads()
    assert file_refs.check(reads, cluster, "default", "rc.yaml") == []  # type: ignore[arg-type]
    assert reads.gets == [("ServiceAccount", "ray-sa"), ("Secret", "s3-creds")]
