// SPDX-License-Identifier: LGPL-2.1-or-later
// libFuzzer target: everything roborocksrc parses from outside: frames, RPC
// replies and payloads from the network, the robot's command results and SDP,
// credentials files and roborock:// URIs from the user. The first byte picks
// an entry point so one corpus reaches all of them; the frame path also
// re-encodes the input as a frame so RPC parsing sees payloads that passed
// the CRC and the cipher.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <sys/mman.h>
#include <unistd.h>

#include "camera_commands.h"
#include "credentials_file.h"
#include "crypto.h"
#include "frame_codec.h"
#include "home_data.h"
#include "json_util.h"
#include "payload.h"
#include "roborock_uri.h"
#include "robot_errors.h"
#include "robot_sdp.h"
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

// What the session reads from each command's result.
void parse_command_results(std::string_view text) {
  auto json = parse_json(text, "fuzz");
  if (!json.ok())
    return;
  JsonNode *node = json->get();
  (void)is_ok_result(node);
  (void)parse_turn_server(node);
  (void)parse_connect_status(node);
  (void)parse_device_sdp(node);
  (void)parse_device_ice(node);
}

// The robot's answer SDP and candidates, against an offer of the same text.
void parse_robot_sdp(std::string_view text, int64_t code) {
  std::string sdp(text);
  (void)parse_sdp_media(sdp);
  RobotOffer offer = offer_for_robot(sdp);
  std::string answer = answer_for_webrtcbin(sdp, offer);
  (void)candidate_mline(answer, IceCandidate{"candidate:1 1 UDP 1 10.0.0.1 9 typ host", "1", 1});
  (void)classify_robot_error(code, sdp);
  (void)explain_preview_refusal(code, sdp, code & 1);
}

// A credentials file (through a memory file, as the loader takes a path).
void load_credentials(std::string_view text) {
  static int fd = memfd_create("fuzz-credentials", 0);
  if (fd < 0 || ftruncate(fd, 0) != 0 || pwrite(fd, text.data(), text.size(), 0) < 0)
    return;
  std::string path = "/proc/self/fd/" + std::to_string(fd);
  (void)load_credentials_file(path, "");
  auto account = load_credentials_file(path, "duid0001");
  if (account.ok())
    (void)find_device(*account, "duid0001");
  (void)parse_home_data(text); // the same device arrays, as the cloud's reply
}

void parse_uri(std::string_view text) {
  (void)parse_roborock_uri(std::string(text));
  (void)parse_roborock_uri("roborock://" + std::string(text));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0)
    return 0;
  uint8_t selector = data[0];
  data++;
  size--;
  std::string_view text(reinterpret_cast<const char *>(data), size);

  switch (selector % 7) {
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
  case 3:
    parse_command_results(text);
    break;
  case 4:
    parse_robot_sdp(text, int64_t(int8_t(selector)) * 1000 - size);
    break;
  case 5:
    load_credentials(text);
    break;
  case 6:
    parse_uri(text);
    break;
  default: // bytes as JSON / base64 text
    parse_everything(text);
    break;
  }
  return 0;
}
