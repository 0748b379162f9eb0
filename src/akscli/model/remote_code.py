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

Sure only where both are read: the model_type is not mapped by the transformers major the image of the
vLLM release its tag names runs (vllm_versions.transformers_major; the data file
``transformers_model_types.txt``: [4] the v4 releases' names, v4.48.0 to v4.57.6; either major, every
release to v5.25.0), and not in that release's ``_CONFIG_REGISTRY`` (the data file ``vllm_config_types.txt``).
An image whose release, or whose transformers major, akscli does not know gets a warning instead. The
catalog's entries carry their config.json's model_type and auto_map AutoConfig where a published copy was
read (models.yaml ``model_type``, ``auto_config``; akscli.model.catalog.config_of), and are judged the same way.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from akscli.errors import UsageError
from akscli.model import bounded, vllm_archs, vllm_versions

_TYPES = "transformers_model_types.txt"
# vLLM's _CONFIG_REGISTRY, release by release (vllm/transformers_utils/config.py of each wheel in RELEASES).
VLLM_CONFIGS = "vllm_config_types.txt"  # in akscli/data, read by vllm_archs.sections
IMAGE = "vllm/vllm-openai"
# KAITO's preset passes --trust-remote-code itself (akscli.model.flag_checks.trust_remote_code): the other way out.
KAITO = "--runtime kaito"


def hint(kaito: str = KAITO, image: str | None = None) -> str:
    """The ways out of a refusal: the flag, an image (``image``: the first release that loads the config
    without it, where one does), or KAITO (``kaito``: --runtime kaito, or --provider kaito under AI Runway)."""
    return (
        "add --trust-remote-code to run the repo's own code in the vLLM pod (only for a repo you trust), "
        + (f"use --image {IMAGE}:{image}{vllm_versions.driver_note(image)}, " if image else "")
        + f"or use {kaito}"
    )


@functools.cache
def _type_sections() -> dict[str, frozenset[str]]:
    return {name: frozenset(lines) for name, lines in vllm_archs.sections(_TYPES)}


def transformers_types(major: int | None = None) -> frozenset[str]:
    """The model_types transformers ``major`` maps: 4, those of a transformers 4 release (the data file's
    [4]); 5 or None (either), every release's from v4.48.0 to v5.25.0: an image's v5 release may be an
    early one that still maps a name a later one dropped, so only names no release maps count as missing."""
    sections = _type_sections()
    return sections["4"] if major == 4 else sections["4"] | sections["5"]


@functools.cache
def _vllm_configs() -> dict[str, frozenset[str]]:
    return vllm_archs.per_release(VLLM_CONFIGS)


def vllm_configs(version: str) -> frozenset[str]:
    """The model_types vLLM ``version`` (a release in RELEASES) loads with a config class of its own."""
    found = _vllm_configs().get(version.lstrip("v"))
    if found is None:
        raise ValueError(f"vLLM {version} was not read")
    return found


def vllm_own(version: str) -> frozenset[str]:
    """The model_types no transformers maps that vLLM ``version`` (a release in RELEASES) loads with its own class."""
    return vllm_configs(version) - transformers_types()


def remote_type(config: Mapping[str, Any], major: int | None = None) -> str | None:
    """The model_type of a config.json whose ``auto_map`` names an AutoConfig of the repo's own code and
    that transformers ``major`` (None: any release akscli read) does not map ("" where it names none);
    None where transformers loads it."""
    auto_map = config.get("auto_map")
    if not isinstance(auto_map, Mapping) or "AutoConfig" not in auto_map:
        return None
    model_type = config.get("model_type")
    model_type = model_type if isinstance(model_type, str) else ""
    return None if model_type in transformers_types(major) else model_type


def needs_remote(config: Mapping[str, Any], version: str, major: int | None) -> str | None:
    """remote_type for vLLM ``version`` running transformers ``major``, less the model_types the release
    loads with its own config class; None where that image loads the config without the repo's code."""
    model_type = remote_type(config, major)
    return None if model_type is None or model_type in vllm_configs(version) else model_type


# The least release of vLLM whose wheel requires transformers>=5.5.3 (vllm_versions): from here on every image
# maps the data file's [5.5.3] names.
_FROM_5_5_3 = "0.24.0"


def first_loading(config: Mapping[str, Any]) -> str | None:
    """The first release akscli knows (``v0.24.0``) whose every image loads the config without the repo's
    code, its model_type being in the release's own config registry or, from v0.24.0, in transformers
    v5.5.3 (the least its wheel allows), and that serves its ``architectures[0]`` (akscli.model.vllm_archs);
    None where none does. An earlier image whose transformers release akscli cannot pin is not named."""
    from akscli.model import vllm_archs

    model_type, archs = config.get("model_type"), config.get("architectures")
    arch = archs[0] if isinstance(archs, list) and archs and isinstance(archs[0], str) else None
    for release in sorted(vllm_versions.RELEASES, key=vllm_versions._key):
        late = vllm_versions._key(release) >= vllm_versions._key(_FROM_5_5_3)
        loads = model_type in vllm_configs(release) or (late and model_type in _type_sections()["5.5.3"])
        if loads and (arch is None or arch in vllm_archs.served(release)):
            return f"v{release}"
    return None


def check(
    model_id: str,
    config: Mapping[str, Any],
    vllm_version: str | None,
    trusted: bool,
    kaito: str = KAITO,
    auto_map_read: bool = True,
) -> str | None:
    """A UsageError where vLLM ``vllm_version`` (the release the image's tag names) cannot load the config
    without remote code and ``trusted`` (--trust-remote-code) is not given; a warning line where that depends
    on what akscli does not know: the image's release (None) or its transformers major; else None.
    ``kaito``: the flag that picks KAITO instead (hint). A config that names no AutoConfig is judged on its
    model_type alone (_type_only), refused even when ``trusted`` where its auto_map was read (``auto_map_read``
    False: a catalog model_type derived from its architecture, whose repo may ship config code)."""
    auto_map = config.get("auto_map")
    if not isinstance(auto_map, Mapping) or "AutoConfig" not in auto_map:
        # No config code of the repo's to trust (or none read): the model_type alone decides.
        return (
            None if trusted and not auto_map_read else _type_only(model_id, config, vllm_version, kaito, auto_map_read)
        )
    if trusted:
        return None
    major = None if vllm_version is None else vllm_versions.transformers_major(vllm_version)
    if vllm_version is None or major is None:
        # An image whose release, or whose transformers major, akscli does not know may run transformers 4.
        model_type = remote_type(config, 4)
        if model_type is None or (vllm_version is not None and model_type in vllm_configs(vllm_version)):
            return None
        if vllm_version is not None and remote_type(config) is None:
            return (
                f"{bounded.value(model_id, 48)}'s config.json needs the repo's own code (model_type "
                f"{bounded.value(model_type, 40) or 'unset'}, auto_map AutoConfig) under transformers 4, and akscli "
                f"does not know which major vLLM {vllm_version}'s image runs: without --trust-remote-code its "
                f"vLLM may exit at start (add --trust-remote-code, or use {kaito})"
            )
    else:
        model_type = needs_remote(config, vllm_version, major)
        if model_type is None:
            return None
    shown = bounded.value(model_type, 40) or "unset"
    if vllm_version is None:
        return (
            f"{bounded.value(model_id, 48)}'s config.json needs the repo's own code (model_type "
            f"{shown}, auto_map AutoConfig), and akscli does not know the image's vLLM: without "
            f"--trust-remote-code its vLLM may exit at start (add --trust-remote-code, or use {kaito})"
        )
    # Known to a transformers release, but not to the major this image runs (nemotron_h: transformers 5 only).
    which = (
        f"the image's transformers {major}"
        if major is not None and model_type in transformers_types()
        else "transformers"
    )
    raise UsageError(
        f"{bounded.value(model_id, 48)}'s config.json needs the repo's own code (model_type {shown}, auto_map "
        f"AutoConfig), which neither {which} nor vLLM {vllm_version}'s own configs know: without "
        "--trust-remote-code vLLM exits at start",
        hint=hint(kaito, first_loading(config)),
    )


def _type_only(
    model_id: str, config: Mapping[str, Any], vllm_version: str | None, kaito: str, auto_map_read: bool
) -> str | None:
    """check for a config that names no auto_map AutoConfig (``auto_map_read`` False: its auto_map was not
    read). Without the repo's own config code, AutoConfig loads only a model_type transformers maps, and raises
    ValueError on any other (huggingface/transformers v4.57.6 ``models/auto/configuration_auto.py``
    AutoConfig.from_pretrained: "does not recognize this architecture"), which vLLM re-raises at start
    (vllm-project/vllm v0.11.0 wheel ``vllm/transformers_utils/config.py`` HFConfigParser.parse); a model_type
    of the release's ``_CONFIG_REGISTRY`` loads with vLLM's own class. A UsageError where the image's
    transformers major is known and neither maps it, a warning where the major is not known and transformers 4
    lacks it, else None."""
    model_type = config.get("model_type")
    if not isinstance(model_type, str) or not model_type:
        return None
    major = None if vllm_version is None else vllm_versions.transformers_major(vllm_version)
    if model_type in transformers_types(4 if major is None else major) or (
        vllm_version is not None and model_type in vllm_configs(vllm_version)
    ):
        return None
    what = f"{bounded.value(model_id, 48)}'s config.json has model_type {bounded.value(model_type, 40)}"
    # Read: the config names no AutoConfig, so --trust-remote-code cannot help. Not read: it may name one.
    trust = (
        "with or without --trust-remote-code (it names no auto_map AutoConfig)"
        if auto_map_read
        else "(only the repo's own config code, if it ships one, loads it with --trust-remote-code)"
    )
    if major is None:
        image = "the image's vLLM" if vllm_version is None else f"which major vLLM {vllm_version}'s image runs"
        return (
            f"{what}, which transformers 4 does not map, and akscli does not know {image}: its vLLM may exit "
            f"at start (use {kaito})"
        )
    first = first_loading(config)
    raise UsageError(
        f"{what}, which neither the image's transformers {major} nor vLLM {vllm_version}'s own configs know: "
        f"vLLM exits at start {trust}",
        hint=(f"use --image {IMAGE}:{first}, or use {kaito}" if first else f"use {kaito}"),
    )


# A Mistral-format repo. vLLM's --config-format auto (the default) reads the repo's params.json instead of its
# config.json, and builds its config from it without AutoConfig (MistralConfigParser, adapt_config_dict; config.json
# is read only as a plain dict, or for max_position_embeddings with a fallback), so config.json's model_type does
# not stop it. Read in vllm-project/vllm's releases, vllm/transformers_utils/config.py get_config:
# - v0.11.0, v0.11.1, v0.11.2 (sdists): config.json first ("hf"), params.json only where there is none;
# - v0.12.0, v0.13.0, v0.14.0, v0.14.1 (sdists), v0.15.0, v0.15.1 (wheels): "First check for Mistral", a
#   params.json at the repo's top is enough;
# - v0.16.0, v0.19.1, v0.20.0, v0.23.0, v0.24.0, v0.34.0 (sdists): params.json and is_mistral_model_repo, a
#   file named consolidated*.safetensors anywhere in the repo (vllm/transformers_utils/repo_utils.py
#   list_filtered_repo_files: fnmatch on each path's basename).
MISTRAL_CONFIG = "params.json"
_PARAMS_FIRST = "0.12.0"
_CONSOLIDATED_TOO = "0.16.0"


def may_read_params_json(vllm_version: str | None) -> bool:
    """Whether vLLM ``vllm_version`` (a release akscli knows; None: not known, False) reads a repo's params.json
    rather than its config.json where the repo's file list shows one (v0.12.0 and later; the list decides)."""
    return vllm_version is not None and vllm_versions._key(vllm_version) >= vllm_versions._key(_PARAMS_FIRST)


def reads_params_json(files: Iterable[Mapping[str, Any]], vllm_version: str | None) -> bool:
    """Whether vLLM ``vllm_version`` (a release akscli knows; None: not known, False) reads the repo's params.json
    rather than its config.json, by the repo's file list (hub_config.list_files)."""
    import fnmatch

    if vllm_version is None or not may_read_params_json(vllm_version):
        return False
    paths = [f["path"] for f in files if isinstance(f.get("path"), str)]
    if MISTRAL_CONFIG not in paths:
        return False
    if vllm_versions._key(vllm_version) < vllm_versions._key(_CONSOLIDATED_TOO):
        return True
    return any(fnmatch.fnmatch(path.rsplit("/", 1)[-1], "consolidated*.safetensors") for path in paths)


def params_json_later(
    refused: UsageError, files: Iterable[Mapping[str, Any]], vllm_version: str | None, kaito: str = KAITO
) -> UsageError:
    """``refused`` (the config judge's refusal), saying so where a later vLLM than ``vllm_version`` would read the
    repo's params.json instead of its config.json (a Mistral-format repo on v0.11.x): the image akscli pins where
    that one reads it, else the last release that does (v0.15.1: a params.json without consolidated weights)."""
    files = list(files)
    if vllm_version is None or reads_params_json(files, vllm_version):
        return refused
    later = next((v for v in (_OWN_IMAGE, _PARAMS_ALONE_UNTIL) if reads_params_json(files, v)), None)
    if later is None:
        return refused
    which = "v0.12.0 and later read" if later == _OWN_IMAGE else f"v0.12.0 to {later} read"
    return UsageError(
        f"{refused.message}; vLLM {which} its {MISTRAL_CONFIG} instead (a Mistral-format repo)",
        hint=f"use --image {IMAGE}:{later}{vllm_versions.driver_note(later)}, or use {kaito}",
    )


# The image akscli pins (hub_describe.OWN_VLLM), and the last release read that takes a params.json alone.
_OWN_IMAGE, _PARAMS_ALONE_UNTIL = "v0.24.0", "v0.15.1"


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
