"""The cluster credentials AKS answers (listClusterUserCredential, listClusterAdminCredential): the
kubeconfig it hands out, as a user or an admin, in the azure or exec format. Split from aks.py."""

from __future__ import annotations

import base64
import hashlib
from typing import TYPE_CHECKING, Any

from tests.emulators.arm.server import AKS_SERVER_APP, ArmError

if TYPE_CHECKING:
    from tests.emulators.arm.server import ArmEmulator


def kubeconfig_yaml(emu: ArmEmulator, obj: dict[str, Any], *, admin: bool, fmt: str) -> str:
    name = obj["name"]
    rg = obj["id"].split("/")[4]
    server = emu.kubeconfig_server or f"https://{obj['properties']['fqdn']}:443"
    ca = base64.b64encode(emu.kubeconfig_ca_pem or emu.tls.ca_pem).decode()
    user = f"clusterAdmin_{rg}_{name}" if admin else f"clusterUser_{rg}_{name}"
    # The admin kubeconfig's context is named as the cluster, like the user one: the "-admin" suffix
    # users know is az's (upstream: Azure/azure-cli src/azure-cli/azure/cli/command_modules/acs/custom.py
    # merge_kubernetes_configurations, "rename the admin context so it doesn't overwrite the user context").
    context = name
    if admin:
        user_block = (
            "    client-certificate-data: " + base64.b64encode(b"emulator-cert").decode() + "\n"
            "    client-key-data: " + base64.b64encode(b"emulator-key").decode() + "\n"
            "    token: " + hashlib.sha256(name.encode()).hexdigest() + "\n"
        )
    elif fmt == "exec":
        user_block = (
            "    exec:\n"
            "      apiVersion: client.authentication.k8s.io/v1beta1\n"
            "      args:\n"
            "      - get-token\n"
            "      - --environment\n"
            "      - AzurePublicCloud\n"
            "      - --server-id\n"
            f"      - {AKS_SERVER_APP}\n"
            "      - --client-id\n"
            "      - 80faf920-1908-4b52-b5ef-a8e7bedfc67a\n"
            "      - --tenant-id\n"
            f"      - {emu.tenant}\n"
            "      - --login\n"
            "      - devicecode\n"
            "      command: kubelogin\n"
            "      env: null\n"
            "      installHint: |2\n\n"
            "        kubelogin is not installed which is required to connect to AAD enabled "
            "cluster.\n"
            "      interactiveMode: IfAvailable\n"
            "      provideClusterInfo: false\n"
        )
    else:
        user_block = (
            "    auth-provider:\n"
            "      config:\n"
            f"        apiserver-id: {AKS_SERVER_APP}\n"
            "        client-id: 80faf920-1908-4b52-b5ef-a8e7bedfc67a\n"
            "        config-mode: '1'\n"
            "        environment: AzurePublicCloud\n"
            f"        tenant-id: {emu.tenant}\n"
            "      name: azure\n"
        )
    return (
        "apiVersion: v1\n"
        "clusters:\n"
        "- cluster:\n"
        f"    certificate-authority-data: {ca}\n"
        f"    server: {server}\n"
        f"  name: {name}\n"
        "contexts:\n"
        "- context:\n"
        f"    cluster: {name}\n"
        f"    user: {user}\n"
        f"  name: {context}\n"
        f"current-context: {context}\n"
        "kind: Config\n"
        "preferences: {}\n"
        "users:\n"
        f"- name: {user}\n"
        "  user:\n" + user_block
    )


def credentials(admin: bool) -> Any:
    def handler(emu: ArmEmulator, rid: str, obj: dict[str, Any], body: dict[str, Any] | None) -> dict[str, Any]:
        q = (body or {}).get("__query__", {})
        fmt = (q.get("format") or ["azure"])[0].lower()
        aad = bool(obj["properties"].get("aadProfile"))
        if admin and obj["properties"].get("disableLocalAccounts"):
            raise ArmError(
                400,
                "BadRequest",
                "Getting static credential is not allowed because this cluster is set to disable local accounts.",
            )
        text = kubeconfig_yaml(emu, obj, admin=admin or not aad, fmt=fmt)
        name = "clusterAdmin" if admin else "clusterUser"
        return {"kubeconfigs": [{"name": name, "value": base64.b64encode(text.encode()).decode()}]}

    return handler
