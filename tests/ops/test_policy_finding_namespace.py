"""A policy finding on an object with no namespace names the namespace it will land in: -n, else
the context's namespace (with a cluster), else `default`, kubectl's namespace for a context that
names none (upstream: kubernetes/client-go tools/clientcmd/client_config.go
DirectClientConfig.Namespace). The same `Kind namespace/name` in text, JSON and SARIF."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from akscli import yamlio
from tests.cli import invoke

WEB = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "web"},
    "spec": {
        "selector": {"matchLabels": {"app": "web"}},
        "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "web", "image": "nginx"}]},
        },
    },
}


@pytest.fixture
def manifest(tmp_path: Path) -> str:
    path = tmp_path / "web.yaml"
    path.write_text(yamlio.dump_all([WEB]))
    return str(path)


def test_policy_check_names_the_default_namespace_in_text(manifest: str) -> None:
    result = invoke("policy", "check", "-f", manifest)
    assert result.exit_code == 9, result
    assert "Deployment default/web" in result.stdout
    assert "Deployment web" not in result.stdout


def test_policy_check_names_the_default_namespace_in_json(manifest: str) -> None:
    result = invoke("policy", "check", "-f", manifest, "-o", "json")
    objects = {item["object"] for item in json.loads(result.stdout)["items"]}
    assert objects == {"Deployment default/web"}


def test_policy_check_names_the_default_namespace_in_sarif(manifest: str) -> None:
    result = invoke("policy", "check", "-f", manifest, "-o", "sarif")
    results = json.loads(result.stdout)["runs"][0]["results"]
    assert {r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] for r in results} == {
        "Deployment default/web"
    }
    assert all(r["message"]["text"].startswith("Deployment default/web: ") for r in results)


def test_an_apply_names_the_namespace_of_n(manifest: str) -> None:
    result = invoke("apply", "-f", manifest, "-n", "ml", "--dry-run=client")
    assert result.exit_code == 9, result
    assert "[image-latest] Deployment ml/web:" in result.stderr


def test_an_apply_names_the_contexts_namespace(kube_emulator: Any, tmp_path: Path, manifest: str) -> None:
    config = kube_emulator.write_kubeconfig(tmp_path / "kc", context="emulator", namespace="team-a")
    result = invoke("apply", "-f", manifest, "--kubeconfig", str(config))
    assert result.exit_code == 9, result
    assert "[image-latest] Deployment team-a/web:" in result.stderr


def test_an_apply_with_a_context_without_a_namespace_names_default(
    kube_emulator: Any, tmp_path: Path, manifest: str
) -> None:
    written = kube_emulator.kubeconfig_dict("emulator", "default", None)
    for entry in written["contexts"]:
        entry["context"].pop("namespace", None)
    config = tmp_path / "kc"
    config.write_text(json.dumps(written))
    result = invoke("apply", "-f", manifest, "--kubeconfig", str(config), "--dry-run=server")
    assert result.exit_code == 9, result
    assert "[image-latest] Deployment default/web:" in result.stderr


def test_policy_check_lets_a_privileged_pod_through_to_default_when_the_policy_file_lists_default(
    tmp_path: Path,
) -> None:
    """The finding names ``default``, so the privileged-namespace rule reads ``default`` too: CI's
    policy check and an apply to a context with no namespace agree (both land it in default)."""
    privileged = json.loads(json.dumps(WEB))
    container = privileged["spec"]["template"]["spec"]["containers"][0]
    container |= {"image": "nginx:1.27", "securityContext": {"privileged": True}}
    path = tmp_path / "priv.yaml"
    path.write_text(yamlio.dump_all([privileged]))
    policy_file = tmp_path / "policy.yaml"
    policy_file.write_text("privilegedNamespaces: [default]\n")
    result = invoke("policy", "check", "-f", str(path), "--policy-file", str(policy_file), "-o", "json")
    rules = {item["rule"] for item in json.loads(result.stdout)["items"]}
    assert "privileged-pod" not in rules, result.stdout
