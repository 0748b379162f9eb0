"""The words a user reads on the way through the journeys (audit 20, journeys3): a value echoed as
typed, a range said once, a hint that names the command that lists what exists, a --no-wait line
that says what Azure did, doctor's summary that keeps a component with a gap out of "found", and
kubectl's line for an empty list of Azure resources."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.azure.helpers import RG
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator
from tests.emulators.kube import profiles


def test_a_whole_number_given_to_a_float_flag_is_echoed_as_typed() -> None:
    result = invoke("model", "plan", "phi-4", "--budget", "-5")
    assert result.exit_code == 2, result
    assert "invalid --budget '-5': it must be between 1 and 100000000" in result.stderr
    assert "-5.0" not in result.stderr


def test_a_value_out_of_range_hints_the_nearest_accepted_value_not_the_range_again() -> None:
    result = invoke("model", "plan", "phi-4", "--budget", "-5")
    assert result.stderr.count("between 1 and 100000000") == 1, result.stderr
    assert "hint: the nearest value accepted is 1" in result.stderr


def test_an_out_of_range_revision_says_the_range_once_and_how_to_list_the_revisions() -> None:
    result = invoke("model", "rollback", "phi-4", "--to-revision", "0", "-n", "ml")
    assert result.exit_code == 2, result
    assert result.stderr.count("between 1 and 1000000") == 1, result.stderr
    assert "hint: list the revisions: akscli model history phi-4 -n ml" in result.stderr


@pytest.mark.parametrize(
    ("status", "line"),
    [
        ("Succeeded", "add node pool gpu: done (Azure finished it before --no-wait returned)"),
        ("InProgress", "add node pool gpu: accepted by Azure, in progress (InProgress); check on it with: SHOW"),
        ("Failed", "add node pool gpu: Azure accepted it, then it failed; see it with: SHOW"),
    ],
)
def test_no_wait_says_what_azure_did_by_the_time_it_returned(status: str, line: str) -> None:
    from akscli.cli.azopts import no_wait_line

    assert no_wait_line("add node pool gpu", status, "SHOW") == line


@pytest.fixture
def kube_emulator(kube_emulator_factory: Callable[..., Any]) -> Any:
    return kube_emulator_factory(crd_dirs=[])  # serves only what the test installs


def test_doctor_does_not_call_a_component_with_a_gap_found(kube_emulator: Any, kubeconfig: Any) -> None:
    # KubeRay's CRDs are served but no operator pod runs: doctor's table says the pod is
    # missing and the error names kuberay as blocking, so "found: kuberay" contradicted both.
    profiles.kaito_addon(kube_emulator)
    profiles.install_crds(kube_emulator, "kuberay")
    result = invoke("doctor")
    found = next(line for line in result.stderr.splitlines() if line.startswith("found: "))
    assert "kaito" in found and "kuberay" not in found
    assert "found, with gaps: kuberay (see FIX)" in result.stderr


@pytest.mark.parametrize("command", [("cluster", "list"), ("baremetal", "cluster", "list")])
def test_an_empty_azure_list_says_kubectls_no_resources_found(azure_env: ArmEmulator, command: tuple[str, ...]) -> None:
    result = invoke(*command, "-g", RG)
    assert result.exit_code == 0, result
    assert result.stdout == ""
    assert result.stderr.strip() == "No resources found."
