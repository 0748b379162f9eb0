"""Karpenter's drift hashes pinned to upstream's own numbers.

- Azure/karpenter-provider-azure 352646f pkg/apis/v1beta1/aksnodeclass_hash_test.go: staticHash
  "4108492229247269128" for its base AKSNodeClass and the table "should match static hash on field
  value change" (each entry mergo.Merge-d into the base with WithOverride, so a *KubeletConfiguration
  is merged field by field, not replaced).
- mitchellh/hashstructure v2.0.2 (a045b66) hashstructure_examples_test.go ExampleHash: FormatV2 with
  nil options gives 1839806922502695369.
kubernetes-sigs/karpenter has no NodePool static hash (pkg/controllers/nodepool/hash/suite_test.go
compares nodePool.Hash() with itself): the NodePool's hash is pinned to the annotations Karpenter
stamped on two real EKS Auto Mode NodePools, and the NodeClaimTemplate types to the CRD.
One implementation runs every vector: akscli.nap.hashes, which the re-run's drift note and the kube
emulator's Karpenter (the annotations it stamps: karpenter_drift.py) both call; the upstream
numbers, not agreement between two readings, are what hold it.
"""

from __future__ import annotations

import copy
from types import ModuleType
from typing import Any

import pytest
from ruamel.yaml import YAML

import akscli.nap.hashes as akscli_hash
from tests.model._shared import crd_dir

CRDS = crd_dir() / "karpenter"
IMPLEMENTATIONS = pytest.mark.parametrize("impl", [akscli_hash], ids=["akscli"])

# aksnodeclass_hash_test.go BeforeEach, as the API server returns it (osDiskSizeGB 30, cpuCFSQuotaPeriod 100ms)
BASE = {
    "vnetSubnetID": "subnet-id",
    "osDiskSizeGB": 30,
    "imageFamily": "Ubuntu2204",
    "tags": {"keyTag-1": "valueTag-1", "keyTag-2": "valueTag-2"},
    "kubelet": {
        "cpuManagerPolicy": "static",
        "cpuCFSQuota": True,
        "cpuCFSQuotaPeriod": "100ms",
        "imageGCHighThresholdPercent": 85,
        "imageGCLowThresholdPercent": 80,
        "topologyManagerPolicy": "none",
        "allowedUnsafeSysctls": ["net.core.somaxconn"],
        "containerLogMaxSize": "10Mi",
        "containerLogMaxFiles": 10,
    },
    "maxPods": 100,
}
ZONE = "example.com"
STATIC = [  # aksnodeclass_hash_test.go "should match static hash on field value change", entry by entry
    ("Base AKSNodeClass", "4108492229247269128", {}),
    ("VNETSubnetID", "13971920214979852468", {"vnetSubnetID": "subnet-id-2"}),
    ("OSDiskSizeGB", "7816855636861645563", {"osDiskSizeGB": 40}),
    ("ImageFamily", "15616969746300892810", {"imageFamily": "AzureLinux"}),
    ("Kubelet", "33638514539106194", {"kubelet": {**BASE["kubelet"], "cpuManagerPolicy": "none"}}),  # type: ignore[dict-item]
    ("MaxPods", "15508761509963240710", {"maxPods": 200}),
    ("LocalDNS.Mode", "17805442572569734619", {"localDNS": {"mode": "Required"}}),
    (
        "LocalDNS.VnetDNSOverrides",
        "14608914734386108436",
        {"localDNS": {"vnetDNSOverrides": [{"zone": ZONE, "queryLogging": "Log"}]}},
    ),
    (
        "LocalDNS.KubeDNSOverrides",
        "4529827108104295737",
        {"localDNS": {"kubeDNSOverrides": [{"zone": ZONE, "protocol": "ForceTCP"}]}},
    ),
    (
        "LocalDNS.VnetDNSOverrides.CacheDuration",
        "11008649797056761238",
        {"localDNS": {"vnetDNSOverrides": [{"zone": ZONE, "cacheDuration": "1h"}]}},
    ),
    (
        "LocalDNS.VnetDNSOverrides.ServeStaleDuration",
        "4895720480850206885",
        {"localDNS": {"vnetDNSOverrides": [{"zone": ZONE, "serveStaleDuration": "30m"}]}},
    ),
    ("ArtifactStreaming.Enabled", "15355387647114481444", {"artifactStreaming": {"enabled": True}}),
]


def spec(**changes: Any) -> dict[str, Any]:
    return {"spec": {**copy.deepcopy(BASE), **changes}}


@IMPLEMENTATIONS
@pytest.mark.parametrize(("entry", "expected", "changes"), STATIC, ids=[row[0] for row in STATIC])
def test_the_aksnodeclass_hash_matches_the_providers_static_hash(
    impl: ModuleType, entry: str, expected: str, changes: dict[str, Any]
) -> None:
    assert impl.aksnodeclass_hash(spec(**changes)) == expected


# Real clusters' NodePools and the karpenter.sh/nodepool-hash (version v3) Karpenter stamped on them:
# evanharmon/in-mono headspace/aws/aws-eks-addon-karpenter-nodepool.md (9e46644), `kubectl get nodepool -o yaml`
# of EKS Auto Mode's built-in pools; the requirements are hash:"ignore" (one kept here to show it)
AUTO_MODE = {
    "expireAfter": "336h",
    "nodeClassRef": {"group": "eks.amazonaws.com", "kind": "NodeClass", "name": "default"},
    "requirements": [{"key": "kubernetes.io/os", "operator": "In", "values": ["linux"]}],
    "terminationGracePeriod": "24h0m0s",
}
REAL_POOLS = [
    ("general-purpose", "4012513481623584108", AUTO_MODE),
    ("system", "4982684901400657622", {**AUTO_MODE, "taints": [{"effect": "NoSchedule", "key": "CriticalAddonsOnly"}]}),
]


@IMPLEMENTATIONS
@pytest.mark.parametrize(("pool", "expected", "template_spec"), REAL_POOLS, ids=[row[0] for row in REAL_POOLS])
def test_the_nodepool_hash_matches_what_karpenter_stamped_on_a_real_cluster(
    impl: ModuleType, pool: str, expected: str, template_spec: dict[str, Any]
) -> None:
    assert impl.nodepool_hash({"spec": {"template": {"metadata": {}, "spec": template_spec}}}) == expected


@IMPLEMENTATIONS
def test_hashstructures_own_example_hashes_as_documented(impl: ModuleType) -> None:
    # hashstructure_examples_test.go ExampleHash: ComplexStruct{Name string; Age uint; Metadata map[string]interface{}}
    complex_struct = impl.Struct(
        "ComplexStruct",
        (
            impl.Field("Name", "name", impl.STRING),
            impl.Field("Age", "age", impl.Int(64, signed=False)),
            impl.Field("Metadata", "metadata", impl.Map(impl.STRING, impl.Iface())),
        ),
    )
    value = {
        "Name": "mitchellh",
        "Age": 64,
        "Metadata": {"car": True, "location": "California", "siblings": ["Bob", "John"]},
    }
    nil_options = impl.Options(sets=False, ignore_zero=False, zero_nil=False)
    assert impl.go_hash(complex_struct, value, nil_options) == "1839806922502695369"


@IMPLEMENTATIONS
def test_fnv_is_fnv1_not_fnv1a(impl: ModuleType) -> None:
    # hash/fnv New64 of "a" (FNV-1); FNV-1a would be 0xaf63dc4c8601ec8c
    assert impl.fnv1_64(b"a") == 0xAF63BD4C8601B7BE


@IMPLEMENTATIONS
def test_tags_neither_reordered_nor_changed_change_the_class_hash(impl: ModuleType) -> None:
    # aksnodeclass_hash_test.go "should not change hash when tags are re-ordered" / "... changed"
    base = impl.aksnodeclass_hash(spec())
    assert impl.aksnodeclass_hash(spec(tags={"keyTag-2": "valueTag-2", "keyTag-1": "valueTag-1"})) == base
    assert impl.aksnodeclass_hash(spec(tags={"keyTag-3": "valueTag-3"})) == base


@IMPLEMENTATIONS
def test_a_field_no_go_type_has_is_dropped_as_encoding_json_drops_it(impl: ModuleType) -> None:
    assert impl.aksnodeclass_hash(spec(encryptionAtHost=False)) == impl.aksnodeclass_hash(spec())


@IMPLEMENTATIONS
def test_the_same_duration_written_another_way_hashes_alike(impl: ModuleType) -> None:
    def pool(expire: str) -> dict[str, Any]:
        return {"spec": {"template": {"spec": {"nodeClassRef": {"name": "default"}, "expireAfter": expire}}}}

    assert impl.nodepool_hash(pool("720h")) == impl.nodepool_hash(pool("43200m"))
    assert impl.nodepool_hash(pool("720h")) != impl.nodepool_hash(pool("721h"))


@IMPLEMENTATIONS
def test_a_taint_listed_twice_cancels_out_as_slices_as_sets_xors(impl: ModuleType) -> None:
    # hashstructure.go visit, reflect.Slice: SlicesAsSets xors the elements and (no "set" tag) does not finish
    taint = {"key": "a", "effect": "NoSchedule"}

    def pool(taints: list[Any]) -> dict[str, Any]:
        return {"spec": {"template": {"spec": {"taints": taints}}}}

    assert impl.nodepool_hash(pool([taint, taint])) == impl.nodepool_hash(pool([]))
    assert impl.nodepool_hash(pool([])) != impl.nodepool_hash(pool([taint]))


def _properties(schema: dict[str, Any]) -> dict[str, Any]:
    inner = schema.get("items", schema) if schema.get("type") == "array" else schema
    return dict(inner.get("properties") or {})


def _check(struct: Any, schema: dict[str, Any], where: str) -> list[str]:
    """The json tags of ``struct`` against the CRD's properties at ``where``, recursing into structs."""
    wrong = []
    props = _properties(schema)
    tags = {f.json: f for f in struct.fields if f.json is not None}
    wrong += [f"{where}.{name}: in the CRD, no Go field" for name in props if name not in tags]
    for name, f in tags.items():
        if name not in props:
            wrong.append(f"{where}.{name}: a Go field the CRD lacks")
            continue
        inner = f.type.elem if type(f.type).__name__ in ("Ptr", "Slice") else f.type
        if type(inner).__name__ == "Struct" and inner.decode is None:
            wrong += _check(inner, props[name], f"{where}.{name}")
    return wrong


def _crd_schema(file: str, version: str) -> dict[str, Any]:
    doc = YAML(typ="safe").load((CRDS / file).read_text())
    [served] = [v for v in doc["spec"]["versions"] if v["name"] == version]
    return dict(served["schema"]["openAPIV3Schema"])


@pytest.mark.skipif(not CRDS.exists(), reason="needs ../shared/crds")
@IMPLEMENTATIONS
def test_the_go_types_name_every_field_of_the_crds(impl: ModuleType) -> None:
    # the CRDs are generated from these Go types (../shared/crds/SOURCES-*.md: Azure/karpenter-provider-azure
    # 352646f pkg/apis/crds), so a field either side lacks is a schema gone stale
    nodeclass = _crd_schema("karpenter.azure.com_aksnodeclasses.yaml", "v1beta1")["properties"]["spec"]
    template = _crd_schema("karpenter.sh_nodepools.yaml", "v1")["properties"]["spec"]["properties"]["template"]
    requirements = "spec.spec.requirements"
    wrong = _check(impl.AKS_NODE_CLASS_SPEC, nodeclass, "spec") + _check(impl.NODE_CLAIM_TEMPLATE, template, "spec")
    assert [w for w in wrong if not w.startswith(requirements)] == []


def _test_struct(impl: ModuleType) -> Any:
    # hashstructure_test.go TestHash_equalNil: struct { Str *string; Int *int; Map map[string]string; Slice []string }
    return impl.Struct(
        "Test",
        (
            impl.Field("Str", None, impl.Ptr(impl.STRING)),
            impl.Field("Int", None, impl.Ptr(impl.INT64)),
            impl.Field("Map", None, impl.Map(impl.STRING, impl.STRING)),
            impl.Field("Slice", None, impl.Slice(impl.STRING)),
        ),
    )


@IMPLEMENTATIONS
@pytest.mark.parametrize(("zero_nil", "match"), [(True, True), (False, False)])
def test_nil_pointers_maps_and_slices_hash_as_hashstructures_equal_nil_says(
    impl: ModuleType, zero_nil: bool, match: bool
) -> None:
    # hashstructure_test.go TestHash_equalNil, its first two cases: all nil against new(string), new(int),
    # an empty map and an empty slice, with ZeroNil and without
    nils = {"Str": None, "Int": None, "Map": None, "Slice": None}
    empties = {"Str": "", "Int": 0, "Map": {}, "Slice": []}
    options = impl.Options(sets=False, ignore_zero=False, zero_nil=zero_nil)
    one, two = (impl.go_hash(_test_struct(impl), v, options) for v in (nils, empties))
    assert (one == two) is match


@IMPLEMENTATIONS
@pytest.mark.parametrize("ignore_zero", [True, False])
def test_a_zero_field_changes_the_hash_only_without_ignore_zero_value(impl: ModuleType, ignore_zero: bool) -> None:
    # hashstructure_test.go TestHash_ignoreZeroValue: anonymous structs {Foo, Bar, Map} and {Foo, Bar, Baz, Map}
    def anonymous(*names: str) -> Any:
        fields = [impl.Field(n, None, impl.STRING) for n in names]
        return impl.Struct("", (*fields, impl.Field("Map", None, impl.Map(impl.STRING, impl.INT64))))

    options = impl.Options(sets=False, ignore_zero=ignore_zero, zero_nil=False)
    a = impl.go_hash(anonymous("Foo", "Bar"), {"Foo": "foo", "Bar": "bar"}, options)
    b = impl.go_hash(anonymous("Foo", "Bar", "Baz"), {"Foo": "foo", "Bar": "bar"}, options)
    assert (a == b) is ignore_zero
