// SPDX-License-Identifier: LGPL-2.1-or-later
#include "frame_codec.h"

#include <cstring>

#include "crypto.h"

namespace roborock {
namespace {

constexpr char kVersion[3] = {'1', '.', '0'};
// Appended to the key material by every V1 implementation.
constexpr std::string_view kKeySalt = "TXdfu$jyZ#TZHsg4";

void put_u16(std::vector<uint8_t> &out, uint16_t v) {
  out.push_back(uint8_t(v >> 8));
  out.push_back(uint8_t(v));
}

void put_u32(std::vector<uint8_t> &out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(uint8_t(v >> shift));
}

uint16_t get_u16(const uint8_t *p) {
  return uint16_t((p[0] << 8) | p[1]);
}

uint32_t get_u32(const uint8_t *p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}

Md5Digest frame_key(uint32_t timestamp, std::string_view local_key) {
  std::string material = encode_timestamp(timestamp);
  material.append(local_key);
  material.append(kKeySalt);
  return md5(material);
}

} // namespace

std::string encode_timestamp(uint32_t timestamp) {
  static const int order[8] = {5, 6, 3, 7, 1, 2, 0, 4};
  char hex[9];
  snprintf(hex, sizeof hex, "%08x", timestamp);
  std::string out(8, '0');
  for (int i = 0; i < 8; i++)
    out[i] = hex[order[i]];
  return out;
}

Result<std::vector<uint8_t>> encode_frame(const Frame &frame, std::string_view local_key) {
  std::vector<uint8_t> ciphertext;
  if (!frame.payload.empty())
    ciphertext = aes128_ecb_encrypt(frame_key(frame.timestamp, local_key),
                                    reinterpret_cast<const uint8_t *>(frame.payload.data()),
                                    frame.payload.size());
  if (ciphertext.size() > 0xffff)
    return make_error(ErrorCode::FrameTooLarge, "payload of " +
                                                    std::to_string(frame.payload.size()) +
                                                    " bytes does not fit a V1 frame");

  std::vector<uint8_t> out;
  out.reserve(kFrameHeaderSize + ciphertext.size() + kFrameCrcSize);
  out.insert(out.end(), kVersion, kVersion + 3);
  put_u32(out, frame.seq);
  put_u32(out, frame.random);
  put_u32(out, frame.timestamp);
  put_u16(out, frame.protocol);
  put_u16(out, uint16_t(ciphertext.size()));
  if (ciphertext.empty())
    return out; // an empty payload carries no CRC
  out.insert(out.end(), ciphertext.begin(), ciphertext.end());
  put_u32(out, crc32_of(out.data(), out.size()));
  return out;
}

Result<Frame> decode_frame(const uint8_t *data, size_t size, std::string_view local_key) {
  if (size < sizeof kVersion)
    return make_error(ErrorCode::FrameTooShort,
                      "frame of " + std::to_string(size) + " bytes is too short");
  if (memcmp(data, kVersion, sizeof kVersion) != 0)
    return make_error(ErrorCode::FrameBadVersion, "frame version is not \"1.0\"");
  if (size < kFrameHeaderSize)
    return make_error(ErrorCode::FrameTooShort,
                      "frame of " + std::to_string(size) + " bytes is shorter than its header");

  Frame frame;
  frame.seq = get_u32(data + 3);
  frame.random = get_u32(data + 7);
  frame.timestamp = get_u32(data + 11);
  frame.protocol = get_u16(data + 15);
  size_t payload_size = get_u16(data + 17);

  size_t expected =
      payload_size == 0 ? kFrameHeaderSize : kFrameHeaderSize + payload_size + kFrameCrcSize;
  // Bytes after the declared payload and its CRC are not ours to judge: some
  // encoders pad their MQTT payloads. Only a frame shorter than it says is bad.
  if (size < expected)
    return make_error(ErrorCode::FrameLengthMismatch, "frame is " + std::to_string(size) +
                                                          " bytes but its header says " +
                                                          std::to_string(expected));
  if (payload_size == 0)
    return frame;

  uint32_t crc = get_u32(data + kFrameHeaderSize + payload_size);
  if (crc != crc32_of(data, kFrameHeaderSize + payload_size))
    return make_error(ErrorCode::FrameCrcMismatch, "frame CRC32 does not match its contents");

  auto plaintext = aes128_ecb_decrypt(frame_key(frame.timestamp, local_key),
                                      data + kFrameHeaderSize, payload_size);
  if (!plaintext)
    return make_error(ErrorCode::FrameDecryptFailed,
                      "frame payload does not decrypt (wrong local key or corrupted payload)");
  frame.payload.assign(plaintext->begin(), plaintext->end());
  return frame;
}

} // namespace roborock
