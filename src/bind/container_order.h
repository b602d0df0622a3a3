// Devices that live in another device of the plan (an fsl-mc object in its DPRC container) go
// after it, in bind and in release: the container takes its objects along both ways (see
// src/buses/fsl_mc_bus.cc), so each object is then found where it should be and left alone,
// instead of being moved on its own while its container still belongs to the other side.
#pragma once

#include <algorithm>
#include <vector>

#include "bus/device.h"

namespace vfioctl {

// `device_of(item)` gives the Device of one planned item. Stable: the rest keeps its order.
template <typename Item, typename DeviceOf>
void order_containers_first(std::vector<Item>& items, DeviceOf device_of) {
  auto in_plan = [&](const Device& d) {
    return d.container && std::any_of(items.begin(), items.end(), [&](const Item& other) {
             const Device& o = device_of(other);
             return o.bus == d.bus && o.name == *d.container;
           });
  };
  std::vector<bool> follows;
  for (const auto& item : items) follows.push_back(in_plan(device_of(item)));
  std::vector<Item> ordered;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (!follows[i]) ordered.push_back(std::move(items[i]));
  }
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (follows[i]) ordered.push_back(std::move(items[i]));
  }
  items = std::move(ordered);
}

}  // namespace vfioctl
