// SPDX-License-Identifier: GPL-2.0
/*
 * TEST ONLY: vfioctl_test_vf_vfio_pci, a vfio-pci variant that refuses anything but an SR-IOV
 * virtual function, as pds_vfio_pci does. Its driver name is its module name (KBUILD_MODNAME).
 * Matches QEMU's NVMe controller (1b36:0010); its VFs carry the same ID, so the alias matches PF,
 * VF and plain controller alike and only probe() tells them apart.
 */
#include <linux/pci.h>

#define VTV_DRIVER_NAME KBUILD_MODNAME

static bool vtv_accepts(struct pci_dev *pdev)
{
	if (pdev->is_virtfn)
		return true;
	pci_info(pdev, "%s: not an SR-IOV VF, refused (this test driver takes VFs only)\n", KBUILD_MODNAME);
	return false;
}

static const struct pci_device_id vtv_ids[] = {
	{ PCI_DRIVER_OVERRIDE_DEVICE_VFIO(0x1b36, 0x0010) },
	{}
};
MODULE_DEVICE_TABLE(pci, vtv_ids);
MODULE_DESCRIPTION("TEST ONLY vfio-pci variant that binds SR-IOV VFs only, for vfioctl's VM tests");

#include "vfioctl_test_variant.h"
