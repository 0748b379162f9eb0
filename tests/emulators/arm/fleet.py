"""Microsoft.ContainerService fleets behaviour (API 2026-06-01): update runs, credentials.

Shapes follow ../shared/data/arm-examples/fleet-2026-06-01. Members, strategies, gates and
auto-upgrade profiles are plain resources of the generic store; update runs get a status
tree (stages -> groups -> members) and start/stop/skip actions.
"""

from __future__ import annotations

import base64
import time
from typing import TYPE_CHECKING, Any

from tests.emulators.arm.server import ArmError

if TYPE_CHECKING:
    from tests.emulators.arm.server import ArmEmulator

FLEET = r"Microsoft\.ContainerService/fleets"
RUN = r"Microsoft\.ContainerService/fleets/updateRuns"
AUTO = r"Microsoft\.ContainerService/fleets/autoUpgradeProfiles"


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _fleet_id(rid: str) -> str:
    return rid.rsplit("/", 2)[0]


def _strategy(emu: ArmEmulator, props: dict[str, Any]) -> dict[str, Any]:
    if props.get("strategy"):
        return dict(props["strategy"])
    sid = props.get("updateStrategyId")
    if sid:
        s = emu.get_resource(sid)
        if s is None:
            raise ArmError(404, "ResourceNotFound", f"Update strategy '{sid}' was not found.")
        return dict(s["properties"].get("strategy", {}))
    return {"stages": [{"name": "default", "groups": [{"name": "default"}]}]}


def _run_on_put(emu: ArmEmulator, rid: str, body: dict[str, Any], existing: dict[str, Any] | None) -> None:
    props = body["properties"]
    if existing is not None:
        state = existing["properties"].get("status", {}).get("status", {}).get("state")
        if state in ("Running", "Stopping"):
            raise ArmError(409, "Conflict", "An update run cannot be changed while it is running.")
    strategy = _strategy(emu, props)
    props["strategy"] = strategy
    members = emu.list_resources("Microsoft.ContainerService/fleets/members", _fleet_id(rid))
    stages = []
    for st in strategy.get("stages", []):
        groups = []
        for g in st.get("groups", []):
            ms = [
                {
                    "name": m["name"],
                    "clusterResourceId": m["properties"].get("clusterResourceId"),
                    "status": {"state": "NotStarted"},
                }
                for m in members
                if (m["properties"].get("group") or "default") == g["name"]
            ]
            groups.append({"name": g["name"], "status": {"state": "NotStarted"}, "members": ms})
        stages.append({"name": st["name"], "status": {"state": "NotStarted"}, "groups": groups})
    props["status"] = {"status": {"state": "NotStarted"}, "stages": stages}


def _set_state(state: str) -> Any:
    def handler(emu: ArmEmulator, rid: str, obj: dict[str, Any], body: dict[str, Any] | None) -> dict[str, Any]:
        cur = obj["properties"].get("status", {}).get("status", {}).get("state")
        if state == "Running" and cur not in (None, "NotStarted", "Stopped"):
            raise ArmError(409, "Conflict", f"The update run is {cur}; it cannot be started.")

        def upd(o: dict[str, Any]) -> None:
            st = o["properties"].setdefault("status", {}).setdefault("status", {})
            st["state"] = state
            st.setdefault("startTime", _now())
            if state == "Stopped":
                st["completedTime"] = _now()

        emu.update_resource(rid, upd)
        return emu.get_resource(rid) or obj

    return handler


def _skip(emu: ArmEmulator, rid: str, obj: dict[str, Any], body: dict[str, Any] | None) -> dict[str, Any]:
    targets = (body or {}).get("targets") or []
    if not targets:
        raise ArmError(400, "InvalidParameter", "targets must name at least one item to skip.")

    def upd(o: dict[str, Any]) -> None:
        for t in targets:
            kind, name = t.get("type"), t.get("name")
            for st in o["properties"].get("status", {}).get("stages", []):
                if kind == "Stage" and st["name"] == name:
                    st["status"]["state"] = "Skipped"
                if kind == "AfterStageWait" and st["name"] == name:
                    st["afterStageWaitStatus"] = {"status": {"state": "Skipped"}}
                for g in st.get("groups", []):
                    if kind == "Group" and g["name"] == name:
                        g["status"]["state"] = "Skipped"
                    for m in g.get("members", []):
                        if kind == "Member" and m["name"] == name:
                            m["status"]["state"] = "Skipped"

    emu.update_resource(rid, upd)
    return emu.get_resource(rid) or obj


def _fleet_credentials(emu: ArmEmulator, rid: str, obj: dict[str, Any], body: dict[str, Any] | None) -> dict[str, Any]:
    if not obj["properties"].get("hubProfile"):
        raise ArmError(400, "BadRequest", "This fleet has no hub; it has no credentials.")
    name = obj["name"]
    server = emu.kubeconfig_server or f"https://{name}-hub.fleet.azmk8s.io:443"
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
    emu.add_hooks(RUN, on_put=_run_on_put)
    emu.register_action(RUN, "start", _set_state("Running"), busy_state="Succeeded")
    emu.register_action(RUN, "stop", _set_state("Stopped"), busy_state="Succeeded")
    emu.register_action(RUN, "skip", _skip, busy_state="Succeeded")
    emu.register_action(FLEET, "listCredentials", _fleet_credentials, lro=False)
    emu.register_action(AUTO, "generateUpdateRun", _generate_run)
