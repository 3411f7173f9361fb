# bash completion for asha-tune (installed as share/bash-completion/completions/asha-tune)
_asha_tune() {
    local cur prev words cword
    _init_completion || return
    local sub="" w
    for w in "${words[@]:1:cword-1}"; do
        case "$w" in simulate|resume|status|why|report|serve|curves) sub=$w; break ;; esac
    done
    case "$prev" in
        -c|--config) _filedir json; return ;;
        --run-dir|-o|--output) _filedir; return ;;
        --scheduler) COMPREPLY=($(compgen -W "asha pasha sync_sh hyperband fifo" -- "$cur")); return ;;
        --variant) COMPREPLY=($(compgen -W "stopping promotion" -- "$cur")); return ;;
        --backend) COMPREPLY=($(compgen -W "local slurm" -- "$cur")); return ;;
        --benchmark) COMPREPLY=($(compgen -W "lenet hard mf-hartmann6 branin park" -- "$cur")); return ;;
        --curves) _filedir; return ;;  # a table or a run directory
        --searcher) COMPREPLY=($(compgen -W "random bohb tpe" -- "$cur")); return ;;
        --gpus) COMPREPLY=($(compgen -W "auto none" -- "$cur")); return ;;
        -w|--workers|--seed|--max-wallclock-time|--max-trials|--gpus-per-trial|-p|--port|--serve|--bind) return ;;
    esac
    local common="--help --workers --run-dir --seed --max-wallclock-time --max-trials --scheduler
                  --variant --searcher --quiet --json --verbose --resume --config"
    local opts
    case "$sub" in
        "") opts="$common --backend --gpus --gpus-per-trial --serve --bind --version simulate resume status
                  why report serve curves" ;;
        simulate) opts="$common --benchmark --curves" ;;
        resume) opts="--help --workers --quiet --json --verbose --serve --bind" ;;
        serve) opts="--help --port --bind" ;;
        status|why) opts="--help --json" ;;
        report|curves) opts="--help --output" ;;
    esac
    if [[ "$cur" == -* || -z "$sub" && "$cur" != */* && -n "$cur" ]]; then
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    elif [[ "$sub" == resume || "$sub" == status || "$sub" == report || "$sub" == serve ||
            "$sub" == curves ]] ||
         [[ "$sub" == why && ! -d "${words[cword-1]}" ]]; then
        _filedir -d  # run directories
    else
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    fi
}
complete -F _asha_tune asha-tune
