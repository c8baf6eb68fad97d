// SPDX-License-Identifier: LGPL-2.1-or-later
#include "web_api.h"

#include <ctime>

#include <openssl/rand.h>

#include "credentials_file.h"
#include "crypto.h"
#include "hawk_auth.h"
#include "json_util.h"

namespace roborock {

// One parsed iot reply: {code, msg, data}.
struct WebApi::Reply {
  unsigned http_status = 0;
  int64_t code = 0;
  std::string msg;
  JsonNodePtr root;
  JsonObject *data = nullptr;
};

namespace {

constexpr int64_t kOk = 200;
// Sent by python-roborock with the v4 login; the cloud may check them.
constexpr const char *kAppVersion = "4.54.02";
constexpr const char *kPhoneSystem = "iOS";
constexpr const char *kPhoneModel = "iPhone16,1";
// The user agreement version the v4 login accepts (python-roborock's values).
constexpr const char *kAgreementMajor = "14";
constexpr const char *kAgreementMinor = "0";

Error cloud_refusal(ErrorCode code, std::string message, int64_t cloud_code, const std::string &msg,
                    const std::string &call) {
  Error error{code, std::move(message),
              call + " answered code " + std::to_string(cloud_code) + (msg.empty() ? "" : ": ") +
                  msg};
  error.robot_code = cloud_code;
  error.method = call;
  return error;
}

// The codes python-roborock knows (§10), as errors a user can act on.
Error error_for_code(int64_t code, const std::string &msg, const std::string &call) {
  switch (code) {
  case 2003:
    return cloud_refusal(ErrorCode::CredentialsMalformed,
                         "The Roborock cloud says the email address is not valid.", code, msg,
                         call);
  case 2008:
  case 3039:
    return cloud_refusal(ErrorCode::AccountUnknown,
                         "No Roborock account uses this email address in its region; use the "
                         "address you log in to the Roborock app with.",
                         code, msg, call);
  case 2018:
    return cloud_refusal(ErrorCode::LoginCodeWrong,
                         "The code is wrong or has expired; run roborock-login again for a new "
                         "one.",
                         code, msg, call);
  case 9002:
    return cloud_refusal(ErrorCode::TooManyRequests,
                         "The Roborock cloud refuses more login codes for this account for now; "
                         "wait an hour and try again.",
                         code, msg, call);
  case 3006:
  case 3009:
    return cloud_refusal(ErrorCode::AgreementNeeded,
                         "Open the Roborock app, accept its user agreement, then try again (Mi "
                         "Home accounts cannot log in here).",
                         code, msg, call);
  case 2010:
    return cloud_refusal(ErrorCode::LoginExpired,
                         "The saved login no longer works; run roborock-login again.", code, msg,
                         call);
  default:
    return cloud_refusal(ErrorCode::WebApiError,
                         "The Roborock cloud refused the request (code " + std::to_string(code) +
                             ").",
                         code, msg, call);
  }
}

Error unexpected(const std::string &call, const std::string &what) {
  Error error{ErrorCode::WebApiError, "The Roborock cloud gave an answer this tool does not know.",
              call + ": " + what};
  error.method = call;
  return error;
}

} // namespace

std::vector<std::string> default_web_api_base_urls() {
  return {"https://usiot.roborock.com", "https://euiot.roborock.com", "https://cniot.roborock.com",
          "https://ruiot.roborock.com"};
}

std::string random_alphanumeric(size_t length) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  constexpr unsigned kLimit = 62 * 4; // reject bytes above a multiple of 62: no bias
  std::string out;
  while (out.size() < length) {
    unsigned char byte = 0;
    if (RAND_bytes(&byte, 1) != 1)
      g_error("OpenSSL has no randomness");
    if (byte < kLimit)
      out += kAlphabet[byte % 62];
  }
  return out;
}

WebApi::WebApi(std::string email, WebApiOptions options)
    : email_(std::move(email)), device_identifier_(random_alphanumeric(22)),
      options_(std::move(options)), http_(options_.http) {}

std::string WebApi::client_id() const {
  Md5Digest digest = md5(email_ + device_identifier_);
  return base64_encode(std::string_view(reinterpret_cast<const char *>(digest.data()), 16));
}

Result<WebApi::Reply> WebApi::call_iot(const std::string &method, const std::string &base_url,
                                       const std::string &path, const HttpFields &query,
                                       const HttpFields &form, HttpFields headers) {
  headers.emplace_back("header_clientid", client_id());
  HttpRequest request{method, base_url + path, std::move(headers), url_encode_fields(form)};
  if (!query.empty())
    request.url += "?" + url_encode_fields(query);
  auto response = http_.send(request);
  if (!response)
    return response.error();
  Reply reply;
  reply.http_status = response->status;
  if (reply.http_status == 404)
    return reply; // the caller may fall back to an older version of the call
  auto root = parse_json(response->body, "web API reply");
  if (!root || !JSON_NODE_HOLDS_OBJECT(root->get()))
    return unexpected(path, "HTTP " + std::to_string(reply.http_status) + ", not a JSON object");
  reply.root = std::move(root.value());
  JsonObject *object = json_node_get_object(reply.root.get());
  JsonNode *code = json_object_get_member(object, "code");
  if (!code || !JSON_NODE_HOLDS_VALUE(code) || json_node_get_value_type(code) != G_TYPE_INT64)
    return unexpected(path, "HTTP " + std::to_string(reply.http_status) + ", no integer code");
  reply.code = json_node_get_int(code);
  if (const char *msg = json_object_string(object, "msg"))
    reply.msg = msg;
  reply.data = json_object_object(object, "data");
  return reply;
}

Result<AccountRegion> WebApi::find_region(size_t &next_base) {
  std::string last_failure;
  bool any_answer = false;
  for (; next_base < options_.base_urls.size(); next_base++) {
    const std::string &base = options_.base_urls[next_base];
    auto reply = call_iot("POST", base, "/api/v1/getUrlByEmail",
                          {{"email", email_}, {"needtwostepauth", "false"}}, {}, {});
    if (!reply) {
      if (reply.error().code != ErrorCode::WebApiUnreachable)
        return reply.error();
      last_failure = reply.error().detail;
      continue; // one region down does not hide the account's own
    }
    any_answer = true;
    if (reply->code != kOk)
      return error_for_code(reply->code, reply->msg, "getUrlByEmail");
    AccountRegion region{json_object_string(reply->data, "url") ?: "",
                         json_object_string_or_int(reply->data, "country"),
                         json_object_string_or_int(reply->data, "countrycode")};
    if (region.country.empty() && region.country_code.empty())
      continue; // not this region's account
    if (region.base_url.empty())
      return unexpected("getUrlByEmail", "data.url missing");
    next_base++;
    return region;
  }
  if (!any_answer)
    return Error{ErrorCode::WebApiUnreachable,
                 "Could not reach the Roborock cloud; check the network connection.",
                 "every region failed; last: " + last_failure};
  return Error{ErrorCode::RegionUnknown,
               "No Roborock region knows this email address; use the address you log in to "
               "the Roborock app with.",
               "getUrlByEmail: no region gave a country for the email"};
}

Status WebApi::send_code_v4(const AccountRegion &region, bool &not_here) {
  auto reply = call_iot("POST", region.base_url, "/api/v4/email/code/send", {},
                        {{"email", email_}, {"type", "login"}, {"platform", ""}},
                        {{"header_clientlang", "en"}});
  if (!reply)
    return reply.error();
  if (reply->http_status == 404)
    return send_code_v1(region);
  not_here = reply->code == 3030;
  if (reply->code != kOk)
    return error_for_code(reply->code, reply->msg, "email/code/send");
  return Ok{};
}

Status WebApi::send_code_v1(const AccountRegion &region) {
  auto reply = call_iot("POST", region.base_url, "/api/v1/sendEmailCode",
                        {{"username", email_}, {"type", "auth"}}, {}, {});
  if (!reply)
    return reply.error();
  if (reply->http_status == 404)
    return unexpected("sendEmailCode", "HTTP 404");
  if (reply->code != kOk)
    return error_for_code(reply->code, reply->msg, "sendEmailCode");
  return Ok{};
}

Result<AccountRegion> WebApi::send_login_code() {
  size_t next_base = 0;
  for (;;) {
    auto region = find_region(next_base);
    if (!region)
      return region;
    if (!region->has_country()) {
      auto sent = send_code_v1(*region);
      if (!sent)
        return sent.error();
      return region;
    }
    bool not_here = false;
    auto sent = send_code_v4(*region, not_here);
    if (sent)
      return region;
    if (!not_here || next_base >= options_.base_urls.size())
      return sent.error();
    // 3030: the account lives in another region; ask the next base URL.
  }
}

Result<std::string> WebApi::sign_key(const AccountRegion &region, const std::string &ks) {
  auto reply = call_iot("POST", region.base_url, "/api/v3/key/sign", {{"s", ks}}, {}, {});
  if (!reply)
    return reply.error();
  if (reply->http_status == 404)
    return std::string(); // no v4 in this region: the v1 login follows
  if (reply->code != kOk)
    return error_for_code(reply->code, reply->msg, "key/sign");
  const char *k = json_object_string(reply->data, "k");
  if (!k || !*k)
    return unexpected("key/sign", "data.k missing");
  return std::string(k);
}

namespace {

Result<UserRecord> user_record_from(JsonObject *data, const char *call) {
  if (!data)
    return unexpected(call, "no data object in a successful login");
  UserRecord user;
  const char *token = json_object_string(data, "token");
  JsonObject *rriot = json_object_object(data, "rriot");
  if (!token || !*token || !rriot)
    return unexpected(call, "the user record lacks token or rriot");
  auto keys = read_rriot(rriot, call, "data.rriot");
  if (!keys)
    return unexpected(call, keys.error().message);
  user.token = token;
  user.rriot = std::move(keys.value());
  user.api_url = user.rriot.api_url;
  if (user.api_url.empty())
    return unexpected(call, "data.rriot.r.a missing");
  g_autoptr(JsonNode) node = json_node_init_object(json_node_alloc(), data);
  user.json = serialize_json(node);
  return user;
}

} // namespace

Result<UserRecord> WebApi::login_with_code(const AccountRegion &region, const std::string &code) {
  if (region.has_country()) {
    std::string ks = random_alphanumeric(16);
    auto k = sign_key(region, ks);
    if (!k)
      return k.error();
    if (!k->empty()) {
      auto login = login_v4(region, code, ks, *k);
      if (!login || !login->token.empty())
        return login;
    }
  }
  return login_v1(region, code);
}

// An empty user record's token means "no v4 here" (HTTP 404): v1 follows.
Result<UserRecord> WebApi::login_v4(const AccountRegion &region, const std::string &code,
                                    const std::string &ks, const std::string &k) {
  auto reply = call_iot("POST", region.base_url, "/api/v4/auth/email/login/code", {},
                        {{"country", region.country},
                         {"countryCode", region.country_code},
                         {"email", email_},
                         {"code", code},
                         {"majorVersion", kAgreementMajor},
                         {"minorVersion", kAgreementMinor}},
                        {{"x-mercy-ks", ks},
                         {"x-mercy-k", k},
                         {"header_clientlang", "en"},
                         {"header_appversion", kAppVersion},
                         {"header_phonesystem", kPhoneSystem},
                         {"header_phonemodel", kPhoneModel}});
  if (!reply)
    return reply.error();
  if (reply->http_status == 404)
    return UserRecord{};
  if (reply->code != kOk)
    return error_for_code(reply->code, reply->msg, "auth/email/login/code");
  return user_record_from(reply->data, "auth/email/login/code");
}

Result<UserRecord> WebApi::login_v1(const AccountRegion &region, const std::string &code) {
  auto reply = call_iot(
      "POST", region.base_url, "/api/v1/loginWithCode",
      {{"username", email_}, {"verifycode", code}, {"verifycodetype", "AUTH_EMAIL_CODE"}}, {}, {});
  if (!reply)
    return reply.error();
  if (reply->http_status == 404)
    return unexpected("loginWithCode", "HTTP 404");
  if (reply->code != kOk)
    return error_for_code(reply->code, reply->msg, "loginWithCode");
  return user_record_from(reply->data, "loginWithCode");
}

Result<HomeData> WebApi::fetch_home_data(const std::string &base_url, const UserRecord &user) {
  auto detail =
      call_iot("GET", base_url, "/api/v1/getHomeDetail", {}, {}, {{"Authorization", user.token}});
  if (!detail)
    return detail.error();
  if (detail->code != kOk)
    return error_for_code(detail->code, detail->msg, "getHomeDetail");
  std::string home_id = json_object_string_or_int(detail->data, "rrHomeId");
  if (home_id.empty())
    return unexpected("getHomeDetail", "data.rrHomeId missing");

  std::string path = "/v3/user/homes/" + home_id;
  std::string nonce = random_alphanumeric(8);
  HttpRequest request{"GET",
                      user.api_url + path,
                      {{"Authorization", hawk_authorization(user.rriot, {path, {}, ""},
                                                            int64_t(std::time(nullptr)), nonce)}},
                      ""};
  auto response = http_.send(request);
  if (!response)
    return response.error();
  auto devices = parse_home_data(response->body);
  if (!devices) {
    Error error = devices.error();
    error.detail += " (HTTP " + std::to_string(response->status) + ")";
    return error;
  }
  auto root = parse_json(response->body, "home data reply");
  JsonNode *result = json_object_get_member(json_node_get_object(root->get()), "result");
  return HomeData{serialize_json(result), std::move(devices.value())};
}

} // namespace roborock
