"""The Azure CLI's profile file (``$AZURE_CONFIG_DIR/azureProfile.json``, else ``~/.azure``): the
subscriptions ``az login`` signed in to and the default one, read with the standard library only
(``akscli token`` reads it on every kubectl call).

The CLI writes it with a UTF-8 byte order mark, one entry per subscription: ``id``, ``tenantId``,
``isDefault`` and ``user`` (``name``, ``type``); ``az logout`` removes the user's entries and ``az
account set`` moves ``isDefault`` (upstream: Azure/azure-cli src/azure-cli-core/azure/cli/core/
_profile.py, ``Profile._set_subscriptions``, ``logout``, ``set_active_subscription``).
"""

from __future__ import annotations

import json
import os
from typing import Any


def config_dir() -> str:
    return os.environ.get("AZURE_CONFIG_DIR") or os.path.join(os.path.expanduser("~"), ".azure")


def default_subscription() -> dict[str, Any] | None:
    """The CLI's default subscription, when the profile file exists and names one."""
    try:
        with open(os.path.join(config_dir(), "azureProfile.json"), encoding="utf-8-sig") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return None
    for sub in data.get("subscriptions", []) if isinstance(data, dict) else []:
        if isinstance(sub, dict) and sub.get("isDefault") and sub.get("id"):
            return sub
    return None


def signed_in_account() -> str:
    """Who ``az account get-access-token`` signs in as, in one string: the default subscription's
    user (name and type) and tenant; empty when the CLI is signed out. A token the CLI gave for
    one account must not be served from a cache after ``az login`` as another, ``az account set``
    to another tenant, or ``az logout``."""
    sub = default_subscription()
    if sub is None:
        return ""
    user = sub.get("user")
    if not isinstance(user, dict):
        user = {}
    return "\0".join(str(v) for v in (user.get("name", ""), user.get("type", ""), sub.get("tenantId", "")))
