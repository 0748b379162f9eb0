"""Resource groups exist: ARM refuses a resource PUT into a missing group.

``PUT/GET/HEAD/DELETE /subscriptions/{s}/resourcegroups/{rg}`` in the shape of the Resources
API's ResourceGroup (id, name, type Microsoft.Resources/resourceGroups, location,
properties.provisioningState; Azure/azure-rest-api-specs specification/resources/resource-manager/
Microsoft.Resources/stable/2021-04-01/examples/CreateResourceGroup.json), and a resource PUT into
a group that does not exist answers 404 ResourceGroupNotFound "Resource group 'x' could not be
found." (ARM's own message, https://learn.microsoft.com/azure/azure-resource-manager/troubleshooting/error-not-found).
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from tests.emulators.arm.server import ArmError

if TYPE_CHECKING:
    from tests.emulators.arm.server import ArmEmulator

GROUP = r"^/subscriptions/([^/]+)/resourcegroups/([^/]+)/?$"


def _body(sub: str, rg: str, location: str) -> dict[str, Any]:
    return {
        "id": f"/subscriptions/{sub}/resourceGroups/{rg}",
        "name": rg,
        "type": "Microsoft.Resources/resourceGroups",
        "location": location,
        "properties": {"provisioningState": "Succeeded"},
    }


def _group(method: str) -> Any:
    def handler(emu: ArmEmulator, path: str, query: dict[str, list[str]], body: bytes) -> tuple[int, Any]:
        m = re.match(GROUP, path, re.I)
        assert m is not None
        sub, rg = m.group(1), m.group(2)
        key = (sub.lower(), rg.lower())
        if method == "PUT":
            req = json.loads(body or b"{}")
            from tests.emulators.arm.write_checks import check_tag_names

            # ARM checks a resource group's tags as any resource's (write_checks.check_tag_names cites
            # learn.microsoft.com tag-resources and Azure/azure-powershell main
            # src/Migrate/Migrate.Autorest/custom/New-AzMigrateServerReplication.ps1).
            check_tag_names(req)
            if not req.get("location"):
                raise ArmError(400, "LocationRequired", "The location property is required for this definition.")
            existed = key in emu.resource_groups
            emu.resource_groups[key] = str(req["location"])
            return (200 if existed else 201), _body(sub, rg, emu.resource_groups[key])
        if key not in emu.resource_groups:
            raise not_found(rg)
        if method == "DELETE":
            del emu.resource_groups[key]
            return 200, None
        return 200, _body(sub, rg, emu.resource_groups[key])

    return handler


def not_found(rg: str) -> ArmError:
    return ArmError(404, "ResourceGroupNotFound", f"Resource group '{rg}' could not be found.")


def check(emu: ArmEmulator, path: str) -> None:
    """A write or read under a resource group needs the group."""
    m = re.match(r"^/subscriptions/([^/]+)/resourcegroups/([^/]+)/", path, re.I)
    if m is not None and (m.group(1).lower(), m.group(2).lower()) not in emu.resource_groups:
        raise not_found(m.group(2))


def install(emu: ArmEmulator) -> None:
    for method in ("PUT", "GET", "HEAD", "DELETE"):
        emu.register_route(method, GROUP, _group(method))
