"""The two kube-controller-manager controllers that fill every namespace of a real cluster: the
ServiceAccounts controller (the ServiceAccount ``default``) and the root CA publisher (the
ConfigMap ``kube-root-ca.crt``). Every cluster runs them, so the emulator always does, whatever
operator simulators a test adds.

- ServiceAccountsController (upstream: kubernetes/kubernetes pkg/controller/serviceaccount/
  serviceaccounts_controller.go, read at 003e8629 through the code index): a namespace added or
  updated, or a ServiceAccount deleted, queues its namespace; syncNamespace does nothing for a
  namespace that is gone or not Active, and otherwise creates each ServiceAccount to ensure
  (``--service-account-...``: only ``default``, with nothing but its name: DefaultServiceAccounts-
  ControllerOptions) that the lister lacks, ignoring AlreadyExists and NamespaceTerminating.
- Publisher (upstream: kubernetes/kubernetes pkg/controller/certificates/rootcacertpublisher/
  publisher.go syncNamespace; read through the code index in a fork whose sync is the same): a
  namespace added (or updated while Active), or ``kube-root-ca.crt`` updated or deleted, queues the
  namespace; a missing ConfigMap is created with ``data: {ca.crt: <the root CA>}`` and the
  ``kubernetes.io/description`` annotation; one whose data or annotation differ is updated back.
  The root CA is the emulator's TLS CA (``control.tls_material``).

The controllers run on their own thread, as kube-controller-manager's workers do, so a namespace
gets its ServiceAccount a moment after it is created. The ServiceAccount admission plugin looks
the account ``default`` up again and again (10 tries, 100-199 ms apart) while the controller
catches up (plugin/pkg/admission/serviceaccount/admission.go getServiceAccount); here
``ensure(namespace)`` stands in for those tries: it runs the sync at once on the caller's thread.
"""

from __future__ import annotations

import queue
import threading
import time
from typing import TYPE_CHECKING, Any

from tests.emulators.kube.apiserver_common import Ctx, obj_key
from tests.emulators.kube.status import ApiError

if TYPE_CHECKING:
    from tests.emulators.kube.apiserver import ApiServer
    from tests.emulators.kube.resources import ResourceType

DEFAULT_SERVICE_ACCOUNT = "default"
ROOT_CA_CONFIGMAP = "kube-root-ca.crt"
DESCRIPTION_ANNOTATION = "kubernetes.io/description"
DESCRIPTION = (
    "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the "
    "internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of "
    "Kubernetes clusters."
)
# kube-controller-manager's own identity; its client's user agent names the field manager
# (kube-controller-manager's clients run as system:kube-controller-manager, or with
# --use-service-account-credentials as each controller's ServiceAccount in kube-system).
MANAGER = "kube-controller-manager"
USER = "system:kube-controller-manager"


class NamespaceDefaults:
    """The ServiceAccounts controller and the root CA publisher, on one worker thread."""

    def __init__(self, api: ApiServer, root_ca: bytes) -> None:
        self.api = api
        self.root_ca = root_ca.decode()
        self._queue: queue.Queue[str | None] = queue.Queue()
        api.listeners.append(self._on_event)
        # the informers' initial list: every namespace there is when the controllers start
        entries, _, _ = api.store.page(self._rt("v1", "Namespace").key, "", None, 1_000_000, None)
        for entry in entries:
            self.ensure(entry.obj()["metadata"]["name"])
        self._thread = threading.Thread(target=self._loop, name="kube-emulator-kcm", daemon=True)
        self._thread.start()

    def _rt(self, api_version: str, kind: str) -> ResourceType:
        return self.api.rt(api_version, kind)

    def _ctx(self) -> Ctx:
        return Ctx(user=USER, groups=[USER, "system:authenticated"], field_manager=MANAGER)

    # ---- informer handlers -------------------------------------------------------------

    def _on_event(self, typ: str, rt: ResourceType, obj: dict[str, Any], ctx: Ctx) -> None:
        del ctx
        if rt.group != "":
            return
        md = obj.get("metadata") or {}
        if rt.kind == "Namespace" and typ in ("ADDED", "MODIFIED"):
            self._queue.put(str(md.get("name")))
        elif (rt.kind == "ServiceAccount" and typ == "DELETED") or (
            rt.kind == "ConfigMap" and typ in ("MODIFIED", "DELETED") and md.get("name") == ROOT_CA_CONFIGMAP
        ):
            self._queue.put(str(md.get("namespace")))

    def _loop(self) -> None:
        while True:
            namespace = self._queue.get()
            try:
                if namespace is None:
                    return
                self.ensure(namespace)
            except Exception:  # a worker logs and goes on (utilruntime.HandleError)
                continue
            finally:
                self._queue.task_done()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until every namespace queued so far is synced (for tests: ``emu.idle()``)."""
        end = time.monotonic() + timeout
        with self._queue.all_tasks_done:
            while self._queue.unfinished_tasks:
                left = end - time.monotonic()
                if left <= 0:
                    return False
                self._queue.all_tasks_done.wait(left)
        return True

    def stop(self) -> None:
        self._queue.put(None)

    # ---- sync --------------------------------------------------------------------------

    def active(self, namespace: str) -> bool:
        """The namespace exists and is Active (not being deleted)."""
        entry = self.api.store.get(self._rt("v1", "Namespace").key, namespace)
        if entry is None:
            return False
        ns = entry.obj()
        phase = (ns.get("status") or {}).get("phase", "Active")
        return phase == "Active" and not (ns.get("metadata") or {}).get("deletionTimestamp")

    def ensure(self, namespace: str) -> None:
        """Both controllers' syncNamespace for ``namespace``."""
        if not self.active(namespace):
            return
        self._sync_service_accounts(namespace)
        self._sync_root_ca(namespace)

    def _create(self, rt: ResourceType, namespace: str, obj: dict[str, Any]) -> None:
        try:
            self.api.create(rt, "v1", namespace, obj, self._ctx())
        except ApiError as exc:
            # AlreadyExists (another sync won), NotFound and NamespaceTerminating are ignored
            if exc.code not in (403, 404, 409):
                raise

    def _sync_service_accounts(self, namespace: str) -> None:
        rt = self._rt("v1", "ServiceAccount")
        if self.api.store.get(rt.key, obj_key(namespace, DEFAULT_SERVICE_ACCOUNT)) is None:
            self._create(rt, namespace, {"metadata": {"name": DEFAULT_SERVICE_ACCOUNT, "namespace": namespace}})

    def _sync_root_ca(self, namespace: str) -> None:
        rt = self._rt("v1", "ConfigMap")
        data = {"ca.crt": self.root_ca}
        entry = self.api.store.get(rt.key, obj_key(namespace, ROOT_CA_CONFIGMAP))
        if entry is None:
            body = {
                "metadata": {
                    "name": ROOT_CA_CONFIGMAP,
                    "namespace": namespace,
                    "annotations": {DESCRIPTION_ANNOTATION: DESCRIPTION},
                },
                "data": data,
            }
            self._create(rt, namespace, body)
            return
        cm = entry.obj()
        annotations = dict((cm.get("metadata") or {}).get("annotations") or {})
        if cm.get("data") == data and annotations.get(DESCRIPTION_ANNOTATION):
            return
        annotations[DESCRIPTION_ANNOTATION] = DESCRIPTION
        cm["data"] = data
        cm["metadata"]["annotations"] = annotations
        try:
            self.api.update(rt, "v1", namespace, ROOT_CA_CONFIGMAP, cm, self._ctx())
        except ApiError as exc:
            if exc.code not in (404, 409):  # a conflict requeues upstream; the update event does here
                raise
