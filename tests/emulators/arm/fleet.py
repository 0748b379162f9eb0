"""Microsoft.ContainerService fleets behaviour (API 2026-06-01): update runs, gates, credentials.

Shapes follow ../shared/data/arm-examples/fleet-2026-06-01. Members have the provisioning states of
fleetmember.tsp (Joining, Updating, Leaving, Failed with status.lastOperationError); strategies and
auto-upgrade profiles are plain resources of the generic store; update runs get a status tree
(stages -> groups -> members) that progresses after start, creating gates (fleetruns.py; start, stop
and skip: fleetrun_actions.py).
"""

from __future__ import annotations

import base64
import hashlib
import re
import time
from typing import TYPE_CHECKING, Any

from tests.emulators.arm import fleetrun_actions, fleetruns, schema
from tests.emulators.arm.server import ArmError

if TYPE_CHECKING:
    from tests.emulators.arm.server import ArmEmulator

FLEET = r"Microsoft\.ContainerService/fleets"
RUN = r"Microsoft\.ContainerService/fleets/updateRuns"
GATE = r"Microsoft\.ContainerService/fleets/gates"
MEMBER = r"Microsoft\.ContainerService/fleets/members"
STRATEGY = r"Microsoft\.ContainerService/fleets/updateStrategies"
AUTO = r"Microsoft\.ContainerService/fleets/autoUpgradeProfiles"


def _fleet_id(rid: str) -> str:
    return rid.rsplit("/", 2)[0]


def _strategy(emu: ArmEmulator, props: dict[str, Any]) -> dict[str, Any] | None:
    """The run's strategy: its own, a snapshot of the saved one it names ("UpdateRuns created by
    updateStrategyId snapshot the referenced UpdateStrategy at the time of creation and store it in the
    strategy field", run.tsp), or none (every member, one by one)."""
    if props.get("strategy"):
        return dict(props["strategy"])
    sid = props.get("updateStrategyId")
    if sid:
        s = emu.get_resource(sid)
        if s is None:
            raise ArmError(404, "ResourceNotFound", f"Update strategy '{sid}' was not found.")
        return dict(s["properties"].get("strategy", {}))
    return None


def _checked(model: str) -> Any:
    """An on_put hook refusing a body with a property Fleet's published API lacks (schema.py)."""

    def hook(emu: ArmEmulator, rid: str, body: dict[str, Any], existing: dict[str, Any] | None) -> None:
        schema.check(schema.fleet_models(), model, body)

    return hook


def _member_on_patch(emu: ArmEmulator, rid: str, body: dict[str, Any], existing: dict[str, Any] | None) -> None:
    """A member's PATCH body is a FleetMemberUpdate: group and labels only. clusterResourceId is set at
    create and read after (upstream: Azure/azure-rest-api-specs 1713bce896b2fb4ee3d55de968993def180d8926
    specification/containerservice/resource-manager/Microsoft.ContainerService/fleet/fleetmember.tsp,
    FleetMembers_Update; azure-mgmt-containerservicefleet 4.0.0 FleetMemberUpdateProperties has group
    and labels). No source publishes the code ARM answers such a PATCH with, so the refusal is
    schema.py's, as for any property the published model lacks (InvalidRequestContent). The labels
    are merged into the member's as every PATCH is (routes._merge: ARM's JSON merge patch rule for
    the properties envelope, Azure/azure-resource-manager-rpc 69e229f v1.0/resource-api-reference.md;
    no Fleet source publishes a rule of its own)."""
    schema.check(schema.fleet_models(), "FleetMemberUpdate", body)


# Fleet members have states of their own while a write runs, and keep the error of the last one.
# upstream: Azure/azure-rest-api-specs 1713bce896b2fb4ee3d55de968993def180d8926
#   specification/containerservice/resource-manager/Microsoft.ContainerService/fleet/fleetmember.tsp:
#   FleetMemberProvisioningState is ResourceProvisioningState (Succeeded, Failed, Canceled) and
#   Joining ("a member joining a fleet"), Leaving ("a member leaving a fleet"), Updating ("a member
#   being updated"); FleetMemberStatus.lastOperationError, "The last operation error of the fleet
#   member" (read-only, since 2025-03-01). A failed operation leaves the resource Failed
#   (Azure/azure-resource-manager-rpc v1.0/async-api-reference.md, server.py _fail).
MEMBER_STATES = {"create": "Joining", "update": "Updating", "delete": "Leaving"}


def _member_joined(emu: ArmEmulator, rid: str, obj: dict[str, Any]) -> None:
    """A join that completes needs the cluster it names: an AKS or Arc-enabled cluster this ARM holds.
    Without one the operation ends Failed, with ARM's not-found error for the cluster (the code the
    Fleet RP answers is not published; ResourceNotFound is ARM's for a resource that does not exist,
    learn.microsoft.com azure-resource-manager/troubleshooting/error-not-found)."""
    cluster = str((obj.get("properties") or {}).get("clusterResourceId") or "")
    if emu.get_resource(cluster) is None:
        parts = cluster.split("/")
        group = parts[4] if len(parts) > 4 else ""
        kind = "/".join(parts[6:8]) + "/" + parts[-1] if len(parts) > 8 else cluster
        raise ArmError(404, "ResourceNotFound", f"The Resource '{kind}' under resource group '{group}' was not found.")


def _member_failed(emu: ArmEmulator, rid: str, error: dict[str, Any]) -> None:
    """A failed member operation is kept on the member as status.lastOperationError (fleetmember.tsp)."""
    emu.update_resource(rid, lambda o: o["properties"].setdefault("status", {}).update(lastOperationError=error))


def _fleet_on_put(emu: ArmEmulator, rid: str, body: dict[str, Any], existing: dict[str, Any] | None) -> None:
    """A fleet with a hub gets what the service fills in for its hub (read-only in the API):
    upstream: Azure/azure-rest-api-specs a31a87141475be1b788023d17df6fe6bbf138aed
    specification/containerservice/resource-manager/Microsoft.ContainerService/fleet/examples/2026-06-01/
    Fleets_CreateOrUpdate.json (and Fleets_Get.json): hubProfile.fqdn
    "dnsprefix1-abcd1234.flt.eastus.azmk8s.io" (the DNS prefix, a hash, "flt", the region),
    kubernetesVersion "1.22.4" (the hub's; here the emulator's default AKS version) and portalFqdn
    the same as fqdn. A fleet without a hub has no hubProfile, so none of them."""
    from tests.emulators.arm import aks_versions

    hub = (body.get("properties") or {}).get("hubProfile")
    if not isinstance(hub, dict):
        return
    old = ((existing or {}).get("properties") or {}).get("hubProfile") or {}
    prefix = hub.get("dnsPrefix") or old.get("dnsPrefix") or f"{rid.rsplit('/', 1)[-1][:40]}-dns"
    hub["dnsPrefix"] = prefix
    region = str(body.get("location") or (existing or {}).get("location") or "eastus").replace(" ", "").lower()
    fqdn = f"{prefix}-{hashlib.sha256(rid.lower().encode()).hexdigest()[:8]}.flt.{region}.azmk8s.io"
    hub["fqdn"] = fqdn
    hub["portalFqdn"] = fqdn
    hub["kubernetesVersion"] = old.get("kubernetesVersion") or aks_versions.resolve_version(aks_versions.DEFAULT_MINOR)


def _gate_on_put(emu: ArmEmulator, rid: str, body: dict[str, Any], existing: dict[str, Any] | None) -> None:
    schema.check(schema.fleet_models(), "Gate", body)
    state = (body.get("properties") or {}).get("state")
    if state not in fleetruns.GATE_STATES:
        raise ArmError(
            400, "InvalidRequestContent", f"properties.state must be one of {', '.join(fleetruns.GATE_STATES)}."
        )


def _run_on_put(emu: ArmEmulator, rid: str, body: dict[str, Any], existing: dict[str, Any] | None) -> None:
    schema.check(schema.fleet_models(), "UpdateRun", body)
    props = body["properties"]
    if existing is not None:
        state = existing["properties"].get("status", {}).get("status", {}).get("state")
        if state in ("Running", "Pending", "Stopping"):
            raise ArmError(409, "Conflict", "An update run cannot be changed while it is running.")
    strategy = _strategy(emu, props)
    if strategy is not None:
        props["strategy"] = strategy
    members = emu.list_resources("Microsoft.ContainerService/fleets/members", _fleet_id(rid))
    props["status"] = fleetruns.skeleton(strategy or fleetruns.DEFAULT_STRATEGY, members, all_members=strategy is None)


def _fleet_credentials(emu: ArmEmulator, rid: str, obj: dict[str, Any], body: dict[str, Any] | None) -> dict[str, Any]:
    hub = obj["properties"].get("hubProfile")
    if not hub:
        raise ArmError(400, "BadRequest", "This fleet has no hub; it has no credentials.")
    name = obj["name"]
    server = emu.kubeconfig_server or f"https://{hub.get('fqdn') or name + '-hub.fleet.azmk8s.io'}:443"
    ca = base64.b64encode(emu.kubeconfig_ca_pem or emu.tls.ca_pem).decode()
    text = (
        "apiVersion: v1\nclusters:\n- cluster:\n"
        f"    certificate-authority-data: {ca}\n    server: {server}\n  name: hub\n"
        "contexts:\n- context:\n    cluster: hub\n"
        f"    user: clusterUser_{name}\n  name: hub\ncurrent-context: hub\nkind: Config\n"
        f"users:\n- name: clusterUser_{name}\n  user:\n    exec:\n"
        "      apiVersion: client.authentication.k8s.io/v1beta1\n      args:\n"
        "      - get-token\n      - --server-id\n      - 6dae42f8-4368-4678-94ff-3960e28e3630\n"
        f"      - --tenant-id\n      - {emu.tenant}\n      command: kubelogin\n"
    )
    return {"kubeconfigs": [{"name": "hub", "value": base64.b64encode(text.encode()).decode()}]}


def _generate_run(emu: ArmEmulator, rid: str, obj: dict[str, Any], body: dict[str, Any] | None) -> dict[str, Any]:
    run_id = f"{_fleet_id(rid)}/updateRuns/auto-{int(time.time() * 1000) % 10**10}"
    props = obj["properties"]
    run_props: dict[str, Any] = {
        "managedClusterUpdate": {
            "upgrade": {"type": "Full" if props.get("channel") != "NodeImage" else "NodeImageOnly"},
            "nodeImageSelection": {"type": props.get("nodeImageSelection", {}).get("type", "Latest")},
        },
        "autoUpgradeProfileId": rid,
    }
    if props.get("updateStrategyId"):
        run_props["updateStrategyId"] = props["updateStrategyId"]
    body_ = {"properties": run_props}
    _run_on_put(emu, run_id, body_, None)
    emu.put_resource(run_id, body_)
    return {"id": run_id}


def install(emu: ArmEmulator) -> None:
    # A run moves one step each time it is read; deleting it deletes its gates (fleetruns.py).
    emu.add_hooks(RUN, on_put=_run_on_put, on_read=fleetruns.tick, on_deleted=fleetruns.delete_gates_of)
    # A gate's PATCH body is a GatePatch (state only; upstream: fleet/gate.tsp Gates_Update, example
    # fleet/examples/2026-06-01/Gates_Update.json).
    emu.add_hooks(GATE, on_put=_gate_on_put, on_list=fleetruns.filter_gates, on_patch=_checked("GatePatch"))
    emu.add_hooks(FLEET, on_put=_fleet_on_put)  # runs after the schema check added below
    for type_regex, model in ((FLEET, "Fleet"), (MEMBER, "FleetMember"), (STRATEGY, "FleetUpdateStrategy"),
                              (AUTO, "AutoUpgradeProfile")):  # fmt: skip
        emu.add_hooks(type_regex, on_put=_checked(model))
    emu.add_hooks(MEMBER, on_put_done=_member_joined, on_failed=_member_failed, on_patch=_member_on_patch)
    emu.busy_states.append((re.compile(MEMBER + "$", re.I), MEMBER_STATES))
    # FleetMembers_Update: a PATCH answered 200 with the member, or 202 with Location and
    # Retry-After, polled at the original URI (upstream: Azure/azure-rest-api-specs 1713bce8
    # specification/containerservice/resource-manager/Microsoft.ContainerService/fleet/
    # fleetmember.tsp updateAsync, ArmCustomPatchAsync, final-state-via original-uri; example
    # Azure/azure-rest-api-specs b9187fa5 .../fleet/stable/2026-06-01/examples/FleetMembers_Update.json:
    # the 202 has no body,
    # routes._resource). The member is Updating meanwhile (MEMBER_STATES).
    emu.lro_headers.append((re.compile(MEMBER + "$", re.I), {"patch": ("Location",)}))
    # Gates_Update.json: the PATCH answers 202 with Location (and Retry-After) only.
    emu.lro_headers.append((re.compile(GATE + "$", re.I), {"patch": ("Location",)}))
    # Start, stop and skip moved to fleetrun_actions.py, a pure move (upstream: Azure/azure-rest-api-specs
    # Microsoft.ContainerService/fleet/examples/2026-06-01 UpdateRuns_Start.json, _Stop.json, _Skip.json).
    emu.register_action(
        RUN, "start", fleetrun_actions.start, busy_state="Succeeded", before=fleetrun_actions.check_start
    )
    emu.register_action(RUN, "stop", fleetrun_actions.stop, busy_state="Succeeded")
    emu.register_action(RUN, "skip", fleetrun_actions.skip, busy_state="Succeeded", before=fleetrun_actions.check_skip)
    emu.register_action(FLEET, "listCredentials", _fleet_credentials, lro=False)
    # An auto-upgrade profile's DELETE done at once answers 204: its spec declares 202 and 204, no 200
    # (azure-mgmt-containerservicefleet 4.0.0, generated from Azure/azure-rest-api-specs
    # specification/containerservice/resource-manager/Microsoft.ContainerService/fleet 2026-06-01:
    # AutoUpgradeProfilesOperations._delete_initial, "status_code not in [202, 204]"). The other fleet
    # types' DELETEs declare 200, 202 and 204 (FleetsOperations._delete_initial and the rest).
    emu.done_status.append((re.compile(AUTO + "$", re.I), {"delete": 204}))
    emu.register_action(AUTO, "generateUpdateRun", _generate_run)
