"""akscli and the kube emulator each read Karpenter for themselves (akscli.nap.hashes,
akscli.nap.requirement and akscli.nap.sizes; the emulator's tests/emulators/kube/controllers/
karpenter_hash.py, karpenter_requirement.py and karpenter_sizes.py), so a mistake in one reading
is not silently shared by the simulator that tests it. These tests feed both the same inputs,
taken from upstream's own tests, and expect upstream's answer from each: a drift in either shows.

- Azure/karpenter-provider-azure pkg/apis/v1beta1/aksnodeclass_hash_test.go static hashes and the
  nodepool-hash Karpenter stamped on real pools (the vectors of tests/foundation/test_nap_hash.py).
- kubernetes-sigs/karpenter pkg/scheduling/requirement_test.go: its fixtures (exists, doesNotExist,
  inA ... lessThan9), the "String" table, "should return DoesNotExist for Gt MaxInt", and
  "should normalize labels" (NewLabelRequirements and NewNodeSelectorRequirements map the beta
  zone, region, arch, os and instance-type labels to the stable ones).
- kubernetes-sigs/karpenter pkg/controllers/nodeclaim/disruption/drift.go areRequirementsDrifted.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest

import akscli.nap.hashes as akscli_hash
import akscli.nap.requirement as akscli_req
from akscli.model import skus
from akscli.nap import sizes as nap_sizes
from tests.emulators.kube.controllers import karpenter_hash as emulator_hash
from tests.emulators.kube.controllers import karpenter_requirement as emulator_req
from tests.emulators.kube.controllers import karpenter_sizes
from tests.foundation.test_nap_hash import REAL_POOLS, STATIC, spec

# requirement_test.go's fixtures, as the NodeSelectorRequirements that make them
FIXTURES = {
    "exists": ("Exists", []),
    "doesNotExist": ("DoesNotExist", []),
    "inA": ("In", ["A"]),
    "inB": ("In", ["B"]),
    "inAB": ("In", ["A", "B"]),
    "notInA": ("NotIn", ["A"]),
    "in1": ("In", ["1"]),
    "in9": ("In", ["9"]),
    "in19": ("In", ["1", "9"]),
    "notIn12": ("NotIn", ["1", "2"]),
    "greaterThan1": ("Gt", ["1"]),
    "greaterThan9": ("Gt", ["9"]),
    "lessThan1": ("Lt", ["1"]),
    "lessThan9": ("Lt", ["9"]),
}
# requirement_test.go "String" ("should print the right string"), entry by entry
STRINGS = {
    "exists": "key Exists",
    "doesNotExist": "key DoesNotExist",
    "inA": "key In [A]",
    "inB": "key In [B]",
    "inAB": "key In [A B]",
    "notInA": "key NotIn [A]",
    "in1": "key In [1]",
    "in9": "key In [9]",
    "in19": "key In [1 9]",
    "notIn12": "key NotIn [1 2]",
    "greaterThan1": "key Exists >=2",
    "greaterThan9": "key Exists >=10",
    "lessThan1": "key Exists <=0",
    "lessThan9": "key Exists <=8",
}
BOTH = pytest.mark.parametrize("req", [akscli_req, emulator_req], ids=["akscli", "emulator"])


def _make(req: Any, name: str) -> Any:
    operator, values = FIXTURES[name]
    found = req.parse({"key": "key", "operator": operator, "values": values})
    assert found is not None
    return found[1]


def _intersection(req: Any, a: Any, b: Any) -> Any:
    """requirement.go Intersection: a function of akscli's port, a method of the emulator's."""
    return req.intersection(a, b) if req is akscli_req else a.intersection(b)


def _shape(req: Any, requirement: Any) -> tuple[str, str]:
    """What the two ports' Requirements must agree on: the operator and the String."""
    return requirement.op, req.text("key", requirement)


@pytest.mark.parametrize(("entry", "expected", "changes"), STATIC, ids=[row[0] for row in STATIC])
def test_both_ports_give_the_aksnodeclass_hash_the_provider_pins(
    entry: str, expected: str, changes: dict[str, Any]
) -> None:
    assert (akscli_hash.aksnodeclass_hash(spec(**changes)), emulator_hash.aksnodeclass_hash(spec(**changes))) == (
        expected,
        expected,
    )


@pytest.mark.parametrize(("pool", "expected", "template_spec"), REAL_POOLS, ids=[row[0] for row in REAL_POOLS])
def test_both_ports_give_the_nodepool_hash_karpenter_stamped(
    pool: str, expected: str, template_spec: dict[str, Any]
) -> None:
    node_pool = {"spec": {"template": {"metadata": {}, "spec": template_spec}}}
    assert (akscli_hash.nodepool_hash(node_pool), emulator_hash.nodepool_hash(node_pool)) == (expected, expected)


TEMPLATES = {  # no upstream number for these: the two readings must agree on every field the CRD has
    "labels, annotations, startup taint with timeAdded": {
        "metadata": {"labels": {"team": "a"}, "annotations": {"note": "x"}},
        "spec": {
            "startupTaints": [{"key": "s", "effect": "NoExecute", "timeAdded": "2024-05-01T10:00:00.25+02:00"}],
            "nodeClassRef": {"group": "karpenter.azure.com", "kind": "AKSNodeClass", "name": "gpu"},
        },
    },
    "expireAfter Never and a grace period": {"spec": {"expireAfter": "Never", "terminationGracePeriod": "90s"}},
    "an empty taint list is no zero value": {"spec": {"taints": []}},
}


@pytest.mark.parametrize("template", TEMPLATES.values(), ids=list(TEMPLATES))
def test_both_ports_agree_on_nodepool_templates_upstream_pins_no_number_for(template: dict[str, Any]) -> None:
    node_pool = {"spec": {"template": template}}
    assert akscli_hash.nodepool_hash(node_pool) == emulator_hash.nodepool_hash(node_pool)


def test_both_ports_agree_on_a_class_with_every_nested_type() -> None:
    node_class = spec(
        security={"encryptionAtHost": False, "trustedLaunch": {"vtpm": True}},
        gpu={"mode": "Managed"},
        linuxOSConfig={"swapFileSize": "1G", "sysctls": {"vmMaxMapCount": 262144, "netIPv4TCPTwReuse": True}},
        kubelet={"podPidsLimit": 4096, "failSwapOn": False, "cpuCFSQuotaPeriod": "1.5ms"},
        localDNS={
            "mode": "Preferred",
            "kubeDNSOverrides": [{"zone": ".", "maxConcurrent": 0, "cacheDuration": "Never"}],
        },
    )
    assert akscli_hash.aksnodeclass_hash(node_class) == emulator_hash.aksnodeclass_hash(node_class)


@BOTH
@pytest.mark.parametrize(("name", "expected"), STRINGS.items(), ids=list(STRINGS))
def test_each_port_prints_a_requirement_as_upstreams_string_table(req: Any, name: str, expected: str) -> None:
    assert req.text("key", _make(req, name)) == expected


@BOTH
def test_each_port_prints_intersected_bounds_as_upstream(req: Any) -> None:
    # requirement_test.go "String": greaterThan1.Intersection(lessThan9), greaterThan9.Intersection(lessThan1)
    gt1, lt9 = _make(req, "greaterThan1"), _make(req, "lessThan9")
    gt9, lt1 = _make(req, "greaterThan9"), _make(req, "lessThan1")
    assert req.text("key", _intersection(req, gt1, lt9)) == "key Exists >=2 <=8"
    assert req.text("key", _intersection(req, gt9, lt1)) == "key DoesNotExist"


@BOTH
def test_each_port_reads_gt_maxint_as_does_not_exist(req: Any) -> None:
    # requirement_test.go "should return DoesNotExist for Gt MaxInt"
    found = req.parse({"key": "key", "operator": "Gt", "values": [str((1 << 63) - 1)]})
    assert found is not None and found[1].op == "DoesNotExist"


PAIRS = list(itertools.product(FIXTURES, repeat=2))


@pytest.mark.parametrize(("left", "right"), PAIRS, ids=[f"{a}-{b}" for a, b in PAIRS])
def test_both_ports_intersect_upstreams_fixtures_alike(left: str, right: str) -> None:
    answers = [
        (
            _shape(req, _intersection(req, _make(req, left), _make(req, right))),
            req.intersects(_make(req, left), _make(req, right)),
        )
        for req in (akscli_req, emulator_req)
    ]
    assert answers[0] == answers[1]


BETA = {  # requirement_test.go "should normalize labels": each key and the stable key it reads as
    "failure-domain.beta.kubernetes.io/zone": "topology.kubernetes.io/zone",
    "failure-domain.beta.kubernetes.io/region": "topology.kubernetes.io/region",
    "beta.kubernetes.io/arch": "kubernetes.io/arch",
    "beta.kubernetes.io/os": "kubernetes.io/os",
    "beta.kubernetes.io/instance-type": "node.kubernetes.io/instance-type",
}


@BOTH
@pytest.mark.parametrize(("beta", "stable"), BETA.items(), ids=list(BETA))
def test_each_port_reads_a_beta_label_as_its_stable_key(req: Any, beta: str, stable: str) -> None:
    found = req.parse({"key": beta, "operator": "In", "values": ["test"]})
    assert found is not None and found[0] == stable


@BOTH
def test_a_pool_asking_for_the_beta_zone_label_has_not_drifted_from_a_claim_in_that_zone(req: Any) -> None:
    # drift.go areRequirementsDrifted: both sides normalized, so the claim's stable zone label meets it
    requirement = {"key": "failure-domain.beta.kubernetes.io/zone", "operator": "In", "values": ["eastus-1"]}
    assert not req.requirements_drifted({"topology.kubernetes.io/zone": "eastus-1"}, [requirement])


@BOTH
def test_a_bound_reads_only_what_strconv_atoi_reads(req: Any) -> None:
    # requirement.go withinBounds: strconv.Atoi refuses "1_0" and " 5", which Python's int() reads
    bounded = {"key": "gpus", "operator": "Gt", "values": ["0"]}
    assert req.requirements_drifted({"gpus": "1_0"}, [bounded])
    assert not req.requirements_drifted({"gpus": "+3"}, [bounded])


DRIFT_CASES = [  # claim labels, pool requirements
    ({"a": "1"}, [{"key": "a", "operator": "In", "values": ["1", "2"]}]),
    ({"a": "3"}, [{"key": "a", "operator": "In", "values": ["1", "2"]}]),
    ({}, [{"key": "a", "operator": "NotIn", "values": ["1"]}]),
    ({}, [{"key": "a", "operator": "Exists"}]),
    ({"a": "5"}, [{"key": "a", "operator": "Gt", "values": ["4"]}, {"key": "a", "operator": "Lt", "values": ["6"]}]),
    ({"a": "6"}, [{"key": "a", "operator": "Gte", "values": ["4"]}, {"key": "a", "operator": "Lte", "values": ["5"]}]),
    ({"a": "x"}, [{"key": "a", "operator": "DoesNotExist"}]),
    (
        {"topology.kubernetes.io/zone": "0"},
        [{"key": "topology.disk.csi.azure.com/zone", "operator": "In", "values": [""]}],
    ),
]


@pytest.mark.parametrize(("labels", "requirements"), DRIFT_CASES)
def test_both_ports_judge_requirements_drift_alike(labels: dict[str, str], requirements: list[Any]) -> None:
    assert akscli_req.requirements_drifted(labels, requirements) == emulator_req.requirements_drifted(
        labels, requirements
    )


CATALOGUE = [sku.vm_size for sku in skus.all_skus()]
FAMILIES = ("Ubuntu", "Ubuntu2204", "Ubuntu2404", "AzureLinux", "Windows2022")


@pytest.mark.parametrize("size", CATALOGUE)
def test_both_readings_give_a_catalogue_size_the_same_instance_type(size: str) -> None:
    # Azure/karpenter-provider-azure pkg/utils/supported-gpus.yaml, instancetypes.go isSupported and
    # isInstanceTypeSupportedByImageFamily, instancetype.go computeRequirements: akscli.nap.sizes
    # against the emulator's karpenter_sizes, size by size of the GPU catalogue
    assert nap_sizes.gpu_manufacturer(size) == karpenter_sizes.manufacturer(size)
    assert (nap_sizes.unoffered(size) is None) == karpenter_sizes.offered(size)
    assert [nap_sizes.image_family_admits(size, f) for f in FAMILIES] == [
        karpenter_sizes.image_family_supports(size, f) for f in FAMILIES
    ]
    assert nap_sizes.size_labels(size) == karpenter_sizes.instance_type_labels(size)


@pytest.mark.parametrize(
    ("size", "reason"),
    [
        ("Standard_A1", "AKSRestrictedVMSizes"),
        ("Standard_E64is_v3", "karpenterRestrictedVMSKUs"),
        ("Standard_DC4s_v3", "IsConfidential"),
        ("Standard_D4-2s_v5", "hasConstrainedCPUs"),
        ("Standard_NCC40ads_H100_v5", "a GPU size supported-gpus.yaml lacks"),
    ],
)
def test_both_readings_leave_out_a_size_the_provider_drops(size: str, reason: str) -> None:
    assert nap_sizes.unoffered(size) is not None
    assert not karpenter_sizes.offered(size)
