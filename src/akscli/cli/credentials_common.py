"""What the credentials commands (cluster, baremetal cluster, fleet) share: the exec user they write
in place of kubelogin's, the merge into the kubeconfig, and what they say of it."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from akscli import output
from akscli.cli.azopts import arm_dry_run

if TYPE_CHECKING:
    from akscli.azure.kubeconfig import MergeResult
    from akscli.cli.azopts import AzureFlags


def merge_credentials(new: bytes, path: str | None, *, overwrite_existing: bool, dry_run: str) -> "MergeResult":
    """Merge credentials into the kubeconfig (a warning where others may read it); with --dry-run
    (client) report what would change, leaving every kubeconfig file as it is."""
    from akscli.azure.kubeconfig import merge_kubeconfig, open_to_others

    if not arm_dry_run(dry_run):
        merged = merge_kubeconfig(new, path, overwrite_existing=overwrite_existing)
        line = open_to_others(merged.path)
        if line:
            output.warn(line)
        return merged
    result = merge_kubeconfig(new, path, overwrite_existing=overwrite_existing, write=False)
    result.path, result.backup = f"{result.path} (dry run: not written)", None
    return result


def report_merge(result: "MergeResult", name: str, fmt: str) -> None:
    """What ``credentials`` did to the kubeconfig: the merge in a structured format; with -o name
    the context it wrote on stdout, as ``kubectl config get-contexts -o name`` names a context (its
    bare name, kubernetes/kubectl pkg/cmd/config/get_contexts.go); else one line on stderr."""
    if output.structured(fmt):
        output.emit_object(result.to_dict(), fmt)
    elif fmt == "name":
        if result.context:
            output.write(result.context)
    else:
        output.info(result.describe(name))


def warn_not_on_path(kubeconfig: bytes) -> None:
    """After a credentials command merged ``kubeconfig``: a warning where its exec user runs
    ``akscli token`` and kubectl cannot find akscli on PATH (clustercreds.not_on_path_warning)."""
    from akscli.azure import clustercreds

    line = clustercreds.not_on_path_warning(kubeconfig)
    if line:
        output.warn(line)


@dataclass(frozen=True)
class ExecUser:
    """The exec user the credentials commands write in place of kubelogin's (``akscli token``), from
    --login, --client-id and --identity-resource-id and the Azure flags, checked by ``exec_user``."""

    login: str | None
    admin: bool
    client_id: str | None
    identity_resource_id: str | None
    azure: "AzureFlags"

    def rewrite(self, kubeconfig: bytes) -> bytes:
        """``kubeconfig`` signing in through ``akscli token`` (with --admin: as it came)."""
        from akscli.azure import clustercreds

        if self.admin:
            return kubeconfig
        # With --login azurecli, the --tenant given goes into the plugin's args, as kubelogin's
        # 'convert-kubeconfig -l azurecli --tenant-id' writes it (Azure/kubelogin
        # pkg/internal/converter/convert.go); without it 'az' signs in to its default tenant.
        return clustercreds.rewrite_exec_user(
            kubeconfig,
            login=self.login,
            tenant=self.azure.tenant,  # where given, for every mode (clustercreds.exec_args)
            identity_resource_id=self.identity_resource_id,
            client_id=self.client_id,
            subscription=self.azure.subscription,  # written for azurecli, as convert writes it
        )

    def warn_not_on_path(self, kubeconfig: bytes) -> None:
        """``warn_not_on_path`` for the merged ``kubeconfig`` (with --admin: nothing to warn of)."""
        if not self.admin:
            warn_not_on_path(kubeconfig)


def exec_user(
    login: str | None,
    *,
    azure: "AzureFlags",
    admin: bool = False,
    client_id: str | None = None,
    identity_resource_id: str | None = None,
) -> ExecUser:
    """The credentials commands' exec user, its flags checked before anything is fetched
    (clustercreds.check_exec_identity)."""
    from akscli.azure import clustercreds, identity

    mode = identity.check_auth(login, "--login")
    clustercreds.check_exec_identity(
        mode,
        admin=admin,
        client_id=client_id,
        identity_resource_id=identity_resource_id,
        subscription=azure.subscription,
        tenant=azure.tenant,
    )
    return ExecUser(mode, admin, client_id, identity_resource_id, azure)
