// SPDX-License-Identifier: LGPL-2.1-or-later
// Typed errors shared by every part of the signaling library.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace roborock {

// What went wrong, coarse enough for a caller to decide what to do (the element
// maps these to GStreamer error domains and codes), fine enough for tests.
enum class ErrorCode {
  // V1 frame decoding (protocol reference §3).
  FrameTooShort,
  FrameBadVersion,
  FrameLengthMismatch,
  FrameCrcMismatch,
  FrameDecryptFailed, // bad block size or padding: almost always a wrong local key
  FrameTooLarge,      // encode: payload does not fit the 16-bit length field
  // Payload and message parsing (§4, §5).
  BadJson,
  BadBase64,
  BadMessage, // valid JSON of an unexpected shape
  // Credentials (§2, §9).
  FileUnreadable,
  CredentialsMissing,
  CredentialsMalformed,
  BadBrokerUrl,
  // Broker and robot (§7).
  BrokerUnreachable,
  BrokerNotAuthorized,
  ConnectionLost,
  WrongPassword,
  ViewingLocked, // too many wrong patterns: the robot refuses viewing for a while
  CameraBusy,
  RobotUnavailable, // on its dock, charging, emptying its dust bin
  RobotTimeout,
  RobotError,
  Unsupported,
  NegotiationFailed,
  MediaPathFailed,  // ICE failed before the media ever connected
  CodecUnsupported, // the robot's answer sends media in a codec we cannot play
  VideoRefused,     // the robot's answer refuses (or lacks) the video stream
  Cancelled,
  // The account web API (§10).
  WebApiUnreachable, // no network, DNS, TLS refused or untrusted, timeout
  WebApiError,       // an answer of an unexpected shape, or an unknown code
  RegionUnknown,     // no region knows the email
  AccountUnknown,    // 2008, 3039: no account with this email
  LoginCodeWrong,    // 2018
  TooManyRequests,   // 9002: too many codes asked for; the account is locked for a while
  AgreementNeeded,   // 3009, 3006: the user agreement must be accepted in the app
  LoginExpired,      // 2010: the saved token no longer works; log in again
};

// A short stable name for logs and tests ("frame-crc-mismatch").
const char *error_code_name(ErrorCode code);

struct Error {
  ErrorCode code;
  std::string message; // for humans: short, says what to do; never contains secrets
  // For the debug string and applications: what the robot said, the RPC
  // involved, counts. Never secrets either.
  std::string detail;
  int64_t robot_code = 0; // the robot's (or the web API's) error code, when it gave one
  std::string method;     // the RPC it concerns, if any
};

// A value or an Error. Small on purpose: C++17 has no std::expected.
template <typename T>
class Result {
public:
  Result(T value) : storage_(std::in_place_index<0>, std::move(value)) {}
  Result(Error error) : storage_(std::in_place_index<1>, std::move(error)) {}

  bool ok() const { return storage_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T &value() & { return std::get<0>(storage_); }
  const T &value() const & { return std::get<0>(storage_); }
  T &&value() && { return std::get<0>(std::move(storage_)); }
  T *operator->() { return &value(); }
  const T *operator->() const { return &value(); }
  T &operator*() & { return value(); }
  const T &operator*() const & { return value(); }

  const Error &error() const { return std::get<1>(storage_); }

private:
  std::variant<T, Error> storage_;
};

// Result<void> equivalent.
struct Ok {};
using Status = Result<Ok>;

inline Error make_error(ErrorCode code, std::string message) {
  return Error{code, std::move(message)};
}

} // namespace roborock
