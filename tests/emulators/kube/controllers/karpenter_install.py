"""A node auto-provisioning cluster in the kube emulator: NAP's own AKSNodeClass and NodePool with the
simulator of tests/emulators/kube/controllers/karpenter.py added."""

from __future__ import annotations

from typing import Any

from tests.emulators.kube.controllers.karpenter import CAPACITY_TYPE, NODECLASS, NODEPOOL, NodeAutoProvisioner


def install_nap(emu: Any, *, default_pool: bool = True) -> NodeAutoProvisioner:
    """A NAP cluster: the AKSNodeClass ``default`` NAP creates and, with ``default_pool``, its
    ``default`` NodePool (upstream: MicrosoftDocs/azure-aks-docs fb060abe
    articles/aks/node-auto-provisioning-node-pools.md, Review default node pool configuration), with
    the simulator added. The karpenter CRDs are the shared ones the emulator loads by default."""
    emu.cluster.create(
        {"apiVersion": NODECLASS[0], "kind": "AKSNodeClass", "metadata": {"name": "default"},
         "spec": {"imageFamily": "Ubuntu"}}
    )  # fmt: skip
    if default_pool:
        requirement = [
            {"key": "kubernetes.io/arch", "operator": "In", "values": ["amd64"]},
            {"key": "kubernetes.io/os", "operator": "In", "values": ["linux"]},
            {"key": CAPACITY_TYPE, "operator": "In", "values": ["on-demand"]},
            {"key": "karpenter.azure.com/sku-family", "operator": "In", "values": ["D"]},
        ]
        emu.cluster.create(
            {
                "apiVersion": NODEPOOL[0],
                "kind": "NodePool",
                "metadata": {"name": "default"},
                "spec": {
                    # consolidateAfter: the CRD requires it once disruption is given (the doc's
                    # YAML leaves it out; upstream's examples/v1/general-purpose.yaml sets 0s).
                    "disruption": {"consolidationPolicy": "WhenEmptyOrUnderutilized", "consolidateAfter": "0s"},
                    "template": {
                        "spec": {
                            "nodeClassRef": {"group": "karpenter.azure.com", "kind": "AKSNodeClass", "name": "default"},
                            "expireAfter": "Never",
                            "requirements": requirement,
                        }
                    },
                },
            }
        )
    provisioner = NodeAutoProvisioner(delay=0.02)
    emu.controllers.add(provisioner)
    return provisioner
