#include "config/config_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/temp_root.h"

namespace vfioctl {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using ::testing::StartsWith;
using vfioctl::testing::TempRoot;

struct Parsed {
  Config config;
  std::vector<std::string> errors;
};

Parsed parse(const std::string& text) {
  Parsed p;
  parse_config_text(text, "test.toml", p.config, p.errors);
  return p;
}

// The one error of a document, which must start with "test.toml:LINE:".
std::string only_error(const std::string& text, int line) {
  Parsed p = parse(text);
  EXPECT_THAT(p.errors, SizeIs(1)) << text;
  if (p.errors.size() != 1) return {};
  EXPECT_THAT(p.errors[0], StartsWith("test.toml:" + std::to_string(line) + ":")) << text;
  return p.errors[0];
}

TEST(ConfigFileTest, EverySelectorAndSettingParses) {
  Parsed p = parse(R"(
[[device]]
address = "01:00.0"
driver = "generic"
owner = "0:0"

[[device]]
ids = "15B3:101e"
driver = "mlx5-vfio-pci"
group = true

[[device]]
ids = "8086:10d3:8086:a01f"

[[device]]
pf = "0000:04:00.0"
vfs = [1, 0, 1]

[[device]]
pf = "0000:04:00.0"
vfs = "all"

[[device]]
serial = "  S4EWNX0R123456 "

[[device]]
mac = "00:1B:21:0a:8B:2c"

[[pf]]
address = "0000:04:00.0"
num_vfs = 2
)");
  ASSERT_THAT(p.errors, IsEmpty());
  const auto& d = p.config.devices;
  ASSERT_THAT(d, SizeIs(7));
  EXPECT_EQ(d[0].selector.address, "0000:01:00.0") << "canonical spelling, as sysfs names it";
  EXPECT_EQ(d[0].driver, DriverKind::kGeneric);
  ASSERT_TRUE(d[0].owner);
  EXPECT_EQ(d[0].owner->uid, 0u);
  EXPECT_EQ(d[0].source.where(), "test.toml:2");
  ASSERT_TRUE(d[1].selector.ids);
  EXPECT_EQ(d[1].selector.ids->vendor, 0x15b3);
  EXPECT_FALSE(d[1].selector.ids->subsystem_vendor);
  EXPECT_EQ(d[1].driver, DriverKind::kNamed);
  EXPECT_EQ(d[1].driver_name, "mlx5-vfio-pci");
  EXPECT_TRUE(d[1].group);
  EXPECT_EQ(d[2].selector.ids->subsystem_device, 0xa01f);
  EXPECT_EQ(d[2].driver, DriverKind::kAuto);
  EXPECT_THAT(d[3].selector.vfs, ElementsAre(0, 1));
  EXPECT_TRUE(d[4].selector.all_vfs);
  EXPECT_EQ(d[5].selector.serial, "S4EWNX0R123456");
  EXPECT_EQ(d[6].selector.mac, "00:1b:21:0a:8b:2c");
  ASSERT_THAT(p.config.pfs, SizeIs(1));
  EXPECT_EQ(p.config.pfs[0].num_vfs, 2);
  EXPECT_EQ(p.config.pfs[0].source.where(), "test.toml:29");
}

TEST(ConfigFileTest, SyntaxErrorHasLineAndColumn) {
  EXPECT_THAT(only_error("[[device]]\naddress = \"0000:01:00.0\n", 2), HasSubstr("test.toml:2:"));
}

TEST(ConfigFileTest, UnknownKeyIsAnErrorAtTheKey) {
  EXPECT_THAT(only_error("[[device]]\naddress = \"0000:01:00.0\"\ndriverr = \"auto\"\n", 3),
              AllOf(HasSubstr("test.toml:3:1:"), HasSubstr("unknown key 'driverr'")));
  EXPECT_THAT(only_error("[[pf]]\naddress = \"0000:01:00.0\"\nnum_vfs = 1\nvfs = 2\n", 4), HasSubstr("unknown key 'vfs'"));
  EXPECT_THAT(only_error("title = \"x\"\n", 1), HasSubstr("unknown key 'title'"));
}

TEST(ConfigFileTest, WrongTypesAreErrors) {
  EXPECT_THAT(only_error("[[device]]\naddress = 1\n", 2), HasSubstr("'address' must be a string, not an integer"));
  EXPECT_THAT(only_error("[[device]]\naddress = \"0000:01:00.0\"\ngroup = \"yes\"\n", 3), HasSubstr("'group' must be true or false"));
  EXPECT_THAT(only_error("[[pf]]\naddress = \"0000:01:00.0\"\nnum_vfs = \"2\"\n", 3), HasSubstr("num_vfs"));
  EXPECT_THAT(only_error("[device]\naddress = \"0000:01:00.0\"\n", 1), HasSubstr("[[device]]"));
}

TEST(ConfigFileTest, BadValuesAreErrorsAtTheValue) {
  EXPECT_THAT(only_error("[[device]]\naddress = \"0000:01:00\"\n", 2), HasSubstr("is not a PCI address"));
  EXPECT_THAT(only_error("[[device]]\nids = \"8086:10d\"\n", 2), HasSubstr("VENDOR:DEVICE"));
  EXPECT_THAT(only_error("[[device]]\nids = \"8086:10d3:8086\"\n", 2), HasSubstr("VENDOR:DEVICE"));
  EXPECT_THAT(only_error("[[device]]\nmac = \"00:1b:21:0a:8b\"\n", 2), HasSubstr("not a MAC address"));
  EXPECT_THAT(only_error("[[device]]\naddress = \"0000:01:00.0\"\ndriver = \"vfio pci\"\n", 3), HasSubstr("'driver'"));
  EXPECT_THAT(only_error("[[device]]\naddress = \"0000:01:00.0\"\nowner = \"a:b:c\"\n", 3), HasSubstr("owner"));
  EXPECT_THAT(only_error("[[device]]\naddress = \"0000:01:00.0\"\nowner = \"no-such-user-vfioctl\"\n", 3),
              HasSubstr("no user"));
  EXPECT_THAT(only_error("[[device]]\npf = \"0000:04:00.0\"\nvfs = [0, -1]\n", 3), HasSubstr("VF index"));
  EXPECT_THAT(only_error("[[device]]\npf = \"0000:04:00.0\"\nvfs = \"some\"\n", 3), HasSubstr("\"all\""));
  EXPECT_THAT(only_error("[[pf]]\naddress = \"0000:04:00.0\"\nnum_vfs = -1\n", 3), HasSubstr("0 to 65535"));
}

TEST(ConfigFileTest, ConflictingOrMissingSelectorsAreErrors) {
  EXPECT_THAT(only_error("[[device]]\naddress = \"0000:01:00.0\"\nids = \"8086:10d3\"\n", 3),
              HasSubstr("conflicting selectors: 'address' and 'ids'"));
  EXPECT_THAT(only_error("[[device]]\ndriver = \"auto\"\n", 1), HasSubstr("needs a selector"));
  EXPECT_THAT(only_error("[[device]]\npf = \"0000:04:00.0\"\n", 1), HasSubstr("needs 'vfs'"));
  EXPECT_THAT(only_error("[[device]]\nvfs = [0]\n", 2), HasSubstr("'vfs' needs 'pf'"));
  EXPECT_THAT(only_error("[[pf]]\naddress = \"0000:04:00.0\"\n", 1), HasSubstr("needs 'num_vfs'"));
}

TEST(ConfigFileTest, OneBadRuleRejectsNothingElseButFailsTheWhole) {
  Parsed p = parse("[[device]]\naddress = \"0000:01:00.0\"\n[[device]]\naddress = \"bad\"\n[[device]]\nids = \"zz\"\n");
  EXPECT_THAT(p.errors, ElementsAre(StartsWith("test.toml:4:"), StartsWith("test.toml:6:")))
      << "every error is reported, not only the first";
}

TEST(ConfigFileTest, DefaultLocationsReadMainFileThenDropInsInNameOrder) {
  TempRoot root;
  root.write("/etc/vfioctl/vfioctl.toml", "[[device]]\naddress = \"0000:01:00.0\"\n");
  root.write("/etc/vfioctl/vfioctl.d/20-b.toml", "[[device]]\naddress = \"0000:03:00.0\"\n");
  root.write("/etc/vfioctl/vfioctl.d/10-a.toml", "\n[[device]]\naddress = \"0000:02:00.0\"\n");
  root.write("/etc/vfioctl/vfioctl.d/10-a.toml~", "garbage [");
  root.write("/etc/vfioctl/vfioctl.d/.hidden.toml", "garbage [");
  ConfigResult r = load_default_config(HostRoot(root.path()));
  ASSERT_THAT(r.errors, IsEmpty());
  ASSERT_TRUE(r.config);
  EXPECT_THAT(r.config->files, ElementsAre("/etc/vfioctl/vfioctl.toml", "/etc/vfioctl/vfioctl.d/10-a.toml",
                                           "/etc/vfioctl/vfioctl.d/20-b.toml"));
  ASSERT_THAT(r.config->devices, SizeIs(3));
  EXPECT_EQ(r.config->devices[1].source.where(), "/etc/vfioctl/vfioctl.d/10-a.toml:2");
  EXPECT_EQ(r.config->devices[2].selector.address, "0000:03:00.0");
}

TEST(ConfigFileTest, ErrorsNameTheDropInTheyAreIn) {
  TempRoot root;
  root.write("/etc/vfioctl/vfioctl.d/10-a.toml", "[[device]]\naddress = \"0000:02:00.0\"\nbogus = 1\n");
  ConfigResult r = load_default_config(HostRoot(root.path()));
  EXPECT_FALSE(r.config);
  EXPECT_THAT(r.errors, ElementsAre(StartsWith("/etc/vfioctl/vfioctl.d/10-a.toml:3:1: unknown key 'bogus'")));
}

TEST(ConfigFileTest, NoConfigurationAtAllIsEmptyNotAnError) {
  TempRoot root;
  ConfigResult r = load_default_config(HostRoot(root.path()));
  ASSERT_TRUE(r.config);
  EXPECT_THAT(r.config->files, IsEmpty());
}

TEST(ConfigFileTest, ExplicitFileThatIsMissingIsAnError) {
  TempRoot root;
  ConfigResult r = load_config_file(root.at("/nope.toml"));
  EXPECT_FALSE(r.config);
  EXPECT_THAT(r.errors, ElementsAre(HasSubstr("No such file")));
}

}  // namespace
}  // namespace vfioctl
