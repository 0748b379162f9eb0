"""The OIDC issuer AKS gives a cluster, as the ARM emulator answers it (tests/emulators/arm/aksoidc.py):
on by default from Kubernetes 1.34, with its issuer URL once enabled, and never turned off
(upstream: MicrosoftDocs/azure-aks-docs articles/aks/use-oidc-issuer.md)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.azure.helpers import RG, cluster_id, seed_cluster
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator


def _profile(emu: ArmEmulator, name: str) -> dict[str, Any]:
    return dict(((emu.get_resource(cluster_id(name)) or {}).get("properties") or {}).get("oidcIssuerProfile") or {})


def _create(*flags: str) -> None:
    result = invoke(
        "cluster", "create", "new1", "-g", RG, "--sku", "base", "--node-provisioning", "manual", *flags, "-y"
    )
    assert result.exit_code == 0, result


def test_a_cluster_created_on_1_34_has_the_oidc_issuer_on_without_asking(azure_env: ArmEmulator) -> None:
    # Before: no oidcIssuerProfile at all.
    _create("-k", "1.34")
    profile = _profile(azure_env, "new1")
    assert profile["enabled"] is True
    assert re.fullmatch(
        rf"https://eastus\.oic\.prod-aks\.azure\.com/{azure_env.tenant}/[0-9a-f-]{{36}}/", profile["issuerURL"]
    )


def test_a_cluster_created_on_1_33_has_no_oidc_issuer_unless_asked(azure_env: ArmEmulator) -> None:
    _create("-k", "1.33")
    assert _profile(azure_env, "new1").get("enabled") is not True


def test_an_issuer_turned_on_reads_back_its_url(azure_env: ArmEmulator) -> None:
    # --enable-kaito turns the issuer on (cluster update); before: enabled with no issuerURL.
    seed_cluster(azure_env, "aks1")
    assert invoke("cluster", "update", "aks1", "-g", RG, "--enable-kaito").exit_code == 0
    shown = invoke("cluster", "show", "aks1", "-g", RG, "-o", "json")
    url = json.loads(shown.stdout)["properties"]["oidcIssuerProfile"]["issuerURL"]
    assert url.startswith(f"https://eastus.oic.prod-aks.azure.com/{azure_env.tenant}/")


def test_the_issuer_url_stays_the_same_through_an_update(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env, "aks1", version="1.34.2")
    before = _profile(azure_env, "aks1")["issuerURL"]
    assert invoke("cluster", "update", "aks1", "-g", RG, "--tier", "standard").exit_code == 0
    assert _profile(azure_env, "aks1") == {"enabled": True, "issuerURL": before}


def test_the_emulator_refuses_to_turn_an_enabled_issuer_off(azure_env: ArmEmulator) -> None:
    from akscli.azure import arm
    from akscli.azure.arm import AzureTarget
    from akscli.errors import AkscliError

    seed_cluster(azure_env, "aks1", version="1.34.2")
    body = {"location": "eastus", "properties": {"dnsPrefix": "aks1-dns", "oidcIssuerProfile": {"enabled": False}}}
    with pytest.raises(AkscliError, match="cannot be disabled once it is enabled"):
        arm.wait_lro(arm.raw_begin(arm.raw_client(AzureTarget()), "PUT", cluster_id("aks1"), "2026-08-01", body), "put")
