// Stub kernel modules for tests: the smallest ELF file that kmod's depmod, modinfo and
// modprobe accept as a module. It has no code, only a .modinfo section, which is all depmod
// reads to write modules.alias(.bin) (libkmod-elf.c kmod_elf_get_strings(".modinfo"), used by
// kmod_module_get_info()). Module dependencies are not modelled: depmod derives them from
// undefined symbols, and a stub has none, so every stub's modules.dep line is "path:".
#pragma once

#include <string>
#include <vector>

namespace vfioctl::testing {

struct StubKoInfo {
  std::string name;                  // "name=" record (kbuild writes the module name, with '_')
  std::vector<std::string> aliases;  // one "alias=" record each, in this order
  std::string vermagic;              // "vermagic=" record; the kernel release is enough for kmod
};

// An ELF64 little-endian relocatable object (x86-64) with sections: null, .modinfo,
// .shstrtab. The bytes are deterministic.
std::string make_stub_ko(const StubKoInfo& info);

// The NUL-separated "key=value" records of .modinfo (what make_stub_ko puts in the section).
std::string stub_modinfo_records(const StubKoInfo& info);

}  // namespace vfioctl::testing
