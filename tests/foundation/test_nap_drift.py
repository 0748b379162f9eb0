"""akscli.nap.drift: which change of a NodePool or its AKSNodeClass Karpenter finds drifted (upstream:
kubernetes-sigs/karpenter v1.14.0 pkg/apis/v1/nodepool.go NodePool.Hash, hash:"ignore" on the
template's requirements; Azure/karpenter-provider-azure 352646f pkg/apis/v1beta1/aksnodeclass.go
AKSNodeClass.Hash, tags ignored; hashstructure's IgnoreZeroValue and SlicesAsSets)."""

from __future__ import annotations

from typing import Any

from akscli.nap.drift import drift_notes

TAINT = {"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}


class Claims:
    """A Kube whose NodeClaim list gives one live claim of pool gpu on class default."""

    def list(self, api_version: str, kind: str, **options: Any) -> list[dict[str, Any]]:
        return [{"metadata": {"name": "gpu-a"}, "spec": {"nodeClassRef": {"name": "default"}}}]


KUBE: Any = Claims()


def pool(**template_spec: Any) -> dict[str, Any]:
    spec = {"nodeClassRef": {"name": "default"}, "taints": [TAINT], **template_spec}
    return {"kind": "NodePool", "metadata": {"name": "gpu"}, "spec": {"template": {"spec": spec}}}


def test_a_changed_expire_after_drifts_the_pools_nodes() -> None:
    [note] = drift_notes(KUBE, pool(expireAfter="Never"), pool(expireAfter="720h"))
    assert note.startswith("Karpenter will find its 1 node(s) drifted (NodePoolDrifted)")


def test_a_taints_empty_value_and_list_order_drift_nothing() -> None:
    # hashstructure IgnoreZeroValue skips a struct's "" (corev1.Taint.Value); SlicesAsSets
    valued = {**TAINT, "value": ""}
    assert (
        drift_notes(KUBE, pool(taints=[{k: v for k, v in TAINT.items() if k != "value"}]), pool(taints=[valued])) == []
    )
    two = {"key": "sku", "value": "gpu", "effect": "NoSchedule"}
    assert drift_notes(KUBE, pool(taints=[TAINT, two]), pool(taints=[two, TAINT])) == []


def test_an_empty_startup_taints_list_drifts_where_an_absent_one_does_not() -> None:
    # a present [] is a non-nil slice, no zero value: hashstructure hashes it (IsZero is nil only)
    [note] = drift_notes(KUBE, pool(), pool(startupTaints=[]))
    assert "(NodePoolDrifted)" in note
    assert drift_notes(KUBE, pool(startupTaints=None), pool()) == []


def test_the_same_duration_written_another_way_drifts_nothing() -> None:
    # NillableDuration hashes its *time.Duration, not the text (Raw is hash:"ignore")
    assert drift_notes(KUBE, pool(expireAfter="720h"), pool(expireAfter="43200m")) == []
    assert drift_notes(KUBE, pool(terminationGracePeriod="1h30m"), pool(terminationGracePeriod="90m")) == []


def test_a_nodeclass_field_set_to_false_drifts_where_it_was_absent() -> None:
    # the AKSNodeClass's fields are pointers: a non-nil *bool false is hashed (ZeroNil, IsZero)
    def node_class(**spec: Any) -> dict[str, Any]:
        return {"kind": "AKSNodeClass", "metadata": {"name": "default"}, "spec": spec}

    [note] = drift_notes(KUBE, node_class(), node_class(security={"encryptionAtHost": False}))
    assert "(NodeClassDrift)" in note


def test_a_template_label_drifts_the_pools_nodes() -> None:
    labelled = pool()
    labelled["spec"]["template"]["metadata"] = {"labels": {"team": "a"}}
    [note] = drift_notes(KUBE, pool(), labelled)
    assert "(NodePoolDrifted)" in note


H100 = "Standard_NC40ads_H100_v5"
SKU = "karpenter.azure.com/sku-name"


class LaunchedClaims:
    """A Kube whose NodeClaim list gives two launched claims of pool gpu on an H100 and an A100."""

    def __init__(self) -> None:
        self.calls = 0

    def list(self, api_version: str, kind: str, **options: Any) -> list[dict[str, Any]]:
        self.calls += 1
        launched = {"conditions": [{"type": "Launched", "status": "True"}]}
        return [
            {"metadata": {"name": f"gpu-{i}", "labels": {SKU: size}}, "status": launched}
            for i, size in enumerate((H100, "Standard_NC24ads_A100_v4"))
        ]


def sizes(*names: str) -> dict[str, Any]:
    return pool(requirements=[{"key": SKU, "operator": "In", "values": list(names)}])


def test_requirements_that_drop_a_nodes_size_drift_that_node_only() -> None:
    kube = LaunchedClaims()
    [note] = drift_notes(kube, sizes(H100, "Standard_NC24ads_A100_v4"), sizes(H100))
    assert note.startswith("Karpenter will find its 1 node(s) drifted (RequirementsDrifted)")
    assert kube.calls == 1


def test_requirements_that_still_admit_every_node_replace_none() -> None:
    [note] = drift_notes(
        LaunchedClaims(), sizes(H100, "Standard_NC24ads_A100_v4"), sizes(H100, "Standard_NC24ads_A100_v4", "x")
    )
    assert note.startswith("Karpenter replaces none of its 2 node(s): they still meet the changed requirements")


def test_a_requirement_on_a_label_the_nodes_lack_drifts_them_unless_it_excludes() -> None:
    lacking = pool(requirements=[{"key": "team", "operator": "In", "values": ["a"]}])
    [note] = drift_notes(LaunchedClaims(), pool(), lacking)
    assert "2 node(s) drifted (RequirementsDrifted)" in note
    excluding = pool(requirements=[{"key": "team", "operator": "NotIn", "values": ["a"]}])
    [note] = drift_notes(LaunchedClaims(), pool(), excluding)
    assert note.startswith("Karpenter replaces none")


def test_contradicting_requirements_on_a_label_the_nodes_lack_replace_none() -> None:
    # requirements.go Add: team In [a] then team In [b] intersect to DoesNotExist, which a claim
    # without the label meets (drift.go areRequirementsDrifted), as the emulator's Karpenter reads it
    # (tests/kube_emulator/test_karpenter_drift_marking.py); akscli used to check them one by one.
    contradicting = pool(
        requirements=[
            {"key": "team", "operator": "In", "values": ["a"]},
            {"key": "team", "operator": "In", "values": ["b"]},
        ]
    )
    [note] = drift_notes(LaunchedClaims(), pool(), contradicting)
    assert note.startswith("Karpenter replaces none of its 2 node(s)")


def test_limits_weight_and_budgets_replace_no_node_and_list_no_claim() -> None:
    kube = LaunchedClaims()
    changed = pool()
    changed["spec"].update(limits={"nvidia.com/gpu": "8"}, weight=5, disruption={"budgets": [{"nodes": "1"}]})
    [note] = drift_notes(kube, pool(), changed)
    assert note.startswith("Karpenter replaces no node for this change")
    assert kube.calls == 0


def test_a_nodeclass_tag_replaces_no_node_and_its_disk_size_drifts() -> None:
    def node_class(**spec: Any) -> dict[str, Any]:
        return {"kind": "AKSNodeClass", "metadata": {"name": "default"}, "spec": spec}

    [tags] = drift_notes(KUBE, node_class(tags={"a": "1"}), node_class(tags={"a": "2"}))
    assert tags == "Karpenter replaces no node for a change of tags: it updates its VMs' tags in place"
    [note] = drift_notes(KUBE, node_class(osDiskSizeGB=128), node_class(osDiskSizeGB=256))
    assert "(NodeClassDrift)" in note


def _budgeted(budgets: list[dict[str, Any]]) -> dict[str, Any]:
    changed = pool(expireAfter="720h")
    changed["spec"]["disruption"] = {"budgets": budgets}
    return changed


def test_the_drift_note_reads_an_empty_budget_list_as_no_limit() -> None:
    # nodepool.go GetAllowedDisruptionsByReason: no budget allows math.MaxInt32; the CRD's 10% is
    # its default only where budgets is absent
    [note] = drift_notes(KUBE, pool(expireAfter="Never"), _budgeted([]))
    assert "replace them, all at once (no disruption budget limits drift)" in note


def test_the_drift_note_leaves_out_a_budget_whose_reasons_list_is_empty() -> None:
    # reasons: [] is not nil, so the budget applies to no method (GetAllowedDisruptionsByReason)
    [note] = drift_notes(KUBE, pool(expireAfter="Never"), _budgeted([{"nodes": "0", "reasons": []}, {"nodes": "2"}]))
    assert "up to 2 of the pool's nodes at a time" in note


def test_the_drift_note_says_a_zero_node_budget_blocks_the_replacement() -> None:
    [note] = drift_notes(KUBE, pool(expireAfter="Never"), _budgeted([{"nodes": "0"}, {"nodes": "10%"}]))
    assert "replace them, once its disruption budget allows (a budget of 0 nodes blocks drift now)" in note


def test_the_drift_note_says_karpenter_takes_the_least_of_several_budgets() -> None:
    # GetAllowedDisruptionsByReason: the minimum of the budgets that apply, for the pool's node count
    [note] = drift_notes(KUBE, pool(expireAfter="Never"), _budgeted([{"nodes": "10%"}, {"nodes": "2"}]))
    assert "up to the least of 10% and 2 of the pool's nodes at a time" in note


class ManyClaims:
    """A Kube whose NodeClaim list is a generator of pages, as Kube.list is."""

    def list(self, api_version: str, kind: str, **options: Any) -> Any:
        for i in range(1200):
            yield {"metadata": {"name": f"c{i}"}, "spec": {"nodeClassRef": {"name": "default" if i % 2 else "other"}}}


def test_the_nodeclass_note_counts_the_claims_that_use_it_from_every_page() -> None:
    def node_class(**spec: Any) -> dict[str, Any]:
        return {"kind": "AKSNodeClass", "metadata": {"name": "default"}, "spec": spec}

    [note] = drift_notes(ManyClaims(), node_class(osDiskSizeGB=128), node_class(osDiskSizeGB=256))
    assert note.startswith("Karpenter will find its 600 node(s) drifted (NodeClassDrift)")


def test_a_nodeclass_duration_written_another_way_drifts_nothing() -> None:
    # Azure/karpenter-provider-azure aksnodeclass.go: cpuCFSQuotaPeriod is a metav1.Duration and
    # cacheDuration a NillableDuration; both hash the parsed time.Duration, not the text
    def node_class(period: str, cache: str) -> dict[str, Any]:
        zone = {"zone": "example.com", "cacheDuration": cache}
        spec = {"kubelet": {"cpuCFSQuotaPeriod": period}, "localDNS": {"vnetDNSOverrides": [zone]}}
        return {"kind": "AKSNodeClass", "metadata": {"name": "default"}, "spec": spec}

    assert drift_notes(KUBE, node_class("1s", "1h"), node_class("1000ms", "60m")) == []
    [note] = drift_notes(KUBE, node_class("1s", "1h"), node_class("500ms", "1h"))
    assert "(NodeClassDrift)" in note


def test_a_taint_listed_twice_is_hashed_as_if_absent() -> None:
    # hashstructure.go SlicesAsSets xors the elements' hashes: a repeated taint cancels itself out
    assert drift_notes(KUBE, pool(taints=[]), pool(taints=[TAINT, TAINT])) == []
