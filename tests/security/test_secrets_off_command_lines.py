"""No hint, help text, doc or template tells a user to type a secret into a command line: a
literal there stays in the shell's history and, for an argument, in the process list (``ps``).
Secrets go to kubectl on its standard input (akscli.secret_hints), to a prompt that does not echo
(``read -s``, ``hf auth login``), or into the variables kubelogin and azure-identity read.

Scanned: every string literal in src/akscli (an f-string's fields as ``{}``), docs/ (not
docs/changes/, the history), README.md and templates/. akscli's own ``--client-secret`` and
``--client-certificate-password`` stay (kubelogin's flags, for exec lines); their help says to
prefer the variables (tests/azure)."""

from __future__ import annotations

import ast
import base64
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.cli import invoke
from tests.emulators.kube import KubeEmulator

REPO = Path(__file__).resolve().parents[2]

# Each pattern: a form that puts a secret on a command line, as it would be typed.
PATTERNS = {
    # kubectl create secret ... --from-literal=KEY=VALUE: the value is an argument.
    "--from-literal in a create secret": re.compile(r"create secret\b[^\n`]*--from-literal"),
    # akscli token / kubelogin with a secret flag's value written out (a usage synopsis, [--flag X], is
    # not an example).
    "a secret flag's value in an example": re.compile(
        r"(?:^|[`(:]\s*|\n\s*|\$ )(?:kubectl akscli|akscli|kubelogin)\s[^\n`.;,)]*"
        r"(?<!\[)--(?:client-secret|client-certificate-password)[ =](?!\])\S"
    ),
    # az, docker, helm with a password or token argument.
    "a password or token argument": re.compile(
        r"\b(?:az|docker|helm)\s[^\n`]*\s(?:-p|--password|--token|--client-secret|--sas-token|--account-key)[ =]\S"
    ),
    # export NAME_SECRET=value typed at a shell (history keeps it); export NAME alone is fine.
    "a secret in an export line": re.compile(
        r"\bexport\b[^\n;&|`]*\b\w*(?:SECRET|TOKEN|PASSWORD|_KEY)\w*=(?![\s;\"'`]|\$|$)"
    ),
    # NAME_TOKEN=value before a command.
    "a secret variable before a command": re.compile(
        r"\b\w*(?:SECRET|TOKEN|PASSWORD)=[^\s$`\"')]+\s+(?:akscli|kubectl|kubelogin|az|hf|helm|curl)\b"
    ),
    # echo TOKEN | command: the literal is in the history.
    "an echoed secret in a pipe": re.compile(
        r"\becho\s+(?!\"?\$)[^|\n`]*(?:token|secret|password|hf_)[^|\n`]*\|", re.I
    ),
    # https://user:password@host, or ?sig=/?token= in a URL.
    "a credential in a URL": re.compile(
        r"https?://(?:[^\s/:@`]+:[^\s/@`]+@|\S*[?&](?:sig|token|access_token|api[-_]key|password)=)"
    ),
}

SAFE_EXAMPLES = [
    'read -rs HF_TOKEN && printf %s "$HF_TOKEN" | kubectl create secret generic hf-token -n ml '
    "--from-file=HF_TOKEN=/dev/stdin",
    "export AZURE_TENANT_ID=... AZURE_CLIENT_ID=...; read -rs AZURE_CLIENT_SECRET && export AZURE_CLIENT_SECRET",
    "usage: akscli token [--client-secret S | --client-certificate FILE [--client-certificate-password P]]",
    "hf auth login",
    "The environment, as kubelogin reads it: a --client-id flag wins, as do --client-secret and --client-certificate",
    "none with `HF_HUB_DISABLE_IMPLICIT_TOKEN=1`). The token is never shown",
    "(`AZURE_CLIENT_SECRET=` empties `AAD_SERVICE_PRINCIPAL_CLIENT_SECRET`)",
    'r"|[?&]sig=[A-Za-z0-9%/+=]{16,}"',
]
UNSAFE_EXAMPLES = {
    "--from-literal in a create secret": "kubectl create secret generic hf-token -n ml --from-literal=HF_TOKEN=<token>",
    "a secret flag's value in an example": "- `akscli token --auth spn --client-id ID --client-secret s3cr3t`",
    "a password or token argument": "az login --service-principal -u ID -p s3cr3t --tenant T",
    "a secret in an export line": "export AZURE_TENANT_ID=... AZURE_CLIENT_ID=... AZURE_CLIENT_SECRET=...",
    "a secret variable before a command": "HF_TOKEN=hf_... akscli model plan acme/tiny-7b --hub-config",
    "an echoed secret in a pipe": "echo hf_abc | kubectl create secret generic t --from-file=t=/dev/stdin",
    "a credential in a URL": "curl https://user:s3cr3t@example.com/x",
}


def _strings(path: Path) -> list[tuple[int, str]]:
    """Every string literal of a module with its line, adjacent literals joined as Python joins
    them; an f-string's fields read as ``{}``."""
    found: list[tuple[int, str]] = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            parts = [v.value if isinstance(v, ast.Constant) else "{}" for v in node.values]
            inside.update(id(v) for v in node.values)
            found.append((node.lineno, "".join(str(p) for p in parts)))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in inside:
            found.append((node.lineno, node.value))
    return found


def _texts() -> list[tuple[str, str]]:
    """(where, text) for every scanned piece."""
    texts: list[tuple[str, str]] = []
    for path in sorted((REPO / "src" / "akscli").rglob("*.py")):
        rel = path.relative_to(REPO).as_posix()
        texts.extend((f"{rel}:{line}", text) for line, text in _strings(path))
    docs = [p for p in sorted((REPO / "docs").rglob("*.md")) if "changes" not in p.relative_to(REPO / "docs").parts]
    for path in [REPO / "README.md", *docs, *sorted(p for p in (REPO / "templates").rglob("*") if p.is_file())]:
        rel = path.relative_to(REPO).as_posix()
        texts.extend((f"{rel}:{n}", line) for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1))
    return texts


def test_no_hint_doc_or_template_puts_a_secret_on_a_command_line() -> None:
    found = [
        f"{where}: {what}: {text.strip()[:160]}"
        for where, text in _texts()
        for what, pattern in PATTERNS.items()
        if pattern.search(text)
    ]
    assert found == []


@pytest.mark.parametrize("what", sorted(UNSAFE_EXAMPLES))
def test_each_pattern_finds_the_form_it_names(what: str) -> None:
    assert PATTERNS[what].search(UNSAFE_EXAMPLES[what])


@pytest.mark.parametrize("text", SAFE_EXAMPLES)
def test_the_forms_that_keep_a_secret_off_the_command_line_are_not_found(text: str) -> None:
    assert [what for what, pattern in PATTERNS.items() if pattern.search(text)] == []


def test_the_scan_reads_a_hint_split_over_lines_whole(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text('hint = (\n    f"kubectl create secret generic {name} "\n    "--from-literal=T=<token>"\n)\n')
    assert [t for _, t in _strings(module) if PATTERNS["--from-literal in a create secret"].search(t)] == [
        "kubectl create secret generic {} --from-literal=T=<token>"
    ]


@pytest.mark.kubectl
@pytest.mark.skipif(shutil.which("kubectl") is None or shutil.which("bash") is None, reason="needs kubectl and bash")
def test_the_token_secret_hint_run_by_bash_and_the_real_kubectl_stores_the_token_without_a_newline(
    kube_emulator: KubeEmulator, kubeconfig: Path
) -> None:
    # The hint a gated model gets, run as a user would paste it, the token typed at read's prompt: the
    # Secret holds exactly the token. A trailing newline would reach KAITO's Authorization header
    # (vllm_model.go GetHFTokenFromSecret does not trim), which Go's net/http refuses.
    kube_emulator.cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ml"}})
    result = invoke("model", "deploy", "llama-3.1-8b-instruct", "-n", "ml", "--dry-run=client")
    assert result.exit_code == 2, result
    line = re.search(r"hint: (read -rs .*?/dev/stdin)", result.stderr)
    assert line, result.stderr
    token = "hf_canaryTokenValue0123456789"
    assert token not in line.group(1)
    env = {**os.environ, "KUBECONFIG": str(kubeconfig)}
    run = subprocess.run(
        ["bash", "-c", line.group(1)], input=token + "\n", capture_output=True, text=True, env=env, timeout=60
    )
    assert run.returncode == 0, run.stderr
    assert token not in run.stdout + run.stderr
    secret = kube_emulator.cluster.get("v1", "Secret", "ml", "hf-token")
    assert secret is not None
    assert base64.b64decode(secret["data"]["HF_TOKEN"]) == token.encode()


@pytest.mark.parametrize(
    ("flag", "until", "variable"),
    [
        ("--client-secret CLIENT_SECRET", "--client-certificate CLIENT_CERTIFICATE", "AZURE_CLIENT_SECRET"),
        (
            "--client-certificate-password CLIENT_CERTIFICATE_PASSWORD",
            "--federated-token-file",
            "AZURE_CLIENT_CERTIFICATE_PASSWORD",
        ),
    ],
)
def test_akscli_tokens_secret_flags_say_ps_shows_them_and_recommend_the_variable(
    flag: str, until: str, variable: str
) -> None:
    # kubelogin's flags, kept for its exec lines (Azure/kubelogin 66784961 pkg/internal/token/options.go).
    result = invoke("token", "--help", env={"COLUMNS": "200"})
    text = " ".join(result.stdout.split())
    said = text[text.index(flag) + len(flag) : text.index(until)]
    assert "with ps;" in said and f"prefer {variable}" in said
