"""A wait on an ARM long-running operation that akscli cuts (Ctrl-C, --timeout) leaves the
operation running in Azure: the client only stops polling (Azure/azure-resource-manager-rpc 69e229f
v1.0/async-api-reference.md: the operation resource is the provider's, a client polls it). So the
audit line says the write was sent and goes on, with the operation's URL (no token), and the last
line gives the command that follows it. The emulator holds an operation running with ``lro_polls``
(the polls it answers InProgress before it ends)."""

from __future__ import annotations

import json
import signal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from akscli.azure import arm
from tests.azure.helpers import RG, cluster_id, record_pauses, seed_cluster
from tests.cli import interrupt, invoke
from tests.emulators.arm import ArmEmulator

HELD = 10**9  # polls: the operation never ends while the test runs


def _audit(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_ctrl_c_during_a_cluster_create_says_it_continues_and_audits_the_operation(
    azure_env: ArmEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    azure_env.lro_polls = HELD
    monkeypatch.setenv("AKSCLI_LRO_POLL_INTERVAL", "0.2")
    log = tmp_path / "audit.jsonl"
    code, err = interrupt(
        ("cluster", "create", "ml", "-g", RG, "--audit-log", str(log)), lambda line: "InProgress" in line
    )
    assert code == 130, err
    last = err.strip().splitlines()[-1]
    follow = f"akscli cluster wait ml -g {RG}"
    assert last == f"interrupted: create cluster ml continues in Azure; follow it with: {follow}"
    (entry,) = _audit(log)
    assert entry["action"] == "cluster create"
    assert entry["result"] == last
    (obj,) = entry["objects"]
    assert obj["action"] == "create cluster ml"
    assert obj["operation"].startswith(f"{azure_env.url}/subscriptions/")
    assert "/operations/" in obj["operation"] and obj["operation"].endswith("?api-version=2026-08-01")
    # Azure goes on: the cluster is still being created.
    assert azure_env.get_resource(cluster_id("ml"))["properties"]["provisioningState"] == "Creating"


def test_a_cluster_create_past_its_timeout_exits_5_naming_the_operation_and_how_to_follow_it(
    azure_env: ArmEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    azure_env.lro_polls = HELD
    monkeypatch.setenv("AKSCLI_LRO_POLL_INTERVAL", "0.2")
    log = tmp_path / "audit.jsonl"
    r = invoke("cluster", "create", "ml", "-g", RG, "--timeout", "1s", "--audit-log", str(log))
    assert r.exit_code == 5, r
    assert (
        "error: create cluster ml is still running in Azure (InProgress) after 1s: akscli stopped waiting, "
        "the operation continues" in r.stderr
    )
    assert f"follow it with 'akscli cluster wait ml -g {RG}'; nothing was rolled back" in r.stderr
    (entry,) = _audit(log)
    assert (
        entry["result"]
        == f"timed out: create cluster ml continues in Azure; follow it with: akscli cluster wait ml -g {RG}"
    )
    assert "/operations/" in entry["objects"][0]["operation"]
    assert azure_env.get_resource(cluster_id("ml"))["properties"]["provisioningState"] == "Creating"


def test_a_nodepool_scale_past_its_timeout_names_the_show_that_follows_it(
    azure_env: ArmEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_cluster(azure_env)
    azure_env.lro_polls = HELD
    monkeypatch.setenv("AKSCLI_LRO_POLL_INTERVAL", "0.2")
    r = invoke("nodepool", "scale", "system", "-c", "aks1", "-g", RG, "--count", "4", "--timeout", "1s")
    assert r.exit_code == 5, r
    assert "scale node pool system is still running in Azure" in r.stderr
    assert f"follow it with 'akscli nodepool show system --cluster aks1 -g {RG}'" in r.stderr


def test_timeout_is_an_arm_pools_flag_not_an_auto_provision_one(azure_env: ArmEmulator) -> None:
    r = invoke("nodepool", "add", "gpu", "--auto-provision", "--gpu", "a100", "--timeout", "5m")
    assert r.exit_code == 2, r
    assert "--timeout applies to ARM node pools, not to --auto-provision" in r.stderr


def test_a_poll_without_retry_after_waits_the_interval_with_jitter_never_less(
    azure_env: ArmEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    from akscli.azure import armretry, clusters

    waited: list[float] = []
    record_pauses(monkeypatch, waited.append)
    monkeypatch.setattr(armretry, "uniform", lambda low, high: high - 0.05 if low == 1.0 else low)
    monkeypatch.setenv("AKSCLI_LRO_POLL_INTERVAL", "60")
    seed_cluster(azure_env)
    azure_env.lro_polls = 2
    c = clusters.client(arm.AzureTarget())
    arm.wait_lro(clusters.begin_stop(c, RG, "aks1"), "stop aks1")
    assert waited and waited == pytest.approx([60 * 1.25] * len(waited))


def test_a_retry_after_within_the_rpcs_ten_minutes_is_waited_as_asked(
    azure_env: ArmEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    from akscli.azure import clusters

    waited: list[float] = []
    record_pauses(monkeypatch, waited.append)
    seed_cluster(azure_env)
    azure_env.lro_polls = 2
    azure_env.retry_after = 300  # the RPC allows 10 s to 10 min
    c = clusters.client(arm.AzureTarget())
    arm.wait_lro(clusters.begin_stop(c, RG, "aks1"), "stop aks1")
    assert waited and set(waited) == {300.0}


def test_the_operation_url_keeps_only_its_api_version() -> None:
    # A provider makes the URL; ARM signs some with query parameters, which are tokens.
    url = (
        "https://management.azure.com/subscriptions/s/providers/Microsoft.ContainerService/locations/eastus/"
        "operations/8d2c?api-version=2026-08-01&t=638677&c=MIIHsecret&s=sig&h=hash"
    )
    response = SimpleNamespace(http_response=SimpleNamespace(headers={"Azure-AsyncOperation": url}))
    poller = SimpleNamespace(polling_method=lambda: SimpleNamespace(_initial_response=response))
    assert arm.operation_url(poller) == (
        "https://management.azure.com/subscriptions/s/providers/Microsoft.ContainerService/locations/eastus/"
        "operations/8d2c?api-version=2026-08-01"
    )


def test_sigterm_during_a_cluster_create_is_audited_as_ctrl_c_is(
    azure_env: ArmEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A CI job cancelled: the runner sends SIGTERM, and the operation goes on in Azure all the same.
    azure_env.lro_polls = HELD
    monkeypatch.setenv("AKSCLI_LRO_POLL_INTERVAL", "0.2")
    log = tmp_path / "audit.jsonl"
    args = ("cluster", "create", "ml", "-g", RG, "--audit-log", str(log))
    code, err = interrupt(args, lambda line: "InProgress" in line, signal.SIGTERM)
    assert code == 130, err
    (entry,) = _audit(log)
    assert (
        entry["result"]
        == f"interrupted: create cluster ml continues in Azure; follow it with: akscli cluster wait ml -g {RG}"
    )


@pytest.fixture
def silent_polls(azure_env: ArmEmulator) -> Any:
    """Every poll of an operation is taken and not answered (a silent ARM front end) until the
    test ends; the write itself is answered."""
    import threading

    release = threading.Event()

    def hold(*_: Any) -> tuple[int, dict[str, Any]]:
        release.wait(30)
        return 503, {"error": {"code": "ServiceUnavailable", "message": "held"}}

    azure_env.register_route("GET", r"/locations/[^/]+/(operations|operationresults)/", hold)
    yield azure_env
    release.set()


@pytest.mark.parametrize(
    ("command", "what", "follow"),
    [
        (("cluster", "delete", "aks1"), "delete cluster aks1", f"akscli cluster wait aks1 -g {RG} --deleted"),
        (
            ("nodepool", "add", "work", "-c", "aks1", "--vm-size", "Standard_D8ds_v5", "--wait"),
            "add node pool work",
            f"akscli nodepool show work --cluster aks1 -g {RG}",
        ),
    ],
)
def test_a_wait_whose_polls_are_never_answered_stops_at_its_timeout_naming_the_operation(
    silent_polls: ArmEmulator, monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...], what: str, follow: str
) -> None:
    # arm.wait_lro waits on the poller for at most what is left of --timeout, not on a poll request
    # (whose read timeout is armretry.READ_TIMEOUT_S, 300 s): the line comes at --timeout.
    seed_cluster(silent_polls)
    monkeypatch.setenv("AKSCLI_LRO_POLL_INTERVAL", "0.2")
    r = invoke(*command, "-g", RG, "-y", "--timeout", "1s")
    assert r.exit_code == 5, r
    lines = r.stderr.strip().splitlines()
    assert lines[-2].startswith(f"error: {what} is still running in Azure (") and lines[-2].endswith(
        "after 1s: akscli stopped waiting, the operation continues"
    )
    assert lines[-1] == f"hint: follow it with '{follow}'; nothing was rolled back"
