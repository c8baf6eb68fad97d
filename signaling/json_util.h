// SPDX-License-Identifier: LGPL-2.1-or-later
// Building compact JSON text and parsing JSON safely with json-glib.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <json-glib/json-glib.h>

#include "error.h"

namespace roborock {

// A reference-counted json-glib node.
using JsonNodePtr = std::shared_ptr<JsonNode>;

JsonNodePtr adopt_json_node(JsonNode *node);

// Parses `text` into a node. Rejects nesting deeper than a small limit before
// json-glib sees it (its parser recurses, and frames come from the network).
// `what` names the input in the error message ("RPC response").
Result<JsonNodePtr> parse_json(std::string_view text, const char *what);

// Compact serialization (json-glib's generator).
std::string serialize_json(JsonNode *node);

// A JSON string literal, quotes included.
std::string json_quote(std::string_view text);
// The shortest decimal form of `value` that reads back to the same double.
std::string json_number(double value);

// Builds a compact JSON object, member by member, in insertion order (the wire
// order matters for byte-identical frames).
class JsonObjectWriter {
public:
  JsonObjectWriter &add_string(std::string_view key, std::string_view value);
  JsonObjectWriter &add_int(std::string_view key, int64_t value);
  JsonObjectWriter &add_double(std::string_view key, double value);
  JsonObjectWriter &add_bool(std::string_view key, bool value);
  // `json` must already be valid JSON text.
  JsonObjectWriter &add_raw(std::string_view key, std::string_view json);
  std::string str() const { return text_ + "}"; }

private:
  void add_key(std::string_view key);
  std::string text_ = "{";
};

// Member lookups that tolerate a missing member or a wrong type (nullptr / fallback).
const char *json_object_string(JsonObject *object, const char *member);
JsonObject *json_object_object(JsonObject *object, const char *member);
JsonArray *json_object_array(JsonObject *object, const char *member);
// A member that the cloud sends as a string or as an integer (product and
// home ids, "countrycode": "1" or 1), as text; "" when absent or neither.
std::string json_object_string_or_int(JsonObject *object, const char *member);

} // namespace roborock
