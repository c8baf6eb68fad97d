// SPDX-License-Identifier: LGPL-2.1-or-later
#include "crypto.h"

#include <memory>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <zlib.h>

namespace roborock {
namespace {

struct CipherCtxDeleter {
  void operator()(EVP_CIPHER_CTX *ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxDeleter>;

constexpr size_t kAesBlock = 16;

} // namespace

Md5Digest md5(std::string_view data) {
  Md5Digest digest{};
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), digest.data(), &size, EVP_md5(), nullptr);
  return digest;
}

std::string md5_hex(std::string_view data) {
  Md5Digest digest = md5(data);
  return to_hex(digest.data(), digest.size());
}

std::vector<uint8_t> aes128_ecb_encrypt(const Md5Digest &key, const uint8_t *data, size_t size) {
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  std::vector<uint8_t> out(size + kAesBlock);
  int written = 0;
  int final_written = 0;
  EVP_EncryptInit_ex(ctx.get(), EVP_aes_128_ecb(), nullptr, key.data(), nullptr);
  EVP_EncryptUpdate(ctx.get(), out.data(), &written, data, static_cast<int>(size));
  EVP_EncryptFinal_ex(ctx.get(), out.data() + written, &final_written);
  out.resize(static_cast<size_t>(written + final_written));
  return out;
}

std::optional<std::vector<uint8_t>> aes128_ecb_decrypt(const Md5Digest &key, const uint8_t *data,
                                                       size_t size) {
  if (size == 0 || size % kAesBlock != 0)
    return std::nullopt;
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  std::vector<uint8_t> out(size + kAesBlock);
  int written = 0;
  int final_written = 0;
  if (EVP_DecryptInit_ex(ctx.get(), EVP_aes_128_ecb(), nullptr, key.data(), nullptr) != 1 ||
      EVP_DecryptUpdate(ctx.get(), out.data(), &written, data, static_cast<int>(size)) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), out.data() + written, &final_written) != 1) {
    // OpenSSL checks every PKCS#7 padding byte, and queues "bad decrypt" on
    // this thread. Left there, the queue makes the next SSL_read of the MQTT
    // connection (same thread) look like a TLS failure, and libmosquitto
    // drops the connection: one frame under another key would cut the link.
    ERR_clear_error();
    return std::nullopt;
  }
  out.resize(static_cast<size_t>(written + final_written));
  return out;
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  uint8_t digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), int(key.size()), reinterpret_cast<const uint8_t *>(data.data()),
       data.size(), digest, &size);
  return std::string(reinterpret_cast<const char *>(digest), size);
}

std::string hmac_sha256_hex(std::string_view key, std::string_view data) {
  std::string digest = hmac_sha256(key, data);
  return to_hex(reinterpret_cast<const uint8_t *>(digest.data()), digest.size());
}

uint32_t crc32_of(const uint8_t *data, size_t size) {
  uLong crc = crc32(0L, Z_NULL, 0);
  // zlib takes uInt lengths; frames are far below that, but stay correct anyway.
  while (size > 0) {
    uInt chunk = size > 0x40000000u ? 0x40000000u : static_cast<uInt>(size);
    crc = crc32(crc, data, chunk);
    data += chunk;
    size -= chunk;
  }
  return static_cast<uint32_t>(crc);
}

namespace {

constexpr char kBase64Alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '+')
    return 62;
  if (c == '/')
    return 63;
  return -1;
}

} // namespace

std::string base64_encode(std::string_view data) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    uint32_t v = (uint8_t(data[i]) << 16) | (uint8_t(data[i + 1]) << 8) | uint8_t(data[i + 2]);
    out += kBase64Alphabet[(v >> 18) & 63];
    out += kBase64Alphabet[(v >> 12) & 63];
    out += kBase64Alphabet[(v >> 6) & 63];
    out += kBase64Alphabet[v & 63];
  }
  size_t rest = data.size() - i;
  if (rest == 1) {
    uint32_t v = uint8_t(data[i]) << 16;
    out += kBase64Alphabet[(v >> 18) & 63];
    out += kBase64Alphabet[(v >> 12) & 63];
    out += "==";
  } else if (rest == 2) {
    uint32_t v = (uint8_t(data[i]) << 16) | (uint8_t(data[i + 1]) << 8);
    out += kBase64Alphabet[(v >> 18) & 63];
    out += kBase64Alphabet[(v >> 12) & 63];
    out += kBase64Alphabet[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

// Tolerant where real encoders differ: MIME line breaks (CR/LF) and other
// white space are skipped, and missing '=' padding is implied. Anything else
// outside the alphabet is rejected.
std::optional<std::string> base64_decode(std::string_view text) {
  std::string digits;
  digits.reserve(text.size());
  for (char c : text)
    if (c != '\r' && c != '\n' && c != ' ' && c != '\t')
      digits += c;
  if (digits.size() % 4 == 1)
    return std::nullopt; // one digit carries less than a byte
  if (digits.size() % 4 != 0)
    digits.append(4 - digits.size() % 4, '=');
  std::string out;
  out.reserve(digits.size() / 4 * 3);
  for (size_t i = 0; i < digits.size(); i += 4) {
    bool last = i + 4 == digits.size();
    int pad = 0;
    if (last && digits[i + 3] == '=')
      pad = digits[i + 2] == '=' ? 2 : 1;
    uint32_t v = 0;
    for (int j = 0; j < 4 - pad; j++) {
      int d = base64_value(digits[i + j]);
      if (d < 0)
        return std::nullopt;
      v |= uint32_t(d) << (18 - 6 * j);
    }
    // Non-canonical encodings (stray bits under the padding) are rejected too.
    if ((pad == 1 && (v & 0xff) != 0) || (pad == 2 && (v & 0xffff) != 0))
      return std::nullopt;
    out += char((v >> 16) & 0xff);
    if (pad < 2)
      out += char((v >> 8) & 0xff);
    if (pad < 1)
      out += char(v & 0xff);
  }
  return out;
}

std::string to_hex(const uint8_t *data, size_t size) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (size_t i = 0; i < size; i++) {
    out += digits[data[i] >> 4];
    out += digits[data[i] & 15];
  }
  return out;
}

} // namespace roborock
