"""`policy check --context -o sarif` carries the cluster's Gatekeeper constraints as results (SARIF
2.1.0: oasis-tcs/sarif-spec Schemata/sarif-schema-2.1.0.json): one rule ``gatekeeper/<kind>/<name>``
per constraint, one result per object it selects, at the object's line, with the level of the
webhook's action (akscli.policy.cluster_results). The constraint is Azure/azure-policy
built-in-references/Kubernetes/container-no-privilege/constraint.yaml's (test_policy_gatekeeper)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.ops.test_policy_apply import manifest, web
from tests.ops.test_policy_gatekeeper import add, check, pods_in

RULE = "gatekeeper/K8sAzureContainerNoPrivilege/pods-default"
CONFIG = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg", "namespace": "default"}, "data": {}}


def sarif(tmp_path: Path, *objects: dict[str, Any]) -> dict[str, Any]:
    result = check(tmp_path, *objects, extra=("-o", "sarif"))
    assert result.exit_code == 0, result  # constraint results never fail the check
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def gatekeeper_results(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in doc["runs"][0]["results"] if r["ruleId"].startswith("gatekeeper/")]


def test_a_deny_constraint_is_an_error_result_at_the_line_of_the_object_it_selects(
    kubeconfig: Path, kube_emulator: Any, tmp_path: Path
) -> None:
    add(kube_emulator, pods_in("default"))
    doc = sarif(tmp_path, CONFIG, web())  # the Deployment is the second document
    (found,) = gatekeeper_results(doc)
    assert (found["ruleId"], found["level"]) == (RULE, "error")
    physical = found["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"].endswith("stack.yaml")
    lines = Path(manifest(tmp_path, CONFIG, web())).read_text().splitlines()
    assert lines[physical["region"]["startLine"] - 1] == "apiVersion: apps/v1"
    assert found["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == "Deployment default/web"
    assert "selects deployment.apps/web (its pods)" in found["message"]["text"]
    rules = doc["runs"][0]["tool"]["driver"]["rules"]
    assert rules[found["ruleIndex"]]["id"] == RULE
    assert rules[found["ruleIndex"]]["defaultConfiguration"] == {"level": "error"}


def test_a_warn_constraint_is_a_warning_and_a_dryrun_one_a_note(
    kubeconfig: Path, kube_emulator: Any, tmp_path: Path
) -> None:
    warn = pods_in("default", action="warn")
    dryrun = pods_in("default", action="dryrun")
    dryrun["metadata"]["name"] = "audit-only"
    add(kube_emulator, warn, dryrun)
    levels = {r["ruleId"]: r["level"] for r in gatekeeper_results(sarif(tmp_path, web()))}
    assert levels == {RULE: "warning", "gatekeeper/K8sAzureContainerNoPrivilege/audit-only": "note"}


def test_a_constraint_that_selects_nothing_is_no_result(kubeconfig: Path, kube_emulator: Any, tmp_path: Path) -> None:
    add(kube_emulator, pods_in("models"))
    doc = sarif(tmp_path, web())
    assert gatekeeper_results(doc) == []
    assert not [r for r in doc["runs"][0]["tool"]["driver"]["rules"] if r["id"].startswith("gatekeeper/")]
