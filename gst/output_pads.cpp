// SPDX-License-Identifier: LGPL-2.1-or-later
#include "output_pads.h"

#include <optional>

#include <gst/rtp/gstrtpbuffer.h>
#include <gst/video/video.h>

#include "event_loop.h"
#include "keyframe_recovery.h"

GST_DEBUG_CATEGORY_EXTERN(gst_roborock_src_debug);
#define GST_CAT_DEFAULT gst_roborock_src_debug

namespace roborock {
namespace {

// How long to wait for robot audio after video before declaring no-more-pads.
constexpr unsigned kAudioGraceMs = 3000;
// A keyframe asked for comes a round trip, a frame and its transmission
// later; past this it is taken as lost and asked for again (by either probe:
// keep_timestamped_gops at a start, recover_keyframes after a loss).
constexpr KeyframeRecovery::Time kKeyframeRetry = std::chrono::milliseconds(500);
constexpr gint64 kKeyframeRequestIntervalUs =
    std::chrono::duration_cast<std::chrono::microseconds>(kKeyframeRetry).count();
// Between frames of a burst the jitter buffer stamped alike (see
// keep_timestamped_gops).
constexpr GstClockTime kBurstFrameSpacing = GST_MSECOND;
// How far an audio frame's own timestamp may stray from where the one before
// it ended and still be taken as following it (as audio sinks align).
constexpr GstClockTime kAudioAlignment = 40 * GST_MSECOND;
// A pad that sent data is quiet (and gets GAP events) after this long without
// any: well past the spacing of frames and of the jitter buffer's own loss GAPs.
constexpr gint64 kGapAfterUs = 500 * 1000;
constexpr auto kGapInterval = std::chrono::milliseconds(100);
// Audio that never flowed gets its stream started (caps, then GAPs) only this
// long after video did: then a sink waiting for audio to preroll is what
// holds the pipeline. Sooner, the usual audio would follow caps that are not
// quite its own (opusparse adds a streamheader once it sees data), and
// mp4mux refuses a caps change: a recording fails with not-negotiated.
constexpr gint64 kAudioStartAfterVideoUs = 1000 * 1000;

constexpr const char *kVideoChain = "rtph264depay name=depay request-keyframe=true "
                                    "wait-for-keyframe=true "
                                    "! h264parse config-interval=-1 "
                                    "! capsfilter caps=video/x-h264,stream-format=avc,alignment=au";
// The robot's audio as its answer chose it: Opus, or G.711 from stacks that
// prefer it.
const char *audio_chain_for(GstPad *pad) {
  GstCaps *caps = gst_pad_get_current_caps(pad);
  if (!caps)
    caps = gst_pad_query_caps(pad, nullptr);
  const char *encoding = gst_structure_get_string(gst_caps_get_structure(caps, 0), "encoding-name");
  const char *chain = g_strcmp0(encoding, "PCMU") == 0   ? "rtppcmudepay"
                      : g_strcmp0(encoding, "PCMA") == 0 ? "rtppcmadepay"
                                                         : "rtpopusdepay";
  gst_caps_unref(caps);
  return chain;
}
constexpr const char *kDiscardChain = "fakesink sync=false async=false";

enum class Media { Video, Audio, Other };

Media media_of(GstPad *pad) {
  GstCaps *caps = gst_pad_get_current_caps(pad);
  if (!caps)
    caps = gst_pad_query_caps(pad, nullptr);
  const char *media = gst_structure_get_string(gst_caps_get_structure(caps, 0), "media");
  Media result = g_strcmp0(media, "video") == 0   ? Media::Video
                 : g_strcmp0(media, "audio") == 0 ? Media::Audio
                                                  : Media::Other;
  gst_caps_unref(caps);
  return result;
}

// Finds the OutputPads from a ghost pad's internal pad in its chain function.
GQuark outputs_quark() {
  static GQuark quark = g_quark_from_static_string("roborock-output-pads");
  return quark;
}

// The running time now, on `element`'s clock (none before PLAYING).
std::optional<GstClockTime> running_time(GstElement *element) {
  GstClock *clock = gst_element_get_clock(element);
  if (!clock)
    return std::nullopt;
  GstClockTime now = gst_clock_get_time(clock);
  gst_object_unref(clock);
  GstClockTime base = gst_element_get_base_time(element);
  return now >= base ? std::optional<GstClockTime>(now - base) : std::nullopt;
}

// While rtph264depay drops frames after a loss, asks the robot for a keyframe
// again and again (see keyframe_recovery.h). A packet's PTS, as running time,
// is when it came in (the jitter buffer's arrival-based time). Both probes run on the video
// streaming thread; the jitter buffer pushes single buffers, never lists.
GstPadProbeReturn recover_from_packet(GstPad *pad, GstPadProbeInfo *info, gpointer data) {
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER(info);
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
  GstElement *depayloader = GST_ELEMENT(GST_OBJECT_PARENT(pad));
  std::optional<GstClockTime> now = running_time(depayloader);
  if (!now || !gst_rtp_buffer_map(buffer, GST_MAP_READ, &rtp))
    return GST_PAD_PROBE_OK; // not running yet, or not RTP (the depayloader drops it)
  guint16 seqnum = gst_rtp_buffer_get_seq(&rtp);
  gst_rtp_buffer_unmap(&rtp);
  GstClockTime arrival = *now;
  if (GstEvent *event = gst_pad_get_sticky_event(pad, GST_EVENT_SEGMENT, 0)) {
    const GstSegment *segment = nullptr;
    gst_event_parse_segment(event, &segment);
    GstClockTime at = gst_segment_to_running_time(segment, GST_FORMAT_TIME, GST_BUFFER_PTS(buffer));
    if (GST_CLOCK_TIME_IS_VALID(at))
      arrival = at;
    gst_event_unref(event);
  }
  auto *recovery = static_cast<KeyframeRecovery *>(data);
  if (recovery->on_packet(seqnum, GST_BUFFER_IS_DISCONT(buffer), KeyframeRecovery::Time(arrival),
                          KeyframeRecovery::Time(*now))) {
    GST_DEBUG_OBJECT(pad, "still no keyframe after a loss: asking again (%" G_GUINT64_FORMAT ")",
                     recovery->requests());
    gst_pad_push_event(pad,
                       gst_video_event_new_upstream_force_key_unit(GST_CLOCK_TIME_NONE, TRUE, 0));
  }
  return GST_PAD_PROBE_OK;
}

void recover_keyframes(GstElement *chain) {
  GstElement *depayloader = gst_bin_get_by_name(GST_BIN(chain), "depay");
  if (!depayloader)
    return; // a discard chain, after a chain failed to build
  auto *recovery = new KeyframeRecovery(kKeyframeRetry);
  g_object_set_data_full(G_OBJECT(depayloader), "roborock-keyframe-recovery", recovery,
                         [](gpointer data) { delete static_cast<KeyframeRecovery *>(data); });
  GstPad *in = gst_element_get_static_pad(depayloader, "sink");
  gst_pad_add_probe(in, GST_PAD_PROBE_TYPE_BUFFER, recover_from_packet, recovery, nullptr);
  gst_object_unref(in);
  GstPad *out = gst_element_get_static_pad(depayloader, "src");
  gst_pad_add_probe(
      out, GST_PAD_PROBE_TYPE_BUFFER,
      [](GstPad *, GstPadProbeInfo *info, gpointer data) {
        if (!GST_BUFFER_FLAG_IS_SET(GST_PAD_PROBE_INFO_BUFFER(info), GST_BUFFER_FLAG_DELTA_UNIT))
          static_cast<KeyframeRecovery *>(data)->on_keyframe();
        return GST_PAD_PROBE_OK;
      },
      recovery, nullptr);
  gst_object_unref(out);
  gst_object_unref(depayloader);
}

void remove_chain(GstElement *element, GstElement *chain) {
  gst_element_set_locked_state(chain, TRUE);
  gst_element_set_state(chain, GST_STATE_NULL);
  gst_bin_remove(GST_BIN(element), chain);
}

} // namespace

OutputPads::OutputPads(GstElement *element, NavigationHandler on_navigation,
                       LinkedHandler on_audio_linked)
    : element_(element), on_navigation_(std::move(on_navigation)),
      on_audio_linked_(std::move(on_audio_linked)), combiner_(gst_flow_combiner_new()) {}

OutputPads::~OutputPads() {
  stop_gaps();
  end_session();
  for (Output *output : {&video_, &audio_})
    if (output->ghost)
      gst_object_unref(output->ghost); // the element removes its pads when disposed
  gst_caps_replace(&audio_.gap_caps, nullptr);
  gst_flow_combiner_free(combiner_);
}

void OutputPads::begin_session(bool audio_wanted, GstClockTime latency) {
  std::lock_guard<std::mutex> lock(mutex_);
  audio_wanted_ = audio_wanted;
  latency_ = latency;
  in_session_ = true;
  session_++;
  // Every session starts at a keyframe; a later one (a restart, or PLAYING
  // again) also marks its first buffer DISCONT, so muxers and decoders know.
  waiting_for_keyframe_ = true;
  discont_pending_ = session_ > 1;
  last_keyframe_request_us_ = 0;
  video_frames_ = 0;
  audio_frames_ = 0;
  std::lock_guard<std::mutex> combiner_lock(combiner_mutex_);
  gst_flow_combiner_reset(combiner_);
}

void OutputPads::announce(GstCaps *audio_caps) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!in_session_) {
      gst_caps_replace(&audio_caps, nullptr);
      return;
    }
    ensure_pad(video_); // always first: gst-launch's "roborocksrc ! decodebin" takes it
    gst_caps_take(&audio_.gap_caps, audio_caps);
    if (audio_caps && audio_wanted_)
      ensure_pad(audio_);
    else
      audio_wanted_ = false; // none will come: no-more-pads at once
    maybe_finish();
  }
  expose();
}

bool OutputPads::audio_linked() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return audio_.ghost && gst_pad_is_linked(audio_.ghost);
}

// Unlocked: adding to the bin emits its element-added signals.
GstElement *OutputPads::build_chain(const char *description) {
  GError *error = nullptr;
  GstElement *chain = gst_parse_bin_from_description(description, TRUE, &error);
  if (!chain || error) {
    // The elements were checked before the session started
    // (required_elements.h); an install broken since then still gets a
    // clear error, and the stream is dropped rather than the process.
    GST_ELEMENT_ERROR(element_, CORE, MISSING_PLUGIN, ("cannot build \"%s\"", description),
                      ("%s", error ? error->message : "no chain"));
    g_clear_error(&error);
    if (chain)
      gst_object_unref(chain);
    chain = gst_parse_bin_from_description(kDiscardChain, TRUE, nullptr); // coreelements
  }
  gst_bin_add(GST_BIN(element_), chain);
  gst_element_sync_state_with_parent(chain);
  return chain;
}

// Which of the session's outputs a new webrtcbin pad feeds: video, audio
// or nothing (an unexpected stream, or audio nobody wants). Reserves it.
OutputPads::Output *OutputPads::claim_output(GstPad *pad) {
  Media media = media_of(pad);
  Output *output = nullptr;
  if (media == Media::Video)
    output = &video_;
  else if (media == Media::Audio && audio_wanted_)
    output = &audio_;
  if (!output || output->chain || output->building)
    return nullptr;
  output->building = true;
  return output;
}

void OutputPads::add_webrtc_pad(GstPad *pad) {
  Output *output = nullptr;
  unsigned session;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!in_session_)
      return;
    output = claim_output(pad);
    session = session_;
  }
  // Built unlocked (see build_chain); nothing flows into it before the link
  // below, which is this streaming thread's own next step.
  GstElement *chain;
  if (output == &video_) {
    chain = build_chain(kVideoChain);
    recover_keyframes(chain);
    keep_timestamped_gops(chain);
  } else if (output == &audio_) {
    const char *description = audio_chain_for(pad);
    chain = build_chain(description);
    audio_opus_ = g_str_has_prefix(description, "rtpopus");
    keep_audio_continuous(chain);
  } else {
    chain = build_chain(kDiscardChain); // unexpected streams must not stall webrtcbin
  }
  if (output)
    hold_until_linked(*output, chain);
  GstPad *chain_in = gst_element_get_static_pad(chain, "sink");
  gst_pad_link(pad, chain_in);
  gst_object_unref(chain_in);

  if (!adopt_chain(output, chain, session)) {
    remove_chain(element_, chain); // the session ended meanwhile
    return;
  }
  expose();
}

// Takes a chain built for `output` (null: a discard chain) of session
// `session`; false if that session has ended.
bool OutputPads::adopt_chain(Output *output, GstElement *chain, unsigned session) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (output)
    output->building = false;
  if (!in_session_ || session_ != session)
    return false;
  if (!output) {
    discard_chains_.push_back(chain);
    return true;
  }
  output->chain = chain;
  // Video first; audio that came first waits for it (only until "audio"
  // exists, which fixes the order for good).
  if (output == &video_ || (output == &audio_ && (video_.targeted || audio_.ghost)))
    connect(*output);
  if (output == &video_ && audio_.chain && !audio_.targeted)
    connect(audio_);
  maybe_finish();
  return true;
}

// Until its chain is connected to the element's pad, a chain's output stays
// unlinked: sticky events wait on it and buffers are dropped, not returned as
// not-linked.
void OutputPads::hold_until_linked(Output &output, GstElement *chain) {
  GstPad *chain_out = gst_element_get_static_pad(chain, "src");
  gst_pad_add_probe(
      chain_out, GstPadProbeType(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST),
      [](GstPad *, GstPadProbeInfo *, gpointer data) {
        auto *out = static_cast<Output *>(data);
        return out->linked ? GST_PAD_PROBE_REMOVE : GST_PAD_PROBE_DROP;
      },
      &output, nullptr);
  gst_object_unref(chain_out);
}

// Muxers (mp4mux, splitmuxsink) need a rising timestamp on every frame, and a
// decoder a keyframe before delta frames. The frames a robot sent while the
// media was connecting come in a burst, and the jitter buffer may give them
// all the same timestamp; h264parse then leaves all but the first without
// one. Dropping those until the next keyframe left the first second of a
// recording with a few isolated keyframes: within a GOP they are stamped
// right after the frame before instead (the burst plays fast, then the
// stream runs at its pace). Before the first keyframe (or after a frame
// was lost) frames are dropped up to the next keyframe, which is asked for
// (rtph264depay turns the request into an RTCP PLI to the robot).
void OutputPads::keep_timestamped_gops(GstElement *chain) {
  GstPad *chain_out = gst_element_get_static_pad(chain, "src");
  gst_pad_add_probe(
      chain_out, GST_PAD_PROBE_TYPE_BUFFER,
      [](GstPad *pad, GstPadProbeInfo *info, gpointer data) {
        auto *self = static_cast<OutputPads *>(data);
        GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER(info);
        bool keyframe = !GST_BUFFER_FLAG_IS_SET(buffer, GST_BUFFER_FLAG_DELTA_UNIT);
        GstClockTime pts = GST_BUFFER_PTS(buffer);
        bool stamped =
            GST_CLOCK_TIME_IS_VALID(pts) &&
            (!GST_CLOCK_TIME_IS_VALID(self->last_video_pts_) || pts > self->last_video_pts_);
        if (!stamped && !self->waiting_for_keyframe_ &&
            GST_CLOCK_TIME_IS_VALID(self->last_video_pts_)) {
          buffer = gst_buffer_make_writable(buffer);
          GST_BUFFER_PTS(buffer) = self->last_video_pts_ + kBurstFrameSpacing;
          GST_BUFFER_DTS(buffer) = GST_CLOCK_TIME_NONE;
          GST_PAD_PROBE_INFO_DATA(info) = buffer;
          stamped = true;
        }
        if (stamped && (keyframe || !self->waiting_for_keyframe_)) {
          self->waiting_for_keyframe_ = false;
          self->last_video_pts_ = GST_BUFFER_PTS(buffer);
          if (self->discont_pending_) {
            self->discont_pending_ = false;
            buffer = gst_buffer_make_writable(buffer);
            GST_BUFFER_FLAG_SET(buffer, GST_BUFFER_FLAG_DISCONT);
            GST_PAD_PROBE_INFO_DATA(info) = buffer;
          }
          return GST_PAD_PROBE_OK;
        }
        self->waiting_for_keyframe_ = true;
        gint64 now = g_get_monotonic_time();
        if (now - self->last_keyframe_request_us_ > kKeyframeRequestIntervalUs) {
          self->last_keyframe_request_us_ = now;
          // Sent to our src pad, the event travels upstream to the depayloader.
          gst_pad_send_event(
              pad, gst_video_event_new_upstream_force_key_unit(GST_CLOCK_TIME_NONE, TRUE, 0));
        }
        return GST_PAD_PROBE_DROP;
      },
      this, nullptr);
  gst_object_unref(chain_out);
}

namespace {

// The duration of an encoded audio frame: its own, else from the codec (the
// Opus TOC byte, RFC 6716 section 3.1; 8 kHz G.711 byte count).
GstClockTime audio_frame_duration(GstBuffer *buffer, bool opus) {
  if (GST_BUFFER_DURATION_IS_VALID(buffer))
    return GST_BUFFER_DURATION(buffer);
  gsize size = gst_buffer_get_size(buffer);
  if (!opus)
    return gst_util_uint64_scale(size, GST_SECOND, 8000);
  guint8 header[2] = {0, 0};
  if (gst_buffer_extract(buffer, 0, header, 2) < 1)
    return GST_CLOCK_TIME_NONE;
  guint config = header[0] >> 3;
  static const guint silk_ms[] = {10, 20, 40, 60};
  GstClockTime frame = config < 12   ? silk_ms[config % 4] * GST_MSECOND
                       : config < 16 ? (config % 2 ? 20 : 10) * GST_MSECOND
                                     : 2500 * GST_USECOND * (1u << (config % 4));
  guint frames = (header[0] & 3) == 0 ? 1 : (header[0] & 3) < 3 ? 2 : (header[1] & 0x3f);
  return frame * frames;
}

} // namespace

// Audio timestamps rise by each frame's duration from the first buffer, as
// muxers and audio sinks want, whatever the jitter buffer's arrival-based
// estimates do (jitter, or a burst at the start of voice chat stamped alike):
// within kAudioAlignment of the expected time a frame takes the expected
// time. Far later (a loss, a pause) it keeps its own, flagged DISCONT; far
// earlier, the frame is stale (the rest of a burst) and is dropped until the
// stream catches up with its timeline.
void OutputPads::keep_audio_continuous(GstElement *chain) {
  GstPad *chain_out = gst_element_get_static_pad(chain, "src");
  gst_pad_add_probe(
      chain_out, GST_PAD_PROBE_TYPE_BUFFER,
      [](GstPad *, GstPadProbeInfo *info, gpointer data) {
        auto *self = static_cast<OutputPads *>(data);
        GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER(info);
        GstClockTime pts = GST_BUFFER_PTS(buffer);
        GstClockTime duration = audio_frame_duration(buffer, self->audio_opus_);
        if (!GST_CLOCK_TIME_IS_VALID(pts) || !GST_CLOCK_TIME_IS_VALID(duration))
          return GST_PAD_PROBE_OK;
        GstClockTime expected = self->audio_next_pts_;
        GstClockTime out = pts;
        bool discont = false;
        if (GST_CLOCK_TIME_IS_VALID(expected)) {
          GstClockTimeDiff off = GST_CLOCK_DIFF(expected, pts);
          if (off < -GstClockTimeDiff(kAudioAlignment))
            return GST_PAD_PROBE_DROP; // stale: the timeline is ahead of it
          if (off <= GstClockTimeDiff(kAudioAlignment))
            out = expected;
          else
            discont = true;
        }
        self->audio_next_pts_ = out + duration;
        if (out != pts || discont || !GST_BUFFER_DURATION_IS_VALID(buffer)) {
          buffer = gst_buffer_make_writable(buffer);
          GST_BUFFER_PTS(buffer) = out;
          GST_BUFFER_DURATION(buffer) = duration;
          if (discont)
            GST_BUFFER_FLAG_SET(buffer, GST_BUFFER_FLAG_DISCONT);
          GST_PAD_PROBE_INFO_DATA(info) = buffer;
        }
        return GST_PAD_PROBE_OK;
      },
      this, nullptr);
  gst_object_unref(chain_out);
}

// A ghost pad is set up completely (chain functions, active) before it gets
// a target, so nothing ever flows into a half-made pad.
GstPad *OutputPads::create_ghost(Output &output) {
  GstPadTemplate *templ =
      gst_element_class_get_pad_template(GST_ELEMENT_GET_CLASS(element_), output.name);
  GstPad *ghost = gst_ghost_pad_new_no_target_from_template(output.name, templ);
  gst_object_ref_sink(ghost);
  GstPad *internal = GST_PAD(gst_proxy_pad_get_internal(GST_PROXY_PAD(ghost)));
  g_object_set_qdata(G_OBJECT(internal), outputs_quark(), this);
  gst_pad_set_chain_function(internal, chain_combined);
  gst_pad_set_chain_list_function(internal, chain_list_combined);
  gst_object_unref(internal);
  if (&output == &audio_ && on_audio_linked_)
    g_signal_connect(ghost, "linked", G_CALLBACK(+[](GstPad *, GstPad *, gpointer data) {
                       static_cast<OutputPads *>(data)->on_audio_linked_();
                     }),
                     this);
  if (&output == &video_ && on_navigation_) {
    gst_pad_add_probe(
        ghost, GST_PAD_PROBE_TYPE_EVENT_UPSTREAM,
        [](GstPad *, GstPadProbeInfo *info, gpointer data) {
          GstEvent *event = GST_PAD_PROBE_INFO_EVENT(info);
          if (GST_EVENT_TYPE(event) != GST_EVENT_NAVIGATION)
            return GST_PAD_PROBE_OK;
          static_cast<OutputPads *>(data)->on_navigation_(event);
          return GST_PAD_PROBE_HANDLED;
        },
        this, nullptr);
  }
  gst_pad_add_probe(ghost,
                    GstPadProbeType(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST |
                                    GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM),
                    track_output, &output, nullptr);
  gst_pad_set_active(ghost, TRUE);
  std::lock_guard<std::mutex> lock(combiner_mutex_);
  gst_flow_combiner_add_pad(combiner_, ghost);
  return ghost;
}

// The element's pad for `output`: created once and queued for expose(),
// re-activated for later sessions (it was deactivated while the element was
// READY). Under mutex_.
void OutputPads::ensure_pad(Output &output) {
  if (output.ghost) {
    gst_pad_set_active(output.ghost, TRUE);
    return;
  }
  output.ghost = create_ghost(output);
  pads_announced_ = false;
  to_expose_.push_back(&output);
}

// Under mutex_. Data passes once the pad is also on the element (expose()).
void OutputPads::connect(Output &output) {
  ensure_pad(output);
  GstPad *chain_out = gst_element_get_static_pad(output.chain, "src");
  gst_ghost_pad_set_target(GST_GHOST_PAD(output.ghost), chain_out);
  gst_object_unref(chain_out);
  output.targeted = true;
  output.linked = output.exposed;
}

// Under mutex_: no-more-pads is due for expose() once every expected pad
// exists.
void OutputPads::maybe_finish() {
  if (pads_announced_ || !video_.ghost)
    return;
  if (!audio_wanted_ || audio_.ghost) {
    finish_due_ = true;
    return;
  }
  // The robot may never send audio (voice chat refused): do not keep
  // decodebin and playbin waiting for ever.
  std::weak_ptr<OutputPads> weak = weak_from_this();
  unsigned session = session_;
  EventLoop::shared().post_delayed(kAudioGraceMs, [weak, session] {
    auto self = weak.lock();
    if (!self)
      return;
    {
      std::lock_guard<std::mutex> lock(self->mutex_);
      if (!self->in_session_ || self->session_ != session)
        return;
      self->finish_due_ = true;
    }
    self->expose();
  });
}

// Adds the pads made under mutex_ to the element, in the order they were
// made, then sends no-more-pads when due. Unlocked, because both run the
// application's handlers (pad-added, no-more-pads), which may call back into
// the element. One thread exposes at a time; another that finds it busy
// leaves its pads to it, so the order holds without anyone waiting.
void OutputPads::expose() {
  std::unique_lock<std::mutex> lock(mutex_);
  if (exposing_)
    return;
  exposing_ = true;
  while (!to_expose_.empty() || finish_due_) {
    if (!to_expose_.empty()) {
      Output *output = to_expose_.front();
      to_expose_.erase(to_expose_.begin());
      GstPad *ghost = GST_PAD(gst_object_ref(output->ghost));
      lock.unlock();
      gst_element_add_pad(element_, ghost);
      gst_object_unref(ghost);
      lock.lock();
      output->exposed = true;
      output->linked = output->targeted; // its chain's data may pass now
      continue;
    }
    finish_due_ = false;
    if (pads_announced_)
      continue;
    pads_announced_ = true;
    lock.unlock();
    gst_element_no_more_pads(element_);
    lock.lock();
  }
  exposing_ = false;
}

// GAP events

void OutputPads::start_gaps() {
  std::lock_guard<std::mutex> lock(gap_mutex_);
  if (gaps_running_)
    return;
  // A new run: running time starts again from 0 (nothing flows yet).
  for (Output *output : {&video_, &audio_}) {
    output->next_time = GST_CLOCK_TIME_NONE;
    output->last_data_us = 0;
    output->first_data_us = 0;
  }
  last_video_pts_ = GST_CLOCK_TIME_NONE;
  audio_next_pts_ = GST_CLOCK_TIME_NONE;
  gaps_running_ = true;
  gap_thread_ = std::thread(&OutputPads::run_gaps, this);
}

// Called once downstream is READY (flushing), so a GAP event the thread is
// pushing returns at once.
void OutputPads::stop_gaps() {
  {
    std::lock_guard<std::mutex> lock(gap_mutex_);
    gaps_running_ = false;
    gap_wake_.notify_all();
  }
  if (gap_thread_.joinable())
    gap_thread_.join();
}

// Its own thread: a GAP event blocks in a synchronising sink until its time.
void OutputPads::run_gaps() {
  std::unique_lock<std::mutex> lock(gap_mutex_);
  while (gaps_running_) {
    gap_wake_.wait_for(lock, kGapInterval);
    if (!gaps_running_)
      break;
    lock.unlock();
    // A live source: time passes for downstream only while PLAYING.
    GstClock *clock =
        GST_STATE(element_) == GST_STATE_PLAYING ? gst_element_get_clock(element_) : nullptr;
    if (clock) {
      GstClockTime now = gst_clock_get_time(clock);
      GstClockTime horizon = gst_element_get_base_time(element_) + latency_;
      gst_object_unref(clock);
      if (now > horizon)
        for (Output *output : {&video_, &audio_})
          fill_gap(*output, now - horizon);
    }
    lock.lock();
  }
}

// Keeps `ghost`'s record of what left it: the running time its output covers
// and when data last left. Runs under the internal pad's stream lock.
GstPadProbeReturn OutputPads::track_output(GstPad *ghost, GstPadProbeInfo *info, gpointer data) {
  auto *output = static_cast<Output *>(data);
  GstClockTime start = GST_CLOCK_TIME_NONE, duration = 0;
  if (GST_PAD_PROBE_INFO_TYPE(info) & GST_PAD_PROBE_TYPE_BUFFER) {
    GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER(info);
    start = GST_BUFFER_PTS(buffer);
    duration = GST_BUFFER_DURATION_IS_VALID(buffer) ? GST_BUFFER_DURATION(buffer) : 0;
    output->last_data_us = g_get_monotonic_time();
    if (!output->first_data_us)
      output->first_data_us = output->last_data_us;
  } else if (GST_PAD_PROBE_INFO_TYPE(info) & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
    GstBufferList *list = GST_PAD_PROBE_INFO_BUFFER_LIST(info);
    GstBuffer *last = gst_buffer_list_length(list) ? gst_buffer_list_get(list, 0) : nullptr;
    for (guint i = 0; i < gst_buffer_list_length(list); i++)
      if (GST_BUFFER_PTS_IS_VALID(gst_buffer_list_get(list, i)))
        last = gst_buffer_list_get(list, i);
    if (last) {
      start = GST_BUFFER_PTS(last);
      duration = GST_BUFFER_DURATION_IS_VALID(last) ? GST_BUFFER_DURATION(last) : 0;
    }
    output->last_data_us = g_get_monotonic_time();
  } else if (GST_EVENT_TYPE(GST_PAD_PROBE_INFO_EVENT(info)) == GST_EVENT_GAP) {
    gst_event_parse_gap(GST_PAD_PROBE_INFO_EVENT(info), &start, &duration);
    if (!GST_CLOCK_TIME_IS_VALID(duration))
      duration = 0;
  }
  if (!GST_CLOCK_TIME_IS_VALID(start))
    return GST_PAD_PROBE_OK;
  GstEvent *segment_event = gst_pad_get_sticky_event(ghost, GST_EVENT_SEGMENT, 0);
  if (segment_event) {
    const GstSegment *segment;
    gst_event_parse_segment(segment_event, &segment);
    GstClockTime end = gst_segment_to_running_time(segment, GST_FORMAT_TIME, start + duration);
    if (GST_CLOCK_TIME_IS_VALID(end) &&
        (!GST_CLOCK_TIME_IS_VALID(output->next_time) || end > output->next_time))
      output->next_time = end;
    gst_event_unref(segment_event);
  }
  return GST_PAD_PROBE_OK;
}

// Audio that has not started yet: the stream begins with the caps the robot's
// answer announced, so downstream can pick a decoder and preroll on GAPs.
bool OutputPads::start_stream(Output &output, GstPad *ghost) {
  if (!output.gap_caps)
    return false;
  gchar *stream_id = gst_pad_create_stream_id(ghost, element_, output.name);
  GstEvent *stream_start = gst_event_new_stream_start(stream_id);
  g_free(stream_id);
  gst_event_set_group_id(stream_start, gst_util_group_id_next());
  gst_pad_push_event(ghost, stream_start);
  gst_pad_push_event(ghost, gst_event_new_caps(output.gap_caps));
  GstSegment segment;
  gst_segment_init(&segment, GST_FORMAT_TIME);
  gst_pad_push_event(ghost, gst_event_new_segment(&segment));
  return true;
}

// A GAP event from where `output` left off to `running_time` (now, less the
// latency), if the pad is linked and quiet.
void OutputPads::fill_gap(Output &output, GstClockTime running_time) {
  GstPad *ghost = nullptr;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (output.ghost && gst_pad_is_linked(output.ghost))
      ghost = GST_PAD(gst_object_ref(output.ghost));
  }
  if (!ghost)
    return;
  GstPad *internal = GST_PAD(gst_proxy_pad_get_internal(GST_PROXY_PAD(ghost)));
  // Serialised with the chain's data. Held means data is on its way (or
  // waits in a sink for preroll, which a GAP here would not end): skip, so
  // that one pad's wait never holds up the other's GAPs.
  if (!GST_PAD_STREAM_TRYLOCK(internal)) {
    gst_object_unref(internal);
    gst_object_unref(ghost);
    return;
  }
  gint64 now = g_get_monotonic_time();
  bool quiet = output.last_data_us == 0 || now - output.last_data_us > kGapAfterUs;
  if (output.last_data_us == 0 && &output == &audio_ &&
      (video_.first_data_us == 0 || now - video_.first_data_us < kAudioStartAfterVideoUs))
    quiet = false; // audio may still come (see kAudioStartAfterVideoUs)
  GstEvent *segment_event = nullptr;
  if (quiet) {
    segment_event = gst_pad_get_sticky_event(ghost, GST_EVENT_SEGMENT, 0);
    if (!segment_event && start_stream(output, ghost))
      segment_event = gst_pad_get_sticky_event(ghost, GST_EVENT_SEGMENT, 0);
  }
  if (segment_event) {
    const GstSegment *segment;
    gst_event_parse_segment(segment_event, &segment);
    GstClockTime from = GST_CLOCK_TIME_IS_VALID(output.next_time) ? output.next_time : running_time;
    GstClockTime start = gst_segment_position_from_running_time(segment, GST_FORMAT_TIME, from);
    GstClockTime end =
        gst_segment_position_from_running_time(segment, GST_FORMAT_TIME, running_time);
    bool first = !GST_CLOCK_TIME_IS_VALID(output.next_time);
    if (GST_CLOCK_TIME_IS_VALID(start) && GST_CLOCK_TIME_IS_VALID(end) && (end > start || first)) {
      GST_LOG_OBJECT(ghost, "gap %" GST_TIME_FORMAT " + %" GST_TIME_FORMAT, GST_TIME_ARGS(start),
                     GST_TIME_ARGS(end - start));
      gst_pad_push_event(ghost, gst_event_new_gap(start, end - start));
    }
    gst_event_unref(segment_event);
  }
  GST_PAD_STREAM_UNLOCK(internal);
  gst_object_unref(internal);
  gst_object_unref(ghost);
}

GstFlowReturn OutputPads::chain_combined(GstPad *pad, GstObject *parent, GstBuffer *buffer) {
  auto *self = static_cast<OutputPads *>(g_object_get_qdata(G_OBJECT(pad), outputs_quark()));
  GstPad *ghost = GST_PAD(gst_proxy_pad_get_internal(GST_PROXY_PAD(pad)));
  GstFlowReturn result = gst_proxy_pad_chain_default(pad, parent, buffer);
  result = self->combine(ghost, result, 1);
  gst_object_unref(ghost);
  return result;
}

GstFlowReturn OutputPads::chain_list_combined(GstPad *pad, GstObject *parent, GstBufferList *list) {
  auto *self = static_cast<OutputPads *>(g_object_get_qdata(G_OBJECT(pad), outputs_quark()));
  GstPad *ghost = GST_PAD(gst_proxy_pad_get_internal(GST_PROXY_PAD(pad)));
  guint frames = gst_buffer_list_length(list);
  GstFlowReturn result = gst_proxy_pad_chain_list_default(pad, parent, list);
  result = self->combine(ghost, result, frames);
  gst_object_unref(ghost);
  return result;
}

GstFlowReturn OutputPads::combine(GstPad *ghost, GstFlowReturn result, guint frames) {
  if (ghost == video_.ghost)
    video_frames_ += frames;
  else
    audio_frames_ += frames;
  std::lock_guard<std::mutex> lock(combiner_mutex_);
  return gst_flow_combiner_update_pad_flow(combiner_, ghost, result);
}

void OutputPads::end_session() {
  std::vector<GstElement *> chains;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    in_session_ = false;
    for (Output *output : {&video_, &audio_}) {
      if (output->ghost)
        gst_ghost_pad_set_target(GST_GHOST_PAD(output->ghost), nullptr);
      if (output->chain)
        discard_chains_.push_back(output->chain);
      output->chain = nullptr;
      output->targeted = false;
      output->linked = false;
    }
    chains.swap(discard_chains_);
  }
  // Unlocked: removing from the bin emits its element-removed signals.
  for (GstElement *chain : chains)
    remove_chain(element_, chain);
}

} // namespace roborock
