"""What a vLLM release loads, read from its version: the quant_method names its quantization registry
lists, and the transformers major version its image runs. The version comes from the ``--image``
tag where the tag says it (``vllm/vllm-openai:v0.11.0``); for any other image nothing is judged.
Plain data: no Typer, no rich.

upstream: vllm-project/vllm, each release's wheel on PyPI (v0.8.0 to v0.34.0, every release that is
not an rc, dev or post build): ``vllm/model_executor/layers/quantization/__init__.py``
``QuantizationMethods`` (read with an AST script, diffed release by release: QUANT_CHANGES), and the
wheel's METADATA ``Requires-Dist: transformers``: ``>=4.48.2`` to ``>=4.55.2`` up to v0.11.0 (an
image built before transformers 5 was published), ``<5,>=4.56.0`` from v0.11.1 to v0.19.0,
``!=5.0.*,...,!=5.5.0,>=4.56.0`` from v0.19.1 to v0.23.0 (either major), ``>=5.5.3`` from v0.24.0 on.
``auto-round`` is in the registry from v0.9.0 to v0.14.1; from v0.15.0 on, ``INCConfig.
override_quantization_method`` reads it as ``inc`` (``quantization/inc.py``, from v0.24.0
``quantization/inc/inc.py``), so every release from v0.9.0 loads it.
"""

from __future__ import annotations

import re

# (release, names added, names removed), from v0.8.0's whole list on; a release not named changed nothing.
QUANT_CHANGES: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("0.8.0", ("aqlm", "awq", "awq_marlin", "bitsandbytes", "compressed-tensors", "deepspeedfp", "experts_int8",
               "fbgemm_fp8", "fp8", "gguf", "gptq", "gptq_marlin", "gptq_marlin_24", "hqq", "ipex", "marlin",
               "modelopt", "moe_wna16", "neuron_quant", "nvfp4", "ptpc_fp8", "qqq", "quark", "tpu_int8"), ()),
    ("0.8.4", ("torchao",), ()),
    ("0.8.5", ("bitblas", "gptq_bitblas"), ()),
    ("0.9.0", ("auto-round", "modelopt_fp4"), ("nvfp4",)),
    ("0.9.2", ("rtn",), ()),
    ("0.10.0", ("inc",), ()),
    ("0.10.1", ("mxfp4",), ("aqlm",)),
    ("0.10.2", ("petit_nvfp4",), ("marlin", "neuron_quant", "qqq")),
    ("0.11.1", ("fp_quant",), ()),
    ("0.12.0", ("cpu_awq", "cpu_gptq"), ()),
    ("0.14.0", (), ("cpu_gptq", "tpu_int8")),
    ("0.15.0", (), ("deepspeedfp", "hqq", "rtn")),  # auto-round: read as inc from here on
    ("0.16.0", ("modelopt_mxfp8",), ("bitblas", "gptq_bitblas", "gptq_marlin_24", "ipex")),
    ("0.17.0", ("modelopt_mixed",), ()),
    ("0.19.0", ("mxfp8",), ("ptpc_fp8",)),
    ("0.20.0", ("deepseek_v4_fp8", "fp8_per_block", "fp8_per_tensor", "gpt_oss_mxfp4", "humming",
                "int8_per_channel_weight_only", "online"), ("petit_nvfp4",)),
    ("0.22.0", ("auto_gptq",), ()),
    ("0.23.0", (), ("cpu_awq",)),
    ("0.24.0", ("auto_awq", "fp8_per_channel"), ("gguf",)),
    ("0.26.0", ("nvfp4_per_token",), ()),
    ("0.28.0", (), ("bitsandbytes",)),
    ("0.34.0", ("lut_b_moe", "mxfp4_hadamard32", "w4afp8"), ("fp_quant",)),
)  # fmt: skip
# Every release read (PyPI's vllm releases from v0.8.0, not rc, dev or post builds).
RELEASES = frozenset(
    {
        "0.8.0", "0.8.1", "0.8.2", "0.8.3", "0.8.4", "0.8.5", "0.9.0", "0.9.0.1", "0.9.1", "0.9.2", "0.10.0",
        "0.10.1", "0.10.1.1", "0.10.2", "0.11.0", "0.11.1", "0.11.2", "0.12.0", "0.13.0", "0.14.0", "0.14.1",
        "0.15.0", "0.15.1", "0.16.0", "0.17.0", "0.17.1", "0.18.0", "0.18.1", "0.19.0", "0.19.1", "0.20.0",
        "0.20.1", "0.20.2", "0.21.0", "0.22.0", "0.22.1", "0.23.0", "0.24.0", "0.25.0", "0.25.1", "0.26.0",
        "0.27.0", "0.27.1", "0.28.0", "0.29.0", "0.30.0", "0.31.0", "0.32.0", "0.33.0", "0.34.0",
    }
)  # fmt: skip
# A vLLM image tag: v0.11.0, 0.11.0, v0.19.1-cu130 (a build of that release for another CUDA).
_TAG = re.compile(r"v?(\d+(?:\.\d+){2,3})(?:-[A-Za-z0-9_.-]+)?")


def _key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.lstrip("v").split("."))


def image_version(image: str) -> str | None:
    """The vLLM release an image's tag names (``v0.11.0``), or None where it names none akscli read: a
    repository whose last part does not name vllm (``myorg/server:v1.2.3`` says nothing of its vLLM),
    no tag (a digest only), ``latest``, ``nightly``, or a release not in RELEASES."""
    name = image.split("@", 1)[0]
    path, _, tag = name.rpartition(":")
    if not path or "/" in tag or "vllm" not in path.rsplit("/", 1)[-1].lower():
        return None
    found = _TAG.fullmatch(tag)
    if found is None or found.group(1) not in RELEASES:
        return None
    return f"v{found.group(1)}"


def quant_methods(version: str) -> frozenset[str]:
    """The quant_method names ``version`` (a release in RELEASES, with or without its v) loads."""
    if version.lstrip("v") not in RELEASES:
        raise ValueError(f"vLLM {version} was not read")
    names: set[str] = set()
    for release, added, removed in QUANT_CHANGES:
        if _key(release) > _key(version):
            break
        names = (names | set(added)) - set(removed)
    if _key(version) >= _key("0.15.0"):
        names.add("auto-round")  # INCConfig.override_quantization_method
    return frozenset(names)


# The vllm/vllm-openai image of a release whose wheel allows either major (v0.19.1 to v0.23.0), where a
# published source says which it holds. v0.19.1: transformers 5 (vllm-project/recipes pull 354, "Now that
# v0.19.1 has transformers v5", and vllm-project/vllm-metal pull 286, "vllm 0.19.1, which ships
# transformers v5 officially upstream (#30566)"). v0.20.0 to v0.23.0: no source read says (the Dockerfile
# and requirements at those tags were not reachable here): not judged.
IMAGE_TRANSFORMERS = {"0.19.1": 5}


def transformers_major(version: str) -> int | None:
    """The transformers major version the image of vLLM ``version`` runs: 4 up to v0.19.0, 5 from v0.24.0
    and for v0.19.1 (IMAGE_TRANSFORMERS); None for v0.20.0 to v0.23.0, whose wheel allows either."""
    key = _key(version)
    if key <= _key("0.19.0"):
        return 4
    return 5 if key >= _key("0.24.0") else IMAGE_TRANSFORMERS.get(version.lstrip("v"))


# The CUDA of each release's vllm/vllm-openai:vX.Y.Z tag: 12.x up to v0.19.1 (vllm-project/vllm docker/Dockerfile
# ARG CUDA_VERSION 12.8.1 at v0.11.0, 12.9.1 at v0.19.1), 13.0.2 from v0.20.0 (the same file at v0.20.0,
# v0.23.0 and v0.24.0), each such release also published as vX.Y.Z-cu129 on CUDA 12.9.1
# (vllm-project/vllm v0.20.0 .buildkite/scripts/annotate-release.sh, v0.24.0
# .buildkite/scripts/publish-release-images.sh). CUDA 13.x needs NVIDIA driver 580 or later, 12.x 525 or later
# (docs.nvidia.com/deploy/cuda-compatibility/minor-version-compatibility.html, Table 1).
CUDA13_FROM = "0.20.0"


def driver_note(version: str) -> str:
    """What the node's driver must be for vLLM ``version``'s default tag, said after an image a hint names:
    "" up to v0.19.1 (CUDA 12: every driver AKS installs), else that it needs 580 and which tag does not."""
    if _key(version) < _key(CUDA13_FROM):
        return ""
    return f" (CUDA 13: NVIDIA driver 580 or later; on an older driver, such as AKS's A10 sizes' 570, {version}-cu129)"
