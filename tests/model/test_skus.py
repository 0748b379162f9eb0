"""The GPU SKU table: facts traced to ../shared/data/azure-gpu-skus.csv, lookups, price files."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from akscli.errors import UsageError
from akscli.model import skus

from ._shared import shared_dir

pytestmark = pytest.mark.usefixtures("builtin_prices")


def _csv_rows() -> list[dict[str, str]]:
    text = (shared_dir() / "data" / "azure-gpu-skus.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def test_every_priced_row_of_the_shared_csv_is_in_the_table_with_the_same_price() -> None:
    for row in _csv_rows():
        if not row["price_usd_per_hour"]:
            continue
        sku = skus.get(row["sku"])
        assert sku is not None, row["sku"]
        assert sku.price(row["region"]) == float(row["price_usd_per_hour"]), row


def test_hardware_facts_match_the_shared_csv() -> None:
    for row in _csv_rows():
        sku = skus.get(row["sku"])
        if sku is None or not row["gpus"]:
            continue
        assert (sku.gpus, sku.gpu_memory_gib, sku.vcpus, sku.memory_gib) == (
            int(row["gpus"]),
            float(row["gpu_memory_gib"]),
            int(row["vcpus"]),
            float(row["memory_gib"]),
        ), row["sku"]


def test_get_is_case_insensitive_and_knows_kaitos_alias() -> None:
    assert skus.get("standard_nc24ads_a100_v4") is skus.get("Standard_NC24ads_A100_v4")
    alias = skus.get("Standard_ND96asr_A100_v4")
    assert alias is not None and alias.vm_size == "Standard_ND96asr_v4"


def test_get_returns_none_for_an_unknown_size() -> None:
    assert skus.get("Standard_D4s_v5") is None


def test_find_picks_the_cheapest_size_of_a_family_and_gpu_count() -> None:
    assert skus.find("t4", 1).vm_size == "Standard_NC4as_T4_v3"


def test_find_lists_what_exists_when_nothing_matches() -> None:
    with pytest.raises(UsageError) as err:
        skus.find("h100", 3)
    assert "h100 x8" in (err.value.hint or "")


def test_price_is_per_region_and_none_where_unknown() -> None:
    assert skus.price("Standard_NC24ads_A100_v4", "southcentralus") == 4.408
    assert skus.price("Standard_NC24ads_A100_v4", "westeurope") is None
    assert skus.price("Standard_ND96isr_H200_v5") is None


def test_a_csv_price_file_replaces_only_the_sizes_it_names(tmp_path: Path) -> None:
    path = tmp_path / "prices.csv"
    path.write_text("vm_size,region,price_usd_per_hour\nStandard_NC24ads_A100_v4,eastus,1.5\n")
    skus.load(str(path))
    assert skus.price("Standard_NC24ads_A100_v4") == 1.5
    assert skus.price("Standard_NC4as_T4_v3") == 0.526


def test_a_yaml_price_file_can_add_a_region(tmp_path: Path) -> None:
    path = tmp_path / "prices.yaml"
    path.write_text("Standard_ND96isr_H200_v5: {westeurope: 110.0}\n")
    skus.load(str(path))
    assert skus.price("Standard_ND96isr_H200_v5", "westeurope") == 110.0


def test_a_price_file_naming_an_unknown_size_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "prices.yaml"
    path.write_text("Standard_Nope_v9: {eastus: 1.0}\n")
    with pytest.raises(UsageError, match="Standard_Nope_v9"):
        skus.load(str(path))


def test_a_price_that_is_not_a_number_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "prices.csv"
    path.write_text("vm_size,region,price_usd_per_hour\nStandard_NC4as_T4_v3,eastus,cheap\n")
    with pytest.raises(UsageError, match="line 2"):
        skus.load(str(path))


@pytest.mark.parametrize("price", ["-3", "0", "nan", "inf", "1e9"])
@pytest.mark.parametrize("suffix", [".csv", ".yaml"])
def test_a_price_that_no_vm_costs_is_refused_not_planned_with(tmp_path: Path, price: str, suffix: str) -> None:
    path = tmp_path / f"prices{suffix}"
    if suffix == ".csv":
        path.write_text(f"vm_size,region,price_usd_per_hour\nStandard_NC24ads_A100_v4,eastus,{price}\n")
    else:
        path.write_text(f"Standard_NC24ads_A100_v4: {{eastus: {price}}}\n")
    with pytest.raises(UsageError, match="is not between 0 and 1000"):
        skus.load(str(path))
