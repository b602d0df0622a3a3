// The driver_override buses besides PCI, on fixture sysfs trees laid out as the kernel's ABI
// documents describe them:
//   Documentation/ABI/testing/sysfs-bus-platform   (driver_override, of_node link)
//   Documentation/ABI/testing/sysfs-bus-amba       (driver_override)
//   Documentation/ABI/testing/sysfs-bus-fsl-mc     (driver_override; objects "<type>.<id>")
//   Documentation/ABI/testing/sysfs-bus-cdx        (driver_override, modalias; "cdx-BB:DD")
//   Documentation/ABI/testing/sysfs-bus-css        (type, modalias "css:t<type>", driver_override)
// and on the module trees of Debian's arm64 and s390x kernels (tests/data/kernels).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "bus/bus_registry.h"
#include "buses/platform_reset.h"
#include "inventory/session.h"
#include "inventory/snapshot.h"
#include "support/fake_sysfs.h"
#include "support/module_tree.h"

namespace vfioctl {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using vfioctl::testing::FakeSysfs;
using vfioctl::testing::ModuleKind;
using vfioctl::testing::ModuleTree;
using vfioctl::testing::SyntheticModule;
using vfioctl::testing::TempRoot;

constexpr const char* kRelease = "6.12.0-buses";

TEST(BusRegistryTest, OtherBusesAreNamedBusSlashName) {
  BusRegistry buses;
  std::string error;
  auto eth = buses.parse("platform/fff51000.ethernet", &error);
  ASSERT_TRUE(eth) << error;
  EXPECT_EQ(eth->bus->name(), "platform");
  EXPECT_EQ(eth->id(), "platform/fff51000.ethernet");
  auto sch = buses.parse("css/0.0.0A1F", &error);
  ASSERT_TRUE(sch) << error;
  EXPECT_EQ(sch->name, "0.0.0a1f") << "subchannel names are lower case (css.c: %x.%x.%04x)";
  EXPECT_TRUE(buses.parse("fsl-mc/dprc.1", &error));
  EXPECT_TRUE(buses.parse("cdx/cdx-00:01", &error));
  EXPECT_TRUE(buses.parse("amba/9000000.pl011", &error));
}

TEST(BusRegistryTest, BadNamesOnOtherBusesAreRefusedWithTheReason) {
  BusRegistry buses;
  std::string error;
  for (const char* bad : {"platform/../../etc", "platform/a b", "platform/$(reboot)", "platform/", "css/0.0.313",
                          "css/0.4.0313", "css/0.0.0313.1"}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(buses.parse(bad, &error));
    EXPECT_THAT(error, HasSubstr("is not a valid"));
  }
  EXPECT_FALSE(buses.parse("usb/1-1", &error));
  EXPECT_THAT(error, HasSubstr("known: pci, platform, amba, fsl-mc, cdx, css, ap"));
}

class OtherBusesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // An arm64 board: an Ethernet MAC behind the SMMU (group 3) on its host driver, whose
    // device tree node lists a board-specific compatible before the generic one; a UART with
    // no IOMMU (not listed unless asked for); a DPAA2 container and a network object.
    sysfs.other("platform", "fff51000.ethernet")
        .modalias("of:NethernetT(null)Cvendor,board-xgmacCcalxeda,hb-xgmac")
        .of_compatible({"vendor,board-xgmac", "calxeda,hb-xgmac"})
        .driver("calxedaxgmac", "calxedaxgmac", ModuleKind::kLoadable)
        .group(3);
    sysfs.other("platform", "9000000.uart").modalias("of:NuartT(null)Carm,pl011").driver("uart-pl011");
    sysfs.other("fsl-mc", "dprc.1").modalias("fsl-mc:v00001957ddprc").driver("fsl_mc_dprc").group(4);
    sysfs.other("fsl-mc", "dpni.0").modalias("fsl-mc:v00001957ddpni").driver("fsl_dpaa2_eth", "fsl_dpaa2_eth", ModuleKind::kLoadable).group(4);
    // An s390 channel subsystem: an I/O subchannel and a CHSC one, in no IOMMU group (the css bus
    // has none; vfio_ccw serves subchannels through mdevs).
    sysfs.other("css", "0.0.0000").modalias("css:t0").attr("type", "0").driver("io_subchannel");
    sysfs.other("css", "0.0.ff00").modalias("css:t1").attr("type", "1").driver("chsc_subchannel");
    sysfs.write();
    tree.add_synthetic(SyntheticModule{"vfio_platform", {}, "kernel/drivers/vfio/platform/vfio-platform.ko"});
    tree.add_synthetic(SyntheticModule{"vfio_fsl_mc", {}, "kernel/drivers/vfio/fsl-mc/vfio-fsl-mc.ko"});
    tree.add_synthetic(SyntheticModule{"vfio_ccw", {"css:t0"}, "kernel/drivers/s390/cio/vfio_ccw.ko"});
    // Upstream's reset helper for the Calxeda XGMAC (vfio_platform_calxedaxgmac.c:
    // module_vfio_reset_handler("calxeda,hb-xgmac", ...) -> MODULE_ALIAS("vfio-reset:calxeda,hb-xgmac")).
    tree.add_synthetic(SyntheticModule{"vfio_platform_calxedaxgmac", {"vfio-reset:calxeda,hb-xgmac"},
                                       "kernel/drivers/vfio/platform/reset/vfio-platform-calxedaxgmac.ko"});
  }
  const DeviceReport* find(const Snapshot& s, const std::string& bus, const std::string& name) {
    for (const auto& r : s.devices) {
      if (r.device.bus == bus && r.device.name == name) return &r;
    }
    return nullptr;
  }

  TempRoot root;
  FakeSysfs sysfs{root};
  ModuleTree tree{root, kRelease};
};

TEST_F(OtherBusesTest, ListingShowsTheDevicesVfioCouldTakeOnEveryBus) {
  Session session(sysfs.host(kRelease));
  Snapshot s = take_snapshot(session, {});
  std::vector<std::string> ids;
  for (const auto& r : s.devices) ids.push_back(r.device.id());
  EXPECT_THAT(ids, ElementsAre("platform/fff51000.ethernet", "fsl-mc/dpni.0", "fsl-mc/dprc.1", "css/0.0.0000"))
      << "the UART has no IOMMU group and nothing steers it: not listed; on css, a group is no criterion: every "
         "I/O subchannel is listed, the CHSC subchannel vfio_ccw cannot take is not";
  BusRegistry buses;
  Snapshot uart = take_snapshot(session, {DeviceRef{buses.find("platform"), "9000000.uart"}});
  ASSERT_EQ(uart.devices.size(), 1u) << "asked for by name, it is shown";
}

TEST_F(OtherBusesTest, APlatformDeviceIsReadWithItsCompatibleList) {
  Session session(sysfs.host(kRelease));
  BusRegistry buses;
  auto d = buses.find("platform")->read(session.host(), "fff51000.ethernet");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->driver, "calxedaxgmac");
  EXPECT_EQ(d->iommu_group, 3);
  EXPECT_TRUE(d->has_driver_override_attr);
  EXPECT_EQ(d->driver_override, std::nullopt);
  EXPECT_THAT(d->of_compatible, ElementsAre("vendor,board-xgmac", "calxeda,hb-xgmac"));
  EXPECT_EQ(d->modalias, "of:NethernetT(null)Cvendor,board-xgmacCcalxeda,hb-xgmac");
}

TEST_F(OtherBusesTest, TheBusGenericDriverIsTheCandidateWithoutAnAlias) {
  Session session(sysfs.host(kRelease));
  BusRegistry buses;
  Snapshot s = take_snapshot(session, {});
  const DeviceReport* eth = find(s, "platform", "fff51000.ethernet");
  ASSERT_TRUE(eth);
  ASSERT_TRUE(eth->best());
  EXPECT_EQ(eth->best()->module, "vfio_platform");
  EXPECT_EQ(eth->best()->alias, "");
  EXPECT_THAT(eth->resolution->reason, HasSubstr("no vfio alias names the device, so it binds through driver_override alone"));
  const DeviceReport* dpni = find(s, "fsl-mc", "dpni.0");
  ASSERT_TRUE(dpni && dpni->best());
  EXPECT_EQ(dpni->best()->module, "vfio_fsl_mc");
  EXPECT_THAT(buses.find("fsl-mc")->notes(session, dpni->device), Contains(HasSubstr("bind the container (fsl-mc/dprc.N) to vfio-fsl-mc first")));
  const DeviceReport* io = find(s, "css", "0.0.0000");
  ASSERT_TRUE(io && io->best());
  EXPECT_EQ(io->best()->module, "vfio_ccw");
}

TEST_F(OtherBusesTest, OnlyIoSubchannelsCanGoToVfioCcw) {
  Session session(sysfs.host(kRelease));
  BusRegistry buses;
  const Bus* css = buses.find("css");
  Snapshot s = take_snapshot(session, {DeviceRef{css, "0.0.0000"}, DeviceRef{css, "0.0.ff00"}});
  const DeviceReport* chsc = find(s, "css", "0.0.ff00");
  ASSERT_TRUE(chsc);
  ASSERT_TRUE(chsc->device.not_assignable);
  EXPECT_THAT(*chsc->device.not_assignable, HasSubstr("I/O subchannels, type 0, only"));
  EXPECT_FALSE(find(s, "css", "0.0.0000")->device.not_assignable);
}

// vfio-platform looks up a reset helper for the first compatible string only
// (vfio_platform_common.c); vfioctl evaluates the whole list and says what will happen.
TEST_F(OtherBusesTest, AResetHelperForALaterCompatibleStringIsFoundButTheKernelWillNotUseIt) {
  Session session(sysfs.host(kRelease));
  BusRegistry buses;
  auto d = buses.find("platform")->read(session.host(), "fff51000.ethernet");
  PlatformReset r = find_platform_reset(session, *d);
  ASSERT_TRUE(r.applies);
  EXPECT_EQ(r.match, 1u);
  EXPECT_EQ(r.module, "vfio_platform_calxedaxgmac");
  EXPECT_FALSE(r.kernel_finds_it);
  EXPECT_TRUE(r.probe_will_fail());
  EXPECT_THAT(r.summary, HasSubstr("compatible string 2 of 2"));
  EXPECT_THAT(r.summary, HasSubstr("looks up only the first, 'vendor,board-xgmac'"));
  EXPECT_THAT(r.summary, HasSubstr("reset_required=0"));
}

TEST_F(OtherBusesTest, AResetHelperForTheFirstStringIsUsedByTheKernel) {
  sysfs.other("platform", "fff51000.ethernet").of_compatible({"calxeda,hb-xgmac"});
  Session session(sysfs.host(kRelease));
  BusRegistry buses;
  PlatformReset r = find_platform_reset(session, *buses.find("platform")->read(session.host(), "fff51000.ethernet"));
  EXPECT_TRUE(r.kernel_finds_it);
  EXPECT_FALSE(r.probe_will_fail());
  EXPECT_THAT(r.summary, HasSubstr("reset: vfio_platform_calxedaxgmac (for 'calxeda,hb-xgmac', the first"));
}

TEST_F(OtherBusesTest, ResetRequiredOffMeansTheProbeGoesAheadWithoutAReset) {
  sysfs.other("platform", "fff51000.ethernet").of_compatible({"vendor,unknown-mac"});
  sysfs.file("/sys/module/vfio_platform/parameters/reset_required", "N");
  Session session(sysfs.host(kRelease));
  BusRegistry buses;
  PlatformReset r = find_platform_reset(session, *buses.find("platform")->read(session.host(), "fff51000.ethernet"));
  EXPECT_EQ(r.match, std::nullopt);
  EXPECT_FALSE(r.reset_required);
  EXPECT_FALSE(r.probe_will_fail());
  EXPECT_THAT(r.summary, HasSubstr("without a reset between users"));
}

// vfio_platform not loaded yet: the options modprobe.d gives it are what the bind's load will use
// (libkmod applies them), so an admin's "options vfio_platform reset_required=0" is honoured.
TEST_F(OtherBusesTest, ResetRequiredComesFromModprobeDWhileVfioPlatformIsNotLoaded) {
  sysfs.other("platform", "fff51000.ethernet").of_compatible({"vendor,unknown-mac"});
  {
    Session session(sysfs.host(kRelease));
    PlatformReset r = find_platform_reset(session, *session.buses().find("platform")->read(session.host(), "fff51000.ethernet"));
    EXPECT_TRUE(r.reset_required) << "the default";
    EXPECT_TRUE(r.probe_will_fail());
    EXPECT_THAT(r.summary, HasSubstr("reset_required=Y (the default)"));
  }
  testing::write_modprobe_conf(root, "vfio-platform.conf", "options vfio_platform reset_required=0\n");
  Session session(sysfs.host(kRelease));
  const Bus& platform = *session.buses().find("platform");
  auto d = platform.read(session.host(), "fff51000.ethernet");
  PlatformReset r = find_platform_reset(session, *d);
  EXPECT_FALSE(r.reset_required);
  EXPECT_FALSE(r.probe_will_fail());
  EXPECT_EQ(platform.probe_refusal(session, *d), std::nullopt) << "bind goes ahead";
  EXPECT_THAT(r.summary, HasSubstr("reset_required=0 (modprobe.d: options vfio_platform reset_required=0)"));

  // Once loaded, the module's own parameter is the truth (a reload would be needed to change it).
  sysfs.file("/sys/module/vfio_platform/parameters/reset_required", "Y");
  Session loaded(sysfs.host(kRelease));
  EXPECT_TRUE(find_platform_reset(loaded, *d).reset_required);
}

// On 6.1, vfio_platform_init_common returns the missing reset's -ENOENT even with
// reset_required=0 (fixed in 6.2 by 168a9c91fe0a): the same device as above is refused up front.
TEST_F(OtherBusesTest, OnA61KernelResetRequiredOffDoesNotSaveTheProbe) {
  sysfs.other("platform", "fff51000.ethernet").of_compatible({"vendor,unknown-mac"});
  sysfs.file("/sys/module/vfio_platform/parameters/reset_required", "N");
  Session session(sysfs.host("6.1.0-28-arm64"));
  BusRegistry buses;
  const Bus& platform = *buses.find("platform");
  auto d = platform.read(session.host(), "fff51000.ethernet");
  ASSERT_TRUE(d);
  PlatformReset r = find_platform_reset(session, *d);
  EXPECT_FALSE(r.reset_required);
  EXPECT_TRUE(r.reset_param_ignored);
  EXPECT_TRUE(r.probe_will_fail());
  EXPECT_THAT(r.summary, AllOf(HasSubstr("even with reset_required=0"), HasSubstr("168a9c91fe0a"),
                               HasSubstr("use a 6.2 or later kernel")));
  auto refusal = platform.probe_refusal(session, *d);
  ASSERT_TRUE(refusal);
  EXPECT_EQ(*refusal, r.summary);
}

TEST(PlatformResetTest, OnlyThe61SeriesIgnoresResetRequired) {
  for (const char* r : {"6.1", "6.1.0-28-amd64", "6.1.192-vfioctl-test", "6.1.0+debug"}) {
    EXPECT_TRUE(ignores_reset_required(r)) << r;
  }
  for (const char* r : {"6.10.3", "6.12.0-31-amd64", "6.2.0", "5.19.0", "6.0.9", "", "6"}) {
    EXPECT_FALSE(ignores_reset_required(r)) << r;
  }
}

// An ACPI device takes vfio-platform's ACPI path: its reset is the firmware's _RST method, and
// no vfio-reset helper is asked for, even when one matches its compatible string (PRP0001
// devices carry one in _DSD). sysfs cannot show _RST, so the probe is not predicted to fail.
TEST_F(OtherBusesTest, AnAcpiDeviceIsResetThroughItsFirmwareNotAHelper) {
  sysfs.other("platform", "fff51000.ethernet").of_compatible({"calxeda,hb-xgmac"}).acpi_companion("AMDI8001");
  Session session(sysfs.host(kRelease));
  BusRegistry buses;
  auto d = buses.find("platform")->read(session.host(), "fff51000.ethernet");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->acpi_hid, "AMDI8001");
  PlatformReset r = find_platform_reset(session, *d);
  ASSERT_TRUE(r.applies);
  EXPECT_TRUE(r.acpi);
  EXPECT_EQ(r.module, std::nullopt) << "the calxeda helper is not what vfio-platform uses here";
  EXPECT_FALSE(r.probe_will_fail());
  EXPECT_THAT(r.summary, AllOf(HasSubstr("an ACPI device (AMDI8001)"), HasSubstr("_RST"),
                               HasSubstr("sysfs does not show"), HasSubstr("reset_required=0")));
  EXPECT_THAT(r.summary, Not(HasSubstr("168a9c91fe0a"))) << "6.12 honours reset_required=0";
}

TEST_F(OtherBusesTest, OnA61KernelAnAcpiDeviceWithoutRstCannotBeSavedByResetRequired) {
  sysfs.other("platform", "fff51000.ethernet").acpi_companion("AMDI8001");
  Session session(sysfs.host("6.1.0-28-amd64"));
  BusRegistry buses;
  PlatformReset r = find_platform_reset(session,
                                        *buses.find("platform")->read(session.host(), "fff51000.ethernet"));
  EXPECT_TRUE(r.acpi);
  EXPECT_FALSE(r.probe_will_fail()) << "whether the firmware has _RST is still unknown";
  EXPECT_THAT(r.summary, AllOf(HasSubstr("without it the probe fails"), HasSubstr("even with reset_required=0")));
  EXPECT_THAT(r.summary, Not(HasSubstr("unless vfio_platform is loaded with reset_required=0")));
}

// The helper is found where request_module("vfio-reset:<compat>") has modprobe find it, and
// kmod's own `modprobe -R` is the oracle: a loadable helper (modules.alias carries the '-'
// spelling MODULE_ALIAS() was given), a helper built into the kernel (modules.builtin.alias.bin
// only) and a modprobe.d alias an admin wrote for a board's own compatible string. SYNTHETIC
// helper names and board strings; the alias shape is include/linux/vfio.h
// module_vfio_reset_handler().
TEST(PlatformResetKmodTest, TheHelperIsTheOneModprobeResolvesFromEverySource) {
  if (!testing::kmod_tools_available()) GTEST_SKIP() << "needs kmod's depmod (scripts/install-deps.sh)";
  const std::string release = "6.12.0-reset";
  struct Case {
    const char* what;
    std::vector<std::string> compatible;
    std::string modprobe_d;  // an /etc/modprobe.d/board.conf, or ""
    std::optional<std::size_t> match;
    std::string module;
    bool built_in;
  };
  const std::vector<Case> cases = {
      {"loadable helper for the second string", {"vendor,board-xgmac", "calxeda,hb-xgmac"}, "", 1u,
       "vfio_platform_calxedaxgmac", false},
      {"built-in helper for the first string", {"amd,xgbe-seattle-v1a", "amd,xgbe"}, "", 0u,
       "vfio_platform_amdxgbe", true},
      {"modprobe.d alias for the board's own string",
       {"vendor,board-xgmac", "calxeda,hb-xgmac"},
       "alias vfio-reset:vendor,board-xgmac vfio_platform_calxedaxgmac\n", 0u, "vfio_platform_calxedaxgmac", false},
      {"no helper anywhere", {"vendor,unknown-mac"}, "", std::nullopt, "", false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    TempRoot root;
    FakeSysfs sysfs(root);
    sysfs.other("platform", "fff51000.ethernet").of_compatible(c.compatible).group(3);
    sysfs.write();
    ASSERT_EQ(testing::build_depmod_tree(
                  root, release,
                  {SyntheticModule{"vfio_platform", {}, "kernel/drivers/vfio/platform/vfio-platform.ko"},
                   SyntheticModule{"vfio_platform_calxedaxgmac", {"vfio-reset:calxeda,hb-xgmac"},
                                   "kernel/drivers/vfio/platform/reset/vfio-platform-calxedaxgmac.ko"}},
                  {SyntheticModule{"vfio_platform_amdxgbe", {"vfio-reset:amd,xgbe-seattle-v1a"}, ""}}),
              std::nullopt);
    if (!c.modprobe_d.empty()) testing::write_modprobe_conf(root, "board.conf", c.modprobe_d);

    Session session(sysfs.host(release));
    auto d = session.buses().find("platform")->read(session.host(), "fff51000.ethernet");
    ASSERT_TRUE(d);
    PlatformReset r = find_platform_reset(session, *d);
    EXPECT_EQ(r.match, c.match);
    EXPECT_EQ(r.module.value_or(""), c.module);
    EXPECT_EQ(r.built_in, c.built_in);
    EXPECT_EQ(r.kernel_finds_it, c.match == 0u);
    if (c.built_in) {
      EXPECT_THAT(r.summary, HasSubstr(c.module + " (built in)"));
    }

    // kmod's answer for each string, in list order: the first that resolves is vfioctl's.
    const std::string config = root.path() + "/etc/modprobe.d";
    std::optional<std::size_t> kmod_match;
    std::string kmod_module;
    for (std::size_t i = 0; i < c.compatible.size() && !kmod_match; ++i) {
      auto answer = testing::modprobe_resolve(root.path(), release, "vfio-reset:" + c.compatible[i], config);
      if (answer.exit_code == 0 && !answer.modules.empty()) {
        kmod_match = i;
        kmod_module = answer.modules.front();
      }
    }
    EXPECT_EQ(r.match, kmod_match) << "kmod disagrees";
    EXPECT_EQ(r.module.value_or(""), kmod_module) << "kmod disagrees";
  }
}

// cdx: vfio-cdx's aliases are override-only "vfio_cdx:" ones and rank like PCI's. SYNTHETIC
// module lines (no Debian kernel builds CONFIG_CDX_BUS), shaped as file2alias.c do_cdx_entry
// writes them: the generic CDX_DRIVER_OVERRIDE_DEVICE_VFIO(CDX_ANY_ID, CDX_ANY_ID) entry (the very
// line depmod wrote for vfio_cdx on the custom-6.12-arm64 guest, where scenario 99 resolves it)
// and a variant for one vendor:device.
TEST(CdxBusTest, AVariantAliasRanksBeforeTheGenericVfioCdx) {
  TempRoot root;
  FakeSysfs sysfs(root);
  sysfs.other("cdx", "cdx-00:01").modalias("cdx:v10EEd8084sv0000sd0000c000000").driver("xlnx_fpga_fn").group(7);
  sysfs.write();
  ModuleTree tree(root, kRelease);
  tree.add_synthetic(SyntheticModule{"vfio_cdx", {"vfio_cdx:v*d*sv*sd*c*"}, "kernel/drivers/vfio/cdx/vfio-cdx.ko"});
  tree.add_synthetic(SyntheticModule{"xlnx_vfio_cdx", {"vfio_cdx:v10EEd8084sv*sd*c*"}, ""});
  Session session(sysfs.host(kRelease));
  Snapshot s = take_snapshot(session, {});
  ASSERT_EQ(s.devices.size(), 1u);
  const Resolution& r = *s.devices[0].resolution;
  EXPECT_EQ(r.key, "vfio_cdx:v10EEd8084sv0000sd0000c000000");
  ASSERT_EQ(r.candidates.size(), 2u);
  EXPECT_EQ(r.candidates[0].module, "xlnx_vfio_cdx");
  EXPECT_EQ(r.candidates[0].score, 2);
  EXPECT_EQ(r.candidates[1].module, "vfio_cdx");
}

// A CDX controller as drivers/cdx/cdx.c lays it out (cdx_bus_add, cdx_device_add) and as the real
// arm64 kernel showed it (scenario 99): the bus device cdx-00 under the controller's platform
// device, on the cdx bus itself with only enable and reset (and driver_override, which the driver
// core gives every device of the bus); the functions under it; the controller's node maps their
// requester IDs to the SMMU (iommu-map) below a non-empty dma-ranges.
class CdxControllerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sysfs.other("platform", "cdx-ctrl").of_compatible({"xlnx,versal-net-cdx"}).of_property("iommu-map")
        .of_property("dma-ranges").driver("cdx-controller");
    sysfs.other("cdx", "cdx-00").parent("platform/cdx-ctrl").attr("enable", "1");
    sysfs.other("cdx", "cdx-00:00").parent("cdx-00").modalias("cdx:v10EEdCD01sv10EEsd0000c000000")
        .attr("vendor", "0x10ee").driver("xlnx_fpga_fn").group(5);
    sysfs.write();
    tree.add_synthetic(SyntheticModule{"vfio_cdx", {"vfio_cdx:v*d*sv*sd*c*"}, "kernel/drivers/vfio/cdx/vfio-cdx.ko"});
  }
  std::optional<Device> read(Session& session, const std::string& name) {
    return session.buses().find("cdx")->read(session.host(), name);
  }
  TempRoot root;
  FakeSysfs sysfs{root};
  ModuleTree tree{root, kRelease};
};

TEST_F(CdxControllerTest, TheBusDeviceIsNotAFunctionVfioCdxCouldTake) {
  Session session(sysfs.host(kRelease));
  auto bus = read(session, "cdx-00");
  ASSERT_TRUE(bus);
  EXPECT_THAT(bus->not_assignable.value_or(""), HasSubstr("CDX bus device, not a function"));
  auto fn = read(session, "cdx-00:00");
  ASSERT_TRUE(fn);
  EXPECT_EQ(fn->not_assignable, std::nullopt);
  Snapshot s = take_snapshot(session, {});
  ASSERT_EQ(s.devices.size(), 1u) << "status lists the function, not its bus";
  EXPECT_EQ(s.devices[0].device.name, "cdx-00:00");
}

TEST_F(CdxControllerTest, AFunctionsIommuAndMsiComeFromItsControllersNode) {
  Session session(sysfs.host(kRelease));
  auto fn = read(session, "cdx-00:00");
  ASSERT_TRUE(fn);
  EXPECT_TRUE(fn->of_iommus) << "the controller's iommu-map";
  EXPECT_FALSE(fn->of_msi_parent);
  const Bus& cdx = *session.buses().find("cdx");
  auto w = cdx.use_warning(session, *fn);
  ASSERT_TRUE(w);
  EXPECT_THAT(*w, AllOf(HasSubstr("its CDX controller's device-tree node has no msi-map"),
                        HasSubstr("will refuse to attach its group")));

  sysfs.other("platform", "cdx-ctrl").of_property("msi-map");
  sysfs.write();
  fn = read(session, "cdx-00:00");
  EXPECT_TRUE(fn->of_msi_parent);
  EXPECT_EQ(cdx.use_warning(session, *fn), std::nullopt) << "the controller's MSI domain sits on an ITS";
}

// cdx_dma_configure -> of_dma_configure_id (no force_dma) configures no IOMMU unless
// of_dma_get_range finds a non-empty dma-ranges: the controller's own, or past an absent or
// empty one its parent's; a second node without one ends the walk. The real kernel gave a
// controller with iommu-map and no dma-ranges no groups at all (scenario 99).
TEST_F(CdxControllerTest, IommuMapCountsOnlyBelowANonEmptyDmaRanges) {
  const std::string node = "/sys/firmware/devicetree/base/cdx-ctrl";
  const auto iommu = [&] {
    Session session(sysfs.host(kRelease));
    return read(session, "cdx-00:00")->of_iommus;
  };
  EXPECT_TRUE(iommu());
  sysfs.file(node + "/dma-ranges", "");
  EXPECT_FALSE(iommu()) << "empty: look at the parent, which has none";
  sysfs.file("/sys/firmware/devicetree/base/dma-ranges", std::string("\0\0\0\0", 4));
  EXPECT_TRUE(iommu()) << "the parent's non-empty one";
  std::filesystem::remove(root.at(node + "/dma-ranges"));
  EXPECT_TRUE(iommu()) << "absent on the controller, found on its parent";
  std::filesystem::remove(root.at("/sys/firmware/devicetree/base/dma-ranges"));
  EXPECT_FALSE(iommu()) << "none anywhere: iommu-map alone gives no group";
}

// Real module trees: Debian's arm64 kernel builds vfio-fsl-mc but not vfio-platform or
// vfio-amba; its s390x kernel builds neither vfio_ccw nor vfio_ap. The candidates say so.
TEST(OtherBusesFixtureTest, DebianArm64HasVfioFslMcButNoVfioPlatform) {
  TempRoot root;
  FakeSysfs sysfs(root);
  sysfs.other("fsl-mc", "dpni.0").modalias("fsl-mc:v00001957ddpni").driver("fsl_dpaa2_eth").group(4);
  sysfs.other("platform", "fff51000.ethernet").modalias("of:NethernetT(null)Camd,xgbe-seattle-v1a").group(3);
  const auto& kernel = vfioctl::testing::fixture_kernel("arm64-6.12.95+deb12-arm64");
  HostRoot host = sysfs.host(kernel.release);
  ModuleTree::from_fixture(root, kernel);
  Session session(HostRoot(root.path(), kernel.release));
  Snapshot s = take_snapshot(session, {});
  ASSERT_EQ(s.devices.size(), 2u);
  for (const auto& r : s.devices) {
    SCOPED_TRACE(r.device.id());
    ASSERT_EQ(r.resolution->candidates.size(), 1u);
    const Candidate& c = r.resolution->candidates[0];
    if (r.device.bus == "fsl-mc") {
      EXPECT_EQ(c.module, "vfio_fsl_mc");
      EXPECT_EQ(c.state, ModuleState::kAvailable);
      EXPECT_FALSE(c.excluded);
    } else {
      EXPECT_EQ(c.module, "vfio_platform");
      EXPECT_EQ(c.state, ModuleState::kNotFound);
      EXPECT_THAT(c.excluded.value_or(""), HasSubstr("a kernel built with CONFIG_VFIO_PLATFORM is needed"));
    }
  }
}

TEST(OtherBusesFixtureTest, DebianS390xBuildsNoVfioCcw) {
  TempRoot root;
  FakeSysfs sysfs(root);
  sysfs.other("css", "0.0.0000").modalias("css:t0").attr("type", "0").driver("io_subchannel");
  const auto& kernel = vfioctl::testing::fixture_kernel("s390x-6.12.95+deb12-s390x");
  HostRoot host = sysfs.host(kernel.release);
  ModuleTree::from_fixture(root, kernel);
  Session session(HostRoot(root.path(), kernel.release));
  Snapshot s = take_snapshot(session, {});
  ASSERT_EQ(s.devices.size(), 1u);
  const Candidate& c = s.devices[0].resolution->candidates.at(0);
  EXPECT_EQ(c.module, "vfio_ccw");
  EXPECT_EQ(c.state, ModuleState::kNotFound);
  EXPECT_THAT(c.excluded.value_or(""), HasSubstr("CONFIG_VFIO_CCW"));
  EXPECT_EQ(s.devices[0].best(), nullptr);
}

// vfio_iommu_type1 attaches a group only with isolated MSIs or allow_unsafe_interrupts; a DT
// device's MSI domain comes from msi-parent alone (msi_isolation.h; the real-kernel scenario 97
// shows the EPERM and the parameter's effect).
TEST_F(OtherBusesTest, ADtDeviceWithoutMsiParentIsWarnedThatType1WillRefuseItsGroup) {
  const auto warning = [&] {
    Session session(sysfs.host(kRelease));
    const Bus& platform = *session.buses().find("platform");
    return platform.use_warning(session, *platform.read(session.host(), "fff51000.ethernet"));
  };
  auto w = warning();
  ASSERT_TRUE(w);
  EXPECT_THAT(*w, AllOf(HasSubstr("no msi-parent"), HasSubstr("will refuse to attach its group"),
                        HasSubstr("allow_unsafe_interrupts=1")));

  testing::write_modprobe_conf(root, "vfio.conf", "options vfio_iommu_type1 allow_unsafe_interrupts=1\n");
  w = warning();
  ASSERT_TRUE(w);
  EXPECT_THAT(*w, AllOf(HasSubstr("only because allow_unsafe_interrupts=Y"),
                        HasSubstr("modprobe.d: options vfio_iommu_type1 allow_unsafe_interrupts=1")));

  sysfs.file("/sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts", "N");
  w = warning();
  ASSERT_TRUE(w);
  EXPECT_THAT(*w, HasSubstr("will refuse")) << "the loaded module's parameter wins over modprobe.d";

  sysfs.other("platform", "fff51000.ethernet").of_property("msi-parent");
  sysfs.write();
  EXPECT_EQ(warning(), std::nullopt) << "an MSI controller (an ITS) isolates it";
}

TEST_F(OtherBusesTest, AnAcpiDeviceGetsNoMsiGuessAndNoGroupAtProbe) {
  sysfs.other("platform", "VFCT0001:00").acpi_companion("VFCT0001").no_driver();
  sysfs.write();
  Session session(sysfs.host(kRelease));
  const Bus& platform = *session.buses().find("platform");
  auto d = platform.read(session.host(), "VFCT0001:00");
  ASSERT_TRUE(d);
  EXPECT_EQ(platform.use_warning(session, *d), std::nullopt) << "IORT is not in sysfs";
  EXPECT_FALSE(d->of_iommus);
  auto eth = platform.read(session.host(), "fff51000.ethernet");
  EXPECT_FALSE(eth->of_iommus);
  sysfs.other("platform", "fff51000.ethernet").of_property("iommus");
  sysfs.write();
  EXPECT_TRUE(platform.read(session.host(), "fff51000.ethernet")->of_iommus);
}

}  // namespace
}  // namespace vfioctl
