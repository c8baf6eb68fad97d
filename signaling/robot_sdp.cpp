// SPDX-License-Identifier: LGPL-2.1-or-later
#include "robot_sdp.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string_view>

namespace roborock {
namespace {

std::vector<std::string> split_lines(const std::string &sdp) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < sdp.size()) {
    size_t end = sdp.find('\n', start);
    std::string line =
        sdp.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    if (!line.empty())
      lines.push_back(line);
    if (end == std::string::npos)
      break;
    start = end + 1;
  }
  return lines;
}

std::string join_lines(const std::vector<std::string> &lines) {
  std::string out;
  for (const std::string &line : lines)
    out += line + "\r\n";
  return out;
}

// The whole prefix, NUL bytes included (a robot's SDP is untrusted text).
bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

std::vector<std::string> words(const std::string &text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string word; in >> word;)
    out.push_back(word);
  return out;
}

// Renames mids in a=mid and a=group:BUNDLE lines through `rename`.
template <typename Rename>
std::vector<std::string> rename_mids(std::vector<std::string> lines, Rename rename) {
  constexpr const char *kGroup = "a=group:BUNDLE";
  for (std::string &line : lines) {
    if (starts_with(line, "a=mid:")) {
      line = "a=mid:" + rename(line.substr(6));
    } else if (starts_with(line, kGroup)) {
      std::string group = kGroup;
      for (const std::string &mid : words(line.substr(strlen(kGroup))))
        group += " " + rename(mid);
      line = group;
    }
  }
  return lines;
}

// The mids of the BUNDLE group, in order (empty without one).
std::vector<std::string> bundle_group(const std::vector<std::string> &lines) {
  for (const std::string &line : lines)
    if (starts_with(line, "a=group:BUNDLE"))
      return words(line.substr(strlen("a=group:BUNDLE")));
  return {};
}

// The rest of `line` after "a=<name>:<pt> ", if it is that attribute.
bool payload_attribute(const std::string &line, const char *name, const std::string &pt,
                       std::string *value) {
  std::string prefix = std::string("a=") + name + ":" + pt + " ";
  if (!starts_with(line, prefix))
    return false;
  *value = line.substr(prefix.size());
  return true;
}

// A payload type's encoding: its rtpmap, else the static assignments of
// RFC 3551 an audio m-line may list without one, else the number itself.
std::string static_encoding(const std::string &pt) {
  if (pt == "0")
    return "PCMU/8000";
  if (pt == "8")
    return "PCMA/8000";
  return pt;
}

// Encodings and fmtp parameters per payload type, from the m-line's lines.
void describe_payloads(SdpMedia &m, const std::vector<std::string> &lines) {
  for (const std::string &pt : m.payloads) {
    std::string encoding = static_encoding(pt), fmtp, value;
    for (const std::string &line : lines) {
      if (payload_attribute(line, "rtpmap", pt, &value))
        encoding = words(value).empty() ? "" : words(value)[0];
      else if (payload_attribute(line, "fmtp", pt, &value))
        fmtp = value;
    }
    m.codecs.push_back(encoding);
    m.fmtps.push_back(fmtp);
  }
}

} // namespace

std::vector<SdpMedia> parse_sdp_media(const std::string &sdp) {
  std::vector<SdpMedia> media;
  std::vector<std::vector<std::string>> media_lines;
  for (const std::string &line : split_lines(sdp)) {
    if (starts_with(line, "m=")) {
      std::vector<std::string> fields = words(line.substr(2));
      SdpMedia m;
      m.kind = fields.empty() ? "" : fields[0];
      m.port = fields.size() > 1 ? unsigned(std::strtoul(fields[1].c_str(), nullptr, 10)) : 0;
      m.direction = "sendrecv";
      if (fields.size() > 3)
        m.payloads.assign(fields.begin() + 3, fields.end());
      media.push_back(m);
      media_lines.emplace_back();
    } else if (!media.empty()) {
      SdpMedia &m = media.back();
      media_lines.back().push_back(line);
      if (starts_with(line, "a=mid:"))
        m.mid = line.substr(6);
      else if (line == "a=bundle-only")
        m.bundled = m.bundle_only = true;
      for (const char *direction : {"sendrecv", "sendonly", "recvonly", "inactive"})
        if (line == std::string("a=") + direction)
          m.direction = direction;
    }
  }
  std::vector<std::string> bundle = sdp_bundle_group(sdp);
  for (size_t i = 0; i < media.size(); i++) {
    describe_payloads(media[i], media_lines[i]);
    if (std::find(bundle.begin(), bundle.end(), media[i].mid) != bundle.end())
      media[i].bundled = true;
  }
  return media;
}

std::vector<std::string> sdp_bundle_group(const std::string &sdp) {
  return bundle_group(split_lines(sdp));
}

RobotOffer offer_for_robot(const std::string &local_offer) {
  RobotOffer offer;
  std::vector<SdpMedia> media = parse_sdp_media(local_offer);
  for (size_t i = 0; i < media.size(); i++)
    offer.mids.emplace_back(std::to_string(i), media[i].mid);
  auto to_robot = [&offer](const std::string &mid) {
    for (const auto &pair : offer.mids)
      if (pair.second == mid)
        return pair.first;
    return mid;
  };
  std::vector<std::string> out;
  for (const std::string &line : rename_mids(split_lines(local_offer), to_robot)) {
    if (line == "a=bundle-only")
      continue;
    // A bundle-only m-line's port 0 would read as "rejected" to a stack
    // without bundle-only support; port 9 is the "discard" placeholder.
    std::vector<std::string> fields = words(line);
    if (starts_with(line, "m=") && fields.size() > 2 && fields[1] == "0") {
      fields[1] = "9";
      std::string rebuilt = fields[0];
      for (size_t i = 1; i < fields.size(); i++)
        rebuilt += " " + fields[i];
      out.push_back(rebuilt);
      continue;
    }
    out.push_back(line);
  }
  offer.sdp = join_lines(out);
  return offer;
}

namespace {

// Each line's m-line index (-1 for the session part).
std::vector<int> section_of_lines(const std::vector<std::string> &lines) {
  std::vector<int> sections;
  int section = -1;
  for (const std::string &line : lines) {
    if (starts_with(line, "m="))
      section++;
    sections.push_back(section);
  }
  return sections;
}

// Under BUNDLE, a=candidate lines of the other bundled m-lines move to the
// first bundled one: webrtcbin 1.22 drops candidates of any other m-line,
// and they belong to the one shared transport anyway.
std::vector<std::string> bundle_candidates(const std::vector<std::string> &lines,
                                           const std::vector<SdpMedia> &media) {
  std::vector<std::string> bundle = bundle_group(lines);
  int first = -1;
  for (size_t i = 0; i < media.size() && !bundle.empty(); i++)
    if (media[i].mid == bundle.front())
      first = int(i);
  if (first < 0)
    return lines;
  std::vector<int> sections = section_of_lines(lines);
  std::vector<std::string> moved, out;
  for (size_t i = 0; i < lines.size(); i++)
    if (starts_with(lines[i], "a=candidate:") && sections[i] >= 0 && sections[i] != first &&
        media[sections[i]].bundled)
      moved.push_back(lines[i]);
  for (size_t i = 0; i < lines.size(); i++) {
    if (std::find(moved.begin(), moved.end(), lines[i]) != moved.end() && sections[i] != first)
      continue;
    out.push_back(lines[i]);
    bool last_of_first =
        sections[i] == first && (i + 1 == lines.size() || sections[i + 1] != first);
    if (last_of_first)
      out.insert(out.end(), moved.begin(), moved.end());
  }
  return out;
}

} // namespace

std::string answer_for_webrtcbin(const std::string &robot_answer, const RobotOffer &offer) {
  auto to_local = [&offer](const std::string &mid) {
    for (const auto &pair : offer.mids)
      if (pair.first == mid)
        return pair.second;
    return mid;
  };
  std::vector<std::string> lines = split_lines(robot_answer);
  lines = bundle_candidates(lines, parse_sdp_media(robot_answer));
  return join_lines(rename_mids(lines, to_local));
}

int candidate_mline(const std::string &answer, const IceCandidate &candidate) {
  std::vector<std::string> lines = split_lines(answer);
  std::vector<std::string> bundle = bundle_group(lines);
  std::vector<SdpMedia> media = parse_sdp_media(answer);
  auto index_of_mid = [&media](const std::string &mid) {
    for (size_t i = 0; i < media.size(); i++)
      if (!mid.empty() && media[i].mid == mid)
        return int(i);
    return -1;
  };
  if (bundle.empty()) {
    int named = index_of_mid(candidate.sdp_mid);
    return named >= 0 ? named : candidate.sdp_mline_index;
  }
  bool bundled = candidate.sdp_mid.empty() ||
                 std::find(bundle.begin(), bundle.end(), candidate.sdp_mid) != bundle.end();
  int first = index_of_mid(bundle.front());
  return bundled && first >= 0 ? first : 0;
}

} // namespace roborock
