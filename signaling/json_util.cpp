// SPDX-License-Identifier: LGPL-2.1-or-later
#include "json_util.h"

#include <cmath>

#include <glib.h>

namespace roborock {
namespace {

// Deep enough for every message of the protocol, shallow enough for any stack
// (json-glib recurses once per level; threads may have 1 MB stacks).
constexpr int kMaxJsonDepth = 32;

enum class Scan { Ok, TooDeep, NotStrict };

// json-glib's parser recurses without a limit, so nesting is measured before
// it sees the text. It also takes /* comments */ and 'single-quoted' strings,
// either of which could hide brackets from a scan that knows only "strings"
// (or hide a quote that would hide them). Strict JSON has neither `/` nor `'`
// outside double-quoted strings, so such text is refused: what passes is
// tokenised here exactly as json-glib will.
Scan scan_nesting(std::string_view text) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"')
      in_string = true;
    else if (c == '/' || c == '\'')
      return Scan::NotStrict;
    else if (c == '[' || c == '{') {
      if (++depth > kMaxJsonDepth)
        return Scan::TooDeep;
    } else if (c == ']' || c == '}')
      depth--;
  }
  return Scan::Ok;
}

} // namespace

JsonNodePtr adopt_json_node(JsonNode *node) {
  return JsonNodePtr(node, json_node_unref);
}

Result<JsonNodePtr> parse_json(std::string_view text, const char *what) {
  switch (scan_nesting(text)) {
  case Scan::TooDeep:
    return make_error(ErrorCode::BadJson, std::string(what) + " is nested too deeply");
  case Scan::NotStrict:
    return make_error(ErrorCode::BadJson,
                      std::string(what) + " is not strict JSON (a comment or a single quote)");
  case Scan::Ok:
    break;
  }
  if (!g_utf8_validate(text.data(), static_cast<gssize>(text.size()), nullptr))
    return make_error(ErrorCode::BadJson, std::string(what) + " is not valid UTF-8");
  g_autoptr(JsonParser) parser = json_parser_new_immutable();
  g_autoptr(GError) error = nullptr;
  if (!json_parser_load_from_data(parser, text.data(), static_cast<gssize>(text.size()), &error))
    return make_error(ErrorCode::BadJson,
                      std::string(what) + " is not valid JSON: " + error->message);
  JsonNode *root = json_parser_get_root(parser);
  if (!root)
    return make_error(ErrorCode::BadJson, std::string(what) + " is empty");
  return adopt_json_node(json_node_ref(root));
}

std::string serialize_json(JsonNode *node) {
  g_autofree char *text = json_to_string(node, FALSE);
  return text ? text : "null";
}

std::string json_quote(std::string_view text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\r':
      out += "\\r";
      break;
    case '\t':
      out += "\\t";
      break;
    default:
      if (c < 0x20) {
        char escape[8];
        snprintf(escape, sizeof escape, "\\u%04x", c);
        out += escape;
      } else {
        out += char(c);
      }
    }
  }
  out += '"';
  return out;
}

std::string json_number(double value) {
  if (!std::isfinite(value))
    return "null"; // JSON has no NaN or infinity
  if (value == std::trunc(value) && std::fabs(value) < 1e15)
    return std::to_string(static_cast<long long>(value)); // 500, not 5e+02
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  for (int precision = 1; precision <= 17; precision++) {
    char format[8];
    snprintf(format, sizeof format, "%%.%dg", precision);
    g_ascii_formatd(buf, sizeof buf, format, value);
    if (g_ascii_strtod(buf, nullptr) == value)
      break;
  }
  return buf;
}

void JsonObjectWriter::add_key(std::string_view key) {
  if (text_.size() > 1)
    text_ += ',';
  text_ += json_quote(key);
  text_ += ':';
}

JsonObjectWriter &JsonObjectWriter::add_string(std::string_view key, std::string_view value) {
  add_key(key);
  text_ += json_quote(value);
  return *this;
}

JsonObjectWriter &JsonObjectWriter::add_int(std::string_view key, int64_t value) {
  add_key(key);
  text_ += std::to_string(value);
  return *this;
}

JsonObjectWriter &JsonObjectWriter::add_double(std::string_view key, double value) {
  add_key(key);
  text_ += json_number(value);
  return *this;
}

JsonObjectWriter &JsonObjectWriter::add_bool(std::string_view key, bool value) {
  add_key(key);
  text_ += value ? "true" : "false";
  return *this;
}

JsonObjectWriter &JsonObjectWriter::add_raw(std::string_view key, std::string_view json) {
  add_key(key);
  text_ += json;
  return *this;
}

const char *json_object_string(JsonObject *object, const char *member) {
  if (!object)
    return nullptr;
  JsonNode *node = json_object_get_member(object, member);
  if (!node || JSON_NODE_TYPE(node) != JSON_NODE_VALUE ||
      json_node_get_value_type(node) != G_TYPE_STRING)
    return nullptr;
  return json_node_get_string(node);
}

JsonObject *json_object_object(JsonObject *object, const char *member) {
  if (!object)
    return nullptr;
  JsonNode *node = json_object_get_member(object, member);
  return node && JSON_NODE_HOLDS_OBJECT(node) ? json_node_get_object(node) : nullptr;
}

JsonArray *json_object_array(JsonObject *object, const char *member) {
  if (!object)
    return nullptr;
  JsonNode *node = json_object_get_member(object, member);
  return node && JSON_NODE_HOLDS_ARRAY(node) ? json_node_get_array(node) : nullptr;
}

std::string json_object_string_or_int(JsonObject *object, const char *member) {
  JsonNode *node = object ? json_object_get_member(object, member) : nullptr;
  if (!node || !JSON_NODE_HOLDS_VALUE(node))
    return "";
  if (json_node_get_value_type(node) == G_TYPE_STRING)
    return json_node_get_string(node);
  if (json_node_get_value_type(node) == G_TYPE_INT64)
    return std::to_string(json_node_get_int(node));
  return "";
}

} // namespace roborock
