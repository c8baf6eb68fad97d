// SPDX-License-Identifier: LGPL-2.1-or-later
// base64(JSON) payloads for SDP and ICE, and the base64 codec under them
// (tolerant of line breaks and missing padding, strict about the rest).
#include "crypto.h"
#include "payload.h"
#include "test_support.h"

using namespace roborock;

namespace {

void test_base64() {
  struct Case {
    const char *plain, *encoded;
  } cases[] = {{"", ""},
               {"f", "Zg=="},
               {"fo", "Zm8="},
               {"foo", "Zm9v"},
               {"foob", "Zm9vYg=="},
               {"fooba", "Zm9vYmE="},
               {"foobar", "Zm9vYmFy"}};
  for (const Case &c : cases) {
    ASSERT_STR_EQ(base64_encode(c.plain), c.encoded);
    auto decoded = base64_decode(c.encoded);
    g_assert_true(decoded.has_value());
    ASSERT_STR_EQ(decoded->c_str(), c.plain);
  }
  g_assert_true(base64_decode("Zm9v\n").has_value());
  // What real encoders send: MIME line breaks, no padding.
  struct Tolerated {
    const char *encoded, *plain;
  } tolerated[] = {{"Zg", "f"},
                   {"Zg=", "f"},
                   {"Zm8", "fo"},
                   {"Zm9vYg", "foob"},
                   {"Zm 9v", "foo"},
                   {"Zm9v\r\nYmFy", "foobar"},
                   {"Zm9vYmE\r\n", "fooba"},
                   {"\r\nZm\n9v\r\n", "foo"}};
  for (const Tolerated &t : tolerated) {
    auto decoded = base64_decode(t.encoded);
    if (!decoded)
      g_error("rejected tolerable base64 '%s'", t.encoded);
    ASSERT_STR_EQ(decoded->c_str(), t.plain);
  }
  std::string long_text(300, 'x');
  std::string mime = base64_encode(long_text);
  while (!mime.empty() && mime.back() == '=')
    mime.pop_back();
  for (size_t at = 76; at < mime.size(); at += 78)
    mime.insert(at, "\r\n");
  auto decoded_mime = base64_decode(mime);
  g_assert_true(decoded_mime.has_value());
  ASSERT_STR_EQ(decoded_mime->c_str(), long_text.c_str());
  for (const char *bad : {"Z", "Zm9vY", "Z===", "Zm9v!", "Zh==", "Zm9=", "====", "Zm9vYg=a", "=Zm9",
                          "Zg==Zg==", "Zm9v\x01"}) {
    if (base64_decode(bad).has_value())
      g_error("accepted bad base64 '%s'", bad);
  }
}

void test_sdp_round_trip() {
  SessionDescription offer{"offer", "v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=-\r\n"};
  std::string encoded = encode_sdp_payload(offer);
  auto decoded = decode_sdp_payload(encoded);
  g_assert_true(decoded.ok());
  ASSERT_STR_EQ(decoded->type, "offer");
  ASSERT_STR_EQ(decoded->sdp, offer.sdp);
  // The vector's payload shape ({"sdp": "v=0", "type": "offer"}, Python spacing).
  auto python = decode_sdp_payload("eyJzZHAiOiAidj0wIiwgInR5cGUiOiAib2ZmZXIifQ==");
  g_assert_true(python.ok());
  ASSERT_STR_EQ(python->sdp, "v=0");
  ASSERT_STR_EQ(python->type, "offer");
}

void test_ice_round_trip_and_tolerance() {
  IceCandidate candidate{"candidate:1 1 UDP 2122260223 10.0.0.2 54400 typ host", "0", 0};
  auto decoded = decode_ice_payload(encode_ice_payload(candidate));
  g_assert_true(decoded.ok());
  g_assert_true(*decoded == candidate);

  struct Case {
    const char *json;
    const char *candidate, *mid;
    int index;
  } cases[] = {
      {"{\"candidate\":\"1 1 UDP 1 10.0.0.2 9 typ host\",\"sdpMLineIndex\":0}",
       "candidate:1 1 UDP 1 10.0.0.2 9 typ host", "", 0},
      {"{\"candidate\":\"a=candidate:1 1 UDP 1 10.0.0.2 9 typ host\",\"sdpMid\":\"video\"}",
       "candidate:1 1 UDP 1 10.0.0.2 9 typ host", "video", 0},
      {"{\"candidate\":\"candidate:2 1 UDP 1 10.0.0.3 9 typ "
       "relay\",\"sdpMid\":\"1\",\"sdpMLineIndex\":\"1\"}",
       "candidate:2 1 UDP 1 10.0.0.3 9 typ relay", "1", 1},
      {"{\"candidate\":\"candidate:2 1 UDP 1 10.0.0.3 9 typ host\",\"sdpMLineIndex\":-4}",
       "candidate:2 1 UDP 1 10.0.0.3 9 typ host", "", 0},
  };
  for (const Case &c : cases) {
    auto ice = decode_ice_payload(base64_encode(c.json));
    if (!ice)
      g_error("%s: %s", c.json, ice.error().message.c_str());
    ASSERT_STR_EQ(ice->candidate, c.candidate);
    ASSERT_STR_EQ(ice->sdp_mid, c.mid);
    g_assert_cmpint(ice->sdp_mline_index, ==, c.index);
  }
}

void test_bad_payloads() {
  struct Case {
    std::string payload;
    ErrorCode code;
  } cases[] = {
      {"not base64!", ErrorCode::BadBase64},
      {"eyJ", ErrorCode::BadBase64},
      {base64_encode("not json"), ErrorCode::BadJson},
      {base64_encode("[1]"), ErrorCode::BadMessage},
      {base64_encode("{\"type\":\"answer\"}"), ErrorCode::BadMessage},
      {base64_encode("{\"sdp\":5}"), ErrorCode::BadMessage},
      {base64_encode("\xc3\x28"), ErrorCode::BadJson},
  };
  for (const Case &c : cases) {
    auto sdp = decode_sdp_payload(c.payload);
    g_assert_false(sdp.ok());
    if (sdp.error().code != c.code)
      g_error("sdp '%s': %s", c.payload.c_str(), error_code_name(sdp.error().code));
  }
  for (const std::string &bad :
       {std::string("%%%"), base64_encode("{}"), base64_encode("{\"candidate\":\"\"}"),
        base64_encode("{\"candidate\":7}")}) {
    auto ice = decode_ice_payload(bad);
    g_assert_false(ice.ok());
  }
}

} // namespace

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, nullptr);
  g_test_add_func("/payload/base64", test_base64);
  g_test_add_func("/payload/sdp", test_sdp_round_trip);
  g_test_add_func("/payload/ice", test_ice_round_trip_and_tolerance);
  g_test_add_func("/payload/bad", test_bad_payloads);
  return g_test_run();
}
