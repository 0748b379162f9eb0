"""`fleet place --recreate` is one audit entry: the placement's deletion first, then the apply that
creates it again (docs/operations.md: every command that changes something appends one line)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli import invoke
from tests.fleet.conftest import Hub

PLACE = ("fleet", "place", "llm", "--select", "namespace/llm")


def test_a_placement_recreate_is_one_audit_entry_with_its_deletion(hub: Hub, tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    assert invoke(*PLACE, "-y", "--audit-log", str(log)).exit_code == 0
    hub.settle()
    result = invoke(*PLACE, "--pick-fixed", "gpu-east", "--recreate", "-y", "--audit-log", str(log))
    assert result.exit_code == 0, result
    entries = [json.loads(line) for line in log.read_text().splitlines()]
    assert len(entries) == 2, entries
    changed = [(o["object"], o["action"]) for o in entries[1]["objects"]]
    placement = "clusterresourceplacement.placement.kubernetes-fleet.io/llm"  # one name for both
    assert changed[0] == (placement, "delete")
    assert (placement, "create") in changed[1:]


def test_a_placement_recreate_the_webhook_refuses_deletes_nothing(hub: Hub) -> None:
    # The server is asked first, with a dry-run create of the new placement (src/akscli/kube/
    # create_check.py); KubeFleet's webhook denies with 403 (upstream: kubefleet-dev/kubefleet
    # e160c1cd pkg/webhook/clusterresourceplacement/v1beta1_clusterresourceplacement_validating_webhook.go).
    assert invoke(*PLACE, "-y").exit_code == 0
    hub.settle()
    crp = "placement.kubernetes-fleet.io/v1beta1"
    old = hub.cluster.get(crp, "ClusterResourcePlacement", None, "llm")["metadata"]["uid"]
    denial = (
        'admission webhook "fleet.clusterresourceplacementv1beta1.validating" denied the request: '
        "the rollout strategy type cannot be changed"
    )
    hub.emu.faults.add(path="/clusterresourceplacements", dry_run=True, status=403, message=denial, count=None)
    result = invoke(*PLACE, "--pick-fixed", "gpu-east", "--recreate", "-y")
    assert result.exit_code == 2, result
    said = "clusterresourceplacement.placement.kubernetes-fleet.io/llm would be refused when created again"
    assert said in result.stderr and "nothing was deleted" in result.stderr
    assert hub.cluster.get(crp, "ClusterResourcePlacement", None, "llm")["metadata"]["uid"] == old


def test_a_placement_recreate_the_policy_check_refuses_deletes_nothing(hub: Hub, tmp_path: Path) -> None:
    # No built-in rule reads a placement (policy/rules.py checks pod templates, Services and
    # serving kinds), but the policy check itself refuses a bad --policy-file: it runs before the
    # deletion, as model deploy's does (cli/model_rollout.py), so nothing is half-applied.
    assert invoke(*PLACE, "-y").exit_code == 0
    hub.settle()
    crp = "placement.kubernetes-fleet.io/v1beta1"
    old = hub.cluster.get(crp, "ClusterResourcePlacement", None, "llm")["metadata"]["uid"]
    bad = tmp_path / "policy.yaml"
    bad.write_text("nope: 1\n")
    result = invoke(*PLACE, "--pick-fixed", "gpu-east", "--recreate", "-y", "--policy-file", str(bad))
    assert result.exit_code == 2, result
    assert "unknown keys" in result.stderr and "deleted" not in result.stdout, result
    assert hub.cluster.get(crp, "ClusterResourcePlacement", None, "llm")["metadata"]["uid"] == old
