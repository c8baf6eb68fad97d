// SPDX-License-Identifier: LGPL-2.1-or-later
#include "hawk_auth.h"

#include "crypto.h"

namespace roborock {

namespace {

// md5hex of "k1=v1&k2=v2" in key order, or "" for no pairs.
std::string md5_of_pairs(const std::map<std::string, std::string> &pairs) {
  if (pairs.empty())
    return "";
  std::string joined;
  for (const auto &[key, value] : pairs) {
    if (!joined.empty())
      joined += '&';
    joined += key + "=" + value;
  }
  return md5_hex(joined);
}

} // namespace

std::string hawk_signed_string(const Rriot &rriot, const HawkRequest &request, int64_t timestamp,
                               std::string_view nonce) {
  std::string body_md5 = request.body.empty() ? "" : md5_hex(request.body);
  return rriot.u + ":" + rriot.s + ":" + std::string(nonce) + ":" + std::to_string(timestamp) +
         ":" + md5_hex(request.path) + ":" + md5_of_pairs(request.query) + ":" + body_md5;
}

std::string hawk_authorization(const Rriot &rriot, const HawkRequest &request, int64_t timestamp,
                               std::string_view nonce) {
  std::string mac =
      base64_encode(hmac_sha256(rriot.h, hawk_signed_string(rriot, request, timestamp, nonce)));
  return "Hawk id=\"" + rriot.u + "\",s=\"" + rriot.s + "\",ts=\"" + std::to_string(timestamp) +
         "\",nonce=\"" + std::string(nonce) + "\",mac=\"" + mac + "\"";
}

} // namespace roborock
