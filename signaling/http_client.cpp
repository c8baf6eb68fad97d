// SPDX-License-Identifier: LGPL-2.1-or-later
#include "http_client.h"

#include <libsoup/soup.h>

namespace roborock {
namespace {

// The web API's replies are a few kB; a home with many robots and rooms stays
// far below this. Anything bigger is not the Roborock cloud.
constexpr gsize kMaxReplySize = 4 * 1024 * 1024;
constexpr const char *kUserAgent = "roborock-login (roborocksrc)";

std::string host_of(const std::string &url) {
  g_autoptr(GUri) uri = g_uri_parse(url.c_str(), G_URI_FLAGS_NONE, nullptr);
  return uri && g_uri_get_host(uri) ? g_uri_get_host(uri) : url;
}

Error unreachable(const std::string &url, const std::string &why) {
  return Error{ErrorCode::WebApiUnreachable,
               "Could not reach the Roborock cloud at " + host_of(url) +
                   "; check the network connection.",
               why};
}

// Reads the reply, refusing to hold more than kMaxReplySize (a hostile or
// broken server cannot make the tool buffer without bound).
Result<std::string> read_capped(GInputStream *stream) {
  std::string body;
  char chunk[16 * 1024];
  for (;;) {
    g_autoptr(GError) error = nullptr;
    gssize got = g_input_stream_read(stream, chunk, sizeof chunk, nullptr, &error);
    if (got < 0)
      return Error{ErrorCode::WebApiUnreachable, "", error->message};
    if (got == 0)
      return body;
    if (body.size() + got > kMaxReplySize)
      return Error{ErrorCode::WebApiUnreachable, "",
                   "reply larger than " + std::to_string(kMaxReplySize) + " bytes"};
    body.append(chunk, got);
  }
}

} // namespace

struct HttpClient::Impl {
  SoupSession *session = nullptr;
  std::string setup_error; // a CA file that could not be read
};

HttpClient::HttpClient(const HttpClientOptions &options) : impl_(std::make_unique<Impl>()) {
  impl_->session =
      soup_session_new_with_options("timeout", options.timeout_s, "idle-timeout", options.timeout_s,
                                    "user-agent", kUserAgent, nullptr);
  if (options.ca_file.empty())
    return;
  g_autoptr(GError) error = nullptr;
  g_autoptr(GTlsDatabase) database = g_tls_file_database_new(options.ca_file.c_str(), &error);
  if (!database) {
    impl_->setup_error = "CA file " + options.ca_file + ": " + error->message;
    return;
  }
  soup_session_set_tls_database(impl_->session, database);
}

HttpClient::~HttpClient() {
  g_object_unref(impl_->session);
}

Result<HttpResponse> HttpClient::send(const HttpRequest &request) {
  if (!impl_->setup_error.empty())
    return Error{ErrorCode::FileUnreadable, "The CA file could not be read.", impl_->setup_error};
  g_autoptr(SoupMessage) message = soup_message_new(request.method.c_str(), request.url.c_str());
  if (!message)
    return Error{ErrorCode::BadMessage, "The Roborock cloud gave an address that is not a URL.",
                 "not an http(s) URL: " + host_of(request.url)};
  SoupMessageHeaders *headers = soup_message_get_request_headers(message);
  for (const auto &[name, value] : request.headers)
    soup_message_headers_replace(headers, name.c_str(), value.c_str());
  if (!request.form.empty() || request.method == "POST") {
    g_autoptr(GBytes) body = g_bytes_new(request.form.data(), request.form.size());
    soup_message_set_request_body_from_bytes(message, "application/x-www-form-urlencoded", body);
  }
  g_autoptr(GError) error = nullptr;
  g_autoptr(GInputStream) stream = soup_session_send(impl_->session, message, nullptr, &error);
  if (!stream)
    return unreachable(request.url, error->message);
  auto body = read_capped(stream);
  if (!body)
    return unreachable(request.url, body.error().detail);
  return HttpResponse{soup_message_get_status(message), std::move(body.value())};
}

std::string url_encode_fields(const HttpFields &fields) {
  std::string out;
  for (const auto &[name, value] : fields) {
    g_autofree char *escaped_name = g_uri_escape_string(name.c_str(), nullptr, FALSE);
    g_autofree char *escaped_value = g_uri_escape_string(value.c_str(), nullptr, FALSE);
    if (!out.empty())
      out += '&';
    out += std::string(escaped_name) + "=" + escaped_value;
  }
  return out;
}

} // namespace roborock
