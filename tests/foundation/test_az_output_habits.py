"""az's output habits (`--query`, `-o tsv`, `-o jsonc`) are refused in one line whose hint names akscli's
kubectl form. az's global flags: microsoft/knack knack/query.py (--query, a JMESPath filter) and
knack/output.py (OutputProducer._FORMAT_DICT: json, jsonc, yaml, yamlc, table, tsv, none); kubectl's
printers have none of these. Before, each hint said only `run '... --help' for usage` or listed
the formats."""

from __future__ import annotations

from tests.cli import invoke


def _refused(*args: str) -> list[str]:
    result = invoke(*args)
    assert (result.exit_code, result.stdout) == (2, ""), result
    return result.stderr.splitlines()


def test_query_names_jsonpath_where_the_command_prints_it() -> None:
    assert _refused("cluster", "show", "ml", "-g", "rg-ml", "--query", "name") == [
        "error: No such option: --query",
        "hint: --query is az's JMESPath filter; 'akscli cluster show' picks fields with -o jsonpath=TEMPLATE",
    ]


def test_query_keeps_the_usage_hint_where_the_command_prints_no_jsonpath() -> None:
    assert (
        _refused("model", "delete", "phi-4", "--query", "name")[-1]
        == "hint: run 'akscli model delete --help' for usage"
    )


def test_output_tsv_names_jsonpath() -> None:
    assert _refused("cluster", "list", "-o", "tsv") == [
        "error: -o: unknown output format 'tsv'",
        "hint: use -o table|wide|json|yaml|name|jsonpath=TEMPLATE|custom-columns=SPEC "
        "(az's tsv: -o jsonpath=TEMPLATE prints the fields it names, bare, as kubectl does)",
    ]


def test_output_jsonc_names_json() -> None:
    assert _refused("model", "list", "-o", "jsonc")[-1].endswith("(az's jsonc is -o json here)")


def test_output_tsv_where_the_command_prints_no_jsonpath_lists_its_formats_alone() -> None:
    assert _refused("model", "delete", "phi-4", "-y", "-o", "tsv")[-1] == "hint: use -o name"
