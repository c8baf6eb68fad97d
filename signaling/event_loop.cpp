// SPDX-License-Identifier: LGPL-2.1-or-later
#include "event_loop.h"

#include "background_work.h"

#include <future>

namespace roborock {

void Timer::cancel() {
  if (state_ && state_->source) {
    g_source_destroy(state_->source);
    g_source_unref(state_->source);
    state_->source = nullptr;
  }
  state_.reset();
}

EventLoop &EventLoop::shared() {
  // Deliberately never destroyed: sessions may still post work during exit.
  static EventLoop *loop = new EventLoop();
  install_exit_handler();
  return *loop;
}

void EventLoop::stop_for_exit(std::chrono::milliseconds grace) {
  if (in_loop_thread())
    return; // exit() called from a task: nothing to wait for
  g_main_loop_quit(loop_);
  std::unique_lock<std::mutex> lock(exit_mutex_);
  if (exit_done_.wait_for(lock, grace, [this] { return thread_finished_; }) && thread_.joinable())
    thread_.join();
}

EventLoop::EventLoop() : context_(g_main_context_new()), loop_(g_main_loop_new(context_, FALSE)) {
  std::promise<void> running;
  thread_ = std::thread([this, &running] {
    g_main_context_push_thread_default(context_);
    // Signal "running" from inside the loop so post() before this point is safe too.
    GSource *started = g_idle_source_new();
    g_source_set_callback(
        started,
        [](gpointer data) -> gboolean {
          static_cast<std::promise<void> *>(data)->set_value();
          return G_SOURCE_REMOVE;
        },
        &running, nullptr);
    g_source_attach(started, context_);
    g_source_unref(started);
    g_main_loop_run(loop_);
    g_main_context_pop_thread_default(context_);
    std::lock_guard<std::mutex> lock(exit_mutex_);
    thread_finished_ = true;
    exit_done_.notify_all();
  });
  running.get_future().wait();
}

EventLoop::~EventLoop() {
  g_main_loop_quit(loop_);
  if (thread_.joinable() && !in_loop_thread())
    thread_.join();
  else if (thread_.joinable())
    thread_.detach();
  g_main_loop_unref(loop_);
  g_main_context_unref(context_);
}

void EventLoop::post(std::function<void()> task) {
  std::lock_guard<std::mutex> lock(mutex_);
  posted_.push_back(std::move(task));
  if (dispatch_scheduled_)
    return;
  dispatch_scheduled_ = true;
  GSource *source = g_idle_source_new();
  g_source_set_priority(source, G_PRIORITY_DEFAULT);
  g_source_set_callback(source, dispatch_posted, this, nullptr);
  g_source_attach(source, context_);
  g_source_unref(source);
}

gboolean EventLoop::dispatch_posted(gpointer data) {
  auto *self = static_cast<EventLoop *>(data);
  std::deque<std::function<void()>> tasks;
  {
    std::lock_guard<std::mutex> lock(self->mutex_);
    tasks.swap(self->posted_);
    self->dispatch_scheduled_ = false;
  }
  for (auto &task : tasks)
    task();
  return G_SOURCE_REMOVE;
}

void EventLoop::start_timer(Timer &timer, unsigned milliseconds, std::function<bool()> callback) {
  timer.cancel();
  auto state = std::make_shared<Timer::State>();
  state->callback = std::move(callback);
  state->source = g_timeout_source_new(milliseconds);
  g_source_set_callback(
      state->source, dispatch_timer, new std::shared_ptr<Timer::State>(state),
      [](gpointer data) { delete static_cast<std::shared_ptr<Timer::State> *>(data); });
  g_source_attach(state->source, context_);
  timer.state_ = std::move(state);
}

void EventLoop::start_oneshot(Timer &timer, unsigned milliseconds, std::function<void()> callback) {
  start_timer(timer, milliseconds, [callback = std::move(callback)] {
    callback();
    return false;
  });
}

void EventLoop::post_delayed(unsigned milliseconds, std::function<void()> task) {
  GSource *source = g_timeout_source_new(milliseconds);
  g_source_set_callback(
      source,
      [](gpointer data) -> gboolean {
        (*static_cast<std::function<void()> *>(data))();
        return G_SOURCE_REMOVE;
      },
      new std::function<void()>(std::move(task)),
      [](gpointer data) { delete static_cast<std::function<void()> *>(data); });
  g_source_attach(source, context_);
  g_source_unref(source);
}

gboolean EventLoop::dispatch_timer(gpointer data) {
  // Our own reference: the callback may destroy the Timer that owns the state.
  std::shared_ptr<Timer::State> state = *static_cast<std::shared_ptr<Timer::State> *>(data);
  if (!state->source)
    return G_SOURCE_REMOVE;
  std::function<bool()> callback = state->callback;
  bool again = callback();
  if (!state->source) // cancelled from inside the callback
    return G_SOURCE_REMOVE;
  if (again)
    return G_SOURCE_CONTINUE;
  g_source_unref(state->source);
  state->source = nullptr;
  return G_SOURCE_REMOVE;
}

} // namespace roborock
