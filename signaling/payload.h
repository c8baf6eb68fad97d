// SPDX-License-Identifier: LGPL-2.1-or-later
// SDP and ICE payloads of the camera commands: base64 of a small JSON object,
// in both directions (protocol reference §5).
#pragma once

#include <string>
#include <string_view>

#include "error.h"

namespace roborock {

struct SessionDescription {
  std::string type; // "offer" or "answer"
  std::string sdp;
};

struct IceCandidate {
  std::string candidate; // always with the "candidate:" prefix once decoded
  std::string sdp_mid;   // may be empty
  int sdp_mline_index = 0;

  bool operator==(const IceCandidate &other) const {
    return candidate == other.candidate && sdp_mid == other.sdp_mid &&
           sdp_mline_index == other.sdp_mline_index;
  }
};

// base64({"sdp":..,"type":..})
std::string encode_sdp_payload(const SessionDescription &description);
Result<SessionDescription> decode_sdp_payload(std::string_view base64_text);

// base64({"candidate":..,"sdpMid":..,"sdpMLineIndex":..}); sdpMid is left out when empty.
std::string encode_ice_payload(const IceCandidate &candidate);
// Tolerates a missing "candidate:" prefix, a missing sdpMid and a missing or
// textual sdpMLineIndex.
Result<IceCandidate> decode_ice_payload(std::string_view base64_text);

} // namespace roborock
