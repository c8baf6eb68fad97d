// SPDX-License-Identifier: LGPL-2.1-or-later
// SDP as the robots' WebRTC stacks expect it (protocol reference, "The
// offer"), and the way back to webrtcbin. Pure text functions, no I/O.
//
// webrtcbin 1.22 under max-bundle offers the second m-line with port 0 and
// a=bundle-only, and names mids "video0"/"audio1". The clients that stream
// real robots offer every m-line with port 9, no bundle-only, and mids
// "0", "1". The robot gets that form; its answer (whose mids follow ours) is
// renamed back before webrtcbin sees it, so webrtcbin only ever sees its own
// names.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "payload.h"

namespace roborock {

struct RobotOffer {
  std::string sdp;                                       // what send_sdp_to_robot carries
  std::vector<std::pair<std::string, std::string>> mids; // robot's mid -> webrtcbin's
};
RobotOffer offer_for_robot(const std::string &local_offer);
// The robot's answer with webrtcbin's mids back, and (under BUNDLE) every
// a=candidate line in the first bundled m-line, the only one webrtcbin 1.22
// takes candidates for.
std::string answer_for_webrtcbin(const std::string &robot_answer, const RobotOffer &offer);

// The m-line index to give webrtcbin for a robot candidate. Under BUNDLE all
// m-lines share the first bundled m-line's transport, and webrtcbin 1.22
// ignores candidates for any other index; robots tag candidates as they like
// (index 1, mid "1"). With a BUNDLE group in `answer`: the first bundled
// m-line (when the candidate's sdpMid names a bundled m-line or is absent), or
// 0. Without one: the m-line its sdpMid names, else its own index.
int candidate_mline(const std::string &answer, const IceCandidate &candidate);

struct SdpMedia {
  std::string kind; // "video", "audio", ...
  unsigned port = 0;
  std::string mid;
  std::string direction;             // sendrecv (the default), sendonly, recvonly, inactive
  std::vector<std::string> payloads; // payload types in m-line order
  std::vector<std::string> codecs;   // their encodings, e.g. "OPUS/48000/2" (see encoding())
  std::vector<std::string> fmtps;    // their a=fmtp parameters ("" without)
  bool bundled = false;              // in the BUNDLE group, or a=bundle-only
  bool bundle_only = false;          // a=bundle-only

  // Port 0 outside BUNDLE: the answerer refused this m-line. (A bundled
  // m-line may carry port 0: it rides on the first one's transport.)
  bool rejected() const { return port == 0 && !bundled; }
};
std::vector<SdpMedia> parse_sdp_media(const std::string &sdp);
// The mids of the a=group:BUNDLE line, in order (empty without one).
std::vector<std::string> sdp_bundle_group(const std::string &sdp);

} // namespace roborock
