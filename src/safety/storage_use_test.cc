#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <optional>

#include "safety/in_use.h"
#include "support/fake_sysfs.h"
#include "support/host_use_fixture.h"
#include "support/temp_root.h"

namespace vfioctl {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;
using vfioctl::testing::FakeBlock;
using vfioctl::testing::FakeSysfs;
using vfioctl::testing::TempRoot;

constexpr const char* kNvme = "0000:00:04.0";
constexpr const char* kAhci = "0000:00:1f.2";
constexpr const char* kNic = "0000:00:03.0";

// The mounts every Debian host has besides its disks: pseudo filesystems with anonymous 0:N
// devices. Layout per Documentation/filesystems/proc.rst, "3.5 /proc/<pid>/mountinfo":
//   mount-id parent-id major:minor root mount-point options [optional...] - fstype source super-options
constexpr const char* kPseudoMounts =
    "23 29 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw\n"
    "24 29 0:22 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw\n"
    "25 29 0:5 / /dev rw,nosuid,relatime shared:2 - devtmpfs udev rw,size=8123456k,nr_inodes=2030864,mode=755\n"
    "28 29 0:25 / /run rw,nosuid,nodev,noexec,relatime shared:5 - tmpfs tmpfs rw,size=1629304k,mode=755\n";

// mm/swapfile.c swap_show(): the header, then one line per area, the path padded to 40 columns.
constexpr const char* kSwapsHeader = "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n";

// An NVMe controller with one namespace and three partitions, and an AHCI controller with one
// SATA disk, laid out as the kernel lays them out:
//   /sys/devices/pci0000:00/0000:00:04.0/nvme/nvme0/nvme0n1/nvme0n1p{1,2,3}
//   /sys/devices/pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0/block/sda/sda1
class StorageUseTest : public ::testing::Test {
 protected:
  StorageUseTest() {
    sysfs.pci(kNvme).ids(0x144d, 0xa808).cls(0x010802).driver("nvme", "nvme").group(5);
    sysfs.pci(kAhci).ids(0x8086, 0xa102).cls(0x010601).driver("ahci", "ahci").group(6);
    sysfs.pci(kNic).ids(0x8086, 0x10d3).cls(0x020000).driver("e1000e", "e1000e").group(3);
    std::string nvme_path = sysfs.pci(kNvme).sys_path();
    std::string ahci_path = sysfs.pci(kAhci).sys_path();
    host.emplace(sysfs.host());
    block.disk(nvme_path, "nvme/nvme0", "nvme0n1", "259:0")
        .partition("nvme0n1", "nvme0n1p1", "259:1")
        .partition("nvme0n1", "nvme0n1p2", "259:2")
        .partition("nvme0n1", "nvme0n1p3", "259:3")
        .disk(ahci_path, "ata1/host0/target0:0:0/0:0:0:0/block", "sda", "8:0")
        .partition("sda", "sda1", "8:1");
    root.write("/proc/self/mountinfo", kPseudoMounts);
    root.write("/proc/swaps", kSwapsHeader);
  }

  std::vector<std::string> reasons(const char* device = kNvme) {
    Device d;
    d.bus = "pci";
    d.name = device;
    return storage_use(*host, d);
  }

  void mount(const std::string& line) { root.write("/proc/self/mountinfo", std::string(kPseudoMounts) + line); }

  TempRoot root;
  FakeSysfs sysfs{root};
  std::optional<HostRoot> host;
  FakeBlock block{root};
};

TEST_F(StorageUseTest, DiskWithNothingMountedIsNotInUse) { EXPECT_THAT(reasons(), IsEmpty()); }

TEST_F(StorageUseTest, MountedPartitionIsFoundByItsDeviceNumber) {
  mount("29 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw,errors=remount-ro\n"
        "45 29 259:1 / /boot/efi rw,relatime shared:30 - vfat /dev/nvme0n1p1 rw,fmask=0077,dmask=0077\n");
  EXPECT_THAT(reasons(), UnorderedElementsAre(AllOf(HasSubstr("nvme0n1p2"), HasSubstr("mounted on /")),
                                              AllOf(HasSubstr("nvme0n1p1"), HasSubstr("/boot/efi"))));
}

TEST_F(StorageUseTest, MountMatchedByNumberAlonePointsAtTheBlockDevice) {
  // The source names a device-mapper alias; the number is what ties it to the partition.
  mount("29 1 259:3 / /srv rw,relatime shared:1 - xfs /dev/disk/by-label/srv rw\n");
  EXPECT_THAT(reasons(), ElementsAre(AllOf(HasSubstr("nvme0n1p3"), HasSubstr("/srv"))));
}

TEST_F(StorageUseTest, WholeDiskWithoutPartitionsCanBeMounted) {
  mount("31 29 259:0 / /data rw,relatime shared:20 - ext4 /dev/nvme0n1 rw\n");
  EXPECT_THAT(reasons(), ElementsAre(AllOf(HasSubstr("nvme0n1 "), HasSubstr("/data"))));
}

// btrfs reports an anonymous 0:N device per subvolume in field 3, so only the mount source
// ties the mount to the partition. Without this the root disk of a Fedora-style install would
// look unused.
TEST_F(StorageUseTest, BtrfsMountIsFoundByItsSourceDespiteTheAnonymousDeviceNumber) {
  mount("29 1 0:33 /@ / rw,relatime shared:1 - btrfs /dev/nvme0n1p2 rw,ssd,space_cache=v2,subvol=/@\n"
        "30 29 0:35 /@home /home rw,relatime shared:2 - btrfs /dev/nvme0n1p2 rw,ssd,subvol=/@home\n");
  EXPECT_THAT(reasons(), UnorderedElementsAre(AllOf(HasSubstr("nvme0n1p2"), HasSubstr("mounted on /")),
                                              AllOf(HasSubstr("nvme0n1p2"), HasSubstr("/home"))));
}

TEST_F(StorageUseTest, SwapPartitionIsInUse) {
  root.write("/proc/swaps", std::string(kSwapsHeader) +
                                "/dev/nvme0n1p3                          partition\t8388604\t\t0\t\t-2\n");
  EXPECT_THAT(reasons(), ElementsAre(AllOf(HasSubstr("nvme0n1p3"), HasSubstr("swap"))));
}

TEST_F(StorageUseTest, SwapFileOnAnotherDiskDoesNotCount) {
  root.write("/proc/swaps", std::string(kSwapsHeader) + "/swapfile                               file\t\t2097148\t\t0\t\t-2\n");
  EXPECT_THAT(reasons(), IsEmpty());
}

TEST_F(StorageUseTest, PartitionHeldByDeviceMapperIsInUseAndNamesTheHolder) {
  block.held_by("nvme0n1p3", "dm-0", "253:0");
  EXPECT_THAT(reasons(), ElementsAre(AllOf(HasSubstr("nvme0n1p3"), HasSubstr("held by dm-0"))));
}

TEST_F(StorageUseTest, EveryReasonOfEveryBlockDeviceIsListed) {
  block.held_by("nvme0n1p3", "dm-0", "253:0");
  root.write("/proc/swaps", std::string(kSwapsHeader) +
                                "/dev/nvme0n1p1                          partition\t1048572\t\t0\t\t-2\n");
  mount("29 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw\n");
  EXPECT_THAT(reasons(), UnorderedElementsAre(HasSubstr("nvme0n1p1"), HasSubstr("nvme0n1p2"),
                                              HasSubstr("nvme0n1p3")));
}

TEST_F(StorageUseTest, AnotherControllersDiskDoesNotCount) {
  mount("29 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n");
  root.write("/proc/swaps", std::string(kSwapsHeader) +
                                "/dev/sda1                               partition\t8388604\t\t0\t\t-2\n");
  block.held_by("sda", "dm-1", "253:1");
  EXPECT_THAT(reasons(kNvme), IsEmpty());
  // ... and it does count for its own controller, so the lines above are not simply ignored.
  EXPECT_THAT(reasons(kAhci), UnorderedElementsAre(HasSubstr("mounted on /"), HasSubstr("swap"),
                                                   HasSubstr("held by dm-1")));
}

TEST_F(StorageUseTest, DeviceWithoutBlockDevicesIsNotInUseWhileOthersDisksAre) {
  mount("29 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw\n");
  block.held_by("sda1", "dm-1", "253:1");
  EXPECT_THAT(reasons(kNic), IsEmpty());
}

TEST_F(StorageUseTest, MissingProcFilesAreNotAnError) {
  std::filesystem::remove_all(root.at("/proc"));
  block.held_by("nvme0n1p3", "dm-0", "253:0");
  EXPECT_THAT(reasons(), ElementsAre(HasSubstr("held by dm-0")));
}

}  // namespace
}  // namespace vfioctl
