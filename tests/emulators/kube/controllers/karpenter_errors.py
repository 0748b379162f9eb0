"""What the Azure provider of node auto-provisioning does with a VM create that Azure refuses: the
offerings it marks unavailable and for how long, the reason and message the NodeClaim gets, and
whether Karpenter deletes the NodeClaim at once (upstream: Azure/karpenter-provider-azure 352646f
pkg/providers/instance/offerings/commonerrorhandlers.go, the handlers resperrorhandlers.go
NewResponseErrorHandler maps Azure's errors to; pkg/cloudprovider/cloudprovider.go toCreateError,
handleInstancePromise; pkg/cloudprovider/events/events.go NodeClaimFailedToRegister;
kubernetes-sigs/karpenter 2266468 pkg/cloudprovider/types.go CreateError, InsufficientCapacityError).

A test names the error by Azure's code (``FAILURES``). Whether it answers the create request or comes
once the request was accepted depends on the provider's provision mode (``timing``):

- ``aksscriptless`` (the provider's default, Azure/karpenter-provider-azure
  pkg/operator/options/options.go PROVISION_MODE) and
  ``bootstrappingclient`` (managed NAP's, karpenter_common.kubelet_status): a VM create, the same
  code (pkg/providers/instance/vminstance.go; AGENTS.md "VM-based (aksscriptless,
  bootstrappingclient)"): the provider handles an error of BeginCreateOrUpdate and one of the
  poller alike (errorHandling.Handle in both). Which Azure
  answers at once is CRP's behaviour, which no published source states; the simulator follows the
  provider's VM-path tests (pkg/providers/instancetype/suite_test.go): the quotas, SkuNotAvailable,
  AllocationFailed and the Overconstrained* errors as BeginError, ZonalAllocationFailed as the
  poller's error.
- ``aksmachineapi`` (pkg/providers/instance/aksmachineinstance.go): the AKS RP front end answers the
  PUT only with VMSizeNotSupported (aksmachinebegincreateerrorhandlers.go, "AKS RP frontend errors
  rather then CRP"); CRP's errors are the AKS machine's status.provisioningError once the PUT was
  accepted, handled by handleMachineProvisioningError ("failed to create AKS machine %q during LRO,
  handled provisioning error: %w"), as the provider's AKS machine suite injects every one of them
  (pkg/cloudprovider/suite_aksmachineapi_offerings_test.go AfterPollProvisioningErrorOverride).
  The provider also reads the machine once right after the PUT and fails at once where it is
  already Failed (getCreatedMachineAndHandleEarlyProvisioningError): the simulator takes the later
  moment. AKS machine names longer than 34 characters (hashed, aksmachineinstanceutils.go
  GetAKSMachineNameFromNodeClaimName) are not modelled.
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

# Azure's error, by the name a test gives it -> when it comes in the aksscriptless mode (see timing).
FAILURES = {
    "SKUFamilyQuota": "sync",  # OperationNotAllowed, "... Family Cores quota ..."
    "LowPriorityQuota": "sync",  # OperationNotAllowed, "... LowPriorityCores quota ..."
    "RegionalQuota": "sync",  # OperationNotAllowed, "... Total Regional Cores quota ..."
    "SkuNotAvailable": "sync",
    "ZonalAllocationFailed": "async",
    "AllocationFailed": "sync",
    "OverconstrainedZonalAllocationRequest": "sync",
    "OverconstrainedAllocationRequest": "sync",
    "VMSizeNotSupported": "sync",  # the AKS RP's, aksmachineapi only
}
PROVISION_MODES = ("bootstrappingclient", "aksscriptless", "aksmachineapi")


def timing(code: str, mode: str) -> str:
    """ "sync" where Azure answers the create request, "async" where the error comes after it was
    accepted (the module docstring)."""
    if code not in FAILURES or mode not in PROVISION_MODES:
        raise ValueError(f"unknown failure {code!r} or provision mode {mode!r}")
    if code == "VMSizeNotSupported" and mode != "aksmachineapi":
        raise ValueError("VMSizeNotSupported is the AKS machine API's (provision mode aksmachineapi)")
    if mode == "aksmachineapi":
        return "sync" if code == "VMSizeNotSupported" else "async"
    return FAILURES[code]


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

    def async_error(self, mode: str, machine: str) -> str:
        """What the instance promise's Wait returns (upstream: Azure/karpenter-provider-azure 352646f
        pkg/cloudprovider/cloudprovider.go), which handleInstancePromise
        posts as "Failed to register: ...": the handler's error itself on the VM path
        (vminstance.go WaitFunc), wrapped by handleMachineProvisioningError on the AKS machine path."""
        inner = (
            f"insufficient capacity, {self.message}"
            if self.insufficient_capacity
            else f"creating nodeclaim, {self.message}"
        )
        if mode == "aksmachineapi":
            return f'failed to create AKS machine "{machine}" during LRO, handled provisioning error: {inner}'
        return inner

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


def handle(
    code: str, size: str, zone: str, capacity_type: str, zones: Sequence[str], zero_limit: bool, mode: str
) -> Handled:
    """The handler of commonerrorhandlers.go for Azure's ``code`` on the offering (size, zone,
    capacity type); ``zones``: the zone labels the size is offered in."""
    every = [(size, z, ct) for z in zones for ct in (ON_DEMAND, SPOT)]
    same_scope = [o for o in every if _scope(o[1]) == _scope(zone)]
    asynchronous = timing(code, mode) == "async"
    if code == "VMSizeNotSupported":  # aksmachinebegincreateerrorhandlers.go handleSKUNotAvailableForSubscriptionError
        return Handled(
            "SKUNotAvailable",
            f"VM size {size} is not supported for this subscription in this location, for more details please visit: "
            "https://aka.ms/aks/vm-size-selector",
            {o: SKU_NOT_AVAILABLE_ON_DEMAND_TTL for o in every},  # markAllPlacementsUnavailableForBothCapacityTypes
        )
    if code == "SKUFamilyQuota":  # handleSKUFamilyQuotaError
        ttl = SUBSCRIPTION_QUOTA_REACHED_TTL if zero_limit else LOW_QUOTA_TTL
        return Handled(
            "SubscriptionQuotaReached",
            f"subscription level {capacity_type} vCPU quota for {size} has been reached "
            "(may try provision an alternative instance type)",
            {o: ttl for o in every if o[2] == capacity_type},
            asynchronous=asynchronous,
        )
    if code == "LowPriorityQuota":  # handleLowPriorityQuotaError: MarkSpotUnavailableWithTTL
        return Handled(
            "SubscriptionQuotaReached",
            "this subscription has reached the regional vCPU quota for spot (LowPriorityQuota). To scale beyond "
            "this limit, please review the quota increase process here: "
            "https://docs.microsoft.com/en-us/azure/azure-portal/supportability/low-priority-quota",
            all_spot_ttl=SUBSCRIPTION_QUOTA_REACHED_TTL,
            asynchronous=asynchronous,
        )
    if code == "RegionalQuota":  # handleRegionalQuotaError: an InsufficientCapacityError, nothing marked
        return Handled(
            "InsufficientCapacityError",
            f"regional {capacity_type} vCPU quota limit for subscription has been reached. To scale beyond this "
            "limit, please review the quota increase process here: "
            "https://learn.microsoft.com/en-us/azure/quotas/regional-quota-requests",
            insufficient_capacity=True,
            asynchronous=asynchronous,
        )
    if code == "SkuNotAvailable":  # handleSKUNotAvailableError
        ttl = SKU_NOT_AVAILABLE_ON_DEMAND_TTL if capacity_type == ON_DEMAND else SKU_NOT_AVAILABLE_SPOT_TTL
        return Handled(
            "SKUNotAvailable",
            f"the requested SKU is unavailable for instance type {size} in zone {zone} with capacity type "
            f"{capacity_type}, for more details please visit: https://aka.ms/azureskunotavailable",
            {o: ttl for o in same_scope if o[2] == capacity_type},
            asynchronous=asynchronous,
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
