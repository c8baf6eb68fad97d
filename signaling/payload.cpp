// SPDX-License-Identifier: LGPL-2.1-or-later
#include "payload.h"

#include "crypto.h"
#include "json_util.h"

namespace roborock {
namespace {

constexpr std::string_view kCandidatePrefix = "candidate:";

Result<JsonNodePtr> decode_json_payload(std::string_view base64_text, const char *what) {
  auto json = base64_decode(base64_text);
  if (!json)
    return make_error(ErrorCode::BadBase64, std::string(what) + " is not valid base64");
  auto root = parse_json(*json, what);
  if (!root)
    return root.error();
  if (!JSON_NODE_HOLDS_OBJECT(root->get()))
    return make_error(ErrorCode::BadMessage, std::string(what) + " is not a JSON object");
  return root;
}

int read_mline_index(JsonObject *object) {
  JsonNode *node = json_object_get_member(object, "sdpMLineIndex");
  if (!node || JSON_NODE_TYPE(node) != JSON_NODE_VALUE)
    return 0;
  if (json_node_get_value_type(node) == G_TYPE_INT64) {
    gint64 value = json_node_get_int(node);
    return value >= 0 && value < 1024 ? int(value) : 0;
  }
  if (json_node_get_value_type(node) == G_TYPE_STRING)
    return int(g_ascii_strtoll(json_node_get_string(node), nullptr, 10) & 1023);
  return 0;
}

} // namespace

std::string encode_sdp_payload(const SessionDescription &description) {
  return base64_encode(JsonObjectWriter()
                           .add_string("sdp", description.sdp)
                           .add_string("type", description.type)
                           .str());
}

Result<SessionDescription> decode_sdp_payload(std::string_view base64_text) {
  auto root = decode_json_payload(base64_text, "SDP payload");
  if (!root)
    return root.error();
  JsonObject *object = json_node_get_object(root->get());
  const char *sdp = json_object_string(object, "sdp");
  if (!sdp)
    return make_error(ErrorCode::BadMessage, "SDP payload has no \"sdp\" string");
  const char *type = json_object_string(object, "type");
  return SessionDescription{type ? type : "", sdp};
}

std::string encode_ice_payload(const IceCandidate &candidate) {
  JsonObjectWriter writer;
  writer.add_string("candidate", candidate.candidate);
  if (!candidate.sdp_mid.empty())
    writer.add_string("sdpMid", candidate.sdp_mid);
  writer.add_int("sdpMLineIndex", candidate.sdp_mline_index);
  return base64_encode(writer.str());
}

Result<IceCandidate> decode_ice_payload(std::string_view base64_text) {
  auto root = decode_json_payload(base64_text, "ICE payload");
  if (!root)
    return root.error();
  JsonObject *object = json_node_get_object(root->get());
  const char *text = json_object_string(object, "candidate");
  if (!text || !*text)
    return make_error(ErrorCode::BadMessage, "ICE payload has no \"candidate\" string");
  IceCandidate candidate;
  std::string_view value = text;
  if (value.substr(0, 2) == "a=")
    value.remove_prefix(2);
  candidate.candidate = value.substr(0, kCandidatePrefix.size()) == kCandidatePrefix
                            ? std::string(value)
                            : std::string(kCandidatePrefix) + std::string(value);
  if (const char *mid = json_object_string(object, "sdpMid"))
    candidate.sdp_mid = mid;
  candidate.sdp_mline_index = read_mline_index(object);
  return candidate;
}

} // namespace roborock
