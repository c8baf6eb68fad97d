// SPDX-License-Identifier: LGPL-2.1-or-later
// libFuzzer target: everything the signaling library parses from the network.
// The first byte picks an entry point so one corpus reaches all of them; the
// frame path also re-encodes the input as a frame so RPC parsing sees payloads
// that passed the CRC and the cipher.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "crypto.h"
#include "frame_codec.h"
#include "payload.h"
#include "rpc.h"

using namespace roborock;

namespace {

constexpr std::string_view kLocalKey = "key123key123key1";

void parse_everything(std::string_view text) {
  auto message = parse_rpc_message(text);
  if (message.ok() && message->reply && message->reply->result) {
    // Walk what a session would read from a reply.
    JsonNode *result = message->reply->result.get();
    if (JSON_NODE_HOLDS_OBJECT(result)) {
      JsonObject *object = json_node_get_object(result);
      if (const char *sdp = json_object_string(object, "dev_sdp"))
        (void)decode_sdp_payload(sdp);
      if (JsonArray *list = json_object_array(object, "dev_ice"))
        for (guint i = 0; i < json_array_get_length(list); i++) {
          JsonNode *node = json_array_get_element(list, i);
          if (JSON_NODE_TYPE(node) == JSON_NODE_VALUE &&
              json_node_get_value_type(node) == G_TYPE_STRING)
            (void)decode_ice_payload(json_node_get_string(node));
        }
    }
  }
  (void)decode_sdp_payload(text);
  (void)decode_ice_payload(text);
  (void)base64_decode(text);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0)
    return 0;
  uint8_t selector = data[0];
  data++;
  size--;
  std::string_view text(reinterpret_cast<const char *>(data), size);

  switch (selector % 3) {
  case 0: { // raw bytes as a frame
    auto frame = decode_frame(data, size, kLocalKey);
    if (frame.ok())
      parse_everything(frame->payload);
    break;
  }
  case 1: { // bytes as a frame payload: encode, decode, parse
    Frame frame{1, 2, uint32_t(size * 2654435761u), kProtocolRpcResponse, std::string(text)};
    auto bytes = encode_frame(frame, kLocalKey);
    if (bytes.ok()) {
      auto decoded = decode_frame(bytes->data(), bytes->size(), kLocalKey);
      if (!decoded.ok() || decoded->payload != frame.payload)
        __builtin_trap(); // round trip must be exact
      parse_everything(decoded->payload);
    }
    break;
  }
  default: // bytes as JSON / base64 text
    parse_everything(text);
    break;
  }
  return 0;
}
