# bash completion for akscli: source <(akscli completion bash)
__akscli_complete() {
    local cur="${COMP_WORDS[COMP_CWORD]}" words=() i word
    # bash splits "--flag=value" at "="; give akscli the word whole, as typed.
    for ((i = 1; i <= COMP_CWORD; i++)); do
        word="${COMP_WORDS[i]}"
        if [[ ${#words[@]} -gt 0 && ( "$word" == "=" || "${words[-1]}" == *= ) ]]; then
            words[-1]+="$word"
        else
            words+=("$word")
        fi
    done
    [[ "$cur" == "=" ]] && cur=""
    local out directive line
    out=$(akscli __complete "${words[@]}" 2>/dev/null) || return 0
    directive=${out##*:}
    COMPREPLY=()
    if (( directive & 24 )); then
        # A path: FilterFileExt (8) lists the extensions to offer, FilterDirs (16) wants
        # directories (cobra's bash_completionsV2.go, __PROG_process_completion_results).
        local exts=() f ext
        while IFS= read -r line; do
            [[ -z "$line" || "$line" == :* ]] || exts+=("${line%%$'\t'*}")
        done <<< "$out"
        while IFS= read -r f; do
            [[ -z "$f" ]] && continue
            if [[ -d "$f" ]]; then
                COMPREPLY+=("$f")
            elif (( directive & 8 )); then
                for ext in "${exts[@]}"; do
                    [[ "$f" == *."$ext" ]] && COMPREPLY+=("$f") && break
                done
            fi
        done < <(compgen -f -- "$cur")
        compopt -o filenames 2>/dev/null
        return 0
    fi
    while IFS= read -r line; do
        [[ -z "$line" || "$line" == :* ]] && continue
        line=${line%%$'\t'*}
        [[ "$line" == "$cur"* ]] && COMPREPLY+=("$line")
    done <<< "$out"
    if (( directive & 2 )); then compopt -o nospace 2>/dev/null; fi
    if (( ${#COMPREPLY[@]} == 0 && (directive & 4) == 0 )); then
        compopt -o default 2>/dev/null
    fi
    return 0
}
complete -F __akscli_complete akscli
