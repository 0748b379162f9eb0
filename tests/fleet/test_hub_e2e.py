"""``akscli fleet`` against the Kubernetes emulator acting as a fleet hub."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli import invoke, list_items
from tests.fleet.conftest import Hub

CRP = "ClusterResourcePlacement"


def _place(*args: str) -> None:
    result = invoke("fleet", "place", *args, "-y")
    assert result.exit_code == 0, result


def test_gpu_placement_lands_only_on_members_with_the_gpu_size(hub: Hub) -> None:
    result = invoke(
        "fleet",
        "place",
        "llm",
        "--select",
        "namespace/llm",
        "--gpu-size",
        "Standard_NC24ads_A100_v4=2",
        "--wait",
        "--timeout",
        "20s",
        "-y",
    )
    assert result.exit_code == 0, result
    status = json.loads(invoke("fleet", "placement", "status", "llm", "-o", "json").stdout)
    assert [(c["cluster"], c["state"]) for c in status["clusters"]] == [("gpu-east", "Available")]
    assert status["placement"]["conditions"]["Available"] == "True"
    assert "ConfigMap/llm/model-config" in status["placement"]["selectedResources"]


def test_status_table_shows_each_member_and_where_it_is_stuck(hub: Hub) -> None:
    hub.member("broken", {"env": "prod"}, fail="apply")
    hub.settle()
    _place("llm", "--select", "namespace/llm", "--require-labels", "env=prod")
    hub.settle()
    result = invoke("fleet", "placement", "status", "llm")
    assert result.exit_code == 0, result
    lines = result.stdout.splitlines()
    assert lines[0].startswith("ClusterResourcePlacement llm: PickAll, RollingUpdate, 2/3")
    broken = next(line for line in lines if line.startswith("broken"))
    assert "Applied=False" in broken
    assert "ConfigMap/llm/model-config" in broken
    assert any(line.startswith("gpu-east") and "Available" in line for line in lines)


def test_drifted_objects_are_reported_in_wide_output(hub: Hub) -> None:
    # Drifts stop the apply, and are reported, only under whenToApply IfNotDrifted; Always overwrites
    # them (kubefleet-dev/kubefleet e160c1cd pkg/controllers/workapplier/process.go).
    hub.member("drifty", {"env": "prod"}, fail="drift")
    hub.settle()
    _place("llm", "--select", "namespace/llm", "--pick-fixed", "drifty", "--when-to-apply", "IfNotDrifted")
    hub.settle()
    wide = invoke("fleet", "placement", "status", "llm", "-o", "wide").stdout
    assert "/spec/replicas" in wide


def test_pick_n_that_cannot_be_fulfilled_shows_the_shortfall(hub: Hub) -> None:
    _place("llm", "--select", "namespace/llm", "--pick-n", "3", "--gpu-size", "Standard_NC24ads_A100_v4")
    hub.settle()
    status = json.loads(invoke("fleet", "placement", "status", "llm", "-o", "json").stdout)
    states = {c["cluster"]: c["state"] for c in status["clusters"]}
    # One row per member that could not be picked, with the scheduler's reason (placement_status.go).
    assert states == {"gpu-east": "Available", "canary": "Available", "cpu-west": "Unscheduled"}
    unpicked = next(c for c in status["clusters"] if c["cluster"] == "cpu-west")
    assert unpicked["reason"] == "ScheduleFailed"
    assert "does not match with any of the required cluster affinity terms" in unpicked["message"]


def test_pick_n_ranks_members_by_the_property_sorter(hub: Hub) -> None:
    _place("llm", "--select", "namespace/llm", "--pick-n", "1", "--sort-by", "kubernetes-fleet.io/node-count")
    hub.settle()
    rows = json.loads(invoke("fleet", "placement", "status", "llm", "-o", "json").stdout)["clusters"]
    assert [r["cluster"] for r in rows] == ["cpu-west"]


def test_overrides_are_created_and_reported_as_applied_on_matching_members(hub: Hub) -> None:
    _place("llm", "--select", "namespace/llm", "--override", 'env=staging@/metadata/labels/tier="canary"')
    hub.settle()
    crp = hub.get(CRP, "llm")
    by_cluster = {s["clusterName"]: s for s in crp["status"]["placementStatuses"]}
    assert by_cluster["canary"]["applicableClusterResourceOverrides"] == ["llm-override-0"]
    assert "applicableClusterResourceOverrides" not in by_cluster["gpu-east"]
    assert hub.get("ClusterResourceOverride", "llm-override")["spec"]["placement"]["name"] == "llm"


def test_which_tells_the_placement_and_members_of_an_object(hub: Hub) -> None:
    _place("llm", "--select", "namespace/llm", "--require-labels", "env=staging")
    hub.settle()
    rows = list_items(invoke("fleet", "placement", "which", "configmap/model-config", "-n", "llm", "-o", "json").stdout)
    assert [(r["placement"], r["cluster"], r["available"]) for r in rows] == [("llm", "canary", "True")]


def test_which_of_an_object_no_placement_selected_is_not_found(hub: Hub) -> None:
    result = invoke("fleet", "placement", "which", "namespace/kube-system")
    assert result.exit_code == 3
    assert "no placement" in result.stderr


def _placed_with_override(hub: Hub) -> None:
    _place("llm", "--select", "namespace/llm", "--override", '@/metadata/labels/x="1"')
    hub.settle()


def test_list_shows_each_placement_with_its_available_members(hub: Hub) -> None:
    _placed_with_override(hub)
    assert invoke("fleet", "placement", "list", "-o", "name").stdout.split() == [
        "clusterresourceplacement.placement.kubernetes-fleet.io/llm"
    ]
    table = invoke("fleet", "placement", "list").stdout.splitlines()
    assert table[1].split()[:6] == ["llm", "PickAll", "RollingUpdate", "3", "3", "True"]


def test_delete_removes_the_placement_and_its_override(hub: Hub) -> None:
    _placed_with_override(hub)
    assert invoke("fleet", "placement", "delete", "llm", "-y").exit_code == 0
    assert hub.cluster.get("placement.kubernetes-fleet.io/v1", CRP, None, "llm") is None
    assert hub.cluster.get("placement.kubernetes-fleet.io/v1", "ClusterResourceOverride", None, "llm-override") is None


def test_namespaced_resource_placement(hub: Hub) -> None:
    _place("cfg", "-n", "llm", "--select", "configmap/model-config", "--pick-fixed", "canary")
    hub.settle()
    status = json.loads(invoke("fleet", "placement", "status", "cfg", "-n", "llm", "-o", "json").stdout)
    assert status["placement"]["kind"] == "ResourcePlacement"
    assert [c["cluster"] for c in status["clusters"]] == ["canary"]


def test_client_dry_run_prints_the_manifests_without_a_cluster(hub: Hub) -> None:
    before = len(hub.emu.request_log)
    result = invoke("fleet", "place", "llm", "--select", "namespace/llm", "--pick-n", "2", "--dry-run", "client")
    assert result.exit_code == 0, result
    assert "kind: ClusterResourcePlacement" in result.stdout
    assert "numberOfClusters: 2" in result.stdout
    assert len(hub.emu.request_log) == before


def test_bad_input_is_one_clear_line_and_a_hint(hub: Hub) -> None:
    result = invoke("fleet", "place", "llm", "--select", "widget/w1")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: invalid --select 'widget/w1'")
    assert "hint:" in result.stderr
    assert "Traceback" not in result.stderr


def test_status_of_a_missing_placement_is_not_found(hub: Hub) -> None:
    result = invoke("fleet", "placement", "status", "nope")
    assert result.exit_code == 3
    assert "akscli fleet placement list" in result.stderr


def test_list_all_namespaces_shows_cluster_and_namespaced_placements(hub: Hub) -> None:
    _place("llm", "--select", "namespace/llm", "--require-labels", "env=staging")
    _place("cfg", "-n", "llm", "--select", "configmap/model-config", "--pick-fixed", "canary")
    hub.settle()
    assert invoke("fleet", "placement", "list", "-A", "-o", "name").stdout.split() == [
        "clusterresourceplacement.placement.kubernetes-fleet.io/llm",
        "resourceplacement.placement.kubernetes-fleet.io/cfg",
    ]
    table = invoke("fleet", "placement", "list", "-A").stdout.splitlines()
    assert table[0].split()[:2] == ["NAMESPACE", "NAME"]
    # kubectl get -A of a mixed list: the NAMESPACE of a cluster-scoped object is left empty
    assert table[1].split()[0] == "llm" and table[1].startswith(" ")
    assert table[2].split()[:2] == ["llm", "cfg"]
    # without -A: the ClusterResourcePlacements, as before; -n: that namespace's ResourcePlacements
    assert invoke("fleet", "placement", "list", "-o", "name").stdout.split() == [
        "clusterresourceplacement.placement.kubernetes-fleet.io/llm"
    ]
    assert invoke("fleet", "placement", "list", "-n", "llm", "-o", "name").stdout.split() == [
        "resourceplacement.placement.kubernetes-fleet.io/cfg"
    ]


def test_a_placement_webhook_denial_is_a_usage_error_not_a_permission_problem(hub: Hub, tmp_path: Path) -> None:
    # KubeFleet's placement webhook lets tolerations only be added (pkg/utils/validator/placement.go,
    # IsTolerationsUpdatedOrDeleted) and denies with controller-runtime's admission.Denied, 403
    # Forbidden (pkg/webhook/admission/response.go): the object is wrong, not the credentials.
    # `fleet place` now refuses this before sending; a plain apply of the same change reaches the hub.
    _place("llm", "--select", "namespace/llm", "--tolerate", "maintenance=true")
    hub.settle()
    crp = hub.get("ClusterResourcePlacement", "llm")
    manifest = {
        "apiVersion": crp["apiVersion"],
        "kind": crp["kind"],
        "metadata": {"name": "llm"},
        "spec": {**crp["spec"], "policy": {"placementType": "PickAll"}},
    }
    path = tmp_path / "crp.yaml"
    path.write_text(json.dumps(manifest))
    result = invoke("apply", "-f", str(path), "-y")
    assert result.exit_code == 2, result
    assert 'admission webhook "fleet.clusterresourceplacementv1beta1.validating" denied the request' in result.stderr
    assert "only additions to tolerations are allowed" in result.stderr
    assert "RBAC" not in result.stderr and "sign in" not in result.stderr


# Changes the hub refuses in place (kubefleet-dev/kubefleet e160c1cd apis/placement/v1 CEL
# "cannot change rollout strategy type from 'External' to other types"; the placement webhook's
# IsTolerationsUpdatedOrDeleted): akscli says so before sending, and --recreate deletes the
# placement and creates it again, as model deploy does for a placement type change.

PLACE = ("fleet", "place", "llm", "--select", "namespace/llm")


def test_place_back_from_external_to_rolling_needs_recreate(hub: Hub) -> None:
    assert invoke(*PLACE, "--external", "-y").exit_code == 0
    hub.settle()
    result = invoke(*PLACE, "-y")
    assert result.exit_code == 2, result
    assert "spec.strategy.type: External -> RollingUpdate (it cannot change back from External)" in result.stderr
    assert "--recreate" in result.stderr
    again = invoke(*PLACE, "--recreate", "-y")
    assert again.exit_code == 0, again
    assert (hub.get("ClusterResourcePlacement", "llm")["spec"].get("strategy") or {}).get("type") != "External"


def test_place_that_drops_a_toleration_needs_recreate(hub: Hub) -> None:
    assert invoke(*PLACE, "--tolerate", "maintenance", "-y").exit_code == 0
    hub.settle()
    result = invoke(*PLACE, "-y")
    assert result.exit_code == 2, result
    assert "spec.policy.tolerations: removes" in result.stderr
    assert "(entries can only be added)" in result.stderr
    again = invoke(*PLACE, "--recreate", "-y")
    assert again.exit_code == 0, again
    assert not (hub.get("ClusterResourcePlacement", "llm")["spec"].get("policy") or {}).get("tolerations")


def test_place_that_changes_the_placement_type_needs_recreate(hub: Hub) -> None:
    assert invoke(*PLACE, "-y").exit_code == 0
    hub.settle()
    result = invoke(*PLACE, "--pick-fixed", "gpu-east", "-y")
    assert result.exit_code == 2, result
    assert "spec.policy.placementType: PickAll -> PickFixed" in result.stderr
    assert invoke(*PLACE, "--pick-fixed", "gpu-east", "--recreate", "-y").exit_code == 0
    assert hub.get("ClusterResourcePlacement", "llm")["spec"]["policy"]["placementType"] == "PickFixed"


def test_status_and_which_name_their_objects_as_kubectl_does(hub: Hub) -> None:
    # kubectl's name printer (k8s.io/cli-runtime pkg/printers/name.go): kind.group/NAME for CRDs.
    assert invoke(*PLACE, "--pick-fixed", "gpu-east", "-y").exit_code == 0
    hub.settle()
    status = invoke("fleet", "placement", "status", "llm", "-o", "name")
    assert status.stdout.split() == ["membercluster.cluster.kubernetes-fleet.io/gpu-east"], status
    which = invoke("fleet", "placement", "which", "namespace/llm", "-o", "name")
    assert set(which.stdout.split()) == {"clusterresourceplacement.placement.kubernetes-fleet.io/llm"}, which


def test_place_warns_when_a_named_object_is_not_on_the_hub(hub: Hub) -> None:
    # KubeFleet ignores a missing named object (resource_selector.go IgnoreNotFound): the placement
    # becomes Available on every member with nothing on it, so a misspelt name needs a word
    result = invoke("fleet", "place", "typo", "--select", "namespace/lmm", "-y")
    assert result.exit_code == 0, result
    assert "warning: placement typo: namespace/lmm does not exist on the hub" in result.stderr
    present = invoke("fleet", "place", "team", "--select", "namespace/llm", "-y")
    assert present.exit_code == 0, present
    assert "does not exist" not in present.stderr


def test_list_all_namespaces_on_a_hub_without_resource_placement_lists_the_cluster_kind(hub: Hub) -> None:
    # KubeFleet before v0.3.0 served ResourcePlacement in v1beta1 only (kubefleet-dev/kubefleet
    # v0.2.2 config/crd/bases/placement.kubernetes-fleet.io_resourceplacements.yaml).
    _place("llm", "--select", "namespace/llm", "--require-labels", "env=staging")
    hub.settle()
    hub.cluster.delete(
        "apiextensions.k8s.io/v1", "CustomResourceDefinition", None, "resourceplacements.placement.kubernetes-fleet.io"
    )
    result = invoke("fleet", "placement", "list", "-A", "-o", "name")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.split() == ["clusterresourceplacement.placement.kubernetes-fleet.io/llm"]
    assert result.stderr.count("\n") == 1
    assert "does not serve placement.kubernetes-fleet.io/v1 ResourcePlacement" in result.stderr
