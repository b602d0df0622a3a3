// vfioctl-vm-client: the smallest real VFIO user, run inside the test VM on a device that a
// scenario has bound to a vfio driver. Binding is only worth something if a user can then do this:
// open the device's group, see it viable, put it in a type1 container, get the device fd, read
// its regions and config space, and map DMA through the IOMMU. It uses the legacy group/container
// API (Documentation/driver-api/vfio.rst, "VFIO Usage Example"): Debian's 6.1 and 6.12 kernels
// have no vfio device cdev and no iommufd.
//
//   vfioctl-vm-client BDF              everything; exit 0 only if every step works
//   vfioctl-vm-client --status BDF     only VFIO_GROUP_GET_STATUS (exit 0 either way, "viable=0|1")
//
// Output is one "key=value" line per fact, for the scenario to compare with sysfs; errors go to
// stderr as "vfio-client: error: ...". Exit 1 on a failed step, 2 on bad usage.
//
// A device on another bus is named BUS/NAME (platform/QEMU0002:00). A group vfio made in no-IOMMU
// mode (/dev/vfio/noiommu-N) takes the no-IOMMU container (VFIO_NOIOMMU_IOMMU), which maps no DMA:
// the client then stops after the device's regions. An AMBA device (vfio-amba) also has its
// PrimeCell identification registers read through region 0, which the amba bus read at boot
// into sysfs "id"; other platform devices' registers are not touched (vfio-platform's test
// devices in the arm64 guest have nothing behind them). A vfio_ccw mdev (mdev/UUID) has its
// subchannel's SCHIB read through its SCHIB region, whose device number a scenario compares
// with sysfs. A CDX function (vfio-cdx, which has no read or write, only mmap) has its first
// region mapped and read, then is reset through VFIO and read again: the arm64 guest's stand-in
// controller (tests/vm/cdx) keeps a magic, the device number and a reset count there.
#include <fcntl.h>
#include <linux/vfio.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>

// linux/vfio.h has it since 6.5; the cross builds compile against Debian 12's 6.1 headers.
#ifndef VFIO_DEVICE_FLAGS_CDX
#define VFIO_DEVICE_FLAGS_CDX (1 << 8)
#endif

namespace {

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  int get() const { return fd_; }
  bool ok() const { return fd_ >= 0; }

 private:
  int fd_;
};

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "vfio-client: error: %s: %s\n", what.c_str(), std::strerror(errno));
  std::fflush(stdout);
  std::exit(1);
}

void fact(const char* key, const std::string& value) { std::printf("%s=%s\n", key, value.c_str()); }
void fact(const char* key, unsigned long long value) { std::printf("%s=%llu\n", key, value); }

std::string hex(unsigned long long v, int width) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%0*llx", width, v);
  return buf;
}

// The device as the command line names it: a PCI address, or BUS/NAME for any bus.
struct DeviceName {
  std::string bus = "pci";
  std::string name;
  bool pci() const { return bus == "pci"; }
};

DeviceName parse_device(std::string_view arg) {
  DeviceName d;
  auto slash = arg.find('/');
  if (slash == std::string_view::npos) {
    d.name = arg;
  } else {
    d.bus = arg.substr(0, slash);
    d.name = arg.substr(slash + 1);
  }
  return d;
}

int group_of(const DeviceName& dev) {
  std::error_code ec;
  auto link = std::filesystem::read_symlink("/sys/bus/" + dev.bus + "/devices/" + dev.name + "/iommu_group", ec);
  if (ec) {
    errno = ec.value();
    die("no IOMMU group for " + dev.name);
  }
  return std::stoi(link.filename().string());
}

// Config space through the device fd, not sysfs: proves the fd reaches the device.
void read_config_ids(int device, const vfio_region_info& config) {
  std::uint16_t ids[2] = {};
  if (pread(device, ids, sizeof ids, static_cast<off_t>(config.offset)) != static_cast<ssize_t>(sizeof ids)) {
    die("pread of config space");
  }
  fact("config_vendor", hex(ids[0], 4));
  fact("config_device", hex(ids[1], 4));
}

// The PrimeCell peripheral and cell IDs: the low byte of each of the eight registers at
// 0xfe0..0xffc of an AMBA device's first region (ARM's PrimeCell TRMs; drivers/amba/bus.c
// amba_read_periphid reads the same ones).
void read_primecell_ids(int device, const vfio_region_info& regs) {
  if (regs.size < 0x1000) die("an AMBA region smaller than the PrimeCell ID block");
  std::uint32_t periph = 0, cell = 0;
  for (unsigned i = 0; i < 8; ++i) {
    std::uint32_t word = 0;
    const off_t at = static_cast<off_t>(regs.offset + regs.size - 0x20 + 4 * i);
    if (pread(device, &word, sizeof word, at) != static_cast<ssize_t>(sizeof word)) die("pread of the PrimeCell IDs");
    std::uint32_t& id = i < 4 ? periph : cell;
    id |= (word & 0xffU) << (8 * (i % 4));
  }
  fact("amba_periphid", hex(periph, 8));
  fact("amba_cellid", hex(cell, 8));
}

// The subchannel's SCHIB through the device fd: vfio_ccw's capability region of type CCW,
// subtype SCHIB (linux/vfio.h; vfio_ccw_schib_region_read runs stsch and copies the SCHIB). Its
// path-management control word holds the device number the host's sysfs shows as dev_busid
// (struct pmcw in drivers/s390/cio/cio.h: the 16-bit device number ends the second word).
void read_ccw_schib(int device, unsigned index) {
  alignas(8) unsigned char buf[512] = {};
  auto* region = reinterpret_cast<vfio_region_info*>(buf);
  region->argsz = sizeof buf;
  region->index = index;
  if (ioctl(device, VFIO_DEVICE_GET_REGION_INFO, region) != 0) die("VFIO_DEVICE_GET_REGION_INFO (caps)");
  if (!(region->flags & VFIO_REGION_INFO_FLAG_CAPS) || region->argsz > sizeof buf) return;
  for (std::uint32_t at = region->cap_offset; at != 0 && at + sizeof(vfio_region_info_cap_type) <= sizeof buf;) {
    const auto* header = reinterpret_cast<const vfio_info_cap_header*>(buf + at);
    if (header->id == VFIO_REGION_INFO_CAP_TYPE) {
      const auto* type = reinterpret_cast<const vfio_region_info_cap_type*>(header);
      if (type->type == VFIO_REGION_TYPE_CCW && type->subtype == VFIO_REGION_SUBTYPE_CCW_SCHIB) {
        unsigned char schib[52] = {};
        if (pread(device, schib, sizeof schib, static_cast<off_t>(region->offset)) != static_cast<ssize_t>(sizeof schib)) {
          die("pread of the SCHIB region");
        }
        fact("ccw_schib_devno", hex(static_cast<unsigned>(schib[6]) << 8 | schib[7], 4));
        return;
      }
    }
    at = header->next;
  }
}

// The stand-in CDX controller's region (tests/vm/cdx/vfioctl_test_cdx.c): "VFIOCTL-CDX" at 0,
// the device number at 12 and the count of resets the controller was asked for at 16, both
// native-endian u32. vfio-cdx resets the function when the device is opened
// (vfio_cdx_open_device -> cdx_dev_reset) and on VFIO_DEVICE_RESET; the region is RAM, so a read
// after the reset sees the count the controller wrote.
void read_cdx_region(int device, const vfio_region_info& region) {
  if (!(region.flags & VFIO_REGION_INFO_FLAG_MMAP) || region.size < 20) die("a CDX region that cannot be mapped");
  void* map = mmap(nullptr, region.size, PROT_READ, MAP_SHARED, device, static_cast<off_t>(region.offset));
  if (map == MAP_FAILED) die("mmap of the CDX region");
  const auto* bytes = static_cast<const unsigned char*>(map);
  const auto u32_at = [&](std::size_t at) {
    std::uint32_t v = 0;
    std::memcpy(&v, bytes + at, sizeof v);
    return v;
  };
  fact("cdx_magic", std::string(reinterpret_cast<const char*>(bytes), strnlen(reinterpret_cast<const char*>(bytes), 12)));
  fact("cdx_devnum", u32_at(12));
  fact("cdx_resets", u32_at(16));
  if (ioctl(device, VFIO_DEVICE_RESET) != 0) die("VFIO_DEVICE_RESET");
  fact("cdx_resets_after_reset", u32_at(16));
  munmap(map, region.size);
}

// One page mapped for device DMA and unmapped again: the container's IOMMU domain is live.
void map_dma(int container) {
  const std::size_t size = 4096;
  void* mem = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) die("mmap");
  vfio_iommu_type1_dma_map map = {};
  map.argsz = sizeof map;
  map.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
  map.vaddr = reinterpret_cast<std::uintptr_t>(mem);
  map.iova = 0x100000;
  map.size = size;
  if (ioctl(container, VFIO_IOMMU_MAP_DMA, &map) != 0) die("VFIO_IOMMU_MAP_DMA");
  vfio_iommu_type1_dma_unmap unmap = {};
  unmap.argsz = sizeof unmap;
  unmap.iova = map.iova;
  unmap.size = size;
  if (ioctl(container, VFIO_IOMMU_UNMAP_DMA, &unmap) != 0) die("VFIO_IOMMU_UNMAP_DMA");
  fact("dma_map", unmap.size == size ? "ok" : "short-unmap");
  munmap(mem, size);
}

int run(const DeviceName& dev, bool status_only) {
  int group_number = group_of(dev);
  fact("group", static_cast<unsigned long long>(group_number));

  Fd container(open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC));
  if (!container.ok()) die("open /dev/vfio/vfio");
  int api = ioctl(container.get(), VFIO_GET_API_VERSION);
  fact("api_version", static_cast<unsigned long long>(api));
  if (api != VFIO_API_VERSION) die("unexpected VFIO API version");
  bool v2 = ioctl(container.get(), VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) > 0;
  bool v1 = ioctl(container.get(), VFIO_CHECK_EXTENSION, VFIO_TYPE1_IOMMU) > 0;

  // vfio names a no-IOMMU group's node noiommu-N (vfio_group_alloc in drivers/vfio/vfio_main.c).
  std::string noiommu_path = "/dev/vfio/noiommu-" + std::to_string(group_number);
  bool noiommu = access(noiommu_path.c_str(), F_OK) == 0;
  std::string group_path = noiommu ? noiommu_path : "/dev/vfio/" + std::to_string(group_number);
  fact("group_node", group_path);
  Fd group(open(group_path.c_str(), O_RDWR | O_CLOEXEC));
  if (!group.ok()) die("open " + group_path);
  vfio_group_status status = {};
  status.argsz = sizeof status;
  if (ioctl(group.get(), VFIO_GROUP_GET_STATUS, &status) != 0) die("VFIO_GROUP_GET_STATUS");
  bool viable = (status.flags & VFIO_GROUP_FLAGS_VIABLE) != 0;
  fact("viable", viable ? 1ULL : 0ULL);
  if (status_only) return 0;
  if (!viable) {
    errno = EBUSY;
    die("group " + std::to_string(group_number) + " is not viable (a member is bound to a host driver)");
  }

  int fd = container.get();
  if (ioctl(group.get(), VFIO_GROUP_SET_CONTAINER, &fd) != 0) die("VFIO_GROUP_SET_CONTAINER");
  if (noiommu) {
    if (ioctl(container.get(), VFIO_SET_IOMMU, VFIO_NOIOMMU_IOMMU) != 0) die("VFIO_SET_IOMMU noiommu");
    fact("iommu", "noiommu");
  } else {
    if (!v1 && !v2) {
      errno = ENOTSUP;
      die("the container offers no type1 IOMMU");
    }
    if (ioctl(container.get(), VFIO_SET_IOMMU, v2 ? VFIO_TYPE1v2_IOMMU : VFIO_TYPE1_IOMMU) != 0) die("VFIO_SET_IOMMU");
    fact("iommu", v2 ? "type1v2" : "type1");
    vfio_iommu_type1_info iommu_info = {};
    iommu_info.argsz = sizeof iommu_info;
    if (ioctl(container.get(), VFIO_IOMMU_GET_INFO, &iommu_info) != 0) die("VFIO_IOMMU_GET_INFO");
    fact("iova_pgsizes", hex(iommu_info.iova_pgsizes, 1));
  }

  Fd device(ioctl(group.get(), VFIO_GROUP_GET_DEVICE_FD, dev.name.c_str()));
  if (!device.ok()) die("VFIO_GROUP_GET_DEVICE_FD " + dev.name);
  fact("device_fd", "ok");
  vfio_device_info info = {};
  info.argsz = sizeof info;
  if (ioctl(device.get(), VFIO_DEVICE_GET_INFO, &info) != 0) die("VFIO_DEVICE_GET_INFO");
  fact("device_pci", (info.flags & VFIO_DEVICE_FLAGS_PCI) ? "1" : "0");
  fact("device_platform", (info.flags & VFIO_DEVICE_FLAGS_PLATFORM) ? "1" : "0");
  const bool amba = (info.flags & VFIO_DEVICE_FLAGS_AMBA) != 0;
  fact("device_amba", amba ? "1" : "0");
  const bool ccw = (info.flags & VFIO_DEVICE_FLAGS_CCW) != 0;
  fact("device_ccw", ccw ? "1" : "0");
  const bool cdx = (info.flags & VFIO_DEVICE_FLAGS_CDX) != 0;
  fact("device_cdx", cdx ? "1" : "0");
  fact("device_reset", (info.flags & VFIO_DEVICE_FLAGS_RESET) ? "1" : "0");
  fact("num_regions", info.num_regions);
  fact("num_irqs", info.num_irqs);

  for (unsigned index = 0; index < info.num_regions; ++index) {
    vfio_region_info region = {};
    region.argsz = sizeof region;
    region.index = index;
    std::string key = "region" + std::to_string(index);
    if (ioctl(device.get(), VFIO_DEVICE_GET_REGION_INFO, &region) != 0) {
      // vfio-pci answers EINVAL for the VGA region of a device that is not a VGA device.
      if (dev.pci() && index == VFIO_PCI_VGA_REGION_INDEX && errno == EINVAL) {
        fact(key.c_str(), "absent");
        continue;
      }
      die("VFIO_DEVICE_GET_REGION_INFO " + std::to_string(index));
    }
    fact(key.c_str(), "size=" + hex(region.size, 1) + " flags=" + hex(region.flags, 1));
    if (dev.pci() && index == VFIO_PCI_CONFIG_REGION_INDEX) read_config_ids(device.get(), region);
    if (amba && index == 0) read_primecell_ids(device.get(), region);
    if (ccw && (region.flags & VFIO_REGION_INFO_FLAG_CAPS)) read_ccw_schib(device.get(), index);
    if (cdx && index == 0) read_cdx_region(device.get(), region);
  }
  if (!dev.pci()) {
    fact("result", "ok");
    return 0;
  }
  vfio_irq_info irq = {};
  irq.argsz = sizeof irq;
  irq.index = VFIO_PCI_MSIX_IRQ_INDEX;
  if (ioctl(device.get(), VFIO_DEVICE_GET_IRQ_INFO, &irq) != 0) die("VFIO_DEVICE_GET_IRQ_INFO");
  fact("msix_count", irq.count);

  if (!noiommu) map_dma(container.get());
  fact("result", "ok");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  bool status_only = false;
  bool usage_error = false;
  std::string device;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--status") status_only = true;
    else if (device.empty() && !arg.starts_with('-')) device = arg;
    else usage_error = true;
  }
  if (device.empty() || usage_error) {
    std::fprintf(stderr, "usage: vfioctl-vm-client [--status] 0000:BB:DD.F|BUS/NAME\n");
    return 2;
  }
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  return run(parse_device(device), status_only);
}
