"""Bad input to ``akscli fleet`` is refused with one line and a hint, before anything is changed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from akscli.fleet.placement_which import ObjectRef, parse_object_ref
from tests.cli import invoke

ARM = ["--fleet", "ml-fleet", "-g", "rg-fleet"]


def test_which_names_the_object_argument_when_its_kind_is_unknown() -> None:
    result = invoke("fleet", "placement", "which", "foo")
    assert result.exit_code == 2, result
    assert "invalid object 'foo'" in result.stderr
    assert "--select" not in result.stderr.splitlines()[0]


def test_which_of_a_namespace_ignores_the_namespace_flag() -> None:
    assert parse_object_ref("namespace/team-a", "llm") == ObjectRef("", "Namespace", "team-a", None)


def test_drain_refuses_a_zero_timeout_before_reaching_the_hub(tmp_path: Path) -> None:
    result = invoke("fleet", "member", "drain", "m1", "--timeout", "0s", env={"KUBECONFIG": str(tmp_path / "missing")})
    assert result.exit_code == 2, result
    assert "--timeout must be positive" in result.stderr


def test_an_upgrade_run_with_a_bad_upgrade_type_is_refused_before_choosing_a_subscription(tmp_path: Path) -> None:
    env = {"AZURE_SUBSCRIPTION_ID": None, "AZURE_CONFIG_DIR": str(tmp_path)}
    result = invoke("fleet", "rollout", "create", "up-1", *ARM, "--upgrade-type", "Bad", env=env)
    assert result.exit_code == 2, result
    assert "--upgrade-type" in result.stderr


def test_an_arm_strategy_refuses_a_server_dry_run_and_creates_nothing(azure_env: Any) -> None:
    result = invoke(
        "fleet", "rollout", "strategy", "create", "two-step", "--stage", "s1;groups=cloud", *ARM, "--dry-run", "server"
    )
    assert result.exit_code == 2, result
    assert "no server-side dry run" in result.stderr
    assert azure_env.requests_to("updateStrategies") == []


def test_an_arm_update_run_refuses_an_unknown_dry_run_mode(azure_env: Any) -> None:
    result = invoke("fleet", "rollout", "create", "up-1", *ARM, "--upgrade-type", "NodeImageOnly", "--dry-run", "maybe")
    assert result.exit_code == 2, result
    assert azure_env.requests_to("updateRuns") == []


def test_fleet_create_refuses_an_unknown_output_format_before_creating(azure_env: Any) -> None:
    result = invoke("fleet", "create", "ml-fleet", "-g", "rg-fleet", "-o", "bogus")
    assert result.exit_code == 2, result
    assert azure_env.requests_to("fleets/ml-fleet", method="PUT") == []


def test_place_refuses_a_resource_property_of_an_unknown_capacity_type_before_reaching_the_hub(tmp_path: Path) -> None:
    # kubefleet-dev/kubefleet e160c1cd pkg/utils/validator/placement.go validateName: the webhook
    # would deny it; akscli says so offline, in one line.
    result = invoke(
        "fleet", "place", "p1", "--select", "namespace/llm",
        "--require-property", "resources.kubernetes-fleet.io/free-cpu>=4",
        env={"KUBECONFIG": str(tmp_path / "missing")},
    )  # fmt: skip
    assert result.exit_code == 2, result
    assert "CAPACITY one of allocatable, available, total" in result.stderr
    assert "Traceback" not in result.stderr
