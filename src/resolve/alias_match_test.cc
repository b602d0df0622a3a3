#include "resolve/alias_match.h"

#include <gtest/gtest.h>

#include "modules/alias_text.h"
#include "support/module_tree.h"

namespace vfioctl {
namespace {

constexpr std::string_view kPciTags[] = {"v", "d", "sv", "sd", "bc", "sc", "i"};

Specificity pci(std::string_view body) { return alias_specificity(body, kPciTags); }

// kmod matches with fnmatch(pattern, key, 0) (libkmod-index.c, libkmod-config.c): '*', '?',
// bracket expressions and backslash escapes, case-sensitive, '/' and '.' not special.
TEST(AliasMatch, FnmatchSemanticsAsKmodUsesThem) {
  EXPECT_TRUE(alias_matches("vfio_pci:v*d*sv*sd*bc*sc*i*", "vfio_pci:v00001AF4d00001041sv00001AF4sd00001041bc02sc00i00"));
  EXPECT_TRUE(alias_matches("vfio_pci:v000015B3d0000101Esv*sd*bc*sc*i*",
                            "vfio_pci:v000015B3d0000101Esv000015B3sd00000062bc02sc00i00"));
  EXPECT_FALSE(alias_matches("vfio_pci:v000015B3d0000101Esv*sd*bc*sc*i*",
                             "vfio_pci:v000015B3d0000101Dsv000015B3sd00000062bc02sc00i00"));
  // Whole-string match: a pattern without a trailing '*' does not match a longer key.
  EXPECT_FALSE(alias_matches("vfio_pci:v000015B3d0000101Esv*sd*bc*sc*i", "vfio_pci:v000015B3d0000101Esv0sd0bc02sc00i00"));
  // Case matters: the kernel prints upper-case hex, file2alias.c writes upper-case hex.
  EXPECT_FALSE(alias_matches("vfio_pci:v000015B3d*", "vfio_pci:v000015b3d0000101e"));
  EXPECT_TRUE(alias_matches("x?z", "xyz"));
  EXPECT_FALSE(alias_matches("x?z", "xz"));
  EXPECT_TRUE(alias_matches("a*b", "a/x/b"));  // no FNM_PATHNAME
  EXPECT_TRUE(alias_matches("a\\*b", "a*b"));  // no FNM_NOESCAPE
  EXPECT_FALSE(alias_matches("a\\*b", "axb"));
  EXPECT_TRUE(alias_matches("[!a]x", "bx"));
  EXPECT_FALSE(alias_matches("[!a]x", "ax"));
}

// Real lines of amd64 6.1's modules.alias with bracket expressions and starred bus prefixes.
TEST(AliasMatch, RealCharacterClassAndStarredPrefixLines) {
  std::string text = testing::fixture_file(testing::fixture_kernel("amd64-6.1.0-50-amd64"), "modules.alias");
  auto line = [&](std::string_view prefix) {
    std::vector<AliasEntry> out;
    parse_alias_lines(text, prefix, out);
    EXPECT_FALSE(out.empty()) << prefix;
    return out.empty() ? std::string() : out.front().pattern;
  };
  std::string uas = line("usb:v13FDp3940d0[0-2]");
  EXPECT_TRUE(alias_matches(uas, "usb:v13FDp3940d0150dc00dsc00dp00ic08isc06ip62in00"));
  EXPECT_FALSE(alias_matches(uas, "usb:v13FDp3940d0350dc00dsc00dp00ic08isc06ip62in00"));
  std::string dell = line("dmi:*:[bs]vnD[Ee][Ll][Ll]");
  EXPECT_TRUE(alias_matches(dell, "dmi:bvnDell Inc.:bvr1.2.3:svnDELL:pnPowerEdge:"));
  EXPECT_TRUE(alias_matches(dell, "dmi:bvnAcme:svnDell Inc.:pnX:"));
  EXPECT_FALSE(alias_matches(dell, "dmi:bvnDall:svnAcme:"));
  std::string acpi = line("acpi*:INTC1085:");
  EXPECT_TRUE(alias_matches(acpi, "acpi:INTC1085:"));
  EXPECT_TRUE(alias_matches(acpi, "acpi:INTC1085:PNP0C50:"));
  EXPECT_FALSE(alias_matches(acpi, "acpi:INTC1086:"));
}

TEST(AliasSpecificity, PciShapesFromFile2alias) {
  Specificity generic = pci("v*d*sv*sd*bc*sc*i*");
  EXPECT_EQ(generic.fields, 7);
  EXPECT_EQ(generic.wildcard_fields, 7);
  EXPECT_EQ(generic.score(), 0);
  EXPECT_EQ(generic.literal_chars, 11);  // the tags only

  Specificity variant = pci("v000015B3d0000101Esv*sd*bc*sc*i*");
  EXPECT_EQ(variant.wildcard_fields, 5);
  EXPECT_EQ(variant.score(), 2);
  EXPECT_EQ(variant.literal_chars, 11 + 16);

  // A full class mask: add_wildcard() puts a '*' after the literal prog-if; the field is still fixed.
  Specificity cls = pci("v*d*sv*sd*bc02sc00i00*");
  EXPECT_EQ(cls.wildcard_fields, 4);
  EXPECT_EQ(cls.score(), 3);
  EXPECT_EQ(cls.literal_chars, 11 + 6);

  Specificity full = pci("v000015B3d0000101Esv000015B3sd00000062bc02sc00i00");
  EXPECT_EQ(full.score(), 7);
}

TEST(AliasSpecificity, GlobsInsideAFieldFixItButCountFewerLiterals) {
  Specificity exact = pci("v000015B3d0000101Esv*sd*bc*sc*i*");
  Specificity bracket = pci("v000015B3d0000101[0-9A-F]sv*sd*bc*sc*i*");
  Specificity question = pci("v000015B3d0000101?sv*sd*bc*sc*i*");
  EXPECT_EQ(bracket.score(), 2);
  EXPECT_EQ(question.score(), 2);
  EXPECT_EQ(bracket.literal_chars, exact.literal_chars - 1);
  EXPECT_EQ(question.literal_chars, exact.literal_chars - 1);
  // A tag inside a bracket expression is not a field boundary: "[sv]" does not start the sv field.
  Specificity tag_in_bracket = pci("v*d0000[sv]0Esv*sd*bc*sc*i*");
  EXPECT_EQ(tag_in_bracket.fields, 7);
  EXPECT_EQ(tag_in_bracket.wildcard_fields, 6);
  EXPECT_EQ(tag_in_bracket.score(), 1);
}

TEST(AliasSpecificity, BracketEdgeCasesOfTheLiteralCount) {
  EXPECT_EQ(pci("x[]a]y").literal_chars, 2);  // ']' first in the set is a member, not the end
  EXPECT_EQ(pci("a[b").literal_chars, 3);     // unterminated: fnmatch takes '[' literally
  EXPECT_EQ(pci("[!0-9]").literal_chars, 0);
}

// Patterns that do not follow the bus layout still order sensibly: every '*' counts as a
// wildcard field and there is no field count.
TEST(AliasSpecificity, PatternsOutsideTheLayout) {
  Specificity odd = pci("foo*bar*");
  EXPECT_EQ(odd.fields, 0);
  EXPECT_EQ(odd.wildcard_fields, 2);
  EXPECT_EQ(odd.score(), -2);
  Specificity missing_field = pci("v*d*sv*sd*bc*i*");  // no "sc"
  EXPECT_EQ(missing_field.fields, 0);
  EXPECT_EQ(missing_field.wildcard_fields, 6);
  Specificity no_tags = alias_specificity("v*d*", {});
  EXPECT_EQ(no_tags.fields, 0);
  EXPECT_EQ(no_tags.wildcard_fields, 2);
  EXPECT_LT(odd.score(), pci("v*d*sv*sd*bc*sc*i*").score());
}

}  // namespace
}  // namespace vfioctl
