// SPDX-License-Identifier: LGPL-2.1-or-later
#include "rpc.h"

namespace roborock {
namespace {

std::string wrap_dps(const char *key, const std::string &inner) {
  return JsonObjectWriter().add_string(key, inner).str();
}

// Ids are integers on the wire; tolerate digit strings too.
std::optional<int64_t> read_id(JsonObject *object) {
  JsonNode *node = json_object_get_member(object, "id");
  if (!node || JSON_NODE_TYPE(node) != JSON_NODE_VALUE)
    return std::nullopt;
  GType type = json_node_get_value_type(node);
  if (type == G_TYPE_INT64)
    return json_node_get_int(node);
  if (type == G_TYPE_STRING) {
    const char *text = json_node_get_string(node);
    char *end = nullptr;
    gint64 value = g_ascii_strtoll(text, &end, 10);
    if (end != text && *end == '\0')
      return value;
  }
  return std::nullopt;
}

// The value of a dps entry is normally a JSON document inside a string; accept
// it as a plain object too.
Result<JsonNodePtr> dps_inner(JsonNode *value, const char *what) {
  if (JSON_NODE_HOLDS_OBJECT(value))
    return adopt_json_node(json_node_copy(value));
  if (JSON_NODE_TYPE(value) == JSON_NODE_VALUE && json_node_get_value_type(value) == G_TYPE_STRING)
    return parse_json(json_node_get_string(value), what);
  return make_error(ErrorCode::BadMessage,
                    std::string(what) + " is neither a string nor an object");
}

void read_error(JsonNode *error, RpcReply &reply) {
  reply.kind = RpcReply::Kind::Error;
  if (JSON_NODE_HOLDS_OBJECT(error)) {
    JsonObject *object = json_node_get_object(error);
    JsonNode *code = json_object_get_member(object, "code");
    if (code && JSON_NODE_TYPE(code) == JSON_NODE_VALUE &&
        json_node_get_value_type(code) == G_TYPE_INT64)
      reply.error_code = json_node_get_int(code);
    const char *message = json_object_string(object, "message");
    reply.error_message = message ? message : serialize_json(error);
  } else if (JSON_NODE_TYPE(error) == JSON_NODE_VALUE &&
             json_node_get_value_type(error) == G_TYPE_STRING) {
    reply.error_message = json_node_get_string(error);
  } else {
    reply.error_message = serialize_json(error);
  }
}

void read_result(JsonNode *result, RpcReply &reply) {
  reply.result = adopt_json_node(json_node_copy(result));
  if (JSON_NODE_TYPE(result) == JSON_NODE_VALUE &&
      json_node_get_value_type(result) == G_TYPE_STRING) {
    std::string_view text = json_node_get_string(result);
    if (text == "unknown_method") {
      reply.kind = RpcReply::Kind::Unsupported;
      reply.error_message = "unknown_method";
    } else if (text != "ok") {
      reply.kind = RpcReply::Kind::Error;
      reply.error_message = std::string(text);
    }
  }
}

Result<RpcReply> parse_reply(JsonNode *value) {
  auto inner = dps_inner(value, "RPC reply");
  if (!inner)
    return inner.error();
  if (!JSON_NODE_HOLDS_OBJECT(inner->get()))
    return make_error(ErrorCode::BadMessage, "RPC reply is not a JSON object");
  JsonObject *object = json_node_get_object(inner->get());
  auto id = read_id(object);
  if (!id)
    return make_error(ErrorCode::BadMessage, "RPC reply has no integer id");
  RpcReply reply;
  reply.id = *id;
  if (JsonNode *error = json_object_get_member(object, "error"))
    read_error(error, reply);
  else if (JsonNode *result = json_object_get_member(object, "result"))
    read_result(result, reply);
  else
    return make_error(ErrorCode::BadMessage, "RPC reply has neither result nor error");
  return reply;
}

Result<RpcRequest> parse_request(JsonNode *value) {
  auto inner = dps_inner(value, "RPC request");
  if (!inner)
    return inner.error();
  if (!JSON_NODE_HOLDS_OBJECT(inner->get()))
    return make_error(ErrorCode::BadMessage, "RPC request is not a JSON object");
  JsonObject *object = json_node_get_object(inner->get());
  auto id = read_id(object);
  const char *method = json_object_string(object, "method");
  if (!id || !method)
    return make_error(ErrorCode::BadMessage, "RPC request lacks an integer id or a method");
  RpcRequest request;
  request.id = *id;
  request.method = method;
  JsonNode *params = json_object_get_member(object, "params");
  request.params_json = params ? serialize_json(params) : kNoParams;
  return request;
}

} // namespace

std::string build_request_payload(const RpcRequest &request, uint32_t t) {
  std::string inner = JsonObjectWriter()
                          .add_int("id", request.id)
                          .add_string("method", request.method)
                          .add_raw("params", request.params_json)
                          .str();
  return JsonObjectWriter().add_raw("dps", wrap_dps(kDpsRequest, inner)).add_int("t", t).str();
}

std::string build_result_payload(int64_t id, std::string_view result_json, uint32_t t) {
  std::string inner = JsonObjectWriter().add_int("id", id).add_raw("result", result_json).str();
  return JsonObjectWriter().add_int("t", t).add_raw("dps", wrap_dps(kDpsReply, inner)).str();
}

std::string build_error_payload(int64_t id, int64_t code, std::string_view message, uint32_t t) {
  std::string error = JsonObjectWriter().add_int("code", code).add_string("message", message).str();
  std::string inner = JsonObjectWriter().add_int("id", id).add_raw("error", error).str();
  return JsonObjectWriter().add_int("t", t).add_raw("dps", wrap_dps(kDpsReply, inner)).str();
}

Result<RpcMessage> parse_rpc_message(std::string_view payload) {
  auto root = parse_json(payload, "RPC message");
  if (!root)
    return root.error();
  if (!JSON_NODE_HOLDS_OBJECT(root->get()))
    return make_error(ErrorCode::BadMessage, "RPC message is not a JSON object");
  JsonObject *dps = json_object_object(json_node_get_object(root->get()), "dps");
  if (!dps)
    return make_error(ErrorCode::BadMessage, "RPC message has no dps object");

  RpcMessage message;
  g_autoptr(GList) keys = json_object_get_members(dps);
  for (GList *l = keys; l; l = l->next) {
    const char *key = static_cast<const char *>(l->data);
    JsonNode *value = json_object_get_member(dps, key);
    if (g_strcmp0(key, kDpsReply) == 0) {
      auto reply = parse_reply(value);
      if (!reply)
        return reply.error();
      message.reply = std::move(reply.value());
    } else if (g_strcmp0(key, kDpsRequest) == 0) {
      auto request = parse_request(value);
      if (!request)
        return request.error();
      message.request = std::move(request.value());
    } else {
      message.pushes.push_back(RpcPush{key, adopt_json_node(json_node_copy(value))});
    }
  }
  return message;
}

} // namespace roborock
