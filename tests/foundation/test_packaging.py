"""The wheel ships the templates, data, help cache and entry points, and an installed akscli finds
them outside a checkout, with no ../shared beside it and AKSCLI_SHARED_DIR unset (the README's
set-up on a fresh machine)."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_an_installed_wheel_renders_a_template_outside_the_checkout(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist), str(REPO)],
        check=True,
        timeout=300,
    )
    (wheel,) = dist.glob("akscli-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    templates = {
        f"akscli/templates/{p.relative_to(REPO / 'templates')}" for p in (REPO / "templates").rglob("*") if p.is_file()
    }
    data = {f"akscli/data/{p.name}" for p in (REPO / "src/akscli/data").glob("*.yaml")}
    assert templates and templates <= names
    assert data and data <= names
    assert "akscli/cli/help.json" in names  # the cached --help (akscli.cli.entry)
    assert "akscli/cli/flags.json" in names  # the flag index of an unknown flag's hint (akscli.cli.unknown_flag)
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    scripts = zipfile.ZipFile(wheel).read(entry_points).decode()
    for script in ("akscli", "kubectl-akscli", "kubectl_complete-akscli"):  # kubectl finds the plugin by name
        assert f"\n{script} = " in scripts
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False, system_site_packages=True)
    python = env_dir / "bin" / "python"
    # The new environment sees this one's dependencies, but akscli only from the wheel.
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", site, str(wheel)],
        check=True,
        timeout=300,
    )
    # Dependencies come from this environment's site-packages (a path, so its .pth files, such
    # as the editable install of akscli, are not read): akscli itself only from the wheel.
    deps = subprocess.run(
        [sys.executable, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(site, "deps.pth").write_text(deps + "\n")
    code = (
        "import akscli, akscli.render as r; print(akscli.__file__); print(r.templates_dir()); "
        "print(r.render('core/namespace', {'name': 'ml', 'labels': {'team': 'x'}}))"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(
        [str(python), "-I", "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path, env=env
    )
    module_file, templates, rendered = done.stdout.split("\n", 2)
    assert Path(module_file).is_relative_to(site)
    assert Path(templates).is_relative_to(site)
    assert "'name': 'ml'" in rendered and "'team': 'x'" in rendered
    # The README's set-up, from an empty folder and an empty home: plan, then render the deploy.
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in env.items() if k not in ("AKSCLI_SHARED_DIR", "KUBECONFIG")} | {"HOME": str(home)}
    for args in (
        ["model", "plan", "phi-4", "--max-model-len", "8192"],
        ["model", "deploy", "phi-4", "--dry-run=client"],
    ):
        done = subprocess.run(
            [str(python), "-I", "-m", "akscli", *args], capture_output=True, text=True, cwd=home, env=env, timeout=120
        )
        assert done.returncode == 0, done.stderr
    assert "kind: Workspace" in done.stdout
