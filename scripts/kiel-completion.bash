# Bash completion for the `kiel` command-line tool.
#
#   source scripts/kiel-completion.bash            # in this shell
#   cp scripts/kiel-completion.bash /etc/bash_completion.d/kiel   # for every shell
#
# Completes commands, the topic and group subcommands, and each command's options. Topic and
# group names are not looked up (that would mean asking a broker on every Tab).

_kiel() {
    local cur prev words cword
    if declare -F _init_completion >/dev/null; then
        _init_completion || return
    else
        COMPREPLY=()
        cur="${COMP_WORDS[COMP_CWORD]}"
        prev="${COMP_WORDS[COMP_CWORD-1]}"
        words=("${COMP_WORDS[@]}")
        cword=$COMP_CWORD
    fi

    local common="-b --brokers -X --property -F --config-file -h --help"
    local admin="$common -J --json"

    case "$prev" in
        -F|--config-file) COMPREPLY=($(compgen -f -- "$cur")); return ;;
        -z|--compression) COMPREPLY=($(compgen -W "none gzip snappy lz4 zstd" -- "$cur")); return ;;
        -o|--offset) COMPREPLY=($(compgen -W "beginning end" -- "$cur")); return ;;
        -a|--assignor) COMPREPLY=($(compgen -W "range roundrobin range,roundrobin" -- "$cur")); return ;;
    esac

    if (( cword == 1 )); then
        COMPREPLY=($(compgen -W "metadata produce consume group topic --help" -- "$cur"))
        return
    fi

    local command="${words[1]}" sub="${words[2]:-}" options=""
    case "$command" in
        metadata) options="$common -t --topic -J --json" ;;
        produce) options="$common -t --topic -z --compression -K --key-delimiter -p --partition" ;;
        consume) options="$common -t --topic -o --offset -p --partition -c --count -e --exit -J --json" ;;
        topic)
            if (( cword == 2 )); then
                COMPREPLY=($(compgen -W "create delete describe list alter-config add-partitions --help" -- "$cur"))
                return
            fi
            case "$sub" in
                create) options="$admin -p --partitions -r --replication-factor -c --config" ;;
                describe) options="$admin -a --all" ;;
                list) options="$admin -i --internal" ;;
                alter-config) options="$admin -d --delete" ;;
                add-partitions) options="$admin -p --partitions" ;;
                *) options="$admin" ;;
            esac ;;
        group)
            if (( cword == 2 )) && [[ "$cur" != -* ]]; then
                COMPREPLY=($(compgen -W "list describe offsets delete" -- "$cur"))
                return
            fi
            case "$sub" in
                list|describe|offsets|delete) options="$admin" ;;
                *) options="$common -z --zookeeper -a --assignor -g --group -t --topic -c --count -J --json --session-timeout --max-wait --debug" ;;
            esac ;;
    esac
    COMPREPLY=($(compgen -W "$options" -- "$cur"))
}

complete -F _kiel kiel
