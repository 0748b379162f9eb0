"""The conditions the node auto-provisioning simulator writes (kube/controllers/karpenter_status.py):
an AKSNodeClass's own, as the provider's nodeclass status controller writes them, and a NodePool's
NodeClassReady and Ready, as karpenter's readiness controller and operatorpkg write them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.controllers.karpenter_install import install_nap
from tests.emulators.kube.crds import default_crd_dir

POOL = ("karpenter.sh/v1", "NodePool")
CLASS = ("karpenter.azure.com/v1beta1", "AKSNodeClass")
SUBNET = "/subscriptions/0000/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/vnet/subnets/gpu"


@pytest.fixture
def emu(kube_emulator_factory: Callable[..., KubeEmulator]) -> KubeEmulator:
    e = kube_emulator_factory(crd_dirs=[default_crd_dir() / "karpenter"], controller_delay=0.02)
    e.nap = install_nap(e)
    assert e.idle(10.0)
    return e


def conditions(emu: KubeEmulator, kind: tuple[str, str], name: str) -> dict[str, dict[str, Any]]:
    obj = emu.cluster.get(*kind, None, name)
    return {c["type"]: c for c in obj["status"]["conditions"]}


def point_default_pool_at(emu: KubeEmulator, class_name: str) -> None:
    pool = emu.cluster.get(*POOL, None, "default")
    pool["spec"]["template"]["spec"]["nodeClassRef"]["name"] = class_name
    emu.cluster.update(pool)
    assert emu.idle(10.0)


def test_a_working_aksnodeclass_gets_every_dependent_true_and_ready(emu: KubeEmulator) -> None:
    found = conditions(emu, CLASS, "default")
    assert set(found) == {
        "KubernetesVersionReady", "ImagesReady", "SubnetsReady", "ValidationSucceeded", "LocalDNSReady", "Ready"
    }  # fmt: skip
    assert all(c["status"] == "True" and c["reason"] == c["type"] for c in found.values())


def test_a_nodepool_whose_class_is_missing_is_not_ready_with_unhealthy_dependents(emu: KubeEmulator) -> None:
    point_default_pool_at(emu, "gpu")  # no such AKSNodeClass
    found = conditions(emu, POOL, "default")
    assert (found["NodeClassReady"]["reason"], found["NodeClassReady"]["message"]) == (
        "NodeClassNotFound",
        "NodeClass not found on cluster",
    )
    ready = found["Ready"]
    assert (ready["status"], ready["reason"], ready["message"]) == (
        "False",
        "UnhealthyDependents",
        "NodeClassReady=False",
    )


def test_a_class_whose_subnet_is_not_found_is_not_ready_and_its_pool_says_so(emu: KubeEmulator) -> None:
    emu.nap.missing_subnets.add(SUBNET)
    emu.cluster.create(
        {"apiVersion": CLASS[0], "kind": CLASS[1], "metadata": {"name": "gpu"}, "spec": {"vnetSubnetID": SUBNET}}
    )
    point_default_pool_at(emu, "gpu")
    found = conditions(emu, CLASS, "gpu")
    subnet = found["SubnetsReady"]
    assert (subnet["status"], subnet["reason"], subnet["message"]) == (
        "False",
        "SubnetNotFound",
        f"resource not found: {SUBNET}",
    )
    assert (found["Ready"]["reason"], found["Ready"]["message"]) == ("UnhealthyDependents", "SubnetsReady=False")
    node_class = conditions(emu, POOL, "default")["NodeClassReady"]
    assert (node_class["status"], node_class["reason"], node_class["message"]) == (
        "False",
        "UnhealthyDependents",
        "SubnetsReady=False",
    )


def test_deleting_the_class_makes_its_pool_not_ready(emu: KubeEmulator) -> None:
    emu.cluster.delete(*CLASS, None, "default")
    assert emu.idle(10.0)
    assert conditions(emu, POOL, "default")["NodeClassReady"]["reason"] == "NodeClassNotFound"
