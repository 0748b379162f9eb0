"""A typo in -l or the wrong subscription, as ARM answers them (tests/emulators/arm/locations.py).

ARM refuses a managed cluster in a location the type is not offered in (400
LocationNotAvailableForResourceType, whose message lists the regions that offer it) and any request
under a subscription it does not know or the caller cannot see (404 SubscriptionNotFound). akscli
does not keep a region list of its own (Azure's changes as regions open): it counts ARM's list,
suggests the nearest names from it, and says how to see them all; nothing is created.
"""

from __future__ import annotations

import pytest

from akscli.azure import arm
from akscli.azure.arm import AzureTarget
from akscli.azure.armerrors import from_error
from akscli.errors import UsageError
from tests.azure.helpers import seed_cluster
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator

UNKNOWN_SUB = "11111111-2222-3333-4444-555555555555"
ML = "/subscriptions/{sub}/resourceGroups/rg-ml/providers/Microsoft.ContainerService/managedClusters/ml"
SUBSCRIPTION_HINT = (
    "hint: check --subscription (default: $AZURE_SUBSCRIPTION_ID, then the Azure CLI's 'az account set'); "
    "'az account list -o table' lists the subscriptions this sign-in can see, 'az account show' the default"
)


def test_cluster_create_in_an_unknown_location_says_it_is_no_region(azure_env: ArmEmulator) -> None:
    # The create's capacity check reads the region's VM sizes first; a name no SKU is offered in is no
    # region this subscription can use.
    result = invoke("cluster", "create", "ml", "-g", "rg-ml", "--sku", "base", "-l", "nowhere")
    assert result.exit_code == 2, result
    assert result.stderr.splitlines() == [
        "error: -l: create cluster ml: location 'nowhere' offers no VM sizes to this subscription: it is no Azure "
        "region name, or one this subscription cannot use",
        "hint: pass a region name with -l/--location; list them with 'az account list-locations -o table'",
    ]


def test_a_location_typo_suggests_the_nearest_region(azure_env: ArmEmulator) -> None:
    result = invoke("cluster", "create", "ml", "-g", "rg-ml", "--sku", "base", "-l", "eastu")
    assert result.exit_code == 2, result
    assert result.stderr.splitlines()[1].startswith("hint: did you mean eastus? ")


def test_arm_refuses_a_cluster_in_a_location_with_the_count_of_regions(azure_env: ArmEmulator) -> None:
    # What ARM answers the PUT itself (LocationNotAvailableForResourceType), as akscli words it.
    client = arm.raw_client(AzureTarget())
    path = ML.format(sub=azure_env.subscription)
    with pytest.raises(UsageError) as caught:
        arm.raw_call(client, "PUT", path, "2026-08-01", {"location": "eastu", "properties": {}})
    err = caught.value
    assert err.message == (
        "Azure rejected the location (LocationNotAvailableForResourceType): The provided "
        "location 'eastu' is not available for resource type 'Microsoft.ContainerService/managedClusters' "
        "(6 regions offer it)."
    )
    assert err.hint == (
        "did you mean eastus? pass a region that offers it with -l/--location; list the region names with "
        "'az account list-locations -o table'"
    )


def test_a_refused_location_creates_nothing(azure_env: ArmEmulator) -> None:
    invoke("cluster", "create", "ml", "-g", "rg-ml", "--sku", "base", "-l", "nowhere")
    assert azure_env.get_resource(ML.format(sub=azure_env.subscription)) is None


def test_a_location_in_other_case_is_the_same_region(azure_env: ArmEmulator) -> None:
    result = invoke("cluster", "create", "ml", "-g", "rg-ml", "--sku", "base", "-l", "EastUS", "--no-wait")
    assert result.exit_code == 0, result


def test_a_list_in_an_unknown_subscription_is_not_found_not_empty(azure_env: ArmEmulator) -> None:
    result = invoke("cluster", "list", "--subscription", UNKNOWN_SUB)
    assert result.exit_code == 3, result
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"error: list clusters: The subscription '{UNKNOWN_SUB}' could not be found.",
        SUBSCRIPTION_HINT,
    ]


def test_a_cluster_show_in_an_unknown_subscription_says_which_subscription(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    result = invoke("cluster", "show", "aks1", "-g", "rg-ml", "--subscription", UNKNOWN_SUB)
    assert result.exit_code == 3, result
    assert result.stderr.splitlines()[1] == SUBSCRIPTION_HINT


def test_a_create_in_an_unknown_subscription_creates_nothing(azure_env: ArmEmulator) -> None:
    result = invoke("cluster", "create", "ml", "-g", "rg-ml", "--sku", "base", "--subscription", UNKNOWN_SUB)
    assert result.exit_code == 3, result
    assert result.stderr.splitlines()[1] == SUBSCRIPTION_HINT
    assert not [e for e in azure_env.request_log if e.method == "PUT"]


def test_a_subscription_given_a_group_exists(azure_env: ArmEmulator) -> None:
    # Tests seed other subscriptions with their groups; a group's subscription is one ARM knows.
    azure_env.add_resource_group(f"/subscriptions/{UNKNOWN_SUB}/resourceGroups/rg-ml")
    result = invoke("cluster", "list", "--subscription", UNKNOWN_SUB)
    assert result.exit_code == 0, result


def test_a_failed_operation_with_no_registered_provider_for_the_location_is_a_bad_location() -> None:
    # NoRegisteredProviderFound ends in "NotFound" but is ARM's 400 (nebari-dev/nebari#2374); the
    # message's wording is Azure/azure-cli#28368's, with a shorter list.
    err = from_error(
        {
            "code": "NoRegisteredProviderFound",
            "message": "No registered resource provider found for location 'westeurpe' and API version "
            "'2026-08-01' for type 'managedClusters'. The supported api-versions are '2026-08-01'. "
            "The supported locations are 'eastus, westeurope, westus3'.",
        },
        "create cluster ml",
    )
    assert isinstance(err, UsageError)
    assert err.hint is not None and err.hint.startswith("did you mean westeurope?")
    assert "(3 regions offer it)" in err.message


def test_no_registered_provider_for_a_listed_location_is_left_as_azure_said() -> None:
    # The location is offered; the API version is not (Azure/azure-cli#28368): no region hint.
    err = from_error(
        {
            "code": "NoRegisteredProviderFound",
            "message": "No registered resource provider found for location 'eastus' and API version "
            "'2030-01-01' for type 'managedClusters'. The supported api-versions are '2026-08-01'. "
            "The supported locations are 'eastus, westus3'.",
        },
        "create cluster ml",
    )
    assert isinstance(err, UsageError)
    assert "did you mean" not in (err.hint or "")


def test_fleet_create_in_an_unknown_location_is_refused_and_creates_nothing(azure_env: ArmEmulator) -> None:
    # Before, the emulator kept any location for a fleet, and `fleet create -l nowhere` succeeded.
    result = invoke("fleet", "create", "f1", "-g", "rg-ml", "-l", "eastu")
    assert (result.exit_code, result.stdout) == (2, ""), result
    assert "(LocationNotAvailableForResourceType)" in result.stderr.splitlines()[0]
    assert result.stderr.splitlines()[-1].startswith("hint: did you mean eastus? ")
    path = (
        f"/subscriptions/{azure_env.subscription}/resourceGroups/rg-ml/providers/Microsoft.ContainerService/fleets/f1"
    )
    assert azure_env.get_resource(path) is None
