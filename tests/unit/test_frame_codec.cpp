// SPDX-License-Identifier: LGPL-2.1-or-later
// V1 frame codec: golden vectors, and every kind of malformed input.
#include <random>

#include <openssl/err.h>

#include "crypto.h"
#include "frame_codec.h"
#include "test_support.h"

using namespace roborock;
using roborock::test::from_hex;

namespace {

struct Vector {
  std::string name, local_key, payload;
  uint32_t seq, random, timestamp;
  uint16_t protocol;
  std::vector<uint8_t> bytes;
};

std::vector<Vector> frame_vectors() {
  static JsonNodePtr root = test::load_vectors();
  std::vector<Vector> out;
  JsonArray *frames = test::vector_array(root, "frames");
  for (guint i = 0; i < json_array_get_length(frames); i++) {
    JsonObject *f = json_array_get_object_element(frames, i);
    out.push_back(Vector{
        json_object_get_string_member(f, "name"), json_object_get_string_member(f, "local_key"),
        json_object_get_string_member(f, "payload"), uint32_t(json_object_get_int_member(f, "seq")),
        uint32_t(json_object_get_int_member(f, "random")),
        uint32_t(json_object_get_int_member(f, "timestamp")),
        uint16_t(json_object_get_int_member(f, "protocol")),
        from_hex(json_object_get_string_member(f, "frame_hex"))});
  }
  g_assert_cmpuint(out.size(), >=, 10);
  return out;
}

void assert_error(const Result<Frame> &result, ErrorCode expected, const std::string &context) {
  if (result.ok())
    g_error("%s: decoded, expected %s", context.c_str(), error_code_name(expected));
  if (result.error().code != expected)
    g_error("%s: got %s (%s), expected %s", context.c_str(), error_code_name(result.error().code),
            result.error().message.c_str(), error_code_name(expected));
  g_assert_false(result.error().message.empty());
}

void put_crc(std::vector<uint8_t> &frame) {
  size_t body = frame.size() - kFrameCrcSize;
  uint32_t crc = crc32_of(frame.data(), body);
  for (int i = 0; i < 4; i++)
    frame[body + i] = uint8_t(crc >> (24 - 8 * i));
}

void test_timestamp_scrambling() {
  ASSERT_STR_EQ(encode_timestamp(0x12345678), "67482315");
  JsonNodePtr root = test::load_vectors();
  JsonObject *examples =
      json_object_get_object_member(json_node_get_object(root.get()), "encode_timestamp_examples");
  g_autoptr(GList) keys = json_object_get_members(examples);
  g_assert_nonnull(keys);
  for (GList *l = keys; l; l = l->next) {
    const char *key = static_cast<const char *>(l->data);
    uint32_t ts = uint32_t(g_ascii_strtoull(key, nullptr, 16));
    ASSERT_STR_EQ(encode_timestamp(ts), json_object_get_string_member(examples, key));
  }
  ASSERT_STR_EQ(encode_timestamp(0), "00000000");
  ASSERT_STR_EQ(encode_timestamp(0xffffffff), "ffffffff");
}

void test_vectors_decode() {
  for (const Vector &v : frame_vectors()) {
    auto frame = decode_frame(v.bytes.data(), v.bytes.size(), v.local_key);
    if (!frame)
      g_error("%s: %s", v.name.c_str(), frame.error().message.c_str());
    ASSERT_STR_EQ(frame->payload, v.payload);
    g_assert_cmpuint(frame->seq, ==, v.seq);
    g_assert_cmpuint(frame->random, ==, v.random);
    g_assert_cmpuint(frame->timestamp, ==, v.timestamp);
    g_assert_cmpuint(frame->protocol, ==, v.protocol);
  }
}

void test_vectors_encode() {
  for (const Vector &v : frame_vectors()) {
    Frame frame{v.seq, v.random, v.timestamp, v.protocol, v.payload};
    auto bytes = encode_frame(frame, v.local_key);
    g_assert_true(bytes.ok());
    if (*bytes != v.bytes)
      g_error("%s: re-encoded frame differs from the vector", v.name.c_str());
  }
}

void test_empty_payload() {
  Frame frame{1, 2, 3, kProtocolRpcRequest, ""};
  auto bytes = encode_frame(frame, "key123key123key1");
  g_assert_true(bytes.ok());
  g_assert_cmpuint(bytes->size(), ==, kFrameHeaderSize);
  auto decoded = decode_frame(bytes->data(), bytes->size(), "key123key123key1");
  g_assert_true(decoded.ok());
  g_assert_true(decoded->payload.empty());
  g_assert_cmpuint(decoded->protocol, ==, kProtocolRpcRequest);
  // Bytes after the declared (empty) payload are ignored.
  bytes->push_back(0);
  decoded = decode_frame(bytes->data(), bytes->size(), "k");
  g_assert_true(decoded.ok());
  g_assert_true(decoded->payload.empty());
}

void test_too_large() {
  Frame frame{1, 2, 3, kProtocolRpcRequest, std::string(70000, 'x')};
  auto bytes = encode_frame(frame, "key123key123key1");
  g_assert_false(bytes.ok());
  g_assert_true(bytes.error().code == ErrorCode::FrameTooLarge);
  frame.payload.resize(65519); // pads to 65520: the largest payload that fits
  g_assert_true(encode_frame(frame, "key123key123key1").ok());
}

void test_every_truncation() {
  for (const Vector &v : frame_vectors()) {
    for (size_t len = 0; len < v.bytes.size(); len++) {
      auto result = decode_frame(v.bytes.data(), len, v.local_key);
      ErrorCode expected =
          len < kFrameHeaderSize ? ErrorCode::FrameTooShort : ErrorCode::FrameLengthMismatch;
      assert_error(result, expected, v.name + " truncated to " + std::to_string(len));
    }
  }
}

// Some encoders pad their MQTT payloads: bytes after the declared payload and
// its CRC are ignored, and the frame decodes to the same plaintext.
void test_trailing_bytes() {
  for (const Vector &v : frame_vectors()) {
    for (size_t extra : {1, 4, 17}) {
      std::vector<uint8_t> longer = v.bytes;
      longer.insert(longer.end(), extra, 0xa5);
      auto decoded = decode_frame(longer.data(), longer.size(), v.local_key);
      if (!decoded.ok())
        g_error("%s + %zu bytes: %s", v.name.c_str(), extra, decoded.error().message.c_str());
      g_assert_cmpstr(decoded->payload.c_str(), ==, v.payload.c_str());
    }
  }
}

void test_header_fields_corrupted() {
  const Vector v = frame_vectors().front();
  struct Field {
    const char *name;
    size_t offset;
    ErrorCode expected;
  } fields[] = {
      {"version", 0, ErrorCode::FrameBadVersion},
      {"version", 2, ErrorCode::FrameBadVersion},
      {"seq", 3, ErrorCode::FrameCrcMismatch},
      {"random", 7, ErrorCode::FrameCrcMismatch},
      {"timestamp", 11, ErrorCode::FrameCrcMismatch},
      {"protocol", 16, ErrorCode::FrameCrcMismatch},
      {"length", 17, ErrorCode::FrameLengthMismatch},
      {"length", 18, ErrorCode::FrameLengthMismatch},
  };
  for (const Field &field : fields) {
    std::vector<uint8_t> bad = v.bytes;
    bad[field.offset] ^= 0x5a;
    assert_error(decode_frame(bad.data(), bad.size(), v.local_key), field.expected,
                 std::string("corrupted ") + field.name);
  }
}

void test_header_corrupted_with_valid_crc() {
  const Vector v = frame_vectors().front();
  // The timestamp feeds the key: a changed timestamp means a wrong key.
  std::vector<uint8_t> bad = v.bytes;
  bad[14] ^= 0x01;
  put_crc(bad);
  assert_error(decode_frame(bad.data(), bad.size(), v.local_key), ErrorCode::FrameDecryptFailed,
               "timestamp changed, CRC fixed");
  // seq is not authenticated by anything but the CRC: it decodes with the new seq.
  bad = v.bytes;
  bad[6] ^= 0x01;
  put_crc(bad);
  auto frame = decode_frame(bad.data(), bad.size(), v.local_key);
  g_assert_true(frame.ok());
  g_assert_cmpuint(frame->seq, ==, v.seq ^ 1);
  ASSERT_STR_EQ(frame->payload, v.payload);
}

void test_flipped_crc() {
  for (const Vector &v : frame_vectors()) {
    for (size_t i = v.bytes.size() - kFrameCrcSize; i < v.bytes.size(); i++) {
      std::vector<uint8_t> bad = v.bytes;
      bad[i] ^= 0x80;
      assert_error(decode_frame(bad.data(), bad.size(), v.local_key), ErrorCode::FrameCrcMismatch,
                   v.name + " crc byte " + std::to_string(i));
    }
  }
}

void test_payload_corrupted_with_valid_crc() {
  for (const Vector &v : frame_vectors()) {
    // The last ciphertext block holds the padding.
    std::vector<uint8_t> bad = v.bytes;
    bad[bad.size() - kFrameCrcSize - 1] ^= 0xff;
    put_crc(bad);
    assert_error(decode_frame(bad.data(), bad.size(), v.local_key), ErrorCode::FrameDecryptFailed,
                 v.name + " last block corrupted");
  }
}

void test_not_block_aligned() {
  // A consistent frame whose payload is not a whole number of AES blocks.
  std::vector<uint8_t> bad = frame_vectors().front().bytes;
  size_t n = bad.size() - kFrameHeaderSize - kFrameCrcSize;
  bad.erase(bad.begin() + kFrameHeaderSize + n - 1); // drop one ciphertext byte
  bad[17] = uint8_t((n - 1) >> 8);
  bad[18] = uint8_t(n - 1);
  put_crc(bad);
  assert_error(decode_frame(bad.data(), bad.size(), "key123key123key1"),
               ErrorCode::FrameDecryptFailed, "15-byte tail");
}

void test_wrong_key() {
  for (const Vector &v : frame_vectors()) {
    for (const char *key : {"key123key123key2", "", "0000000000000000"}) {
      assert_error(decode_frame(v.bytes.data(), v.bytes.size(), key), ErrorCode::FrameDecryptFailed,
                   v.name + " with key '" + key + "'");
      // Nothing left queued for the TLS connection on this thread to trip on.
      g_assert_cmpuint(ERR_peek_error(), ==, 0);
    }
  }
}

void test_random_garbage() {
  std::mt19937 rng(20261124);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<size_t> length(0, 600);
  for (int i = 0; i < 20000; i++) {
    std::vector<uint8_t> garbage(length(rng));
    for (uint8_t &b : garbage)
      b = uint8_t(byte(rng));
    if (i % 2 == 0 && garbage.size() >= 3) {
      garbage[0] = '1';
      garbage[1] = '.';
      garbage[2] = '0';
    }
    auto result = decode_frame(garbage.data(), garbage.size(), "key123key123key1");
    g_assert_false(result.ok()); // a CRC match by chance is 2^-32
  }
  // Garbage bodies behind a consistent header and CRC: errors, or bounded output.
  for (int i = 0; i < 5000; i++) {
    size_t n = 16 * (1 + length(rng) % 20);
    std::vector<uint8_t> frame = {'1', '.', '0'};
    frame.resize(kFrameHeaderSize + n + kFrameCrcSize);
    for (size_t j = 3; j < kFrameHeaderSize + n; j++)
      frame[j] = uint8_t(byte(rng));
    frame[17] = uint8_t(n >> 8);
    frame[18] = uint8_t(n);
    put_crc(frame);
    auto result = decode_frame(frame.data(), frame.size(), "key123key123key1");
    if (result.ok())
      g_assert_cmpuint(result->payload.size(), <, n);
    else
      g_assert_true(result.error().code == ErrorCode::FrameDecryptFailed);
  }
}

void test_round_trip_random_payloads() {
  std::mt19937 rng(7);
  for (int i = 0; i < 500; i++) {
    std::string payload(size_t(rng() % 3000), '\0');
    for (char &c : payload)
      c = char(rng());
    Frame frame{uint32_t(rng()), uint32_t(rng()), uint32_t(rng()), uint16_t(rng()), payload};
    auto bytes = encode_frame(frame, "abcdefghijklmnop");
    g_assert_true(bytes.ok());
    auto decoded = decode_frame(bytes->data(), bytes->size(), "abcdefghijklmnop");
    g_assert_true(decoded.ok());
    g_assert_true(decoded->payload == payload);
    g_assert_cmpuint(decoded->seq, ==, frame.seq);
    g_assert_cmpuint(decoded->timestamp, ==, frame.timestamp);
  }
}

} // namespace

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, nullptr);
  g_test_add_func("/frame/timestamp-scrambling", test_timestamp_scrambling);
  g_test_add_func("/frame/vectors-decode", test_vectors_decode);
  g_test_add_func("/frame/vectors-encode", test_vectors_encode);
  g_test_add_func("/frame/empty-payload", test_empty_payload);
  g_test_add_func("/frame/too-large", test_too_large);
  g_test_add_func("/frame/malformed/every-truncation", test_every_truncation);
  g_test_add_func("/frame/malformed/trailing-bytes", test_trailing_bytes);
  g_test_add_func("/frame/malformed/header-fields", test_header_fields_corrupted);
  g_test_add_func("/frame/malformed/header-with-valid-crc", test_header_corrupted_with_valid_crc);
  g_test_add_func("/frame/malformed/flipped-crc", test_flipped_crc);
  g_test_add_func("/frame/malformed/payload-with-valid-crc", test_payload_corrupted_with_valid_crc);
  g_test_add_func("/frame/malformed/not-block-aligned", test_not_block_aligned);
  g_test_add_func("/frame/malformed/wrong-key", test_wrong_key);
  g_test_add_func("/frame/malformed/random-garbage", test_random_garbage);
  g_test_add_func("/frame/round-trip-random", test_round_trip_random_payloads);
  return g_test_run();
}
