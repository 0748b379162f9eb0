"""The KAITO simulator behaves as KAITO's controllers do when an object goes away under them."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

from tests.emulators.kube.apiserver_common import wait_until
from tests.emulators.kube.controllers.kaito import InferenceSetController, WorkspaceController
from tests.emulators.kube.status import ApiError


class _ClusterWhereEverythingIsGone:
    """Reads find nothing and every write answers 404, as after a delete."""

    def get(self, *args: Any) -> None:
        return None

    def list(self, *args: Any, **kwargs: Any) -> list[dict[str, Any]]:
        return []

    def __getattr__(self, name: str) -> Any:
        def gone(*args: Any, **kwargs: Any) -> None:
            raise ApiError(404, "not found")

        return gone


def _object(kind: str) -> dict[str, Any]:
    return {
        "apiVersion": "kaito.sh/v1beta1",
        "kind": kind,
        "metadata": {"name": "phi-4", "namespace": "ml"},
        "resource": {"instanceType": "Standard_NC24ads_A100_v4"},
    }


@pytest.mark.parametrize(
    ("controller", "kind"), [(WorkspaceController(), "Workspace"), (InferenceSetController(), "InferenceSet")]
)
def test_an_object_deleted_while_it_is_reconciled_is_dropped_without_error(controller: Any, kind: str) -> None:
    controller.reconcile(_ClusterWhereEverythingIsGone(), _object(kind))


def test_other_api_errors_still_fail_the_reconcile() -> None:
    class Refusing(_ClusterWhereEverythingIsGone):
        def __getattr__(self, name: str) -> Any:
            def refuse(*args: Any, **kwargs: Any) -> None:
                raise ApiError(500, "etcdserver: request timed out")

            return refuse

    with pytest.raises(ApiError):
        WorkspaceController().reconcile(Refusing(), _object("Workspace"))


def _succeeded(emu: Any, uid: str) -> bool:
    ws = emu.cluster.get("kaito.sh/v1beta1", "Workspace", "default", "phi-4")
    conditions = ((ws or {}).get("status") or {}).get("conditions") or []
    ok = any(c["type"] == "WorkspaceSucceeded" and c["status"] == "True" for c in conditions)
    return ok and ws is not None and ws["metadata"]["uid"] == uid


def _statefulset_of(emu: Any, uid: str) -> bool:
    sts = emu.cluster.get("apps/v1", "StatefulSet", "default", "phi-4")
    return sts is not None and [r["uid"] for r in sts["metadata"]["ownerReferences"]] == [uid]


def test_a_workspace_created_again_gets_its_own_statefulset_once_the_old_one_goes(model_emulator: Any) -> None:
    """`model delete && model deploy`: the new Workspace can meet the old one's StatefulSet before the
    garbage collector removes it (here a finalizer holds it). Its removal reconciles the Workspace
    of its name (controller-runtime's EnqueueRequestForOwner, no UID compared), which makes its own
    set; it takes none of the new Workspace's nodes."""
    emu = model_emulator()
    ws = {**_object("Workspace"), "metadata": {"name": "phi-4", "namespace": "default"}}
    ws["resource"] = {**ws["resource"], "labelSelector": {"matchLabels": {"apps": "phi-4"}}}
    ws["inference"] = {"preset": {"name": "phi-4"}}
    first = emu.cluster.create(ws)["metadata"]["uid"]
    assert wait_until(lambda: _succeeded(emu, first), timeout=10)
    hold = {"metadata": {"finalizers": ["example.com/hold"]}}
    emu.cluster.patch("apps/v1", "StatefulSet", "default", "phi-4", hold)
    emu.cluster.delete("kaito.sh/v1beta1", "Workspace", "default", "phi-4")

    def old_set_deleting() -> bool:
        sts = emu.cluster.get("apps/v1", "StatefulSet", "default", "phi-4")
        return bool(sts["metadata"].get("deletionTimestamp"))

    assert wait_until(old_set_deleting, timeout=10)
    second = emu.cluster.create(ws)["metadata"]["uid"]
    assert emu.idle(10)
    emu.cluster.patch("apps/v1", "StatefulSet", "default", "phi-4", {"metadata": {"finalizers": None}})
    assert wait_until(lambda: _statefulset_of(emu, second) and _succeeded(emu, second), timeout=10)
    workers = emu.cluster.get("kaito.sh/v1beta1", "Workspace", "default", "phi-4")["status"]["workerNodes"]
    assert [emu.cluster.get("v1", "Node", None, w)["metadata"]["labels"]["kaito.sh/workspace"] for w in workers] == [
        "phi-4"
    ]


def _set_children(emu: Any, uid: str) -> list[dict[str, Any]]:
    workspaces = emu.cluster.list("kaito.sh/v1beta1", "Workspace", "default")
    return [w for w in workspaces if [r["uid"] for r in w["metadata"].get("ownerReferences") or []] == [uid]]


def _set_ready(emu: Any, uid: str) -> bool:
    iset = emu.cluster.get("kaito.sh/v1beta1", "InferenceSet", "default", "phi-4")
    conditions = ((iset or {}).get("status") or {}).get("conditions") or []
    ok = any(c["type"] == "InferenceSetReady" and c["status"] == "True" for c in conditions)
    return ok and iset is not None and iset["metadata"]["uid"] == uid


def test_an_inferenceset_created_again_makes_its_own_workspace_once_the_old_one_goes(model_emulator: Any) -> None:
    """An InferenceSet deleted and created again lists the old one's Workspace by its label while a
    finalizer holds it, and counts it (ListWorkspaces). That Workspace's removal reconciles the set of
    its label (workspaceEventHandler.Delete), which then makes its own."""
    emu = model_emulator()
    template = {"resource": {"instanceType": "Standard_NC24ads_A100_v4"}, "inference": {"preset": {"name": "phi-4"}}}
    iset = {
        "apiVersion": "kaito.sh/v1beta1",
        "kind": "InferenceSet",
        "metadata": {"name": "phi-4", "namespace": "default"},
        "spec": {"replicas": 1, "labelSelector": {"matchLabels": {"apps": "phi-4"}}, "template": template},
    }
    first = emu.cluster.create(iset)["metadata"]["uid"]
    assert wait_until(lambda: _set_ready(emu, first), timeout=10)
    (old,) = _set_children(emu, first)
    hold = {"metadata": {"finalizers": [*old["metadata"]["finalizers"], "example.com/hold"]}}
    emu.cluster.patch("kaito.sh/v1beta1", "Workspace", "default", old["metadata"]["name"], hold)
    emu.cluster.delete("kaito.sh/v1beta1", "InferenceSet", "default", "phi-4")
    assert wait_until(lambda: emu.cluster.get("kaito.sh/v1beta1", "InferenceSet", "default", "phi-4") is None, 10)
    second = emu.cluster.create(iset)["metadata"]["uid"]
    assert emu.idle(10)
    assert not _set_children(emu, second)  # the old Workspace, still there, counts as its one replica
    emu.cluster.patch(
        "kaito.sh/v1beta1", "Workspace", "default", old["metadata"]["name"], {"metadata": {"finalizers": None}}
    )
    assert wait_until(lambda: len(_set_children(emu, second)) == 1 and _set_ready(emu, second), timeout=10)


def test_a_workspace_being_deleted_counts_toward_a_scale_down() -> None:
    """Scaled from 2 to 1, the set's next reconcile finds the Workspace it deleted still held by a
    finalizer: that one counts toward the target and the live one stays (selectWorkspacesToDelete)."""
    succeeded = {"conditions": [{"type": "WorkspaceSucceeded", "status": "True"}]}

    def child(name: str, **extra: Any) -> dict[str, Any]:
        md = {"name": name, "namespace": "ml", "labels": {"inferenceset.kaito.sh/created-by": "phi-4"}, **extra}
        return {"apiVersion": "kaito.sh/v1beta1", "kind": "Workspace", "metadata": md, "status": succeeded}

    class Cluster:
        deleted: ClassVar[list[str]] = []

        def list(self, *args: Any, **kwargs: Any) -> list[dict[str, Any]]:
            return [child("phi-4-bbbbb"), child("phi-4-zzzzz", deletionTimestamp="2026-01-01T00:00:00Z")]

        def delete(self, api_version: str, kind: str, namespace: str, name: str) -> None:
            self.deleted.append(name)

        def get(self, *args: Any) -> None:
            return None  # the status write's fresh Get: NotFound, nothing written

        def create(self, obj: dict[str, Any]) -> dict[str, Any]:
            return obj  # syncControllerRevision's ControllerRevision (kaito_set_revision.py)

        def patch(self, *args: Any) -> None:
            return None  # ... and the set's revision annotations

    iset = {
        **_object("InferenceSet"),
        "metadata": {"name": "phi-4", "namespace": "ml", "finalizers": ["inferenceset.finalizer.kaito.sh"]},
        "spec": {"replicas": 1, "template": {}},
    }
    InferenceSetController().reconcile(Cluster(), iset)
    assert Cluster.deleted == []
