#include "support/workstation_host.h"

#include "support/module_tree.h"

namespace vfioctl::testing {

void build_workstation(FakeSysfs& sysfs) {
  sysfs.pci("0000:00:00.0").ids(0x8086, 0x3e30, 0x1462, 0x7b17).cls(0x060000).group(0);
  sysfs.pci("0000:00:01.0").ids(0x8086, 0x1901).bridge().driver("pcieport").group(1);
  sysfs.pci("0000:01:00.0")
      .behind("0000:00:01.0")
      .ids(0x10de, 0x2204, 0x1462, 0x3881)
      .cls(0x030000)
      .revision(0xa1)
      .vfio()
      .override_driver("vfio-pci")
      .group(1);
  sysfs.pci("0000:01:00.1")
      .behind("0000:00:01.0")
      .ids(0x10de, 0x1aef, 0x1462, 0x3881)
      .cls(0x040300)
      .driver("snd_hda_intel", "snd_hda_intel")
      .group(1);
  sysfs.pci("0000:00:1c.0").ids(0x8086, 0xa110).bridge().driver("pcieport").group(2);
  sysfs.pci("0000:02:00.0")
      .behind("0000:00:1c.0")
      .ids(0x15b3, 0x101d, 0x15b3, 0x0016)
      .cls(0x020000)
      .driver("mlx5_core", "mlx5_core")
      .sriov(8, 1)
      .group(3);
  sysfs.pci("0000:02:00.1").ids(0x15b3, 0x101e, 0x15b3, 0x0016).cls(0x020000).vf_of("0000:02:00.0").group(4);
  sysfs.pci("0000:03:00.0").ids(0x144d, 0xa808, 0x144d, 0xa801).cls(0x010802).driver("nvme", "nvme").group(5);
  sysfs.write();

  ModuleTree tree(sysfs.root(), kWorkstationRelease);
  tree.add_synthetic(generic_vfio_pci());
  tree.add_synthetic(SyntheticModule{"mlx5_vfio_pci", {kMlx5VariantAlias}, ""});
  // The host drivers' own modules, so that every module the tree mentions is installed.
  tree.add_synthetic(SyntheticModule{"nvme", {}, "kernel/drivers/nvme/host/nvme.ko"});
}

}  // namespace vfioctl::testing
