// SPDX-License-Identifier: LGPL-2.1-or-later
// The Authorization header of the account's signed REST calls (the rriot API
// at r.a, e.g. the home data): a Hawk-style MAC keyed by rriot.h (protocol
// reference §10).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "credentials.h"

namespace roborock {

struct HawkRequest {
  std::string path;                         // path only: no host, no query
  std::map<std::string, std::string> query; // signed sorted by key
  std::string body;                         // the exact bytes sent, or empty
};

// The string the MAC covers: "u:s:nonce:ts:md5hex(path):P:B", where P is
// md5hex of the sorted "k=v&..." query and B md5hex of the body, each empty
// (not md5 of nothing) when absent.
std::string hawk_signed_string(const Rriot &rriot, const HawkRequest &request, int64_t timestamp,
                               std::string_view nonce);

// Hawk id="u",s="s",ts="ts",nonce="nonce",mac="base64(HMAC-SHA256(h, signed string))".
std::string hawk_authorization(const Rriot &rriot, const HawkRequest &request, int64_t timestamp,
                               std::string_view nonce);

} // namespace roborock
