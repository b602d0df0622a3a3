# bash completion for vfioctl(8). Device names come from sysfs (under --root when given);
# driver names from the PCI drivers and the vfio modules in the module tree.
_vfioctl_root() {
    local i
    for ((i = 1; i < ${#COMP_WORDS[@]} - 1; i++)); do
        if [[ ${COMP_WORDS[i]} == --root ]]; then
            printf '%s' "${COMP_WORDS[i + 1]}"
            return
        fi
    done
}

_vfioctl_devices() {
    local root; root=$(_vfioctl_root)
    local d
    for d in "$root"/sys/bus/pci/devices/*; do
        [[ -e $d ]] && printf '%s\n' "${d##*/}"
    done
}

_vfioctl_drivers() {
    local root; root=$(_vfioctl_root)
    local d
    for d in "$root"/sys/bus/pci/drivers/*; do
        [[ -e $d ]] && printf '%s\n' "${d##*/}"
    done
    local alias="$root/lib/modules/$(uname -r)/modules.alias"
    [[ -r $alias ]] && awk '$2 ~ /^vfio_pci:/ { print $3 }' "$alias" | sort -u
}

_vfioctl() {
    local cur prev cmd i
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD - 1]}
    local commands="status explain bind release vfs recover apply doctor policy"
    local global="--root --kernel-release --json -v --verbose -q --quiet --help --version"

    for ((i = 1; i < COMP_CWORD; i++)); do
        case ${COMP_WORDS[i]} in
            status | explain | bind | release | vfs | recover | apply | doctor | policy) cmd=${COMP_WORDS[i]} ;;
        esac
    done

    case $prev in
        --root) COMPREPLY=($(compgen -d -- "$cur")); return ;;
        --kernel-release) COMPREPLY=($(compgen -W "$(ls "$(_vfioctl_root)/lib/modules" 2>/dev/null)" -- "$cur")); return ;;
        --driver | --to) COMPREPLY=($(compgen -W "$(_vfioctl_drivers)" -- "$cur")); return ;;
        --owner) COMPREPLY=($(compgen -u -- "$cur")); return ;;
        --device) COMPREPLY=($(compgen -W "$(_vfioctl_devices)" -- "$cur")); return ;;
    esac

    if [[ -z $cmd ]]; then
        COMPREPLY=($(compgen -W "$commands $global" -- "$cur"))
        return
    fi
    local opts="$global"
    case $cmd in
        bind) opts+=" --driver --generic --group --dry-run -n --force --noiommu --owner" ;;
        release) opts+=" --to --dry-run -n --force" ;;
        vfs) opts+=" --bind --driver --generic --force" ;;
        apply) opts+=" --dry-run -n --device" ;;
        policy) opts+=" --write" ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    elif [[ $cmd == apply || $cmd == policy ]]; then
        COMPREPLY=($(compgen -f -X '!*.toml' -- "$cur") $(compgen -d -- "$cur"))
    elif [[ $cmd != recover && $cmd != doctor ]]; then
        COMPREPLY=($(compgen -W "$(_vfioctl_devices)" -- "$cur"))
    fi
}
complete -F _vfioctl vfioctl
