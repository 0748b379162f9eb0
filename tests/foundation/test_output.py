"""The output layer: machine-readable stdout, humans' tables on a TTY, progress on stderr."""

from __future__ import annotations

import json

import pytest

from akscli import output, statuslines, yamlio
from akscli.errors import UsageError
from akscli.output import Column
from tests.cli import list_items

ITEMS = [
    {
        "metadata": {"name": "llama", "namespace": "ml"},
        "spec": {"replicas": 2},
        "kind": "Workspace",
        "apiVersion": "kaito.sh/v1beta1",
    },
    {
        "metadata": {"name": "phi", "namespace": "ml"},
        "spec": {"replicas": 1},
        "kind": "Workspace",
        "apiVersion": "kaito.sh/v1beta1",
    },
]
COLUMNS = [
    Column("name", "metadata.name"),
    Column("replicas", "spec.replicas"),
    Column("namespace", "metadata.namespace", wide=True),
]


class FakeTTY:
    def __init__(self, stream: object) -> None:
        self.stream = stream


def test_piped_table_is_plain_aligned_text(capsys: pytest.CaptureFixture[str]) -> None:
    output.emit(ITEMS, "table", COLUMNS)
    out = capsys.readouterr().out
    assert out.splitlines() == ["NAME    REPLICAS", "llama   2", "phi     1"]
    assert "\x1b[" not in out


def test_wide_adds_the_wide_columns(capsys: pytest.CaptureFixture[str]) -> None:
    output.emit(ITEMS, "wide", COLUMNS)
    assert capsys.readouterr().out.splitlines()[0].split() == ["NAME", "REPLICAS", "NAMESPACE"]


# What kubectl get -A -o json / -o yaml / an empty list printed (kubectl v1.32.4; kubernetes/kubectl
# v0.32.4 pkg/cmd/get/get.go printGeneric): docs/changes/audit12-list.md.
def test_json_prints_the_items_in_kubectls_v1_list(capsys: pytest.CaptureFixture[str]) -> None:
    output.emit(ITEMS, "json", COLUMNS)
    assert list_items(capsys.readouterr().out) == ITEMS


def test_yaml_prints_the_items_in_kubectls_v1_list(capsys: pytest.CaptureFixture[str]) -> None:
    output.emit(ITEMS, "yaml", COLUMNS)
    out = capsys.readouterr().out
    assert list_items(out) == ITEMS
    assert out.startswith("apiVersion: v1\nitems:\n- ")
    assert out.endswith("kind: List\nmetadata:\n  resourceVersion: ''\n")


def test_an_empty_list_prints_an_empty_v1_list_in_json(capsys: pytest.CaptureFixture[str]) -> None:
    output.emit([], "json", COLUMNS)
    expected = '{\n  "apiVersion": "v1",\n  "items": [],\n  "kind": "List",\n'
    expected += '  "metadata": {\n    "resourceVersion": ""\n  }\n}\n'
    assert capsys.readouterr().out == expected


def test_an_empty_list_prints_an_empty_v1_list_in_yaml(capsys: pytest.CaptureFixture[str]) -> None:
    output.emit([], "yaml", COLUMNS)
    assert capsys.readouterr().out == "apiVersion: v1\nitems: []\nkind: List\nmetadata:\n  resourceVersion: ''\n"


def test_the_lists_keys_are_in_kubectls_order(capsys: pytest.CaptureFixture[str]) -> None:
    # kubectl marshals the List as a map: its keys sorted, apiVersion, items, kind, metadata.
    output.emit(ITEMS, "json", COLUMNS)
    assert list(json.loads(capsys.readouterr().out)) == ["apiVersion", "items", "kind", "metadata"]
    output.emit(ITEMS, "yaml", COLUMNS)
    assert list(yamlio.load(capsys.readouterr().out)) == ["apiVersion", "items", "kind", "metadata"]


def test_jsonpath_and_json_see_the_same_document(capsys: pytest.CaptureFixture[str]) -> None:
    output.emit(ITEMS, "json", COLUMNS)
    printed = json.loads(capsys.readouterr().out)
    output.emit(ITEMS, "jsonpath-as-json={$}", COLUMNS)
    assert json.loads(capsys.readouterr().out) == [printed]
    output.emit(ITEMS, "jsonpath={.items[*].metadata.name} {.metadata.resourceVersion}{.kind}", COLUMNS)
    assert capsys.readouterr().out == "llama phi List"


def test_records_that_are_not_kubernetes_objects_print_in_the_same_list(capsys: pytest.CaptureFixture[str]) -> None:
    # An ARM resource, a catalog row: the same envelope as Kubernetes objects, one document shape.
    records = [{"name": "aks1", "location": "westus3"}]
    output.emit(records, "json", COLUMNS, raw=dict)
    assert list_items(capsys.readouterr().out) == records


def test_name_prints_kind_group_slash_name(capsys: pytest.CaptureFixture[str]) -> None:
    output.emit(ITEMS, "name", COLUMNS)
    assert capsys.readouterr().out.splitlines() == ["workspace.kaito.sh/llama", "workspace.kaito.sh/phi"]


def test_csv_has_a_header_and_every_column(capsys: pytest.CaptureFixture[str]) -> None:
    output.emit(ITEMS, "csv", COLUMNS)
    assert capsys.readouterr().out.splitlines() == ["name,replicas,namespace", "llama,2,ml", "phi,1,ml"]


def test_an_empty_table_says_so_on_stderr_and_prints_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    output.emit([], "table", COLUMNS)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "No resources found." in captured.err


LONG = [{"name": "Standard_NC24ads_A100_v4", "price": "5,362.58", "zone": "eastus-1", "note": "x" * 40}]
LONG_COLUMNS = [
    Column("name", "name"),
    Column("price", "price"),
    Column("zone", "zone"),
    Column("note", "note", wide=True),
]


def test_a_terminal_table_never_breaks_a_value(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(output, "stdout_is_tty", lambda: True)
    monkeypatch.setenv("COLUMNS", "30")
    output.emit(LONG, "table", LONG_COLUMNS)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert lines[1].split() == ["Standard_NC24ads_A100_v4", "5,362.58", "eastus-1"]


def test_a_narrow_terminal_drops_the_wide_columns_first(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(output, "stdout_is_tty", lambda: True)
    monkeypatch.setenv("COLUMNS", "60")
    output.emit(LONG, "wide", LONG_COLUMNS)
    captured = capsys.readouterr()
    assert captured.out.splitlines()[0].split() == ["NAME", "PRICE", "ZONE"]
    assert "1 wide column(s) left out to fit 60 columns" in captured.err


def test_a_wide_terminal_keeps_the_wide_columns(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(output, "stdout_is_tty", lambda: True)
    monkeypatch.setenv("COLUMNS", "200")
    output.emit(LONG, "wide", LONG_COLUMNS)
    assert capsys.readouterr().out.splitlines()[0].split() == ["NAME", "PRICE", "ZONE", "NOTE"]


def test_model_plan_at_80_columns_prints_whole_vm_sizes_and_prices() -> None:
    from tests.cli import invoke

    result = invoke(
        "model", "plan", "phi-4", "--max-model-len", "4096", tty=True, env={"COLUMNS": "80", "NO_COLOR": "1"}
    )
    assert result.exit_code == 0, result
    rows = [line.lstrip("* ").split() for line in result.stdout.splitlines() if "Standard_" in line]
    table = [row for row in rows if row[0].startswith("Standard_")]
    assert table, result.stdout
    for row in table:
        assert row[0].endswith(("_v3", "_v4", "_v5", "_v6")), row  # the whole VM size on one line
        assert any(cell.startswith("$") and cell[-1].isdigit() for cell in row) or "-" in row, row


def test_no_color_turns_colour_off(monkeypatch: pytest.MonkeyPatch) -> None:
    class Tty:
        def isatty(self) -> bool:
            return True

    assert output.color_enabled(Tty())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not output.color_enabled(Tty())


def test_progress_and_warnings_go_to_stderr_only(capsys: pytest.CaptureFixture[str]) -> None:
    output.progress("applying")
    output.warn("careful")
    with output.status("waiting") as update:
        update("still waiting")
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "applying" in captured.err and "warning: careful" in captured.err
    assert "still waiting" in captured.err


def test_a_repeated_warning_is_written_once_until_a_round_goes_without_it(capsys: pytest.CaptureFixture[str]) -> None:
    said = output.Repeats()
    for round_lines in (["a", "b"], ["a", "b", "a"], ["a"], ["a", "b"], ["a", "b: other reason"]):
        for line in round_lines:
            said.warn(line)
        said.round_done()
    written = [x.removeprefix("warning: ") for x in capsys.readouterr().err.splitlines()]
    assert written == ["a", "b", "b", "b: other reason"]  # b went away and came back, then changed


def test_unknown_format_is_a_usage_error() -> None:
    from akscli.errors import UsageError

    with pytest.raises(UsageError):
        output.emit(ITEMS, "xml", COLUMNS)


def test_manifests_print_as_a_yaml_stream(capsys: pytest.CaptureFixture[str]) -> None:
    # kubectl create -o yaml and helm template print a stream that pipes to kubectl apply -f -.
    output.emit_documents(ITEMS, "yaml")
    assert yamlio.load_all(capsys.readouterr().out) == ITEMS


def test_manifests_print_in_json_as_kubectl_apply_prints_them(capsys: pytest.CaptureFixture[str]) -> None:
    # kubectl apply --dry-run=client -o json -f two-docs.yaml: a typed v1 List, its keys in struct
    # order and metadata {} (kubernetes/kubectl v0.32.4 pkg/cmd/apply/apply.go printObjects).
    output.emit_documents(ITEMS, "json")
    document = json.loads(capsys.readouterr().out)
    assert list(document) == ["kind", "apiVersion", "metadata", "items"]
    assert document == {"kind": "List", "apiVersion": "v1", "metadata": {}, "items": ITEMS}
    output.emit_documents(ITEMS, "jsonpath={.metadata}|{.items[1].metadata.name}")
    assert capsys.readouterr().out == "{}|phi"


def test_one_manifest_prints_in_json_as_the_bare_object(capsys: pytest.CaptureFixture[str]) -> None:
    output.emit_documents(ITEMS[:1], "json")
    assert json.loads(capsys.readouterr().out) == ITEMS[0]


# ---- status lines without a terminal -----------------------------------------------------------


def test_status_without_a_terminal_prints_each_change_with_the_time_taken(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with output.status("waiting for workspace/phi-4") as update:
        update("workspace/phi-4: ResourceReady=False, node provisioning")
        update("workspace/phi-4: ResourceReady=False, node provisioning")  # unchanged: no new line
        update("workspace/phi-4: InferenceReady=False")
    lines = capsys.readouterr().err.splitlines()
    assert lines == [
        "waiting for workspace/phi-4",
        "workspace/phi-4: ResourceReady=False, node provisioning, 0s",
        "workspace/phi-4: InferenceReady=False, 0s",
    ]


def test_status_without_a_terminal_repeats_the_state_while_nothing_changes(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import re
    import time

    def repeats(err: str) -> int:
        return len(re.findall(r"^raycluster/demo: head pod pending, \d+s$", err, re.MULTILINE))

    monkeypatch.setattr(statuslines, "STATUS_INTERVAL_S", 0.05)
    err = ""
    with output.status("waiting for raycluster/demo") as update:
        update("raycluster/demo: head pod pending")
        # The heartbeat thread's lines, waited for rather than slept for: on a loaded machine it
        # runs later than its interval, and its lines may say 1s.
        deadline = time.monotonic() + 30
        while repeats(err) < 3 and time.monotonic() < deadline:
            time.sleep(0.02)
            err += capsys.readouterr().err
    assert repeats(err + capsys.readouterr().err) >= 3


def test_elapsed_reads_like_kubectl() -> None:
    assert [output.elapsed(s) for s in (5, 192, 3725)] == ["5s", "3m12s", "1h2m"]


def test_one_object_with_name_prints_kind_group_slash_name(capsys: pytest.CaptureFixture[str]) -> None:
    output.emit_object(ITEMS[0], "name")
    assert capsys.readouterr().out == "workspace.kaito.sh/llama\n"


def test_one_record_with_name_prints_what_its_command_names_it(capsys: pytest.CaptureFixture[str]) -> None:
    output.emit_object({"name": "c1", "location": "eastus"}, "name", name=lambda r: f"cluster/{r['name']}")
    assert capsys.readouterr().out == "cluster/c1\n"


def test_a_record_with_no_name_is_refused_with_name_never_printed_as_a_repr(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(UsageError, match="no -o name"):
        output.emit_object({"id": "abc", "result": "success"}, "name")
    assert capsys.readouterr().out == ""


def test_custom_columns_of_a_report_apply_to_its_rows(capsys: pytest.CaptureFixture[str]) -> None:
    report = {"ready": True, "checks": [{"component": "kaito"}, {"component": "keda"}]}
    output.emit_object(report, "custom-columns=C:.component", rows=report["checks"])
    assert capsys.readouterr().out.split() == ["C", "kaito", "keda"]


def test_the_namespace_column_is_shown_only_with_all_namespaces_even_in_wide() -> None:
    # kubectl's table printer adds NAMESPACE only with -A (PrintOptions.WithNamespace), -o wide or not.
    from akscli.cli.common import namespaced_columns

    columns = [Column("Name", "name"), Column("Namespace", "namespace", wide=True), Column("Kind", "kind", wide=True)]
    assert [c.header for c in namespaced_columns(columns, False)] == ["Name", "Kind"]
    assert [(c.header, c.wide) for c in namespaced_columns(columns, True)][:2] == [
        ("Namespace", False),
        ("Name", False),
    ]
