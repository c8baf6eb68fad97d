// SPDX-License-Identifier: LGPL-2.1-or-later
// The Roborock account web API (protocol reference §10): find the account's
// region from its email, have a login code emailed, log in with it, and fetch
// the home's robots. Blocking calls; each answer the cloud can give becomes a
// typed Error whose message tells the user what to do.
#pragma once

#include <string>
#include <vector>

#include "credentials.h"
#include "error.h"
#include "home_data.h"
#include "http_client.h"

namespace roborock {

// The iot API's base URLs, in the order python-roborock asks them.
std::vector<std::string> default_web_api_base_urls();

struct AccountRegion {
  std::string base_url;     // data.url: the base of every later iot call
  std::string country;      // e.g. "US"; empty when the cloud gave none
  std::string country_code; // e.g. "1"
  bool has_country() const { return !country.empty() && !country_code.empty(); }
};

// The account after a login: `data` of the login reply. Secrets throughout.
struct UserRecord {
  std::string json;  // the whole object as the cloud sent it, for the credentials file
  std::string token; // the iot API's Authorization value
  Rriot rriot;
  std::string api_url; // rriot.r.a: the rriot API's base
};

struct HomeData {
  std::string json; // the `result` object as the cloud sent it
  std::vector<DeviceRecord> devices;
};

struct WebApiOptions {
  std::vector<std::string> base_urls = default_web_api_base_urls();
  HttpClientOptions http;
};

class WebApi {
public:
  WebApi(std::string email, WebApiOptions options);

  // Asks the base URLs in turn for the email's region, then has a login code
  // sent there (v4 when the region gave a country, else v1; v1 too when the
  // region has no v4). A region that says the account is not its own (3030)
  // passes the question to the next base URL. One code is asked for per call.
  Result<AccountRegion> send_login_code();
  Result<UserRecord> login_with_code(const AccountRegion &region, const std::string &code);
  // getHomeDetail, then the Hawk-signed home data of that home.
  Result<HomeData> fetch_home_data(const std::string &base_url, const UserRecord &user);

private:
  struct Reply;
  Result<AccountRegion> find_region(size_t &next_base);
  Status send_code_v4(const AccountRegion &region, bool &not_here);
  Status send_code_v1(const AccountRegion &region);
  // data.k for the v4 login; empty when the region has no v4 (HTTP 404).
  Result<std::string> sign_key(const AccountRegion &region, const std::string &ks);
  Result<UserRecord> login_v4(const AccountRegion &region, const std::string &code,
                              const std::string &ks, const std::string &k);
  Result<UserRecord> login_v1(const AccountRegion &region, const std::string &code);
  Result<Reply> call_iot(const std::string &method, const std::string &base_url,
                         const std::string &path, const HttpFields &query, const HttpFields &form,
                         HttpFields headers);
  std::string client_id() const;

  std::string email_;
  std::string device_identifier_; // random per client, as python-roborock's
  WebApiOptions options_;
  HttpClient http_;
};

// 16 random letters and digits (the v4 login's x-mercy-ks).
std::string random_alphanumeric(size_t length);

} // namespace roborock
