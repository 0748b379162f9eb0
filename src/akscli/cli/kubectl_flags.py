"""kubectl's connection flags that akscli does not take. A script written for kubectl passes them
to `kubectl akscli` as well (`--as`, `--token`, `--server` ...): click's `No such option: --as`
read as if akscli did not know kubectl. akscli connects through a kubeconfig context only
(--kubeconfig, --context, -n, --request-timeout: akscli.cli.options), so the line says that, and
the hint is the context; a value given with the flag (a token) is never repeated."""

from akscli.errors import UsageError

# upstream: kubernetes/cli-runtime 69e8693b pkg/genericclioptions/config_flags.go, the flag names
# of ConfigFlags.AddFlags that are not akscli's (-s is --server's shorthand there).
CONNECTION_FLAGS = frozenset(
    {
        "--as",
        "--as-group",
        "--as-uid",
        "--as-user-extra",
        "--certificate-authority",
        "--client-certificate",
        "--client-key",
        "--cluster",
        "--insecure-skip-tls-verify",
        "-s",
        "--server",
        "--tls-server-name",
        "--token",
        "--user",
        "--username",
        "--password",
    }
)
# Settings of kubectl's own with no connection to set: ConfigFlags' --cache-dir and
# --disable-compression, and kubectl's root flags (kubernetes/kubectl dee3483a pkg/cmd/cmd.go:
# --warnings-as-errors; --match-server-version, --profile and --profile-output).
SETTINGS = frozenset(
    {
        "--cache-dir",
        "--disable-compression",
        "--warnings-as-errors",
        "--match-server-version",
        "--profile",
        "--profile-output",
    }
)
READ = "akscli reads --kubeconfig, --context, -n and --request-timeout of kubectl's connection flags"


def refusal(option: str | None, path: str) -> UsageError | None:
    """The usage error for one of kubectl's flags that akscli does not take; None for another. The
    line names the command (``path``): a few akscli commands have a flag of the same name with
    another meaning (``ray job submit --cluster`` names a Ray cluster), so "akscli does not take
    --cluster" would be wrong there."""
    if option in CONNECTION_FLAGS:
        hint = (
            "pass a kubeconfig context that holds the cluster and user: --context NAME "
            "(kubectl config get-contexts lists them)"
        )
    elif option in SETTINGS:
        hint = "leave it out: akscli has no such setting"
    else:
        return None
    return UsageError(f"'{path}' takes no {option}, kubectl's flag: {READ}", hint=hint)
