// SPDX-License-Identifier: LGPL-2.1-or-later
#include "robot_listing.h"

#include <algorithm>
#include <string>

namespace roborock {

void print_robots(FILE *out, const std::vector<DeviceRecord> &devices) {
  if (devices.empty()) {
    std::fprintf(out, "No robots in this account.\n");
    return;
  }
  size_t name_width = 4, model_width = 5;
  for (const DeviceRecord &device : devices) {
    name_width = std::max(name_width, device.name.size());
    model_width = std::max(model_width, device.model.size());
  }
  int nw = int(name_width), mw = int(model_width);
  std::fprintf(out, "%-*s  %-*s  %-7s  %s\n", nw, "NAME", mw, "MODEL", "CAMERA", "DUID");
  for (const DeviceRecord &device : devices)
    std::fprintf(out, "%-*s  %-*s  %-7s  %s%s\n", nw, device.name.c_str(), mw,
                 device.model.empty() ? "?" : device.model.c_str(),
                 camera_support_name(device.camera), device.duid.c_str(),
                 device.shared ? "  (shared with you)" : "");
}

} // namespace roborock
