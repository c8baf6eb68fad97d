// SPDX-License-Identifier: LGPL-2.1-or-later
// What the simulated robot notices in a viewer's offer SDP: the facts the
// `offer` event logs, and the shapes --strict-offer refuses (real robots
// parse offers far less generously than webrtcbin does).
#pragma once

#include <string>
#include <vector>

namespace roborock::sim {

struct OfferSummary {
  std::vector<std::string> mids; // a=mid values, in m-line order
  std::vector<unsigned> ports;   // m-line ports, in m-line order
  bool bundle_only = false;      // any a=bundle-only
  std::string bundle;            // the a=group:BUNDLE mids, space-separated
  bool has_audio = false;
  std::string audio_direction = "none";
  std::vector<std::string> audio_codecs; // the audio rtpmap encodings, m-line order
  std::string opus_fmtp;                 // fmtp of the Opus payload
};

OfferSummary summarize_offer(const std::string &sdp);

// Why a real robot would refuse this offer; empty when it would take it.
std::string strict_offer_problem(const OfferSummary &offer);

std::string join(const std::vector<std::string> &items, const char *separator);
std::vector<std::string> port_texts(const std::vector<unsigned> &ports);

} // namespace roborock::sim
