"""Microsoft.Features answers only the api-versions its feature paths are published at (audit 36).

ARM refused `az feature register` at a version the cloud lacked with "(InvalidResourceType) The
resource type 'providers' could not be found in the namespace 'Microsoft.Features' for api version
'2021-07-01'. The supported api-versions are '2014-08-01-preview,2015-12-01'." (Azure/azure-cli#20087,
Azure/AKS#2655). The versions the emulator answers are the ones Azure/azure-rest-api-specs publishes
the feature paths at (specification/resources/resource-manager/Microsoft.Features/stable/2015-12-01,
2021-07-01 and 2025-03-01 features.json); tests/emulators/arm/apiversions.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.emulators.arm import ArmEmulator, routes
from tests.emulators.arm.server import ArmError


def _feature(emu: ArmEmulator, action: str = "") -> str:
    return (
        f"/subscriptions/{emu.subscription}/providers/Microsoft.Features/providers/Microsoft.ContainerService"
        f"/features/AKS-GPUDriverPreview{action}"
    )


def _request(emu: ArmEmulator, method: str, path: str, version: str | None) -> Any:
    query = {"api-version": [version]} if version else {}
    return routes._subscription_request(emu, method, path, query, {}, b"")


def test_a_feature_read_at_a_version_microsoft_features_lacks_is_refused_in_arms_words(
    azure_env: ArmEmulator,
) -> None:
    with pytest.raises(ArmError) as refused:
        _request(azure_env, "GET", _feature(azure_env), "2026-08-01")
    assert (refused.value.status, refused.value.code) == (404, "InvalidResourceType")
    assert refused.value.body()["error"]["message"] == (
        "The resource type 'providers' could not be found in the namespace 'Microsoft.Features' for api version "
        "'2026-08-01'. The supported api-versions are '2015-12-01,2021-07-01,2025-03-01'."
    )


def test_a_feature_register_at_a_version_microsoft_features_lacks_registers_nothing(azure_env: ArmEmulator) -> None:
    with pytest.raises(ArmError) as refused:
        _request(azure_env, "POST", _feature(azure_env, "/register"), "2014-08-01-preview")
    assert refused.value.code == "InvalidResourceType"
    assert azure_env.features == {}


def test_a_feature_request_without_an_api_version_is_refused(azure_env: ArmEmulator) -> None:
    with pytest.raises(ArmError) as refused:
        _request(azure_env, "GET", _feature(azure_env), None)
    assert (refused.value.status, refused.value.code) == (400, "MissingApiVersionParameter")
    assert azure_env.features == {}


@pytest.mark.parametrize("version", ["2015-12-01", "2021-07-01", "2025-03-01"])
def test_a_feature_is_read_at_each_published_version(azure_env: ArmEmulator, version: str) -> None:
    status, _, feature = _request(azure_env, "GET", _feature(azure_env), version)
    assert status == 200
    assert feature["name"] == "Microsoft.ContainerService/AKS-GPUDriverPreview"
    assert feature["properties"] == {"state": "NotRegistered"}


def test_a_feature_registered_at_a_published_version_reads_registering(azure_env: ArmEmulator) -> None:
    status, _, feature = _request(azure_env, "POST", _feature(azure_env, "/register"), "2021-07-01")
    assert (status, feature["properties"]["state"]) == (200, "Registering")
