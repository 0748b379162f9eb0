"""kubelogin's --login-hint, --redirect-url, --pop-enabled and --pop-claims on the exec lines akscli reads
(``akscli token``) and writes (``cluster credentials``), which akscli refused as unknown flags before.

Upstream: Azure/kubelogin 66784961 pkg/internal/token/options.go (AddFlags, Validate: the PoP pair),
interactivebrowsercredential.go (LoginHint, RedirectURL: interactive only), provider.go (PoP in interactive
and spn), pkg/internal/converter/convert.go (getArgValues and case token.InteractiveLogin keep the kubeconfig's
--redirect-url and --login-hint), docs/book/src/concepts/azure-arc.md (PoP flags ignored in other modes).
"""

from __future__ import annotations

import io
import json
from contextlib import redirect_stderr, redirect_stdout
from typing import Any

import pytest
from ruamel.yaml import YAML

from akscli.azure import clustercreds
from akscli.azure import token as plugin
from tests.emulators.arm import AKS_SERVER_APP, ArmEmulator

AKS_CLIENT = "80faf920-1908-4b52-b5ef-a8e7bedfc67a"
TENANT = "00000000-0000-0000-0000-00000000000a"
HINT = "ada@contoso.com"
ARC_ID = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Kubernetes/connectedClusters/edge1"
INTERACTIVE = (
    "--login",
    "interactive",
    "--server-id",
    AKS_SERVER_APP,
    "--client-id",
    AKS_CLIENT,
    "--tenant-id",
    TENANT,
)


def kubectl_runs(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = plugin.main(["token", *args])
    return code, out.getvalue(), err.getvalue()


def test_login_hint_and_redirect_url_go_to_the_browser_sign_in_as_kubelogin(
    azure_env: ArmEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    import azure.identity
    from azure.core.credentials import AccessToken

    built: list[dict[str, Any]] = []

    class Browser:  # azure-identity's InteractiveBrowserCredential, without a browser
        def __init__(self, **kwargs: Any) -> None:
            built.append(kwargs)

        def authenticate(self, **kwargs: Any) -> Any:
            return type("Record", (), {"serialize": lambda self: "{}"})()

        def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
            return AccessToken(*azure_env.issue_token(AKS_SERVER_APP, tenant=TENANT))

    monkeypatch.setattr(azure.identity, "InteractiveBrowserCredential", Browser)
    monkeypatch.delenv("AAD_LOGIN_METHOD", raising=False)
    code, out, err = kubectl_runs(*INTERACTIVE, "--login-hint", HINT, "--redirect-url", "http://localhost:8400")
    assert code == 0, err
    assert json.loads(out)["status"]["token"]
    assert [(b["login_hint"], b["redirect_uri"], b["client_id"]) for b in built] == [
        (HINT, "http://localhost:8400", AKS_CLIENT)
    ]


@pytest.mark.parametrize(
    ("args", "first"),
    [
        ((*INTERACTIVE, "--redirect-url", "http://localhost"), "--redirect-url 'http://localhost' is not a URL with"),
        ((*INTERACTIVE, "--redirect-url", "http://localhost:0"), "--redirect-url 'http://localhost:0' is not a URL"),
        ((*INTERACTIVE, "--pop-enabled"), "--pop-enabled needs --pop-claims"),
        (("--login", "azurecli", "--pop-claims", f"u={ARC_ID}"), "--pop-claims needs --pop-enabled"),
        ((*INTERACTIVE, "--pop-enabled", "--pop-claims", f"u={ARC_ID}"), "--pop-enabled: a proof-of-possession"),
        (("--login", "spn", "--pop-enabled=true", f"--pop-claims=u={ARC_ID}"), "--pop-enabled: a proof-of-possession"),
    ],
    ids=[
        "redirect-without-port",
        "redirect-port-0",
        "pop-without-claims",
        "claims-without-pop",
        "pop-interactive",
        "pop-spn",
    ],
)
def test_what_kubelogin_refuses_or_akscli_cannot_get_is_one_usage_line(args: tuple[str, ...], first: str) -> None:
    with pytest.raises(plugin.UsageError) as err:
        plugin.parse_args(args)
    assert err.value.message.startswith(first)
    assert err.value.exit_code == 2


@pytest.mark.parametrize(
    "args",
    [
        ("--login", "azurecli", "--pop-enabled", "--pop-claims", f"u={ARC_ID}"),  # kubelogin ignores PoP here
        ("--login", "devicecode", "--client-id", AKS_CLIENT, "--redirect-url", "not-a-url", "--login-hint", HINT),
        (*INTERACTIVE, "--pop-enabled=false", "--login-hint", HINT),
    ],
    ids=["pop-azurecli", "browser-flags-devicecode", "pop-false"],
)
def test_the_flags_where_kubelogin_ignores_them_are_accepted(args: tuple[str, ...]) -> None:
    assert plugin.parse_args(args).server_id


def _kubelogin_kubeconfig(*extra: str) -> bytes:
    args = ["get-token", "--login", "interactive", "--server-id", AKS_SERVER_APP, "--client-id", AKS_CLIENT,
            "--tenant-id", TENANT, *extra]  # fmt: skip
    user = {"name": "u", "user": {"exec": {"apiVersion": "client.authentication.k8s.io/v1beta1",
                                           "command": "kubelogin", "args": args}}}  # fmt: skip
    return json.dumps({"apiVersion": "v1", "kind": "Config", "users": [user]}).encode()


@pytest.mark.parametrize("mode", ["interactive", "devicecode"])
def test_credentials_keep_the_kubeconfigs_redirect_url_and_login_hint_for_interactive_as_convert(mode: str) -> None:
    raw = _kubelogin_kubeconfig("--redirect-url", "http://localhost:8400", "--login-hint", HINT)
    out = YAML(typ="safe", pure=True).load(clustercreds.rewrite_exec_user(raw, login=mode))
    args = out["users"][0]["user"]["exec"]["args"]
    kept = ["--redirect-url", "http://localhost:8400", "--login-hint", HINT] if mode == "interactive" else []
    assert args[5:] == ["--client-id", AKS_CLIENT, "--tenant-id", TENANT, *kept]
