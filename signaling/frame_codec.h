// SPDX-License-Identifier: LGPL-2.1-or-later
// The V1 ("1.0") frame: the encrypted envelope of every MQTT message (protocol
// reference §3).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "error.h"

namespace roborock {

// Protocol numbers carried in the frame header.
enum FrameProtocol : uint16_t {
  kProtocolRpcRequest = 101,
  kProtocolRpcResponse = 102,
  kProtocolMapData = 301,
};

constexpr size_t kFrameHeaderSize = 19;
constexpr size_t kFrameCrcSize = 4;

struct Frame {
  uint32_t seq = 0;
  uint32_t random = 0;
  uint32_t timestamp = 0;
  uint16_t protocol = 0;
  std::string payload; // plaintext; empty means "no payload" (N = 0, no CRC)
};

// The scrambled hex form of a timestamp that goes into the key derivation:
// 8 lowercase hex digits reordered by [5,6,3,7,1,2,0,4].
std::string encode_timestamp(uint32_t timestamp);

// Encrypts and frames. Fails only when the ciphertext would not fit the 16-bit
// length field.
Result<std::vector<uint8_t>> encode_frame(const Frame &frame, std::string_view local_key);

// Validates and decrypts. Any input gives either a Frame or a typed error; it
// never reads outside [data, data + size).
Result<Frame> decode_frame(const uint8_t *data, size_t size, std::string_view local_key);

} // namespace roborock
