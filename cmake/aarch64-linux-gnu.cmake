# Cross build for arm64 with Debian's gcc-aarch64-linux-gnu/g++-aarch64-linux-gnu, against a sysroot
# of Debian's own arm64 packages (tests/vm/arch-root.sh arm64 makes one). Used by the VM suite's
# arm64 guest (tests/vm/cross-build.sh):
#   cmake -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake -DVFIOCTL_SYSROOT=DIR ...
set(CMAKE_SYSTEM_NAME Linux)
# try_compile projects read this file again and need the sysroot too.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES VFIOCTL_SYSROOT)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
if(NOT VFIOCTL_SYSROOT)
  message(FATAL_ERROR "set VFIOCTL_SYSROOT to an arm64 root (tests/vm/arch-root.sh arm64)")
endif()
set(CMAKE_SYSROOT ${VFIOCTL_SYSROOT})
set(CMAKE_FIND_ROOT_PATH ${VFIOCTL_SYSROOT})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# pkg-config: the sysroot's .pc files only, with their -I/-L paths moved into it.
set(ENV{PKG_CONFIG_DIR} "")
set(ENV{PKG_CONFIG_LIBDIR} "${VFIOCTL_SYSROOT}/usr/lib/aarch64-linux-gnu/pkgconfig:${VFIOCTL_SYSROOT}/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_SYSROOT_DIR} ${VFIOCTL_SYSROOT})
