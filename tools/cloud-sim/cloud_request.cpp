// SPDX-License-Identifier: LGPL-2.1-or-later
#include "cloud_request.h"

#include <cstring>

namespace roborock::cloud {
namespace {

constexpr size_t kLongestEmail = 254;

std::optional<std::string> utf8_value(const char *value) {
  if (!value || !g_utf8_validate(value, -1, nullptr))
    return std::nullopt;
  return std::string(value);
}

bool is_form(SoupServerMessage *message) {
  SoupMessageHeaders *headers = soup_server_message_get_request_headers(message);
  const char *type = soup_message_headers_get_content_type(headers, nullptr);
  return type && g_ascii_strcasecmp(type, "application/x-www-form-urlencoded") == 0;
}

// The request path for the log: as sent, or a stand-in when it is not text.
std::string loggable_path(SoupServerMessage *message) {
  const char *path = g_uri_get_path(soup_server_message_get_uri(message));
  if (!path || !g_utf8_validate(path, -1, nullptr) || strlen(path) > 256)
    return "(unprintable)";
  return path;
}

} // namespace

bool printable_email(const std::string &email) {
  return email.size() <= kLongestEmail && g_utf8_validate(email.data(), email.size(), nullptr);
}

CloudRequest::CloudRequest(SoupServerMessage *message, GHashTable *query, Region &region,
                           const char *endpoint)
    : message_(message), query_(query), region_(region), endpoint_(endpoint),
      method_(soup_server_message_get_method(message)), path_(loggable_path(message)) {
  std::string text = body();
  if (!text.empty() && is_form(message))
    form_ = soup_form_decode(text.c_str()); // drops pairs it cannot decode
}

CloudRequest::~CloudRequest() {
  if (form_)
    g_hash_table_unref(form_);
}

std::optional<std::string> CloudRequest::query(const char *name) const {
  return query_ ? utf8_value(static_cast<const char *>(g_hash_table_lookup(query_, name)))
                : std::nullopt;
}

std::optional<std::string> CloudRequest::form(const char *name) const {
  return form_ ? utf8_value(static_cast<const char *>(g_hash_table_lookup(form_, name)))
               : std::nullopt;
}

std::optional<std::string> CloudRequest::header(const char *name) const {
  SoupMessageHeaders *headers = soup_server_message_get_request_headers(message_);
  return utf8_value(soup_message_headers_get_one(headers, name));
}

std::string CloudRequest::body() const {
  SoupMessageBody *body = soup_server_message_get_request_body(message_);
  if (!body || !body->data)
    return "";
  // A body with a NUL byte is not a form (nor JSON) a client would send.
  size_t length = size_t(body->length);
  return memchr(body->data, '\0', length) ? "" : std::string(body->data, length);
}

void CloudRequest::note(const char *key, const std::string &value) {
  notes_.emplace_back(key, json_quote(value));
}

void CloudRequest::note(const char *key, bool value) {
  notes_.emplace_back(key, value ? "true" : "false");
}

void CloudRequest::reply_iot(int code, const char *msg, const std::string &data_json) {
  JsonObjectWriter reply;
  reply.add_int("code", code).add_string("msg", msg).add_raw("data", data_json);
  this->reply(SOUP_STATUS_OK, code, reply.str());
}

void CloudRequest::reply_rriot(unsigned http_status, int code, const char *status,
                               const std::string &result_json) {
  JsonObjectWriter reply;
  reply.add_raw("api", "null")
      .add_int("code", code)
      .add_raw("result", result_json)
      .add_string("status", status)
      .add_bool("success", code == 200);
  this->reply(http_status, code, reply.str());
}

void CloudRequest::reply_status(unsigned http_status) {
  reply(http_status, 0, "");
}

void CloudRequest::reply(unsigned http_status, int code, const std::string &json) {
  soup_server_message_set_status(message_, http_status, nullptr);
  if (!json.empty())
    soup_server_message_set_response(message_, "application/json;charset=UTF-8", SOUP_MEMORY_COPY,
                                     json.data(), json.size());
  JsonObjectWriter event = sim::EventLog::begin("request");
  event.add_string("region", region_.name)
      .add_string("method", method_)
      .add_string("path", path_)
      .add_string("endpoint", endpoint_)
      .add_int("http_status", http_status)
      .add_int("code", code);
  for (const auto &[key, value] : notes_)
    event.add_raw(key, value);
  cloud().events.write(event);
}

} // namespace roborock::cloud
