"""TAB on a cluster, node pool or fleet NAME (`cluster show <TAB>`, `nodepool scale --cluster <TAB>`,
`fleet show <TAB>`) offers the names Azure Resource Manager lists, as az completes `az aks show -n
<TAB>` (Azure/azure-cli src/azure-cli-core/azure/cli/core/commands/parameters.py
get_resource_name_completion_list: the resource group's when -g was given, else the subscription's),
through the `__complete` protocol the shell scripts call (cli/complete.py protocol_lines; the names:
cli/complete_arm.py). A <TAB>
never signs in interactively, says nothing when Azure cannot be read, and waits at most
complete_arm.ARM_TIMEOUT_S for it."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from akscli.cli import complete_arm
from akscli.cli.complete import protocol_lines
from akscli.cli.main import root_command
from tests.azure.helpers import RG, seed_cluster
from tests.emulators.arm import ArmEmulator
from tests.fleet import armworld


def _offered(*words: str) -> list[str]:
    return [line.split("\t")[0] for line in protocol_lines(["__complete", *words], root_command)[:-1]]


def _arm_reads(emu: ArmEmulator) -> list[Any]:
    return [e for e in emu.request_log if "/subscriptions/" in e.path]


def test_a_cluster_name_completes_from_arm(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env, "ml-east")
    seed_cluster(azure_env, "ml-west")
    seed_cluster(azure_env, "web", rg="rg-web")
    assert _offered("cluster", "show", "") == ["ml-east", "ml-west", "web"]
    assert _offered("cluster", "upgrade", "ml-w") == ["ml-west"]


def test_a_cluster_name_completes_from_the_resource_group_given_with_g(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env, "ml-east")
    seed_cluster(azure_env, "web", rg="rg-web")
    assert _offered("cluster", "show", "-g", "rg-web", "") == ["web"]


def test_a_cluster_line_shows_the_resource_group_to_give_with_it(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env, "ml-east")
    assert protocol_lines(["__complete", "cluster", "show", ""], root_command) == [f"ml-east\t-g {RG}", ":4"]


def test_the_name_of_a_cluster_to_create_reads_nothing(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env, "ml-east")
    before = len(_arm_reads(azure_env))
    assert _offered("cluster", "create", "") == []
    assert _offered("nodepool", "add", "-g", RG, "--cluster", "ml-east", "") == []
    assert len(_arm_reads(azure_env)) == before


def test_nodepool_cluster_flag_completes_cluster_names(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env, "ml-east")
    assert _offered("nodepool", "scale", "--cluster", "") == ["ml-east"]
    assert _offered("nodepool", "list", "-c", "ml") == ["ml-east"]


def test_a_pool_name_completes_from_the_cluster_given(azure_env: ArmEmulator) -> None:
    gpu = {"name": "gpu", "mode": "User", "count": 1, "vmSize": "Standard_NC24ads_A100_v4"}
    seed_cluster(azure_env, "ml-east", pools=[{"name": "system", "mode": "System", "count": 1}, gpu])
    assert _offered("nodepool", "scale", "-g", RG, "--cluster", "ml-east", "") == ["gpu", "system"]
    lines = protocol_lines(["__complete", "nodepool", "show", "-g", RG, "-c", "ml-east", "g"], root_command)
    assert lines == ["gpu\tStandard_NC24ads_A100_v4", ":4"]


def test_a_pool_name_without_cluster_and_group_reads_nothing(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env, "ml-east")
    before = len(_arm_reads(azure_env))
    assert _offered("nodepool", "scale", "") == []
    assert _offered("nodepool", "scale", "--cluster", "ml-east", "") == []
    assert len(_arm_reads(azure_env)) == before


def test_a_fleet_name_completes_from_arm(azure_env: ArmEmulator) -> None:
    armworld.make_fleet(azure_env)
    assert _offered("fleet", "show", "") == [armworld.FLEET]
    assert _offered("fleet", "member", "list", "--fleet", "ml") == [armworld.FLEET]
    assert _offered("fleet", "show", "-g", RG, "") == []  # rg-ml holds no fleet


def test_a_tab_that_completes_no_arm_name_reads_nothing_from_arm(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env, "ml-east")
    before = len(azure_env.request_log)
    assert "json" in _offered("cluster", "show", "ml-east", "-o", "")
    assert _offered("cluster", "sh") == ["show"]
    assert len(azure_env.request_log) == before  # no token asked for either


@pytest.mark.parametrize("auth", ["devicecode", "interactive"])
def test_a_sign_in_that_would_prompt_is_never_started(azure_env: ArmEmulator, auth: str) -> None:
    seed_cluster(azure_env, "ml-east")
    before = len(azure_env.request_log)
    assert _offered("cluster", "show", "--auth", auth, "") == []
    assert len(azure_env.request_log) == before


def test_no_sign_in_completes_nothing_and_says_nothing(
    azure_env: ArmEmulator, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    seed_cluster(azure_env, "ml-east")
    for name in ("AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_TENANT_ID"):
        monkeypatch.delenv(name)
    assert protocol_lines(["__complete", "cluster", "show", ""], root_command) == [":4"]
    assert capfd.readouterr().err == ""


def test_an_arm_that_does_not_answer_within_the_timeout_completes_nothing(
    azure_env: ArmEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    from akscli.azure import clusters

    held = threading.Event()

    def hanging(_client: Any, _group: str | None) -> Any:
        held.wait(30)
        return iter([{"name": "late"}])

    monkeypatch.setattr(clusters, "list_clusters", hanging)
    monkeypatch.setattr(complete_arm, "ARM_TIMEOUT_S", 0.05)
    try:
        assert _offered("cluster", "show", "") == []
    finally:
        held.set()
