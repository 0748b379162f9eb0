"""Device-code and browser sign-in that is remembered between commands.

As kubelogin does (Azure/kubelogin pkg/internal/token/devicecodecredential.go: the credential
gets an ``AuthenticationRecord`` and a persistent token cache, and ``Authenticate`` runs only
when there is no record yet), a user signs in once: the record (who, which tenant; no secret)
is kept under akscli's cache folder, and azure-identity's persistent token cache
(``TokenCachePersistenceOptions``, name ``akscli``) keeps the refresh token, so later commands
and ``akscli token`` get tokens silently until the refresh token expires.

The token cache is encrypted where the platform offers it (Keychain, DPAPI, libsecret); on a
Linux host without a keyring it falls back to a file readable only by the user, as the Azure
CLI's own token cache does (``~/.azure/msal_token_cache.json``).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

from akscli import cachedir

if TYPE_CHECKING:
    from azure.core.credentials import AccessToken, TokenCredential

CACHE_NAME = "akscli"


def record_dir() -> Path:
    return Path(cachedir.path("auth-records"))


def record_path(kind: str, client_id: str, tenant: str | None, authority: str | None) -> Path:
    raw = "\0".join([kind, client_id, tenant or "organizations", authority or ""])
    return record_dir() / f"{hashlib.sha256(raw.encode()).hexdigest()[:32]}.json"


class Remembered:
    """A public-client credential (DeviceCodeCredential, InteractiveBrowserCredential) built on
    the first ``get_token``: with the saved record when there is one (silent), otherwise it signs
    in once with ``authenticate`` and saves the record for the next command."""

    def __init__(self, build: Callable[[Any], TokenCredential], path: Path) -> None:
        self._build = build
        self._path = path
        self._cred: Any = None

    def _credential(self, scopes: tuple[str, ...], **kwargs: Any) -> Any:
        if self._cred is not None:
            return self._cred
        from azure.identity import AuthenticationRecord

        record = None
        try:
            record = AuthenticationRecord.deserialize(self._path.read_text(encoding="utf-8"))
        except (OSError, ValueError, KeyError):
            record = None
        cred: Any = self._build(record)
        if record is None:
            record = cred.authenticate(scopes=list(scopes), **kwargs)
            self._save(record.serialize())
        self._cred = cred
        return cred

    def _save(self, text: str) -> None:
        """The record, in a folder of this user's only (``cachedir``), through a temp file that
        mkstemp creates 0600 whatever the umask (a fixed ``.tmp`` name left by an earlier run would
        keep its own mode, and O_CREAT follows a link there), replaced at once. Not kept where the
        folder is not private: the next command signs in again (client-go and az write their
        credential files 0600 too: kubernetes/client-go tools/clientcmd/loader.go WriteToFile)."""
        import tempfile

        folder = self._path.parent
        with suppress(OSError):
            cachedir.make(str(folder))
        if not cachedir.is_private(str(folder)):
            return
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".record-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
            os.replace(tmp, self._path)
        except BaseException:
            with suppress(OSError):
                os.unlink(tmp)
            raise

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        token: AccessToken = self._credential(scopes, **kwargs).get_token(*scopes, **kwargs)
        return token

    def close(self) -> None:
        close = getattr(self._cred, "close", None)
        if close is not None:
            close()


def cache_options() -> Any:
    from azure.identity import TokenCachePersistenceOptions

    return TokenCachePersistenceOptions(name=CACHE_NAME, allow_unencrypted_storage=True)


def remembered(
    kind: str,
    client_id: str,
    tenant: str | None,
    common: dict[str, Any],
    prompt: Any,
    browser: dict[str, str] | None = None,
) -> Remembered:
    """``kind`` is devicecode or interactive; ``common`` the authority/discovery keywords; ``browser`` the
    browser sign-in's login_hint and redirect_uri, where given."""
    import azure.identity as ai

    def build(record: Any) -> TokenCredential:
        kw: dict[str, Any] = {**common, "cache_persistence_options": cache_options(), "authentication_record": record}
        if record is not None:
            kw.pop("authority", None)  # the record names its authority (azure-identity InteractiveCredential)
        if kind == "devicecode":
            return ai.DeviceCodeCredential(client_id=client_id, tenant_id=tenant, prompt_callback=prompt, **kw)
        return ai.InteractiveBrowserCredential(client_id=client_id, tenant_id=tenant, **kw, **(browser or {}))

    return Remembered(build, record_path(kind, client_id, tenant, common.get("authority")))
