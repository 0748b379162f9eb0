"""Whether vLLM can load a Hub model's config.json without ``--trust-remote-code``, judged before akscli's
vLLM Deployment is rendered. Plain logic: no Typer, no rich.

vLLM reads config.json with its own config class where the model_type is in its ``_CONFIG_REGISTRY``,
else with transformers' ``AutoConfig.from_pretrained(trust_remote_code=...)`` (upstream:
vllm-project/vllm v0.11.0 and v0.25.1 wheels, ``vllm/transformers_utils/config.py`` HFConfigParser.parse
and ``_CONFIG_REGISTRY``). AutoConfig refuses a config whose ``auto_map`` names an ``AutoConfig`` of the
repo's own code (``has_remote_code``) and whose model_type transformers does not map (``has_local_code``)
unless remote code is trusted (huggingface/transformers v4.57.6 and v5.17.0
``models/auto/configuration_auto.py`` AutoConfig.from_pretrained, ``dynamic_module_utils.py``
resolve_trust_remote_code): vLLM exits at start, so the Deployment only crash-loops.

Sure only where both are read: the model_type is in no transformers release akscli read (the data file
``transformers_model_types.txt``, v4.48.0 to v5.25.0: an image's transformers is one of these, whatever
its major) and not in the registry of the vLLM release the image's tag names (VLLM_ONLY_CHANGES). An image
whose release akscli does not know gets a warning instead.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from akscli.errors import UsageError
from akscli.model import bounded, vllm_versions

# The model_types in vLLM's _CONFIG_REGISTRY that no transformers release maps, as (release, added,
# removed) from v0.8.0 on; a release not named changed none. Read from each release's wheel
# (vllm/transformers_utils/config.py _CONFIG_REGISTRY, every release in vllm_versions.RELEASES) less
# the transformers model types: the ones whose config loads only through vLLM's own class.
VLLM_ONLY_CHANGES: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("0.8.0", ("NVLM_D", "RefinedWeb", "RefinedWebModel", "chatglm", "deepseek_vl_v2", "eagle", "h2ovl_chat",
               "internvl_chat", "jais", "medusa", "mlp_speculator", "solar", "telechat", "ultravox"), ()),
    ("0.8.3", ("skywork_chat",), ()),
    ("0.8.5", ("kimi_vl",), ()),
    ("0.9.0", ("minimax_text_01", "minimax_vl_01", "ovis"), ()),
    ("0.9.2", (), ("h2ovl_chat", "internvl_chat")),
    ("0.10.0", ("Llama_Nemotron_Nano_VL",), ()),
    ("0.10.1", ("speculators", "step3_text", "step3_vl"),
     ("NVLM_D", "minimax_text_01", "minimax_vl_01", "skywork_chat", "solar", "telechat")),
    ("0.10.2", ("midashenglm",), ()),
    ("0.11.1", (), ("Llama_Nemotron_Nano_VL",)),
    ("0.13.0", ("bagel", "tarsier2"), ()),
    ("0.14.0", ("isaac",), ()),
    ("0.16.0", ("funaudiochat",), ()),
    ("0.17.0", ("colqwen3", "ops_colqwen3", "qwen3_vl_nemotron_embed"), ()),
    ("0.18.0", ("kimi_k2",), ()),
    ("0.20.0", ("fireredlid", "umm"), ()),
    ("0.21.0", ("hyperclovax_vlm", "moondream3"), ()),
    ("0.22.0", ("openvla",), ()),
    ("0.23.0", (), ("jais",)),
    ("0.24.0", ("minimax_m3_mtp",), ()),
    ("0.25.0", ("unlimited-ocr",), ("tarsier2",)),
    ("0.26.0", ("arctic", "inkling_model"), ()),
    ("0.27.0", ("k3_dspark", "kimi_k3"), ()),
    ("0.29.0", (), ("arctic", "fireredlid", "hyperclovax_vlm", "umm")),
    ("0.30.0", ("bailing_moe_v3_vl", "deepseek_v41"), ()),
    ("0.33.0", ("alpamayo2_super", "muse_spark_dspark", "musespark1x_text", "step5", "step5_vl"),
     ("medusa", "mlp_speculator")),
    ("0.34.0", ("kimi_k31", "lfm3_audio", "ming_v3_asr", "ricursive"), ("musespark1x_text",)),
)  # fmt: skip
_DATA = Path(__file__).resolve().parents[1] / "data" / "transformers_model_types.txt"
# KAITO's preset passes --trust-remote-code itself (akscli.model.flag_checks.trust_remote_code): the other way out.
KAITO = "--runtime kaito"


def hint(kaito: str = KAITO) -> str:
    """The two ways out of a refusal: the flag, or KAITO (``kaito``: --runtime kaito, or --provider kaito
    under AI Runway)."""
    return (
        "add --trust-remote-code to run the repo's own code in the vLLM pod (only for a repo you trust), "
        f"or use {kaito}"
    )


@functools.cache
def transformers_types() -> frozenset[str]:
    """Every model_type a transformers release from v4.48.0 to v5.25.0 maps (the data file)."""
    lines = _DATA.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def vllm_own(version: str) -> frozenset[str]:
    """The model_types no transformers maps that vLLM ``version`` (a release in RELEASES) loads with its own class."""
    if version.lstrip("v") not in vllm_versions.RELEASES:
        raise ValueError(f"vLLM {version} was not read")
    names: set[str] = set()
    key = vllm_versions._key(version)
    for release, added, removed in VLLM_ONLY_CHANGES:
        if vllm_versions._key(release) > key:
            break
        names = (names | set(added)) - set(removed)
    return frozenset(names)


def remote_type(config: Mapping[str, Any]) -> str | None:
    """The model_type of a config.json whose ``auto_map`` names an AutoConfig of the repo's own code and
    that no transformers release maps ("" where it names none); None where transformers loads it."""
    auto_map = config.get("auto_map")
    if not isinstance(auto_map, Mapping) or "AutoConfig" not in auto_map:
        return None
    model_type = config.get("model_type")
    model_type = model_type if isinstance(model_type, str) else ""
    return None if model_type in transformers_types() else model_type


def check(
    model_id: str, config: Mapping[str, Any], vllm_version: str | None, trusted: bool, kaito: str = KAITO
) -> str | None:
    """A UsageError where vLLM ``vllm_version`` (the release the image's tag names) cannot load the config
    without remote code and ``trusted`` (--trust-remote-code) is not given; a warning line where the image's
    release is not known (None); else None. ``kaito``: the flag that picks KAITO instead (hint)."""
    if trusted:
        return None
    model_type = remote_type(config)
    if model_type is None:
        return None
    shown = bounded.value(model_type, 40) or "unset"
    if vllm_version is None:
        return (
            f"{bounded.value(model_id, 48)}'s config.json needs the repo's own code (model_type "
            f"{shown}, auto_map AutoConfig), and akscli does not know the image's vLLM: without "
            f"--trust-remote-code its vLLM may exit at start (add --trust-remote-code, or use {kaito})"
        )
    if model_type in vllm_own(vllm_version):
        return None
    raise UsageError(
        f"{bounded.value(model_id, 48)}'s config.json needs the repo's own code (model_type {shown}, auto_map "
        f"AutoConfig), which neither transformers nor vLLM {vllm_version}'s own configs know: without "
        "--trust-remote-code vLLM exits at start",
        hint=hint(kaito),
    )


# The tokenizer. vLLM loads it with transformers' AutoTokenizer.from_pretrained(trust_remote_code=flag),
# without the config (vllm-project/vllm wheels v0.8.0 to v0.11.2, vllm/transformers_utils/tokenizer.py
# get_tokenizer and init_tokenizer_from_configs; tokenizer_mode auto is the HF path there). From v0.12.0
# vLLM picks tokenizers of its own for some architectures and Mistral repos (vllm/tokenizers/registry.py,
# vllm/config/model.py, read at v0.25.1), and from v5 transformers skips a repo's tokenizer for some
# model_types (MODELS_WITH_INCORRECT_HUB_TOKENIZER_CLASS): there akscli only warns.
_TOKENIZERS = Path(__file__).resolve().parents[1] / "data" / "transformers_tokenizers.txt"
SURE_TOKENIZER_UNTIL = "0.11.2"
# A repo ships a tokenizer of its own in such a file at its top (get_class_from_dynamic_module loads MODULE.py).
TOKENIZER_CODE = re.compile(r"^tokenization_[^/]+\.py$")


@functools.cache
def _tokenizer_sets() -> dict[str, frozenset[str]]:
    sections: dict[str, set[str]] = {}
    current: set[str] = set()
    for line in _TOKENIZERS.read_text(encoding="utf-8").splitlines():
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], set())
        elif line.strip() and not line.startswith("#"):
            current.add(line.strip())
    return {name: frozenset(names) for name, names in sections.items()}


def ships_tokenizer_code(files: Iterable[Mapping[str, Any]]) -> bool:
    """Whether the repo's file list (hub_config.list_files) holds a tokenization_*.py: only then is its
    tokenizer_config.json read for the judge (one GET more, for such repos only)."""
    return any(isinstance(f.get("path"), str) and TOKENIZER_CODE.search(f["path"]) for f in files)


def _known_tokenizer(name: str) -> bool:
    """Whether transformers 4's tokenizer_class_from_name can find ``name`` (or ``name``Fast), taken wide:
    a name whose stem is a transformers tokenization module counts as known."""
    sets = _tokenizer_sets()
    base = name.removesuffix("Fast")
    if {base, base + "Fast"} & sets["classes"]:
        return True
    stem = re.sub(r"[^a-z0-9]", "", base.lower().removesuffix("tokenizer"))
    return any(re.sub(r"[^a-z0-9]", "", module) == stem for module in sets["modules"])


def remote_tokenizer(config: Mapping[str, Any], tokenizer: Mapping[str, Any]) -> str | None:
    """The tokenizer class a tokenizer_config.json loads only with the repo's own code under transformers 4
    (``auto_map`` AutoTokenizer, and has_local_code false: AutoTokenizer.from_pretrained at v4.57.6); ""
    where it names none; None where transformers 4 loads it."""

    def auto_tokenizer(source: Mapping[str, Any]) -> Any:
        auto_map = source.get("auto_map")
        return auto_map if isinstance(auto_map, list) else (auto_map or {}).get("AutoTokenizer")

    ref, named = auto_tokenizer(tokenizer), tokenizer.get("tokenizer_class")
    local = False
    if not (isinstance(named, str) and named):
        # No tokenizer_class: transformers reads the config, whose auto_map, type or tokenizer_class then count.
        ref = auto_tokenizer(config) if isinstance(config.get("auto_map"), Mapping) and not ref else ref
        named = config.get("tokenizer_class")
        local = config.get("model_type") in _tokenizer_sets()["model_types"]
    if not ref or (isinstance(ref, list) and not any(isinstance(r, str) for r in ref)):
        return None
    if isinstance(named, str) and named:
        local = local or _known_tokenizer(named)
        return None if local else named
    return None if local else ""


def check_tokenizer(
    model_id: str,
    config: Mapping[str, Any],
    tokenizer: Mapping[str, Any],
    vllm_version: str | None,
    trusted: bool,
    kaito: str = KAITO,
) -> str | None:
    """As ``check``, for the tokenizer: a UsageError where vLLM ``vllm_version`` loads it through
    AutoTokenizer under transformers 4 (up to SURE_TOKENIZER_UNTIL) and it needs the repo's own code; a
    warning where the image's vLLM is later or not known; else None."""
    if trusted:
        return None
    named = remote_tokenizer(config, tokenizer)
    if named is None:
        return None
    shown = bounded.value(named, 40) or "unnamed"
    what = f"{bounded.value(model_id, 48)}'s tokenizer is the repo's own code ({shown}, auto_map AutoTokenizer)"
    if vllm_version is None or vllm_versions._key(vllm_version) > vllm_versions._key(SURE_TOKENIZER_UNTIL):
        return (
            f"{what}: without --trust-remote-code the image's vLLM may fail to load it and exit at start "
            f"(add --trust-remote-code, or use {kaito})"
        )
    raise UsageError(
        f"{what}, which transformers 4 does not have: without --trust-remote-code vLLM {vllm_version} cannot "
        "load the tokenizer and exits at start",
        hint=hint(kaito),
    )
