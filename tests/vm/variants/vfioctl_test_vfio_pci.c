// SPDX-License-Identifier: GPL-2.0
/*
 * TEST ONLY: vfioctl_test_vfio_pci, a vfio-pci variant whose PCI driver name differs from its
 * module name (module vfioctl_test_vfio_pci, driver "vfioctl-test-vfio-pci"), as the xe and
 * vfio-pci modules do. driver_override must carry the driver name, so a tool that writes the
 * module name binds nothing. Matches the e1000e NIC QEMU emulates (82574L, 8086:10d3).
 */
#include <linux/pci.h>

#define VTV_DRIVER_NAME "vfioctl-test-vfio-pci"

static bool vtv_accepts(struct pci_dev *pdev)
{
	return true;
}

static const struct pci_device_id vtv_ids[] = {
	/* Override-only: depmod lists it as "vfio_pci:v00008086d000010D3..." and it never auto-binds. */
	{ PCI_DRIVER_OVERRIDE_DEVICE_VFIO(0x8086, 0x10d3) },
	{}
};
MODULE_DEVICE_TABLE(pci, vtv_ids);
MODULE_DESCRIPTION("TEST ONLY vfio-pci variant (driver name differs from module name) for vfioctl's VM tests");

#include "vfioctl_test_variant.h"
