"""``baremetal prepare``: the GPU Operator's ClusterPolicy and the RDMA shared device plugin, as
objects for the apply engine, fitted to what the cluster already runs.

- The GPU Operator itself (its Deployment, CRDs and, by default, Node Feature Discovery as a
  subchart) comes from its Helm chart. prepare never deploys NFD: the chart's NFD (``nfd.enabled``,
  on by default in NVIDIA/gpu-operator deployments/gpu-operator/values.yaml) or a standalone one is
  what labels ``rdma.capable``; a second NFD would fight it.
- The ClusterPolicy targets a release akscli knows (data/gpu_operator.yaml: images from that
  release's values.yaml) with fields the release's CRD still honours. It is named
  ``akscli-cluster-policy``, not the chart's ``cluster-policy``; when any other ClusterPolicy exists
  (the chart creates one unless ``clusterPolicy.deployCR=false``), prepare adds none (the operator
  acts on one ClusterPolicy) and prints the ``helm upgrade --set`` line with the same settings.
- GPU nodes that run AKS's own driver, toolkit and device plugin (AKS images ship the driver and
  the container toolkit: docs.nvidia.com gpu-operator microsoft-aks.html; AKS labels the nodes
  ``kubernetes.azure.com/accelerator``) get a ClusterPolicy that leaves those three to AKS.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from akscli import render, validate
from akscli.errors import NotInstalledError, UsageError

if TYPE_CHECKING:
    from akscli.kube.client import Kube

DATA_FILE = Path(__file__).resolve().parents[1] / "data" / "gpu_operator.yaml"
MIG_STRATEGIES = ("none", "single", "mixed")
KERNEL_MODULE_TYPES = ("auto", "open", "proprietary")
POLICY_NAME = "akscli-cluster-policy"
STACK = "baremetal-gpu"
_DRIVER = re.compile(r"^\d{3}\.\d{1,3}(\.\d{1,3})?$")
_PCI_ID = re.compile(r"^[0-9a-fA-F]{4}$")
_IFNAME = re.compile(r"^[A-Za-z0-9_.:-]{1,15}$")
# The plugin refuses any other resourceName at start (upstream: Mellanox/k8s-rdma-shared-dev-plugin
# v1.5.3 pkg/resources/resources_manager.go validResourceName, ^[a-zA-Z0-9_]+$); the name after
# "rdma/" must also be a qualified name's name part (letter or digit at each end, at most 63).
_RDMA_RESOURCE = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9_]*[A-Za-z0-9])?$")


@cache
def releases() -> dict[str, Any]:
    """data/gpu_operator.yaml: the GPU Operator releases akscli knows and their operand images."""
    from akscli import yamlio

    data: dict[str, Any] = yamlio.load(DATA_FILE.read_text(encoding="utf-8"), str(DATA_FILE))
    return data


def release(version: str | None) -> dict[str, Any]:
    known: dict[str, Any] = releases()["releases"]
    chosen = version or str(releases()["default"])
    if chosen not in known:
        raise UsageError(
            f"GPU Operator release {chosen!r} is not one akscli has images for",
            hint="use --operator-version " + " or ".join(sorted(known)),
        )
    found: dict[str, Any] = known[chosen]
    return found


@dataclass
class PrepareOptions:
    cluster_policy: bool = True
    policy_name: str = POLICY_NAME
    operator_version: str | None = None  # default: data/gpu_operator.yaml's default release
    driver: bool = True
    driver_version: str | None = None  # default: the release's driver
    kernel_module_type: str = "auto"
    toolkit: bool = True
    device_plugin: bool = True
    mig_strategy: str = "none"
    gpudirect_rdma: bool = False
    host_mofed: bool = False
    dcgm_exporter: bool = True
    rdma: bool = False
    # The policy engine allows privileged pods (the plugin needs /dev/infiniband) only here.
    rdma_namespace: str = "gpu-operator"
    rdma_image: str = ""  # default: data/gpu_operator.yaml's rdma_shared_device_plugin
    rdma_resource: str = "rdma_shared_device_a"
    rdma_hca_max: int = 63
    rdma_vendors: list[str] = field(default_factory=lambda: ["15b3"])
    rdma_device_ids: list[str] = field(default_factory=list)
    rdma_if_names: list[str] = field(default_factory=list)
    rdma_node_selector: dict[str, str] = field(
        default_factory=lambda: {"feature.node.kubernetes.io/rdma.capable": "true"}
    )
    # Taints of the RDMA nodes the plugin tolerates beyond the GPU pools' (--rdma-toleration).
    rdma_tolerations: list[dict[str, str]] = field(default_factory=list)


def check(opts: PrepareOptions) -> PrepareOptions:
    """Validate every value before anything is rendered or read from the cluster."""
    if not (opts.cluster_policy or opts.rdma):
        raise UsageError(
            "nothing to prepare: the ClusterPolicy is turned off and --rdma is not given",
            hint="drop --no-cluster-policy, or add --rdma",
        )
    return check_values(opts)


def check_values(opts: PrepareOptions) -> PrepareOptions:
    validate.name(opts.rdma_namespace, "--rdma-namespace")
    validate.subdomain(opts.policy_name, "--policy-name")
    opts.rdma_image = opts.rdma_image or str(releases()["rdma_shared_device_plugin"])
    validate.image(opts.rdma_image, "--rdma-image")
    opts.mig_strategy = validate.choice(opts.mig_strategy, MIG_STRATEGIES, "--mig-strategy")
    opts.kernel_module_type = validate.choice(opts.kernel_module_type, KERNEL_MODULE_TYPES, "--kernel-module-type")
    chosen = release(opts.operator_version)
    opts.driver_version = opts.driver_version or str(chosen["driver"]["version"])
    if opts.driver and not _DRIVER.match(opts.driver_version):
        raise UsageError(
            f"invalid --driver-version {opts.driver_version!r}: expected a driver version",
            hint="for example: --driver-version " + str(chosen["driver"]["version"]),
        )
    if opts.host_mofed and not opts.gpudirect_rdma:
        raise UsageError("--host-mofed needs --gpudirect-rdma", hint="add --gpudirect-rdma")
    if opts.gpudirect_rdma and not opts.driver:
        raise UsageError(
            "--gpudirect-rdma needs the operator-managed driver (it loads nvidia-peermem)",
            hint="drop --no-driver, or load nvidia-peermem on the hosts yourself",
        )
    if not _RDMA_RESOURCE.match(opts.rdma_resource) or len(opts.rdma_resource) > 63:
        raise UsageError(
            f"invalid --rdma-resource-name {opts.rdma_resource!r}: the RDMA shared device plugin accepts "
            "only letters, digits and '_', and Kubernetes wants a letter or digit at each end",
            hint="for example: rdma_shared_device_a",
        )
    validate.integer(opts.rdma_hca_max, "--rdma-hca-max", 1, 1000)
    for vendor in opts.rdma_vendors + opts.rdma_device_ids:
        if not _PCI_ID.match(vendor):
            raise UsageError(f"invalid PCI id {vendor!r}: four hex digits", hint="for example: 15b3 (Mellanox)")
    for ifname in opts.rdma_if_names:
        if not _IFNAME.match(ifname):
            raise UsageError(f"invalid interface name {ifname!r}", hint="for example: ib0")
    for key, value in opts.rdma_node_selector.items():
        validate.label_key(key, "--rdma-node-selector key")
        validate.label_value(value, "--rdma-node-selector value")
    return opts


def node_selector(items: list[str]) -> dict[str, str]:
    """``--rdma-node-selector KEY=VALUE`` flags as the DaemonSet's nodeSelector (check validates
    each key and value as a label's)."""
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(
                f"invalid --rdma-node-selector {item!r}: expected KEY=VALUE",
                hint="for example: --rdma-node-selector feature.node.kubernetes.io/rdma.capable=true",
            )
        out[key] = value
    return out


def rdma_config(opts: PrepareOptions) -> str:
    """The device plugin's config.json: one shared resource over the selected HCAs."""
    selectors: dict[str, Any] = {"vendors": opts.rdma_vendors}
    if opts.rdma_device_ids:
        selectors["deviceIDs"] = opts.rdma_device_ids
    if opts.rdma_if_names:
        selectors["ifNames"] = opts.rdma_if_names
    config = {
        "periodicUpdateInterval": 300,
        "configList": [{"resourceName": opts.rdma_resource, "rdmaHcaMax": opts.rdma_hca_max, "selectors": selectors}],
    }
    return json.dumps(config, indent=2) + "\n"


def rdma_tolerations(opts: PrepareOptions) -> list[dict[str, str]]:
    """The plugin's tolerations: the GPU pools' taints (nvidia.com/gpu, which the Network Operator's
    DaemonSet of the same plugin tolerates, upstream: Mellanox/network-operator b06827e0
    manifests/state-rdma-shared-device-plugin/0060_rdma-shared-dev-plugin-ds.yaml; AKS's sku=gpu)
    and those given, never every taint. The DaemonSet controller adds the not-ready, unreachable,
    unschedulable and pressure ones (kubernetes/kubernetes 05c351a pkg/controller/daemon/util/
    daemonset_util.go AddOrUpdateDaemonPodTolerations)."""
    from akscli.baremetal import nccl_nodes

    return nccl_nodes.tolerations(opts.rdma_tolerations)


def objects(opts: PrepareOptions) -> list[dict[str, Any]]:
    """The objects to apply (none where ``fit`` left everything to what the cluster runs)."""
    check_values(opts)
    objs: list[dict[str, Any]] = []
    if opts.cluster_policy:
        objs += render.render(
            "baremetal/clusterpolicy.yaml.j2",
            {
                "name": opts.policy_name,
                "images": release(opts.operator_version),
                "driver_enabled": opts.driver,
                "driver_version": opts.driver_version,
                "kernel_module_type": opts.kernel_module_type,
                "toolkit_enabled": opts.toolkit,
                "device_plugin_enabled": opts.device_plugin,
                "mig_strategy": opts.mig_strategy,
                "gpudirect_rdma": opts.gpudirect_rdma,
                "host_mofed": opts.host_mofed,
                "dcgm_exporter": opts.dcgm_exporter,
            },
        )
    if opts.rdma:
        objs += render.render(
            "baremetal/rdma-shared-device-plugin.yaml.j2",
            {
                "namespace": opts.rdma_namespace,
                "image": opts.rdma_image,
                "config_json": rdma_config(opts),
                "node_selector": opts.rdma_node_selector,
                "tolerations": rdma_tolerations(opts),
            },
        )
    return objs


# ---- fitting the plan to the cluster ---------------------------------------------------------


def helm_sets(opts: PrepareOptions) -> list[str]:
    """The GPU Operator chart's values for the same settings (deployments/gpu-operator/values.yaml)."""
    sets = [f"mig.strategy={opts.mig_strategy}", f"driver.kernelModuleType={opts.kernel_module_type}"]
    if not opts.driver:
        sets.append("driver.enabled=false")
    else:
        sets.append(f"driver.version={opts.driver_version}")
    if opts.gpudirect_rdma:
        sets.append("driver.rdma.enabled=true")
    if opts.host_mofed:
        sets.append("driver.rdma.useHostMofed=true")
    if not opts.toolkit:
        sets.append("toolkit.enabled=false")
    if not opts.device_plugin:
        sets.append("devicePlugin.enabled=false")
    if not opts.dcgm_exporter:
        sets.append("dcgmExporter.enabled=false")
    return sets


def fit(kube: Kube, opts: PrepareOptions) -> list[str]:
    """Adapt ``opts`` to what runs (GPU Operator, its ClusterPolicy, NFD, AKS's GPU driver) so that
    nothing is installed twice and nothing fights; returns what was decided, one line each."""
    from akscli.gpu import stack as gpu_stack

    check(opts)
    found = gpu_stack.detect(kube)
    notes: list[str] = []
    version = opts.operator_version or str(releases()["default"])
    wanted_policy = opts.cluster_policy  # _existing_policy turns it off beside the chart's
    if opts.cluster_policy:
        if not found.operator_pods:
            raise NotInstalledError(
                "the NVIDIA GPU Operator is not running: a ClusterPolicy would never be acted on",
                hint=f"helm install gpu-operator nvidia/gpu-operator -n gpu-operator --create-namespace "
                f"--version {version} --set clusterPolicy.deployCR=false, then run prepare again",
            )
        notes += _existing_policy(found, opts)
    if opts.cluster_policy:
        notes += _aks_managed_driver(kube, opts)
    if opts.cluster_policy:
        notes += _safeguarded_operands(kube, found.operator_namespace or opts.rdma_namespace)
    if wanted_policy:
        _check_mofed_source(kube, opts)  # the chart's ClusterPolicy too: the helm hint sets driver.rdma
    if opts.rdma:
        notes += _network_operator_rdma(_network_operator_policies(kube), opts)
    if opts.rdma:
        notes += _advertised_rdma(kube, opts)
    if opts.rdma and not found.nfd_pod and any(k.startswith("feature.node") for k in opts.rdma_node_selector):
        notes.append(
            "no Node Feature Discovery runs, so no node is labelled rdma.capable and the RDMA plugin "
            "runs nowhere: enable the GPU Operator chart's NFD (nfd.enabled=true, its default), or label "
            "the RDMA nodes feature.node.kubernetes.io/rdma.capable=true"
        )
    elif found.nfd_pod:
        notes.append(f"Node Feature Discovery runs in {found.nfd_namespace}: prepare deploys none")
    return notes


# The NVIDIA Network Operator's policies, which deploy the MOFED driver container (spec.ofedDriver).
# upstream: Mellanox/network-operator api/v1alpha1/groupversion_info.go (mellanox.com/v1alpha1),
# nicclusterpolicy_types.go and nicnodepolicy_types.go (both scope=Cluster, `json:"ofedDriver"`).
NETWORK_OPERATOR_POLICIES = ("NicClusterPolicy", "NicNodePolicy")


def _network_operator_policies(kube: Kube) -> list[dict[str, Any]]:
    """Every NicClusterPolicy and NicNodePolicy (none where the Network Operator is not installed)."""
    found: list[dict[str, Any]] = []
    for kind in NETWORK_OPERATOR_POLICIES:
        try:
            found += kube.list("mellanox.com/v1alpha1", kind, page_size=50)
        except NotInstalledError:
            continue
    return found


def _network_operator_rdma(policies: list[dict[str, Any]], opts: PrepareOptions) -> list[str]:
    """Leave the RDMA shared device plugin to the Network Operator where one of its policies deploys it.

    upstream: Mellanox/network-operator api/v1alpha1 nicclusterpolicy_types.go `json:"rdmaSharedDevicePlugin"`
    ("manages support IB and RoCE HCAs through the Kubernetes device plugin framework"; its `config` is the
    plugin's config.json): the same plugin twice on a node registers the same resources twice. Each configList
    entry is advertised as "<resourcePrefix>/<resourceName>", the prefix "rdma" where the entry sets none
    (Mellanox/k8s-rdma-shared-dev-plugin 410b0f3 pkg/resources/server.go, resources_manager.go ValidateConfigs)."""
    for policy in policies:
        plugin = (policy.get("spec") or {}).get("rdmaSharedDevicePlugin")
        if not plugin:
            continue
        opts.rdma = False
        try:
            config = json.loads(str(plugin.get("config") or "{}"))
            names = [
                f"{c.get('resourcePrefix') or 'rdma'}/{c['resourceName']}"
                for c in config.get("configList") or []
                if c.get("resourceName")
            ]
        except (ValueError, TypeError, AttributeError):
            names = []
        what = f" ({', '.join(names)})" if names else ""
        return [
            f"{policy.get('kind')} {(policy.get('metadata') or {}).get('name')} deploys the RDMA shared device "
            f"plugin{what}: prepare deploys none"
        ]
    return []


# Nodes read for RDMA resources already advertised: one page, whatever the cluster's size.
RDMA_NODE_SAMPLE = 500
RDMA_PLUGIN_DAEMONSET = "rdma-shared-dp-ds"  # templates/baremetal/rdma-shared-device-plugin.yaml.j2


def _advertised_rdma(kube: Kube, opts: PrepareOptions) -> list[str]:
    """Deploy no RDMA plugin where the RDMA nodes already advertise an ``rdma/`` resource from a
    plugin no NicClusterPolicy deploys (``_network_operator_rdma`` went first) and akscli did not
    apply: a second RDMA shared device plugin would register the same HCAs again, under a second
    resource name. ``rdma/`` is the plugin's resource prefix (Mellanox/k8s-rdma-shared-dev-plugin
    README "RDMA Shared Device Plugin Configurations": each configList entry is advertised as
    rdma/<resourceName>; the Network Operator deploys the same plugin, Mellanox/network-operator
    b06827e0 manifests/state-rdma-shared-device-plugin). Bounded: akscli's own DaemonSet by name;
    the RDMA device plugins installed some other way, found as upstream names and labels them
    (akscli.gpu.rdma_plugins: upstream's kustomize DaemonSet in kube-system, an SR-IOV device plugin),
    whose ConfigMaps name what they advertise; then one page of ``RDMA_NODE_SAMPLE`` nodes of
    ``--rdma-node-selector``."""
    from akscli.gpu import rdma_plugins
    from akscli.render import MANAGED_BY

    own = kube.get("apps/v1", "DaemonSet", RDMA_PLUGIN_DAEMONSET, namespace=opts.rdma_namespace)
    if own is not None and ((own.get("metadata") or {}).get("labels") or {}).get(MANAGED_BY) == "akscli":
        return []  # ours: apply updates it
    # An SR-IOV plugin whose config names no isRdma resource hands out no RDMA device (rdma_plugins),
    # so the shared plugin beside it registers nothing twice.
    if others := [p for p in rdma_plugins.find(kube) if not p.akscli and (p.kind == "shared" or p.resources)]:
        opts.rdma = False
        named = rdma_plugins.resources(others)
        first = others[0]
        per = rdma_plugins.per_node(others)  # the sriov-network-operator's: which nodes get one
        return [
            f"daemonset {first.namespace}/{first.name} ({first.what}) runs"
            + (f" and advertises {', '.join(named)}" if named else "")
            + (f", with {len(others) - 1} more RDMA device plugin(s)" if len(others) > 1 else "")
            + ": prepare deploys none (a second would register the same HCAs again)"
            + (f". Use it: akscli baremetal test nccl --rdma-resource {named[0]}" if named else "")
            + (f". Per node, {per}" if per else "")
        ]
    selector = ",".join(f"{k}={v}" for k, v in opts.rdma_node_selector.items()) or None
    page = next(iter(kube.list_pages("v1", "Node", label_selector=selector, page_size=RDMA_NODE_SAMPLE)), None)
    nodes = (page or {}).get("items") or []
    advertised: dict[str, int] = {}
    for node in nodes:
        capacity = (node.get("status") or {}).get("capacity") or {}
        for name in sorted(k for k, v in capacity.items() if k.startswith("rdma/") and str(v) not in ("", "0")):
            advertised[name] = advertised.get(name, 0) + 1
    if not advertised:
        return []
    opts.rdma = False
    more = " (the first page)" if (page or {}).get("metadata", {}).get("continue") else ""
    counted = "(" + ", ".join(f"{name} on {count}" for name, count in advertised.items())
    return [
        f"the RDMA nodes already advertise {counted} of the {len(nodes)} read{more}) from an RDMA device "
        "plugin no NicClusterPolicy deploys and akscli did not apply: prepare deploys none (a second would "
        f"register the same HCAs again). Use it: akscli baremetal test nccl --rdma-resource {next(iter(advertised))}"
    ]


def _check_mofed_source(kube: Kube, opts: PrepareOptions) -> None:
    """GPUDirect RDMA without the host's MOFED needs the Network Operator's MOFED driver container.

    upstream: NVIDIA/gpu-driver-container ubuntu22.04/nvidia-driver (000e6f83) reload_nvidia_peermem:
    unless USE_HOST_MOFED (driver.rdma.useHostMofed, NVIDIA/gpu-operator controllers/object_controls.go),
    the nvidia-peermem container waits "until [ -f /run/mellanox/drivers/.driver-ready ]", the "driver
    readiness flag created by MOFED container": without one, nvidia-peermem never loads."""
    if not opts.gpudirect_rdma or opts.host_mofed:
        return
    if any((policy.get("spec") or {}).get("ofedDriver") for policy in _network_operator_policies(kube)):
        return
    raise UsageError(
        "--gpudirect-rdma without --host-mofed waits for the NVIDIA Network Operator's MOFED driver "
        "(/run/mellanox/drivers/.driver-ready), and no NicClusterPolicy or NicNodePolicy here deploys one "
        "(spec.ofedDriver): nvidia-peermem would never load",
        hint="add --host-mofed where the hosts load mlx5_core themselves, or install the NVIDIA Network "
        "Operator with a NicClusterPolicy that has spec.ofedDriver",
    )


def _existing_policy(found: Any, opts: PrepareOptions) -> list[str]:
    for policy in found.policies:
        meta = policy.get("metadata") or {}
        labels = meta.get("labels") or {}
        if meta.get("name") == opts.policy_name and labels.get("app.kubernetes.io/managed-by") == "akscli":
            continue  # ours: apply updates it
        by = "its Helm chart" if labels.get("app.kubernetes.io/managed-by") == "Helm" else "someone else"
        release_name = labels.get("app.kubernetes.io/instance") or "gpu-operator"
        opts.cluster_policy = False
        return [
            f"ClusterPolicy {meta.get('name')} exists (created by {by}); the GPU Operator acts on one "
            "ClusterPolicy, so prepare adds none. The same settings on it: helm upgrade "
            f"{release_name} nvidia/gpu-operator -n {found.operator_namespace} --reuse-values "
            + " ".join(f"--set {s}" for s in helm_sets(opts))
        ]
    return []


# NVIDIA/gpu-operator a22dbf67 assets/state-operator-validation/0500_daemonset.yaml and
# assets/gpu-feature-discovery/0500_daemonset.yaml: metadata.name, spec.template.metadata.labels
_PROBELESS_OPERANDS = (
    ("nvidia-operator-validator", {"app": "nvidia-operator-validator", "app.kubernetes.io/part-of": "gpu-operator"}),
    ("gpu-feature-discovery", {"app": "gpu-feature-discovery", "app.kubernetes.io/part-of": "nvidia-gpu"}),
)


def _safeguarded_operands(kube: Kube, namespace: str) -> list[str]:
    """The GPU Operator makes its operands' DaemonSets in its own namespace, and some of them have
    no probes whatever the ClusterPolicy enables: the validator and GPU Feature Discovery
    (NVIDIA/gpu-operator a22dbf67 assets/state-operator-validation/0500_daemonset.yaml,
    assets/gpu-feature-discovery/0500_daemonset.yaml: no livenessProbe or readinessProbe; the toolkit's
    and device plugin's neither), and all run privileged, which AKS Automatic's baseline Pod Security
    refuses too (MicrosoftDocs/azure-aks-docs fb060abe articles/aks/deployment-safeguards.md). So where
    the safeguards' probes constraint covers the namespace at deny (akscli.kube.safeguards), the
    ClusterPolicy would make nothing run: refused before anything is applied, with the exclusion
    ("Excluding namespaces" covers Deployment Safeguards and Pod Security Standards); at warn, a note.
    A constraint is matched against those two operands' pods: their templates' labels (the same
    asset files) and those the DaemonSet controller adds (akscli.kube.pod_labels), in the namespace
    with its labels, unless Gatekeeper's webhook skips it (safeguards.Exemptions). Labels a
    ClusterPolicy's ``spec.daemonsets.labels`` adds (controllers/object_controls.go
    applyCommonDaemonsetMetadata) are not known here."""
    from akscli.errors import CheckFailedError
    from akscli.kube import pod_labels, safeguards

    operands = [
        pod_labels.pods({"kind": "DaemonSet", "metadata": {"name": name}}, "", {"metadata": {"labels": labels}})
        for name, labels in _PROBELESS_OPERANDS
    ]
    covering = safeguards.namespace_action(kube, namespace, [pod for made in operands for pod in made])
    if covering is None:
        return []
    found, sure = covering
    said = (
        f"Deployment Safeguards {'cover' if sure else 'may cover'} namespace {namespace} (constraint "
        f"{found.name}): the GPU Operator's operands there (its validator and GPU Feature Discovery have no "
        "probes; all run privileged)"
    )
    if not sure:
        verb = "be refused" if found.action == "deny" else "get a Deployment Safeguards warning each"
        return [f"warning: {said} may {verb}; " + safeguards.exclusion_hint(namespace)]
    if found.action == "deny":
        raise CheckFailedError(
            f"{said} would be refused, so the ClusterPolicy would run nothing",
            hint=safeguards.exclusion_hint(namespace),
        )
    return [f"warning: {said} get a Deployment Safeguards warning each; " + safeguards.exclusion_hint(namespace)]


def _aks_managed_driver(kube: Kube, opts: PrepareOptions) -> list[str]:
    from akscli.gpu import stack as gpu_stack

    nodes = gpu_stack.sample_gpu_nodes(kube)
    operator_driver = any(
        True
        for _ in kube.list(
            "apps/v1", "DaemonSet", all_namespaces=True, label_selector=gpu_stack.DRIVER_SELECTOR, page_size=10
        )
    )
    if not (nodes.aks and nodes.advertising) or operator_driver:
        return []
    if opts.gpudirect_rdma:
        raise UsageError(
            "--gpudirect-rdma needs the operator-managed driver, and these GPU nodes run AKS's driver",
            hint="create the GPU pool without AKS's driver (az aks nodepool add --gpu-driver none), then prepare",
        )
    opts.driver = opts.toolkit = opts.device_plugin = False
    return [
        "GPU nodes run the AKS-managed driver, container toolkit and device plugin: the ClusterPolicy "
        "leaves those to AKS (driver, toolkit and devicePlugin disabled)"
    ]
