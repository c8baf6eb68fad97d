// SPDX-License-Identifier: LGPL-2.1-or-later
// The credentials file roborock-login writes (protocol reference §9, §10): the
// user_data form that load_credentials_file reads, plus what a later
// `--refresh` needs (the email and the region's base URL). Mode 0600, written
// atomically: a crash never leaves half a file or one others can read.
#pragma once

#include <string>

#include "error.h"
#include "web_api.h"

namespace roborock {

struct SavedLogin {
  std::string email;
  AccountRegion region;
  UserRecord user;
  std::string home_json; // the home data `result` object
};

// Creates the directory (0700) when missing.
Status write_login_file(const std::string &path, const SavedLogin &login);

// What write_login_file wrote (home_json aside); a file that another tool
// wrote has no email or base URL, which is said as such.
Result<SavedLogin> read_login_file(const std::string &path);

} // namespace roborock
