// SPDX-License-Identifier: LGPL-2.1-or-later
// Camera command parameters (byte-identical to the golden vectors), result
// parsers for every shape of §5 and §8, and RPC id allocation.
#include "camera_commands.h"
#include "crypto.h"
#include "rpc.h"
#include "rpc_client.h"
#include "test_support.h"

using namespace roborock;

namespace {

using test::vector_payload;

std::string request(int64_t id, const char *method, const std::string &params, uint32_t t) {
  return build_request_payload(RpcRequest{id, method, params}, t);
}

void test_params_match_vectors() {
  // The vectors' pattern is "9876".
  ASSERT_STR_EQ(request(10001, command::kCheckPassword, check_password_params("9876"), 1700000000),
                vector_payload("request:check_homesec_password"));
  ASSERT_STR_EQ(request(10002, command::kStartPreview,
                        start_preview_params("a1b2c3d4", VideoQuality::HD, "9876"), 1700000977),
                vector_payload("request:start_camera_preview"));
  ASSERT_STR_EQ(request(10003, command::kGetTurnServer, kNoParams, 1700001954),
                vector_payload("request:get_turn_server"));
  ASSERT_STR_EQ(request(10005, command::kGetDeviceSdp, kNoParams, 1700003908),
                vector_payload("request:get_device_sdp"));
  ASSERT_STR_EQ(request(10006, command::kGetDeviceIce, kNoParams, 1700004885),
                vector_payload("request:get_device_ice"));
  ASSERT_STR_EQ(request(10007, command::kStartVoiceChat, kNoParams, 1700005862),
                vector_payload("request:start_voice_chat"));
  // The vectors carry the move as an object; real robots take it as a
  // one-element list of that object (go2rtc, python-miio, the HA integration).
  std::string move = vector_payload("request:app_rc_move");
  const std::string object = "{\\\"omega\\\":0.53,\\\"velocity\\\":0.2,\\\"seqnum\\\":7,"
                             "\\\"duration\\\":500}";
  size_t at = move.find(object);
  g_assert_true(at != std::string::npos);
  move.replace(at, object.size(), "[" + object + "]");
  ASSERT_STR_EQ(request(10008, command::kRcMove, rc_move_params(0.2, 0.53, 7, 500), 1700006839),
                move);
  // send_sdp_to_robot: the same envelope; app_sdp is base64 of the JSON
  // {"sdp","type"}, which the vectors' encoder spaces differently: ours must
  // decode to the same description, and the rest match byte for byte.
  std::string sdp = vector_payload("request:send_sdp_to_robot");
  const std::string app_sdp = "eyJzZHAiOiAidj0wIiwgInR5cGUiOiAib2ZmZXIifQ==";
  at = sdp.find(app_sdp);
  g_assert_true(at != std::string::npos);
  auto theirs = decode_sdp_payload(app_sdp);
  g_assert_true(theirs.ok());
  ASSERT_STR_EQ(theirs->type, "offer");
  ASSERT_STR_EQ(theirs->sdp, "v=0");
  std::string ours = encode_sdp_payload(SessionDescription{"offer", "v=0"});
  auto decoded = decode_sdp_payload(ours);
  g_assert_true(decoded.ok() && decoded->type == "offer" && decoded->sdp == "v=0");
  sdp.replace(at, app_sdp.size(), ours);
  ASSERT_STR_EQ(request(10004, command::kSendSdp,
                        send_sdp_params(SessionDescription{"offer", "v=0"}), 1700002931),
                sdp);
  // The vectors stop with []; robots end only the named viewer's session.
  std::string stop = vector_payload("request:stop_camera_preview");
  at = stop.find("[]");
  stop.replace(at, 2, "{\\\"client_id\\\":\\\"a1b2c3d4\\\"}");
  ASSERT_STR_EQ(request(10009, command::kStopPreview, stop_preview_params("a1b2c3d4"), 1700007816),
                stop);
}

void test_voice_chat_and_results() {
  ASSERT_STR_EQ(voice_chat_params(true, false), "{\"record\":true,\"play\":false}");
  ASSERT_STR_EQ(voice_volume_params(80), "{\"volume\":80}");
  for (const char *ok : {"[\"ok\"]", "\"ok\"", "{\"result\":\"ok\"}"})
    g_assert_true(is_ok_result(parse_json(ok, "t")->get()));
  for (const char *not_ok : {"[\"fail\"]", "\"retry\"", "[]", "[\"ok\",\"ok\"]", "{}", "0", "null"})
    if (is_ok_result(parse_json(not_ok, "t")->get()))
      g_error("%s taken for ok", not_ok);
  g_assert_false(is_ok_result(nullptr));
  // No pattern: an empty password, not the md5 of nothing.
  ASSERT_STR_EQ(start_preview_params("c", VideoQuality::SD, ""),
                "{\"client_id\":\"c\",\"quality\":\"SD\",\"password\":\"\"}");
}

void test_offer_and_candidate_params() {
  SessionDescription offer{"offer", "v=0\r\n"};
  auto params = parse_json(send_sdp_params(offer), "params");
  g_assert_true(params.ok());
  auto decoded = decode_sdp_payload(
      json_object_get_string_member(json_node_get_object(params->get()), "app_sdp"));
  g_assert_true(decoded.ok());
  ASSERT_STR_EQ(decoded->sdp, "v=0\r\n");
  ASSERT_STR_EQ(decoded->type, "offer");

  IceCandidate candidate{"candidate:1 1 UDP 5 10.0.0.1 9 typ host", "0", 0};
  auto ice_params = parse_json(send_ice_params(candidate), "params");
  auto ice = decode_ice_payload(
      json_object_get_string_member(json_node_get_object(ice_params->get()), "app_ice"));
  g_assert_true(ice.ok());
  g_assert_true(*ice == candidate);
  ASSERT_STR_EQ(switch_quality_params(VideoQuality::SD), "{\"quality\":\"SD\"}");
  ASSERT_STR_EQ(stop_preview_params("x"), "{\"client_id\":\"x\"}");
}

JsonNodePtr json(const char *text) {
  auto node = parse_json(text, "test");
  g_assert_true(node.ok());
  return node.value();
}

void test_turn_server() {
  auto turn =
      parse_turn_server(json("{\"url\":\"turn:1.2.3.4:3478\",\"user\":\"u\",\"pwd\":\"p\"}").get());
  g_assert_true(turn.ok());
  ASSERT_STR_EQ(turn->url, "turn:1.2.3.4:3478");
  ASSERT_STR_EQ(turn->password, "p");
  g_assert_true(
      parse_turn_server(json("[{\"url\":\"turn:h:1\",\"user\":\"u\",\"pwd\":\"p\"}]").get()).ok());
  g_assert_false(parse_turn_server(json("{\"url\":\"turn:h:1\"}").get()).ok());
  g_assert_false(parse_turn_server(json("[\"ok\"]").get()).ok());
  g_assert_false(parse_turn_server(nullptr).ok());
  auto other_names = parse_turn_server(
      json("{\"url\":\"turn:h:1\",\"username\":\"u\",\"credential\":\"c\"}").get());
  g_assert_true(other_names.ok());
  ASSERT_STR_EQ(other_names->password, "c");
  // Not yet: ask again.
  for (const char *retry :
       {"\"retry\"", "[\"retry\"]", "{\"url\":\"retry\",\"user\":\"\",\"pwd\":\"\"}",
        "{\"url\":\"\",\"user\":\"\",\"pwd\":\"\"}", "{\"url\":\"retry\"}"}) {
    auto not_yet = parse_turn_server(json(retry).get());
    if (!not_yet.ok() || !not_yet->retry)
      g_error("%s is not taken as retry", retry);
  }
  g_assert_false(turn->retry);
}

void test_turn_uri() {
  auto uri = turn_uri_with_credentials({"turn:10.0.0.1:3478", "1700000000:user", "p@ss/w:rd"});
  g_assert_true(uri.ok());
  ASSERT_STR_EQ(*uri, "turn://1700000000%3Auser:p%40ss%2Fw%3Ard@10.0.0.1:3478");
  ASSERT_STR_EQ(*turn_uri_with_credentials({"turns:h:5349?transport=tcp", "u", "p"}),
                "turns://u:p@h:5349?transport=tcp");
  g_assert_false(turn_uri_with_credentials({"stun:h:3478", "u", "p"}).ok());
  g_assert_false(turn_uri_with_credentials({"turn:", "u", "p"}).ok());
}

void test_connect_status() {
  auto none = parse_connect_status(json("{\"status\":0,\"client_id\":\"none\"}").get());
  g_assert_true(none.ok());
  g_assert_false(none->held_by_someone());
  auto held = parse_connect_status(json("{\"status\":1,\"client_id\":\"phone-app\"}").get());
  g_assert_true(held->held_by_someone());
  ASSERT_STR_EQ(held->client_id, "phone-app");
  g_assert_false(parse_connect_status(json("{\"status\":1}").get())->held_by_someone());
  g_assert_false(parse_connect_status(json("\"ok\"").get()).ok());
}

void test_device_sdp() {
  auto retry = parse_device_sdp(json("{\"dev_sdp\":\"retry\"}").get());
  g_assert_true(retry.ok());
  g_assert_true(retry->retry);
  std::string answer = "{\"dev_sdp\":\"" + encode_sdp_payload({"answer", "v=0\r\n"}) + "\"}";
  auto ready = parse_device_sdp(json(answer.c_str()).get());
  g_assert_true(ready.ok());
  g_assert_false(ready->retry);
  ASSERT_STR_EQ(ready->answer.type, "answer");
  auto bad = parse_device_sdp(json("{\"dev_sdp\":\"***\"}").get());
  g_assert_false(bad.ok());
  g_assert_true(bad.error().code == ErrorCode::BadBase64);
  g_assert_false(parse_device_sdp(json("{\"dev_sdp\":5}").get()).ok());
  g_assert_false(parse_device_sdp(json("{}").get()).ok());
}

void test_device_ice() {
  auto retry = parse_device_ice(json("{\"dev_ice\":\"retry\"}").get());
  g_assert_true(retry->retry);
  std::string good = encode_ice_payload({"candidate:1 1 UDP 5 10.0.0.1 9 typ host", "0", 0});
  std::string list = "{\"dev_ice\":[\"" + good + "\",\"%%%\",7,\"" + good + "\"]}";
  auto ice = parse_device_ice(json(list.c_str()).get());
  g_assert_true(ice.ok());
  g_assert_false(ice->retry);
  g_assert_cmpuint(ice->candidates.size(), ==, 2); // duplicates are the session's business
  g_assert_cmpuint(ice->undecodable, ==, 2);
  g_assert_false(parse_device_ice(json("{\"dev_ice\":{}}").get()).ok());
  // The vector's candidate list (Python spacing, no sdpMid).
  auto message = parse_rpc_message(vector_payload("response:3"));
  auto from_vector = parse_device_ice(message->reply->result.get());
  g_assert_true(from_vector.ok());
  g_assert_cmpuint(from_vector->candidates.size(), ==, 1);
  g_assert_cmpint(from_vector->candidates[0].sdp_mline_index, ==, 0);
}

void test_id_allocator() {
  RpcIdAllocator ids(32766);
  g_assert_cmpint(ids.next([](int64_t) { return false; }), ==, 32766);
  g_assert_cmpint(ids.next([](int64_t) { return false; }), ==, 32767);
  g_assert_cmpint(ids.next([](int64_t) { return false; }), ==, 10000); // wraps
  g_assert_cmpint(ids.next([](int64_t id) { return id == 10001 || id == 10002; }), ==, 10003);
  g_assert_cmpint(ids.next([](int64_t) { return true; }), ==, -1);
  RpcIdAllocator out_of_range(5);
  g_assert_cmpint(out_of_range.next([](int64_t) { return false; }), ==, 10000);
}

} // namespace

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, nullptr);
  g_test_add_func("/commands/params-match-vectors", test_params_match_vectors);
  g_test_add_func("/commands/offer-and-candidate", test_offer_and_candidate_params);
  g_test_add_func("/commands/voice-chat-and-results", test_voice_chat_and_results);
  g_test_add_func("/commands/turn-server", test_turn_server);
  g_test_add_func("/commands/turn-uri", test_turn_uri);
  g_test_add_func("/commands/connect-status", test_connect_status);
  g_test_add_func("/commands/device-sdp", test_device_sdp);
  g_test_add_func("/commands/device-ice", test_device_ice);
  g_test_add_func("/commands/id-allocator", test_id_allocator);
  return g_test_run();
}
