// SPDX-License-Identifier: LGPL-2.1-or-later
#include "offer_summary.h"

#include <cctype>

#include <glib.h>

#include "robot_sdp.h"

namespace roborock::sim {
namespace {

bool is_opus(const std::string &encoding) {
  return g_ascii_strncasecmp(encoding.c_str(), "opus/", 5) == 0;
}

void summarize_audio(const SdpMedia &audio, OfferSummary *summary) {
  summary->has_audio = true;
  summary->audio_direction = audio.direction;
  summary->audio_codecs = audio.codecs;
  for (size_t i = 0; i < audio.codecs.size(); i++)
    if (is_opus(audio.codecs[i]) && summary->opus_fmtp.empty())
      summary->opus_fmtp = audio.fmtps[i];
}

bool is_short_number(const std::string &text) {
  return !text.empty() && text.size() <= 2 && std::isdigit(uint8_t(text[0])) &&
         std::isdigit(uint8_t(text.back()));
}

} // namespace

OfferSummary summarize_offer(const std::string &sdp) {
  OfferSummary summary;
  summary.bundle = join(sdp_bundle_group(sdp), " ");
  for (const SdpMedia &media : parse_sdp_media(sdp)) {
    if (!media.mid.empty())
      summary.mids.push_back(media.mid);
    summary.ports.push_back(media.port);
    summary.bundle_only = summary.bundle_only || media.bundle_only;
    if (media.kind == "audio" && !summary.has_audio)
      summarize_audio(media, &summary);
  }
  return summary;
}

std::string strict_offer_problem(const OfferSummary &offer) {
  // bundle-only first: max-bundle offerers pair it with port 0, and it is the cause.
  if (offer.bundle_only)
    return "offer has bundle-only m-lines (unsupported)";
  for (unsigned port : offer.ports)
    if (port == 0)
      return "offer has an m-line with port 0 (unsupported)";
  for (const std::string &mid : offer.mids)
    if (!is_short_number(mid))
      return "offer has mid \"" + mid + "\", not a 1-2 digit number (unsupported)";
  if (!offer.has_audio)
    return "offer has no audio m-line (unsupported)";
  if (offer.audio_codecs.empty() ||
      g_ascii_strcasecmp(offer.audio_codecs[0].c_str(), "OPUS/48000/2") != 0)
    return "offer's first audio codec is not OPUS/48000/2 (unsupported)";
  return {};
}

std::string join(const std::vector<std::string> &items, const char *separator) {
  std::string out;
  for (size_t i = 0; i < items.size(); i++)
    out += (i ? separator : "") + items[i];
  return out;
}

std::vector<std::string> port_texts(const std::vector<unsigned> &ports) {
  std::vector<std::string> texts;
  for (unsigned port : ports)
    texts.push_back(std::to_string(port));
  return texts;
}

} // namespace roborock::sim
