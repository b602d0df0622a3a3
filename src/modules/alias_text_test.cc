#include "modules/alias_text.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <utility>

#include "support/module_tree.h"

namespace vfioctl {
namespace {

using testing::fixture_file;
using testing::fixture_kernel;
using testing::fixture_kernels;

using Pair = std::pair<std::string, std::string>;

std::vector<Pair> pairs(const std::vector<AliasEntry>& entries) {
  std::vector<Pair> out;
  for (const auto& e : entries) out.emplace_back(e.pattern, e.module);
  return out;
}

std::size_t count_lines_starting(std::string_view text, std::string_view start) {
  std::size_t n = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    if (text.compare(pos, start.size(), start) == 0) ++n;
    pos = nl + 1;
  }
  return n;
}

// ---- the real files of the nine Debian kernels ----

TEST(AliasTextFixtures, EveryModulesAliasParsesWithoutMalformedLines) {
  for (const auto& k : fixture_kernels()) {
    SCOPED_TRACE(k.folder);
    std::string text = fixture_file(k, "modules.alias");
    std::vector<AliasEntry> all;
    AliasParseStats stats = parse_alias_lines(text, "", all);
    EXPECT_EQ(stats.malformed, 0u);
    EXPECT_EQ(stats.lines, static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')));
    // depmod's file is one "# Aliases extracted from modules themselves." line, then aliases.
    EXPECT_EQ(stats.kept, count_lines_starting(text, "alias "));
    EXPECT_EQ(stats.kept + 1, stats.lines);
    EXPECT_GT(stats.kept, 13000u);  // 13-30 k lines in these kernels
    EXPECT_EQ(all.size(), stats.kept);
    for (const auto& e : all) {
      ASSERT_FALSE(e.pattern.empty());
      ASSERT_EQ(e.module.find_first_of(" \t-"), std::string::npos) << e.module;
    }
  }
}

// MODULE_ALIAS() strings with blanks exist (sound/soc/mediatek in arm64 6.12); depmod writes them
// unquoted, so only the last word can be the module.
TEST(AliasTextFixtures, AliasesWithBlanksKeepThemAndEndAtTheModule) {
  std::vector<AliasEntry> all;
  parse_alias_lines(fixture_file(fixture_kernel("arm64-6.12.95+deb12-arm64"), "modules.alias"), "", all);
  std::vector<Pair> with_blank;
  for (const auto& e : all) {
    if (e.pattern.find(' ') != std::string::npos) with_blank.emplace_back(e.pattern, e.module);
  }
  EXPECT_EQ(with_blank.size(), 7u);
  EXPECT_NE(std::find(with_blank.begin(), with_blank.end(), Pair{"mt8188 mt6359 soc card", "mt8188_mt6359"}),
            with_blank.end());
  EXPECT_NE(std::find(with_blank.begin(), with_blank.end(), Pair{"platform: mt8365_mt6357", "mt8365_mt6357"}),
            with_blank.end());
}

// vfio-aliases.txt was cut with grep from the same files (fixtures/tools/gen-kernel-fixture.sh):
// vfio lines of modules.alias, then those of the builtin aliases.
TEST(AliasTextFixtures, KeptVfioLinesEqualVfioAliasesTxt) {
  for (const auto& k : fixture_kernels()) {
    SCOPED_TRACE(k.folder);
    std::vector<AliasEntry> expected;
    AliasParseStats txt = parse_alias_lines(fixture_file(k, "vfio-aliases.txt"), "", expected);
    EXPECT_EQ(txt.malformed, 0u);

    std::vector<AliasEntry> got;
    parse_alias_lines(fixture_file(k, "modules.alias"), "vfio_", got);
    parse_builtin_modinfo(fixture_file(k, "modules.builtin.modinfo"), "vfio_", got);
    EXPECT_EQ(pairs(got), pairs(expected));

    // Finding 1 and 2 of the fixtures: the catch-all is the only real vfio alias; s390x 6.1 has
    // no VFIO at all.
    std::vector<Pair> only_generic = {{"vfio_pci:v*d*sv*sd*bc*sc*i*", "vfio_pci"}};
    EXPECT_EQ(pairs(got), k.has_vfio ? only_generic : std::vector<Pair>{});
  }
}

// 65 lines of amd64 6.1 use a bracket expression (63 usb:, 2 dmi:); the pattern must reach the
// matcher untouched, brackets and '?' included.
TEST(AliasTextFixtures, CharacterClassLinesAreKeptVerbatim) {
  std::string text = fixture_file(fixture_kernel("amd64-6.1.0-50-amd64"), "modules.alias");
  std::vector<AliasEntry> all;
  parse_alias_lines(text, "", all);
  std::size_t usb = 0, dmi = 0, other = 0;
  for (const auto& e : all) {
    if (e.pattern.find('[') == std::string::npos) continue;
    if (e.pattern.rfind("usb:", 0) == 0) ++usb;
    else if (e.pattern.rfind("dmi", 0) == 0) ++dmi;
    else ++other;
  }
  EXPECT_EQ(usb, 63u);
  EXPECT_EQ(dmi, 2u);
  EXPECT_EQ(other, 0u);
  std::vector<AliasEntry> thinkpad;
  parse_alias_lines(text, "dmi:bvnIBM:bvrI[MU]ET", thinkpad);
  ASSERT_EQ(thinkpad.size(), 1u);
  EXPECT_EQ(thinkpad[0].pattern, "dmi:bvnIBM:bvrI[MU]ET??WW*");
  EXPECT_EQ(thinkpad[0].module, "thinkpad_acpi");
}

// "acpi*:" and "dmi*:" are aliases whose bus prefix itself holds a '*' (file2alias.c writes
// "acpi*:" for ACPI ids). A prefix filter compares text, so they are selected by their literal
// spelling and never by a glob.
TEST(AliasTextFixtures, StarredBusPrefixesAreLiteralPrefixes) {
  for (const auto& k : fixture_kernels()) {
    SCOPED_TRACE(k.folder);
    std::string text = fixture_file(k, "modules.alias");
    for (std::string_view prefix : {"acpi*:", "dmi*:", "pci:", "vfio_pci:"}) {
      std::vector<AliasEntry> got;
      AliasParseStats stats = parse_alias_lines(text, prefix, got);
      EXPECT_EQ(stats.kept, count_lines_starting(text, "alias " + std::string(prefix))) << prefix;
      for (const auto& e : got) ASSERT_EQ(e.pattern.compare(0, prefix.size(), prefix), 0);
    }
  }
  std::vector<AliasEntry> acpi;
  parse_alias_lines(fixture_file(fixture_kernel("amd64-6.1.0-50-amd64"), "modules.alias"), "acpi*:", acpi);
  EXPECT_EQ(acpi.size(), 707u);
  std::vector<AliasEntry> acpi_no_star;
  parse_alias_lines("alias acpi*:INTC1085:* pinctrl_alderlake\n", "acpi:", acpi_no_star);
  EXPECT_TRUE(acpi_no_star.empty());
}

// The fixtures' modules.builtin.alias is derived from modules.builtin.modinfo by a sed script
// (PROVENANCE.md); the C++ reader of the kernel's NUL-separated file must give the same list,
// in the same order.
TEST(AliasTextFixtures, BuiltinModinfoEqualsTheDerivedTextTwin) {
  std::size_t total = 0;
  for (const auto& k : fixture_kernels()) {
    SCOPED_TRACE(k.folder);
    std::vector<AliasEntry> from_modinfo, from_twin;
    AliasParseStats m = parse_builtin_modinfo(fixture_file(k, "modules.builtin.modinfo"), "", from_modinfo);
    AliasParseStats t = parse_alias_lines(fixture_file(k, "modules.builtin.alias"), "", from_twin);
    EXPECT_EQ(m.malformed, 0u);
    EXPECT_EQ(t.malformed, 0u);
    EXPECT_FALSE(from_twin.empty());
    EXPECT_EQ(pairs(from_modinfo), pairs(from_twin));
    total += from_twin.size();
  }
  // Finding 4: 7.2 records the device tables of built-in drivers, 6.1 and 6.12 do not.
  std::vector<AliasEntry> pci72, pci612;
  parse_builtin_modinfo(fixture_file(fixture_kernel("amd64-7.2.13+deb14-amd64"), "modules.builtin.modinfo"),
                        "pci:", pci72);
  parse_builtin_modinfo(fixture_file(fixture_kernel("amd64-6.12.95+deb12-amd64"), "modules.builtin.modinfo"),
                        "pci:", pci612);
  EXPECT_EQ(pci72.size(), 593u);
  EXPECT_EQ(pci612.size(), 0u);
  EXPECT_GT(total, 2000u);
}

// ---- edge cases of the text forms ----

TEST(AliasLines, SplitsOnSpacesAndTabsAndKeepsLineNumbers) {
  std::vector<AliasEntry> out;
  AliasParseStats s = parse_alias_lines(
      "alias vfio_pci:v1 mod_a\n"
      "alias\tvfio_pci:v2\tmod_b\n"
      "  \talias   vfio_pci:v3 \t mod_c  \n",
      "vfio_", out);
  EXPECT_EQ(s.lines, 3u);
  EXPECT_EQ(s.kept, 3u);
  EXPECT_EQ(s.malformed, 0u);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0], (AliasEntry{"vfio_pci:v1", "mod_a", 1}));
  EXPECT_EQ(out[1], (AliasEntry{"vfio_pci:v2", "mod_b", 2}));
  EXPECT_EQ(out[2], (AliasEntry{"vfio_pci:v3", "mod_c", 3}));
}

TEST(AliasLines, ToleratesCrLfAndAMissingFinalNewline) {
  std::vector<AliasEntry> out;
  AliasParseStats s = parse_alias_lines("alias vfio_pci:v1 mod_a\r\nalias vfio_pci:v2 mod_b", "vfio_", out);
  EXPECT_EQ(s.lines, 2u);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].module, "mod_a");  // no '\r' left on the module name
  EXPECT_EQ(out[1], (AliasEntry{"vfio_pci:v2", "mod_b", 2}));
}

TEST(AliasLines, IgnoresCommentsBlankLinesAndOtherCommands) {
  std::vector<AliasEntry> out;
  AliasParseStats s = parse_alias_lines(
      "# Aliases extracted from modules themselves.\n"
      "\n"
      "   \n"
      "#alias vfio_pci:v1 commented\n"
      "blacklist vfio_pci\n"
      "options vfio_pci ids=8086:1234\n"
      "aliases vfio_pci:v2 not_the_keyword\n"
      "ALIAS vfio_pci:v3 wrong_case\n"
      "alias vfio_pci:v4 kept\n",
      "", out);
  EXPECT_EQ(s.lines, 9u);
  EXPECT_EQ(s.malformed, 0u);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0], (AliasEntry{"vfio_pci:v4", "kept", 9}));
}

TEST(AliasLines, CountsLinesMissingAPatternOrAModuleAsMalformed) {
  std::vector<AliasEntry> out;
  AliasParseStats s = parse_alias_lines(
      "alias\n"
      "alias   \n"
      "alias vfio_pci:v1\n"
      "alias vfio_pci:v2   \r\n"
      "alias vfio_pci:v3 ok\n",
      "vfio_", out);
  EXPECT_EQ(s.lines, 5u);
  EXPECT_EQ(s.malformed, 4u);
  EXPECT_EQ(s.kept, 1u);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].module, "ok");
}

// Trailing words: depmod never writes a line with more words than alias + pattern + module
// unless the alias itself holds a blank, so the extra words belong to the pattern.
TEST(AliasLines, TrailingWordsBelongToThePattern) {
  std::vector<AliasEntry> out;
  AliasParseStats s = parse_alias_lines("alias vfio_pci:v1 garbage module_x\n", "vfio_", out);
  EXPECT_EQ(s.malformed, 0u);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].pattern, "vfio_pci:v1 garbage");
  EXPECT_EQ(out[0].module, "module_x");
}

TEST(AliasLines, PrefixSelectsOnThePatternOnly) {
  std::vector<AliasEntry> out;
  AliasParseStats s = parse_alias_lines(
      "alias pci:v* vfio_pci\n"
      "alias vfio_pci:v* vfio_pci\n"
      "alias vfio_cdx:v* vfio_cdx\n"
      "alias vfio vfio_pci\n",
      "vfio_", out);
  EXPECT_EQ(s.lines, 4u);
  EXPECT_EQ(s.kept, 2u);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].pattern, "vfio_pci:v*");
  EXPECT_EQ(out[1].pattern, "vfio_cdx:v*");
}

TEST(AliasLines, EmptyInputAndAppendingToExistingEntries) {
  std::vector<AliasEntry> out = {{"keep", "me", 1}};
  AliasParseStats s = parse_alias_lines("", "", out);
  EXPECT_EQ(s.lines, 0u);
  EXPECT_EQ(s.kept, 0u);
  parse_alias_lines("alias a b\n", "", out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].pattern, "keep");
  EXPECT_EQ(out[1].pattern, "a");
}

// kmod_dump_index() writes modules.builtin.alias.bin as "KEY VALUE" lines without "alias ".
TEST(IndexDumpLines, ReadPatternAndModuleWithoutAKeyword) {
  std::vector<AliasEntry> out;
  AliasParseStats s = parse_index_dump_lines(
      "char_major_4_* 8250\n"
      "vfio_pci:v*d*sv*sd*bc*sc*i* vfio_pci\n"
      "mt8188 mt6359 soc card mt8188_mt6359\n"
      "lonely\n",
      "", out);
  EXPECT_EQ(s.lines, 4u);
  EXPECT_EQ(s.malformed, 1u);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0], (AliasEntry{"char_major_4_*", "8250", 1}));
  EXPECT_EQ(out[1], (AliasEntry{"vfio_pci:v*d*sv*sd*bc*sc*i*", "vfio_pci", 2}));
  EXPECT_EQ(out[2], (AliasEntry{"mt8188 mt6359 soc card", "mt8188_mt6359", 3}));
  // The modules.alias reader would see no "alias" keyword and keep nothing.
  std::vector<AliasEntry> as_alias_file;
  parse_alias_lines("vfio_pci:v*d*sv*sd*bc*sc*i* vfio_pci\n", "", as_alias_file);
  EXPECT_TRUE(as_alias_file.empty());
}

TEST(BuiltinModinfo, ReadsOnlyAliasRecords) {
  using namespace std::string_literals;
  std::vector<AliasEntry> out;
  AliasParseStats s = parse_builtin_modinfo(
      "virtio_pci.file=drivers/virtio/virtio_pci\0"
      "virtio_pci.alias=pci:v00001AF4d*sv*sd*bc*sc*i*\0"
      "virtio_pci.license=GPL\0"
      "virtio_pci.aliasx=not_an_alias\0"
      "virtio_pci.parmdesc=force_legacy:Force legacy mode\nwith a newline\0"
      "vfio_pci.alias=vfio_pci:v*d*sv*sd*bc*sc*i*\0"
      "fs_x.alias=fs-x=y\0"s,
      "", out);
  EXPECT_EQ(s.lines, 7u);
  EXPECT_EQ(s.malformed, 0u);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0], (AliasEntry{"pci:v00001AF4d*sv*sd*bc*sc*i*", "virtio_pci", 2}));
  EXPECT_EQ(out[1], (AliasEntry{"vfio_pci:v*d*sv*sd*bc*sc*i*", "vfio_pci", 6}));
  EXPECT_EQ(out[2], (AliasEntry{"fs-x=y", "fs_x", 7}));  // everything after "alias=" is the value
}

TEST(BuiltinModinfo, EdgeCases) {
  using namespace std::string_literals;
  std::vector<AliasEntry> out;
  AliasParseStats s = parse_builtin_modinfo(
      "\0\0"                     // empty records are not records
      "noalias\0"                // no '.'
      ".alias=vfio_pci:x\0"      // no module name
      "m.alias=\0"               // alias without a value
      "m.alias=vfio_pci:last"s,  // final record without its NUL
      "vfio_", out);
  EXPECT_EQ(s.lines, 4u);
  EXPECT_EQ(s.malformed, 1u);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0], (AliasEntry{"vfio_pci:last", "m", 4}));

  std::vector<AliasEntry> none;
  EXPECT_EQ(parse_builtin_modinfo("", "", none).lines, 0u);
  EXPECT_TRUE(none.empty());
}

}  // namespace
}  // namespace vfioctl
