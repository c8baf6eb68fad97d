// SPDX-License-Identifier: LGPL-2.1-or-later
// RPC envelope: building requests and replies, parsing every reply shape of the
// protocol reference (§4, §5, §8), errors, pushes and malformed messages.
#include "payload.h"
#include "rpc.h"
#include "test_support.h"

using namespace roborock;

namespace {

RpcMessage parse_ok(const std::string &payload) {
  auto message = parse_rpc_message(payload);
  if (!message)
    g_error("parse failed for %s: %s", payload.c_str(), message.error().message.c_str());
  return std::move(message.value());
}

RpcReply reply_of(const std::string &inner) {
  std::string payload = "{\"t\":1,\"dps\":{\"102\":" + json_quote(inner) + "}}";
  RpcMessage message = parse_ok(payload);
  g_assert_true(message.reply.has_value());
  return *message.reply;
}

void assert_parse_error(const std::string &payload, ErrorCode expected) {
  auto message = parse_rpc_message(payload);
  if (message.ok())
    g_error("parsed, expected %s: %s", error_code_name(expected), payload.c_str());
  if (message.error().code != expected)
    g_error("got %s (%s), expected %s for %s", error_code_name(message.error().code),
            message.error().message.c_str(), error_code_name(expected), payload.c_str());
}

using test::vector_payload;

void test_vector_requests_parse_and_rebuild() {
  static JsonNodePtr root = test::load_vectors();
  JsonArray *frames = test::vector_array(root, "frames");
  int requests = 0;
  for (guint i = 0; i < json_array_get_length(frames); i++) {
    JsonObject *f = json_array_get_object_element(frames, i);
    std::string name = json_object_get_string_member(f, "name");
    if (name.rfind("request:", 0) != 0)
      continue;
    std::string payload = json_object_get_string_member(f, "payload");
    RpcMessage message = parse_ok(payload);
    g_assert_true(message.request.has_value());
    g_assert_false(message.reply.has_value());
    ASSERT_STR_EQ(message.request->method, name.substr(8));
    // Rebuilding from the parsed parts gives the same bytes (for params that
    // json-glib prints the way Python does: everything but fractions).
    if (message.request->params_json.find('.') == std::string::npos) {
      std::string rebuilt = build_request_payload(
          *message.request, uint32_t(json_object_get_int_member(f, "timestamp")));
      ASSERT_STR_EQ(rebuilt, payload);
    }
    requests++;
  }
  g_assert_cmpint(requests, ==, 9);
}

void test_request_with_fractions_byte_identical() {
  RpcRequest request{10008, "app_rc_move",
                     JsonObjectWriter()
                         .add_double("omega", 0.53)
                         .add_double("velocity", 0.2)
                         .add_int("seqnum", 7)
                         .add_int("duration", 500)
                         .str()};
  ASSERT_STR_EQ(build_request_payload(request, 1700006839), vector_payload("request:app_rc_move"));
}

void test_vector_replies() {
  RpcMessage ok = parse_ok(vector_payload("response:0"));
  g_assert_true(ok.reply->kind == RpcReply::Kind::Result);
  g_assert_cmpint(ok.reply->id, ==, 20001);
  g_assert_true(ok.pushes.empty());

  RpcMessage retry = parse_ok(vector_payload("response:1"));
  g_assert_true(retry.reply->kind == RpcReply::Kind::Result);
  JsonObject *object = json_node_get_object(retry.reply->result.get());
  ASSERT_STR_EQ(json_object_string(object, "dev_sdp"), "retry");

  RpcMessage turn = parse_ok(vector_payload("response:2"));
  object = json_node_get_object(turn.reply->result.get());
  ASSERT_STR_EQ(json_object_string(object, "url"), "turn:turn.example.invalid:3478");
  ASSERT_STR_EQ(json_object_string(object, "user"), "u");
  ASSERT_STR_EQ(json_object_string(object, "pwd"), "p");

  RpcMessage ice = parse_ok(vector_payload("response:3"));
  JsonArray *list = json_object_array(json_node_get_object(ice.reply->result.get()), "dev_ice");
  g_assert_nonnull(list);
  g_assert_cmpuint(json_array_get_length(list), >=, 1);
  auto candidate = decode_ice_payload(json_array_get_string_element(list, 0));
  g_assert_true(candidate.ok());
  g_assert_true(g_str_has_prefix(candidate->candidate.c_str(), "candidate:"));

  RpcMessage error = parse_ok(vector_payload("response:4"));
  g_assert_true(error.reply->kind == RpcReply::Kind::Error);
  g_assert_cmpint(error.reply->error_code, ==, -1);
  ASSERT_STR_EQ(error.reply->error_message, "password error");

  RpcMessage unsupported = parse_ok(vector_payload("response:5"));
  g_assert_true(unsupported.reply->kind == RpcReply::Kind::Unsupported);
}

void test_vector_replies_rebuild() {
  ASSERT_STR_EQ(build_result_payload(20001, "[\"ok\"]", 1710000000), vector_payload("response:0"));
  ASSERT_STR_EQ(build_error_payload(20005, -1, "password error", 1710000524),
                vector_payload("response:4"));
  ASSERT_STR_EQ(build_result_payload(20006, "\"unknown_method\"", 1710000655),
                vector_payload("response:5"));
}

void test_ok_shapes() {
  // §8: ["ok"], "ok" and {} all mean success.
  for (const char *result : {"[\"ok\"]", "\"ok\"", "{}", "[]", "0"}) {
    RpcReply reply = reply_of(std::string("{\"id\":5,\"result\":") + result + "}");
    g_assert_true(reply.kind == RpcReply::Kind::Result);
    g_assert_cmpint(reply.id, ==, 5);
  }
}

void test_error_shapes() {
  RpcReply reply = reply_of("{\"id\":6,\"result\":\"locked\"}");
  g_assert_true(reply.kind == RpcReply::Kind::Error);
  ASSERT_STR_EQ(reply.error_message, "locked");

  reply = reply_of("{\"id\":6,\"error\":{\"code\":-10007,\"message\":\"busy\"}}");
  g_assert_true(reply.kind == RpcReply::Kind::Error);
  g_assert_cmpint(reply.error_code, ==, -10007);
  ASSERT_STR_EQ(reply.error_message, "busy");

  reply = reply_of("{\"id\":6,\"error\":{\"code\":3}}");
  g_assert_true(reply.kind == RpcReply::Kind::Error);
  g_assert_cmpint(reply.error_code, ==, 3);
  g_assert_false(reply.error_message.empty());

  reply = reply_of("{\"id\":6,\"error\":\"plain text\"}");
  g_assert_true(reply.kind == RpcReply::Kind::Error);
  ASSERT_STR_EQ(reply.error_message, "plain text");

  reply = reply_of("{\"id\":6,\"result\":\"unknown_method\"}");
  g_assert_true(reply.kind == RpcReply::Kind::Unsupported);
}

void test_id_variants() {
  g_assert_cmpint(reply_of("{\"id\":\"12345\",\"result\":[\"ok\"]}").id, ==, 12345);
  g_assert_cmpint(reply_of("{\"id\":32767,\"result\":[\"ok\"]}").id, ==, 32767);
  assert_parse_error("{\"dps\":{\"102\":\"{\\\"id\\\":\\\"x1\\\",\\\"result\\\":1}\"}}",
                     ErrorCode::BadMessage);
  assert_parse_error("{\"dps\":{\"102\":\"{\\\"result\\\":1}\"}}", ErrorCode::BadMessage);
  assert_parse_error("{\"dps\":{\"102\":\"{\\\"id\\\":1.5,\\\"result\\\":1}\"}}",
                     ErrorCode::BadMessage);
}

void test_inner_as_object() {
  RpcMessage message = parse_ok("{\"t\":1,\"dps\":{\"102\":{\"id\":9,\"result\":[\"ok\"]}}}");
  g_assert_true(message.reply.has_value());
  g_assert_cmpint(message.reply->id, ==, 9);
}

void test_pushes() {
  RpcMessage message = parse_ok("{\"t\":1,\"dps\":{\"121\":8,\"122\":100}}");
  g_assert_false(message.reply.has_value());
  g_assert_false(message.request.has_value());
  g_assert_cmpuint(message.pushes.size(), ==, 2);
  ASSERT_STR_EQ(message.pushes[0].key, "121");
  g_assert_cmpint(json_node_get_int(message.pushes[1].value.get()), ==, 100);

  message = parse_ok("{\"t\":1,\"dps\":{\"135\":\"{\\\"a\\\":1}\"}}");
  g_assert_false(message.reply.has_value());
  g_assert_cmpuint(message.pushes.size(), ==, 1);

  // A reply and a push in one message: both are seen, the push is not a reply.
  message = parse_ok(
      "{\"t\":1,\"dps\":{\"122\":50,\"102\":\"{\\\"id\\\":3,\\\"result\\\":[\\\"ok\\\"]}\"}}");
  g_assert_true(message.reply.has_value());
  g_assert_cmpint(message.reply->id, ==, 3);
  g_assert_cmpuint(message.pushes.size(), ==, 1);
}

void test_request_params_shapes() {
  RpcMessage message = parse_ok(
      "{\"dps\":{\"101\":\"{\\\"id\\\":1,\\\"method\\\":\\\"get_device_sdp\\\"}\"},\"t\":1}");
  ASSERT_STR_EQ(message.request->params_json, "[]");
  message = parse_ok(
      "{\"dps\":{\"101\":\"{\\\"id\\\":1,\\\"method\\\":\\\"x\\\",\\\"params\\\":{}}\"},\"t\":1}");
  ASSERT_STR_EQ(message.request->params_json, "{}");
  assert_parse_error("{\"dps\":{\"101\":\"{\\\"id\\\":1}\"}}", ErrorCode::BadMessage);
}

void test_malformed() {
  assert_parse_error("", ErrorCode::BadJson);
  assert_parse_error("{", ErrorCode::BadJson);
  assert_parse_error("not json", ErrorCode::BadJson);
  assert_parse_error("\xff\xfe{}", ErrorCode::BadJson);
  assert_parse_error("[1,2]", ErrorCode::BadMessage);
  assert_parse_error("{}", ErrorCode::BadMessage);
  assert_parse_error("{\"dps\":[]}", ErrorCode::BadMessage);
  assert_parse_error("{\"dps\":{\"102\":\"{not json\"}}", ErrorCode::BadJson);
  assert_parse_error("{\"dps\":{\"102\":\"[1]\"}}", ErrorCode::BadMessage);
  assert_parse_error("{\"dps\":{\"102\":7}}", ErrorCode::BadMessage);
  assert_parse_error("{\"dps\":{\"102\":\"{\\\"id\\\":1}\"}}", ErrorCode::BadMessage);
  std::string deep(5000, '[');
  assert_parse_error(deep, ErrorCode::BadJson);
  std::string deep_inner = "{\"dps\":{\"102\":\"" + std::string(5000, '[') + "\"}}";
  assert_parse_error(deep_inner, ErrorCode::BadJson);
  // Brackets inside strings do not count as nesting.
  std::string brackets = "{\"dps\":{\"121\":\"" + std::string(500, '[') + "\"}}";
  g_assert_true(parse_rpc_message(brackets).ok());
  // json-glib takes comments and single-quoted strings: neither may hide a
  // quote (and with it the nesting) from the depth scan. Each of these
  // overflows a 1 MB stack in json-glib (the suite runs under ulimit -s 1024).
  std::string very_deep(200000, '[');
  for (const std::string &cover : {std::string("/* \" */ "), std::string("['\"', "),
                                   std::string("['\\', \""), std::string("[1, /*/ \" */ ")})
    assert_parse_error(cover + very_deep, ErrorCode::BadJson);
  assert_parse_error("{\"dps\":{\"102\":\"/* \\\" */ " + very_deep + "\"}}", ErrorCode::BadJson);
  // Quotes and slashes inside strings are fine.
  g_assert_true(parse_rpc_message("{\"dps\":{\"121\":\"it's a/b \\\"q\\\" [\"}}").ok());
}

void test_json_numbers() {
  ASSERT_STR_EQ(json_number(0.53), "0.53");
  ASSERT_STR_EQ(json_number(-0.2), "-0.2");
  ASSERT_STR_EQ(json_number(500), "500");
  ASSERT_STR_EQ(json_number(0.1 + 0.2), "0.30000000000000004");
  ASSERT_STR_EQ(json_number(1.0 / 0.0), "null");
  ASSERT_STR_EQ(json_quote("a\"b\\c\n\x01"), "\"a\\\"b\\\\c\\n\\u0001\"");
}

} // namespace

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, nullptr);
  g_test_add_func("/rpc/vector-requests", test_vector_requests_parse_and_rebuild);
  g_test_add_func("/rpc/request-with-fractions", test_request_with_fractions_byte_identical);
  g_test_add_func("/rpc/vector-replies", test_vector_replies);
  g_test_add_func("/rpc/vector-replies-rebuild", test_vector_replies_rebuild);
  g_test_add_func("/rpc/ok-shapes", test_ok_shapes);
  g_test_add_func("/rpc/error-shapes", test_error_shapes);
  g_test_add_func("/rpc/id-variants", test_id_variants);
  g_test_add_func("/rpc/inner-as-object", test_inner_as_object);
  g_test_add_func("/rpc/pushes", test_pushes);
  g_test_add_func("/rpc/request-params", test_request_params_shapes);
  g_test_add_func("/rpc/malformed", test_malformed);
  g_test_add_func("/rpc/json-numbers", test_json_numbers);
  return g_test_run();
}
