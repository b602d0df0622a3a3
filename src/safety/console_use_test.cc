#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <optional>

#include "safety/in_use.h"
#include "support/fake_address_source.h"
#include "support/fake_sysfs.h"
#include "support/host_use_fixture.h"
#include "support/temp_root.h"

namespace vfioctl {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using vfioctl::testing::FakeSysfs;
using vfioctl::testing::relative_symlink;
using vfioctl::testing::TempRoot;

constexpr const char* kIgpu = "0000:00:02.0";

// The boot display on a desktop with fbcon running on the i915 framebuffer, unless a test
// takes a piece away. Formats:
//   drivers/pci/pci-sysfs.c boot_vga_show()   "%d\n" (only VGA-class devices have the attribute)
//   drivers/tty/vt/vt.c show_name()/show_bind() "%s %s\n" with "(M)"/"(S)" and the console's
//                                                description; "%i\n" for bind
//   drivers/video/fbdev/core/fbcon.c           description "frame buffer device"; the "fbcon"
//                                                entry of the graphics class exists regardless
class ConsoleUseTest : public ::testing::Test {
 protected:
  ConsoleUseTest() {
    sysfs.pci(kIgpu).ids(0x8086, 0x9bc5).cls(0x030000).driver("i915", "i915").group(0).attr("boot_vga", "1");
    igpu_path = sysfs.pci(kIgpu).sys_path();
    host.emplace(sysfs.host());
    framebuffer("fb0");
    relative_symlink(root, "/sys/class/graphics/fbcon", "/sys/devices/virtual/graphics/fbcon");
    root.write("/sys/devices/virtual/graphics/fbcon/cursor_blink", "1\n");
    vtconsole("vtcon0", "(S) dummy device", 0);
    vtconsole("vtcon1", "(M) frame buffer device", 1);
  }

  void framebuffer(const std::string& name) {
    root.write(igpu_path + "/graphics/" + name + "/name", "i915drmfb\n");
    relative_symlink(root, "/sys/class/graphics/" + name, igpu_path + "/graphics/" + name);
  }

  void vtconsole(const std::string& vt, const std::string& name, int bind) {
    std::string dir = "/sys/devices/virtual/vtconsole/" + vt;
    root.write(dir + "/name", name + "\n");
    root.write(dir + "/bind", std::to_string(bind) + "\n");
    relative_symlink(root, "/sys/class/vtconsole/" + vt, dir);
  }

  std::vector<std::string> reasons() {
    Device d;
    d.bus = "pci";
    d.name = kIgpu;
    return console_use(*host, d);
  }

  TempRoot root;
  FakeSysfs sysfs{root};
  std::string igpu_path;
  std::optional<HostRoot> host;
};

TEST_F(ConsoleUseTest, BootVgaWithFbconBoundToAFramebufferIsInUse) {
  EXPECT_THAT(reasons(), ElementsAre(AllOf(HasSubstr("boot VGA"), HasSubstr("vtcon1"))));
}

TEST_F(ConsoleUseTest, ASecondaryDisplayIsNotInUse) {
  root.write(igpu_path + "/boot_vga", "0\n");
  EXPECT_THAT(reasons(), IsEmpty());
}

TEST_F(ConsoleUseTest, ADeviceWithoutBootVgaAttributeIsNotInUse) {
  std::filesystem::remove(root.at(igpu_path + "/boot_vga"));
  EXPECT_THAT(reasons(), IsEmpty());
}

TEST_F(ConsoleUseTest, WithoutAFramebufferItIsNotInUse) {
  std::filesystem::remove(root.at("/sys/class/graphics/fb0"));
  // Only "fbcon" is left in the graphics class, as on a host whose framebuffer went away.
  EXPECT_THAT(reasons(), IsEmpty());
}

TEST_F(ConsoleUseTest, WithoutTheGraphicsClassItIsNotInUse) {
  std::filesystem::remove_all(root.at("/sys/class/graphics"));
  EXPECT_THAT(reasons(), IsEmpty());
}

TEST_F(ConsoleUseTest, AnUnboundFramebufferConsoleIsNotInUse) {
  // `echo 0 > /sys/class/vtconsole/vtcon1/bind` hands the consoles back to the dummy console.
  vtconsole("vtcon0", "(S) dummy device", 1);
  vtconsole("vtcon1", "(M) frame buffer device", 0);
  EXPECT_THAT(reasons(), IsEmpty());
}

TEST_F(ConsoleUseTest, AConsoleOtherThanFbconIsNotInUse) {
  std::filesystem::remove(root.at("/sys/class/vtconsole/vtcon1"));
  vtconsole("vtcon0", "(S) VGA+", 1);
  EXPECT_THAT(reasons(), IsEmpty());
}

TEST_F(ConsoleUseTest, WithoutVtconsolesItIsNotInUse) {
  std::filesystem::remove_all(root.at("/sys/class/vtconsole"));
  EXPECT_THAT(reasons(), IsEmpty());
}

TEST_F(ConsoleUseTest, AnyFramebufferNumberCounts) {
  std::filesystem::remove(root.at("/sys/class/graphics/fb0"));
  framebuffer("fb1");
  EXPECT_THAT(reasons(), ElementsAre(HasSubstr("vtcon1")));
}

// in_use_reasons() gathers the three kinds in order: network, storage, console.
TEST_F(ConsoleUseTest, InUseReasonsGathersEveryKind) {
  vfioctl::testing::FakeNetwork net(root);
  net.interface(igpu_path, "eth9", vfioctl::testing::kFlagsUp).ipv4_route("eth9", "10.0.0.0", 8);
  vfioctl::testing::FakeBlock block(root);
  block.disk(igpu_path, "nvme/nvme0", "nvme0n1", "259:0").held_by("nvme0n1", "dm-0", "253:0");
  vfioctl::testing::FakeAddressSource none;
  Device d;
  d.bus = "pci";
  d.name = kIgpu;
  EXPECT_THAT(in_use_reasons(*host, d, none),
              ElementsAre(HasSubstr("eth9"), HasSubstr("dm-0"), HasSubstr("boot VGA")));
}

}  // namespace
}  // namespace vfioctl
