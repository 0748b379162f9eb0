"""Whether the vLLM release an image runs serves a model's architecture (the catalog's ``architecture``,
or config.json's ``architectures[0]`` with --hub-config), judged before akscli renders a vLLM Deployment
that would only crash-loop. Plain logic: no Typer, no rich.

upstream: vllm-project/vllm, each release's wheel on PyPI (every release in vllm_versions.RELEASES),
``vllm/model_executor/models/registry.py``: the keys of ``_VLLM_MODELS`` (data file
``vllm_architectures.txt``, changes per release). An architecture not there is served only through vLLM's
Transformers backend fallback (v0.11.0 ``registry.py`` ``_ModelRegistry.resolve_model_cls`` and
``_try_resolve_transformers``, ``model_loader/utils.py`` ``_get_model_architecture``): with model_impl
auto it needs ``getattr(transformers, architecture)`` (or the repo's own AutoModel under
--trust-remote-code) and that class's ``is_backend_compatible()``. akscli refuses only where transformers
has no such class (``transformers_architectures.txt``: huggingface/transformers v4.57.6 and v5.25.0
``models/auto/modeling_auto.py``) in the major the image runs, and remote code is not trusted; where
transformers has the class, or remote code is trusted, it warns.
"""

from __future__ import annotations

import functools
from pathlib import Path

from akscli.errors import UsageError
from akscli.model import bounded, vllm_versions

_DATA = Path(__file__).resolve().parents[1] / "data"
IMAGE = "vllm/vllm-openai"


def sections(name: str) -> list[tuple[str, list[str]]]:
    """A data file's ``[name]`` sections and their lines (blank and ``#`` lines left out)."""
    found: list[tuple[str, list[str]]] = []
    for line in (_DATA / name).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.startswith("[") and line.endswith("]"):
            found.append((line[1:-1], []))
        elif line and not line.startswith("#"):
            found[-1][1].append(line)
    return found


def per_release(name: str) -> dict[str, frozenset[str]]:
    """A ``[release]`` file of ``+added``/``-removed`` lines as each release's whole set, releases in
    vllm_versions.RELEASES order (vllm_architectures.txt, vllm_config_types.txt)."""
    changes = dict(sections(name))
    names: set[str] = set()
    out: dict[str, frozenset[str]] = {}
    for release in sorted(vllm_versions.RELEASES, key=vllm_versions._key):
        for line in changes.get(release, []):
            (names.add if line[0] == "+" else names.discard)(line[1:])
        out[release] = frozenset(names)
    return out


@functools.cache
def _served() -> dict[str, frozenset[str]]:
    return per_release("vllm_architectures.txt")


@functools.cache
def _transformers() -> dict[str, frozenset[str]]:
    return {major: frozenset(lines) for major, lines in sections("transformers_architectures.txt")}


def served(version: str) -> frozenset[str]:
    """The architectures vLLM ``version`` (a release in RELEASES, with or without its v) registers."""
    found = _served().get(version.lstrip("v"))
    if found is None:
        raise ValueError(f"vLLM {version} was not read")
    return found


def first_serving(architecture: str) -> str | None:
    """The first release akscli knows whose registry holds ``architecture`` (``v0.17.0``), or None."""
    return next((f"v{release}" for release, names in _served().items() if architecture in names), None)


def transformers_has(architecture: str, major: int | None) -> bool:
    """Whether transformers ``major`` (None: either) has a class ``architecture`` the fallback could use."""
    majors = ("4", "5") if major is None else (str(major),)
    return any(architecture in _transformers()[m] for m in majors)


def check(
    model_id: str,
    architecture: str | None,
    vllm_version: str | None,
    trusted: bool,
    kaito: str | None,
) -> str | None:
    """A UsageError where vLLM ``vllm_version`` (the release the image's tag names) cannot serve
    ``architecture``: not in its registry, and no transformers class (nor trusted remote code) for its
    Transformers backend; a warning line where only that fallback might serve it; None where the
    registry serves it, or the architecture or the release is not known. ``kaito``: the flag that picks
    KAITO (whose vLLM serves it) for the hint, or None where KAITO is no way out."""
    if architecture is None or vllm_version is None:
        return None
    if architecture in served(vllm_version):
        return None
    shown = f"{bounded.value(model_id, 48)} ({bounded.value(architecture, 48)})"
    if trusted or transformers_has(architecture, vllm_versions.transformers_major(vllm_version)):
        return (
            f"vLLM {vllm_version}'s model registry lacks {shown}: it can serve it only through its Transformers "
            "backend fallback, where transformers' class (or the repo's own code) supports it"
        )
    first = first_serving(architecture)
    ways = ([f"--image {IMAGE}:{first}{vllm_versions.driver_note(first)}"] if first else []) + (
        [kaito] if kaito else []
    )
    raise UsageError(
        f"vLLM {vllm_version} cannot serve {shown}: its model registry lacks the architecture and the image's "
        "transformers has no class for its Transformers backend, so vLLM exits at start",
        hint=("use " + " or ".join(ways)) if ways else "use an image whose vLLM serves the architecture",
    )
