"""A managed cluster's OIDC issuer: on by default from Kubernetes 1.34, never turned off, and its URL.

upstream: MicrosoftDocs/azure-aks-docs articles/aks/use-oidc-issuer.md (ms.date 2025-10-16),
"Version-specific behavior": "OIDC issuer enabled by default (no `--enable-oidc-issuer` flag needed)
for Kubernetes version 1.34+", "Manual enablement required if not previously configured for
Kubernetes version earlier than 1.34"; "Important considerations": "You can't disable OIDC issuer
once enabled"; the issuer's base URL is `https://{region}.oic.prod-aks.azure.com` "where the value
for {region} matches the location the AKS cluster is deployed in", and the discovery document's
issuer is `https://eastus.oic.prod-aks.azure.com/{tenant}/{uuid}/`. The property names are
Azure/azure-rest-api-specs aks/stable/2026-08-01 managedClusters.json ManagedClusterOIDCIssuerProfile:
``enabled`` and the read-only ``issuerURL`` (azure-mgmt-containerservice 41.8.0 ``issuer_url``).
AKS's answer to a PUT that turns the issuer off is published nowhere: the 400 below is worded by the
emulator (akscli never sends one: a read-modify-write sends back what it read).
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from tests.emulators.arm.server import ArmError

if TYPE_CHECKING:
    from tests.emulators.arm.server import ArmEmulator

DEFAULT_FROM = (1, 34)


def on_put(emu: ArmEmulator, rid: str, body: dict[str, Any], existing: dict[str, Any] | None) -> None:
    from tests.emulators.arm.aks_versions import DEFAULT_MINOR, resolve_version

    props = body.get("properties")
    if not isinstance(props, dict):
        return
    old = ((existing or {}).get("properties") or {}).get("oidcIssuerProfile") or {}
    sent = props.get("oidcIssuerProfile")
    if old.get("enabled"):
        if isinstance(sent, dict) and sent.get("enabled") is False:
            raise ArmError(
                400,
                "BadRequest",
                "The OIDC issuer cannot be disabled once it is enabled.",
                target="properties.oidcIssuerProfile.enabled",
            )
        if sent is None:  # a PUT that leaves it out keeps it: it cannot be turned off
            props["oidcIssuerProfile"] = dict(old)
        return
    if existing is None and not isinstance(sent, dict):
        version = resolve_version(str(props.get("kubernetesVersion") or DEFAULT_MINOR))
        if tuple(int(x) for x in version.split(".")[:2]) >= DEFAULT_FROM:
            props["oidcIssuerProfile"] = {"enabled": True}


def on_put_done(emu: ArmEmulator, rid: str, obj: dict[str, Any]) -> None:
    """The issuer URL, once the operation that enabled the issuer is done (a read-only property: set
    here, after the PUT's read-only check)."""
    profile = (obj.get("properties") or {}).get("oidcIssuerProfile") or {}
    if not profile.get("enabled") or profile.get("issuerURL"):
        return
    location = str(obj.get("location") or "eastus").replace(" ", "").lower()
    url = f"https://{location}.oic.prod-aks.azure.com/{emu.tenant}/{uuid.uuid5(uuid.NAMESPACE_URL, rid.lower())}/"
    emu.update_resource(rid, lambda o: o["properties"]["oidcIssuerProfile"].update(issuerURL=url))
