"""A Deployment whose new ReplicaSet's name is taken by a ReplicaSet that is not its own raises
status.collisionCount and names the ReplicaSet with the hash that takes the count in, as
kube-controller-manager does (kubernetes/kubernetes pkg/controller/deployment/sync.go
getNewReplicaSet, errors.IsAlreadyExists; pkg/controller/controller_utils.go ComputeHash)."""

from __future__ import annotations

import copy
from typing import Any

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.emulators.kube.controllers.pods import compute_hash
from tests.kube_emulator.helpers import a_node, deployment


def get(emu: KubeEmulator) -> dict[str, Any]:
    return emu.cluster.get("apps/v1", "Deployment", "default", "web") or {}


def rolled(emu: KubeEmulator, image: str) -> bool:
    d = get(emu)
    st = d.get("status") or {}
    return bool(
        d["spec"]["template"]["spec"]["containers"][0]["image"] == image
        and st.get("observedGeneration") == d["metadata"].get("generation")
        and st.get("updatedReplicas") == st.get("availableReplicas") == st.get("replicas") == 2
    )


def name_taken(emu: KubeEmulator) -> dict[str, Any]:
    """Deployment "web" rolled out on nginx:1.27, and a ReplicaSet that is not its own holding the
    name its nginx:1.28 template would get: that template."""
    a_node(emu)
    emu.cluster.create(deployment("web", replicas=2))
    assert wait_until(lambda: rolled(emu, "nginx:1.27"))
    template = copy.deepcopy(get(emu)["spec"]["template"])
    template["spec"]["containers"][0]["image"] = "nginx:1.28"
    foreign = deployment("other", replicas=0)
    foreign["kind"] = "ReplicaSet"
    foreign["metadata"]["name"] = f"web-{compute_hash(template, None)}"
    emu.cluster.create(foreign)
    return template


def test_a_taken_replica_set_name_raises_the_collision_count(kube_emulator: KubeEmulator) -> None:
    template = name_taken(kube_emulator)
    d = get(kube_emulator)
    d["spec"]["template"] = template
    kube_emulator.cluster.update(d)
    assert wait_until(lambda: rolled(kube_emulator, "nginx:1.28"))
    assert get(kube_emulator)["status"].get("collisionCount") == 1
    names = {rs["metadata"]["name"] for rs in kube_emulator.cluster.list("apps/v1", "ReplicaSet", "default")}
    assert f"web-{compute_hash(template, 1)}" in names
