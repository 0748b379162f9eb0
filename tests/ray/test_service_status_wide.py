"""``ray service status -o wide`` is the report with more in it, as kubectl's wide printers add
columns to the default ones (and as ``ray cluster status -o wide`` is): the same rows, then the
creation time, the upgrade strategy, each Serve deployment's status under its application
(ray-project/kuberay v1.7.0 ray-operator/apis/ray/v1/rayservice_types.go AppStatus
serveDeploymentStatuses) and the conditions other than Ready. Not a copy of the table."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from akscli import ray
from tests.cli import invoke
from tests.ray.test_kuberay_service_replacement import _serve_file
from tests.ray.test_status_wide import keys

WIDE_ONLY = ("created", "upgradeStrategy")


def test_wide_service_status_is_the_report_with_deployments_conditions_and_strategy(
    ray_emulator: Callable[..., Any], tmp_path: Path
) -> None:
    ray_emulator()
    serve = _serve_file(tmp_path)
    deployed = invoke("ray", "service", "deploy", "llm", "-f", str(serve), "-y", "--wait", "--timeout", "20s")
    assert deployed.exit_code == 0, deployed
    table = invoke("ray", "service", "status", "llm")
    wide = invoke("ray", "service", "status", "llm", "-o", "wide")
    assert wide.exit_code == 0, wide
    added = [k for k in keys(wide.stdout) if k not in keys(table.stdout)]
    assert [k for k in keys(wide.stdout) if k not in added] == keys(table.stdout)
    assert added[:2] == list(WIDE_ONLY), added
    assert any(k.startswith("app ") and " deployment " in k for k in added), wide.stdout
    assert "condition UpgradeInProgress" in added, wide.stdout
    assert "condition Ready" not in added  # the ready, reason and message rows say it
    assert "\nupgradeStrategy:" in wide.stdout and "NewCluster" in wide.stdout


def _service(**spec: Any) -> dict[str, Any]:
    app = {
        "status": "DEPLOYING",
        "serveDeploymentStatuses": {
            "Llm": {"status": "UNHEALTHY", "message": "replica failed its health check"},
            "Router": {"status": "HEALTHY"},
        },
    }
    return {
        "apiVersion": "ray.io/v1",
        "kind": "RayService",
        "metadata": {"name": "llm", "namespace": "default", "creationTimestamp": "2026-01-01T00:00:00Z"},
        "spec": spec,
        "status": {"activeServiceStatus": {"rayClusterName": "llm-a", "applicationStatuses": {"chat": app}}},
    }


def test_wide_rows_name_each_deployment_with_its_message_under_its_application() -> None:
    summary = ray.service_summary(_service(), [])
    rows = dict(ray.service_summary_fields(summary, [], wide=True))
    assert rows["app chat deployment Llm"] == "UNHEALTHY: replica failed its health check"
    assert rows["app chat deployment Router"] == "HEALTHY"
    assert "app chat deployment Llm" not in dict(ray.service_summary_fields(summary, []))
    assert summary["applications"]["chat"]["deployments"]["Router"] == {"status": "HEALTHY", "message": None}


def test_wide_upgrade_strategy_is_the_one_set_or_says_it_is_kuberays_default() -> None:
    none = ray.service_summary(_service(upgradeStrategy={"type": "None"}), [])
    assert dict(ray.service_summary_fields(none, [], wide=True))["upgradeStrategy"] == "None"
    unset = ray.service_summary(_service(), [])
    assert unset["upgradeStrategy"] is None  # -o json: what the object holds
    shown = dict(ray.service_summary_fields(unset, [], wide=True))["upgradeStrategy"]
    assert shown == "not set (NewCluster, unless the operator runs with ENABLE_ZERO_DOWNTIME=false)"
