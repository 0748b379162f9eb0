"""doctor's node auto-provisioning component: whether the NodePools can make nodes, read from their
conditions (karpenter pkg/apis/v1/nodepool_status.go), never blocking (NAP is optional)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from akscli.doctor import checks as doctor
from akscli.nap import health as nap_health
from tests.cli import invoke
from tests.emulators.kube.controllers.karpenter_install import install_nap
from tests.emulators.kube.crds import default_crd_dir

from .fakes import FakeReader


@pytest.fixture
def kube_emulator(kube_emulator_factory: Callable[..., Any]) -> Any:
    return kube_emulator_factory(crd_dirs=[default_crd_dir() / "karpenter"], controller_delay=0.02)


def nap_checks(*args: str) -> tuple[int, dict[str, dict[str, Any]]]:
    result = invoke("doctor", "--for", "gpu", "-o", "json", *args)
    checks = {c["check"]: c for c in json.loads(result.stdout)["checks"] if c["component"] == "nap"}
    return result.exit_code, checks


def test_doctor_finds_the_nap_nodepools_ready(kube_emulator: Any, kubeconfig: Any) -> None:
    install_nap(kube_emulator)
    assert kube_emulator.idle(10.0)
    _, checks = nap_checks()
    assert checks["nodepools"]["status"] == "ok"
    assert checks["nodepools"]["detail"] == "1 NodePool(s) Ready"


def test_a_nodepool_whose_aksnodeclass_is_missing_is_reported_with_its_condition_and_blocks_nothing(
    kube_emulator: Any, kubeconfig: Any
) -> None:
    install_nap(kube_emulator)
    pool = kube_emulator.cluster.get("karpenter.sh/v1", "NodePool", None, "default")
    pool["spec"]["template"]["spec"]["nodeClassRef"]["name"] = "gpu"  # no such AKSNodeClass
    kube_emulator.cluster.update(pool)
    assert kube_emulator.idle(10.0)
    code, checks = nap_checks()
    check = checks["nodepool default"]
    assert (check["status"], check["severity"]) == ("not-ready", "optional")
    assert check["detail"] == (
        "NodePool default is not Ready (False): NodeClassReady NodeClassNotFound: NodeClass not found on cluster"
    )
    assert check["fix"].startswith("kubectl describe nodepool default")
    assert code == 0


def test_nap_enabled_without_any_nodepool_is_a_gap(kube_emulator: Any, kubeconfig: Any) -> None:
    _, checks = nap_checks()
    assert checks["nodepools"]["status"] == "missing"
    assert "akscli nodepool add NAME --auto-provision" in checks["nodepools"]["fix"]


def test_a_cluster_without_nap_reports_it_not_enabled() -> None:
    [result] = [r for r in doctor.run(FakeReader(), ("gpu",)) if r.component == "nap"]
    assert (result.status, result.present) == ("ok", False)
    assert result.detail == "node auto-provisioning is not enabled (no nodepools.karpenter.sh CRD)"


def test_a_nodepool_karpenter_has_not_reconciled_yet_says_so() -> None:
    pool = {"metadata": {"name": "gpu"}, "status": {}}
    assert nap_health.health(pool).describe() == (
        "NodePool gpu has no Ready condition yet: Karpenter has not reconciled it"
    )


def test_the_unhealthy_dependent_explains_a_ready_false_as_operatorpkg_writes_it() -> None:
    """Ready False UnhealthyDependents names the dependents; the dependent carries the why."""
    conditions = [
        {"type": "ValidationSucceeded", "status": "True", "reason": "ValidationSucceeded"},
        {"type": "NodeClassReady", "status": "False", "reason": "NodeClassNotReady", "message": "ImagesReady=False"},
        {"type": "Ready", "status": "False", "reason": "UnhealthyDependents", "message": "NodeClassReady=False"},
    ]
    health = nap_health.health({"metadata": {"name": "gpu"}, "status": {"conditions": conditions}})
    assert health.why == "NodeClassReady NodeClassNotReady: ImagesReady=False"


SUBNET = "/subscriptions/0000/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/vnet/subnets/gpu"


def add_class(kube_emulator: Any, name: str, subnet: str | None = None) -> None:
    spec = {"vnetSubnetID": subnet} if subnet else {}
    kube_emulator.cluster.create(
        {"apiVersion": "karpenter.azure.com/v1beta1", "kind": "AKSNodeClass", "metadata": {"name": name}, "spec": spec}
    )


def test_an_aksnodeclass_no_nodepool_uses_is_checked_and_reported_with_its_own_condition(
    kube_emulator: Any, kubeconfig: Any
) -> None:
    nap = install_nap(kube_emulator)
    nap.missing_subnets.add(SUBNET)
    add_class(kube_emulator, "gpu", SUBNET)
    assert kube_emulator.idle(10.0)
    code, checks = nap_checks()
    check = checks["aksnodeclass gpu"]
    assert (check["status"], check["severity"]) == ("not-ready", "optional")
    assert (
        check["detail"]
        == f"AKSNodeClass gpu is not Ready (False): SubnetsReady SubnetNotFound: resource not found: {SUBNET}"
    )
    assert check["fix"].startswith(
        "kubectl describe aksnodeclass gpu, then correct spec.vnetSubnetID (kubectl edit aksnodeclass gpu), "
        "or delete it if no NodePool is to use it (kubectl delete aksnodeclass gpu)"
    )
    assert checks["nodepools"]["status"] == "ok"  # the default NodePool uses the default class
    assert code == 0


def test_a_class_that_is_not_ready_names_the_nodepools_it_stops(kube_emulator: Any, kubeconfig: Any) -> None:
    nap = install_nap(kube_emulator)
    nap.missing_subnets.add(SUBNET)
    add_class(kube_emulator, "gpu", SUBNET)
    pool = kube_emulator.cluster.get("karpenter.sh/v1", "NodePool", None, "default")
    pool["spec"]["template"]["spec"]["nodeClassRef"]["name"] = "gpu"
    kube_emulator.cluster.update(pool)
    assert kube_emulator.idle(10.0)
    _, checks = nap_checks()
    assert checks["aksnodeclass gpu"]["detail"].endswith("; NodePool(s) default make no node until it is")
    assert "delete" not in checks["aksnodeclass gpu"]["fix"]
    assert checks["nodepool default"]["detail"] == (
        "NodePool default is not Ready (False): NodeClassReady UnhealthyDependents: SubnetsReady=False"
    )


def test_ready_classes_no_nodepool_uses_are_named_without_a_gap(kube_emulator: Any, kubeconfig: Any) -> None:
    install_nap(kube_emulator)
    add_class(kube_emulator, "spare")
    assert kube_emulator.idle(10.0)
    _, checks = nap_checks()
    assert checks["aksnodeclasses"]["status"] == "ok"
    assert checks["aksnodeclasses"]["detail"] == "2 AKSNodeClass(es) Ready; used by no NodePool: spare"


def test_a_class_the_provider_has_not_reconciled_yet_says_so() -> None:
    health = nap_health.class_health({"metadata": {"name": "gpu"}}, ("default",))
    assert health.describe() == (
        "AKSNodeClass gpu has no Ready condition yet: Karpenter has not reconciled it; "
        "NodePool(s) default make no node until it is"
    )


def test_which_nodepools_use_a_class_is_unknown_where_not_every_nodepool_was_read() -> None:
    pools = [nap_health.PoolHealth(f"p{i}", "True", node_class="default") for i in range(nap_health.SAMPLE)]
    reader = FakeReader(
        {"apiVersion": "karpenter.azure.com/v1beta1", "kind": "AKSNodeClass", "metadata": {"name": "spare"}}
    )
    [spare] = nap_health.classes(reader, pools)
    assert spare.used_by is None


def test_a_karpenter_without_the_azure_provider_has_no_class_to_check() -> None:
    assert nap_health.classes(FakeReader(unserved=("AKSNodeClass",)), []) == []
