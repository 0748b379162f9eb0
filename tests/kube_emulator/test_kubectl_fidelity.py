"""The real kubectl against the emulator: what it prints and does must match what a real
API server makes it print and do (documented Kubernetes behaviour)."""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
from pathlib import Path
from typing import Any, ClassVar

import pytest

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.cluster import TEST_MANAGER, ClusterState
from tests.emulators.kube.controllers.base import Controller
from tests.kube_emulator.helpers import a_node

pytestmark = [
    pytest.mark.kubectl,
    pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed"),
]

MANIFESTS = """\
apiVersion: v1
kind: Namespace
metadata:
  name: ml
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: ml
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: main
        image: nginx:1.27
---
apiVersion: kaito.sh/v1beta1
kind: Workspace
metadata:
  name: phi
  namespace: ml
resource:
  instanceType: Standard_NC24ads_A100_v4
  labelSelector:
    matchLabels: {apps: phi}
inference:
  preset:
    name: phi-3-mini-4k-instruct
---
apiVersion: ray.io/v1
kind: RayCluster
metadata:
  name: rc
  namespace: ml
spec:
  headGroupSpec:
    rayStartParams: {}
    template:
      spec:
        containers:
        - name: ray-head
          image: rayproject/ray:2.41.0
"""


def kubectl(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["kubectl", *args], capture_output=True, text=True, timeout=timeout, check=False)


def kubectl_minor() -> int:
    """The installed kubectl's minor version (``"32+"`` for 1.32), from its own report."""
    r = kubectl("version", "--client", "-o", "json")
    return int(json.loads(r.stdout)["clientVersion"]["minor"].rstrip("+"))


def delete_line(kind_group: str, name: str, namespace: str | None) -> str:
    """The line the installed kubectl's delete prints: 1.34 added "from NS namespace" for a
    namespaced object (upstream: kubernetes/kubectl pkg/cmd/delete/delete.go PrintObj,
    kubernetes/kubernetes#126619); these tests check the emulator, so they follow whichever
    kubectl is installed."""
    where = f" from {namespace} namespace" if namespace and kubectl_minor() >= 34 else ""
    return f'{kind_group} "{name}" deleted{where}'


@pytest.fixture
def manifests(tmp_path: Path) -> Path:
    p = tmp_path / "stack.yaml"
    p.write_text(MANIFESTS, encoding="utf-8")
    return p


@pytest.fixture
def applied(kube_emulator: KubeEmulator, kubeconfig: Path, manifests: Path) -> Path:
    a_node(kube_emulator)  # the Deployment's pods are Ready only on a node
    r = kubectl("apply", "--server-side", "-f", str(manifests))
    assert r.returncode == 0, r.stderr
    return manifests


def test_apply_server_side_creates_builtin_and_custom_resources(
    kube_emulator: KubeEmulator, kubeconfig: Path, manifests: Path
) -> None:
    r = kubectl("apply", "--server-side", "-f", str(manifests))
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        "namespace/ml serverside-applied",
        "deployment.apps/web serverside-applied",
        "workspace.kaito.sh/phi serverside-applied",
        "raycluster.ray.io/rc serverside-applied",
    ]
    ws = kube_emulator.cluster.get("kaito.sh/v1beta1", "Workspace", "ml", "phi")
    assert ws is not None
    assert [(m["manager"], m["operation"]) for m in ws["metadata"]["managedFields"]] == [("kubectl", "Apply")]
    patches = kube_emulator.requests(method="PATCH", path="/namespaces/ml/")
    assert all(
        r.query["fieldValidation"] == ["Strict"] and r.content_type == "application/apply-patch+yaml" for r in patches
    )


def test_reapplying_unchanged_manifests_writes_nothing(kube_emulator: KubeEmulator, applied: Path) -> None:
    before = kube_emulator.cluster.get("apps/v1", "Deployment", "ml", "web")
    r = kubectl("apply", "--server-side", "-f", str(applied))
    after = kube_emulator.cluster.get("apps/v1", "Deployment", "ml", "web")
    assert r.returncode == 0
    assert before is not None and after is not None
    assert after["metadata"]["generation"] == before["metadata"]["generation"] == 1


def test_get_json_shows_schema_defaults_of_custom_resources(applied: Path) -> None:
    r = kubectl("get", "workspaces", "-n", "ml", "-o", "json")
    body = json.loads(r.stdout)
    assert body["kind"] == "List"
    item = body["items"][0]
    assert (item["apiVersion"], item["kind"], item["metadata"]["name"]) == ("kaito.sh/v1beta1", "Workspace", "phi")
    assert item["inference"]["preset"]["accessMode"] == "public"
    assert item["resource"]["count"] == 1


def test_get_prints_a_server_side_table(kube_emulator: KubeEmulator, applied: Path) -> None:
    kube_emulator.idle()
    r = kubectl("get", "deployments", "-n", "ml")
    header, row = r.stdout.splitlines()
    assert header.split() == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]
    assert row.split()[:4] == ["web", "2/2", "2", "2"]


def test_conflict_between_field_managers(kube_emulator: KubeEmulator, applied: Path) -> None:
    assert (
        kubectl("patch", "deployment", "web", "-n", "ml", "--type=merge", "-p", '{"spec":{"replicas":3}}').returncode
        == 0
    )
    r = kubectl("apply", "--server-side", "--field-manager=deployer", "-f", str(applied))
    assert r.returncode == 1
    assert (
        'error: Apply failed with 1 conflict: conflict with "kubectl-patch" using apps/v1: .spec.replicas' in r.stderr
    )
    forced = kubectl("apply", "--server-side", "--field-manager=deployer", "--force-conflicts", "-f", str(applied))
    assert forced.returncode == 0
    d = kube_emulator.cluster.get("apps/v1", "Deployment", "ml", "web")
    assert d is not None and d["spec"]["replicas"] == 2
    owners = {m["manager"]: m["fieldsV1"] for m in d["metadata"]["managedFields"]}
    assert "f:replicas" in owners["deployer"]["f:spec"]
    assert "f:replicas" not in owners.get("kubectl-patch", {}).get("f:spec", {})


def test_unknown_field_in_custom_resource_fails_server_side_apply(kubeconfig: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(MANIFESTS.split("---\n")[2].replace("inference:", "bogus: 1\ninference:"), encoding="utf-8")
    kubectl("create", "namespace", "ml")
    r = kubectl("apply", "--server-side", "-f", str(bad))
    assert r.returncode == 1
    assert (
        "Error from server: failed to create typed patch object (ml/phi; kaito.sh/v1beta1, "
        "Kind=Workspace): .bogus: field not declared in schema" in r.stderr
    )


def test_unknown_field_in_custom_resource_fails_strict_create(kubeconfig: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(MANIFESTS.split("---\n")[2].replace("inference:", "bogus: 1\ninference:"), encoding="utf-8")
    kubectl("create", "namespace", "ml")
    r = kubectl("create", "-f", str(bad))
    assert r.returncode == 1
    assert (
        'Workspace in version "v1beta1" cannot be handled as a Workspace: strict decoding error: unknown field "bogus"'
        in r.stderr
    )


def test_schema_violation_is_reported_as_invalid(kubeconfig: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        MANIFESTS.split("---\n")[2].replace("  instanceType:", "  count: two\n  instanceType:"), encoding="utf-8"
    )
    kubectl("create", "namespace", "ml")
    r = kubectl("apply", "--server-side", "-f", str(bad))
    assert r.returncode == 1
    assert (
        'The Workspace "phi" is invalid: resource.count: Invalid value: "string": resource.count '
        'in body must be of type integer: "string"' in r.stderr
    )


def test_wait_for_deployment_available(applied: Path) -> None:
    r = kubectl("wait", "--for=condition=Available", "deployment/web", "-n", "ml", "--timeout=20s")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "deployment.apps/web condition met"


class WorkspaceReady(Controller):
    field_manager = TEST_MANAGER  # a test's own controller writes as the tests do
    watches: ClassVar[list[tuple[str, str]]] = [("kaito.sh/v1beta1", "Workspace")]

    def reconcile(self, cluster: ClusterState, obj: dict[str, Any]) -> None:
        md = obj["metadata"]
        cluster.patch_status(
            "kaito.sh/v1beta1",
            "Workspace",
            md["namespace"],
            md["name"],
            {
                "conditions": [
                    {
                        "type": "WorkspaceSucceeded",
                        "status": "True",
                        "reason": "Ready",
                        "message": "ready",
                        "lastTransitionTime": "2026-01-01T00:00:00Z",
                        "observedGeneration": md["generation"],
                    }
                ],
            },
        )


def test_wait_watches_until_a_custom_resource_condition_is_met(kube_emulator: KubeEmulator, applied: Path) -> None:
    kube_emulator.controllers.add(WorkspaceReady(delay=0.5))
    r = kubectl("wait", "--for=condition=WorkspaceSucceeded", "workspace/phi", "-n", "ml", "--timeout=20s")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "workspace.kaito.sh/phi condition met"
    assert kube_emulator.requests(verb="watch", path="/workspaces")


def test_wait_times_out_when_the_condition_never_comes(applied: Path) -> None:
    r = kubectl("wait", "--for=condition=WorkspaceSucceeded", "workspace/phi", "-n", "ml", "--timeout=1s")
    assert r.returncode == 1
    assert "timed out waiting for the condition on workspaces/phi" in r.stderr


def test_delete_removes_objects_and_reports_each(kube_emulator: KubeEmulator, applied: Path) -> None:
    r = kubectl("delete", "-f", str(applied))
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        delete_line("namespace", "ml", None),
        delete_line("deployment.apps", "web", "ml"),
        delete_line("workspace.kaito.sh", "phi", "ml"),
        delete_line("raycluster.ray.io", "rc", "ml"),
    ]
    assert kube_emulator.cluster.get("v1", "Namespace", None, "ml") is None


def test_delete_of_a_missing_object_is_not_found(kubeconfig: Path) -> None:
    r = kubectl("delete", "configmap", "ghost")
    assert r.returncode == 1
    assert r.stderr.strip() == 'Error from server (NotFound): configmaps "ghost" not found'


def test_get_watch_prints_new_objects(kube_emulator: KubeEmulator, kubeconfig: Path) -> None:
    def create() -> None:
        kube_emulator.cluster.create(
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "late", "namespace": "default"}}
        )

    def create_once_watched() -> None:
        # Create only after kubectl's watch is registered, so a slow kubectl start on a loaded machine
        # cannot miss the event (a fixed delay made this test flaky).
        deadline = time.monotonic() + 20
        store = kube_emulator.api.store
        while time.monotonic() < deadline and not any(store.watchers.values()):
            time.sleep(0.02)
        create()

    threading.Thread(target=create_once_watched, daemon=True).start()
    r = kubectl("get", "configmaps", "--watch-only", "-o", "name", "--request-timeout=3s")
    assert r.stdout.splitlines() == ["configmap/late"]


def test_get_watch_prints_an_in_stream_error_status_and_ends(kube_emulator: KubeEmulator, kubeconfig: Path) -> None:
    # upstream: kubernetes/apiserver v0.35.0 pkg/storage/etcd3/watcher.go transformErrorToEvent
    kube_emulator.faults.add(verb="watch", status=500, in_stream=True, message="etcdserver: leader changed")
    r = kubectl("get", "configmaps", "--watch-only", "-o", "json", "--request-timeout=5s")
    assert r.returncode == 0, r.stderr
    status = json.loads(r.stdout)
    assert (status["kind"], status["code"], status["reason"]) == ("Status", 500, "InternalError")


def test_chunked_list_of_many_nodes(kube_emulator: KubeEmulator, kubeconfig: Path) -> None:
    kube_emulator.generate_cluster(nodes=1200, pods=0)
    r = kubectl("get", "nodes", "--chunk-size=500", "-o", "name")
    assert len(r.stdout.splitlines()) == 1200 and r.stdout.startswith("node/aks-")
    lists = kube_emulator.requests(verb="list", path="/api/v1/nodes")
    assert [rec.query["limit"] for rec in lists] == [["500"]] * 3
    assert ["continue" in rec.query for rec in lists] == [False, True, True]


def test_forbidden_request_is_reported_like_rbac(kube_emulator: KubeEmulator, kubeconfig: Path) -> None:
    kube_emulator.auth.deny(verb="list", resource="secrets")
    r = kubectl("get", "secrets")
    assert r.returncode == 1
    assert 'User "emulator-admin" cannot list resource "secrets" in API group "" in the namespace "default"' in r.stderr


def test_typed_create_commands_send_protobuf_the_emulator_decodes(
    kube_emulator: KubeEmulator, kubeconfig: Path
) -> None:
    assert kubectl("create", "namespace", "ml").stdout.strip() == "namespace/ml created"
    assert kubectl("create", "configmap", "c", "-n", "ml", "--from-literal=a=b").returncode == 0
    assert kubectl("create", "secret", "generic", "s", "-n", "ml", "--from-literal=token=xyz").returncode == 0
    cm = kube_emulator.cluster.get("v1", "ConfigMap", "ml", "c")
    secret = kube_emulator.cluster.get("v1", "Secret", "ml", "s")
    assert cm is not None and cm["data"] == {"a": "b"}
    assert secret is not None and secret["data"] == {"token": "eHl6"} and secret["type"] == "Opaque"


def test_protobuf_body_of_an_unemulated_kind_is_415_not_success(kube_emulator: KubeEmulator, kubeconfig: Path) -> None:
    r = kubectl("create", "deployment", "web", "--image=nginx")
    assert r.returncode == 1 and "protobuf bodies of kind Deployment are not emulated" in r.stderr
    assert kube_emulator.cluster.get("apps/v1", "Deployment", "default", "web") is None


def test_auth_can_i_answers_from_the_rule_table(kube_emulator: KubeEmulator, kubeconfig: Path) -> None:
    kube_emulator.auth.deny(verb="delete", resource="secrets")
    assert kubectl("auth", "can-i", "list", "secrets").stdout.strip() == "yes"
    denied = kubectl("auth", "can-i", "delete", "secrets")
    assert (denied.returncode, denied.stdout.strip()) == (1, "no")


TYPO_CONFIGMAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
dataa:
  k: v
"""


def test_unknown_field_in_a_builtin_kind_fails_server_side_apply(kubeconfig: Path, tmp_path: Path) -> None:
    bad = tmp_path / "cm.yaml"
    bad.write_text(TYPO_CONFIGMAP, encoding="utf-8")
    r = kubectl("apply", "--server-side", "-f", str(bad))
    assert r.returncode == 1
    assert (
        "Error from server: failed to create typed patch object (default/settings; /v1, Kind=ConfigMap): "
        ".dataa: field not declared in schema" in r.stderr
    )


def test_create_validate_warn_warns_and_creates_without_the_unknown_field(
    kube_emulator: KubeEmulator, kubeconfig: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "cm.yaml"
    bad.write_text(TYPO_CONFIGMAP, encoding="utf-8")
    r = kubectl("create", "--validate=warn", "-f", str(bad))
    assert r.returncode == 0, r.stderr
    assert 'Warning: unknown field "dataa"' in r.stderr
    assert r.stdout.strip() == "configmap/settings created"
    cm = kube_emulator.cluster.get("v1", "ConfigMap", "default", "settings")
    assert cm is not None and "dataa" not in cm


BAD_PLACEMENT = """\
apiVersion: placement.kubernetes-fleet.io/v1beta1
kind: ClusterResourcePlacement
metadata:
  name: crp
spec:
  resourceSelectors:
  - {group: "", version: v1, kind: Namespace, name: ml}
  policy:
    placementType: PickFixed
    numberOfClusters: 2
"""


def test_cel_rule_violation_on_a_fleet_placement_is_invalid(kubeconfig: Path, tmp_path: Path) -> None:
    bad = tmp_path / "crp.yaml"
    bad.write_text(BAD_PLACEMENT, encoding="utf-8")
    r = kubectl("apply", "--server-side", "-f", str(bad))
    assert r.returncode == 1
    assert (
        'The ClusterResourcePlacement "crp" is invalid: spec.policy: Invalid value: "object": affinity, '
        "numberOfClusters, topologySpreadConstraints, and tolerations cannot be set when placementType is PickFixed"
        in r.stderr
    )


def test_chunked_get_is_one_snapshot_while_objects_change(kube_emulator: KubeEmulator, kubeconfig: Path) -> None:
    for i in range(6):
        kube_emulator.cluster.create(
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"cm-{i}", "namespace": "default"}}
        )
    kube_emulator.faults.add(verb="list", path="/configmaps", delay=0.3, count=None)

    def change() -> None:
        # right after the first page is served, before kubectl asks for the second
        while not kube_emulator.requests(verb="list", path="/configmaps"):
            time.sleep(0.01)
        kube_emulator.cluster.delete("v1", "ConfigMap", "default", "cm-4")
        kube_emulator.cluster.create(
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm-45", "namespace": "default"}}
        )

    threading.Thread(target=change, daemon=True).start()
    r = kubectl("get", "configmaps", "--chunk-size=2", "-o", "name")
    assert r.returncode == 0, r.stderr
    # the root CA publisher's kube-root-ca.crt is in every namespace (namespace_defaults.py)
    assert r.stdout.splitlines() == [*(f"configmap/cm-{i}" for i in range(6)), "configmap/kube-root-ca.crt"]
    assert kube_emulator.cluster.get("v1", "ConfigMap", "default", "cm-4") is None


def test_chunked_get_meeting_a_compacted_snapshot_prints_the_expired_status(
    kube_emulator: KubeEmulator, kubeconfig: Path
) -> None:
    # upstream: kubernetes/apiserver v0.35.0 pkg/storage/etcd3/errors.go handleCompactedErrorForPaging
    for i in range(4):
        kube_emulator.cluster.create(
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"cm-{i}", "namespace": "default"}}
        )
    lists: list[int] = []

    def compact_after_first_page() -> None:
        lists.append(1)
        if len(lists) == 2:
            kube_emulator.compact()

    kube_emulator.faults.add(verb="list", path="/configmaps", before=compact_after_first_page, count=None)
    r = kubectl("get", "configmaps", "--chunk-size=2", "-o", "name")
    assert (r.returncode, r.stdout.splitlines()) == (1, ["configmap/cm-0", "configmap/cm-1"])
    assert r.stderr.startswith("Error from server (Expired): The provided continue parameter is too old")


def test_raw_list_with_resource_version_match_alone_prints_invalid_list_options(
    kube_emulator: KubeEmulator, kubeconfig: Path
) -> None:
    # upstream: kubernetes/apiserver v0.35.0 pkg/endpoints/handlers/get.go ListResource
    r = kubectl("get", "--raw", "/api/v1/namespaces/default/configmaps?resourceVersionMatch=Exact")
    assert r.returncode == 1
    assert r.stderr.strip() == (
        'The ListOptions "" is invalid: resourceVersionMatch: Forbidden: '
        "resourceVersionMatch is forbidden unless resourceVersion is provided"
    )


def test_rollout_status_follows_a_deployment_until_available(applied: Path) -> None:
    r = kubectl("rollout", "status", "deployment/web", "-n", "ml", "--timeout=20s")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[-1] == 'deployment "web" successfully rolled out'
