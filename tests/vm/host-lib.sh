# Shared by the host-side scripts of the VM suite (build-guest.sh, run-vm.sh). Sourced, not run.

# Downloads and built guests live outside the work tree so that every clone, build directory and
# CI run on the machine shares them; a fresh machine fills the cache on its first run.
VM_CACHE=${VFIOCTL_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vfioctl-vm}
VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

vm_die() { echo "vm: error: $*" >&2; exit 1; }
vm_say() { echo "vm: $*" >&2; }

# Kernel meta packages the suite knows, and the short name used in test names and logs.
vm_kernel_short() {
    case $1 in
        linux-image-amd64) echo 6.1 ;;
        linux-image-6.12-amd64) echo 6.12 ;;
        custom-*) echo "$1" ;;
        *) echo "${1#linux-image-}" ;;
    esac
}

# A kernel's architecture: the arm64 guest is the one whose name ends in -arm64.
vm_kernel_arch() {
    case $1 in
        *-arm64) echo arm64 ;;
        *) echo amd64 ;;
    esac
}

vm_guest_dir() { echo "$VM_CACHE/guest/$1"; }
