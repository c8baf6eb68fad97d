// SPDX-License-Identifier: LGPL-2.1-or-later
#include "camera_commands.h"

#include <cstring>
#include <initializer_list>

#include "crypto.h"

namespace roborock {
namespace {

// Results are objects; tolerate the object arriving inside a one-element list.
JsonObject *result_object(JsonNode *result) {
  if (!result)
    return nullptr;
  if (JSON_NODE_HOLDS_OBJECT(result))
    return json_node_get_object(result);
  if (JSON_NODE_HOLDS_ARRAY(result)) {
    JsonArray *array = json_node_get_array(result);
    if (json_array_get_length(array) == 1) {
      JsonNode *first = json_array_get_element(array, 0);
      if (JSON_NODE_HOLDS_OBJECT(first))
        return json_node_get_object(first);
    }
  }
  return nullptr;
}

bool is_string(JsonNode *node, const char *text) {
  return node && JSON_NODE_TYPE(node) == JSON_NODE_VALUE &&
         json_node_get_value_type(node) == G_TYPE_STRING &&
         g_strcmp0(json_node_get_string(node), text) == 0;
}

bool is_retry(JsonNode *node) {
  return is_string(node, "retry");
}

// The first of `names` that the object has as a string.
const char *string_member(JsonObject *object, std::initializer_list<const char *> names) {
  for (const char *name : names)
    if (const char *value = json_object_string(object, name))
      return value;
  return nullptr;
}

} // namespace

const char *video_quality_name(VideoQuality quality) {
  return quality == VideoQuality::HD ? "HD" : "SD";
}

std::string check_password_params(std::string_view pattern) {
  return JsonObjectWriter().add_string("password", md5_hex(pattern)).str();
}

std::string start_preview_params(std::string_view client_id, VideoQuality quality,
                                 std::string_view pattern) {
  return JsonObjectWriter()
      .add_string("client_id", client_id)
      .add_string("quality", video_quality_name(quality))
      .add_string("password", pattern.empty() ? std::string() : md5_hex(pattern))
      .str();
}

std::string switch_quality_params(VideoQuality quality) {
  return JsonObjectWriter().add_string("quality", video_quality_name(quality)).str();
}

std::string stop_preview_params(std::string_view client_id) {
  return JsonObjectWriter().add_string("client_id", client_id).str();
}

std::string send_sdp_params(const SessionDescription &offer) {
  return JsonObjectWriter().add_string("app_sdp", encode_sdp_payload(offer)).str();
}

std::string send_ice_params(const IceCandidate &candidate) {
  return JsonObjectWriter().add_string("app_ice", encode_ice_payload(candidate)).str();
}

std::string rc_move_params(double velocity, double omega, int64_t seqnum, unsigned duration_ms) {
  // Member order as the phone app and the Python client send it.
  return "[" +
         JsonObjectWriter()
             .add_double("omega", omega)
             .add_double("velocity", velocity)
             .add_int("seqnum", seqnum)
             .add_int("duration", duration_ms)
             .str() +
         "]";
}

std::string voice_chat_params(bool record, bool play) {
  return JsonObjectWriter().add_bool("record", record).add_bool("play", play).str();
}

std::string voice_volume_params(unsigned volume) {
  return JsonObjectWriter().add_int("volume", volume).str();
}

bool is_ok_result(JsonNode *result) {
  if (is_string(result, "ok"))
    return true;
  if (result && JSON_NODE_HOLDS_ARRAY(result)) {
    JsonArray *array = json_node_get_array(result);
    return json_array_get_length(array) == 1 && is_string(json_array_get_element(array, 0), "ok");
  }
  if (result && JSON_NODE_HOLDS_OBJECT(result))
    return is_string(json_object_get_member(json_node_get_object(result), "result"), "ok");
  return false;
}

Result<TurnServer> parse_turn_server(JsonNode *result) {
  TurnServer not_yet;
  not_yet.retry = true;
  if (is_retry(result))
    return not_yet;
  if (result && JSON_NODE_HOLDS_ARRAY(result) &&
      json_array_get_length(json_node_get_array(result)) == 1 &&
      is_retry(json_array_get_element(json_node_get_array(result), 0)))
    return not_yet;
  JsonObject *object = result_object(result);
  const char *url = string_member(object, {"url", "urls", "uri"});
  if (!object || !url)
    return make_error(ErrorCode::BadMessage, "get_turn_server result has no url");
  if (!*url || g_strcmp0(url, "retry") == 0)
    return not_yet;
  const char *user = string_member(object, {"user", "username"});
  const char *password = string_member(object, {"pwd", "credential", "password"});
  if (!user || !password)
    return make_error(ErrorCode::BadMessage, "get_turn_server result lacks user or pwd strings");
  return TurnServer{url, user, password};
}

Result<std::string> turn_uri_with_credentials(const TurnServer &turn) {
  std::string_view url = turn.url;
  std::string scheme;
  for (const char *prefix : {"turns:", "turn:"}) {
    if (url.substr(0, strlen(prefix)) == prefix) {
      scheme = std::string(prefix, strlen(prefix) - 1);
      url.remove_prefix(strlen(prefix));
      break;
    }
  }
  while (url.substr(0, 1) == "/")
    url.remove_prefix(1);
  if (scheme.empty() || url.empty())
    return make_error(ErrorCode::BadMessage, "TURN URL \"" + turn.url + "\" is not turn:host:port");
  g_autofree char *user = g_uri_escape_string(turn.user.c_str(), nullptr, FALSE);
  g_autofree char *password = g_uri_escape_string(turn.password.c_str(), nullptr, FALSE);
  return scheme + "://" + user + ":" + password + "@" + std::string(url);
}

Result<ConnectStatus> parse_connect_status(JsonNode *result) {
  JsonObject *object = result_object(result);
  if (!object)
    return make_error(ErrorCode::BadMessage, "get_homesec_connect_status result is not an object");
  ConnectStatus status;
  JsonNode *code = json_object_get_member(object, "status");
  if (code && JSON_NODE_TYPE(code) == JSON_NODE_VALUE &&
      json_node_get_value_type(code) == G_TYPE_INT64)
    status.status = json_node_get_int(code);
  const char *client = json_object_string(object, "client_id");
  status.client_id = client ? client : "none";
  return status;
}

Result<DeviceSdp> parse_device_sdp(JsonNode *result) {
  JsonObject *object = result_object(result);
  JsonNode *value = object ? json_object_get_member(object, "dev_sdp") : nullptr;
  if (!value)
    return make_error(ErrorCode::BadMessage, "get_device_sdp result has no dev_sdp");
  if (is_retry(value))
    return DeviceSdp{};
  const char *text = json_object_string(object, "dev_sdp");
  if (!text)
    return make_error(ErrorCode::BadMessage, "get_device_sdp dev_sdp is not a string");
  auto answer = decode_sdp_payload(text);
  if (!answer)
    return answer.error();
  return DeviceSdp{false, std::move(answer.value())};
}

Result<DeviceIce> parse_device_ice(JsonNode *result) {
  JsonObject *object = result_object(result);
  JsonNode *value = object ? json_object_get_member(object, "dev_ice") : nullptr;
  if (!value)
    return make_error(ErrorCode::BadMessage, "get_device_ice result has no dev_ice");
  if (is_retry(value))
    return DeviceIce{};
  if (!JSON_NODE_HOLDS_ARRAY(value))
    return make_error(ErrorCode::BadMessage, "get_device_ice dev_ice is neither retry nor a list");
  DeviceIce ice;
  ice.retry = false;
  JsonArray *list = json_node_get_array(value);
  for (guint i = 0; i < json_array_get_length(list); i++) {
    JsonNode *entry = json_array_get_element(list, i);
    if (JSON_NODE_TYPE(entry) != JSON_NODE_VALUE ||
        json_node_get_value_type(entry) != G_TYPE_STRING) {
      ice.undecodable++;
      continue;
    }
    auto candidate = decode_ice_payload(json_node_get_string(entry));
    if (candidate)
      ice.candidates.push_back(std::move(candidate.value()));
    else
      ice.undecodable++;
  }
  return ice;
}

} // namespace roborock
