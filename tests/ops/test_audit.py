"""The audit log: what a line holds, what it never holds, where it goes, and concurrent appends."""

from __future__ import annotations

import base64
import io
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from akscli import audit, audit_argv
from akscli.errors import AkscliError, NotFoundError, UsageError
from akscli.globals import FLAGS
from tests.cli import invoke, list_items

REPO = Path(__file__).resolve().parents[2]


def fake_jwt(claims: dict[str, Any]) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'RS256'})}.{part(claims)}.c2lnbmF0dXJlLXNpZ25hdHVyZQ"


@pytest.fixture
def log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "audit.jsonl"
    monkeypatch.setenv("AKSCLI_AUDIT_LOG", str(path))
    monkeypatch.setattr(FLAGS, "audit_log", None)
    monkeypatch.setattr(FLAGS, "reason", None)
    monkeypatch.setattr(FLAGS, "argv", ("model", "deploy", "llm"))
    return path


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def record(**overrides: Any) -> None:
    values: dict[str, Any] = {
        "action": "model deploy",
        "target": {"context": "prod", "namespace": "serving"},
        "objects": [{"object": "workspace.kaito.sh/llm", "namespace": "serving", "resourceVersion": "42"}],
        "result": "success",
    }
    values.update(overrides)
    audit.record(**values)


# ---- what a line holds -------------------------------------------------------------------------


def test_record_appends_one_line_with_every_field(log: Path) -> None:
    record(
        identity={"oid": "1111", "upn": "ana@contoso.com"},
        reason="ticket CHG-42",
        allowed_rules=["pdb-missing"],
    )
    (entry,) = lines(log)
    assert entry["action"] == "model deploy"
    assert entry["argv"] == ["model", "deploy", "llm"]
    assert entry["identity"] == {"oid": "1111", "upn": "ana@contoso.com"}
    assert entry["target"] == {"context": "prod", "namespace": "serving"}
    assert entry["objects"][0]["resourceVersion"] == "42"
    assert entry["result"] == "success"
    assert entry["reason"] == "ticket CHG-42"
    assert entry["allowedRules"] == ["pdb-missing"]
    assert datetime.fromisoformat(entry["time"].replace("Z", "+00:00")).tzinfo is not None


def test_record_takes_the_reason_from_the_global_flag(log: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(FLAGS, "reason", "scale for launch")
    record()
    assert lines(log)[0]["reason"] == "scale for launch"


class _Kube:
    """What record_audit reads of a connection: pointed at the context's namespace, default."""

    context_name, namespace = "lab", "default"

    def identity(self) -> dict[str, str]:
        return {}


def test_a_kubernetes_change_records_the_namespaces_it_touched_not_the_contexts(log: Path) -> None:
    # baremetal prepare run in default changes a ClusterPolicy and a DaemonSet in gpu-operator: its
    # line said namespace default (audit list -n default listed it).
    from akscli.cli.audit_lines import record_audit

    policy = {"object": "clusterpolicy.nvidia.com/cluster-policy", "namespace": "", "action": "create"}
    daemonset = {"object": "daemonset.apps/rdma-shared-dp-ds", "namespace": "gpu-operator", "action": "create"}
    record_audit("baremetal prepare", _Kube(), [], "success", objects=[policy, daemonset])  # type: ignore[arg-type]
    record_audit("baremetal prepare", _Kube(), [], "success", objects=[policy])  # type: ignore[arg-type]
    assert [e["target"].get("namespace") for e in lines(log)] == ["gpu-operator", None]


def test_later_records_never_rewrite_earlier_lines(log: Path) -> None:
    record(result="success")
    first = log.read_bytes()
    record(result="failed: quota")
    assert log.read_bytes().startswith(first)
    assert [e["result"] for e in lines(log)] == ["success", "failed: quota"]


def test_identity_keeps_naming_claims_and_drops_tokens(log: Path) -> None:
    token = fake_jwt({"oid": "1111"})
    record(identity={"oid": "1111", "appid": "app-2", "access_token": token, "secret": "s3cr3t"})
    text = log.read_text()
    assert lines(log)[0]["identity"] == {"oid": "1111", "appid": "app-2"}
    assert token not in text and "s3cr3t" not in text


# ---- redaction -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv, hidden",
    [
        (["cluster", "create", "--client-secret", "hunter2"], "hunter2"),
        (["cluster", "create", "--client-secret=hunter2"], "hunter2"),
        (["token", "--token", "abc.def"], "abc.def"),
        (["x", "--password", "pw123"], "pw123"),
        (["model", "deploy", "--set", "hf_token=hf_val"], "hf_val"),
        (["model", "deploy", "--set=apiKey=k-1"], "k-1"),
        (["model", "deploy", "--env", "OPENAI_API_KEY=sk-1"], "sk-1"),
        (["x", fake_jwt({"oid": "1"})], "eyJ"),
        (["x", "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=abcdEFGH=="], "abcdEFGH"),
    ],
)
def test_secrets_on_the_command_line_are_redacted(argv: list[str], hidden: str) -> None:
    redacted = audit_argv.redact_argv(argv)
    assert hidden not in " ".join(redacted)
    assert audit_argv.REDACTED in " ".join(redacted)


def test_a_secret_pair_given_to_any_flag_with_an_equals_sign_is_redacted() -> None:
    redacted = audit_argv.redact_argv(["cluster", "create", "--tags=password=hunter2", "--labels=env=prod"])
    assert redacted == ["cluster", "create", f"--tags=password={audit_argv.REDACTED}", "--labels=env=prod"]


def test_ordinary_arguments_are_kept_verbatim() -> None:
    argv = [
        "model",
        "deploy",
        "llama-3-8b",
        "--set",
        "replicas=2",
        "-n",
        "serving",
        "--reason",
        "CHG-1",
        "--set",
        "tokenizer=fast",
    ]
    assert audit_argv.redact_argv(argv) == argv


def test_the_name_of_the_secret_a_deploy_references_is_kept_and_a_token_given_there_is_not() -> None:
    # docs/operations.md's audit line: "--access-secret", "hf-token" (a Secret's name, not its value).
    argv = ["model", "deploy", "phi-4", "--access-secret", "hf-token", "--access-secret=hf-token"]
    assert audit_argv.redact_argv(argv) == argv
    token = "hf_" + "a" * 30
    assert audit_argv.redact_argv(["--access-secret", token, f"--access-secret={token}"]) == [
        "--access-secret",
        audit_argv.REDACTED,
        f"--access-secret={audit_argv.REDACTED}",
    ]


def test_record_redacts_argv_from_the_global_flags(log: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(FLAGS, "argv", ("cluster", "create", "--client-secret", "hunter2"))
    record()
    assert "hunter2" not in log.read_text()


# ---- where it goes ---------------------------------------------------------------------------


def test_the_global_flag_wins_over_the_environment(log: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    chosen = tmp_path / "flag" / "audit.jsonl"
    monkeypatch.setattr(FLAGS, "audit_log", str(chosen))
    record()
    assert chosen.exists() and not log.exists()


def test_the_default_is_under_the_users_state_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AKSCLI_AUDIT_LOG", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setattr(FLAGS, "audit_log", None)
    assert audit.log_path() == tmp_path / "state" / "akscli" / "audit.jsonl"


def test_the_log_file_is_private_to_the_user(log: Path) -> None:
    record()
    assert log.stat().st_mode & 0o077 == 0


def test_an_unwritable_log_is_one_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setattr(FLAGS, "audit_log", str(blocker / "audit.jsonl"))
    with pytest.raises(AkscliError, match="audit record could not be written"):
        record()


def test_an_unwritable_default_folder_warns_as_every_warning_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.delenv("AKSCLI_AUDIT_LOG", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setattr(FLAGS, "audit_log", None)
    monkeypatch.setenv("XDG_STATE_HOME", str(blocker / "state"))
    monkeypatch.setattr(audit, "_WARNED", [])
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    record()
    assert terminal.getvalue().startswith("\x1b[33mwarning:\x1b[0m no audit record kept: cannot write ")


_WRITER = """
import sys
from pathlib import Path
from akscli import audit
path, worker, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
for i in range(count):
    entry = audit.build_entry(action="apply", target={"worker": worker}, objects=[],
                              result=f"{worker}-{i}", identity=None, reason="x" * 20000,
                              allowed_rules=(), argv=[])
    audit.append(path, entry)
"""


def test_concurrent_processes_never_interleave_or_lose_lines(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    workers, count = 4, 60
    procs = [
        subprocess.Popen([sys.executable, "-c", _WRITER, str(path), f"w{w}", str(count)], cwd=REPO)
        for w in range(workers)
    ]
    assert [p.wait(timeout=60) for p in procs] == [0] * workers
    entries = lines(path)  # every line parses: none was torn or interleaved
    assert len(entries) == workers * count
    assert {e["result"] for e in entries} == {f"w{w}-{i}" for w in range(workers) for i in range(count)}
    for w in range(workers):  # each writer's lines stay in its own order
        mine = [int(e["result"].split("-")[1]) for e in entries if e["target"]["worker"] == f"w{w}"]
        assert mine == sorted(mine)


# ---- reading: filters, list, show ----------------------------------------------------------


def test_query_filters_by_action_namespace_and_result(log: Path) -> None:
    record(action="model deploy", result="success")
    record(
        action="ray create",
        target={"context": "prod", "namespace": "ml"},
        objects=[],
        result="success",
    )
    record(action="model deploy", result="failed: quota")
    found = audit.query(log, audit.Filters(action="model*", result="fail*"))
    assert [e["result"] for e in found] == ["failed: quota"]
    assert [e["action"] for e in audit.query(log, audit.Filters(namespace="ml"))] == ["ray create"]


def test_query_limit_keeps_the_newest(log: Path) -> None:
    for i in range(5):
        record(result=f"r{i}")
    assert [e["result"] for e in audit.query(log, audit.Filters(), limit=2)] == ["r3", "r4"]


def test_query_skips_and_counts_lines_that_are_not_entries(log: Path) -> None:
    record()
    with log.open("a") as handle:
        handle.write("not json\n")
    record()
    stats = audit.ReadStats()
    assert len(audit.query(log, audit.Filters(), stats=stats)) == 2
    assert stats.skipped == 1


def test_since_accepts_durations_days_and_iso_times() -> None:
    now = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    assert audit.since_time("2h", now) == "2026-11-26T10:00:00.000Z"
    assert audit.since_time("7d", now) == "2026-11-19T12:00:00.000Z"
    assert audit.since_time("2026-11-01T08:00:00+01:00") == "2026-11-01T07:00:00.000Z"


def test_since_rejects_nonsense() -> None:
    with pytest.raises(UsageError, match="--since"):
        audit.since_time("yesterday")


@pytest.mark.parametrize("value", ["99999999999d", "9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+01:00"])
def test_since_beyond_the_calendar_is_a_usage_error_not_a_crash(value: str) -> None:
    with pytest.raises(UsageError, match="outside the years 1 to 9999"):
        audit.since_time(value)


def test_find_by_id_prefix(log: Path) -> None:
    record(result="one")
    record(result="two")
    second = lines(log)[1]
    assert audit.find(log, second["id"][:8])["result"] == "two"


def test_find_ignores_case_and_surrounding_spaces_of_the_id(log: Path) -> None:
    record(result="one")
    entry_id = lines(log)[0]["id"]
    assert audit.find(log, f" {entry_id[:8].upper()} ")["result"] == "one"


def test_find_unknown_id_is_not_found(log: Path) -> None:
    record()
    with pytest.raises(NotFoundError):
        audit.find(log, "ffff0000")


def test_audit_list_cli_shows_matching_entries(log: Path) -> None:
    record(identity={"upn": "ana@contoso.com"}, reason="CHG-7")
    record(action="ray create", objects=[], identity={"upn": "bo@contoso.com"})
    result = invoke("audit", "list", "--user", "ana", "-o", "json")
    assert result.exit_code == 0, result
    (entry,) = list_items(result.stdout)
    assert entry["reason"] == "CHG-7"


def test_audit_list_cli_reads_the_audit_log_flag(tmp_path: Path, log: Path) -> None:
    other = tmp_path / "other.jsonl"
    entry = audit.build_entry(
        action="fleet join",
        target={},
        objects=[],
        result="success",
        identity=None,
        reason=None,
        allowed_rules=(),
        argv=[],
    )
    audit.append(other, entry)
    result = invoke("audit", "list", "-o", "name", "--audit-log", str(other))
    assert result.stdout.split() == [entry["id"]]


def test_audit_list_allowed_shows_the_rules_each_change_overrode(log: Path) -> None:
    record(allowed_rules=["image-latest"])
    result = invoke("audit", "list", "--allowed")
    assert result.exit_code == 0, result
    header, row = result.stdout.splitlines()
    assert "ALLOWED" in header and "image-latest" in row


def test_audit_list_cli_table_names_the_object_and_reason(log: Path) -> None:
    record(reason="CHG-9")
    result = invoke("audit", "list")
    assert result.exit_code == 0, result
    assert "workspace.kaito.sh/llm" in result.stdout and "CHG-9" in result.stdout


def test_audit_show_cli_prints_one_entry(log: Path) -> None:
    record(reason="why not")
    entry_id = lines(log)[0]["id"]
    result = invoke("audit", "show", entry_id[:6], "-o", "json")
    assert result.exit_code == 0, result
    assert json.loads(result.stdout)["reason"] == "why not"


def test_audit_show_cli_rejects_a_malformed_id(log: Path) -> None:
    result = invoke("audit", "show", "../etc")
    assert result.exit_code == 2
    assert "invalid audit id" in result.stderr


@pytest.mark.parametrize(
    ("identity", "shown"),
    [
        ({"oid": "1111", "upn": "ana@contoso.com"}, "ana@contoso.com"),
        ({"oid": "1111", "appid": "app-2"}, "app-2"),
        ({"oid": "1111"}, "1111"),
        ({}, "local-ana"),
    ],
)
def test_who_prefers_the_most_readable_claim(identity: dict[str, str], shown: str) -> None:
    assert audit.who({"identity": identity, "localUser": "local-ana"}) == shown


def test_objects_summary_names_three_objects_and_counts_the_rest() -> None:
    entry = {"objects": [{"object": f"configmap/c{i}"} for i in range(5)]}
    assert audit.objects_summary(entry) == "configmap/c0,configmap/c1,configmap/c2,+2"


def test_where_is_the_context_else_the_cluster() -> None:
    assert audit.where({"target": {"context": "prod", "cluster": "aks-1"}}) == "prod"
    assert audit.where({"target": {"cluster": "aks-1"}}) == "aks-1"
    assert audit.where({"target": {}}) is None


def test_audit_list_rejects_a_control_character_in_a_filter(log: Path) -> None:
    result = invoke("audit", "list", "--object", "web\x07")
    assert result.exit_code == 2
    assert "--object" in result.stderr


def test_audit_list_on_an_empty_log_says_so(log: Path) -> None:
    result = invoke("audit", "list")
    assert result.exit_code == 0
    assert "No audit entries" in result.stderr


@settings(max_examples=200, deadline=None)
@given(
    secret=st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), min_size=6, max_size=40),
    flag=st.sampled_from(["--client-secret", "--token", "--password", "--sas-token", "--connection-string"]),
    inline=st.booleans(),
)
def test_no_secret_flag_value_survives_redaction(secret: str, flag: str, inline: bool) -> None:
    argv = ["cluster", "create", f"{flag}={secret}"] if inline else ["cluster", "create", flag, secret]
    expected = f"{flag}={audit_argv.REDACTED}" if inline else audit_argv.REDACTED
    assert audit_argv.redact_argv(argv)[-1] == expected


def test_audit_show_with_name_prints_the_id_as_audit_list_does(log: Path) -> None:
    record(reason="why not")
    entry_id = lines(log)[0]["id"]
    result = invoke("audit", "show", entry_id[:6], "-o", "name")
    assert result.exit_code == 0, result
    assert result.stdout == f"{entry_id}\n" == invoke("audit", "list", "-o", "name").stdout
