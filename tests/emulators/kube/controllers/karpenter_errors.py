"""What the Azure provider of node auto-provisioning does with a VM create that Azure refuses: the
offerings it marks unavailable and for how long, the reason and message the NodeClaim gets, and
whether Karpenter deletes the NodeClaim at once (upstream: Azure/karpenter-provider-azure 352646f
pkg/providers/instance/offerings/commonerrorhandlers.go, the handlers resperrorhandlers.go
NewResponseErrorHandler maps Azure's errors to; pkg/cloudprovider/cloudprovider.go toCreateError,
handleInstancePromise; pkg/cloudprovider/events/events.go NodeClaimFailedToRegister;
kubernetes-sigs/karpenter 2266468 pkg/cloudprovider/types.go CreateError, InsufficientCapacityError).

A test names the error by Azure's code (``FAILURES``). Which of them Azure answers to the create
request and which it answers when the create's long-running operation ends is Azure's behaviour,
not the provider's (it handles both alike): the simulator answers the quota errors and
SkuNotAvailable at once (the create's validation) and the allocation failures when the operation
ends, as the provider's own tests inject them (pkg/cloudprovider/suite_aksmachineapi_offerings_test.go:
AllocationFailed and ZonalAllocationFailed as AfterPollProvisioningErrorOverride).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

ON_DEMAND, SPOT = "on-demand", "spot"
REGIONAL = "0"  # pkg/utils/zones/zones.go Regional: the zone label of a VM in no zone
# commonerrorhandlers.go, in seconds.
LOW_QUOTA_TTL = 10 * 60.0
SUBSCRIPTION_QUOTA_REACHED_TTL = 60 * 60.0
ALLOCATION_FAILURE_TTL = 60 * 60.0
SKU_NOT_AVAILABLE_SPOT_TTL = 60 * 60.0
SKU_NOT_AVAILABLE_ON_DEMAND_TTL = 23 * 60 * 60.0

# Azure's error, by the name a test gives it -> when it comes (at once, or when the operation ends).
FAILURES = {
    "SKUFamilyQuota": "sync",  # OperationNotAllowed, "... Family Cores quota ..."
    "LowPriorityQuota": "sync",  # OperationNotAllowed, "... LowPriorityCores quota ..."
    "RegionalQuota": "sync",  # OperationNotAllowed, "... Total Regional Cores quota ..."
    "SkuNotAvailable": "sync",
    "ZonalAllocationFailed": "async",
    "AllocationFailed": "async",
    "OverconstrainedZonalAllocationRequest": "async",
    "OverconstrainedAllocationRequest": "async",
}

Offering = tuple[str, str, str]  # (size, zone label, capacity type)


@dataclass
class Handled:
    """The provider's answer: the offerings to mark (with their TTL), every spot offering marked
    (LowPriorityQuota), the NodeClaim's Launched reason and message, and whether the error is an
    InsufficientCapacityError (Karpenter deletes the NodeClaim at once)."""

    reason: str
    message: str
    marks: dict[Offering, float] = field(default_factory=dict)
    all_spot_ttl: float | None = None
    insufficient_capacity: bool = False
    asynchronous: bool = False

    @property
    def error(self) -> str:
        """The error's own text: a CreateError's Error() ("creating nodeclaim, ..."), an
        InsufficientCapacityError's ("insufficient capacity, ..."), wrapped by cloudprovider.go
        toCreateError ("creating instance failed, %w") for an answer to the create request."""
        if self.insufficient_capacity:
            return f"creating nodeclaim, creating instance failed, insufficient capacity, {self.message}"
        return f"creating nodeclaim, {self.message}"


def _scope(zone: str) -> str:
    return "regional" if zone == REGIONAL else "zonal"


def handle(code: str, size: str, zone: str, capacity_type: str, zones: Sequence[str], zero_limit: bool) -> Handled:
    """The handler of commonerrorhandlers.go for Azure's ``code`` on the offering (size, zone,
    capacity type); ``zones``: the zone labels the size is offered in."""
    every = [(size, z, ct) for z in zones for ct in (ON_DEMAND, SPOT)]
    same_scope = [o for o in every if _scope(o[1]) == _scope(zone)]
    asynchronous = FAILURES[code] == "async"
    if code == "SKUFamilyQuota":  # handleSKUFamilyQuotaError
        ttl = SUBSCRIPTION_QUOTA_REACHED_TTL if zero_limit else LOW_QUOTA_TTL
        return Handled(
            "SubscriptionQuotaReached",
            f"subscription level {capacity_type} vCPU quota for {size} has been reached "
            "(may try provision an alternative instance type)",
            {o: ttl for o in every if o[2] == capacity_type},
        )
    if code == "LowPriorityQuota":  # handleLowPriorityQuotaError: MarkSpotUnavailableWithTTL
        return Handled(
            "SubscriptionQuotaReached",
            "this subscription has reached the regional vCPU quota for spot (LowPriorityQuota). To scale beyond "
            "this limit, please review the quota increase process here: "
            "https://docs.microsoft.com/en-us/azure/azure-portal/supportability/low-priority-quota",
            all_spot_ttl=SUBSCRIPTION_QUOTA_REACHED_TTL,
        )
    if code == "RegionalQuota":  # handleRegionalQuotaError: an InsufficientCapacityError, nothing marked
        return Handled(
            "InsufficientCapacityError",
            f"regional {capacity_type} vCPU quota limit for subscription has been reached. To scale beyond this "
            "limit, please review the quota increase process here: "
            "https://learn.microsoft.com/en-us/azure/quotas/regional-quota-requests",
            insufficient_capacity=True,
        )
    if code == "SkuNotAvailable":  # handleSKUNotAvailableError
        ttl = SKU_NOT_AVAILABLE_ON_DEMAND_TTL if capacity_type == ON_DEMAND else SKU_NOT_AVAILABLE_SPOT_TTL
        return Handled(
            "SKUNotAvailable",
            f"the requested SKU is unavailable for instance type {size} in zone {zone} with capacity type "
            f"{capacity_type}, for more details please visit: https://aka.ms/azureskunotavailable",
            {o: ttl for o in same_scope if o[2] == capacity_type},
        )
    ttl = ALLOCATION_FAILURE_TTL
    if code == "ZonalAllocationFailed":  # handleZonalAllocationFailureError: this zone, both capacity types
        return Handled(
            "ZonalAllocationFailure",
            f"unable to allocate resources in the selected zone ({zone}). (will try a different zone to fulfill "
            "your request)",
            {(size, zone, ct): ttl for ct in (ON_DEMAND, SPOT)},
            asynchronous=asynchronous,
        )
    if code == "AllocationFailed":  # handleAllocationFailureError: the placement scope, both capacity types
        return Handled(
            "AllocationFailure",
            f"unable to allocate resources with selected VM size ({size}). (will try a different VM size to "
            "fulfill your request)",
            {o: ttl for o in same_scope},
            asynchronous=asynchronous,
        )
    if code == "OverconstrainedZonalAllocationRequest":  # handleOverconstrainedZonalAllocationFailureError
        return Handled(
            "OverconstrainedZonalAllocationFailure",
            f"unable to allocate resources in the selected zone ({zone}) with {capacity_type} capacity type and "
            f"{size} VM size. (will try a different zone, capacity type or VM size to fulfill your request)",
            {(size, zone, capacity_type): ttl},
            asynchronous=asynchronous,
        )
    if code == "OverconstrainedAllocationRequest":  # handleOverconstrainedAllocationFailureError
        return Handled(
            "OverconstrainedAllocationFailure",
            f"unable to allocate resources in all zones with {capacity_type} capacity type and {size} VM size. "
            "(will try a different capacity type or VM size to fulfill your request)",
            {o: ttl for o in same_scope if o[2] == capacity_type},
            asynchronous=asynchronous,
        )
    raise ValueError(f"no handler for {code!r}: one of {', '.join(FAILURES)}")


def truncate(message: str, limit: int = 300) -> str:
    """kubernetes-sigs/karpenter 2266468 pkg/controllers/nodeclaim/lifecycle/launch.go truncateMessage
    (300; the provider's pkg/cloudprovider/events/events.go truncateMessage cuts at 500)."""
    return message if len(message) < limit else message[:limit] + "..."
