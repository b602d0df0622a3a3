#include "support/stub_ko.h"

#include <cstdint>

namespace vfioctl::testing {

namespace {

// Field layouts from the ELF-64 Object File Format (and /usr/include/elf.h: Elf64_Ehdr,
// Elf64_Shdr); written byte by byte so the result does not depend on the host's endianness.
constexpr std::uint16_t kEtRel = 1;        // ET_REL: kernel modules are relocatable objects
constexpr std::uint16_t kEmX86_64 = 62;    // EM_X86_64
constexpr std::uint32_t kShtProgbits = 1;  // SHT_PROGBITS
constexpr std::uint32_t kShtStrtab = 3;    // SHT_STRTAB
constexpr std::uint64_t kShfAlloc = 2;     // SHF_ALLOC, as kbuild marks .modinfo
constexpr std::size_t kEhdrSize = 64;
constexpr std::size_t kShdrSize = 64;

void put(std::string& out, std::uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

void pad_to(std::string& out, std::size_t alignment) {
  while (out.size() % alignment != 0) out.push_back('\0');
}

struct Section {
  std::uint32_t name_offset;
  std::uint32_t type;
  std::uint64_t flags;
  std::size_t offset;
  std::size_t size;
};

void put_section_header(std::string& out, const Section& s) {
  put(out, s.name_offset, 4);  // sh_name
  put(out, s.type, 4);         // sh_type
  put(out, s.flags, 8);        // sh_flags
  put(out, 0, 8);              // sh_addr
  put(out, s.offset, 8);       // sh_offset
  put(out, s.size, 8);         // sh_size
  put(out, 0, 4);              // sh_link
  put(out, 0, 4);              // sh_info
  put(out, 1, 8);              // sh_addralign
  put(out, 0, 8);              // sh_entsize
}

}  // namespace

std::string stub_modinfo_records(const StubKoInfo& info) {
  std::string records;
  auto add = [&](std::string_view key, std::string_view value) {
    records.append(key);
    records.push_back('=');
    records.append(value);
    records.push_back('\0');
  };
  for (const auto& a : info.aliases) add("alias", a);
  add("depends", "");
  add("license", "GPL");
  add("name", info.name);
  add("vermagic", info.vermagic + " SMP preempt mod_unload modversions ");
  return records;
}

std::string make_stub_ko(const StubKoInfo& info) {
  const std::string modinfo = stub_modinfo_records(info);
  const std::string shstrtab = std::string("\0.modinfo\0.shstrtab\0", 20);
  constexpr std::uint32_t kModinfoName = 1, kShstrtabName = 10;

  std::string body(kEhdrSize, '\0');
  const std::size_t modinfo_offset = body.size();
  body += modinfo;
  const std::size_t shstrtab_offset = body.size();
  body += shstrtab;
  pad_to(body, 8);
  const std::size_t shoff = body.size();
  put_section_header(body, Section{0, 0, 0, 0, 0});
  put_section_header(body, Section{kModinfoName, kShtProgbits, kShfAlloc, modinfo_offset, modinfo.size()});
  put_section_header(body, Section{kShstrtabName, kShtStrtab, 0, shstrtab_offset, shstrtab.size()});

  std::string ehdr;
  ehdr += "\x7f" "ELF";
  ehdr.push_back(2);  // EI_CLASS: ELFCLASS64
  ehdr.push_back(1);  // EI_DATA: ELFDATA2LSB
  ehdr.push_back(1);  // EI_VERSION: EV_CURRENT
  ehdr.append(9, '\0');  // EI_OSABI (SYSV), EI_ABIVERSION, padding
  put(ehdr, kEtRel, 2);       // e_type
  put(ehdr, kEmX86_64, 2);    // e_machine
  put(ehdr, 1, 4);            // e_version
  put(ehdr, 0, 8);            // e_entry
  put(ehdr, 0, 8);            // e_phoff
  put(ehdr, shoff, 8);        // e_shoff
  put(ehdr, 0, 4);            // e_flags
  put(ehdr, kEhdrSize, 2);    // e_ehsize
  put(ehdr, 0, 2);            // e_phentsize
  put(ehdr, 0, 2);            // e_phnum
  put(ehdr, kShdrSize, 2);    // e_shentsize
  put(ehdr, 3, 2);            // e_shnum
  put(ehdr, 2, 2);            // e_shstrndx
  body.replace(0, kEhdrSize, ehdr);
  return body;
}

}  // namespace vfioctl::testing
