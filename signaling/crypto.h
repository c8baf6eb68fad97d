// SPDX-License-Identifier: LGPL-2.1-or-later
// The few cryptographic and checksum primitives the protocol needs (OpenSSL, zlib).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace roborock {

using Md5Digest = std::array<uint8_t, 16>;

Md5Digest md5(std::string_view data);
// Lowercase hex of the MD5 digest (32 characters).
std::string md5_hex(std::string_view data);

// AES-128-ECB with PKCS#7 padding. The key is exactly 16 bytes.
std::vector<uint8_t> aes128_ecb_encrypt(const Md5Digest &key, const uint8_t *data, size_t size);
// Empty optional when the input is not a whole number of blocks or the padding
// is invalid (which is what a wrong key looks like).
std::optional<std::vector<uint8_t>> aes128_ecb_decrypt(const Md5Digest &key, const uint8_t *data,
                                                       size_t size);

// zlib/IEEE CRC32.
uint32_t crc32_of(const uint8_t *data, size_t size);

// Standard base64 (RFC 4648 §4) with padding.
std::string base64_encode(std::string_view data);
// Strict decoding: only the standard alphabet, correct padding, no whitespace
// except an optional trailing newline. Empty optional on any violation.
std::optional<std::string> base64_decode(std::string_view text);

// HMAC-SHA256(key, data): the 32 raw bytes.
std::string hmac_sha256(std::string_view key, std::string_view data);
// Lowercase hex of HMAC-SHA256(key, data) (64 characters).
std::string hmac_sha256_hex(std::string_view key, std::string_view data);

// Lowercase hex of arbitrary bytes.
std::string to_hex(const uint8_t *data, size_t size);

} // namespace roborock
