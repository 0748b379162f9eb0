"""``baremetal prepare``: what a bare-metal GPU cluster needs, as objects for the apply engine.

Node Feature Discovery (labels, including RDMA capability), the GPU Operator's ClusterPolicy
(driver install on or off, MIG strategy, GPUDirect RDMA) and the RDMA shared device plugin's
configuration. The GPU Operator itself (its Deployment and CRDs) comes from its Helm chart; the
ClusterPolicy is what tells it what to deploy.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from akscli import render, validate
from akscli.errors import UsageError

MIG_STRATEGIES = ("none", "single", "mixed")
# v0.16 is the last release that can still run without the NodeFeature CRDs (gRPC mode):
# the NodeFeatureAPI gate exists from v0.16 and is locked on from v0.17.
NFD_IMAGE = "registry.k8s.io/nfd/node-feature-discovery:v0.16.0"
# The image the plugin's README names (hub.docker.com/r/mellanox/k8s-rdma-shared-dev-plugin), release v1.5.3.
RDMA_PLUGIN_IMAGE = "docker.io/mellanox/k8s-rdma-shared-dev-plugin:v1.5.3"
DRIVER_VERSION = "550.90.07"
OPERATOR_VERSION = "v24.6.2"
STACK = "baremetal-gpu"
_DRIVER = re.compile(r"^\d{3}\.\d{1,3}(\.\d{1,3})?$")
_OPERATOR_VERSION = re.compile(r"^v\d+\.\d+\.\d+$")
_PCI_ID = re.compile(r"^[0-9a-fA-F]{4}$")
_IFNAME = re.compile(r"^[A-Za-z0-9_.:-]{1,15}$")


@dataclass
class PrepareOptions:
    nfd: bool = True
    nfd_namespace: str = "node-feature-discovery"
    nfd_image: str = NFD_IMAGE
    cluster_policy: bool = True
    policy_name: str = "cluster-policy"
    driver: bool = True
    driver_version: str = DRIVER_VERSION
    open_kernel_modules: bool = False
    operator_version: str = OPERATOR_VERSION
    mig_strategy: str = "none"
    gpudirect_rdma: bool = False
    host_mofed: bool = False
    dcgm_exporter: bool = True
    rdma: bool = False
    # The policy engine allows privileged pods (the plugin needs /dev/infiniband) only here.
    rdma_namespace: str = "gpu-operator"
    rdma_image: str = RDMA_PLUGIN_IMAGE
    rdma_resource: str = "rdma_shared_device_a"
    rdma_hca_max: int = 63
    rdma_vendors: list[str] = field(default_factory=lambda: ["15b3"])
    rdma_device_ids: list[str] = field(default_factory=list)
    rdma_if_names: list[str] = field(default_factory=list)
    rdma_node_selector: dict[str, str] = field(
        default_factory=lambda: {"feature.node.kubernetes.io/rdma.capable": "true"}
    )


def check(opts: PrepareOptions) -> PrepareOptions:
    """Validate every value before anything is rendered."""
    if not (opts.nfd or opts.cluster_policy or opts.rdma):
        raise UsageError(
            "nothing to prepare: NFD, the ClusterPolicy and RDMA are all turned off",
            hint="drop one of --no-nfd / --no-cluster-policy, or add --rdma",
        )
    validate.name(opts.nfd_namespace, "--nfd-namespace")
    validate.name(opts.rdma_namespace, "--rdma-namespace")
    validate.subdomain(opts.policy_name, "--policy-name")
    validate.image(opts.nfd_image, "--nfd-image")
    validate.image(opts.rdma_image, "--rdma-image")
    opts.mig_strategy = validate.choice(opts.mig_strategy, MIG_STRATEGIES, "--mig-strategy")
    if opts.driver and not _DRIVER.match(opts.driver_version):
        raise UsageError(
            f"invalid --driver-version {opts.driver_version!r}: expected a driver version",
            hint="for example: --driver-version 550.90.07",
        )
    if not _OPERATOR_VERSION.match(opts.operator_version):
        raise UsageError(
            f"invalid --operator-version {opts.operator_version!r}",
            hint="the GPU Operator release, for example: --operator-version v24.6.2",
        )
    if opts.host_mofed and not opts.gpudirect_rdma:
        raise UsageError("--host-mofed needs --gpudirect-rdma", hint="add --gpudirect-rdma")
    if opts.gpudirect_rdma and not opts.driver:
        raise UsageError(
            "--gpudirect-rdma needs the operator-managed driver (it loads nvidia-peermem)",
            hint="drop --no-driver, or load nvidia-peermem on the hosts yourself",
        )
    if not re.match(r"^[a-z0-9]([-_a-z0-9]*[a-z0-9])?$", opts.rdma_resource) or len(opts.rdma_resource) > 63:
        raise UsageError(
            f"invalid --rdma-resource-name {opts.rdma_resource!r}",
            hint="lower-case letters, digits, '-' and '_', e.g. rdma_shared_device_a",
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


def objects(opts: PrepareOptions) -> list[dict[str, Any]]:
    check(opts)
    objs: list[dict[str, Any]] = []
    if opts.nfd:
        objs += render.render("baremetal/nfd.yaml.j2", {"namespace": opts.nfd_namespace, "image": opts.nfd_image})
    if opts.cluster_policy:
        objs += render.render(
            "baremetal/clusterpolicy.yaml.j2",
            {
                "name": opts.policy_name,
                "driver_enabled": opts.driver,
                "driver_version": opts.driver_version,
                "open_kernel_modules": opts.open_kernel_modules,
                "operator_version": opts.operator_version,
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
            },
        )
    return objs
