"""A KubeFleet envelope (kubefleet-dev/kubefleet e160c1cd apis/placement/v1beta1/envelope_types.go:
ClusterResourceEnvelope, ResourceEnvelope) carries whole objects in its ``data``, a Secret among
them. akscli shows what it wraps as it shows each object on its own (akscli.printable): a Secret's
values, and a ConfigMap's or a container's value that carries a token by name or shape, are ``***``
in ``-o yaml/json`` and in a plan. Before, `apply -f envelope.yaml --dry-run=client -o yaml`
printed a wrapped Secret's stringData as it was."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from akscli import printable
from akscli.kube.plan_diff import diff_objects
from tests.cli import invoke

PASSWORD = "hunter2-CanaryEnvelopeSecret"
OPENAI = "sk-proj-CanaryEnvelopeConfigMap0123456789"


def envelope(password: str = PASSWORD) -> dict[str, Any]:
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "creds", "namespace": "team-a"},
        "stringData": {"password": password},
        "data": {"token": "c2VjcmV0"},
    }
    config_map = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "settings", "namespace": "team-a"},
        "data": {"OPENAI_API_KEY": OPENAI, "MODE": "fast"},
    }
    return {
        "apiVersion": "placement.kubernetes-fleet.io/v1beta1",
        "kind": "ResourceEnvelope",
        "metadata": {"name": "bundle", "namespace": "team-a"},
        "data": {"creds.yaml": secret, "settings.yaml": config_map},
    }


def test_a_wrapped_secrets_values_are_masked_and_its_keys_kept() -> None:
    shown = printable.shown(envelope(), "yaml")
    assert shown["data"]["creds.yaml"]["stringData"] == {"password": "***"}
    assert shown["data"]["creds.yaml"]["data"] == {"token": "***"}


def test_a_wrapped_config_maps_token_is_masked_and_its_plain_value_kept() -> None:
    shown = printable.shown(envelope(), "yaml")
    assert shown["data"]["settings.yaml"]["data"] == {"OPENAI_API_KEY": "***", "MODE": "fast"}


def test_the_envelope_printed_is_a_copy_and_the_manifest_keeps_its_values() -> None:
    obj = envelope()
    before = copy.deepcopy(obj)
    printable.shown(obj, "json")
    assert obj == before


def test_the_last_applied_annotation_of_an_envelope_holding_a_secret_is_masked() -> None:
    obj = envelope()
    obj["metadata"]["annotations"] = {printable.LAST_APPLIED: json.dumps(envelope())}
    shown = printable.shown(obj, "yaml")
    assert shown["metadata"]["annotations"][printable.LAST_APPLIED] == "***"


def test_a_plan_says_a_wrapped_secret_changed_without_either_value() -> None:
    lines = diff_objects(envelope("old-" + PASSWORD), envelope())
    assert lines == ["~ data.creds.yaml.stringData.password: *** (changed)"]


def test_apply_client_dry_run_of_an_envelope_prints_no_wrapped_secret(tmp_path: Path) -> None:
    path = tmp_path / "envelope.json"
    path.write_text(json.dumps(envelope()))
    result = invoke("apply", "-f", str(path), "--dry-run=client", "-o", "yaml")
    assert result.exit_code == 0, result
    assert PASSWORD not in result.stdout + result.stderr
    assert OPENAI not in result.stdout + result.stderr
    assert "MODE: fast" in result.stdout


def test_a_wrapped_secret_written_as_a_yaml_string_is_masked() -> None:
    obj = envelope()
    obj["data"]["creds.yaml"] = (
        f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\n  namespace: team-a\n"
        f"stringData:\n  password: {PASSWORD}\n"
    )
    obj["data"]["settings.yaml"] = json.dumps(obj["data"]["settings.yaml"])
    shown = json.dumps(printable.shown(obj, "json"))
    assert PASSWORD not in shown and OPENAI not in shown
    assert "password: '***'" in printable.shown(obj, "json")["data"]["creds.yaml"]


def test_a_yaml_string_entry_without_a_secret_is_printed_as_written() -> None:
    obj = envelope()
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: plain\ndata:\n  MODE: fast\n"
    obj["data"] = {"plain.yaml": text, "broken.yaml": "a: [b"}
    assert printable.shown(obj, "yaml")["data"] == {"plain.yaml": text, "broken.yaml": "a: [b"}
