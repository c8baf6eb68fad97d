// SPDX-License-Identifier: LGPL-2.1-or-later
#include "offer_summary.h"

#include <cctype>
#include <sstream>

#include <glib.h>

namespace roborock::sim {
namespace {

// One m= section of an SDP, or (with an empty kind) the session part.
struct MediaSection {
  std::string kind, port;
  std::vector<std::string> payloads;
  std::vector<std::string> attributes; // "a=" lines without the "a="
};

std::vector<MediaSection> split_sections(const std::string &sdp) {
  std::vector<MediaSection> sections(1); // the session part first
  std::istringstream lines(sdp);
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    if (line.rfind("m=", 0) == 0) {
      MediaSection media;
      std::istringstream fields(line.substr(2));
      std::string protocol, payload;
      fields >> media.kind >> media.port >> protocol;
      while (fields >> payload)
        media.payloads.push_back(payload);
      sections.push_back(media);
    } else if (line.rfind("a=", 0) == 0) {
      sections.back().attributes.push_back(line.substr(2));
    }
  }
  return sections;
}

// The rest of the first attribute that starts with `prefix`, in *value.
bool attribute_value(const MediaSection &section, const std::string &prefix, std::string *value) {
  for (const std::string &attribute : section.attributes)
    if (attribute.rfind(prefix, 0) == 0) {
      *value = attribute.substr(prefix.size());
      return true;
    }
  return false;
}

bool has_attribute(const MediaSection &section, const char *name) {
  for (const std::string &attribute : section.attributes)
    if (attribute == name)
      return true;
  return false;
}

// The encoding of payload type `pt`: its rtpmap, or the static assignment of
// RFC 3551 for the two an audio m-line may list without one.
std::string payload_encoding(const MediaSection &section, const std::string &pt) {
  std::string value;
  if (attribute_value(section, "rtpmap:" + pt + " ", &value))
    return value;
  if (pt == "0")
    return "PCMU/8000";
  if (pt == "8")
    return "PCMA/8000";
  return pt;
}

bool is_opus(const std::string &encoding) {
  return g_ascii_strncasecmp(encoding.c_str(), "opus/", 5) == 0;
}

void summarize_audio(const MediaSection &audio, OfferSummary *summary) {
  summary->has_audio = true;
  summary->audio_direction = "sendrecv"; // the SDP default
  for (const char *direction : {"sendrecv", "sendonly", "recvonly", "inactive"})
    if (has_attribute(audio, direction)) {
      summary->audio_direction = direction;
      break;
    }
  for (const std::string &pt : audio.payloads) {
    std::string encoding = payload_encoding(audio, pt);
    summary->audio_codecs.push_back(encoding);
    std::string fmtp;
    if (is_opus(encoding) && summary->opus_fmtp.empty() &&
        attribute_value(audio, "fmtp:" + pt + " ", &fmtp))
      summary->opus_fmtp = fmtp;
  }
}

std::vector<std::string> split_words(const std::string &text) {
  std::istringstream stream(text);
  std::vector<std::string> words;
  for (std::string word; stream >> word;)
    words.push_back(word);
  return words;
}

bool is_short_number(const std::string &text) {
  return !text.empty() && text.size() <= 2 && std::isdigit(uint8_t(text[0])) &&
         std::isdigit(uint8_t(text.back()));
}

} // namespace

OfferSummary summarize_offer(const std::string &sdp) {
  OfferSummary summary;
  std::vector<MediaSection> sections = split_sections(sdp);
  std::string group;
  if (attribute_value(sections[0], "group:BUNDLE", &group))
    summary.bundle = join(split_words(group), " ");
  for (size_t i = 1; i < sections.size(); i++) {
    const MediaSection &media = sections[i];
    std::string mid;
    if (attribute_value(media, "mid:", &mid))
      summary.mids.push_back(mid);
    summary.ports.push_back(media.port);
    summary.bundle_only = summary.bundle_only || has_attribute(media, "bundle-only");
    if (media.kind == "audio" && !summary.has_audio)
      summarize_audio(media, &summary);
  }
  return summary;
}

std::string strict_offer_problem(const OfferSummary &offer) {
  // bundle-only first: max-bundle offerers pair it with port 0, and it is the cause.
  if (offer.bundle_only)
    return "offer has bundle-only m-lines (unsupported)";
  for (const std::string &port : offer.ports)
    if (port == "0" || port.rfind("0/", 0) == 0)
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

} // namespace roborock::sim
