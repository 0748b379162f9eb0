"""``model deploy --hub-config`` with no description flag: akscli reads the description from the Hub,
and KAITO's webhook, reading the same emulated Hub, admits the Workspace it renders (upstream:
kaito-project/kaito v0.12.0 presets/workspace/generator/generator.go; api/v1beta1/
inference_config_validation.go)."""

from __future__ import annotations

from typing import Any

from tests.cli import invoke
from tests.emulators.kube.controllers.kaito import KAITO
from tests.emulators.kube.hf_hub_server import HubServer
from tests.model.test_hub_config_reuse import REPO
from tests.model.test_hub_config_reuse import hub_and_cluster as hub_and_cluster


def test_a_kaito_deploy_described_only_by_the_hub_is_admitted(hub_and_cluster: tuple[HubServer, Any]) -> None:
    _, emu = hub_and_cluster
    result = invoke("model", "deploy", REPO, "--hub-config", "--runtime", "kaito", "-y")
    assert result.exit_code == 0, result
    assert f"from {REPO} on Hugging Face: --layers 28" in result.stderr
    assert emu.cluster.get(KAITO, "Workspace", "default", "coder-7b") is not None
