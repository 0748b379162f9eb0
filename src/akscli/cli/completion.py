"""akscli completion SHELL: print a completion script (the files under completions/ are these).

Each script asks ``akscli __complete ARGS... WORD`` for candidates (cobra's protocol, which
kubectl also uses for ``kubectl akscli``; see akscli.cli.complete) and hands them to the shell's
own completion system, so bash, zsh, fish and PowerShell complete the same commands, flags
and values.
"""

from typing import Annotated

import typer

from akscli import output, validate
from akscli.cli import complete

SHELLS = complete.SHELLS

# Modelled on the scripts cobra generates (spf13/cobra bash_completionsV2.go, zsh_completions.go,
# fish_completions.go, powershell_completions.go), reduced to what akscli's protocol needs.
_BASH = r"""# bash completion for {prog}: source <({prog} completion bash)
__{fn}_complete() {{
    local cur="${{COMP_WORDS[COMP_CWORD]}}" words=() i word
    # bash splits "--flag=value" at "="; give akscli the word whole, as typed.
    for ((i = 1; i <= COMP_CWORD; i++)); do
        word="${{COMP_WORDS[i]}}"
        if [[ ${{#words[@]}} -gt 0 && ( "$word" == "=" || "${{words[-1]}}" == *= ) ]]; then
            words[-1]+="$word"
        else
            words+=("$word")
        fi
    done
    [[ "$cur" == "=" ]] && cur=""
    local out directive line
    out=$({prog} __complete "${{words[@]}}" 2>/dev/null) || return 0
    directive=${{out##*:}}
    COMPREPLY=()
    if (( directive & 24 )); then
        # A path: FilterFileExt (8) lists the extensions to offer, FilterDirs (16) wants
        # directories (cobra's bash_completionsV2.go, __PROG_process_completion_results).
        local exts=() f ext
        while IFS= read -r line; do
            [[ -z "$line" || "$line" == :* ]] || exts+=("${{line%%$'\t'*}}")
        done <<< "$out"
        while IFS= read -r f; do
            [[ -z "$f" ]] && continue
            if [[ -d "$f" ]]; then
                COMPREPLY+=("$f")
            elif (( directive & 8 )); then
                for ext in "${{exts[@]}}"; do
                    [[ "$f" == *."$ext" ]] && COMPREPLY+=("$f") && break
                done
            fi
        done < <(compgen -f -- "$cur")
        compopt -o filenames 2>/dev/null
        return 0
    fi
    while IFS= read -r line; do
        [[ -z "$line" || "$line" == :* ]] && continue
        line=${{line%%$'\t'*}}
        [[ "$line" == "$cur"* ]] && COMPREPLY+=("$line")
    done <<< "$out"
    if (( directive & 2 )); then compopt -o nospace 2>/dev/null; fi
    if (( ${{#COMPREPLY[@]}} == 0 && (directive & 4) == 0 )); then
        compopt -o default 2>/dev/null
    fi
    return 0
}}
complete -F __{fn}_complete {prog}
"""

_ZSH = r"""#compdef {prog}
# zsh completion for {prog}: {prog} completion zsh > "${{fpath[1]}}/_{prog}"
# (or, after compinit: source <({prog} completion zsh))
_{fn}() {{
    local -a args candidates
    local out directive line value desc
    args=("${{(@)words[2,CURRENT]}}")
    out=$({prog} __complete "${{args[@]}}" 2>/dev/null) || return 1
    # The number after the last colon (cobra's zsh_completions.go does the same): the last line
    # is ":DIRECTIVE", and a one-line answer is no array to index.
    directive=${{out##*:}}
    # "--flag=val": complete the value after "=".
    [[ "${{words[CURRENT]}}" == -*=* ]] && compset -P '*='
    if (( directive & 8 )); then
        # FilterFileExt: the lines are the extensions to offer (cobra's zsh_completions.go).
        local -a globs
        for line in "${{(@f)out}}"; do
            [[ -z "$line" || "$line" == :* ]] || globs+=("*.${{line%%$'\t'*}}")
        done
        _files -g "(${{(j:|:)globs}})"
        return
    elif (( directive & 16 )); then
        _files -/
        return
    fi
    for line in "${{(@f)out}}"; do
        [[ -z "$line" || "$line" == :* ]] && continue
        value=${{line%%$'\t'*}}
        desc=""
        [[ "$line" == *$'\t'* ]] && desc=${{line#*$'\t'}}
        candidates+=("${{value//:/\\:}}${{desc:+:$desc}}")
    done
    if (( ${{#candidates}} )); then
        if (( directive & 2 )); then
            _describe -t {fn} '{prog}' candidates -S ''
        else
            _describe -t {fn} '{prog}' candidates
        fi
    elif (( (directive & 4) == 0 )); then
        _files
    fi
}}
if [ "$funcstack[1]" = "_{fn}" ]; then
    _{fn} "$@"
else
    compdef _{fn} {prog}
fi
"""

_FISH = r"""# fish completion for {prog}: {prog} completion fish > ~/.config/fish/completions/{prog}.fish
function __{fn}_complete
    set -l args (commandline -opc)
    set -e args[1]
    set -l current (commandline -ct)
    set -l out ({prog} __complete $args $current 2>/dev/null)
    or return
    set -l directive (string replace -r '^:' '' -- $out[-1])
    set -l prefix ''
    if string match -q -r -- '^-.*=' $current
        set prefix (string replace -r '=.*' '=' -- $current)
    end
    if test (math "bitand($directive, 8)") -ne 0
        # FilterFileExt: the lines are the extensions to offer; directories stay offered.
        for path in (__fish_complete_path (string replace -r '^-[^=]*=' '' -- $current))
            set -l name (string split -f1 \t -- $path)
            if string match -q -- '*/' $name
                echo "$prefix$path"
                continue
            end
            for ext in $out[1..-2]
                if string match -q -- "*.$ext" $name
                    echo "$prefix$path"
                    break
                end
            end
        end
        return
    end
    if test (math "bitand($directive, 16)") -ne 0
        __fish_complete_directories (string replace -r '^-[^=]*=' '' -- $current)
        return
    end
    set -l found 0
    for line in $out[1..-2]
        set found 1
        echo "$prefix$line"
    end
    if test $found -eq 0; and test (math "$directive % 8 - $directive % 4") -eq 0
        __fish_complete_path $current
    end
end
complete -c {prog} -f -a '(__{fn}_complete)'
"""

_POWERSHELL = r"""# PowerShell completion for {prog}: {prog} completion powershell | Out-String | Invoke-Expression
Register-ArgumentCompleter -Native -CommandName '{prog}' -ScriptBlock {{
    param($WordToComplete, $CommandAst, $CursorPosition)
    # The words before the cursor, without the program name, then the word being completed.
    $words = @($CommandAst.CommandElements |
        Where-Object {{ $_.Extent.EndOffset -le $CursorPosition }} |
        Select-Object -Skip 1 |
        ForEach-Object {{ $_.ToString() }})
    if ($WordToComplete -eq '') {{
        $words += ''
    }}
    $out = @(& '{prog}' __complete @words 2>$null)
    if ($out.Count -eq 0) {{ return }}
    $directive = [int]($out[-1].TrimStart(':'))
    # A path (FilterFileExt 8, FilterDirs 16): no candidates, so PowerShell completes paths.
    if ($directive -band 24) {{ return }}
    $prefix = ''
    if ($WordToComplete -match '^(-[^=]*=)') {{ $prefix = $Matches[1] }}
    $out | Select-Object -SkipLast 1 | ForEach-Object {{
        $value, $description = $_ -split "`t", 2
        if (-not $description) {{ $description = $value }}
        $text = $prefix + $value
        if ($text -like "$WordToComplete*") {{
            [System.Management.Automation.CompletionResult]::new($text, $value, 'ParameterValue', $description)
        }}
    }}
}}
"""

_TEMPLATES = {"bash": _BASH, "zsh": _ZSH, "fish": _FISH, "powershell": _POWERSHELL}


def completion_script(shell: str, prog: str = "akscli") -> str:
    return _TEMPLATES[shell].format(prog=prog, fn=prog.replace("-", "_"))


def completion(
    shell: Annotated[str, typer.Argument(help="bash|zsh|fish|powershell", autocompletion=complete.shells)],
) -> None:
    """Print the completion script for a shell.

    \b
    bash: source <(akscli completion bash)
    zsh: akscli completion zsh > "${fpath[1]}/_akscli"
    fish: akscli completion fish > ~/.config/fish/completions/akscli.fish
    PowerShell: akscli completion powershell | Out-String | Invoke-Expression

    kubectl akscli <TAB> needs no script: kubectl runs kubectl_complete-akscli, installed beside akscli.
    """
    output.write(completion_script(validate.choice(shell, SHELLS, "shell")))
