"""The azure-mgmt-containerservice pin, the api-version akscli names and the SDK's models (audit 38).

akscli builds its AKS client with ``api_version=clusters.API_VERSION`` (azure/clusters.py ``client``),
so what it sends is that version whatever SDK is installed. The SDK still matters: its models are
generated for one api-version, its default (``_configuration.py``), and akscli serializes read,
change, PUT-back bodies with them (``clusters.put_back``) while the ARM emulator checks every body
against the same installed models (tests/emulators/arm/schema.py). So the installed SDK's default must
be the version akscli names, and one the emulator answers; and the pin in pyproject.toml must admit no
release whose default is a version nobody read, because CI installs the newest release the pin
allows while a developer's venv may still hold an older one (audit 37: 41.9.0 reached the index,
local runs on 41.8.0 passed, CI's fresh install failed).

The defaults of the releases read (upstream: Azure/azure-sdk-for-python
sdk/containerservice/azure-mgmt-containerservice, each wheel as published on the package index,
``azure/mgmt/containerservice/_configuration.py`` ``kwargs.pop("api_version", ...)``):
41.8.0 sends 2026-08-01; 41.9.0 (2026-11-11) sends 2026-09-01, whose spec (Azure/azure-rest-api-specs
specification/containerservice/resource-manager/Microsoft.ContainerService/aks/stable/2026-09-01)
no source here holds (docs/changes/audit38-arm38.md).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from akscli.azure import clusters
from tests.azure.helpers import RG, seed_cluster
from tests.azure.test_arm_api_versions_served import sdk_default
from tests.emulators.arm import ArmEmulator, apiversions

PACKAGE = "azure-mgmt-containerservice"
AKS = "microsoft.containerservice/managedclusters"
# release -> the api-version its _configuration.py sends by default (module docstring).
RELEASE_DEFAULTS = {"41.8.0": "2026-08-01", "41.9.0": "2026-09-01"}
_CLAUSE = re.compile(r"^\s*(>=|<=|==|!=|>|<)\s*([0-9]+(?:\.[0-9]+)*)\s*$")


def _release(text: str) -> tuple[int, ...]:
    parts = [int(p) for p in text.split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()  # 41.9 == 41.9.0, as PEP 440 compares releases
    return tuple(parts)


def admits(specifier: str, version: str) -> bool:
    """Whether a PEP 440 specifier of plain release clauses (``>=41.8,<41.9``) admits ``version``."""
    have = _release(version)
    for clause in specifier.split(","):
        m = _CLAUSE.match(clause)
        assert m, f"clause {clause!r} is not a plain release comparison"
        op, want = m.group(1), _release(m.group(2))
        ok = {
            ">=": have >= want,
            "<=": have <= want,
            "==": have == want,
            "!=": have != want,
            ">": have > want,
            "<": have < want,
        }[op]
        if not ok:
            return False
    return True


def pinned(pyproject: Path) -> str:
    """The version specifier pyproject.toml gives azure-mgmt-containerservice."""
    deps = tomllib.loads(pyproject.read_text())["project"]["dependencies"]
    found = [d[len(PACKAGE) :] for d in deps if re.match(rf"{PACKAGE}\s*[<>=!]", d)]
    assert len(found) == 1, deps
    return str(found[0]).split(";")[0].strip()


def unread_releases_admitted(specifier: str) -> list[str]:
    """The releases read whose default api-version the emulator does not answer, that ``specifier`` admits."""
    return [
        release
        for release, default in RELEASE_DEFAULTS.items()
        if admits(specifier, release) and default not in apiversions.SERVED[AKS]
    ]


def test_the_pin_admits_no_release_whose_default_the_emulator_does_not_answer() -> None:
    specifier = pinned(Path(__file__).resolve().parents[2] / "pyproject.toml")
    assert unread_releases_admitted(specifier) == [], (
        f"pyproject.toml admits {PACKAGE}{specifier}: read the spec of each such release's api-version "
        "and teach the ARM emulator it (apiversions.SERVED) before admitting it"
    )


@pytest.mark.parametrize(
    ("specifier", "admitted"),
    [(">=41.8,<41.9", []), (">=41.8,<42", ["41.9.0"]), (">=41.8", ["41.9.0"]), ("==41.9.0", ["41.9.0"])],
)
def test_a_pin_that_lets_in_41_9_is_caught_while_2026_09_01_is_not_served(specifier: str, admitted: list[str]) -> None:
    """The check above with the pins it must refuse: the one the brief names (``<42``), none at all."""
    assert "2026-09-01" not in apiversions.SERVED[AKS]
    assert unread_releases_admitted(specifier) == admitted


def test_the_installed_sdk_is_one_the_pin_admits_and_its_recorded_default_is_its_own() -> None:
    """The venv is one CI could have installed, and ``RELEASE_DEFAULTS`` says of it what its wheel says."""
    from importlib.metadata import version

    installed = version(PACKAGE)
    assert admits(pinned(Path(__file__).resolve().parents[2] / "pyproject.toml"), installed)
    if installed in RELEASE_DEFAULTS:
        assert RELEASE_DEFAULTS[installed] == sdk_default("containerservice")


def test_the_aks_client_sends_the_version_akscli_names_not_the_sdk_default(
    azure_env: ArmEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every AKS request carries clusters.API_VERSION: named another served version (2026-01-01, which
    the emulator answers), a read goes out at it, so the installed SDK's default is never what is sent."""
    from akscli.azure.arm import AzureTarget

    seed_cluster(azure_env)
    monkeypatch.setattr(clusters, "API_VERSION", "2026-01-01")
    clusters.get(clusters.client(AzureTarget()), RG, "aks1")
    sent = {v for e in azure_env.requests_to(r"/managedClusters/aks1$", "GET") for v in e.query.get("api-version", [])}
    assert sent == {"2026-01-01"}


def test_the_models_akscli_serializes_with_are_those_of_the_version_it_names() -> None:
    """clusters.put_back serializes with the installed SDK's models, which are its default version's;
    the body must be named with that version (a 41.9 SDK's models sent as 2026-08-01 were never read
    against 2026-08-01's spec, nor 2026-08-01's bodies against 2026-09-01's)."""
    assert sdk_default("containerservice") == clusters.API_VERSION
    assert clusters.API_VERSION in apiversions.SERVED[AKS]
