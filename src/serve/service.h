// Service: `interdict serve`, the centre's live process. One engine (a
// Pipeline over a LiveSource), an HTTP API on loopback (cpp-httplib, see
// docs/serve.md for why), tokens, roles and the audit log (auth.h).
//
// Threads and the one lock:
//   - the engine thread steps the pipeline (Step of at most kStepEvents
//     events, then Drain when the source has nothing releasable) and waits
//     for new rows when idle;
//   - HTTP worker threads (a pool of ServeOptions::http_threads; a
//     keep-alive connection holds one while it is open) parse and queue rows,
//     ask the engine about transfers, and read actions and cases.
//   Both take `mu_`, which guards the pipeline, its dictionaries, the live
//   source and the action feed. Steps are short (kStepEvents) so that a
//   decision never waits for more than about a millisecond of engine work.
//   fdatasync of ingested rows happens outside the lock.
//
// Data directory (--data DIR): inbox/ (every accepted row, the engine's
// input: replayed on start), out/ (actions.csv, cases.db, rejects.csv as a
// `run` writes them; rebuilt from the inbox on each start), serve.db
// (tokens and the audit log, kept across starts).
//
// Lifetime: Create opens everything and replays the inbox; Start binds the
// port and starts the threads; Stop (from any thread, e.g. a signal
// watcher) ends them: the source is flushed, the engine finishes and the
// outputs are closed as `run` closes them. Destroying a started Service
// without Stop stops it.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "base/status.h"
#include "base/time.h"
#include "engine/config.h"
#include "model/action.h"
#include "runtime/pipeline.h"
#include "serve/auth.h"
#include "serve/live_source.h"
#include "serve/queues.h"

namespace httplib {
class Server;
}

namespace interdict {

struct ServeOptions {
  std::string data_dir;
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port (Start says which)
  EngineConfig config;
  TimeZone tz;
  Ts lateness_s = 300;
  size_t max_body_bytes = 64u << 20;
  int http_threads = 128;   // keep-alive connections served at once
  int transfer_sync_ms = 5; // decisions' transfers are fdatasync()ed this often
};

class Service {
 public:
  static constexpr uint64_t kStepEvents = 512;

  static Status Create(ServeOptions opts, std::unique_ptr<Service>* out);
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  // Binds the port (a busy port is an error saying so) and starts serving.
  Status Start(int* bound_port);
  // Blocks until Stop() has been called and everything is closed.
  Status Wait();
  void Stop();

  Auth& auth() { return *auth_; }

  // Every route, as "METHOD /path/{param}" in OpenAPI's notation: the
  // OpenAPI document is checked against this list by a test.
  static std::vector<std::string> Routes();
  // The OpenAPI 3.1 document served at /v1/openapi.json (docs/openapi.json,
  // compiled in).
  static std::string_view OpenApiDocument();

 private:
  explicit Service(ServeOptions opts);
  void EngineLoop();
  void SyncLoop();
  void SetupRoutes();
  void OnAction(const Action& a);
  // Hands every queued event to the engine now, lateness bound or not, and
  // leaves the source flushing (the caller holds mu_; Drain or Finish next).
  void ApplyAllQueued();

  ServeOptions opts_;
  std::unique_ptr<Auth> auth_;
  std::unique_ptr<Pipeline> pipeline_;
  LiveSource* live_ = nullptr;  // owned by pipeline_
  std::unique_ptr<httplib::Server> http_;

  std::mutex mu_;  // pipeline_, live_, dictionaries, actions_ (see above)
  std::condition_variable work_cv_;
  bool work_ = false;
  std::vector<Action> actions_;  // the feed: every action, in decision order
  std::map<std::string, size_t> action_index_;  // action id -> position in actions_ (warnings only)
  std::unique_ptr<WorkQueues> queues_;
  size_t persons_counted_for_ = 0, persons_ = 0;  // registered persons, recounted when people grow
  Status engine_error_;

  std::atomic<bool> stop_{false};
  std::atomic<bool> ready_{false};
  std::thread engine_thread_, http_thread_, sync_thread_;
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool finished_ = false;

  struct Metrics;
  std::unique_ptr<Metrics> metrics_;
};

}  // namespace interdict
