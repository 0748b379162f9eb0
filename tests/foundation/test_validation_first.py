"""Every value is checked before anything is printed, read or sent: each command's documented
example (cli/examples.py) with one bad value added for one of its options, run with no kubeconfig
and no Azure credential (the ARM and Entra endpoints point at the ARM emulator, which counts what
reaches it).

Each case must end as bad input does: the documented usage exit code, the error line and its hint
on stderr and nothing else (no info line first), nothing on stdout, no request, and neither the
kubernetes client nor the Azure SDK imported (the command failed on its input alone). The options
whose value only the kubeconfig, the cluster or the machine can judge are listed with the reason.

The cases run in one child process that forks once per case, each in a fresh working folder: every
case starts from the same imports, so what one case imports is its own.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from akscli.cli.examples import EXAMPLES
from tests.emulators.arm.server import ArmEmulator
from tests.foundation.test_bad_input import _kind, leaves

BAD_TEXT = "Bad_Value!"  # upper case, "_" and "!": no name, quantity, duration, GUID, format or mode
BAD_NUMBER = "-99999999"
# Options whose check accepts BAD_TEXT (it is a valid value of theirs), with a value it refuses.
BAD_VALUES = {
    "--tags": "team/a=ml",  # an Azure tag key holds no "/"
    "--if-match": "a b",  # an eTag is visible ASCII, no space
    "--if-none-match": "etag",  # only "*"
    "--replay": "no-such-folder",
}
# The example a command is tried with, where its first needs what the case cannot give.
EXAMPLE = {"render": 2}
# Options akscli cannot judge from the command line alone (or that take any value), and why.
NEEDS_MORE = {
    "--kubeconfig": "a kubeconfig path is read by the kubernetes client's loader (credentials writes any path)",
    "--context": "a context exists or not only in the kubeconfig, which the kubernetes client reads",
    "--selector": "a label selector's grammar is the API server's, as with kubectl (its shape is checked first)",
    "--out-dir": "any folder name is a place to write",
    "--record": "any folder name is a place to write; it records this machine as it is, driver or not",
    "--node-name": "free text: the name the probe report shows",
    "--prompt": "free text: what the model is asked",
    "--model": "a served model id (microsoft/phi-4, a LoRA adapter's name) is any text the server names",
    "--pip": "pip's requirement grammar is Ray's to read, in the cluster",
    "--message": "free text",
    "--output-dir": "any folder name is a place to write",
    "--description": "free text",
    "--client-secret": "a secret is any text (akscli token; Entra ID judges it)",
    "--client-certificate-password": "a password is any text (akscli token; it opens the certificate)",
    "--login-hint": "free text: the user name the browser sign-in page fills in (akscli token, interactive)",
    "--redirect-url": "akscli token checks it in interactive mode, where kubelogin uses it; the other modes "
    "ignore it, as kubelogin's (interactivebrowsercredential.go)",
}
# Arguments that take any text.
FREE_ARGUMENTS = {
    ("ray job submit", "entrypoint_args"): "the job's command, run by Ray in the cluster",
    ("model catalog", "query"): "a search word (no match lists nothing)",
}
# (command, option) pairs whose error is about another flag of the example, rightly first.
OTHER_FLAG_FIRST = {
    ("ray cluster create", "--filename"): "-f cannot be combined with the example's cluster flags",
    ("fleet rollout create", "--fleet"): "the example's hub rollout has no -k for an ARM run",
    ("fleet rollout strategy create", "--fleet"): "the example's stage labels are for hub strategies",
}
# model plan/deploy: the flags that describe a model come as a set; one alone names the others.
MODEL_SHAPE = {
    "--weights-gib",
    "--layers",
    "--attention-heads",
    "--kv-heads",
    "--head-dim",
    "--hidden-size",
    "--max-context",
    "--quantization",
    "--params-b",
}
# audit list's filters are glob patterns: any text is one (it matches nothing).
AUDIT_FILTERS = {"--action", "--result", "--cluster", "--user", "--object"}

PROBE = r"""
import contextlib, io, json, os, shutil, signal, sys, tempfile, time
from akscli.cli.main import COMMANDS, _load, _to_click, run
for name, (entry, _) in COMMANDS.items():  # every command module once, before the forks
    _to_click(name, _load(entry))
assert not {m.split(".")[0] for m in sys.modules} & {"kubernetes", "azure"}, "a command module imports the SDKs"
root, cases = sys.argv[1], json.load(sys.stdin)
# The root command and each case's narrowed group (main._running) are built here once, before the
# forks (a fifth of the cases' CPU time): a child starts from a copy, so no case sees another's
# changes, and a group that imported the SDKs would fail every case after it ("heavy").
from akscli.cli import main
root_command = main.root_command()
main.root_command = lambda: root_command
built, building = {}, main._running
def running(name, subcommand):
    if (name, subcommand) not in built:
        built[name, subcommand] = building(name, subcommand)
    return built[name, subcommand]
main._running = running
for argv in cases:
    if argv[0] in COMMANDS:
        running(argv[0], argv[1] if len(argv) > 1 else None)
for argv in cases:
    work = tempfile.mkdtemp(dir=root)
    shutil.copytree(os.path.join(root, "files"), work, dirs_exist_ok=True)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        signal.alarm(60)
        os.chdir(work)
        out, err = io.StringIO(), io.StringIO()
        sys.stdin = io.StringIO("")
        start = time.perf_counter()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = run(argv)
        heavy = sorted({m.split(".")[0] for m in sys.modules if m.split(".")[0] in ("kubernetes", "azure")})
        seconds = time.perf_counter() - start
        answer = {"code": code, "stdout": out.getvalue(), "stderr": err.getvalue(), "heavy": heavy, "s": seconds}
        with os.fdopen(write, "w") as pipe:
            json.dump(answer, pipe)
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        text = pipe.read()
    os.waitpid(pid, 0)
    print(text or json.dumps({"code": "died", "stdout": "", "stderr": "", "heavy": [], "s": 0}), flush=True)
"""


def example_words(path: str) -> list[str] | None:
    examples = [e for e in EXAMPLES.get(path, ()) if e.startswith("akscli ")]
    if not examples:
        return None
    words = shlex.split(examples[min(EXAMPLE.get(path, 0), len(examples) - 1)])[1:]
    return words[: words.index(">")] if ">" in words else words


def argument_cases(path: list[str], command: Any, words: list[str]) -> Iterator[tuple[str, str, list[str]]]:
    """(command, ARGUMENT, argv): the example with its value of ARGUMENT replaced by BAD_TEXT."""
    from akscli.cli.options import bare_dry_run

    name, rest = " ".join(path), words[len(path) :]
    parsed = command.make_context(path[-1], bare_dry_run(list(rest)), resilient_parsing=True).params
    for param in command.params:
        if param.param_type_name != "argument" or (name, param.name) in FREE_ARGUMENTS:
            continue
        value = parsed.get(param.name)
        value = value[0] if isinstance(value, (list, tuple)) and value else value
        if value in rest:  # an argument the example gives
            argv = list(words)
            argv[argv.index(value, len(path))] = BAD_TEXT
            yield name, param.name.upper(), argv


def cases() -> Iterator[tuple[str, str, list[str]]]:
    """(command, option, argv): the command's example with ``--option=BAD`` added (before ``--``),
    and with each argument it gives replaced by BAD_TEXT."""
    for path, command in leaves():
        name = " ".join(path)
        words = example_words(name)
        assert words is not None, f"{name} has no example in cli/examples.py"
        yield from argument_cases(path, command, words)
        for param in command.params:
            if param.param_type_name == "argument" or param.name == "help" or _kind(param) in ("flag", "choice"):
                continue  # flags take no value; a choice is click's own check
            flag = max(param.opts, key=len)
            if flag in NEEDS_MORE or (flag in AUDIT_FILTERS and name == "audit list"):
                continue
            if flag in MODEL_SHAPE and name in ("model plan", "model deploy"):
                continue
            bad = BAD_NUMBER if _kind(param) == "number" else BAD_VALUES.get(flag, BAD_TEXT)
            argv = list(words)
            at = argv.index("--") if "--" in argv else len(argv)
            argv[at:at] = [f"{flag}={bad}"]
            yield name, flag, argv


def fixture_files(root: Path) -> None:
    """What the examples name: manifests, a serve config, a job's script, an SSH key."""
    files = root / "files"
    (files / "manifests").mkdir(parents=True)
    configmap = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: demo\n"
    (files / "manifests" / "cm.yaml").write_text(configmap)
    (files / "app.yaml").write_text(configmap)
    (files / "serve.yaml").write_text("applications:\n- name: llm\n  import_path: serve_llm:app\n")
    (files / "train.py").write_text("print('train')\n")


def run_cases(argvs: list[list[str]], root: Path, env: dict[str, str]) -> list[dict[str, Any]]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(root)],
        input=json.dumps(argvs),
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return [json.loads(line) for line in done.stdout.splitlines()]


def problem(name: str, flag: str, bad: str, answer: dict[str, Any]) -> str | None:
    lines = answer["stderr"].splitlines()
    if answer["code"] != 2:
        return f"exit {answer['code']}: {lines[:1]}"
    if answer["stdout"]:
        return f"stdout {answer['stdout'][:80]!r}"
    if not lines or not lines[0].startswith("error: ") or not all(line.startswith("hint: ") for line in lines[1:]):
        return f"stderr {lines[:3]}"
    if answer["heavy"]:
        return f"imported {answer['heavy']} before refusing its input"
    named = flag in lines[0] or bad.lower() in lines[0].lower() or bad.strip("-") in lines[0]
    if not named and (name, flag) not in OTHER_FLAG_FIRST:
        return f"the error is not about {flag}: {lines[0]}"
    return None


def test_a_bad_value_is_refused_before_anything_is_printed_read_or_sent(
    arm_emulator: ArmEmulator, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "id_rsa.pub").write_text("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample user@host\n")
    fixture_files(tmp_path)
    env = {
        "HOME": str(home),
        "PATH": "/usr/bin:/bin",
        "KUBECONFIG": str(tmp_path / "no-kubeconfig"),
        "AZURE_CONFIG_DIR": str(tmp_path / "no-azure-config"),
        "AKSCLI_ARM_ENDPOINT": arm_emulator.url,
        "AZURE_AUTHORITY_HOST": arm_emulator.url,
        "AZURE_SUBSCRIPTION_ID": arm_emulator.subscription,
        "SSL_CERT_FILE": arm_emulator.ca_file,
        "REQUESTS_CA_BUNDLE": arm_emulator.ca_file,
        "AKSCLI_DISABLE_INSTANCE_DISCOVERY": "1",
        "AKSCLI_CACHE_DIR": str(tmp_path / "cache"),
        **({"PYTHONPATH": os.environ["PYTHONPATH"]} if "PYTHONPATH" in os.environ else {}),
    }
    chosen = list(cases())
    answers = run_cases([argv for _, _, argv in chosen], tmp_path, env)
    assert len(answers) == len(chosen)
    broken = []
    for (name, flag, argv), answer in zip(chosen, answers, strict=True):
        bad = BAD_TEXT if BAD_TEXT in argv else next(a for a in argv if a.startswith(flag + "=")).split("=", 1)[1]
        found = problem(name, flag, bad, answer)
        if found:
            broken.append(f"{name} {flag}: {found}")
    assert not broken, f"{len(broken)} of {len(chosen)} cases:\n" + "\n".join(broken)
    assert arm_emulator.request_log == []
