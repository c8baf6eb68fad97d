// SPDX-License-Identifier: LGPL-2.1-or-later
// The account's robots from the rriot API's home data reply (protocol
// reference §10): what the login tool writes into the credentials file.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "error.h"

namespace roborock {

struct HomeDevice {
  std::string duid;
  std::string name;
  std::string local_key; // secret
  std::string model;     // the product's model, e.g. "roborock.vacuum.a27"; empty if unknown
  bool shared = false;   // from receivedDevices: another account's robot shared with this one
};

// The devices of `{"success":true,"result":{"devices":[..],"receivedDevices":[..],
// "products":[..]}}`, owned ones first. A device without duid or local key is
// left out (nothing could stream it); a reply that is not a successful home
// data reply is an error.
Result<std::vector<HomeDevice>> parse_home_data(std::string_view reply);

} // namespace roborock
