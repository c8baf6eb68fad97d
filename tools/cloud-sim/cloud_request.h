// SPDX-License-Identifier: LGPL-2.1-or-later
// One request to the simulated cloud and its reply: parameters from the query
// or the form body, headers, a reply in the iot shape {code, msg, data} or
// the rriot shape {api, code, result, status, success} (protocol reference
// §10), and the event-log line that records it. The line holds the method,
// path, endpoint, region and codes, and notes a handler adds (the email, which
// headers came): never a code, token, key or signature.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <libsoup/soup.h>

#include "cloud.h"

namespace roborock::cloud {

class CloudRequest {
public:
  CloudRequest(SoupServerMessage *message, GHashTable *query, Region &region, const char *endpoint);
  ~CloudRequest();
  CloudRequest(const CloudRequest &) = delete;
  CloudRequest &operator=(const CloudRequest &) = delete;

  Region &region() { return region_; }
  Cloud &cloud() { return *region_.cloud; }
  const std::string &method() const { return method_; }
  const std::string &path() const { return path_; }
  GHashTable *query_table() const { return query_; }

  // A parameter of the URL's query / of the form-encoded body (none unless
  // the body is application/x-www-form-urlencoded); nullopt when absent or
  // not valid UTF-8.
  std::optional<std::string> query(const char *name) const;
  std::optional<std::string> form(const char *name) const;
  std::optional<std::string> header(const char *name) const;
  std::string body() const;

  void note(const char *key, const std::string &value);
  void note(const char *key, bool value);

  void reply_iot(int code, const char *msg, const std::string &data_json = "null");
  void reply_rriot(unsigned http_status, int code, const char *status,
                   const std::string &result_json = "null");
  // A reply with no body (404, 405, 411, 413), logged with code 0.
  void reply_status(unsigned http_status);

private:
  void reply(unsigned http_status, int code, const std::string &json);

  SoupServerMessage *message_;
  GHashTable *query_;
  GHashTable *form_ = nullptr;
  Region &region_;
  const char *endpoint_;
  std::string method_;
  std::string path_;
  std::vector<std::pair<std::string, std::string>> notes_; // key, JSON value
};

// The account's email in a form a log may hold: valid UTF-8, short.
bool printable_email(const std::string &email);

} // namespace roborock::cloud
