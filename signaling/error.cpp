// SPDX-License-Identifier: LGPL-2.1-or-later
#include "error.h"

namespace roborock {

const char *error_code_name(ErrorCode code) {
  switch (code) {
  case ErrorCode::FrameTooShort:
    return "frame-too-short";
  case ErrorCode::FrameBadVersion:
    return "frame-bad-version";
  case ErrorCode::FrameLengthMismatch:
    return "frame-length-mismatch";
  case ErrorCode::FrameCrcMismatch:
    return "frame-crc-mismatch";
  case ErrorCode::FrameDecryptFailed:
    return "frame-decrypt-failed";
  case ErrorCode::FrameTooLarge:
    return "frame-too-large";
  case ErrorCode::BadJson:
    return "bad-json";
  case ErrorCode::BadBase64:
    return "bad-base64";
  case ErrorCode::BadMessage:
    return "bad-message";
  case ErrorCode::FileUnreadable:
    return "file-unreadable";
  case ErrorCode::CredentialsMissing:
    return "credentials-missing";
  case ErrorCode::CredentialsMalformed:
    return "credentials-malformed";
  case ErrorCode::BadBrokerUrl:
    return "bad-broker-url";
  case ErrorCode::BrokerUnreachable:
    return "broker-unreachable";
  case ErrorCode::BrokerNotAuthorized:
    return "broker-not-authorized";
  case ErrorCode::ConnectionLost:
    return "connection-lost";
  case ErrorCode::WrongPassword:
    return "wrong-password";
  case ErrorCode::ViewingLocked:
    return "viewing-locked";
  case ErrorCode::RobotUnavailable:
    return "robot-unavailable";
  case ErrorCode::CameraBusy:
    return "camera-busy";
  case ErrorCode::RobotTimeout:
    return "robot-timeout";
  case ErrorCode::RobotError:
    return "robot-error";
  case ErrorCode::Unsupported:
    return "unsupported";
  case ErrorCode::NegotiationFailed:
    return "negotiation-failed";
  case ErrorCode::MediaPathFailed:
    return "media-path-failed";
  case ErrorCode::CodecUnsupported:
    return "codec-unsupported";
  case ErrorCode::VideoRefused:
    return "video-refused";
  case ErrorCode::Cancelled:
    return "cancelled";
  case ErrorCode::WebApiUnreachable:
    return "web-api-unreachable";
  case ErrorCode::WebApiError:
    return "web-api-error";
  case ErrorCode::RegionUnknown:
    return "region-unknown";
  case ErrorCode::AccountUnknown:
    return "account-unknown";
  case ErrorCode::LoginCodeWrong:
    return "login-code-wrong";
  case ErrorCode::TooManyRequests:
    return "too-many-requests";
  case ErrorCode::AgreementNeeded:
    return "agreement-needed";
  case ErrorCode::LoginExpired:
    return "login-expired";
  }
  return "unknown";
}

} // namespace roborock
