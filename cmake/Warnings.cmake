# Warnings are errors for the project's own code. Third-party headers come from /usr/include,
# which the compiler treats as system headers, so their warnings do not leak in.
function(vfioctl_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Werror
    -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Woverloaded-virtual
    -Wformat=2 -Wimplicit-fallthrough -Wmissing-declarations)
endfunction()
