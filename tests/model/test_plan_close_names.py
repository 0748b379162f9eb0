"""`model plan|deploy --vm-size` with a size typed wrong listed all 22 known GPU sizes and left the
user to find the one meant; `--region` typed wrong said only which regions have prices. Both now
lead with the close one (akscli/suggest.py), compared as the names differ: a VM size without the
`Standard_` every size starts with, which made any two sizes close."""

from __future__ import annotations

from tests.cli import invoke


def test_a_vm_size_missing_its_version_suffix_is_answered_with_the_size() -> None:
    result = invoke("model", "plan", "phi-4", "--vm-size", "Standard_NC24ads_A100")
    assert result.exit_code == 2, result
    assert result.stderr.splitlines()[1].startswith(
        "hint: did you mean Standard_NC24ads_A100_v4? known GPU sizes: Standard_NC4as_T4_v3, "
    )


def test_a_size_close_to_no_gpu_size_gets_the_list_alone() -> None:
    result = invoke("model", "deploy", "phi-4", "--vm-size", "Standard_D4s_v5", "--dry-run=client")
    assert result.exit_code == 2, result
    assert result.stderr.splitlines()[1].startswith("hint: known GPU sizes: ")


def test_a_region_typed_wrong_is_answered_with_the_region() -> None:
    result = invoke("model", "plan", "phi-4", "--region", "east-us")
    assert (
        "warning: no prices for region 'east-us' (did you mean eastus? prices known for eastus, southcentralus, "
        "westus); give --price-file for it"
    ) in result.stderr
