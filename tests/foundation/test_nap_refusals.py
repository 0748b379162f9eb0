"""akscli.kube.nap_refusals: Karpenter's requirement and resource refusals of a pod, read back into
what the pods ask for, what the NodePool allows and the fix (the texts as the NAP simulator posts
them, tests/emulators/kube/controllers/karpenter_requirements.py; upstream: kubernetes-sigs/karpenter
2266468 pkg/controllers/provisioning/scheduling/nodeclaim.go, pkg/scheduling/requirements.go)."""

from __future__ import annotations

from akscli.kube.scale_up import note

H100, A100 = "Standard_NC40ads_H100_v5", "Standard_NC24ads_A100_v4"
TEMPLATE = "karpenter.azure.com/aksnodeclass In [default], karpenter.sh/nodepool In [gpu]"
RESOURCES = 'resources={"nvidia.com/gpu":"1","pods":"1"}'


def karpenter_said(error: str) -> tuple[bool, str, str]:
    said = note([{"reason": "FailedScheduling", "message": f"Failed to schedule pod, {error}",
                  "source": {"component": "karpenter"}}])  # fmt: skip
    assert said is not None
    return said.adding, said.clause, said.fix


def test_a_pinned_size_the_nodepool_does_not_allow_names_both_and_the_command() -> None:
    error = (
        f"no instance type met all requirements, requirements={TEMPLATE}, karpenter.azure.com/sku-name In [{A100}], "
        f"node.kubernetes.io/instance-type In [{H100}], {RESOURCES}"
    )
    adding, clause, fix = karpenter_said(error)
    assert not adding and clause == f"node auto-provisioning: Failed to schedule pod, {error}"
    assert fix == (
        f"NodePool gpu allows {A100}, not {H100}, which the pods ask for (nodeSelector node.kubernetes.io/"
        f"instance-type): deploy with --vm-size of a size it allows, or add a NodePool for {H100} (akscli nodepool "
        f"add NAME --auto-provision --vm-size {H100})"
    )


def test_a_pinned_size_the_nodepool_allows_but_cannot_offer_points_at_its_zones() -> None:
    error = (
        f"no instance type met all requirements, requirements={TEMPLATE}, karpenter.azure.com/sku-name In [{A100} "
        f"{H100}], node.kubernetes.io/instance-type In [{H100}], topology.kubernetes.io/zone In [eastus-1], {RESOURCES}"
    )
    fix = karpenter_said(error)[2]
    assert fix.startswith(f"NodePool gpu allows {H100} but has no offering of it available in zones eastus-1")
    assert "widen the NodePool's --zones (0 adds the regional offering)" in fix


def test_a_cut_list_of_sizes_is_not_read_as_leaving_the_pinned_size_out() -> None:
    # requirement.go String: at most 5 values, then "and N others": the size may be among the others
    sizes = " ".join(f"Standard_NC{n}_v9" for n in range(5))
    error = (
        f"no instance type met all requirements, requirements={TEMPLATE}, karpenter.azure.com/sku-name In [{sizes} "
        f"and 2 others], node.kubernetes.io/instance-type In [{H100}], {RESOURCES}"
    )
    assert "not " + H100 not in karpenter_said(error)[2]


def test_spot_workers_on_an_on_demand_nodepool_are_told_to_add_a_spot_pool() -> None:
    error = (
        "no instance type had enough resources or had a required offering, requirements=karpenter.sh/capacity-type "
        f"In [on-demand], {TEMPLATE}, kubernetes.azure.com/scalesetpriority In [spot], {RESOURCES}"
    )
    assert karpenter_said(error)[2] == (
        "the pods ask for spot nodes (kubernetes.azure.com/scalesetpriority=spot) and NodePool gpu makes only "
        "on-demand ones: add a spot NodePool (akscli nodepool add NAME --auto-provision --gpu F --spot), or run "
        "them without --spot"
    )


def test_an_incompatible_capacity_type_says_what_the_pods_ask_and_the_pool_makes() -> None:
    error = (
        "incompatible requirements, key karpenter.sh/capacity-type, karpenter.sh/capacity-type In [spot] not in "
        "karpenter.sh/capacity-type In [on-demand]"
    )
    assert karpenter_said(error)[2].startswith(
        "the pods ask for spot capacity and a NodePool makes on-demand nodes: add a NodePool that makes spot ones "
        "(akscli nodepool add NAME --auto-provision --gpu F --spot)"
    )


def test_an_incompatible_zone_says_to_widen_the_pools_zones() -> None:
    error = (
        "incompatible requirements, key topology.kubernetes.io/zone, topology.kubernetes.io/zone In [eastus-3] not "
        "in topology.kubernetes.io/zone In [eastus-1 eastus-2]"
    )
    assert karpenter_said(error)[2].startswith(
        "the pods ask for zone eastus-3 and a NodePool allows eastus-1, eastus-2: widen the NodePool's --zones"
    )


def test_requests_no_allowed_size_has_room_for_quote_the_requests() -> None:
    error = f"no instance type has enough resources, requirements={TEMPLATE}, " + RESOURCES.replace('"1"}', '"1"}')
    assert karpenter_said(error)[2].startswith(
        'no size NodePool gpu allows has room for the pods\' requests {"nvidia.com/gpu":"1","pods":"1"}: lower them'
    )


def test_the_first_pools_refusal_in_weight_order_gives_the_fix() -> None:
    # upstream: scheduler.go addToNewNodeClaim joins each template's error by multierr, by weight
    taint = "did not tolerate taint (taint=team=a:NoSchedule)"
    error = (
        f"no instance type met all requirements, requirements={TEMPLATE}, karpenter.azure.com/sku-name In [{A100}], "
        f"node.kubernetes.io/instance-type In [{H100}], {RESOURCES}; {taint}"
    )
    assert karpenter_said(error)[2].startswith(f"NodePool gpu allows {A100}, not {H100}")


def test_a_min_values_refusal_names_the_pool_the_label_and_how_many_it_wants() -> None:
    # upstream: karpenter cloudprovider/types.go SatisfiesMinValues, nodeclaim.go InstanceTypeFilterError.Error,
    # requirement.go String (" minValues 2"), operatorpkg serrors Error
    error = (
        "minValues requirement is not met for label(s) (label(s)=[karpenter.azure.com/sku-name]), requirements="
        f"{TEMPLATE}, karpenter.azure.com/sku-name In [{A100} {H100}] minValues 2, node.kubernetes.io/instance-type "
        f"In [{H100}], {RESOURCES}"
    )
    assert karpenter_said(error)[2] == (
        "NodePool gpu wants at least 2 values of karpenter.azure.com/sku-name (minValues) among the sizes a node may "
        "be, and the pods, pinned to one size, leave fewer: drop minValues from NodePool gpu, or add a NodePool for "
        "the size (akscli nodepool add NAME --auto-provision --vm-size S)"
    )


def test_requests_with_a_min_and_max_daemon_overhead_quote_both() -> None:
    # upstream: karpenter nodeclaim.go InstanceTypeFilterError.resourcesString ("min=%s, max=%s")
    low, high = '{"cpu":"1050m","pods":"2"}', '{"cpu":"1150m","pods":"3"}'
    error = f"no instance type has enough resources, requirements={TEMPLATE}, resources=min={low}, max={high}"
    assert karpenter_said(error)[2].startswith(
        f"no size NodePool gpu allows has room for the pods' requests min={low}, max={high}: lower them"
    )


def test_a_pinned_size_outside_the_pools_cpu_bounds_names_the_bounds_and_its_value() -> None:
    # The text the NAP simulator posts for a pool with sku-cpu Gt 8 and Lt 64 (requirement.go String)
    t4, nc16 = "Standard_NC4as_T4_v3", "Standard_NC16as_T4_v3"
    sizes = f"karpenter.azure.com/sku-cpu Exists >=9 <=63, karpenter.azure.com/sku-name In [{nc16} {t4}]"
    error = (
        f"no instance type met all requirements, requirements={TEMPLATE}, {sizes}, node.kubernetes.io/instance-type "
        f"In [{t4}], {RESOURCES}"
    )
    assert karpenter_said(error)[2] == (
        f"NodePool gpu wants karpenter.azure.com/sku-cpu at least 9 and at most 63 (its requirement "
        f"karpenter.azure.com/sku-cpu >=9 <=63) and {t4}, which the pods ask for, has 4: deploy with --vm-size of a "
        f"size within those bounds, or add a NodePool for {t4} (akscli nodepool add NAME --auto-provision "
        f"--vm-size {t4})"
    )


def test_a_pinned_size_within_the_pools_bounds_is_not_blamed_on_them() -> None:
    nc16 = "Standard_NC16as_T4_v3"
    sizes = f"karpenter.azure.com/sku-cpu Exists >=9, karpenter.azure.com/sku-name In [{nc16}]"
    error = (
        f"no instance type met all requirements, requirements={TEMPLATE}, {sizes}, node.kubernetes.io/instance-type "
        f"In [{nc16}], {RESOURCES}"
    )
    assert "has no offering of it available" in karpenter_said(error)[2]
