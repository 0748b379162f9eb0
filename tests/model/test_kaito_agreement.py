"""akscli's KAITO estimate, and the `model plan --runtime kaito` built on it, agree with the KAITO
simulator's own port of KAITO's estimator (tests/emulators/kube/kaito_estimator.py, written from
kaito-project/kaito's estimator.go, SKU table and generator without akscli), for KAITO's whole
catalog (../shared/data/kaito/model_catalog.yaml, upstream's file) on every size of KAITO's table.
akscli reads its own catalog (data/models.yaml) and GPU table (data/gpu_skus.yaml), the port reads
upstream's, so a wrong number in either akscli's data files or its arithmetic fails here.
"""

from __future__ import annotations

import pytest
from ruamel.yaml import YAML

from akscli.model import catalog, kaito_estimator, planning, skus
from tests.emulators.kube import kaito_estimator as port

from ._shared import kaito_catalog_path

CONTEXTS = (2048, 8192, 32768)
MODELS = sorted(port.catalog())


def _cases(name: str) -> list[tuple[skus.GpuSku, int, int | None]]:
    """Each size of KAITO's table (akscli's row of it) at each context the model takes (KAITO's
    webhook refuses a max-model-len above modelTokenLimit, as akscli does), with the port's node
    count there (None where KAITO's estimator fails)."""
    limit = int(port.catalog()[name].get("modelTokenLimit") or 0)
    model = port.preset(name)
    assert model is not None
    cases = []
    for row in port.AZURE_SKUS:
        sku = skus.get(row.sku)
        assert sku is not None, row.sku
        for ctx in (c for c in CONTEXTS if c <= limit):
            try:
                cases.append((sku, ctx, port.node_count(model, row, 0, ctx)))
            except port.EstimateError:
                cases.append((sku, ctx, None))
    return cases


def test_every_kaito_model_is_in_the_akscli_catalog() -> None:
    assert [name for name in MODELS if catalog.find(name) is None] == []


def test_akscli_plans_kaito_on_the_sizes_of_kaitos_table_with_kaitos_gpus_and_memory() -> None:
    assert sorted(kaito_estimator.KAITO_VM_SIZES) == sorted(row.sku for row in port.AZURE_SKUS)
    for row in port.AZURE_SKUS:
        sku = skus.get(row.sku)
        assert sku is not None, row.sku
        assert (sku.gpus, sku.total_gpu_memory_gib) == (row.gpu_count, row.gpu_mem_gib), row.sku


@pytest.mark.parametrize("name", MODELS)
def test_akscli_estimate_counts_kaitos_nodes(name: str) -> None:
    model = catalog.get(name)
    got = [(sku.vm_size, ctx, kaito_estimator.kaito_estimate(model, sku, ctx)) for sku, ctx, _ in _cases(name)]
    want = [(sku.vm_size, ctx, nodes) for sku, ctx, nodes in _cases(name)]
    assert [(size, ctx, est.nodes if est.fits else None) for size, ctx, est in got] == want


# Where `model plan --runtime kaito` says no though KAITO provisions nodes: KAITO runs vLLM at
# tensor parallel = the node's GPUs (kaito-project/kaito pkg/model/interface.go configureParallelism),
# and vLLM refuses a degree that does not divide the model's heads (akscli.model.vllm_tp.refusal), so
# the pods would crash-loop on nodes KAITO provisioned. akscli is deliberately stricter there.
VLLM_REFUSES_KAITOS_TENSOR_PARALLEL = "KAITO runs vLLM at tensor parallel "


@pytest.mark.parametrize("name", MODELS)
def test_plan_counts_kaitos_nodes_unless_vllm_refuses_kaitos_tensor_parallel(name: str) -> None:
    model = catalog.get(name)
    wrong = []
    for sku, ctx, want in _cases(name):
        option = planning.kaito_fit(model, sku, context=ctx)
        if option.fits and option.nodes == want:
            continue
        if not option.fits and want is not None and option.reason.startswith(VLLM_REFUSES_KAITOS_TENSOR_PARALLEL):
            continue
        if not option.fits and want is None:
            continue
        wrong.append((sku.vm_size, ctx, option.fits, option.nodes, option.reason, want))
    assert wrong == []


def test_every_preset_kaito_marks_download_auth_required_is_gated_in_the_akscli_catalog() -> None:
    supported = YAML(typ="safe", pure=True).load((kaito_catalog_path().parent / "supported_models.yaml").read_text())[
        "models"
    ]
    marked = {m["name"] for m in supported if m.get("downloadAuthRequired")}
    gated = {m.preset for m in catalog.all_models() if m.preset and m.access_token_required}
    assert marked and marked <= gated
