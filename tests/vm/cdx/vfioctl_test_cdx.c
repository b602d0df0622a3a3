// SPDX-License-Identifier: GPL-2.0
/*
 * TEST ONLY: vfioctl_test_cdx stands in for the firmware behind AMD's CDX controller, for
 * vfioctl's arm64 VM suite. QEMU emulates no CDX hardware (Versal NET), whose controller driver
 * (drivers/cdx/controller) asks the firmware over RPMsg which devices exist. This module plays
 * only that part: it registers a cdx_controller with the kernel's own CDX bus (drivers/cdx/cdx.c)
 * and reports two devices on bus 0, each with one MMIO region that is a page of RAM holding
 * "VFIOCTL-CDX", its device number and how often the controller was asked to reset it.
 *
 * Everything vfioctl deals with is the kernel's: the bus and its devices "cdx-00:NN", the bus
 * device "cdx-00" beside them, driver_override and the override_only match (cdx_bus_match),
 * vfio-cdx with depmod's vfio_cdx: alias, and the IOMMU group that cdx_dma_configure makes at
 * probe from the controller node's "iommu-map" (machine-arm64.sh adds the node).
 *
 * A host driver for the two devices, "vfioctl-test-cdx-host", is registered too, so they start
 * bound as real devices are and a release has a driver to go back to. With host_driver=0 it is
 * not, and the devices start unprobed: then they have no IOMMU group until a driver probes them.
 */
#include <linux/cdx/cdx_bus.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mod_devicetable.h>
#include <linux/platform_device.h>

#include "cdx.h" /* struct cdx_dev_params, cdx_bus_add, cdx_device_add, cdx_register_controller */

#define VTC_VENDOR 0x10ee /* Xilinx, now AMD */
#define VTC_DEVICE 0xcd01 /* made up for the test */
#define VTC_DEVICES 2

/* The region's layout, read by tests/vm/client through VFIO. */
#define VTC_MAGIC "VFIOCTL-CDX"
#define VTC_OFF_DEVNUM 12
#define VTC_OFF_RESETS 16

static bool host_driver = true;
module_param(host_driver, bool, 0444);
MODULE_PARM_DESC(host_driver, "register the host driver that holds the devices (default Y)");

struct vtc {
	struct cdx_controller cdx;
	struct page *regions[VTC_DEVICES];
};

static void vtc_write_u32(struct page *page, size_t off, u32 value)
{
	u8 *base = page_address(page);

	memcpy(base + off, &value, sizeof(value)); /* host order; the guest and its client agree */
}

static u32 vtc_read_u32(struct page *page, size_t off)
{
	u32 value;

	memcpy(&value, (u8 *)page_address(page) + off, sizeof(value));
	return value;
}

static int vtc_dev_configure(struct cdx_controller *cdx, u8 bus_num, u8 dev_num,
			     struct cdx_device_config *config)
{
	struct vtc *vtc = cdx->priv;

	if (bus_num != 0 || dev_num >= VTC_DEVICES)
		return -ENODEV;
	switch (config->type) {
	case CDX_DEV_RESET_CONF: /* vfio-cdx resets on open and close (vfio_cdx_open_device) */
		vtc_write_u32(vtc->regions[dev_num], VTC_OFF_RESETS,
			      vtc_read_u32(vtc->regions[dev_num], VTC_OFF_RESETS) + 1);
		return 0;
	case CDX_DEV_BUS_MASTER_CONF:
		return 0;
	default:
		return -EOPNOTSUPP; /* no MSI: the controller has no msi_domain */
	}
}

static int vtc_scan(struct cdx_controller *cdx)
{
	struct vtc *vtc = cdx->priv;
	struct cdx_dev_params params;
	struct device *bus;
	int i, ret;

	bus = cdx_bus_add(cdx, 0);
	if (!bus)
		return -ENODEV;
	for (i = 0; i < VTC_DEVICES; i++) {
		memset(&params, 0, sizeof(params));
		params.cdx = cdx;
		params.parent = bus;
		params.vendor = VTC_VENDOR;
		params.device = VTC_DEVICE;
		params.subsys_vendor = VTC_VENDOR;
		params.subsys_device = i;
		params.bus_num = 0;
		params.dev_num = i;
		params.req_id = i; /* the input of the node's iommu-map: one stream, one group each */
		params.res[0].start = page_to_phys(vtc->regions[i]);
		params.res[0].end = params.res[0].start + PAGE_SIZE - 1;
		params.res[0].flags = IORESOURCE_MEM;
		params.res_count = 1;
		ret = cdx_device_add(&params);
		if (ret)
			dev_err(cdx->dev, "cdx device %d: %d\n", i, ret);
	}
	return 0;
}

static struct cdx_ops vtc_ops = {
	.scan = vtc_scan,
	.dev_configure = vtc_dev_configure,
};

static void vtc_free_regions(struct vtc *vtc)
{
	int i;

	for (i = 0; i < VTC_DEVICES; i++)
		if (vtc->regions[i])
			__free_page(vtc->regions[i]);
}

static int vtc_probe(struct platform_device *pdev)
{
	struct vtc *vtc;
	int i, ret;

	vtc = devm_kzalloc(&pdev->dev, sizeof(*vtc), GFP_KERNEL);
	if (!vtc)
		return -ENOMEM;
	for (i = 0; i < VTC_DEVICES; i++) {
		vtc->regions[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!vtc->regions[i]) {
			vtc_free_regions(vtc);
			return -ENOMEM;
		}
		memcpy(page_address(vtc->regions[i]), VTC_MAGIC, sizeof(VTC_MAGIC));
		vtc_write_u32(vtc->regions[i], VTC_OFF_DEVNUM, i);
	}
	vtc->cdx.dev = &pdev->dev;
	vtc->cdx.priv = vtc;
	vtc->cdx.ops = &vtc_ops;
	platform_set_drvdata(pdev, vtc);
	ret = cdx_register_controller(&vtc->cdx);
	if (ret)
		vtc_free_regions(vtc);
	return ret;
}

static void vtc_remove(struct platform_device *pdev)
{
	struct vtc *vtc = platform_get_drvdata(pdev);

	cdx_unregister_controller(&vtc->cdx);
	vtc_free_regions(vtc);
}

static const struct of_device_id vtc_of_ids[] = {
	{ .compatible = "vfioctl,test-cdx-controller" },
	{}
};
MODULE_DEVICE_TABLE(of, vtc_of_ids);

static struct platform_driver vtc_controller_driver = {
	.probe = vtc_probe,
	.remove = vtc_remove,
	.driver = {
		.name = "vfioctl-test-cdx-controller",
		.of_match_table = vtc_of_ids,
	},
};

/* The host driver: what a device's own driver would be; it only holds the device. */
static int vtc_host_probe(struct cdx_device *cdx_dev)
{
	dev_info(&cdx_dev->dev, "held by the test host driver\n");
	return 0;
}

static int vtc_host_remove(struct cdx_device *cdx_dev)
{
	return 0;
}

static const struct cdx_device_id vtc_host_ids[] = {
	{ CDX_DEVICE(VTC_VENDOR, VTC_DEVICE) },
	{}
};
MODULE_DEVICE_TABLE(cdx, vtc_host_ids);

static struct cdx_driver vtc_host_driver = {
	.probe = vtc_host_probe,
	.remove = vtc_host_remove,
	.match_id_table = vtc_host_ids,
	.driver = {
		.name = "vfioctl-test-cdx-host",
	},
};

static int __init vtc_init(void)
{
	int ret;

	/* The host driver first, so the devices bind to it as the controller adds them. */
	if (host_driver) {
		ret = cdx_driver_register(&vtc_host_driver);
		if (ret)
			return ret;
	}
	ret = platform_driver_register(&vtc_controller_driver);
	if (ret && host_driver)
		cdx_driver_unregister(&vtc_host_driver);
	return ret;
}

static void __exit vtc_exit(void)
{
	platform_driver_unregister(&vtc_controller_driver);
	if (host_driver)
		cdx_driver_unregister(&vtc_host_driver);
}

module_init(vtc_init);
module_exit(vtc_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("TEST ONLY stand-in CDX controller and host driver for vfioctl's VM tests");
MODULE_IMPORT_NS(CDX_BUS);
MODULE_IMPORT_NS(CDX_BUS_CONTROLLER);
