"""A subscription in another tenant: the Azure CLI is asked for that subscription's token, and
ARM's InvalidAuthenticationTokenTenant says which --tenant fixes it (issue #19 item 2)."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from akscli.azure import clusters
from akscli.azure.arm import AzureTarget
from akscli.errors import AuthError
from tests.emulators.arm import ArmEmulator

OTHER_TENANT = "33333333-0000-0000-0000-00000000000b"
OTHER_SUB = "44444444-0000-0000-0000-00000000000b"


def _fake_az(tmp_path: Path, emu: ArmEmulator, *, honours_subscription: bool = True) -> None:
    """An `az` on PATH answering `account get-access-token` as the real CLI does: the token of
    the tenant named by --tenant, or of --subscription's tenant, else of the default tenant."""
    home_token, exp = emu.issue_token(tenant=emu.tenant)
    other_token, _ = emu.issue_token(tenant=OTHER_TENANT)
    tokens = {"default": home_token, OTHER_TENANT: other_token, OTHER_SUB: other_token if honours_subscription else
              home_token}  # fmt: skip
    script = tmp_path / "bin" / "az"
    script.parent.mkdir()
    script.write_text(
        "#!/usr/bin/env python3\n"
        "import json, sys\n"
        f"tokens = {json.dumps(tokens)}\n"
        "args = sys.argv[1:]\n"
        "pick = 'default'\n"
        "for flag in ('--tenant', '--subscription'):\n"
        "    if flag in args and args[args.index(flag) + 1] in tokens:\n"
        "        pick = args[args.index(flag) + 1]\n"
        f"print(json.dumps({{'accessToken': tokens[pick], 'expires_on': {exp}, 'tokenType': 'Bearer'}}))\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)


@pytest.fixture
def other_tenant(azure_env: ArmEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ArmEmulator:
    azure_env.tenants.add(OTHER_TENANT)
    azure_env.subscription_tenants[OTHER_SUB] = OTHER_TENANT
    rid = f"/subscriptions/{OTHER_SUB}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks9"
    azure_env.put_resource(rid, {"location": "eastus", "properties": {"agentPoolProfiles": []}})
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}:{__import__('os').environ['PATH']}")
    return azure_env


def test_the_azure_cli_is_asked_for_the_subscriptions_tenant(other_tenant: ArmEmulator, tmp_path: Path) -> None:
    _fake_az(tmp_path, other_tenant)
    target = AzureTarget(subscription=OTHER_SUB, auth="azurecli")
    assert clusters.get(clusters.client(target), "rg", "aks9")["name"] == "aks9"


def test_a_token_of_the_wrong_tenant_names_the_tenant_to_use(other_tenant: ArmEmulator, tmp_path: Path) -> None:
    _fake_az(tmp_path, other_tenant, honours_subscription=False)
    target = AzureTarget(subscription=OTHER_SUB, auth="azurecli")
    with pytest.raises(AuthError) as err:
        clusters.get(clusters.client(target), "rg", "aks9")
    assert "InvalidAuthenticationTokenTenant" in err.value.message
    assert f"--tenant {OTHER_TENANT}" in (err.value.hint or "")
    response = other_tenant.requests_to("/managedClusters/aks9$")[-1]
    assert response.status == 401


def test_a_401_carries_a_www_authenticate_challenge(azure_env: ArmEmulator) -> None:
    import urllib.request

    request = urllib.request.Request(
        f"{azure_env.url}/subscriptions/{azure_env.subscription}/resourcegroups?api-version=1"
    )
    import ssl

    ctx = ssl.create_default_context(cafile=azure_env.ca_file)
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(request, context=ctx)
    challenge = err.value.headers["WWW-Authenticate"]
    assert challenge.startswith("Bearer authorization_uri=") and 'error="invalid_token"' in challenge


def test_a_claims_challenge_gets_a_new_token_and_the_call_succeeds(azure_env: ArmEmulator) -> None:
    from tests.azure.helpers import seed_cluster

    seed_cluster(azure_env)
    c = clusters.client(AzureTarget())
    clusters.get(c, "rg-ml", "aks1")
    azure_env.revoked_tokens.update(azure_env.tokens)  # an admin revoked the sessions (CAE)
    assert clusters.get(c, "rg-ml", "aks1")["name"] == "aks1"
    assert any("claims" in r for r in azure_env.token_requests), "the new token was asked for with the claims"
