"""Bare-metal (Arc) types: Microsoft.Kubernetes/connectedClusters, the
Microsoft.HybridContainerService/provisionedClusterInstances extension resource under a
connected cluster (listUserKubeconfig / listAdminKubeconfig, upgradeProfiles/default) and
Microsoft.HybridCompute/machines. All are plain resources of the generic store; this
module adds the actions and computed sub-resources."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from tests.emulators.arm.server import ArmError

if TYPE_CHECKING:
    from tests.emulators.arm.server import ArmEmulator

PCI = r"Microsoft\.HybridContainerService/provisionedClusterInstances"
# The Kubernetes versions AKS on bare metal offers in its preview: 1.34.2 and 1.34.3, the latest
# (upstream: MicrosoftDocs/azure-stack-docs 08b61912 AKS-Arc/aks-bare-metal-upgrade-cluster.md,
# "Supported upgrade paths"; "You can only upgrade to a newer version"). The ARM template sends the
# latest with its image's build date, 1.34.3-20260204 (Azure/aksArc 3186e6c3 deploymentTemplates/
# aks-baremetal-arm/aks-baremetal-arm.json, parameter kubernetesVersion): a version with such a
# suffix is its MAJOR.MINOR.PATCH's.
VERSIONS = ["1.34.2", "1.34.3"]


def _base(v: str) -> str:
    return v.split("-", 1)[0]


def _vkey(v: str) -> tuple[int, ...]:
    return tuple(int(x) for x in _base(v).split(".") if x.isdigit())


def _connected_cluster_name(rid: str) -> str:
    # …/connectedClusters/{name}/providers/Microsoft.HybridContainerService/…
    parts = rid.split("/")
    low = [p.lower() for p in parts]
    return parts[low.index("connectedclusters") + 1] if "connectedclusters" in low else "cluster"


def _kubeconfig(admin: bool) -> Any:
    def handler(emu: ArmEmulator, rid: str, obj: dict[str, Any], body: dict[str, Any] | None) -> dict[str, Any]:
        name = _connected_cluster_name(rid)
        cp = obj.get("properties", {}).get("controlPlane", {})
        host = cp.get("controlPlaneEndpoint", {}).get("hostIP", "10.0.0.10")
        server = emu.kubeconfig_server or f"https://{host}:6443"
        ca = base64.b64encode(emu.kubeconfig_ca_pem or emu.tls.ca_pem).decode()
        user = f"{name}-admin" if admin else f"{name}-user"
        auth = (
            f"    token: {'admintoken' if admin else 'usertoken'}-{name}\n"
            if admin
            else "    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n"
            "      args:\n      - get-token\n      - --server-id\n"
            "      - 6dae42f8-4368-4678-94ff-3960e28e3630\n      command: kubelogin\n"
        )
        text = (
            "apiVersion: v1\nclusters:\n- cluster:\n"
            f"    certificate-authority-data: {ca}\n    server: {server}\n  name: {name}\n"
            f"contexts:\n- context:\n    cluster: {name}\n    user: {user}\n  name: {name}\n"
            f"current-context: {name}\nkind: Config\nusers:\n- name: {user}\n  user:\n" + auth
        )
        return {
            "id": f"{rid}/kubeconfigs/default",
            "name": "default",
            "status": "Succeeded",
            "properties": {
                "kubeconfigs": [{"name": "credentialName1", "value": base64.b64encode(text.encode()).decode()}]
            },
        }

    return handler


def _upgrade_profile(emu: ArmEmulator, rid: str, obj: dict[str, Any], query: dict[str, list[str]]) -> dict[str, Any]:
    cur = obj.get("properties", {}).get("kubernetesVersion") or VERSIONS[0]
    return {
        "id": f"{rid}/upgradeProfiles/default",
        "name": "default",
        "type": "Microsoft.HybridContainerService/provisionedClusterInstances/upgradeProfiles",
        "properties": {
            "provisioningState": "Succeeded",
            "controlPlaneProfile": {
                "kubernetesVersion": cur,
                "upgrades": [
                    {"kubernetesVersion": v, "isPreview": False}
                    for v in VERSIONS
                    if _vkey(v) > _vkey(cur) and _vkey(v)[1] <= _vkey(cur)[1] + 1
                ],
            },
        },
    }


def _pci_on_put(emu: ArmEmulator, rid: str, body: dict[str, Any], existing: dict[str, Any] | None) -> None:
    props = body["properties"]
    v = props.get("kubernetesVersion")
    if v and _base(str(v)) not in VERSIONS:
        raise ArmError(
            400,
            "InvalidKubernetesVersion",
            f"Kubernetes version {v} is not supported; supported: {', '.join(VERSIONS)}.",
        )
    props.setdefault("kubernetesVersion", VERSIONS[-1])
    props.setdefault("status", {}).update(currentState="Succeeded")


def install(emu: ArmEmulator) -> None:
    from tests.emulators.arm import baremetal

    baremetal.install(emu)
    emu.add_hooks(PCI, on_put=_pci_on_put)
    emu.register_action(PCI, "listUserKubeconfig", _kubeconfig(False))
    emu.register_action(PCI, "listAdminKubeconfig", _kubeconfig(True))
    emu.register_get(PCI, "upgradeProfiles/default", _upgrade_profile)
