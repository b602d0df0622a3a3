// Host-wide prerequisites of VFIO: an IOMMU, interrupt remapping, the no-IOMMU mode, the vfio
// modules, the device cdev / iommufd interfaces and the /dev/vfio nodes.
#pragma once

#include "doctor/finding.h"
#include "host/host_root.h"
#include "modules/kmod_session.h"
#include "modules/module_catalog.h"

namespace vfioctl {

Finding check_iommu(const HostRoot& host);
// allow_unsafe_interrupts as vfio_iommu_type1 has it loaded, else as modprobe.d will set it.
Finding check_interrupt_remapping(const HostRoot& host, const KmodSession& kmod);
Finding check_noiommu_mode(const HostRoot& host);
Finding check_vfio_modules(ModuleCatalog& modules);
Finding check_vfio_interfaces(const HostRoot& host, ModuleCatalog& modules);
Finding check_dev_vfio(const HostRoot& host);

}  // namespace vfioctl
