# Cross build with Debian's cross compilers (gcc-<triplet>, g++-<triplet>) against a sysroot of
# Debian's own packages of that architecture (tests/vm/arch-root.sh ARCH makes one). Used by the
# VM suite's foreign guests (tests/vm/cross-build.sh):
#   cmake -DCMAKE_TOOLCHAIN_FILE=cmake/debian-cross.cmake -DVFIOCTL_CROSS_TRIPLET=aarch64-linux-gnu \
#         -DVFIOCTL_SYSROOT=DIR ...
set(CMAKE_SYSTEM_NAME Linux)
# try_compile projects read this file again and need both settings too.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES VFIOCTL_SYSROOT VFIOCTL_CROSS_TRIPLET)
if(NOT VFIOCTL_CROSS_TRIPLET OR NOT VFIOCTL_SYSROOT)
  message(FATAL_ERROR "set VFIOCTL_CROSS_TRIPLET (aarch64-linux-gnu, s390x-linux-gnu) and VFIOCTL_SYSROOT "
                      "(tests/vm/arch-root.sh ARCH)")
endif()
string(REGEX REPLACE "-.*" "" CMAKE_SYSTEM_PROCESSOR ${VFIOCTL_CROSS_TRIPLET})
set(CMAKE_C_COMPILER ${VFIOCTL_CROSS_TRIPLET}-gcc)
set(CMAKE_CXX_COMPILER ${VFIOCTL_CROSS_TRIPLET}-g++)
set(CMAKE_SYSROOT ${VFIOCTL_SYSROOT})
set(CMAKE_FIND_ROOT_PATH ${VFIOCTL_SYSROOT})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# pkg-config: the sysroot's .pc files only, with their -I/-L paths moved into it.
set(ENV{PKG_CONFIG_DIR} "")
set(ENV{PKG_CONFIG_LIBDIR}
    "${VFIOCTL_SYSROOT}/usr/lib/${VFIOCTL_CROSS_TRIPLET}/pkgconfig:${VFIOCTL_SYSROOT}/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_SYSROOT_DIR} ${VFIOCTL_SYSROOT})
