"""The real `kubectl rollout history/undo/status statefulset` against the emulator's StatefulSet
controller, which keeps a ControllerRevision per template and rolls its pods as
kube-controller-manager's does (kubernetes/kubernetes pkg/controller/statefulset/
stateful_set_control.go getStatefulSetRevisions, updateStatefulSet, truncateHistory;
stateful_set_utils.go newRevision, newVersionedStatefulSetPod). kubectl's side:
kubernetes/kubectl pkg/polymorphichelpers/history.go StatefulSetHistoryViewer, rollback.go
StatefulSetRollbacker, rollout_status.go StatefulSetStatusViewer."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.emulators.kube.controllers.controller_history import go_marshal, hash_controller_revision
from tests.emulators.kube.controllers.daemon_history import get_patch
from tests.kube_emulator.helpers import a_node, deployment
from tests.kube_emulator.test_kubectl_fidelity import kubectl

pytestmark = [
    pytest.mark.kubectl,
    pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed"),
]


def statefulset(replicas: int = 3, **spec: Any) -> dict[str, Any]:
    sts = deployment("db", replicas=replicas)
    sts["kind"] = "StatefulSet"
    sts["spec"]["serviceName"] = "db"
    sts["spec"].update(spec)
    return sts


def get(emu: KubeEmulator) -> dict[str, Any]:
    return emu.cluster.get("apps/v1", "StatefulSet", "default", "db") or {}


def status(emu: KubeEmulator) -> dict[str, Any]:
    return dict(get(emu).get("status") or {})


def revisions(emu: KubeEmulator) -> dict[int, dict[str, Any]]:
    return {int(r["revision"]): r for r in emu.cluster.list("apps/v1", "ControllerRevision", "default")}


def live(emu: KubeEmulator) -> dict[str, dict[str, Any]]:
    found = emu.cluster.list("v1", "Pod", "default", label_selector="app=db")
    return {p["metadata"]["name"]: p for p in found if not p["metadata"].get("deletionTimestamp")}


def pod_images(emu: KubeEmulator) -> dict[str, str]:
    return {n: p["spec"]["containers"][0]["image"] for n, p in sorted(live(emu).items())}


def rolled_out(emu: KubeEmulator, replicas: int = 3) -> bool:
    st, sts = status(emu), get(emu)
    return (
        st.get("observedGeneration") == sts["metadata"].get("generation")
        and st.get("readyReplicas") == st.get("updatedReplicas") == st.get("currentReplicas") == replicas
        and st.get("currentRevision") == st.get("updateRevision")
        and len(live(emu)) == replicas
    )


def history(*args: str) -> list[list[str]]:
    r = kubectl("rollout", "history", "statefulset/db", *args)
    assert r.returncode == 0, r.stderr
    return [line.split(None, 1) for line in r.stdout.strip().splitlines()]


def set_image(img: str) -> None:
    r = kubectl("set", "image", "statefulset/db", f"main={img}")
    assert r.returncode == 0, r.stderr


def patch(body: str) -> None:
    r = kubectl("patch", "statefulset/db", "-p", body)
    assert r.returncode == 0, r.stderr


@pytest.fixture
def db(kube_emulator: KubeEmulator, kubeconfig: Path) -> KubeEmulator:
    """StatefulSet "db", three replicas of nginx:1.27 on one node, rolled out (revision 1)."""
    a_node(kube_emulator)
    kube_emulator.cluster.create(statefulset())
    assert wait_until(lambda: rolled_out(kube_emulator))
    return kube_emulator


def test_each_template_gets_a_controller_revision_numbered_in_order(db: KubeEmulator) -> None:
    set_image("nginx:1.28")
    assert wait_until(lambda: rolled_out(db) and len(revisions(db)) == 2)
    assert history() == [["statefulset.apps/db"], ["REVISION", "CHANGE-CAUSE"], ["1", "<none>"], ["2", "<none>"]]


def test_the_pods_carry_the_update_revisions_name_and_it_becomes_current(db: KubeEmulator) -> None:
    first = revisions(db)[1]["metadata"]["name"]
    set_image("nginx:1.28")
    assert wait_until(lambda: rolled_out(db) and len(revisions(db)) == 2)
    second = revisions(db)[2]
    assert second["metadata"]["name"] == f"db-{second['metadata']['labels']['controller.kubernetes.io/hash']}"
    assert {p["metadata"]["labels"]["controller-revision-hash"] for p in live(db).values()} == {
        second["metadata"]["name"]
    }
    st = status(db)
    assert (st["currentRevision"], st["updateRevision"], st["collisionCount"]) == (
        second["metadata"]["name"],
        second["metadata"]["name"],
        0,
    )
    assert first != second["metadata"]["name"]


def test_a_revision_stores_the_template_as_a_replace_patch_with_the_sets_annotations(
    kube_emulator: KubeEmulator, kubeconfig: Path
) -> None:
    a_node(kube_emulator)
    sts = statefulset(replicas=1)
    sts["metadata"]["annotations"] = {"team": "search"}
    kube_emulator.cluster.create(sts)
    assert wait_until(lambda: rolled_out(kube_emulator, 1))
    first = revisions(kube_emulator)[1]
    assert first["data"] == get_patch(get(kube_emulator))
    assert first["data"]["spec"]["template"]["$patch"] == "replace"
    assert first["metadata"]["annotations"] == {"team": "search"}
    owner = first["metadata"]["ownerReferences"][0]
    assert (owner["kind"], owner["name"], owner.get("controller")) == ("StatefulSet", "db", True)


def test_rollout_undo_restores_the_previous_template_as_the_next_revision(db: KubeEmulator) -> None:
    set_image("nginx:1.28")
    assert wait_until(lambda: rolled_out(db) and len(revisions(db)) == 2)
    first = revisions(db)[1]["metadata"]["name"]
    r = kubectl("rollout", "undo", "statefulset/db")
    assert (r.returncode, r.stdout.strip()) == (0, "statefulset.apps/db rolled back"), r.stderr
    assert wait_until(lambda: sorted(revisions(db)) == [2, 3] and rolled_out(db))
    # the first revision was renumbered, not copied: its name labels the pods again
    assert revisions(db)[3]["metadata"]["name"] == first
    assert pod_images(db) == {"db-0": "nginx:1.27", "db-1": "nginx:1.27", "db-2": "nginx:1.27"}
    assert {p["metadata"]["labels"]["controller-revision-hash"] for p in live(db).values()} == {first}


def test_rollout_undo_to_the_current_revision_is_skipped(db: KubeEmulator) -> None:
    set_image("nginx:1.28")
    assert wait_until(lambda: rolled_out(db) and len(revisions(db)) == 2)
    r = kubectl("rollout", "undo", "statefulset/db", "--to-revision=2")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "statefulset.apps/db skipped rollback (current template already matches revision 2)"


def test_rollout_status_reads_the_partitioned_branch_the_defaults_select(db: KubeEmulator) -> None:
    """The API server defaults rollingUpdate.partition to 0, so kubectl's viewer reports the
    partitioned roll out (pkg/apis/apps/v1/defaults.go SetDefaults_StatefulSet)."""
    set_image("nginx:1.28")
    r = kubectl("rollout", "status", "statefulset/db", "--timeout=20s")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().splitlines()[-1] == "partitioned roll out complete: 3 new pods have been updated..."


def test_a_partition_keeps_the_pods_below_it_at_the_current_revision(db: KubeEmulator) -> None:
    first = revisions(db)[1]["metadata"]["name"]
    patch('{"spec":{"updateStrategy":{"rollingUpdate":{"partition":2}}}}')
    set_image("nginx:1.28")
    assert wait_until(lambda: status(db).get("updatedReplicas") == 1 and status(db).get("readyReplicas") == 3)
    assert pod_images(db) == {"db-0": "nginx:1.27", "db-1": "nginx:1.27", "db-2": "nginx:1.28"}
    st = status(db)
    assert (st["currentRevision"], st["currentReplicas"]) == (first, 2)
    assert st["updateRevision"] == revisions(db)[2]["metadata"]["name"]


def test_a_pod_below_the_partition_comes_back_from_the_current_revision(db: KubeEmulator) -> None:
    patch('{"spec":{"updateStrategy":{"rollingUpdate":{"partition":2}}}}')
    set_image("nginx:1.28")
    assert wait_until(lambda: status(db).get("updatedReplicas") == 1 and status(db).get("readyReplicas") == 3)
    uid = live(db)["db-0"]["metadata"]["uid"]
    db.cluster.delete("v1", "Pod", "default", "db-0")
    assert wait_until(lambda: "db-0" in live(db) and live(db)["db-0"]["metadata"]["uid"] != uid)
    assert pod_images(db)["db-0"] == "nginx:1.27"


def test_ordered_ready_replaces_one_pod_and_waits_for_it(db: KubeEmulator) -> None:
    """A new template no node fits: the highest ordinal is replaced and stays Pending; the others
    keep the old template while it is not ready."""
    r = kubectl("set", "resources", "statefulset/db", "--requests=cpu=64")
    assert r.returncode == 0, r.stderr
    assert wait_until(lambda: status(db).get("updatedReplicas") == 1 and status(db).get("observedGeneration") == 2)
    assert db.controllers.idle()
    phases = {n: p["status"].get("phase") for n, p in sorted(live(db).items())}
    assert phases == {"db-0": "Running", "db-1": "Running", "db-2": "Pending"}
    r = kubectl("rollout", "status", "statefulset/db", "--watch=false")
    assert r.stdout.strip() == "Waiting for 1 pods to be ready...", r.stderr


def test_ordered_ready_makes_no_pod_after_one_that_is_not_ready(kube_emulator: KubeEmulator, kubeconfig: Path) -> None:
    a_node(kube_emulator)
    sts = statefulset()
    sts["spec"]["template"]["spec"]["containers"][0]["resources"] = {"requests": {"cpu": "64"}}
    kube_emulator.cluster.create(sts)
    assert wait_until(lambda: status(kube_emulator).get("replicas") == 1)
    assert kube_emulator.controllers.idle()
    assert sorted(live(kube_emulator)) == ["db-0"]


def test_a_parallel_statefulset_makes_every_pod_at_once(kube_emulator: KubeEmulator, kubeconfig: Path) -> None:
    a_node(kube_emulator)
    sts = statefulset(podManagementPolicy="Parallel")
    sts["spec"]["template"]["spec"]["containers"][0]["resources"] = {"requests": {"cpu": "64"}}
    kube_emulator.cluster.create(sts)
    assert wait_until(lambda: status(kube_emulator).get("replicas") == 3)
    assert sorted(live(kube_emulator)) == ["db-0", "db-1", "db-2"]


def test_on_delete_replaces_only_a_deleted_pod_from_the_update_revision(
    kube_emulator: KubeEmulator, kubeconfig: Path
) -> None:
    a_node(kube_emulator)
    kube_emulator.cluster.create(statefulset(updateStrategy={"type": "OnDelete"}))
    assert wait_until(lambda: rolled_out(kube_emulator))
    first = revisions(kube_emulator)[1]["metadata"]["name"]
    set_image("nginx:1.28")
    assert wait_until(
        lambda: len(revisions(kube_emulator)) == 2 and status(kube_emulator).get("observedGeneration") == 2
    )
    kube_emulator.cluster.delete("v1", "Pod", "default", "db-1")
    assert wait_until(lambda: status(kube_emulator).get("updatedReplicas") == 1 and len(live(kube_emulator)) == 3)
    assert pod_images(kube_emulator) == {"db-0": "nginx:1.27", "db-1": "nginx:1.28", "db-2": "nginx:1.27"}
    st = status(kube_emulator)
    assert (st["currentRevision"], st["currentReplicas"]) == (first, 2)


def test_revisions_past_the_history_limit_are_deleted_oldest_first(db: KubeEmulator) -> None:
    patch('{"spec":{"revisionHistoryLimit":1}}')
    for tag in ("1.28", "1.29"):
        set_image(f"nginx:{tag}")
        assert wait_until(lambda tag=tag: rolled_out(db) and pod_images(db)["db-0"] == f"nginx:{tag}")  # type: ignore[misc]
    assert wait_until(lambda: sorted(revisions(db)) == [2, 3])


def test_a_name_taken_by_another_revision_raises_the_collision_count(db: KubeEmulator) -> None:
    """CreateControllerRevision: a revision of the new name with other data is a collision;
    status.collisionCount goes to 1 and the revision takes the name hashed with it."""
    sts = copy.deepcopy(get(db))
    sts["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.28"
    raw = go_marshal(get_patch(sts))
    db.cluster.create(
        {
            "apiVersion": "apps/v1",
            "kind": "ControllerRevision",
            "metadata": {"name": f"db-{hash_controller_revision(raw, 0)}", "namespace": "default"},
            "data": {"spec": {"template": {"$patch": "replace"}}},
            "revision": 1,
        }
    )
    set_image("nginx:1.28")
    assert wait_until(lambda: status(db).get("collisionCount") == 1 and rolled_out(db))
    second = revisions(db)[2]["metadata"]
    assert second["name"] == f"db-{hash_controller_revision(raw, 1)}"
    # NewControllerRevision labelled it with the first hash; CreateControllerRevision renamed the clone.
    assert second["labels"]["controller.kubernetes.io/hash"] == hash_controller_revision(raw, 0)
