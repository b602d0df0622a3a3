/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TEST ONLY. The shared body of vfioctl's test variant drivers: a genuine vfio-pci variant built
 * on vfio_pci_core, so binding one gives a real /dev/vfio/<group> that a VFIO client can open.
 * Each module defines VTV_DRIVER_NAME, vtv_ids[] and vtv_accepts() and then includes this file
 * (one object per module; kbuild cannot link one shared object into two modules cleanly).
 *
 * GPL because vfio_pci_core exports its API with EXPORT_SYMBOL_GPL.
 */
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/version.h>
#include <linux/vfio_pci_core.h>

static int vtv_open_device(struct vfio_device *core_vdev)
{
	struct vfio_pci_core_device *vdev =
		container_of(core_vdev, struct vfio_pci_core_device, vdev);
	int ret;

	ret = vfio_pci_core_enable(vdev);
	if (ret)
		return ret;
	vfio_pci_core_finish_enable(vdev);
	return 0;
}

static const struct vfio_device_ops vtv_ops = {
	.name = VTV_DRIVER_NAME,
	.init = vfio_pci_core_init_dev,
	.release = vfio_pci_core_release_dev,
	.open_device = vtv_open_device,
	.close_device = vfio_pci_core_close_device,
	.ioctl = vfio_pci_core_ioctl,
	.device_feature = vfio_pci_core_ioctl_feature,
	.read = vfio_pci_core_read,
	.write = vfio_pci_core_write,
	.mmap = vfio_pci_core_mmap,
	.request = vfio_pci_core_request,
	.match = vfio_pci_core_match,
/*
 * The iommufd callbacks are absent from 6.1's include/linux/vfio.h and present in 6.12's: they came
 * with iommufd in v6.2, detach_ioas in v6.6. Without CONFIG_IOMMUFD (Debian's 6.12) the helpers
 * are NULL placeholders, which vfio accepts.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
	.bind_iommufd = vfio_iommufd_physical_bind,
	.unbind_iommufd = vfio_iommufd_physical_unbind,
	.attach_ioas = vfio_iommufd_physical_attach_ioas,
#endif
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
	.detach_ioas = vfio_iommufd_physical_detach_ioas,
#endif
};

static int vtv_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct vfio_pci_core_device *vdev;
	int ret;

	if (!vtv_accepts(pdev))
		return -EINVAL;

	vdev = vfio_alloc_device(vfio_pci_core_device, vdev, &pdev->dev, &vtv_ops);
	if (IS_ERR(vdev))
		return PTR_ERR(vdev);

	/* vfio_pci_core_register_device() insists on finding itself in drvdata. */
	dev_set_drvdata(&pdev->dev, vdev);
	ret = vfio_pci_core_register_device(vdev);
	if (ret) {
		vfio_put_device(&vdev->vdev);
		return ret;
	}
	return 0;
}

static void vtv_remove(struct pci_dev *pdev)
{
	struct vfio_pci_core_device *vdev = dev_get_drvdata(&pdev->dev);

	vfio_pci_core_unregister_device(vdev);
	vfio_put_device(&vdev->vdev);
}

static struct pci_driver vtv_driver = {
	.name = VTV_DRIVER_NAME,
	.id_table = vtv_ids,
	.probe = vtv_probe,
	.remove = vtv_remove,
	.err_handler = &vfio_pci_core_err_handlers,
	/* vfio takes DMA ownership itself when a user opens the group (kernel v5.19+). */
	.driver_managed_dma = true,
};
module_pci_driver(vtv_driver);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("vfioctl test suite");
