"""Hostile values into every argument and option of every command, generated from the command tree.

For each command and each of its parameters, values that no command should take (control
characters and NUL, 100 KB strings, empty names, numbers that are not numbers or are out of any
range, directories and missing files where a file is read) are fed one at a time, the other
required parameters filled with ordinary values (a real manifest for -f, a catalog model), against
the Kubernetes and ARM emulators. The error contract must hold: a documented non-zero exit code,
``error:`` and ``hint:`` lines on stderr, nothing on stdout, no traceback, nothing written to the
working folder or the home, and no write (anything but GET) seen by either emulator. The error
names the option or argument refused (`error: NAME: invalid ...`, `error: --vm-size: ...`), as
kubectl's pflag names the flag whose value it cannot take (spf13/pflag flag.go FlagSet.set: invalid
argument "x" for "-n, --namespace" flag) and Click names the parameter (Invalid value for
'--count'). Values are sampled per parameter (picked by a stable hash) rather than crossed.

A parameter that takes an object's name (metavar NAME: a positional NAME, -n, --context) is fed
names no Kubernetes object can have as well: kubernetes/kubernetes
staging/src/k8s.io/apimachinery/pkg/util/validation/validation.go IsDNS1123Label and
IsDNS1123Subdomain allow only ``[a-z0-9]([-a-z0-9]*[a-z0-9])?`` (with dots for a subdomain), at most
63 (253) characters, so a YAML fragment, a document separator, a Cyrillic or full-width look-alike,
upper case, ``_``, a leading ``-`` and 300 characters are all refused before anything is sent; a
--context that is not in the kubeconfig is refused the same way.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from akscli.argv_check import EMPTY_CLEARS
from akscli.cli.main import COMMANDS, _load, _to_click
from akscli.errors import EXIT_CODES
from tests.cli import invoke
from tests.emulators.arm.ids import DEFAULT_SUBSCRIPTION

DOCUMENTED = {code for code, _ in EXIT_CODES} - {0}
STRINGS = ["", "   ", "a\x00b", "bad\x1b[31mred", "line\nbreak", "x" * 100_000, '"\n---\nkind: Secret']
# Names no object can have (validation.go IsDNS1123Label / IsDNS1123Subdomain, see above); the
# look-alikes are U+0435 CYRILLIC SMALL LETTER IE and U+FF44 FULLWIDTH LATIN SMALL LETTER D.
# An AKS cluster's name (the cluster commands' NAME, and a bare-metal cluster's) is an ARM name,
# where upper case and '_' are allowed: ^[a-zA-Z0-9]$|^[a-zA-Z0-9][-_a-zA-Z0-9]{0,61}[a-zA-Z0-9]$
# (upstream: Azure/azure-cli src/azure-cli/azure/cli/command_modules/acs/_validators.py, validate_linux_host_name).
AKS_NAMES = ("Demo", "de_mo")
BAD_NAMES = [": {}", "a: {}", "d\u0435mo", "\uff44emo", "a" * 300, "-demo", "de_mo", "Demo", "demo."]
NUMBERS = ["abc", "1e999", "-99999999999999999999999", "nan", ""]
FILE_WORDS = ("file", "path", "values", "manifest", "kubeconfig", "replay", "record", "root", "prices", "policy")
# Parameters whose value is free text by design, checked by validate.text (control characters
# and length), where an empty or plain-unicode value is legitimately accepted.
FREE_TEXT = {"reason", "description", "message", "jsonpath", "custom_columns", "output", "query"}
# Options no command declares required but most need to get as far as checking the rest (an ARM
# command's -g and --cluster, inventory's probe --image), filled so that the tested value is the
# one refused; the world's resource group rg exists in the ARM emulator.
CONTEXT = {"RESOURCE_GROUP": "rg", "CLUSTER": "demo", "IMAGE": "busybox:1.36", "TEMPLATE": "core/namespace"}
# Where a CONTEXT fill would be refused for itself: plan's and submit's --image (kaito's plan runs
# no vLLM image; a job on an existing Ray cluster (--cluster) takes no image).
NOT_FILLED = {"model plan": {"IMAGE"}, "ray job submit": {"IMAGE"}}
# Flags a command needs before it looks at the rest of its options, though none is declared
# required (a node pool's size, a hub rollout's placement and strategy...), so that a refusal is the
# tested option's and names it (not_named); an option under test is not filled twice. ``--`` ends
# the line: ray job submit's entrypoint. An argument (NAME) is tested without them: its bad value is
# refused before a missing flag (`fleet rollout create Demo`: the name, not --placement). The
# model commands' --runtime vllm: the --image of CONTEXT applies to vLLM only.
NEEDS: dict[str, list[str]] = {
    "nodepool add": ["--vm-size", "Standard_D4s_v5"],
    "baremetal cluster upgrade": ["--kubernetes-version", "1.30.0"],
    "model deploy": ["--runtime", "vllm", "--subscription", DEFAULT_SUBSCRIPTION],
    "fleet rollout create": ["--placement", "demo", "--strategy", "demo"],
    "fleet place": ["--select", "namespace/demo"],
    "render": ["--set", "name=demo"],
    "fleet rollout skip": ["--fleet", "demo"],
    "fleet rollout strategy create": ["--stage", "canary"],
    "ray job submit": ["--", "python", "-c", "pass"],
}
# With --cluster, a Ray job's NAME is a submission ID, which takes upper case, '_' and '.'
# (upstream: ray-project/ray python/ray/dashboard/modules/job/sdk.py submit_job takes any string;
# akscli's SUBMISSION_ID in src/akscli/ray/job_api.py), so `ray job` is not fed these as bad names.
RAY_JOB_IDS = ("Demo", "de_mo", "demo.")
# What a command writes (a kubeconfig; a probe's --record, a folder): a new one is no bad value.
WRITTEN = {"--kubeconfig": ("missing.yaml",), "--record": ("missing.yaml", "a-folder")}
# A write an emulator saw: anything but a read, and not the token a credential fetches.
READS = ("GET", "HEAD")


def leaves() -> Iterator[tuple[list[str], Any]]:
    def walk(path: list[str], command: Any) -> Iterator[tuple[list[str], Any]]:
        children = getattr(command, "commands", None)
        if children:
            for name, child in children.items():
                yield from walk([*path, name], child)
        else:
            yield path, command

    for name, (entry, _) in COMMANDS.items():
        yield from walk([name], _to_click(name, _load(entry)))


def _kind(param: Any) -> str:
    type_name = type(param.type).__name__
    if getattr(param, "is_flag", False) or getattr(param, "count", False) or type_name == "BoolParamType":
        return "flag"
    if type_name in ("IntParamType", "FloatParamType", "IntRange", "FloatRange"):
        return "number"
    if hasattr(param.type, "choices"):
        return "choice"
    return "string"


def _benign(path: list[str], param: Any, manifest: Path) -> str:
    """An ordinary value for a required parameter that is not under test, so that the refusal
    seen is the tested value's: a real manifest for -f, a model in the catalog."""
    if param.name in ("filenames", "files", "file"):
        return str(manifest.with_name("serve.yaml") if path[:3] == ["ray", "service", "deploy"] else manifest)
    if param.name == "model_name":
        return "microsoft/phi-4"
    if param.metavar == "KIND/NAME":
        return "namespace/demo"
    kind = _kind(param)
    if kind == "number":
        return "1"
    if kind == "choice":
        return str(next(iter(param.type.choices)))
    return "demo"


def _pick(values: list[str], key: str, count: int = 2) -> list[str]:
    start = int(hashlib.sha256(key.encode()).hexdigest(), 16) % len(values)
    return [values[(start + i) % len(values)] for i in range(count)]


def hostile_values(path: list[str], param: Any, tmp: Path) -> list[str]:
    kind = _kind(param)
    key = " ".join(path) + ":" + str(param.name)
    if kind == "number":
        return _pick(NUMBERS, key)
    if kind == "choice":
        return ["not-a-choice"]
    values = [v for v in STRINGS if not (param.name in FREE_TEXT and v.strip() == v and "\x00" not in v)]
    if getattr(param, "metavar", None) in ("NAME", "NAME..."):
        valid = AKS_NAMES if path[0] == "cluster" or path[:2] == ["baremetal", "cluster"] else ()
        valid = RAY_JOB_IDS if path[:2] == ["ray", "job"] else valid
        names = [n for n in BAD_NAMES if n not in valid]
        return _pick(values, key, 1) + _pick(names, key, 3)
    if any(word in str(param.name) for word in FILE_WORDS):
        # a folder, a missing file, a file of the wrong shape, a file that is not text
        # and a name longer than a file system takes (ENAMETOOLONG: NAME_MAX, 255 bytes)
        values = [str(tmp), str(tmp / "missing.yaml"), str(tmp / "list.yaml"), str(tmp / "binary.json")]
        return [*values, str(tmp / ("a" * 300)), *_pick(STRINGS, key, 1)]
    if str(getattr(param, "metavar", "")).endswith("IMAGE"):
        # a repository name over 255 characters (distribution/reference reference.go, ErrNameTooLong)
        return ["a" * 300, *_pick(values, key)]
    return _pick(values, key)


def argv_for(path: list[str], command: Any, target: Any, value: str, manifest: Path) -> list[str]:
    argv = list(path)
    for param in command.params:
        if param.name == "help" or (_kind(param) == "flag" and param is not target):
            continue
        if param is target:
            chosen = value
        elif param.required:
            chosen = _benign(path, param, manifest)
        elif param.metavar in CONTEXT and param.metavar not in NOT_FILLED.get(" ".join(path), ()):
            chosen = CONTEXT[param.metavar]
        elif param.param_type_name == "argument" and param.metavar in ("NAME", "NAME..."):
            chosen = "demo"  # an optional NAME (a delete's): without it the command wants one first
        else:
            continue
        if param.param_type_name == "argument":
            argv.append(chosen)
        else:
            argv += [max(param.opts, key=len), chosen]
    # An argument (NAME) gets none of them: a bad NAME is refused before a flag the command lacks.
    needs = NEEDS.get(" ".join(path), []) if target.param_type_name == "option" else []
    if needs[:1] != ["--"] and not set(needs[::2]) & set(getattr(target, "opts", ())):
        argv += needs
    return [*argv, *needs] if needs[:1] == ["--"] else argv


def snapshot(*folders: Path) -> set[str]:
    return {str(p) for folder in folders for p in folder.rglob("*")}


def contract_broken(result: Any) -> str | None:
    lines = result.stderr.splitlines()
    if result.exit_code not in DOCUMENTED:
        return f"exit {result.exit_code}"
    if "Traceback" in result.stderr:
        return "traceback"
    if "unexpected error" in result.stderr:
        return f"stderr: {result.stderr[:160]!r}"
    if result.stdout:
        return f"stdout: {result.stdout[:80]!r}"
    errors = [line for line in lines if line.startswith("error: ")]
    if len(errors) != 1 or not any(line.startswith("hint: ") for line in lines):
        return f"stderr: {result.stderr[:160]!r}"
    if len(errors[0]) > 2000:
        return f"error line of {len(errors[0])} characters"
    return None


def not_named(path: list[str], result: Any, param: Any, value: str) -> str | None:
    """A refused name whose error does not name the parameter refused (its metavar, NAME, or one of
    its flags), as Click's ``Invalid value for '-n' / '--namespace'`` and kubectl's ``invalid
    argument "x" for "-n, --namespace" flag`` (spf13/pflag flag.go FlagSet.set) do: a refusal of another
    parameter than the one under test (a flag the command needs that the fill left out) is caught
    here. A value that starts with '-' is read as an option, as cobra reads it (``No such option``)."""
    error = next(line for line in result.stderr.splitlines() if line.startswith("error: "))
    if value.startswith("-") and "No such option" in error:
        return None
    if (value == "" and clears_when_empty(path, param)) or any(value.endswith(WRITTEN.get(o, ())) for o in param.opts):
        return None  # not a bad value: the refusal seen is another's (the emulator has no such pool)
    if param.param_type_name == "argument":
        named = str(param.metavar).rstrip(".") in error
    else:
        named = any(opt in error for opt in param.opts)
    return None if named else f"the error does not name {'/'.join(param.opts)}: {error[:160]!r}"


def clears_when_empty(path: list[str], param: Any) -> bool:
    """An option whose empty value clears (argv_check.EMPTY_CLEARS: nodepool update --labels "")."""
    return bool(set(param.opts) & EMPTY_CLEARS.get((path[0], path[-1]), frozenset()))


def emulator_writes(kube: Any, arm: Any, seen: tuple[int, int]) -> str | None:
    """A write either emulator received since ``seen`` (their request logs' lengths), if any."""
    writes = [f"{r.method} {r.path}" for r in list(kube.request_log)[seen[0] :] if r.method not in READS]
    writes += [
        f"{r.method} {r.path}"
        for r in list(arm.request_log)[seen[1] :]
        if r.method not in READS and not r.path.lower().endswith("token") and not _arm_list_action(r.path)
    ]
    return f"the emulator saw {writes[:2]}" if writes else None


def _arm_list_action(path: str) -> bool:
    """An ARM POST that reads: the list* actions (managedClusters/NAME/listClusterUserCredential,
    fleets/NAME/listCredentials; upstream: Azure/azure-rest-api-specs
    specification/containerservice/resource-manager/Microsoft.ContainerService/aks/stable/*/managedClusters.json,
    ManagedClusters_ListClusterUserCredentials, a POST that changes nothing)."""
    return path.rsplit("/", 1)[-1].lower().startswith("list")


GROUPS = list(COMMANDS)


@pytest.mark.parametrize("group", GROUPS)
def test_every_parameter_refuses_hostile_values_with_one_line(
    group: str,
    azure_env: Any,
    kube_emulator: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    kubeconfig = kube_emulator.write_kubeconfig(tmp_path / "kubeconfig", context="emulator", namespace="default")
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig))
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    home = Path(os.environ["HOME"])
    folder = tmp_path / "a-folder"
    folder.mkdir()
    (folder / "list.yaml").write_text("- just\n- a: list\n- [of, things]\n")
    (folder / "binary.json").write_bytes(b"\xff\xfe\x00\x01 not text")
    manifest = tmp_path / "cm.yaml"
    manifest.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  a: b\n")
    # ray service deploy -f's Ray Serve config: an applications list (src/akscli/ray/service.py reads it)
    (tmp_path / "serve.yaml").write_text("applications:\n- name: app\n  import_path: app:deployment\n")
    broken: list[str] = []
    for path, command in leaves():
        if path[0] != group:
            continue
        for param in command.params:
            if param.name == "help" or _kind(param) == "flag":
                continue
            for value in hostile_values(path, param, folder):
                before = snapshot(work, home)
                seen = len(kube_emulator.request_log), len(azure_env.request_log)
                argv = argv_for(path, command, param, value, manifest)
                result = invoke(*argv)
                problem = contract_broken(result)
                if problem is None:
                    problem = not_named(path, result, param, value)
                if problem is None and snapshot(work, home) - before:
                    problem = f"wrote {sorted(snapshot(work, home) - before)[:2]}"
                if problem is None:
                    problem = emulator_writes(kube_emulator, azure_env, seen)
                if problem:
                    shown = [a if len(a) < 40 else a[:20] + "..." for a in argv]
                    broken.append(f"{' '.join(map(repr, shown))}: {problem}")
    assert not broken, f"{len(broken)} broken:\n" + "\n".join(broken)


@pytest.mark.parametrize("flag", ["--reason", "--audit-log", "--allow", "--policy-file"])
def test_global_flags_refuse_hostile_values_with_one_line(flag: str, tmp_path: Path) -> None:
    manifest = tmp_path / "cm.yaml"
    manifest.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n")
    (tmp_path / "binary.yaml").write_bytes(b"\xff\xfe\x00")
    values = [*STRINGS]
    if flag in ("--audit-log", "--policy-file"):
        values += [str(tmp_path), str(tmp_path / "binary.yaml")] if flag == "--policy-file" else [str(tmp_path)]
    broken = []
    for value in values:
        if flag == "--reason" and value.strip() == value and "\x00" not in value and len(value) < 2048:
            continue  # free text: any printable line is a reason
        command = ["audit", "list"] if flag == "--audit-log" else ["policy", "check", "-f", str(manifest)]
        result = invoke(*command, flag, value)
        problem = contract_broken(result)
        if problem:
            broken.append(f"{flag} {value[:20]!r}: {problem}")
    assert not broken, broken
