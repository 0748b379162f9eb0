# fish completion for akscli: akscli completion fish > ~/.config/fish/completions/akscli.fish
function __akscli_complete
    set -l args (commandline -opc)
    set -e args[1]
    set -l current (commandline -ct)
    set -l out (akscli __complete $args $current 2>/dev/null)
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
complete -c akscli -f -a '(__akscli_complete)'
