"""Where ../shared lives: beside the checkout, or wherever AKSCLI_SHARED_DIR points."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def shared_dir() -> Path:
    env = os.environ.get("AKSCLI_SHARED_DIR")
    return Path(env) if env else (REPO_ROOT.parent / "shared").resolve()


def kaito_catalog_path() -> Path:
    return shared_dir() / "data" / "kaito" / "model_catalog.yaml"


def crd_dir() -> Path:
    return shared_dir() / "crds"
