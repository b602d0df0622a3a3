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

# A kernel's architecture (Debian's name): a foreign guest's kernel name ends in it.
vm_kernel_arch() {
    case $1 in
        *-arm64) echo arm64 ;;
        *-s390x) echo s390x ;;
        *) echo amd64 ;;
    esac
}

# Per architecture: the GNU triplet of Debian's cross tools and multiarch folders, the kernel's
# ARCH= name, and the boot file build-guest.sh leaves in the guest folder for run-vm.sh.
vm_arch_triplet() {
    case $1 in
        arm64) echo aarch64-linux-gnu ;;
        s390x) echo s390x-linux-gnu ;;
        amd64) echo x86_64-linux-gnu ;;
        *) vm_die "no triplet known for $1" ;;
    esac
}
vm_kernel_srcarch() {
    case $1 in
        s390x) echo s390 ;;
        amd64) echo x86 ;;
        *) echo "$1" ;;
    esac
}
vm_kernel_image() {
    case $1 in
        arm64) echo Image ;;
        s390x) echo bzImage ;;
        *) echo vmlinux ;;
    esac
}

vm_guest_dir() { echo "$VM_CACHE/guest/$1"; }
