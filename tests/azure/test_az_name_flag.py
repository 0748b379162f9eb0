"""az names the resource with -n/--name (Azure/azure-cli 00217f51
src/azure-cli-core/azure/cli/core/commands/parameters.py name_type: ('--name', '-n')); akscli's
is a positional NAME and -n the namespace, as in kubectl. `cluster show -n ml -g rg` is one usage
line that says so, with the line written akscli's way as the hint, and nothing sent."""

from __future__ import annotations

from tests.azure.helpers import RG, seed_cluster
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator


def test_az_s_n_for_the_name_is_refused_with_the_line_written_akscli_s_way(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    r = invoke("cluster", "show", "-n", "aks1", "-g", RG)
    assert r.exit_code == 2, r
    assert r.stderr.splitlines() == [
        "error: 'akscli cluster show' takes the name as its argument, not -n (az's flag; in akscli, as in "
        "kubectl, -n is the namespace)",
        f"hint: akscli cluster show aks1 -g {RG}",
    ]
    assert azure_env.requests_to("/managedClusters/aks1") == []


def test_az_s_name_with_equals_gets_the_same_answer() -> None:
    r = invoke("nodepool", "scale", "--cluster", "aks1", "-g", "rg", "--name=gpu", "--count", "2")
    assert r.exit_code == 2, r
    assert r.stderr.splitlines()[1] == "hint: akscli nodepool scale gpu --cluster aks1 -g rg --count 2"


def test_n_beside_a_name_given_as_the_argument_stays_click_s_error() -> None:
    r = invoke("cluster", "show", "aks1", "-n", "x", "-g", "rg")
    assert r.exit_code == 2, r
    assert r.stderr.splitlines()[0] == "error: No such option: -n"


def test_az_s_n_joined_to_its_value_gets_the_same_answer() -> None:
    r = invoke("cluster", "show", "-naks1", "-g", "rg")
    assert r.exit_code == 2, r
    assert r.stderr.splitlines()[1] == "hint: akscli cluster show aks1 -g rg"
