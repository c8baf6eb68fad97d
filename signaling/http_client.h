// SPDX-License-Identifier: LGPL-2.1-or-later
// Blocking HTTPS requests through libsoup 3 for the account web API (protocol
// reference §10): TLS verified against the system's trust store or a given CA
// file, bounded time and reply size, transport failures as typed errors.
//
// Only the login tool and the tests link this (roborock-web-api library): the
// plugin never loads libsoup, so an application using libsoup 2 can still
// load roborocksrc (the reason souphttpsrc loads libsoup at run time).
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "error.h"

namespace roborock {

using HttpFields = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "GET";
  std::string url; // scheme, host, path and the already encoded query
  HttpFields headers;
  std::string form; // an application/x-www-form-urlencoded body, or empty
};

struct HttpResponse {
  unsigned status = 0;
  std::string body;
};

struct HttpClientOptions {
  std::string ca_file;     // empty: the system's trust store
  unsigned timeout_s = 20; // per request: connect, send and read
};

class HttpClient {
public:
  explicit HttpClient(const HttpClientOptions &options);
  ~HttpClient();
  HttpClient(const HttpClient &) = delete;
  HttpClient &operator=(const HttpClient &) = delete;

  // Any HTTP status is a response; no network, a refused or untrusted TLS
  // peer, a timeout or an oversized reply are WebApiUnreachable errors whose
  // message names the host.
  Result<HttpResponse> send(const HttpRequest &request);

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// "k=v&k2=v2" with each part percent-encoded (RFC 3986 unreserved kept).
std::string url_encode_fields(const HttpFields &fields);

} // namespace roborock
