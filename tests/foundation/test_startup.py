"""Start-up stays fast: help and offline commands import neither kubernetes, azure nor pydantic,
and offline commands import nothing of the cluster side or a library they do not use."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from akscli.cli.main import COMMANDS

PROBE = """
import contextlib, io, sys
from akscli.cli.main import run
families = sys.argv[1].split(",")
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    code = run(sys.argv[2:])
heavy = sorted({f for f in families for m in sys.modules if m == f or m.startswith(f + ".")})
import json  # after the run: whether the command loaded json is part of the answer
print(json.dumps({"code": code, "heavy": heavy}))
"""

CLUSTER_AND_AZURE = ("kubernetes", "azure", "pydantic")
# What no offline command loads unless it uses it: the cluster and Azure sides (akscli's own
# too), the planning modules (model plan's), the YAML and template libraries, rich,
# importlib.metadata (it imports email), and the stdlib modules only a few validators and output
# formats need (decimal for quantities, csv for -o csv and CSV price files, json and akscli.yamlio
# for JSON and YAML output), logging (configured only once something can log: akscli.logconfig), and
# dataclasses: on CPython 3.11 each @dataclass compiles up to six methods at import, 1.2-3.3 ms a
# class, so the records these commands load are akscli.records.Record classes (output.Column); and the
# examples that end each --help (akscli.cli.examples), read when help is printed.
UNUSED_OFFLINE = (
    *CLUSTER_AND_AZURE,
    "akscli.kube",
    "akscli.azure",
    "akscli.cli.model_deploy",
    "akscli.cli.model_revisions",
    "akscli.cli.model_serving",
    "akscli.cli.model_top",
    "akscli.model.live",
    "akscli.model.deploy",
    "akscli.model.revisions",
    "akscli.model.metrics",
    "akscli.cli.model_plan",
    "akscli.cli.model_plan_body",
    "akscli.model.planning",
    "akscli.model.skus",
    "ruamel",
    "jinja2",
    "rich",
    "importlib.metadata",
    "email",
    "decimal",
    "csv",
    "json",
    "logging",
    "dataclasses",
    "akscli.yamlio",
    "akscli.cli.examples",
)


def _imports(*args: str, families: tuple[str, ...] = CLUSTER_AND_AZURE) -> dict[str, object]:
    command = [sys.executable, "-c", PROBE, ",".join(families), *args]
    done = subprocess.run(command, capture_output=True, text=True, check=True, timeout=60)
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_root_help_imports_no_kubernetes_or_azure_module() -> None:
    assert _imports("--help") == {"code": 0, "heavy": []}


@pytest.mark.parametrize("group", sorted(COMMANDS))
def test_group_help_imports_no_kubernetes_or_azure_module(group: str) -> None:
    assert _imports(group, "--help") == {"code": 0, "heavy": []}


@pytest.mark.parametrize(
    "args",
    [
        ("version",),
        ("version", "-o", "json"),
        ("completion", "bash"),
        ("render", "--list"),
    ],
)
def test_offline_commands_import_no_kubernetes_or_azure_module(args: tuple[str, ...]) -> None:
    assert _imports(*args) == {"code": 0, "heavy": []}


@pytest.mark.parametrize(
    ("args", "uses"),
    [
        (("--help",), []),
        (("model", "plan", "phi-4"), ["akscli.cli.model_plan_body", "akscli.model.planning", "akscli.model.skus"]),
        (("model", "catalog"), []),
        (("model", "show", "phi-4"), []),
        (("version",), []),
        (("render", "core/namespace", "--set", "name=demo"), ["akscli.yamlio", "jinja2", "json", "ruamel"]),
    ],
)
def test_offline_commands_import_only_what_they_use(args: tuple[str, ...], uses: list[str]) -> None:
    """The benchmarked offline commands (tests/bench/bench_foundation.py): `model plan` loads
    neither the modules of the model group's cluster commands nor their cluster side, `model
    catalog` and `show` not the planning modules either; the catalog's data is a generated module
    (akscli.datafiles), so no parser; a table needs no YAML or JSON writer (akscli.yamlio);
    `render` loads Jinja and ruamel because it renders and parses YAML (Jinja loads json)."""
    assert _imports(*args, families=UNUSED_OFFLINE) == {"code": 0, "heavy": uses}


def test_command_modules_hand_typer_their_annotations_as_objects() -> None:
    """Typer reads a command's annotations each time it builds the command (every run):
    ``inspect.signature(eval_str=True)`` and ``typing.get_type_hints``. Under ``from __future__
    import annotations`` each is a string that is compiled and evaluated again, typer.Option(...)
    and all: about 2 ms of `akscli render`. Names imported only for the type checker are quoted."""
    cli = Path(__file__).resolve().parents[2] / "src" / "akscli" / "cli"
    deferred = [
        p.relative_to(cli).as_posix()
        for p in sorted(cli.rglob("*.py"))
        if "from __future__ import annotations" in p.read_text(encoding="utf-8")
    ]
    assert deferred == []


FORWARD_REFS = """
import sys, typing
import typer  # its own records are the floor's, not akscli's
made = []
original = typing.ForwardRef.__init__
def counting(self, arg, *args, **kwargs):
    made.append(arg)
    original(self, arg, *args, **kwargs)
typing.ForwardRef.__init__ = counting
import akscli.output, akscli.model.catalog, akscli.model.skus, akscli.model.planning, akscli.cli.options
print(len(made))
"""


def test_start_up_records_are_built_without_compiling_their_annotations() -> None:
    """A string annotation (``from __future__ import annotations``) that is read as the class is
    built (a NamedTuple checks each one) becomes a ``typing.ForwardRef``, which compiles it: about
    1 ms for a 25-field record, against 0.4 ms with the annotations as objects. The records
    `version`, `model plan` and `catalog` load (output.Column, catalog.Model and Description,
    skus.GpuSku, kaito_estimator.KaitoEstimate, planning's Throughput, Fit and Plan, options.KubeFlags) are
    built from objects."""
    done = subprocess.run([sys.executable, "-c", FORWARD_REFS], capture_output=True, text=True, check=True, timeout=60)
    assert done.stdout.strip() == "0"


@pytest.mark.parametrize("args", [("model", "plan", "phi-4"), ("model", "catalog"), ("version",)])
def test_commands_that_name_no_shared_option_do_not_build_them(args: tuple[str, ...]) -> None:
    """`model plan`, `model catalog` and `version` have none of akscli.cli.flag_types' options, so
    they do not load it."""
    assert _imports(*args, families=("akscli.cli.flag_types",)) == {"code": 0, "heavy": []}


CREDENTIAL_PATTERNS = """
import contextlib, io, re, sys
from akscli import redact
from akscli.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    main.run(["version"])
shapes = (redact._QUOTED_CREDENTIAL, redact._CREDENTIAL, redact._HEADER, redact._JWT)
patterns = {getattr(p, "pattern", p) for p in shapes}
print(sorted(key[1] for key in re._cache if key[1] in patterns))
"""


def test_error_scrubbing_patterns_compile_on_the_first_error_not_at_start() -> None:
    """The patterns that keep credentials out of error lines (akscli.redact.scrub) are compiled by re's
    cache when an error is printed: 0.7 ms that a command that succeeds does not pay."""
    done = subprocess.run(
        [sys.executable, "-c", CREDENTIAL_PATTERNS], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]"


# The patterns re compiles for akscli's own code (the nearest caller outside re) while the command
# sys.argv[1:] runs: (file under the package, pattern).
AKSCLI_COMPILES = """
import contextlib, importlib.util, io, os, re._compiler, sys, traceback
# akscli's own files, by the package's folder (found without importing it): a checkout or a
# virtualenv may sit under a folder named akscli too.
package = importlib.util.find_spec("akscli").submodule_search_locations[0] + os.sep
stdlib_re = os.path.dirname(re.__file__) + os.sep
compiled = []
original = re._compiler.compile
def compile(pattern, flags=0):
    stack = traceback.extract_stack(sys._getframe(1))
    callers = [f.filename for f in stack if not f.filename.startswith(stdlib_re) and "<frozen" not in f.filename]
    if callers[-1].startswith(package):
        compiled.append((callers[-1][len(package):], pattern))
    return original(pattern, flags)
re._compiler.compile = compile
from akscli.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    main.run(sys.argv[1:])
"""
WIDE_CHARACTER_CLASSES = AKSCLI_COMPILES + (
    'print(sorted(ascii(p) for _, p in compiled if isinstance(p, str) and max(p, default=" ") > "\\xff"))'
)


def test_a_render_of_plain_values_compiles_no_character_class_beyond_latin_1() -> None:
    """re compiles a character class holding characters beyond Latin-1 slowly (1.5 ms for three
    line breaks): akscli's own such patterns wait for a value or text that holds one."""
    done = subprocess.run(
        [sys.executable, "-c", WIDE_CHARACTER_CLASSES, "render", "core/namespace", "--set", "name=demo"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert done.stdout.strip() == "[]"


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kubectl_runs_akscli_as_a_plugin() -> None:
    bin_dir = Path(sys.executable).parent
    if not (bin_dir / "kubectl-akscli").exists():
        pytest.skip("kubectl-akscli is not installed beside this Python")
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    done = subprocess.run(["kubectl", "akscli", "version", "-o", "json"], capture_output=True, text=True,
                          env=env, timeout=60, check=True)  # fmt: skip
    assert json.loads(done.stdout)["akscli"]
    helped = subprocess.run(["kubectl", "akscli", "--help"], capture_output=True, text=True, env=env, timeout=60)
    assert helped.stdout.startswith("Usage: kubectl akscli")


UNUSED_PATTERNS = """
import contextlib, fnmatch, io, re, sys
from akscli import kubeyaml, value_types, yamlio
from akscli.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    main.run(["render", "core/namespace", "--set", "name=demo"])
patterns = {
    "kubeyaml": (kubeyaml._YAML_STYLE_FLOAT, kubeyaml._DOT_FLOAT, kubeyaml._GO_INT),
    "value_types": (value_types._CONFIGMAP_KEY, value_types._ENV_NAME),
    "yamlio": (yamlio._DUPLICATE_VALUES, yamlio._SURROGATE_ESCAPE),
    "template glob": (fnmatch.translate("*.yaml.j2"),),
}
compiled = {key[1] for key in re._cache}
found = [name for name, texts in patterns.items() if compiled.intersection(getattr(t, "pattern", t) for t in texts)]
print(sorted(found))
"""


def test_a_render_of_words_compiles_no_pattern_for_numbers_keys_json_or_globs() -> None:
    """`akscli render core/namespace` reads no number, ConfigMap key, environment name or JSON
    document and prints no YAML error: the patterns for those (kubeyaml's Go number syntax,
    value_types' key rules, yamlio's) compile when such input comes (about 1 ms together), and the
    template list is walked without a glob pattern (akscli.render._templates)."""
    done = subprocess.run(
        [sys.executable, "-c", UNUSED_PATTERNS], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]"


# Modules the benchmarked offline commands load no part of: a TYPE argument's resources (ray, fleet
# and nodepool commands), the hints that create a Secret (an error's, a deploy's), deploy's own flags.
# hashlib loads OpenSSL (_hashlib): about 2 ms, 10 M instructions; only a long KAITO pool name
# (kaito_names.pool_name) and deploy's change hash use it. shlex quotes the words of a usage
# error's hint (akscli.cli.name_flag) and compiles a pattern as it loads. name_flag holds the
# refusals of a misused flag (error paths), suggest the guesses of a hint.
LEFT_OUT_OF_OFFLINE = (
    "akscli.resource_type",
    "akscli.secret_hints",
    "akscli.model.deploy_flags",
    "hashlib",
    "shlex",
    "akscli.cli.name_flag",
    "akscli.suggest",
)


@pytest.mark.parametrize("args", [("model", "plan", "phi-4"), ("model", "catalog"), ("version",)])
def test_benchmarked_offline_commands_load_no_module_only_other_commands_or_errors_need(
    args: tuple[str, ...],
) -> None:
    """Each module is a file to find, read and run (about 0.06 ms before its own code), and
    ResourceType is a NamedTuple class (0.14 ms), hashlib loads OpenSSL, shlex (an error hint's
    quoting, akscli.cli.name_flag) compiles a pattern: `model plan`, `model catalog` and `version`
    (tests/bench/bench_foundation.py) load none of them."""
    assert _imports(*args, families=LEFT_OUT_OF_OFFLINE) == {"code": 0, "heavy": []}


OPTIONS_BUILT_AS_IT_LOADS = """
import sys
from typer import models
built = []
init = models.OptionInfo.__init__
def counting(self, *args, **kwargs):
    init(self, *args, **kwargs)
    built.append(self)
models.OptionInfo.__init__ = counting
import importlib
importlib.import_module(sys.argv[1])
print(len(built))
"""


def test_the_module_every_command_loads_for_its_flags_builds_only_the_read_commands_output_option() -> None:
    """akscli.cli.options (every command's flag parsing: -o, --dry-run and -A checks, bool flag
    values, flag blocks) builds one Typer option as it loads, a read command's -o (options.Output,
    which `model catalog` has): the other shared options (--kubeconfig, -n, -y, --wait ...: about
    0.15 M instructions each) are akscli.cli.flag_types', which only the commands that name one
    import. Before, `model plan`, `model catalog` and `version` built 20 options."""
    done = subprocess.run(
        [sys.executable, "-c", OPTIONS_BUILT_AS_IT_LOADS, "akscli.cli.options"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert done.stdout.strip() == "1"


PLUGIN_PATTERN = """
import contextlib, io, re, sys
from akscli.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    main.run(sys.argv[1:])
print(sorted(key[1] for key in re._cache if isinstance(key[1], str) and "(?<!kubectl )akscli" in key[1]))
"""


@pytest.mark.parametrize("args", [("model", "plan", "phi-4"), ("model", "catalog"), ("version",)])
def test_the_plugin_spelling_pattern_compiles_only_when_a_line_is_spelled_for_kubectl(args: tuple[str, ...]) -> None:
    """akscli.plugin_spelling's pattern (`akscli X` written `kubectl akscli X`) is loaded by every
    command through akscli.statuslines, and is needed only when kubectl runs akscli as its plugin:
    0.2 ms to compile, on the first line spelled so (tests/foundation/test_plugin_lines.py)."""
    done = subprocess.run(
        [sys.executable, "-c", PLUGIN_PATTERN, *args], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]"


OWN_PATTERNS = AKSCLI_COMPILES + 'print(sorted(f"{file}: {pattern!r}" for file, pattern in compiled))'


@pytest.mark.parametrize("args", [("model", "plan", "phi-4"), ("model", "catalog"), ("version",)])
def test_benchmarked_offline_commands_compile_no_pattern_of_akscli(args: tuple[str, ...]) -> None:
    """Compiling a pattern costs 0.1-0.15 ms (0.4-0.8 M instructions): the checks these commands
    make on every run (the default --region, a model id's '-A<n>B' active parameters, a GPU's
    name without its memory, a distribution's name) are string operations, and the patterns of
    KAITO's refusals (kaito_names) compile when a refusal is read, not as the module loads."""
    done = subprocess.run(
        [sys.executable, "-c", OWN_PATTERNS, *args], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]"


def test_a_render_of_plain_set_values_compiles_no_pattern_of_akscli() -> None:
    """`render core/namespace --set name=demo` checks its value's name, the object name, the
    template's flow nesting and whether the value is shaped like a secret: string operations, or a
    pattern only where the value holds a token's fixed part (secret_words._SECRET_MARKS). Before,
    four patterns compiled (secret_words' token shapes alone about 5 M instructions)."""
    command = [sys.executable, "-c", OWN_PATTERNS, "render", "core/namespace", "--set", "name=demo"]
    done = subprocess.run(command, capture_output=True, text=True, check=True, timeout=60)
    assert done.stdout.strip() == "[]"


ONE_MODEL = """
from akscli.model import catalog
found = catalog.find("PHI-4")
only_one = catalog._models is None
print(found.id if found else None, only_one, any(m is found for m in catalog.all_models()))
"""


def test_finding_one_catalog_model_makes_only_that_model() -> None:
    """`model plan NAME` and `model deploy NAME` need one row of the catalog: find makes that row's
    Model alone, not all of them (catalog.all_models, for `model catalog`: 0.3 ms); all_models
    then holds that same Model."""
    done = subprocess.run([sys.executable, "-c", ONE_MODEL], capture_output=True, text=True, check=True, timeout=60)
    assert done.stdout.split() == ["microsoft/phi-4", "True", "True"]


NAMEDTUPLES_MADE = """
import collections, contextlib, io, sys
import typer  # click's and typer's own records are the floor's, not akscli's
made = []
original = collections.namedtuple
def counting(typename, field_names, **kwargs):
    module = kwargs.get("module") or sys._getframe(1).f_globals.get("__name__", "")
    made.append(f"{module}.{typename}")
    return original(typename, field_names, **kwargs)
collections.namedtuple = counting
from akscli.cli.main import run
with contextlib.redirect_stdout(io.StringIO()):
    run(sys.argv[1:])
print(sorted(name for name in made if name.startswith("akscli")))
"""


@pytest.mark.parametrize("args", [("model", "plan", "phi-4"), ("model", "catalog"), ("version",)])
def test_benchmarked_offline_commands_make_no_namedtuple_class(args: tuple[str, ...]) -> None:
    """A NamedTuple class costs 90-230 us to make on CPython 3.11 (collections.namedtuple compiles
    its ``__new__`` with ``eval``), a Record subclass about 10 us: the records `model plan`,
    `model catalog` and `version` load (output.Column, catalog.Model and Description, skus.GpuSku,
    kaito_estimator.KaitoEstimate, planning's Throughput, Fit and Plan, options.KubeFlags) are
    Records (akscli.records)."""
    done = subprocess.run(
        [sys.executable, "-c", NAMEDTUPLES_MADE, *args], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip().splitlines()[-1] == "[]"
