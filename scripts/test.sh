#!/usr/bin/env bash
# README command 2: every test vfioctl has, from a fresh Debian 12 machine.
#   unit  RelWithDebInfo build in ./build, unit and component tests (ctest -L unit)
#   asan  AddressSanitizer + UndefinedBehaviorSanitizer build in ./build-asan, same tests
#   fuzz  clang libFuzzer build in ./build-fuzz, each fuzzer for a bounded time (ctest -L fuzz)
#   vm    real-kernel suite in QEMU on Debian's 6.1 and 6.12 kernels, and on kernels compiled from
#         Debian's linux-source-6.1/-6.12 with vfio-platform and no-IOMMU mode, and for arm64
#         (vfio-amba, vfio-cdx) and s390x (vfio_ccw) (tests/vm/README.md; ctest -L vm)
# VFIOCTL_TEST_STAGES picks stages (default "unit asan fuzz vm"). .ci/run calls this script.
set -euo pipefail
cd "$(dirname "$0")/.."
stages=${VFIOCTL_TEST_STAGES:-unit asan fuzz vm}
jobs=$(nproc)
has() { case " $stages " in *" $1 "*) return 0 ;; esac; return 1; }

deps=()
has vm && deps+=(--vm)
scripts/install-deps.sh "${deps[@]}"

step() { printf '\n==== %s ====\n' "$*"; }
failed=()

if has unit || has vm; then
    step "build (RelWithDebInfo)"
    cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    cmake --build build
fi
if has unit; then
    step "unit and component tests"
    (cd build && ctest -L unit -j"$jobs" --output-on-failure) || failed+=(unit)
fi
if has asan; then
    step "ASan+UBSan build and tests"
    cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DVFIOCTL_SANITIZE=ON -DVFIOCTL_BENCH=OFF >/dev/null
    cmake --build build-asan
    (cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
        ctest -L unit -j"$jobs" --output-on-failure) || failed+=(asan)
fi
if has fuzz; then
    step "libFuzzer targets (bounded)"
    CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DVFIOCTL_FUZZ=ON -DVFIOCTL_TESTS=OFF -DVFIOCTL_BENCH=OFF >/dev/null
    cmake --build build-fuzz
    (cd build-fuzz && ctest -L fuzz --no-tests=error --output-on-failure) || failed+=(fuzz)
fi
if has vm; then
    step "real-kernel VM suite"
    # Two VMs at once (each QEMU is one TCG thread): about half the wall time on 2 cores.
    (cd build && ctest -L vm -j2 --output-on-failure) || failed+=(vm)
fi

if [ ${#failed[@]} -gt 0 ]; then
    printf '\nFAILED stages: %s\n' "${failed[*]}"
    exit 1
fi
printf '\nall stages passed: %s\n' "$stages"
