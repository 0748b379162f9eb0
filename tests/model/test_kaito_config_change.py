"""An apply that changes the inference ConfigMap a KAITO object names: a server dry run cannot check
the new content (it stores no ConfigMap), so the plan dry-runs the KAITO object without the
reference and says that KAITO checks it when applied; if KAITO refuses it, akscli puts the
ConfigMap back as it was, so that the pods that mount it do not read refused content at their
next restart (upstream: kaito-project/kaito v0.12.0 0894eb2b
api/v1beta1/inference_config_validation.go validateInferenceConfig, on Workspace create and
InferenceSet create and update; akscli.kube.deferred_checks)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from tests.cli import invoke
from tests.emulators.kube.controllers.kaito import KAITO

Start = Callable[..., Any]
CONFIG = "phi-4-inference-config"
TOO_LONG = "max-model-len 20000 exceeds model's maximum supported context window 16384"


def _rendered(*flags: str) -> list[dict[str, Any]]:
    result = invoke("model", "deploy", "phi-4", *flags, "--dry-run=client")
    assert result.exit_code == 0, result
    return [d for d in yaml.safe_load_all(result.stdout) if d]


def _with_max_model_len(docs: list[dict[str, Any]], value: int) -> list[dict[str, Any]]:
    (cm,) = [d for d in docs if d["kind"] == "ConfigMap" and d["metadata"]["name"] == CONFIG]
    text = cm["data"]["inference_config.yaml"]
    config = yaml.safe_load(text)
    config["vllm"]["max-model-len"] = value
    cm["data"]["inference_config.yaml"] = yaml.safe_dump(config)
    return docs


def _write(tmp_path: Path, docs: list[dict[str, Any]]) -> Path:
    path = tmp_path / "model.yaml"
    path.write_text(yaml.safe_dump_all(docs), encoding="utf-8")
    return path


def _apply_configmap_alone(tmp_path: Path, docs: list[dict[str, Any]]) -> None:
    """The ConfigMap stored on its own first (a Workspace deleted, its ConfigMap kept)."""
    (cm,) = [d for d in docs if d["kind"] == "ConfigMap" and d["metadata"]["name"] == CONFIG]
    path = tmp_path / "configmap.yaml"
    path.write_text(yaml.safe_dump(cm), encoding="utf-8")
    assert invoke("apply", "-f", str(path), "-y").exit_code == 0


def _stored_config(emu: Any) -> str:
    return str(emu.cluster.get("v1", "ConfigMap", "default", CONFIG)["data"]["inference_config.yaml"])


def test_a_refused_inferenceset_update_puts_the_changed_configmap_back(model_emulator: Start, tmp_path: Path) -> None:
    emu = model_emulator()
    assert invoke("model", "deploy", "phi-4", "--replicas", "2", "-y").exit_code == 0
    before = _stored_config(emu)
    docs = _with_max_model_len(_rendered("--replicas", "3"), 20000)
    result = invoke("apply", "-f", str(_write(tmp_path, docs)), "-y")
    assert result.exit_code != 0
    assert TOO_LONG in result.stderr
    assert f"Put back 1 this apply had changed: configmap/{CONFIG}" in result.stderr
    assert _stored_config(emu) == before
    assert emu.cluster.get(KAITO, "InferenceSet", "default", "phi-4")["spec"]["replicas"] == 2


def test_the_plan_says_kaito_checks_the_changed_configmap_when_applied(model_emulator: Start, tmp_path: Path) -> None:
    model_emulator()
    assert invoke("model", "deploy", "phi-4", "--replicas", "2", "-y").exit_code == 0
    docs = _with_max_model_len(_rendered("--replicas", "3"), 12000)
    result = invoke("apply", "-f", str(_write(tmp_path, docs)), "--dry-run=server")
    assert result.exit_code == 0, result
    assert (
        f"KAITO checks its spec.template.inference.config against the new configmap/{CONFIG} when it is applied"
        in result.stdout
    )


def test_a_refused_workspace_create_puts_the_existing_configmap_back(model_emulator: Start, tmp_path: Path) -> None:
    emu = model_emulator()
    docs = _rendered()
    _apply_configmap_alone(tmp_path, docs)
    before = _stored_config(emu)
    result = invoke("apply", "-f", str(_write(tmp_path, _with_max_model_len(docs, 20000))), "-y")
    assert result.exit_code != 0
    assert TOO_LONG in result.stderr
    assert _stored_config(emu) == before
    assert emu.cluster.get(KAITO, "Workspace", "default", "phi-4") is None


def test_an_apply_that_fixes_a_stored_configmap_is_planned_against_the_fix(
    model_emulator: Start, tmp_path: Path
) -> None:
    # KAITO does not check a ConfigMap on its own: a bad one can be stored. The dry run of the new
    # Workspace must not read it, since this apply replaces it.
    emu = model_emulator()
    _apply_configmap_alone(tmp_path, _with_max_model_len(_rendered(), 20000))
    docs = _rendered()
    result = invoke("apply", "-f", str(_write(tmp_path, docs)), "-y")
    assert result.exit_code == 0, result
    assert emu.cluster.get(KAITO, "Workspace", "default", "phi-4") is not None


def _write_configmap_when_applied(emu: Any, new_text: str, write: Callable[[dict[str, Any]], None]) -> None:
    """Another client writes the ConfigMap right after akscli's apply stored ``new_text`` in it,
    before KAITO's refusal of the InferenceSet comes back."""

    def once_akscli_wrote_it() -> None:
        cm = emu.cluster.get("v1", "ConfigMap", "default", CONFIG)
        if cm["data"]["inference_config.yaml"] == new_text:
            write(cm)

    emu.faults.add(verb="patch", path="/inferencesets/phi-4$", count=None, before=once_akscli_wrote_it)


def test_a_configmap_written_again_before_kaito_refuses_is_left_as_that_write_left_it(
    model_emulator: Start, tmp_path: Path
) -> None:
    # Another akscli run (the same field manager) applies its own content in between: a put-back
    # without the resourceVersion precondition would silently overwrite it.
    emu = model_emulator()
    assert invoke("model", "deploy", "phi-4", "--replicas", "2", "-y").exit_code == 0
    docs = _with_max_model_len(_rendered("--replicas", "3"), 20000)
    (cm,) = [d for d in docs if d["kind"] == "ConfigMap"]
    # theirs is refused too (a valid one would pass KAITO, which reads the ConfigMap as stored)
    theirs = _with_max_model_len(_rendered("--replicas", "3"), 30000)
    (their_cm,) = [d for d in theirs if d["kind"] == "ConfigMap"]
    _write_configmap_when_applied(
        emu, cm["data"]["inference_config.yaml"], lambda _: emu.cluster.apply(their_cm, manager="akscli")
    )
    result = invoke("apply", "-f", str(_write(tmp_path, docs)), "-y")
    assert result.exit_code != 0
    assert "max-model-len 30000 exceeds model's maximum supported context window" in result.stderr
    assert (
        f"Left 1 as it is, changed by another writer after this apply wrote it: configmap/{CONFIG} (who is unknown "
        f"to akscli; see the managers and times with kubectl get configmap/{CONFIG} -n default --show-managed-fields "
        "-o yaml)"
    ) in result.stderr
    assert "Put back" not in result.stderr
    assert _stored_config(emu) == their_cm["data"]["inference_config.yaml"]


def test_a_label_written_meanwhile_by_another_manager_also_stops_the_put_back(
    model_emulator: Start, tmp_path: Path
) -> None:
    # No field of akscli's is taken, so only the resourceVersion shows that the ConfigMap moved on.
    emu = model_emulator()
    assert invoke("model", "deploy", "phi-4", "--replicas", "2", "-y").exit_code == 0
    docs = _with_max_model_len(_rendered("--replicas", "3"), 20000)
    (cm,) = [d for d in docs if d["kind"] == "ConfigMap"]
    new_text = cm["data"]["inference_config.yaml"]
    _write_configmap_when_applied(
        emu,
        new_text,
        lambda _: emu.cluster.patch("v1", "ConfigMap", "default", CONFIG, {"metadata": {"labels": {"team": "ml"}}}),
    )
    result = invoke("apply", "-f", str(_write(tmp_path, docs)), "-y")
    assert result.exit_code != 0
    assert f"changed by another writer after this apply wrote it: configmap/{CONFIG}" in result.stderr
    assert _stored_config(emu) == new_text
