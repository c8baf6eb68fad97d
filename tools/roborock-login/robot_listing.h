// SPDX-License-Identifier: LGPL-2.1-or-later
// The robot table roborock-login prints: what a user needs to pick a robot
// (name, model, duid), never a key.
#pragma once

#include <cstdio>
#include <vector>

#include "home_data.h"

namespace roborock {

void print_robots(FILE *out, const std::vector<DeviceRecord> &devices);

} // namespace roborock
