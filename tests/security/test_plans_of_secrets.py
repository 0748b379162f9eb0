"""What a plan, a diff and -o yaml show of a Secret beside other objects. kubectl diff masks only a
v1 Secret (upstream: kubernetes/kubectl pkg/cmd/diff/diff.go, ``Diff.Run`` "Mask secret values if
object is V1Secret", ``Masker``); akscli masks a ConfigMap's value too where it carries a secret by
its key's name or its shape (akscli.printable.masked_values, since audit 32), and shows the rest
of the ConfigMap as it is."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli import invoke
from tests.security.test_no_secret_leaks import CANARY, assert_clean, secret

# A value that looks like a credential (a GitHub token's shape), in a ConfigMap, under a neutral key.
TOKEN_LOOKING = "ghp_CanaryConfigMapValue0123456789abcd"
PLAIN = "fast-mode-on"


def config_map(value: str = TOKEN_LOOKING, plain: str = PLAIN) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "settings"},
        "data": {"token": value, "mode": plain},
    }


@pytest.fixture
def both(tmp_path: Path) -> Path:
    path = tmp_path / "both.yaml"
    path.write_text(json.dumps(secret()) + "\n---\n" + json.dumps(config_map()))
    return path


@pytest.mark.parametrize(
    "mode", [["--dry-run=client", "-o", "yaml"], ["--dry-run=server", "-o", "json"], ["-y", "-o", "yaml"]], ids=" ".join
)
def test_beside_a_secret_a_config_maps_plain_value_is_shown_and_its_token_is_not(
    kubeconfig: Path, both: Path, mode: list[str]
) -> None:
    result = invoke("apply", "-f", str(both), *mode)
    assert result.exit_code == 0, result
    assert PLAIN in result.stdout
    assert TOKEN_LOOKING not in result.stdout
    assert_clean(result)


def test_the_plan_of_a_changed_config_map_shows_its_plain_values_and_masks_its_token(
    kubeconfig: Path, both: Path
) -> None:
    assert invoke("apply", "-f", str(both), "-y").exit_code == 0
    changed = secret(CANARY + "-changed")
    both.write_text(json.dumps(changed) + "\n---\n" + json.dumps(config_map(TOKEN_LOOKING + "-new", "slow-mode")))
    result = invoke("apply", "-f", str(both), "--dry-run=server")
    assert result.exit_code == 0, result
    assert f"~ data.mode: {PLAIN} -> slow-mode" in result.stdout
    assert "~ data.token: *** (changed)" in result.stdout
    assert TOKEN_LOOKING not in result.stdout
    assert "*** (before) -> *** (after)" in result.stdout
    assert_clean(result)


def test_a_secret_inside_a_v1_list_is_masked_as_one_alone_is(kubeconfig: Path, tmp_path: Path) -> None:
    listed = tmp_path / "list.yaml"
    listed.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": [secret(), config_map()]}))
    result = invoke("apply", "-f", str(listed), "--dry-run=client", "-o", "yaml")
    assert result.exit_code == 0, result
    assert_clean(result)


@pytest.mark.parametrize("secret_type", ["kubernetes.io/dockerconfigjson", "kubernetes.io/tls"])
def test_a_typed_secret_is_masked_as_an_opaque_one_is(kubeconfig: Path, tmp_path: Path, secret_type: str) -> None:
    key = ".dockerconfigjson" if secret_type.endswith("dockerconfigjson") else "tls.key"
    body = json.dumps({"auths": {"r.io": {"auth": CANARY}}}) if key == ".dockerconfigjson" else CANARY
    obj = {
        "apiVersion": "v1",
        "kind": "Secret",
        "type": secret_type,
        "metadata": {"name": "typed"},
        "data": {key: base64.b64encode(body.encode()).decode()},
    }
    if key == "tls.key":
        obj["data"]["tls.crt"] = base64.b64encode(b"CanaryCertificateBody").decode()
    path = tmp_path / "typed.yaml"
    path.write_text(json.dumps(obj))
    for mode in (["--dry-run=server", "-o", "yaml"], ["-y", "-o", "json"], ["--dry-run=server"]):
        result = invoke("apply", "-f", str(path), *mode)
        assert result.exit_code == 0, result
        assert_clean(result, base64.b64encode(body.encode()).decode())
