"""kubectl's grammar, as rules over the command tree.

``tests/foundation/test_grammar.py`` checks every command against these rules, and
``python -m akscli.cli.docgen`` writes them (with each command's ``--wait`` default) into
docs/grammar.md, so the convention and its documentation cannot drift apart.
"""

from collections.abc import Mapping, Sequence

from typer import _click as click
from typer._click import types as click_types

from akscli.cli import options as opts
from akscli.validate import GO_BOOLS

CONTEXT_HELP = "The kubeconfig context to use (default: the current context)."
DRY_RUN_HELP = opts.DRY_RUN_HELP

# A flag whose help may name the command's own object: its names, value type and metavar are
# still the same everywhere (one kind of value), only the subject differs.
CONTEXTUAL: dict[str, str] = {
    "--output": "lists the formats the command prints (gpu usage adds csv, policy check sarif)",
    "--namespace": "says what leaving it out means (the context's namespace, a cluster-scoped kind, all)",
    "--all-namespaces": "every namespace: of what the command lists, or with -l or --all of what a delete deletes"
    " (taken and ignored by a delete of a cluster-scoped kind, as kubectl's)",
    "--all": "kubectl's 'Delete all resources, in the namespace ...' with the command's kind: a namespace,"
    " a fleet pair's kind, no namespace for NodePools",
    "--ignore-not-found": "says where it is the default: with -l or --all, as kubectl delete's",
    "--timeout": "says what the command waits for",
    "--wait": "says what the command waits for (ready objects, an ARM operation, a job's end)",
    "--no-wait": "the other half of --wait",
    "--cluster": "the cluster the command works on: AKS for nodepool, fleet and model deploy, Ray for ray job submit",
    "--filename": "the file the command reads: manifests, a RayCluster or a Serve config",
    "--follow": "the log the command streams",
    "--image": "the container image of what the command runs",
    "--kubernetes-version": "the version to create with or upgrade to",
    "--vm-size": "the VM size the command uses or compares with",
    "--count": "node count of a pool",
    "--nodes": "node count",
    "--replicas": "replicas of what the command scales",
    "--tail": "last lines of the command's logs",
    "--since": "how far back the command reads: audit entries, or log lines (kubectl logs --since)",
    "--window": "the span of Prometheus samples the command reads (gpu usage --utilization, model top)",
    "--out-dir": "where the command writes its logs",
    "--env": "environment variables of what the command runs",
    "--node-selector": "node selector of the pods the command creates",
    "--labels": "labels of the object the command creates",
    "--list": "what the command lists instead of acting",
    "--location": "the Azure region of what the command creates",
    "--name": "the name of what the command creates, where the positional names something else",
    "--page-size": "objects per list request",
    "--parallel": "how many the command runs at once",
    "--price-file": "the user's own prices",
    "--prometheus": "the Prometheus URL the command reads (gpu usage) or has KEDA query (model deploy)",
    "--rdma-resource": "the RDMA resource the command looks for or requests",
    "--recreate": "which objects the command deletes and creates",
    "--spot": "spot VMs: a pool of them, or workers placed on them",
    "--stack": "the stack the objects belong to",
    "--stage": "a stage: its spec where one is defined, its name where one is chosen",
    "--strategy": "an update strategy by name",
    "--zones": "availability zones of a pool",
    "--gpus-per-node": "GPUs per node",
    "--admin": "admin credentials instead of the user's",
    "--node-image-only": "node images only",
    "--node-image-selection": "Latest|Consistent node images",
    "--max-surge": "how many more than desired may run during a rollout: members of a placement, nodes of a pool",
    "--max-unavailable": "how many may be down at once during a rollout: members of a placement, nodes of a pool",
    "--interval": "how often the command checks again",
    "--runtime": "the serving runtime: what plan sizes for, what deploy creates",
    "--subscription": "a subscription ID: the one a command acts in, or the one model plan/deploy check quota in",
    "--exit-code": "a server dry run's plan as the exit status: kubectl diff's, or a create's 1 or 4 (name taken)",
}

# Short flags with two meanings, each the one kubectl or az gives it; never both on one command.
SECOND_MEANINGS: dict[str, tuple[frozenset[str], str]] = {
    "-l": (
        frozenset({"--selector", "--location"}),
        "--selector on Kubernetes commands (kubectl -l), --location on Azure create commands (az -l)",
    ),
    "-f": (
        frozenset({"--filename", "--follow"}),
        "--filename where files are read (kubectl apply -f), --follow on logs (kubectl logs -f)",
    ),
    "-c": (
        frozenset({"--cluster", "--container"}),
        "--cluster on the nodepool commands, --container on model logs (kubectl logs -c)",
    ),
    "--node-count": (
        frozenset({"--count", "--system-count"}),
        "az's name for the node count of the pool the command makes or scales (AZ_ALIASES)",
    ),
    "--node-vm-size": (
        frozenset({"--vm-size", "--system-vm-size"}),
        "az's name for the VM size of the pool the command makes (AZ_ALIASES)",
    ),
}

# az's long names that akscli accepts beside its own, one option each (nodepool add/scale, cluster
# create, fleet member join), so az's flags work as they are; a flag's meaning is read without them
# (upstream: Azure/azure-cli 0088c878 src/azure-cli/azure/cli/command_modules/acs/_params.py;
# Azure/azure-cli-extensions 201a3b46 src/fleet/azext_fleet/_params.py).
AZ_ALIASES: dict[str, str] = {
    "--node-count": "--count on nodepool add/scale, --system-count on cluster create (az aks create's first pool)",
    "--node-vm-size": "--vm-size on nodepool add, --system-vm-size on cluster create (az aks create's first pool)",
    "--min-count": "--min (autoscaler minimum of a node pool)",
    "--max-count": "--max (autoscaler maximum of a node pool)",
    "--disable-cluster-autoscaler": "--disable-autoscaler (nodepool scale; az aks nodepool update's flag)",
    "--member-cluster-id": "--cluster on fleet member join, a resource id only (az fleet member create's flag)",
    "--cluster-name": "--cluster on the nodepool commands (az aks nodepool's flag)",
    "--node-taints": "--taint on nodepool add, comma-separated as az takes it (az aks nodepool add's flag)",
}

# Verbs that act on one named resource: it is a positional NAME.
ONE_RESOURCE_VERBS = frozenset(
    {
        "create", "show", "delete", "upgrade", "start", "stop", "wait", "credentials", "add", "scale",
        "status", "deploy", "endpoint", "test", "logs", "history", "rollback", "place", "approve",
        "join", "remove", "drain", "uncordon", "skip", "submit", "dashboard", "nodes",
    }
)  # fmt: skip
# Commands named by one of those verbs whose resource is not a name.
NO_NAME = frozenset({"baremetal test nccl", "ray job submit"})

# Verbs that change something (in Azure, in a cluster, or in the kubeconfig).
CHANGING_VERBS = frozenset(
    {
        "create", "add", "delete", "remove", "upgrade", "scale", "start", "stop", "deploy", "rollback",
        "place", "approve", "join", "drain", "uncordon", "skip", "credentials", "prepare", "submit",
        "apply", "nccl", "inventory",
    }
)  # fmt: skip
# Read commands whose result is a report, not resources: -o name has nothing to name.
NO_NAME_OUTPUT = frozenset({"doctor", "baremetal doctor", "baremetal probe", "gpu usage", "policy check", "version"})


def walk(
    command: click.Command, path: list[str], ctx: click.Context
) -> list[tuple[list[str], click.Command, click.Context]]:
    """Every command under ``command`` (itself first), with its path and a context."""
    found = [(path, command, ctx)]
    if hasattr(command, "list_commands"):
        for name in command.list_commands(ctx):
            child = command.get_command(ctx, name)  # type: ignore[attr-defined]
            if child is None or child.hidden:
                continue
            child_ctx = child.make_context(name, [], parent=ctx, resilient_parsing=True)
            found += walk(child, [*path, name], child_ctx)
    return found


def tree() -> list[tuple[list[str], click.Command, click.Context]]:
    from akscli.cli.main import root_command

    root = root_command()
    return walk(root, [], root.make_context("akscli", [], resilient_parsing=True))


def leaf_commands() -> list[tuple[list[str], click.Command]]:
    return [(path, command) for path, command, _ in tree() if path and not hasattr(command, "list_commands")]


def names(option: click.Parameter) -> list[str]:
    return [*option.opts, *option.secondary_opts]


def options(command: click.Command) -> list[click.Parameter]:
    """The command's visible options."""
    return [p for p in command.params if p.param_type_name == "option" and not getattr(p, "hidden", False)]


def _type_name(option: click.Parameter) -> str:
    kind = option.type
    if isinstance(kind, click_types.IntParamType):
        return "integer"
    if isinstance(kind, click_types.FloatParamType):
        return "float"
    return str(kind.name)


def meaning(option: click.Parameter) -> tuple[object, ...]:
    """What a flag name means on one command: its names (less az's, AZ_ALIASES), value type,
    metavar and, unless the flag is CONTEXTUAL, its help."""
    own = [n for n in names(option) if n not in AZ_ALIASES]
    long_names = [n for n in own if n.startswith("--")]
    help_text = None if (long_names and long_names[0] in CONTEXTUAL) else getattr(option, "help", None)
    return (
        tuple(sorted(own)),
        _type_name(option),
        option.metavar,
        getattr(option, "is_flag", False),
        help_text,
    )


def allowed_second_meaning(name: str, found: Mapping[tuple[object, ...], Sequence[str]]) -> bool:
    rule = SECOND_MEANINGS.get(name)
    if rule is None:
        return False
    allowed, _ = rule
    long_names = {n for m in found for n in m[0] if isinstance(n, str) and n.startswith("--")}  # type: ignore[attr-defined]
    return long_names == set(allowed) and len(found) == len(allowed)


def changes_something(path: Sequence[str]) -> bool:
    return path[-1] in CHANGING_VERBS


def wait_defaults() -> list[tuple[str, str]]:
    """Each command that takes --wait/--no-wait, with its default."""
    rows: list[tuple[str, str]] = []
    for path, command in leaf_commands():
        for option in command.params:
            if option.param_type_name == "option" and "--wait" in names(option):
                waits = bool(option.default) != ("--no-wait" in option.opts)
                rows.append(("akscli " + " ".join(path), "--wait" if waits else "--no-wait"))
    return rows


def grammar_markdown() -> str:
    lines = [
        "# Grammar",
        "",
        "Generated from `akscli.cli.grammar` by `python -m akscli.cli.docgen`; do not edit.",
        "`tests/foundation/test_grammar.py` holds every command to these rules.",
        "",
        "akscli speaks kubectl's grammar (it is a kubectl plugin):",
        "",
        "- `-n/--namespace` is always the namespace. Azure scoping is `-g/--resource-group`,",
        "  `--subscription` and `-l/--location`.",
        "- The resource a command acts on is a positional `NAME`: `akscli cluster create NAME -g RG`,",
        "  `akscli nodepool add NAME --cluster C -g RG`, `akscli model deploy MODEL`. az's",
        "  `-n/--name` for it (`akscli cluster show -n ml -g RG`) is one usage line whose hint is",
        "  the line with the name as the argument.",
        "- `--context` is always the kubeconfig context; `--kubeconfig` the kubeconfig file.",
        "  They, `-n` and `--request-timeout` may also stand before the command, as kubectl's do",
        "  (`akscli --context prod -n ml --request-timeout=30s model list`); there, a command without",
        "  a namespace ignores `-n`, as kubectl's do (`akscli -n ml doctor`). After such a command",
        "  `-n` is one usage line whose hint is the line without it (`akscli doctor -n ml`).",
        "  `gpu usage -n NS` keeps that namespace's row; its pools stay the whole cluster's.",
        "  `-A/--all-namespaces` is on the commands that list a namespaced kind; on another it is one",
        "  usage line saying why it has none (reads every namespace already, acts in one namespace,",
        "  works in no namespace, reaches no Kubernetes cluster), hint the line without it (exit 2).",
        "  kubectl's other connection flags (`--as`, `--token`, `--server`, `--cluster`,",
        "  `--insecure-skip-tls-verify` ...) are one usage line whose hint is `--context NAME`: the",
        "  cluster and user come from a kubeconfig context. kubectl's log level `-v=6` (`--v=6`) is",
        "  `-vv`, the API request log; headers and bodies are never logged.",
        "- `akscli help [COMMAND...]` prints the help of `akscli [COMMAND...] --help`, as `kubectl help` does.",
        "- `--dry-run[=none|client|server]` on every command that changes something; bare `--dry-run`",
        "  is client, as in kubectl (`--dry-run NAME` keeps NAME as the argument; `--dry-run client`",
        "  still reads the mode). client prints what would be sent (objects, patches, ARM requests",
        "  as method, URL with its api-version, and body) and changes nothing, asking no confirmation;",
        "  it makes the reads the command itself makes first (what exists, an object's current",
        "  state), as kubectl's client dry runs do, and where the command reads nothing it contacts",
        "  nothing. Objects that make Pods are the exception: their namespace's Pod Security labels are",
        "  read once if a cluster answers (one try, 5 s), and a warning says so when none does (so is",
        "  the discovery of a kind `apply -f` does not know the scope of, below); a",
        "  kubeconfig whose exec plugin signs in interactively prompts, as kubectl's would. An ARM",
        "  request built without a read (a create, a join, a start, a fleet",
        "  resource's delete) is printed without contacting Azure: the checks the real command makes",
        "  before it (an existing name, the cluster to join, quota) are left out. server sends",
        "  Kubernetes requests with `dryRun=All`. Azure Resource Manager commands accept client and",
        "  refuse server (one line, exit 2): ARM has no dry run for these resource types.",
        "- `--wait` and `--no-wait` are both accepted wherever a command can wait (defaults below),",
        "  and so are kubectl's `--wait=false` and `--wait=true`.",
        "- `-o table|wide|json|yaml|name` on every read command (reports such as `doctor` print no",
        "  names: " + ", ".join(f"`{c}`" for c in sorted(NO_NAME_OUTPUT)) + ").",
        "- `-o` is checked as the flags are parsed, before anything is rendered, asked or sent: a",
        "  format the command does not print is a usage error (exit 2) naming those it does, as",
        "  kubectl refuses a printer it has not. `jsonpath=TEMPLATE` works wherever json does, and",
        "  so does kubectl's `jsonpath-as-json=TEMPLATE` (each result as a JSON array); an empty",
        "  template is refused;",
        "  `custom-columns=SPEC` where there are rows: a list's items, or a report's rows as its",
        "  help names them (`doctor`: one per check). A command that applies objects prints",
        "  `table|yaml|json|name|jsonpath=` (kubectl apply's printers); with `--dry-run=client` the",
        "  manifests (YAML for the default), with `--dry-run=server -o name` the objects' names.",
        "- A list prints in `-o json|yaml` as kubectl get prints one, a v1 List (`apiVersion`,",
        '  `items`, `kind: List`, `metadata.resourceVersion: ""`), Kubernetes objects and akscli\'s',
        "  records alike, the document `jsonpath=` reads: `jq '.items[]'`, `{.items[*].name}`. One",
        "  object prints bare.",
        "- `-o name` of one object prints what the command's list prints for it: a Kubernetes",
        "  object's `kind.group/name` (`raycluster.ray.io/rc`), an Azure resource's `kind/name`",
        "  (`cluster/c1`, `nodepool/gpu`), a record's own key (`model/NAME`, an audit entry's id);",
        "  a record with none of these is refused with -o name, never printed as a repr. An ARM",
        "  `--dry-run -o name` prints the same `kind/name` for each resource a request would write",
        "  (`akscli.azure.kinds`), as kubectl's `--dry-run -o name` names the objects.",
        "- A NAME argument of an object that exists takes that line back as it is (kubectl's",
        "  `TYPE/NAME`), and for a Kubernetes object every TYPE kubectl takes for its resource: the",
        "  plural, the singular in any case (so the Kind), a short name, each with or without",
        "  `.GROUP` or `.VERSION.GROUP` (`options.type_name`). Another TYPE is one usage line, exit 2,",
        "  before anything is read. A NAME the command creates takes no TYPE.",
        "- A delete prints kubectl delete's line as kubectl 1.34 and later print it",
        '  (`raycluster.ray.io "rc" deleted from ml namespace`; a cluster-scoped object without the',
        "  namespace; `(dry run)` or `(server dry run)` after it) or, with `-o name`, only each deleted",
        "  object's name form. Its `-o` takes only `name`, as kubectl delete's; an ARM delete's",
        "  `--dry-run` prints its request as JSON.",
        "- Every delete takes kubectl delete's `--ignore-not-found` (default false): with it, deleting",
        "  what is already gone (the object, its namespace, its resource group or parent resource)",
        "  exits 0, prints nothing on stdout and sends no delete, so a script can run it twice;",
        "  without it, it is one line and exit 3; of several NAMEs, the others are deleted first.",
        "  With `-l` or `--all` it is the default, as in kubectl: an object listed and deleted by",
        "  someone else before its turn is no error, unless `--ignore-not-found=false` is typed.",
        "  An ARM DELETE of an absent resource answers 204, so the delete reads the resource",
        "  first, as kubectl does.",
        "- The deletes of Kubernetes objects (Ray, the fleet hub's placements, runs and strategies,",
        "  NAP NodePools) take `NAME...`, `-l SELECTOR` or `--all`, with kubectl's rules; the namespaced",
        "  ones take `-A` with `-l` or `--all` (`ray cluster delete --all -A`): every namespace, each",
        "  object's line naming its own; `nodepool delete --auto-provision` takes `-A` (names too) and",
        "  ignores it, as kubectl does for a cluster-scoped kind. An ARM delete (`--fleet`, an agent",
        "  pool, a cluster) takes one NAME: Azure's DELETE names one resource. `model delete` takes",
        "  `NAME...` only. Each NAME is read once before the one confirmation; what `-l` or `--all`",
        "  listed is not read again (kubectl sends the DELETE with no read either). Then one DELETE",
        "  each (`dryRun=All` with `--dry-run=server`), and none after a declined confirmation or",
        "  with `--dry-run=client`.",
        "- A short flag takes its value after `=` as kubectl's does: `-o=json`, `-n=team-a`. The",
        "  `--dry-run` modes are spelled exactly (`--dry-run=CLIENT` is refused, as in kubectl).",
        "  An empty or blank value is refused in one place, in every spelling (`-n ''`, `--namespace=`,",
        "  `-n=`): `the value of -n is empty`, exit 2 (the flags that clear with an empty value,",
        "  `nodepool update --labels ''`, aside). `akscli token`, which skips the CLI for speed, runs the",
        "  same check, so `--server-id ''` is refused there too rather than read as the AKS server app.",
        "  `-n` followed by another flag (`-n -o json`) is refused there as well (`-n needs a namespace",
        "  name`), where kubectl looks for a namespace named `-o`.",
        "- A boolean flag takes a value after `=` as kubectl's do (`--wait=false`,",
        "  `--ignore-not-found=true`, `-A=true`), spelled as Go's ParseBool reads it:",
        "  " + ", ".join(f"`{v}`" for v in GO_BOOLS) + ".",
        "  On a pair `--x/--no-x` false is the other half (`--wait=false` is `--no-wait`); on a",
        "  single flag it is leaving the flag off (the last given wins: `-y --yes=false` is no",
        "  `--yes`). Another value is one line, exit 2, and nothing runs. A value after a space is",
        "  not the flag's: `--wait false` leaves `false` an argument, as in kubectl. Every",
        "  command's boolean flags read it, and the global `--debug`, `--show-managed-fields` and",
        "  `--no-headers`;",
        "  flags that take a value (`--dry-run`, `-o`) are read as before. `-h/--help` is one too,",
        "  as cobra's is: `--help=false` runs the command as if it were not given.",
        "- `apply -f FILE -n NS` refuses an object whose manifest names another namespace, before",
        "  any change, as kubectl does; without `-n` each object goes to its own namespace.",
        "  With `--dry-run=client` each namespaced object that names none is printed in `-n`, else",
        "  the context's namespace, else `default`, and a cluster-scoped one without a namespace, as",
        "  kubectl apply --dry-run=client -o yaml prints them. kubectl asks the cluster which kinds",
        "  are namespaced; akscli knows the built-in kinds and its operators' CRDs (and a CRD in the",
        "  same files) without one, asks the cluster for another kind, and where none answers leaves",
        "  that object as written, with a warning (kubectl cannot render offline). It differs on",
        "  purpose: the default output is the manifests, not kubectl's `configmap/web created (dry",
        "  run)`; they carry akscli's stack labels and no `last-applied-configuration` annotation",
        "  (akscli applies server-side; kubectl refuses `--server-side` with `--dry-run=client`).",
        "  A `--context` the kubeconfig lacks is refused on a client dry run too, also where there",
        '  is no kubeconfig at all, as kubectl refuses it (`context "nosuch" does not exist`).',
        "- `-A/--all-namespaces` lists every namespace, with NAMESPACE as the first column. With a NAME",
        "  (`model top phi-4 -A`, `ray cluster nodes rc -A`, `ray workergroup list rc -A`) it is kubectl's",
        "  `a resource cannot be retrieved by name across all namespaces` (exit 2): a name picks one",
        "  namespace's object, so the hint names `-n NAMESPACE` or the line without the name. A name",
        "  of a cluster-scoped kind is not refused, as in kubectl (`fleet placement delete",
        "  clusterresourceplacement/a -A`, `nodepool delete a --auto-provision -A`): -A is ignored.",
        "- `-l/--selector` on every list of Kubernetes objects (Ray, models' serving objects, the",
        "  fleet hub's placements, runs and strategies, NAP NodePools), sent to the API server with",
        "  every page of the list, as kubectl get's. A list of Azure resources or akscli's records",
        "  refuses it in one line (exit 2), before anything is read. Its grammar is kubectl's (the API",
        "  server's labels.Parse): `KEY=VALUE`, `KEY==VALUE`, `KEY!=VALUE`, `KEY in (V1,V2)`,",
        "  `KEY notin (V1,V2)`, `KEY` (has the label), `!KEY` (has it not), `KEY>N`, `KEY<N`; a comma",
        "  joins requirements that must all hold, spaces around words are free. `notin` and `!=` also",
        "  select what lacks the key. A KEY is `[PREFIX/]NAME`, NAME at most 63 letters, digits, `-`,",
        "  `_` or `.`; a VALUE is empty or such a word. A selector the API server would refuse is",
        "  refused before anything is sent (exit 2), naming the part that is wrong. The grammar is",
        "  that of the oldest Kubernetes version AKS supports (1.32), which every supported server",
        "  accepts; 1.35 also accepts a set ending in two commas (`KEY in (A,,)`), which akscli",
        "  refuses with the spelling every server reads alike (`KEY in (A,)`).",
        "- `--no-headers` (global, kubectl get's flag) leaves the header line out of every table",
        "  akscli prints: the default, `-o wide`, `-o custom-columns=` and `-o csv`. Headers are",
        "  upper case, words apart by one space (`VM SIZE`, `RESOURCE GROUP`), as kubectl prints",
        "  the API server's column names (`NOMINATED NODE`).",
        "- `-o csv` is RFC 4180: a field holding a comma, a double quote, CR or LF is enclosed in",
        "  double quotes, a double quote doubled; records end with LF. A text cell that starts with",
        "  `=`, `+`, `-`, `@`, a tab, CR or LF gets a leading `'`, so a spreadsheet shows it as",
        "  text and runs no formula (OWASP's CSV Injection remedy); numbers akscli computed are left",
        "  as they are; a control character in a cell (ESC, a C1 control) is written as its escape",
        "  (`\\x1b`). For every value exactly as the server holds it, use `-o json`.",
        "  `-o custom-columns=` writes a control character in caret notation (`^[`, `^M`, DEL as",
        "  `^?`) and any other unprintable one (a C1 control, a bidi override) as its escape (`\\x9b`).",
        "- Text from a cluster that akscli writes outside `-o json|yaml` (tables, key/value views,",
        "  plans, a model's reply) shows each control character but the line break and the tab as its",
        "  escape (`\\x1b`, `\\r`), so it cannot recolour, clear or rewrite the terminal; log",
        "  lines are written as they came, as `kubectl logs` writes them. `-o json` writes DEL, the",
        "  C1 controls, U+2028 and U+2029 as `\\u` escapes (the same string to a JSON reader).",
        "- Values that carry a secret are `***` on stdout and in plans: a Secret's data, and by",
        "  name (`HF_TOKEN`, `API_KEY`, ...) or shape (a JWT, `hf_`, `sk-`, a private key) a",
        "  container's `env[].value`, a ConfigMap's data value and a RayJob's `env_vars`; a name that",
        "  points at the secret (ending in FILE, PATH, DIR, NAME or REF: `POSTGRES_PASSWORD_FILE`,",
        "  `--secret-name`) keeps a value that is plainly a path or a Kubernetes name. kubectl",
        "  masks only a Secret in its diff; read the object with kubectl to see such a value.",
        "- Error lines, `--debug` lines, warnings, plan lines and the audit log hide a token of a",
        "  published shape wherever a server's answer puts it (`hf_`, `ghp_`, `github_pat_`, `sk-`,",
        "  `AKIA`, a PEM key, the values of `sig=` and `AccountKey=`), a URL's password (`user:***@host`,",
        "  as Go's net/http prints one), and each credential akscli masked in a container's args or a",
        "  RayJob's entrypoint it sent. So do tables, `-o json`/`-o yaml` reports and status messages.",
        '  A value under a secret\'s name is hidden too: `password=x`, `"token": "x"`, a YAML line',
        "  (`password: x`) and the lines of a block scalar under it (`password: |`), also inside a",
        "  JSON string (a raw response body on a `--debug` line), an INI or TOML line (`password = x`),",
        "  a flag and its word (`--password x`; a word of prose such as `the --token flag is required`",
        "  stays), and a field error's value, a string, a list, a map or a long number",
        '  (`spec.password: Invalid value: "***"`). A ConfigMap\'s file values in `-o json`/`-o yaml`',
        "  keep their lines with those values hidden. A placeholder that names what goes there",
        "  (`TOKEN`, `DB_PASSWORD`, `$VAR`, `<...>`) stays; another upper-case word (`HUNTER22`) is",
        "  hidden.",
        "- `-y/--yes` answers confirmations. Every command that changes something takes it (a no-op",
        "  where there is nothing to ask), so a script can pass `-y` to any change. The question",
        "  comes after every read and check that can refuse the change, as kubectl delete",
        "  --interactive lists what it found first: a missing object is not found (exit 3) unasked.",
        "- Progress goes to stderr; `NO_COLOR` turns colour off.",
        "- `akscli --version` prints the version.",
        "",
        "A flag name has one meaning: the same names, value type and metavar everywhere, and the same",
        "help unless the help names the command's own object. These keep the meaning each has in",
        "kubectl or az:",
        "",
        "| flag | meanings |",
        "| --- | --- |",
    ]
    lines += [f"| `{flag}` | {reason} |" for flag, (_, reason) in SECOND_MEANINGS.items()]
    lines += [
        "",
        "az aks's node-count and autoscaler flags are accepted beside akscli's (one option, two",
        "names); az's short flags are not (`-c` is akscli's `--cluster`):",
        "",
        "| az's flag | akscli's |",
        "| --- | --- |",
    ]
    lines += [f"| `{flag}` | {ours} |" for flag, ours in AZ_ALIASES.items()]
    lines += [
        "| `--enable-cluster-autoscaler` | nodepool add/scale: needs `--min` and `--max`, which turn the "
        "autoscaler on without it |"
    ]
    lines += ["", "## --wait defaults", "", "| command | default |", "| --- | --- |"]
    lines += [f"| `{command}` | `{default}` |" for command, default in wait_defaults()]
    return "\n".join(lines) + "\n"
