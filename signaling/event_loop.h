// SPDX-License-Identifier: LGPL-2.1-or-later
// The signaling thread: a GMainContext run by a thread of our own.
//
// Threading model of the whole signaling library:
//  - Every MQTT client, RPC client and camera session lives on one EventLoop
//    thread. Their internal state is touched only there, so it needs no locks.
//  - Nothing depends on the application running a GLib main loop: the
//    EventLoop thread iterates its own context (as webrtcbin does).
//  - Other threads (the application, GStreamer streaming threads) hand work to
//    the loop with post(); the public CameraSession API does this for them.
//  - Callbacks to users of the library (CameraSessionListener, RPC reply
//    callbacks) run on the EventLoop thread. They must not block for long.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include <glib.h>

namespace roborock {

// A one-shot or repeating timer on an EventLoop. Cancels itself when destroyed.
// Create, cancel and destroy it on the loop thread only.
// Its owner may destroy it from inside its own callback.
class Timer {
public:
  Timer() = default;
  ~Timer() { cancel(); }
  Timer(const Timer &) = delete;
  Timer &operator=(const Timer &) = delete;

  void cancel();
  bool active() const { return state_ && state_->source; }

private:
  friend class EventLoop;
  struct State {
    GSource *source = nullptr;
    std::function<bool()> callback; // returns true to repeat
  };
  std::shared_ptr<State> state_;
};

class EventLoop {
public:
  // The process-wide signaling loop, started on first use. Its thread lives as
  // long as the process (GStreamer never unloads plugins).
  static EventLoop &shared();

  EventLoop();
  ~EventLoop();
  EventLoop(const EventLoop &) = delete;
  EventLoop &operator=(const EventLoop &) = delete;

  GMainContext *context() const { return context_; }

  // At process exit: ends the loop thread, waiting at most `grace` for the
  // task it is running. Nothing posted afterwards runs.
  void stop_for_exit(std::chrono::milliseconds grace);
  bool in_loop_thread() const { return std::this_thread::get_id() == thread_.get_id(); }

  // Runs `task` on the loop thread, later, in the order posted. Thread-safe.
  void post(std::function<void()> task);

  // Arms `timer` to call `callback` after `milliseconds` (loop thread only).
  // The callback returns true to run again after the same interval.
  void start_timer(Timer &timer, unsigned milliseconds, std::function<bool()> callback);
  // Convenience: a one-shot timer.
  void start_oneshot(Timer &timer, unsigned milliseconds, std::function<void()> callback);
  // Runs `task` on the loop thread after `milliseconds`; cannot be cancelled.
  // Thread-safe.
  void post_delayed(unsigned milliseconds, std::function<void()> task);

private:
  static gboolean dispatch_posted(gpointer self);
  static gboolean dispatch_timer(gpointer timer);

  GMainContext *context_;
  GMainLoop *loop_;
  std::thread thread_;
  std::mutex exit_mutex_;
  std::condition_variable exit_done_;
  bool thread_finished_ = false;
  std::mutex mutex_;
  std::deque<std::function<void()>> posted_;
  bool dispatch_scheduled_ = false;
};

} // namespace roborock
