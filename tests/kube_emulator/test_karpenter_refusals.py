"""Karpenter's requirement and resource refusals of a pod, as the NAP simulator posts them
(tests/emulators/kube/controllers/karpenter_requirements.py): the cases akscli can cause, a pod
pinned to a size the NodePool does not allow or cannot offer, and spot workers on an on-demand pool."""

from __future__ import annotations

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.kube_emulator import test_karpenter
from tests.kube_emulator.test_karpenter import A100, H100, gpu_app, gpu_pool
from tests.kube_emulator.test_karpenter_offerings import karpenter_says

emu = test_karpenter.emu  # the fixture: a NAP cluster with one system node


def said(emu: KubeEmulator) -> str:
    assert wait_until(lambda: karpenter_says(emu), timeout=5)
    [message] = karpenter_says(emu)
    return message


def test_a_pod_pinned_to_a_size_the_nodepool_does_not_allow_gets_no_instance_type_met_all_requirements(
    emu: KubeEmulator,
) -> None:
    # upstream: karpenter nodeclaim.go CanAdd, filterInstanceTypesByRequirements, InstanceTypeFilterError
    # (compatible false, fits and offering true: "no instance type met all requirements")
    emu.cluster.create(gpu_pool("gpu", [A100]))
    emu.cluster.create(gpu_app("llm", H100))
    assert said(emu) == (
        "Failed to schedule pod, no instance type met all requirements, requirements="
        "karpenter.azure.com/aksnodeclass In [default], karpenter.azure.com/sku-name In [Standard_NC24ads_A100_v4], "
        "karpenter.sh/initialized In [true], karpenter.sh/nodepool In [gpu], karpenter.sh/registered In [true], "
        'node.kubernetes.io/instance-type In [Standard_NC40ads_H100_v5], resources={"nvidia.com/gpu":"1","pods":"1"}'
    )


def test_a_pinned_size_the_pools_zones_do_not_offer_leaves_the_other_sizes_and_says_so(emu: KubeEmulator) -> None:
    # upstream: scheduler.go NewScheduler keeps a pool's instance types with an offering its requirements
    # admit (filterInstanceTypesByRequirements on the template): H100 is offered in zone 3 only here
    emu.nap.zones[H100] = ("3",)
    pool = gpu_pool("gpu", [H100, A100])
    zone = {"key": "topology.kubernetes.io/zone", "operator": "In", "values": ["eastus-1"]}
    pool["spec"]["template"]["spec"]["requirements"].append(zone)
    emu.cluster.create(pool)
    emu.cluster.create(gpu_app("llm", H100))
    assert said(emu).startswith(
        "Failed to schedule pod, no instance type met all requirements, requirements="
        "karpenter.azure.com/aksnodeclass In [default], "
        "karpenter.azure.com/sku-name In [Standard_NC24ads_A100_v4 Standard_NC40ads_H100_v5], "
    )
    assert "topology.kubernetes.io/zone In [eastus-1]" in said(emu)


def test_a_pod_asking_for_spot_capacity_of_an_on_demand_pool_gets_incompatible_requirements(
    emu: KubeEmulator,
) -> None:
    # upstream: nodeclaim.go CanAdd ("incompatible requirements, %w"), requirements.go Compatible,
    # Intersects, badKeyError "key %s, %s not in %s" (the pod's, then the NodeClaim template's)
    pool = gpu_pool("gpu", [H100])
    on_demand = {"key": "karpenter.sh/capacity-type", "operator": "In", "values": ["on-demand"]}
    pool["spec"]["template"]["spec"]["requirements"].append(on_demand)
    emu.cluster.create(pool)
    app = gpu_app("llm", H100)
    app["spec"]["template"]["spec"]["nodeSelector"]["karpenter.sh/capacity-type"] = "spot"
    emu.cluster.create(app)
    assert said(emu) == (
        "Failed to schedule pod, incompatible requirements, key karpenter.sh/capacity-type, "
        "karpenter.sh/capacity-type In [spot] not in karpenter.sh/capacity-type In [on-demand]"
    )


def test_a_worker_asking_for_aks_spot_nodes_of_an_on_demand_pool_has_no_offering(emu: KubeEmulator) -> None:
    # upstream: karpenter-provider-azure instancetypes.go createOfferings (an offering's requirements:
    # capacity type, kubernetes.azure.com/scalesetpriority and priority, zone, placement scope);
    # nodeclaim.go fits (no offering: no fit either): "no instance type had enough resources or had a
    # required offering"
    pool = gpu_pool("gpu", [H100])
    on_demand = {"key": "karpenter.sh/capacity-type", "operator": "In", "values": ["on-demand"]}
    pool["spec"]["template"]["spec"]["requirements"].append(on_demand)
    emu.cluster.create(pool)
    app = gpu_app("worker")
    app["spec"]["template"]["spec"]["nodeSelector"] = {"kubernetes.azure.com/scalesetpriority": "spot"}
    emu.cluster.create(app)
    assert said(emu) == (
        "Failed to schedule pod, no instance type had enough resources or had a required offering, requirements="
        "karpenter.azure.com/aksnodeclass In [default], karpenter.azure.com/sku-name In [Standard_NC40ads_H100_v5], "
        "karpenter.sh/capacity-type In [on-demand], karpenter.sh/initialized In [true], "
        "karpenter.sh/nodepool In [gpu], karpenter.sh/registered In [true], "
        "kubernetes.azure.com/scalesetpriority In [spot], "
        'resources={"nvidia.com/gpu":"1","pods":"1"}'
    )


def test_an_on_demand_pool_makes_nodes_labelled_regular_in_aks_words(emu: KubeEmulator) -> None:
    # upstream: karpenter-provider-azure cloudprovider.go vmInstanceToNodeClaim (AKSLabelScaleSetPriority,
    # AKSLabelPriority from the VM's priority)
    emu.cluster.create(gpu_pool("gpu", [H100]))
    emu.cluster.create(gpu_app("llm", H100))
    node = emu.cluster.get("v1", "Node", None, test_karpenter.running_on(emu, "llm"))
    labels = node["metadata"]["labels"]
    assert (labels["kubernetes.azure.com/scalesetpriority"], labels["kubernetes.azure.com/priority"]) == (
        "regular",
        "regular",
    )


def test_each_pools_refusal_is_joined_in_weight_order(emu: KubeEmulator) -> None:
    # upstream: scheduler.go addToNewNodeClaim (multierr.Combine over the templates, by weight)
    emu.cluster.create(gpu_pool("gpu", [A100], weight=50))
    taint = gpu_pool("tainted", [H100], weight=10)
    taint["spec"]["template"]["spec"]["taints"].append({"key": "team", "value": "a", "effect": "NoSchedule"})
    emu.cluster.create(taint)
    emu.cluster.create(gpu_app("llm", H100))
    message = said(emu)
    assert message.startswith("Failed to schedule pod, no instance type met all requirements, requirements=")
    assert message.endswith("}; did not tolerate taint (taint=team=a:NoSchedule)")


def test_resources_print_each_quantity_in_its_canonical_form() -> None:
    # upstream: k8s.io/apimachinery pkg/api/resource/quantity.go CanonicalizeBytes (what resources= prints
    # through json.Marshal of a ResourceList)
    from decimal import Decimal

    from tests.emulators.kube.controllers.karpenter_requirements import quantity_text

    cases = [(Decimal(2000), False), (Decimal("1.5"), False), (Decimal(1500), False), (Decimal(2**30), True),
             (Decimal(1500 * 2**20), True), (Decimal(512), True)]  # fmt: skip
    assert [quantity_text(v, b) for v, b in cases] == ["2k", "1500m", "1500", "1Gi", "1500Mi", "512"]
