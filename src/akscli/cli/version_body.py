"""akscli version's body: what it prints, without the CLI framework (akscli.cli.version declares
the flags; the fast path, akscli.cli.fast, calls this with the same arguments)."""

import functools
import os
import sys

from akscli import __version__, output

# One record, no rows: jsonpath= applies, custom-columns= would print one row of it.
VERSION_FORMATS = ("table", "json", "yaml", output.JSONPATH)
PACKAGES = (
    "kubernetes",
    "azure-identity",
    "azure-mgmt-containerservice",
    "azure-mgmt-containerservicefleet",
    "azure-core",
    "typer",
    "rich",
)


def _normalized(name: str) -> str:
    """A distribution's name as its .dist-info directory spells it: each run of '-', '_' and '.'
    one '_', lower case (re.sub(r"[-_.]+", "_", name), without compiling it for each `version`)."""
    joined = name.replace("-", "_").replace(".", "_")
    while "__" in joined:
        joined = joined.replace("__", "_")
    return joined.lower()


@functools.cache
def _dist_info_versions() -> dict[str, str]:
    """Installed versions from the names of the ``{name}-{version}.dist-info`` directories, the
    first on sys.path winning as for imports (packaging.python.org, "Recording installed
    projects"). Reading them costs one directory listing; importlib.metadata costs about 50 ms
    (it imports the email package and parses every METADATA file)."""
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for dirname in names:
            stem = dirname.removesuffix(".dist-info")
            if stem != dirname and stem.count("-") == 1:
                name, version = stem.split("-")
                found.setdefault(_normalized(name), version)
    return found


def _installed(dist: str) -> str | None:
    # Read package metadata instead of importing: `akscli version` stays an offline, fast command.
    found = _dist_info_versions()
    if _normalized(dist) in found:
        return found[_normalized(dist)]
    from importlib import metadata  # an install not recorded as .dist-info (an egg)

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def _python_version() -> str:
    """platform.python_version() without importing platform (its import and parsers are 8.6 M
    instructions, 9% of `version`). CPython 3.11 Lib/platform.py _sys_version: on CPython the
    version is sys.version's first word (``[\\w.+]+``: "3.11.7", "3.13.0rc1", "3.14.0a1+"),
    "3.11" padded to "3.11.0"; other interpreters' sys.version is parsed their own way there."""
    if sys.implementation.name != "cpython" or "PyPy" in sys.version or "Brython" in sys.version:
        import platform

        return platform.python_version()
    word = sys.version.split(None, 1)[0]
    return f"{word}.0" if word.count(".") == 1 else word


def _platform() -> str:
    """``{platform.system().lower()}/{platform.machine()}``. CPython 3.11 Lib/platform.py uname:
    where os.uname() answers with any field, system and machine are its sysname and machine, but
    for OpenVMS and "Microsoft"/"Windows" (renamed there); Windows has no os.uname."""
    uname = getattr(os, "uname", None)
    names = uname() if uname is not None else None
    if names is None or not any(names) or names.sysname in ("Microsoft", "OpenVMS"):
        import platform

        return f"{platform.system().lower()}/{platform.machine()}"
    return f"{names.sysname.lower()}/{names.machine}"


def version(output_format: str, client: bool) -> None:
    """Show akscli, Python, Kubernetes client and Azure SDK versions."""
    # kubectl version --client shows the client's version only, without asking a server
    # (upstream: kubernetes/kubectl dee3483a pkg/cmd/version/version.go, ClientOnly). akscli's
    # version never asks one, so the flag changes nothing. Its -o json keeps akscli's own fields:
    # kubectl's clientVersion (apimachinery's version.Info: gitCommit, gitTreeState, buildDate,
    # goVersion, compiler) has no honest value for a Python package.
    del client
    packages = {name: _installed(name) for name in PACKAGES}
    info: dict[str, object] = {
        "akscli": __version__,
        "python": _python_version(),
        "platform": _platform(),
        "packages": packages,
    }
    if output_format == "table":
        fields = [("akscli", info["akscli"]), ("python", info["python"]), ("platform", info["platform"])]
        fields += [(k, v or "not installed") for k, v in packages.items()]
        output.emit_object(info, "table", fields=fields)
    else:
        output.emit_object(info, output.check_format(output_format, VERSION_FORMATS))
