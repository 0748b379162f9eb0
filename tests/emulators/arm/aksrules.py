"""AKS refusals of cluster and node pool combinations, and Microsoft.Features registrations.

Each rule cites the AKS documentation it follows. The documentation gives the rule but not
the exact error AKS answers; the codes and messages below are therefore the emulator's own
wording (400 BadRequest naming the rule), which akscli never parses: it refuses these
combinations itself before sending anything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tests.emulators.arm.server import ArmError

if TYPE_CHECKING:
    from tests.emulators.arm.server import ArmEmulator

MC = r"Microsoft\.ContainerService/managedClusters"
AP = r"Microsoft\.ContainerService/managedClusters/agentPools"
FEATURE_ROUTE = r"^/subscriptions/[^/]+/providers/Microsoft\.Features/providers/([^/]+)/features/([^/]+)"
# MicrosoftDocs/azure-aks-docs articles/aks/automatic/aks-automatic-managed-system-node-pools.md
HOSTED_SYSTEM_FEATURE = ("Microsoft.ContainerService", "AKS-AutomaticHostedSystemProfilePreview")


def _nap(props: dict[str, Any]) -> bool:
    return str((props.get("nodeProvisioningProfile") or {}).get("mode") or "").lower() == "auto"


def _cluster_rules(emu: ArmEmulator, rid: str, body: dict[str, Any], existing: dict[str, Any] | None) -> None:
    props = body.get("properties") or {}
    automatic = (body.get("sku") or {}).get("name") == "Automatic"
    if automatic:
        # AKS Automatic runs Azure CNI Overlay powered by Cilium (articles/aks/intro-aks-automatic.md).
        props.setdefault(
            "networkProfile",
            {"networkPlugin": "azure", "networkPluginMode": "overlay", "networkDataplane": "cilium",
             "networkPolicy": "cilium"},
        )  # fmt: skip
    if _nap(props):
        # articles/aks/node-autoprovision.md: "You also need to set the --network-plugin to azure,
        # --network-plugin-mode to overlay, and --network-dataplane to cilium."
        net = props.get("networkProfile") or {}
        wanted = {"networkPlugin": "azure", "networkPluginMode": "overlay", "networkDataplane": "cilium"}
        wrong = {k: net.get(k) for k, v in wanted.items() if str(net.get(k) or "").lower() != v}
        if wrong:
            raise ArmError(
                400,
                "BadRequest",
                "Node auto provisioning requires networkProfile networkPlugin 'azure', networkPluginMode "
                f"'overlay' and networkDataplane 'cilium'; got {wrong}.",
            )
        # articles/aks/node-autoprovision.md, Limitations: "You can't enable in a cluster where node
        # pools have cluster autoscaler enabled".
        if any(p.get("enableAutoScaling") for p in props.get("agentPoolProfiles") or []):
            raise ArmError(
                400,
                "BadRequest",
                "Node auto provisioning can't be enabled on a cluster whose node pools have the cluster "
                "autoscaler enabled.",
            )
    if (props.get("hostedSystemProfile") or {}).get("enabled") and existing is None:
        ns, name = HOSTED_SYSTEM_FEATURE
        state = feature_state(emu, rid.split("/")[2], ns, name)
        if state != "Registered":
            raise ArmError(
                400,
                "BadRequest",
                f"The preview feature {ns}/{name} is not registered on this subscription ({state}).",
            )


def _pool_rules(emu: ArmEmulator, rid: str, body: dict[str, Any], existing: dict[str, Any] | None) -> None:
    cluster = emu.get_resource(rid.rsplit("/", 2)[0]) or {}
    if _nap(cluster.get("properties") or {}) and (body.get("properties") or {}).get("enableAutoScaling"):
        raise ArmError(
            400,
            "BadRequest",
            "The cluster autoscaler can't be enabled on a node pool of a cluster with node auto provisioning.",
        )


def _stop_rules(emu: ArmEmulator, rid: str, obj: dict[str, Any], body: dict[str, Any] | None) -> None:
    from tests.emulators.arm.aks import check_cluster_idle

    check_cluster_idle(emu, rid)
    # articles/aks/node-autoprovision.md, Unsupported features: "Clusters with node autoprovisioning
    # can't be stopped".
    if _nap(obj.get("properties") or {}):
        raise ArmError(400, "BadRequest", "A cluster with node auto provisioning can't be stopped.")


def feature_state(emu: ArmEmulator, subscription: str, namespace: str, name: str) -> str:
    return emu.features.get((subscription.lower(), namespace.lower(), name.lower()), "NotRegistered")


def register_feature(emu: ArmEmulator, namespace: str, name: str, subscription: str | None = None) -> None:
    """What 'az feature register' does once approved (tests call it to model a registered preview)."""
    emu.features[((subscription or emu.subscription).lower(), namespace.lower(), name.lower())] = "Registered"


def _feature(emu: ArmEmulator, path: str, query: dict[str, list[str]], body: bytes) -> tuple[int, Any]:
    """GET .../providers/Microsoft.Features/providers/{ns}/features/{name}: the FeatureResult shape
    of specification/resources/resource-manager/Microsoft.Features/stable/2021-07-01 (as `az feature
    show` prints it: id, name "{ns}/{feature}", properties.state, type)."""
    import re

    m = re.match(FEATURE_ROUTE, path, re.I)
    assert m is not None
    ns, name = m.group(1), m.group(2)
    subscription = path.split("/")[2]
    if path.rstrip("/").lower().endswith("/register"):
        name = name if not name.lower().endswith("/register") else name[: -len("/register")]
        emu.features[(subscription.lower(), ns.lower(), name.lower())] = "Registering"
    return 200, {
        "id": f"/subscriptions/{subscription}/providers/Microsoft.Features/providers/{ns}/features/{name}",
        "name": f"{ns}/{name}",
        "properties": {"state": feature_state(emu, subscription, ns, name)},
        "type": "Microsoft.Features/providers/features",
    }


def install(emu: ArmEmulator) -> None:
    emu.add_hooks(MC, on_put=_cluster_rules)
    emu.add_hooks(AP, on_put=_pool_rules)
    from tests.emulators.arm.aks import power_handler

    emu.register_action(MC, "stop", power_handler("Stopped"), busy_state="Stopping", before=_stop_rules)
    emu.register_route("GET", FEATURE_ROUTE + "/?$", _feature)
    emu.register_route("POST", FEATURE_ROUTE + "/register/?$", _feature)
