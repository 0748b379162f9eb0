"""The default chain's credential that reached no Entra host (refused, no such host) said
`environment (service principal) was found but Entra ID refused it: ... Failed to resolve ...`
with the hint to set the variables that were set. It now says the host could not be reached, as
an explicit --auth does (azure/identity.py _unreachable): Entra refused nothing."""

from __future__ import annotations

from tests.azure.test_token_authority import REFUSED
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator


def test_an_unreachable_sign_in_host_of_the_default_chain_is_not_called_a_refusal(azure_env: ArmEmulator) -> None:
    r = invoke("cluster", "list", env={"AZURE_AUTHORITY_HOST": REFUSED})
    assert r.exit_code == 6, r
    assert r.stderr.splitlines() == [
        f"error: environment (service principal) could not get a token: cannot reach {REFUSED}: "
        "the connection was refused",
        "hint: check the network or proxy (HTTPS_PROXY) and AZURE_AUTHORITY_HOST",
    ]


def test_akscli_token_names_the_host_it_tried_and_its_flag(azure_env: ArmEmulator) -> None:
    # kubelogin's default mode does not read AZURE_AUTHORITY_HOST: --authority-host sets the host.
    r = invoke("token", "--server-id", "x", "--authority-host", REFUSED + "/")
    assert r.exit_code == 6, r
    assert r.stderr.splitlines() == [
        f"error: environment (service principal) could not get a token: cannot reach {REFUSED}: "
        "the connection was refused",
        "hint: check the network or proxy (HTTPS_PROXY) and --authority-host (or --environment)",
    ]
