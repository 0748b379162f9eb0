"""The fleet tests' worlds: a fleet hub on the Kubernetes emulator (the KubeFleet simulator and three
member clusters), and an ARM fleet on the ARM emulator (tests/fleet/armworld.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.emulators.kube.controllers.fleet import FAIL_ANNOTATION, FleetHubController
from tests.fleet.armworld import make_fleet

C1 = "cluster.kubernetes-fleet.io/v1"
A100 = "kubernetes.azure.com/vm-sizes/Standard_NC24ads_A100_v4/count"


@dataclass
class Hub:
    emu: Any
    controller: FleetHubController

    @property
    def cluster(self) -> Any:
        return self.emu.cluster

    def member(
        self, name: str, labels: dict[str, str], properties: dict[str, str] | None = None, fail: str | None = None
    ) -> None:
        meta: dict[str, Any] = {"name": name, "labels": labels}
        if fail:
            meta["annotations"] = {FAIL_ANNOTATION: fail}
        self.cluster.create(
            {
                "apiVersion": C1,
                "kind": "MemberCluster",
                "metadata": meta,
                "spec": {"identity": {"kind": "ServiceAccount", "name": "fleet-member", "namespace": "fleet-system"}},
            }
        )
        if properties:
            self.cluster.patch_status(
                C1,
                "MemberCluster",
                None,
                name,
                {
                    "properties": {
                        k: {"value": v, "observationTime": "2026-11-26T12:00:00Z"} for k, v in properties.items()
                    }
                },
            )

    def settle(self) -> None:
        assert self.emu.idle(10.0), "the fleet simulator did not settle"
        assert not self.emu.controllers.errors, self.emu.controllers.errors

    def get(
        self, kind: str, name: str, namespace: str | None = None, api_version: str = "placement.kubernetes-fleet.io/v1"
    ) -> dict[str, Any]:
        obj = self.cluster.get(api_version, kind, namespace, name)
        assert obj is not None, f"{kind} {name} not found"
        return dict(obj)


@pytest.fixture
def hub(kube_emulator: Any, kubeconfig: Any) -> Hub:
    """Members gpu-east (prod, 2 A100 nodes), cpu-west (prod) and canary (staging, 1 A100 node),
    and a namespace ``llm`` holding a ConfigMap, ready to be placed."""
    controller = FleetHubController(delay=0.01)
    kube_emulator.controllers.add(controller)
    result = Hub(kube_emulator, controller)
    result.member(
        "gpu-east",
        {"env": "prod", "region": "eastus", "order": "1"},
        {A100: "2", "kubernetes-fleet.io/node-count": "6"},
    )
    result.member(
        "cpu-west", {"env": "prod", "region": "westus", "order": "2"}, {"kubernetes-fleet.io/node-count": "12"}
    )
    result.member("canary", {"env": "staging", "region": "eastus"}, {A100: "1", "kubernetes-fleet.io/node-count": "2"})
    kube_emulator.cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "llm"}})
    kube_emulator.cluster.create(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "model-config", "namespace": "llm"},
            "data": {"model": "phi-4"},
        }
    )
    result.settle()
    return result


@pytest.fixture
def fleet(azure_env: Any) -> Any:
    """The ARM emulator holding fleet ml-fleet (with a hub) in rg-fleet, AKS cluster aks-gpu and
    Arc-enabled cluster edge-1, neither joined yet."""
    return make_fleet(azure_env)
