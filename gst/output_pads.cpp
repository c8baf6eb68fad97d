// SPDX-License-Identifier: LGPL-2.1-or-later
#include "output_pads.h"

#include <gst/video/video.h>

#include "event_loop.h"

namespace roborock {
namespace {

// How long to wait for robot audio after video before declaring no-more-pads.
constexpr unsigned kAudioGraceMs = 3000;
constexpr gint64 kKeyframeRequestIntervalUs = 500 * 1000;

constexpr const char *kVideoChain = "rtph264depay request-keyframe=true wait-for-keyframe=true "
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
  end_session();
  for (Output *output : {&video_, &audio_})
    if (output->ghost)
      gst_object_unref(output->ghost); // the element removes its pads when disposed
  gst_flow_combiner_free(combiner_);
}

void OutputPads::begin_session(bool audio_wanted) {
  std::lock_guard<std::mutex> lock(mutex_);
  audio_wanted_ = audio_wanted;
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

void OutputPads::announce(bool audio) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!in_session_)
    return;
  ensure_pad(video_); // always first: gst-launch's "roborocksrc ! decodebin" takes it
  if (audio && audio_wanted_)
    ensure_pad(audio_);
  else
    audio_wanted_ = false; // none will come: no-more-pads at once
  maybe_finish();
}

bool OutputPads::audio_linked() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return audio_.ghost && gst_pad_is_linked(audio_.ghost);
}

GstElement *OutputPads::build_chain(const char *description) {
  GError *error = nullptr;
  GstElement *chain = gst_parse_bin_from_description(description, TRUE, &error);
  g_assert_no_error(error); // fixed descriptions of installed plugins
  gst_bin_add(GST_BIN(element_), chain);
  gst_element_sync_state_with_parent(chain);
  return chain;
}

void OutputPads::add_webrtc_pad(GstPad *pad) {
  Media media = media_of(pad);
  std::lock_guard<std::mutex> lock(mutex_);
  if (!in_session_)
    return;
  GstElement *chain = nullptr;
  Output *output = nullptr;
  if (media == Media::Video && !video_.chain) {
    output = &video_;
    chain = build_chain(kVideoChain);
    keep_timestamped_gops(chain);
  } else if (media == Media::Audio && audio_wanted_ && !audio_.chain) {
    output = &audio_;
    chain = build_chain(audio_chain_for(pad));
  } else {
    chain = build_chain(kDiscardChain); // unexpected streams must not stall webrtcbin
    discard_chains_.push_back(chain);
  }
  if (output) {
    output->chain = chain;
    hold_until_linked(*output);
  }
  GstPad *chain_in = gst_element_get_static_pad(chain, "sink");
  gst_pad_link(pad, chain_in);
  gst_object_unref(chain_in);

  // Video first; audio that came first waits for it (only until "audio"
  // exists, which fixes the order for good).
  if (output == &video_ || (output == &audio_ && (video_.linked || audio_.ghost)))
    connect(*output);
  if (output == &video_ && audio_.chain && !audio_.linked)
    connect(audio_);
  maybe_finish();
}

// Until its chain is connected to the element's pad, a chain's output stays
// unlinked: sticky events wait on it and buffers are dropped, not returned as
// not-linked.
void OutputPads::hold_until_linked(Output &output) {
  GstPad *chain_out = gst_element_get_static_pad(output.chain, "src");
  gst_pad_add_probe(
      chain_out, GstPadProbeType(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST),
      [](GstPad *, GstPadProbeInfo *, gpointer data) {
        auto *out = static_cast<Output *>(data);
        return out->linked ? GST_PAD_PROBE_REMOVE : GST_PAD_PROBE_DROP;
      },
      &output, nullptr);
  gst_object_unref(chain_out);
}

// Muxers (mp4mux, splitmuxsink) need a timestamp on every frame, and a decoder
// a keyframe before delta frames. When a robot's backlog comes out of the
// jitter buffer without timestamps, drop it up to the next keyframe and ask
// for one (rtph264depay turns the request into an RTCP PLI to the robot).
void OutputPads::keep_timestamped_gops(GstElement *chain) {
  GstPad *chain_out = gst_element_get_static_pad(chain, "src");
  gst_pad_add_probe(
      chain_out, GST_PAD_PROBE_TYPE_BUFFER,
      [](GstPad *pad, GstPadProbeInfo *info, gpointer data) {
        auto *self = static_cast<OutputPads *>(data);
        GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER(info);
        bool keyframe = !GST_BUFFER_FLAG_IS_SET(buffer, GST_BUFFER_FLAG_DELTA_UNIT);
        if (GST_BUFFER_PTS_IS_VALID(buffer) && (keyframe || !self->waiting_for_keyframe_)) {
          self->waiting_for_keyframe_ = false;
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
  gst_pad_set_active(ghost, TRUE);
  std::lock_guard<std::mutex> lock(combiner_mutex_);
  gst_flow_combiner_add_pad(combiner_, ghost);
  return ghost;
}

// The element's pad for `output`: created and added once, re-activated for
// later sessions (it was deactivated while the element was READY).
void OutputPads::ensure_pad(Output &output) {
  if (output.ghost) {
    gst_pad_set_active(output.ghost, TRUE);
    return;
  }
  output.ghost = create_ghost(output);
  pads_announced_ = false;
  gst_element_add_pad(element_, output.ghost);
}

void OutputPads::connect(Output &output) {
  ensure_pad(output);
  GstPad *chain_out = gst_element_get_static_pad(output.chain, "src");
  gst_ghost_pad_set_target(GST_GHOST_PAD(output.ghost), chain_out);
  gst_object_unref(chain_out);
  output.linked = true;
}

void OutputPads::maybe_finish() {
  if (pads_announced_ || !video_.ghost)
    return;
  if (!audio_wanted_ || audio_.ghost) {
    finish();
    return;
  }
  // The robot may never send audio (voice chat refused): do not keep
  // decodebin and playbin waiting for ever.
  std::weak_ptr<OutputPads> weak = weak_from_this();
  unsigned session = session_;
  EventLoop::shared().post_delayed(kAudioGraceMs, [weak, session] {
    if (auto self = weak.lock()) {
      std::lock_guard<std::mutex> lock(self->mutex_);
      if (self->in_session_ && self->session_ == session)
        self->finish();
    }
  });
}

void OutputPads::finish() {
  if (pads_announced_)
    return;
  pads_announced_ = true;
  gst_element_no_more_pads(element_);
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
  std::lock_guard<std::mutex> lock(mutex_);
  in_session_ = false;
  for (Output *output : {&video_, &audio_}) {
    if (output->ghost)
      gst_ghost_pad_set_target(GST_GHOST_PAD(output->ghost), nullptr);
    if (output->chain)
      discard_chains_.push_back(output->chain);
    output->chain = nullptr;
    output->linked = false;
  }
  for (GstElement *chain : discard_chains_)
    remove_chain(element_, chain);
  discard_chains_.clear();
}

} // namespace roborock
