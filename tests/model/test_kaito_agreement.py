"""akscli's copy of KAITO's node estimator agrees with KAITO for KAITO's whole catalog.

The reference below is written from KAITO's rule, independently of akscli.model.planning, and reads
KAITO's own model catalog (../shared/data/kaito/model_catalog.yaml), not akscli's transcription,
so a wrong number in either akscli's data files or its arithmetic fails here.
"""

from __future__ import annotations

import functools

import pytest
from ruamel.yaml import YAML

from akscli.model import catalog, kaito_estimator, skus

from ._shared import kaito_catalog_path

GIB = 1024**3

# Every Azure size KAITO knows, with KAITO's GPU count and TOTAL GPU memory per node, from
# kaito-project/kaito pkg/sku/azure_sku_handler.go (commit 0d9b555e5f322170ec8f3a9518fed1cf104639b9).
KAITO_AZURE_SKUS: list[tuple[str, int, int]] = [
    ("Standard_NC4as_T4_v3", 1, 16),
    ("Standard_NC8as_T4_v3", 1, 16),
    ("Standard_NC16as_T4_v3", 1, 16),
    ("Standard_NC64as_T4_v3", 4, 64),
    ("Standard_NV36ads_A10_v5", 1, 24),
    ("Standard_NV72ads_A10_v5", 2, 48),
    ("Standard_NC24ads_A100_v4", 1, 80),
    ("Standard_NC48ads_A100_v4", 2, 160),
    ("Standard_NC96ads_A100_v4", 4, 320),
    ("Standard_ND96asr_A100_v4", 8, 320),
    ("Standard_ND96amsr_A100_v4", 8, 640),
    ("Standard_NC40ads_H100_v5", 1, 94),
    ("Standard_NC80adis_H100_v5", 2, 188),
    ("Standard_ND96isr_H100_v5", 8, 640),
    ("Standard_NCC40ads_H100_v5", 1, 94),
    ("Standard_ND96isr_H200_v5", 8, 1128),
    ("Standard_NG32ads_V620_v1", 1, 32),
    ("Standard_NG32adms_V620_v1", 1, 32),
    ("Standard_NV12s_v3", 1, 8),
    ("Standard_NV24s_v3", 2, 16),
    ("Standard_NV48s_v3", 4, 32),
    ("Standard_NV32as_v4", 1, 16),
]

MAX_MODEL_LENS = [2048, 32768]


@functools.cache
def _kaito_models() -> list[dict]:
    # The C loader: the pure-Python one makes this file take minutes.
    return YAML(typ="safe", pure=True).load(kaito_catalog_path().read_text())["models"]


def _bytes_per_token(m: dict) -> int:
    layers = m["numHiddenLayers"]
    if m.get("kvLoraRank") and m.get("qkRopeHeadDim"):
        return (m["kvLoraRank"] + m["qkRopeHeadDim"]) * layers * 2
    head_dim = m.get("headDim") or m["hiddenSize"] // m["numAttentionHeads"]
    return 2 * layers * m["numKeyValueHeads"] * head_dim * 2


def _reference(m: dict, gpus: int, total_gib: int, max_model_len: int) -> tuple[int, int] | None:
    """KAITO's rule: (gpus needed, nodes) or None when the fixed part alone does not fit."""
    assert m["modelFileSize"].endswith("Gi")
    weights = float(m["modelFileSize"][:-2]) * GIB * 1.02
    usable = (total_gib * GIB // gpus) * 0.84
    fixed = 2.3 * GIB + max_model_len * _bytes_per_token(m) / gpus
    if usable <= fixed:
        return None
    need = int(weights // ((usable - fixed) / 1.05)) + 1
    return need, -(-need // gpus)


CASES = [(m["name"], size, n) for m in _kaito_models() for size, _, _ in KAITO_AZURE_SKUS for n in MAX_MODEL_LENS]


def test_every_kaito_model_is_in_the_akscli_catalog() -> None:
    missing = [m["name"] for m in _kaito_models() if catalog.find(m["name"]) is None]
    assert missing == []


def test_every_kaito_vm_size_is_in_the_akscli_sku_table_with_kaitos_memory() -> None:
    for size, gpus, total in KAITO_AZURE_SKUS:
        sku = skus.get(size)
        assert sku is not None, size
        assert (sku.gpus, sku.total_gpu_memory_gib) == (gpus, total), size


@pytest.mark.parametrize(("model_id", "vm_size", "max_model_len"), CASES)
def test_node_estimate_agrees_with_kaito(model_id: str, vm_size: str, max_model_len: int) -> None:
    m = next(x for x in _kaito_models() if x["name"] == model_id)
    _, gpus, total = next(s for s in KAITO_AZURE_SKUS if s[0] == vm_size)
    expected = _reference(m, gpus, total, max_model_len)
    sku = skus.get(vm_size)
    assert sku is not None
    got = kaito_estimator.kaito_estimate(catalog.get(model_id), sku, max_model_len)
    if expected is None:
        assert not got.fits
    else:
        assert got.fits
        assert (got.gpus, got.nodes) == expected


def test_every_preset_kaito_marks_download_auth_required_is_gated_in_the_akscli_catalog() -> None:
    supported = YAML(typ="safe", pure=True).load((kaito_catalog_path().parent / "supported_models.yaml").read_text())[
        "models"
    ]
    marked = {m["name"] for m in supported if m.get("downloadAuthRequired")}
    gated = {m.preset for m in catalog.all_models() if m.preset and m.access_token_required}
    assert marked and marked <= gated
