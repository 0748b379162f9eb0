"""The real `kubectl rollout history/undo/status daemonset` against the emulator's DaemonSet
controller, which keeps a ControllerRevision per template (kubernetes/kubernetes
pkg/controller/daemon/update.go constructHistory, snapshot, getPatch, dedupCurHistories,
cleanupHistory), surges with maxSurge (update.go rollingUpdate) and counts a pod available after
minReadySeconds (daemon_controller.go updateDaemonSetStatus). kubectl's side:
kubernetes/kubectl pkg/polymorphichelpers/history.go DaemonSetHistoryViewer, rollback.go
DaemonSetRollbacker, rollout_status.go DaemonSetStatusViewer."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.emulators.kube.controllers.builtin import DaemonSetController
from tests.emulators.kube.controllers.daemon_history import get_patch
from tests.emulators.kube.controllers.pods import compute_hash
from tests.kube_emulator.test_daemon_pods import daemonset
from tests.kube_emulator.test_kubectl_fidelity import kubectl
from tests.kube_emulator.test_scheduling import node, seed

pytestmark = [
    pytest.mark.kubectl,
    pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed"),
]


def get(emu: KubeEmulator) -> dict[str, Any]:
    return emu.cluster.get("apps/v1", "DaemonSet", "default", "agent") or {}


def status(emu: KubeEmulator) -> dict[str, Any]:
    return dict(get(emu).get("status") or {})


def revisions(emu: KubeEmulator) -> dict[int, dict[str, Any]]:
    return {int(r["revision"]): r for r in emu.cluster.list("apps/v1", "ControllerRevision", "default")}


def live(emu: KubeEmulator) -> list[dict[str, Any]]:
    found = emu.cluster.list("v1", "Pod", "default", label_selector="app=agent")
    return [p for p in found if not p["metadata"].get("deletionTimestamp")]


def image(emu: KubeEmulator) -> str:
    return str(get(emu)["spec"]["template"]["spec"]["containers"][0]["image"])


def rolled_out(emu: KubeEmulator) -> bool:
    st = status(emu)
    return (
        st.get("observedGeneration") == get(emu)["metadata"].get("generation")
        and st.get("updatedNumberScheduled") == st.get("numberAvailable") == st.get("desiredNumberScheduled") == 2
        and len(live(emu)) == 2
    )


def history(*args: str) -> list[list[str]]:
    r = kubectl("rollout", "history", "daemonset/agent", *args)
    assert r.returncode == 0, r.stderr
    return [line.split(None, 1) for line in r.stdout.strip().splitlines()]


def set_image(img: str) -> None:
    r = kubectl("set", "image", "daemonset/agent", f"main={img}")
    assert r.returncode == 0, r.stderr


@pytest.fixture
def agent(kube_emulator: KubeEmulator, kubeconfig: Path) -> KubeEmulator:
    """DaemonSet "agent" on two nodes, nginx:1.27, rolled out (revision 1)."""
    seed(kube_emulator, node("node-0"), node("node-1"))
    kube_emulator.cluster.create(daemonset("agent"))
    assert wait_until(lambda: rolled_out(kube_emulator))
    return kube_emulator


def test_each_template_gets_a_controller_revision_numbered_in_order(agent: KubeEmulator) -> None:
    set_image("nginx:1.28")
    assert wait_until(lambda: rolled_out(agent) and len(revisions(agent)) == 2)
    assert history() == [["daemonset.apps/agent"], ["REVISION", "CHANGE-CAUSE"], ["1", "<none>"], ["2", "<none>"]]


def test_the_pods_carry_the_hash_of_the_current_revision(agent: KubeEmulator) -> None:
    set_image("nginx:1.28")
    assert wait_until(lambda: rolled_out(agent) and len(revisions(agent)) == 2)
    current = revisions(agent)[2]
    assert current["metadata"]["name"] == f"agent-{current['metadata']['labels']['controller-revision-hash']}"
    assert {p["metadata"]["labels"]["controller-revision-hash"] for p in live(agent)} == {
        current["metadata"]["labels"]["controller-revision-hash"]
    }


def test_a_revision_stores_the_template_as_a_replace_patch_owned_by_the_daemonset(agent: KubeEmulator) -> None:
    first = revisions(agent)[1]
    assert first["data"] == get_patch(get(agent))
    assert first["data"]["spec"]["template"]["$patch"] == "replace"
    owner = first["metadata"]["ownerReferences"][0]
    assert (owner["kind"], owner["name"], owner.get("controller")) == ("DaemonSet", "agent", True)


def test_rollout_history_revision_shows_that_revisions_template(agent: KubeEmulator) -> None:
    set_image("nginx:1.28")
    assert wait_until(lambda: rolled_out(agent) and len(revisions(agent)) == 2)
    r = kubectl("rollout", "history", "daemonset/agent", "--revision=1")
    assert r.returncode == 0, r.stderr
    assert "nginx:1.27" in r.stdout and "nginx:1.28" not in r.stdout


def test_rollout_undo_restores_the_previous_template_as_the_next_revision(agent: KubeEmulator) -> None:
    set_image("nginx:1.28")
    assert wait_until(lambda: rolled_out(agent) and len(revisions(agent)) == 2)
    first_hash = revisions(agent)[1]["metadata"]["labels"]["controller-revision-hash"]
    r = kubectl("rollout", "undo", "daemonset/agent")
    assert (r.returncode, r.stdout.strip()) == (0, "daemonset.apps/agent rolled back"), r.stderr
    assert wait_until(lambda: image(agent) == "nginx:1.27" and sorted(revisions(agent)) == [2, 3])
    assert wait_until(lambda: rolled_out(agent))
    # the first revision was renumbered, not copied: its hash labels the pods again
    assert revisions(agent)[3]["metadata"]["labels"]["controller-revision-hash"] == first_hash
    assert {p["metadata"]["labels"]["controller-revision-hash"] for p in live(agent)} == {first_hash}
    assert history()[2:] == [["2", "<none>"], ["3", "<none>"]]


def test_rollout_undo_to_the_current_revision_is_skipped(agent: KubeEmulator) -> None:
    set_image("nginx:1.28")
    assert wait_until(lambda: rolled_out(agent) and len(revisions(agent)) == 2)
    r = kubectl("rollout", "undo", "daemonset/agent", "--to-revision=2")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "daemonset.apps/agent skipped rollback (current template already matches revision 2)"


def test_revisions_past_the_history_limit_are_deleted_oldest_first(agent: KubeEmulator) -> None:
    r = kubectl("patch", "daemonset/agent", "-p", '{"spec":{"revisionHistoryLimit":1}}')
    assert r.returncode == 0, r.stderr
    for tag in ("1.28", "1.29"):
        set_image(f"nginx:{tag}")
        assert wait_until(lambda tag=tag: rolled_out(agent) and image(agent) == f"nginx:{tag}")  # type: ignore[misc]
    assert wait_until(lambda: sorted(revisions(agent)) == [2, 3])


def test_a_name_taken_by_another_revision_raises_the_collision_count(agent: KubeEmulator) -> None:
    """snapshot: a ControllerRevision of the new template's name whose data differs is a hash
    collision; the DaemonSet's status.collisionCount goes to 1 and its revision takes the hash with
    it (the template as stored: the API server's defaults are already in the first one)."""
    template = copy.deepcopy(get(agent)["spec"]["template"])
    template["spec"]["containers"][0]["image"] = "nginx:1.28"
    taken = f"agent-{compute_hash(template, None)}"
    agent.cluster.create(
        {
            "apiVersion": "apps/v1",
            "kind": "ControllerRevision",
            "metadata": {"name": taken, "namespace": "default"},
            "data": {"spec": {"template": {"$patch": "replace"}}},
            "revision": 1,
        }
    )
    set_image("nginx:1.28")
    assert wait_until(lambda: status(agent).get("collisionCount") == 1)
    assert wait_until(lambda: rolled_out(agent) and image(agent) == "nginx:1.28")
    assert revisions(agent)[2]["metadata"]["name"] == f"agent-{compute_hash(template, 1)}"


def surge_agent(emu: KubeEmulator, strategy: dict[str, Any]) -> None:
    """agent on two nodes with ``strategy``, then a new template asking 64 CPUs, which no node has."""
    seed(emu, node("node-0"), node("node-1"))
    ds = daemonset("agent")
    ds["spec"]["updateStrategy"] = strategy
    emu.cluster.create(ds)
    assert wait_until(lambda: status(emu).get("numberAvailable") == 2)
    r = kubectl("set", "resources", "daemonset/agent", "--requests=cpu=64")
    assert r.returncode == 0, r.stderr
    assert wait_until(lambda: status(emu).get("observedGeneration") == 2)


def test_max_surge_makes_the_new_pod_beside_the_old_one(kube_emulator: KubeEmulator, kubeconfig: Path) -> None:
    """maxSurge 1, maxUnavailable 0: one node gets its new pod (Pending) while its old pod keeps
    running; both nodes stay available."""
    surge_agent(kube_emulator, {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}})
    assert wait_until(lambda: len(live(kube_emulator)) == 3)
    phases = sorted(p["status"].get("phase") for p in live(kube_emulator))
    assert phases == ["Pending", "Running", "Running"]
    st = status(kube_emulator)
    assert (st["numberAvailable"], st["updatedNumberScheduled"]) == (2, 0)


def test_max_surge_replaces_the_old_pod_once_the_new_one_is_available(agent: KubeEmulator) -> None:
    r = kubectl(
        "patch",
        "daemonset/agent",
        "-p",
        '{"spec":{"updateStrategy":{"rollingUpdate":{"maxSurge":1,"maxUnavailable":0}}}}',
    )
    assert r.returncode == 0, r.stderr
    set_image("nginx:1.28")
    assert wait_until(lambda: rolled_out(agent) and image(agent) == "nginx:1.28")
    assert {p["spec"]["containers"][0]["image"] for p in live(agent)} == {"nginx:1.28"}


def test_min_ready_seconds_holds_the_pods_unavailable_until_they_pass(
    kube_emulator: KubeEmulator, kubeconfig: Path
) -> None:
    seed(kube_emulator, node("node-0"), node("node-1"))
    ds = daemonset("agent")
    ds["spec"]["minReadySeconds"] = 30
    kube_emulator.cluster.create(ds)
    assert wait_until(lambda: status(kube_emulator).get("numberReady") == 2)
    assert (status(kube_emulator).get("numberAvailable"), status(kube_emulator).get("numberUnavailable")) == (0, 2)
    controller = next(c for c in kube_emulator.controllers.controllers if isinstance(c, DaemonSetController))
    controller.advance(31)
    assert wait_until(lambda: status(kube_emulator).get("numberAvailable") == 2)
