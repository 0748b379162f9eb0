"""Karpenter marks a NodeClaim Drifted by itself when its NodePool's hashed template, its requirements
or its AKSNodeClass's hashed spec change, and only then (kubernetes-sigs/karpenter 2266468
pkg/controllers/nodeclaim/disruption/drift.go, pkg/apis/v1/nodepool.go NodePool.Hash,
pkg/controllers/nodepool/hash/controller.go; Azure/karpenter-provider-azure 352646f
pkg/cloudprovider/drift.go, pkg/apis/v1beta1/aksnodeclass.go AKSNodeClass.Hash;
tests/emulators/kube/controllers/karpenter_drift.py)."""

from __future__ import annotations

from typing import Any

from akscli.nap.hashes import aksnodeclass_hash
from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.emulators.kube.controllers.karpenter_drift import (
    CLASS_HASH,
    POOL_HASH,
    POOL_HASH_VERSION,
    class_hash,
    drift_reason,
    pool_hash,
)
from tests.kube_emulator.test_karpenter import H100, emu, gpu_app, gpu_pool, running_on
from tests.kube_emulator.test_karpenter_termination import CLAIMS, conditions

__all__ = ["emu"]  # the fixture
POOLS = ("karpenter.sh/v1", "NodePool")
CLASSES = ("karpenter.azure.com/v1beta1", "AKSNodeClass")


def one_claim(emu: KubeEmulator, **pool_spec: Any) -> str:
    emu.nap.disruption.polling = 3600.0  # a marked claim is not replaced while the test looks
    emu.nap.disruption.queue_delay = 3600.0
    emu.cluster.create(gpu_pool("gpu", [H100], **pool_spec))
    emu.cluster.create(gpu_app("llm", H100))
    running_on(emu, "llm")
    [claim] = emu.cluster.list(*CLAIMS)
    return str(claim["metadata"]["name"])


def drifted(emu: KubeEmulator, claim: str) -> tuple[str, str] | None:
    return conditions(emu.cluster.get(*CLAIMS, None, claim) or {}).get("Drifted")


def pool_annotations(emu: KubeEmulator) -> dict[str, str]:
    return dict((emu.cluster.get(*POOLS, None, "gpu") or {})["metadata"].get("annotations") or {})


def edit_pool(emu: KubeEmulator, spec: dict[str, Any]) -> None:
    emu.cluster.patch(*POOLS, None, "gpu", {"spec": spec})


def settle(emu: KubeEmulator) -> None:
    """The emulator's controllers have handled every write (a no-drift answer has nothing to wait on)."""
    assert emu.idle()


def test_the_nodepool_and_its_nodeclaim_carry_the_same_hash(emu: KubeEmulator) -> None:
    claim = one_claim(emu)
    own = (emu.cluster.get(*CLAIMS, None, claim) or {})["metadata"]["annotations"]
    assert wait_until(lambda: POOL_HASH in pool_annotations(emu))
    assert own[POOL_HASH] == pool_annotations(emu)[POOL_HASH]
    assert own[POOL_HASH_VERSION] == pool_annotations(emu)[POOL_HASH_VERSION] == "v3"
    assert drifted(emu, claim) is None


def test_a_changed_template_field_drifts_the_claim_as_nodepool_drifted(emu: KubeEmulator) -> None:
    claim = one_claim(emu)
    edit_pool(emu, {"template": {"spec": {"expireAfter": "Never"}}})
    assert wait_until(lambda: drifted(emu, claim) == ("True", "NodePoolDrifted"))


def test_a_template_label_drifts_the_claim(emu: KubeEmulator) -> None:
    claim = one_claim(emu)
    edit_pool(emu, {"template": {"metadata": {"labels": {"team": "a"}}}})
    assert wait_until(lambda: drifted(emu, claim) == ("True", "NodePoolDrifted"))


def test_limits_weight_and_budgets_leave_the_hash_and_the_claim_alone(emu: KubeEmulator) -> None:
    claim = one_claim(emu)
    assert wait_until(lambda: POOL_HASH in pool_annotations(emu))
    before = pool_annotations(emu)[POOL_HASH]
    edit_pool(emu, {"limits": {"nvidia.com/gpu": "64"}, "weight": 7, "disruption": {"budgets": [{"nodes": "1"}]}})
    assert wait_until(lambda: (emu.cluster.get(*POOLS, None, "gpu") or {})["spec"].get("weight") == 7)
    emu.cluster.patch(*CLASSES, None, "default", {"spec": {"tags": {"owner": "ml"}}})  # tags: hash:"ignore"
    settle(emu)
    assert pool_annotations(emu)[POOL_HASH] == before
    assert drifted(emu, claim) is None


def test_requirements_that_no_longer_admit_the_node_drift_it_as_requirements_drifted(emu: KubeEmulator) -> None:
    claim = one_claim(emu)
    other = {"key": "karpenter.azure.com/sku-name", "operator": "In", "values": ["Standard_NC24ads_A100_v4"]}
    edit_pool(emu, {"template": {"spec": {"requirements": [other]}}})
    assert wait_until(lambda: drifted(emu, claim) == ("True", "RequirementsDrifted"))


def test_requirements_that_still_admit_the_node_drift_nothing(emu: KubeEmulator) -> None:
    claim = one_claim(emu)
    wider = {"key": "karpenter.azure.com/sku-name", "operator": "In", "values": [H100, "Standard_NC24ads_A100_v4"]}
    edit_pool(emu, {"template": {"spec": {"requirements": [wider]}}})
    assert wait_until(
        lambda: (
            len((emu.cluster.get(*POOLS, None, "gpu") or {})["spec"]["template"]["spec"]["requirements"][0]["values"])
            == 2
        )
    )
    settle(emu)
    assert drifted(emu, claim) is None


def test_a_changed_nodeclass_spec_drifts_its_claims_as_nodeclass_drift(emu: KubeEmulator) -> None:
    claim = one_claim(emu)
    emu.cluster.patch(*CLASSES, None, "default", {"spec": {"osDiskSizeGB": 256}})
    assert wait_until(lambda: drifted(emu, claim) == ("True", "NodeClassDrift"))


def test_a_drifted_node_is_replaced_by_one_with_the_new_hash(emu: KubeEmulator) -> None:
    claim = one_claim(emu)
    emu.nap.disruption.polling = 0.05
    emu.nap.disruption.queue_delay = 0.05
    edit_pool(emu, {"template": {"spec": {"expireAfter": "Never"}}})
    assert wait_until(lambda: emu.cluster.get(*CLAIMS, None, claim) is None, timeout=10)
    [replacement] = emu.cluster.list(*CLAIMS)
    assert replacement["metadata"]["annotations"][POOL_HASH] == pool_annotations(emu)[POOL_HASH]
    assert drifted(emu, replacement["metadata"]["name"]) is None
    assert wait_until(lambda: running_on(emu, "llm") == f"aks-{replacement['metadata']['name']}", timeout=5)
    assert emu.controllers.errors == []


def test_the_hash_reads_durations_by_value_and_a_present_empty_list_as_set() -> None:
    # mitchellh/hashstructure a045b66: a non-nil empty slice is no zero value; NillableDuration
    # hashes its *time.Duration (Raw is hash:"ignore"); AKSNodeClass fields are pointers
    def template(**spec: Any) -> dict[str, Any]:
        return gpu_pool("gpu", [H100], **{"template": {"spec": {"nodeClassRef": {"name": "default"}, **spec}}})

    assert pool_hash(template(expireAfter="720h")) == pool_hash(template(expireAfter="43200m"))
    assert pool_hash(template(startupTaints=[])) != pool_hash(template())
    assert pool_hash(template(taints=[{"key": "k", "value": "", "effect": "NoSchedule"}])) == pool_hash(
        template(taints=[{"key": "k", "effect": "NoSchedule"}])
    )
    assert class_hash({"spec": {"fipsMode": "Disabled"}}) != class_hash({"spec": {}})
    assert class_hash({"spec": {"security": {"encryptionAtHost": False}}}) != class_hash({"spec": {}})
    assert class_hash({"spec": {"tags": {"a": "1"}}}) == class_hash({"spec": {}})


def test_the_class_hash_stamped_is_the_providers_hash_of_the_stored_class(emu: KubeEmulator) -> None:
    # aksnodeclass_hash_test.go's base class less its vnetSubnetID "subnet-id", which the CRD's pattern refuses:
    # the number is akscli.nap.hashes's, which tests/foundation/test_nap_hash.py pins to that file's static hashes
    spec = {
        "osDiskSizeGB": 30,
        "imageFamily": "Ubuntu2204",
        "tags": {"keyTag-1": "valueTag-1"},
        "kubelet": {"cpuManagerPolicy": "static", "cpuCFSQuotaPeriod": "100ms", "allowedUnsafeSysctls": ["a"]},
        "maxPods": 100,
    }
    emu.cluster.create({"apiVersion": CLASSES[0], "kind": "AKSNodeClass", "metadata": {"name": "static"}, "spec": spec})

    def stored() -> dict[str, Any]:
        return emu.cluster.get(*CLASSES, None, "static") or {}

    assert wait_until(lambda: CLASS_HASH in (stored()["metadata"].get("annotations") or {}))
    assert stored()["metadata"]["annotations"][CLASS_HASH] == aksnodeclass_hash(stored())


def test_contradicting_requirements_on_a_label_the_claim_lacks_drift_nothing() -> None:
    # kubernetes-sigs/karpenter pkg/scheduling/requirements.go Add intersects a key given twice: In [x] and
    # In [y] leave DoesNotExist, which a claim without the label meets (Compatible)
    claim = {"metadata": {"labels": {}}, "status": {"conditions": [{"type": "Launched", "status": "True"}]}}
    twice = [{"key": "team", "operator": "In", "values": [v]} for v in ("x", "y")]
    pool = {"spec": {"template": {"spec": {"requirements": twice}}}}
    assert drift_reason(claim, pool, None) == ""
    pool["spec"]["template"]["spec"]["requirements"] = twice[:1]
    assert drift_reason(claim, pool, None) == "RequirementsDrifted"
