// SPDX-License-Identifier: LGPL-2.1-or-later
// The RPC envelope inside V1 frames (protocol reference §4): protocol-101
// requests, protocol-102 replies, and pushes with other dps keys.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "error.h"
#include "json_util.h"

namespace roborock {

// The dps keys of the envelope.
constexpr const char *kDpsRequest = "101";
constexpr const char *kDpsReply = "102";

struct RpcRequest {
  int64_t id = 0;
  std::string method;
  std::string params_json = "[]"; // object or list, as JSON text
};

struct RpcReply {
  enum class Kind {
    Result,      // the command succeeded; `result` holds what it returned
    Error,       // an error object, or a string result other than "ok"
    Unsupported, // the string result "unknown_method"
  };
  int64_t id = 0;
  Kind kind = Kind::Result;
  JsonNodePtr result;
  int64_t error_code = 0;
  std::string error_message;
};

// A dps entry that is neither a request nor a reply (121 state, 122 battery...).
struct RpcPush {
  std::string key;
  JsonNodePtr value;
};

struct RpcMessage {
  std::optional<RpcRequest> request; // dps "101" (what a robot receives)
  std::optional<RpcReply> reply;     // dps "102"
  std::vector<RpcPush> pushes;       // every other dps key
};

// {"dps":{"101":"{\"id\":..,\"method\":..,\"params\":..}"},"t":t}
std::string build_request_payload(const RpcRequest &request, uint32_t t);
// {"t":t,"dps":{"102":"{\"id\":..,\"result\":..}"}}
std::string build_result_payload(int64_t id, std::string_view result_json, uint32_t t);
// {"t":t,"dps":{"102":"{\"id\":..,\"error\":{\"code\":..,\"message\":..}}"}}
std::string build_error_payload(int64_t id, int64_t code, std::string_view message, uint32_t t);

// Parses a decrypted frame payload. Never trusts its shape: anything unexpected
// gives BadJson or BadMessage.
Result<RpcMessage> parse_rpc_message(std::string_view payload);

// Parameters as JSON text; "[]" when a command takes none.
constexpr const char *kNoParams = "[]";

} // namespace roborock
