// SPDX-License-Identifier: LGPL-2.1-or-later
// roborock://<duid>?local-key=..&u=..&s=..&k=..&password=..&region=.. (or
// mqtt-url=, credentials-file=): the element's URI, parsed into property
// settings. No GStreamer here.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "error.h"

namespace roborock {

constexpr const char *kUriScheme = "roborock";

// (property name, value) pairs in the order given; the duid first.
using PropertyAssignments = std::vector<std::pair<std::string, std::string>>;

Result<PropertyAssignments> parse_roborock_uri(const std::string &uri);

} // namespace roborock
