// SPDX-License-Identifier: LGPL-2.1-or-later
// The offer in the form real robots answer, the answer back for webrtcbin,
// robot candidates under BUNDLE, and what a robot's error reply means.
#include "robot_errors.h"
#include "robot_sdp.h"
#include "test_support.h"

using namespace roborock;

namespace {

// What webrtcbin 1.22 offers under max-bundle (shortened).
constexpr const char *kWebrtcbinOffer =
    "v=0\r\no=- 1 0 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"
    "a=group:BUNDLE video0 audio1\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=recvonly\r\n"
    "a=rtpmap:96 H264/90000\r\na=mid:video0\r\n"
    "m=audio 0 UDP/TLS/RTP/SAVPF 111 0 8\r\nc=IN IP4 0.0.0.0\r\na=bundle-only\r\na=sendrecv\r\n"
    "a=rtpmap:111 OPUS/48000/2\r\na=fmtp:111 minptime=10;useinbandfec=1\r\n"
    "a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=mid:audio1\r\n";

void test_offer_for_robot() {
  RobotOffer offer = offer_for_robot(kWebrtcbinOffer);
  const std::string &sdp = offer.sdp;
  g_assert_true(sdp.find("a=group:BUNDLE 0 1\r\n") != std::string::npos);
  g_assert_true(sdp.find("m=audio 9 UDP/TLS/RTP/SAVPF 111 0 8\r\n") != std::string::npos);
  g_assert_true(sdp.find("bundle-only") == std::string::npos);
  g_assert_true(sdp.find("a=mid:0\r\n") != std::string::npos);
  g_assert_true(sdp.find("a=mid:1\r\n") != std::string::npos);
  g_assert_true(sdp.find("video0") == std::string::npos);
  g_assert_true(sdp.find("a=fmtp:111 minptime=10;useinbandfec=1\r\n") != std::string::npos);
  std::vector<SdpMedia> media = parse_sdp_media(sdp);
  g_assert_cmpuint(media.size(), ==, 2);
  g_assert_cmpuint(media[1].port, ==, 9);
  g_assert_true(media[1].codecs ==
                (std::vector<std::string>{"OPUS/48000/2", "PCMU/8000", "PCMA/8000"}));
  g_assert_true(media[1].fmtps[0] == "minptime=10;useinbandfec=1");
  g_assert_true(media[0].direction == "recvonly");
  g_assert_false(media[1].rejected());
  g_assert_false(media[1].bundle_only);
  // Static payload types need no rtpmap; bundle-only and the group are seen.
  auto statics = parse_sdp_media("v=0\r\na=group:BUNDLE a b\r\nm=audio 0 X 0 8\r\na=mid:b\r\n"
                                 "a=bundle-only\r\n");
  g_assert_true(statics[0].codecs == (std::vector<std::string>{"PCMU/8000", "PCMA/8000"}));
  g_assert_true(statics[0].bundle_only && statics[0].bundled);
  g_assert_true(sdp_bundle_group("a=group:BUNDLE a b\r\n") == (std::vector<std::string>{"a", "b"}));
  // A NUL inside a payload type (found by the fuzzer): parsed, never a throw.
  std::string nul("m=audio 9 X 1\0x\r\na=rtpmap:1\r\n", 29);
  auto odd = parse_sdp_media(nul);
  g_assert_cmpuint(odd.size(), ==, 1);
  g_assert_cmpuint(odd[0].codecs.size(), ==, 1);
  // An answer's bundled m-line may have port 0; outside BUNDLE port 0 refuses.
  auto answered = parse_sdp_media("v=0\r\na=group:BUNDLE 0 1\r\nm=video 9 X 96\r\na=mid:0\r\n"
                                  "m=audio 0 X 111\r\na=mid:1\r\nm=audio 0 X 0\r\na=mid:2\r\n");
  g_assert_false(answered[1].rejected());
  g_assert_true(answered[2].rejected());
  g_assert_true(media[1].direction == "sendrecv");

  // The robot's answer names "0" and "1"; webrtcbin gets its own names back.
  std::string answer = "v=0\r\na=group:BUNDLE 0 1\r\nm=video 9 X 96\r\na=mid:0\r\n"
                       "m=audio 9 X 111\r\na=mid:1\r\n";
  std::string local = answer_for_webrtcbin(answer, offer);
  g_assert_true(local.find("a=group:BUNDLE video0 audio1\r\n") != std::string::npos);
  g_assert_true(local.find("a=mid:video0\r\n") != std::string::npos);
  g_assert_true(local.find("a=mid:audio1\r\n") != std::string::npos);
  // Candidates in the answer's second bundled m-line move to the first.
  std::string with_candidates = "v=0\r\na=group:BUNDLE 0 1\r\nm=video 9 X 96\r\na=mid:0\r\n"
                                "m=audio 9 X 111\r\na=mid:1\r\na=candidate:1 1 UDP 5 10.0.0.2 "
                                "5000 typ host\r\n";
  ASSERT_STR_EQ(answer_for_webrtcbin(with_candidates, offer),
                "v=0\r\na=group:BUNDLE video0 audio1\r\nm=video 9 X 96\r\na=mid:video0\r\n"
                "a=candidate:1 1 UDP 5 10.0.0.2 5000 typ host\r\nm=audio 9 X 111\r\n"
                "a=mid:audio1\r\n");
  // Lines end in CRLF even when the robot used LF.
  std::string lf = answer_for_webrtcbin("v=0\na=mid:1\n", offer);
  ASSERT_STR_EQ(lf, "v=0\r\na=mid:audio1\r\n");
}

void test_candidate_mline() {
  std::string bundled = "v=0\r\na=group:BUNDLE 0 1\r\nm=video 9 X 96\r\na=mid:0\r\n"
                        "m=audio 9 X 111\r\na=mid:1\r\n";
  struct Case {
    const char *mid;
    int index, expected;
  } cases[] = {
      {"1", 1, 0},             // as the app tags them: to the bundle's first m-line
      {"0", 0, 0}, {"", 1, 0}, // no mid: the bundle's transport
      {"7", 1, 0},             // a mid the answer does not know: index 0
      {"1", 5, 0},
  };
  for (const Case &c : cases)
    g_assert_cmpint(candidate_mline(bundled, IceCandidate{"candidate:x", c.mid, c.index}), ==,
                    c.expected);
  // A bundle led by the audio m-line.
  std::string audio_first = "v=0\r\na=group:BUNDLE 1 0\r\nm=video 9 X 96\r\na=mid:0\r\n"
                            "m=audio 9 X 111\r\na=mid:1\r\n";
  g_assert_cmpint(candidate_mline(audio_first, IceCandidate{"candidate:x", "0", 0}), ==, 1);
  // Without BUNDLE each m-line has its own transport.
  std::string unbundled = "v=0\r\nm=video 9 X 96\r\na=mid:0\r\nm=audio 9 X 111\r\na=mid:1\r\n";
  g_assert_cmpint(candidate_mline(unbundled, IceCandidate{"candidate:x", "1", 0}), ==, 1);
  g_assert_cmpint(candidate_mline(unbundled, IceCandidate{"candidate:x", "", 1}), ==, 1);
}

void test_robot_errors() {
  struct Case {
    int64_t code;
    const char *message;
    RobotRefusal expected;
  } cases[] = {
      {-10010, "error", RobotRefusal::WrongPattern},
      {-1, "password error", RobotRefusal::WrongPattern},
      {-105, "", RobotRefusal::WrongPattern},
      {-106, "", RobotRefusal::TooManyAttempts},
      {-3, "remote viewing locked after too many wrong patterns", RobotRefusal::TooManyAttempts},
      {-9, "password errors too frequent", RobotRefusal::TooManyAttempts},
      {-101, "", RobotRefusal::Docked},
      {-9, "robot is charging", RobotRefusal::Docked},
      {-116, "", RobotRefusal::EmptyingDustBin},
      {-9, "emptying dust bin on the dock", RobotRefusal::EmptyingDustBin},
      {-107, "", RobotRefusal::TryAgain},
      {-2, "camera busy: disconnecting", RobotRefusal::TryAgain},
      {-9, "Operation too frequent", RobotRefusal::TryAgain},
      {-104, "", RobotRefusal::OtherViewer},
      {-2, "camera busy: another client is viewing", RobotRefusal::OtherViewer},
      {-9, "something new", RobotRefusal::Other},
  };
  for (const Case &c : cases)
    if (classify_robot_error(c.code, c.message) != c.expected)
      g_error("code %" G_GINT64_FORMAT " \"%s\" misclassified", c.code, c.message);

  Error docked = explain_preview_refusal(-101, "charging", true);
  g_assert_true(docked.code == ErrorCode::RobotUnavailable);
  g_assert_nonnull(strstr(docked.message.c_str(), "dock"));
  Error needs_pattern = explain_preview_refusal(-10010, "password error", false);
  g_assert_true(needs_pattern.code == ErrorCode::WrongPassword);
  g_assert_nonnull(strstr(needs_pattern.message.c_str(), "needs its pattern"));
  Error other = explain_preview_refusal(-42, "odd state", true);
  g_assert_true(other.code == ErrorCode::RobotError);
  // The robot's words go in the detail (the debug string), not the text.
  g_assert_null(strstr(other.message.c_str(), "odd state"));
  g_assert_nonnull(strstr(other.detail.c_str(), "code -42"));
  g_assert_nonnull(strstr(other.detail.c_str(), "odd state"));
  g_assert_cmpint(other.robot_code, ==, -42);
}

} // namespace

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, nullptr);
  g_test_add_func("/robot-sdp/offer-for-robot", test_offer_for_robot);
  g_test_add_func("/robot-sdp/candidate-mline", test_candidate_mline);
  g_test_add_func("/robot-sdp/robot-errors", test_robot_errors);
  return g_test_run();
}
