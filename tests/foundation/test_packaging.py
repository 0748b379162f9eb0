"""The wheel ships the templates, and an installed akscli finds them outside a checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
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
