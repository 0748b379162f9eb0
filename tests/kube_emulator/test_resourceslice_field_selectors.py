"""ResourceSlices are listed by the field selectors the API server converts for them:
``metadata.name``, ``spec.nodeName`` and ``spec.driver``, nothing else (upstream:
kubernetes/kubernetes 2e090810 pkg/apis/resource/v1/conversion.go addConversionFuncs, whose
refusal names the GroupVersionKind; pkg/registry/resource/resourceslice/strategy.go
toSelectableFields: a slice without a node has ``spec.nodeName`` ""). The real kubectl sends the
selector as typed and prints the server's 400 inside its own sentence
(kubernetes/kubectl pkg/resource/helper.go EnhanceListError, see test_kubectl_selectors)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.emulators.kube import KubeEmulator

pytestmark = [
    pytest.mark.kubectl,
    pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed"),
]


def a_slice(name: str, driver: str, node: str | None) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "driver": driver,
        "pool": {"name": node or "fabric", "generation": 1, "resourceSliceCount": 1},
        "devices": [{"name": "dev-0"}],
    }
    if node is None:
        spec["allNodes"] = True
    else:
        spec["nodeName"] = node
    return {"apiVersion": "resource.k8s.io/v1", "kind": "ResourceSlice", "metadata": {"name": name}, "spec": spec}


@pytest.fixture
def slices(kube_emulator: KubeEmulator) -> None:
    for obj in (
        a_slice("n0-gpu", "gpu.nvidia.com", "n0"),
        a_slice("n0-net", "dra.net", "n0"),
        a_slice("n1-gpu", "gpu.nvidia.com", "n1"),
        a_slice("fabric-net", "dra.net", None),
    ):
        kube_emulator.cluster.create(obj)


def kubectl(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["kubectl", *args], capture_output=True, text=True, timeout=30, check=False)


def names(selector: str) -> list[str]:
    r = kubectl("get", "resourceslices", "--field-selector", selector, "-o", "name")
    assert r.returncode == 0, r.stderr
    return r.stdout.split()


def test_spec_driver_selects_one_drivers_slices(slices: None, kubeconfig: Path) -> None:
    assert names("spec.driver=gpu.nvidia.com") == [
        "resourceslice.resource.k8s.io/n0-gpu",
        "resourceslice.resource.k8s.io/n1-gpu",
    ]


def test_spec_node_name_and_driver_select_together(slices: None, kubeconfig: Path) -> None:
    assert names("spec.nodeName=n0,spec.driver!=gpu.nvidia.com") == ["resourceslice.resource.k8s.io/n0-net"]


def test_a_slice_for_no_one_node_has_an_empty_node_name(slices: None, kubeconfig: Path) -> None:
    assert names("spec.nodeName=") == ["resourceslice.resource.k8s.io/fabric-net"]


@pytest.mark.parametrize("label", ["spec.pool.name", "metadata.namespace"])
def test_another_field_is_refused_with_the_servers_words(slices: None, kubeconfig: Path, label: str) -> None:
    r = kubectl("get", "resourceslices", "--field-selector", f"{label}=x")
    assert r.returncode == 1
    assert r.stderr.rstrip("\n") == (
        'Error from server (BadRequest): Unable to find "resource.k8s.io/v1, Resource=resourceslices" that match '
        f'label selector "", field selector "{label}=x": field label not supported for resource.k8s.io/v1, '
        f"Kind=ResourceSlice: {label}"
    )
