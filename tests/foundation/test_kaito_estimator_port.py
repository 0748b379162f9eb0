"""The KAITO simulator's port of KAITO's node estimator (tests/emulators/kube/kaito_estimator.py)
gives upstream's own answers: the cases of kaito-project/kaito v0.12.0
pkg/workspace/estimator/nodesestimator/estimator_test.go (NAP on; their test models from
pkg/utils/test/test_model.go) and pkg/utils/config_parser_test.go, fed to the port as upstream
feeds them."""

from __future__ import annotations

import pytest

from tests.emulators.kube import kaito_estimator as port

# pkg/utils/test/test_model.go: testModel ("test-model": 8Gi, BytesPerToken unset, no distributed
# inference), testFalcon7BModel, testQwen25Coder32BModel.
TEST_MODEL = port.Preset("8Gi", 0, distributed=False)
FALCON_7B = port.Preset("13.44Gi", 8192, distributed=False)
QWEN_32B = port.Preset("62.5Gi", 163840)
A10, A100, A100X4 = "Standard_NV36ads_A10_v5", "Standard_NC24ads_A100_v4", "Standard_NC96ads_A100_v4"

# (estimator_test.go case, model, instance type, resource.count or 0 for nil, expected count)
ESTIMATES = [
    (
        "Should optimize node count with valid instance type when NAP enabled",
        TEST_MODEL,
        A100X4,
        4,
        1,
    ),
    ("Should respect user node count when already optimal", TEST_MODEL, A10, 1, 1),
    ("Should handle workspace with nil resource count", TEST_MODEL, A10, 0, 1),
    ("Should optimize falcon-7b with A10 GPU - single node sufficient", FALCON_7B, A10, 3, 1),
    ("Should respect user choice for falcon-7b when user requests 1 node", FALCON_7B, A10, 1, 1),
    ("Should optimize falcon-7b with A100 GPU", FALCON_7B, A100, 4, 1),
    (
        "Should optimize qwen2.5-coder-32b with A100 GPU - two nodes sufficient",
        QWEN_32B,
        A100,
        3,
        2,
    ),
]


@pytest.mark.parametrize(("case", "model", "size", "count", "want"), ESTIMATES, ids=[c[0] for c in ESTIMATES])
def test_the_port_counts_the_nodes_of_kaitos_estimator_tests(
    case: str, model: port.Preset, size: str, count: int, want: int
) -> None:
    assert port.node_count(model, port.gpu_config_by_sku(size), count) == want


@pytest.mark.parametrize(("count", "want"), [(3, 3), (0, 1)])
def test_without_a_preset_the_count_is_resource_count_or_1(count: int, want: int) -> None:
    # "Should return resource count when preset name is empty", "... when inference is nil and count is nil"
    assert port.estimate("", "Standard_NV36ads_A10_v5", count) == want


def test_an_instance_type_outside_kaitos_table_fails_the_estimate() -> None:
    # "Should return error for invalid instance type when NAP enabled"
    with pytest.raises(port.EstimateError, match="failed to get GPU config for instance type Invalid_Instance_Type"):
        port.estimate("phi-4", "Invalid_Instance_Type", 1)


def test_a_model_without_distributed_inference_fails_where_it_needs_two_nodes() -> None:
    # estimator.go's last check, with falcon-7b's test model on a GPU half the size it needs
    with pytest.raises(port.EstimateError, match="calculated nodes: 2"):
        port.node_count(FALCON_7B, port.GPUConfig("half", 1, 16))


def test_kaitos_table_is_matched_without_regard_to_case() -> None:
    # cloud_sku_handler.go GetGPUConfigBySKU: strings.EqualFold
    assert port.gpu_config_by_sku("standard_nc24ads_a100_v4").gpu_mem_gib == 80


def test_a_legacy_preset_name_reads_its_catalog_entry() -> None:
    # plugin.go LegacyBuiltinToCatalog "phi-4" -> "microsoft/phi-4"; model_catalog.yaml: 27.31Gi,
    # 40 layers, 40 heads over 5120, 10 KV heads: 2 x 10 x 128 x 40 x 2 bytes
    assert port.preset("Phi-4") == port.Preset("27.31Gi", 204800)


def test_a_fractional_gibibyte_size_is_rounded_up_to_a_byte() -> None:
    # resource.Quantity Value(): 7.15Gi is 7677254041.6 bytes
    assert port.quantity_value("7.15Gi") == 7677254042


# pkg/utils/config_parser_test.go TestParseExplicitMaxModelLen
MAX_MODEL_LENS = [
    ("found under vllm section", "vllm:\n  max-model-len: 4096\n", 4096),
    ("large value", "vllm:\n  max-model-len: 131072\n", 131072),
    ("no vllm section", "other:\n  key: value\n", None),
    ("vllm section without max-model-len", "vllm:\n  tensor-parallel-size: 4\n", None),
    ("empty max-model-len value", "vllm:\n  max-model-len:\n", None),
    ("zero value is not valid", "vllm:\n  max-model-len: 0\n", None),
    ("negative value is not valid", "vllm:\n  max-model-len: -1\n", None),
    ("non-integer value is skipped", "vllm:\n  max-model-len: abc\n", None),
    (
        "max-model-len in different section is ignored",
        "vllm:\n  tensor-parallel-size: 4\ntransformers:\n  max-model-len: 1024\n",
        None,
    ),
    ("empty content", "", None),
]


@pytest.mark.parametrize(("case", "content", "want"), MAX_MODEL_LENS, ids=[c[0] for c in MAX_MODEL_LENS])
def test_the_context_is_read_as_kaitos_config_parser_reads_it(case: str, content: str, want: int | None) -> None:
    assert port.parse_explicit_max_model_len(content) == want
