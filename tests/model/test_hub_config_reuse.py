"""``--hub-config`` is recorded with a deploy's options, so ``--reuse-values`` reads the Hub again on
a redeploy that gives only the model's id; without --reuse-values the redeploy says the flag goes
back to its default (akscli.model.reuse: the record is params.json's ``options``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.cli import invoke
from tests.emulators.kube.hf_hub_server import HubServer, serving
from tests.model.test_hub_config_fill import QWEN, SHARDS

REPO = "acme/coder-7b"
CONFIG_PATH = f"/{REPO}/resolve/main/config.json"


@pytest.fixture
def hub_and_cluster(
    model_emulator: Callable[..., Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[tuple[HubServer, Any]]:
    """The model emulator and the loopback Hub serving its repos, with this repo in it."""
    for name in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_TOKEN_PATH", "HF_HUB_DISABLE_IMPLICIT_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    emu = model_emulator()
    emu.api.huggingface_hub[REPO] = {"config.json": QWEN, **SHARDS}
    with serving(emu.api.huggingface_hub) as hub:
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
        yield hub, emu


def _deploy(*args: str) -> Any:
    return invoke("model", "deploy", REPO, "--runtime", "vllm", *args, "-y")


def test_reuse_values_reads_the_hub_again_for_a_model_deployed_with_hub_config(
    hub_and_cluster: tuple[HubServer, Any],
) -> None:
    hub, _ = hub_and_cluster
    assert _deploy("--hub-config").exit_code == 0
    hub.requests.clear()
    result = _deploy("--replicas", "2", "--reuse-values")
    assert result.exit_code == 0, result
    assert [path for path, _ in hub.requests][:1] == [CONFIG_PATH]
    assert f"from {REPO} on Hugging Face: --layers 28" in result.stderr


def test_the_revision_records_hub_config_among_its_options(hub_and_cluster: tuple[HubServer, Any]) -> None:
    assert _deploy("--hub-config").exit_code == 0
    result = invoke("model", "history", "coder-7b", "-o", "wide")
    assert result.exit_code == 0, result
    assert "--hub-config" in result.stdout


def test_a_redeploy_without_reuse_values_says_hub_config_goes_back_to_its_default(
    hub_and_cluster: tuple[HubServer, Any],
) -> None:
    assert _deploy("--hub-config").exit_code == 0
    result = _deploy("--weights-gib", "15", "--layers", "28", "--attention-heads", "28", "--kv-heads", "4",
                     "--head-dim", "128", "--max-context", "32768", "--dry-run=server")  # fmt: skip
    assert result.exit_code == 0, result
    assert "revision 1 has --hub-config, not given now: it goes back to its default" in result.stderr
