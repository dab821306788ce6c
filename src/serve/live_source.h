// LiveSource: events that arrive over the API (POST /v1/events, the banks'
// decision endpoint), made durable and handed to the pipeline in event-time
// order, as an EventSource.
//
// The path of a request body: CSV (the interchange format's header and rows)
// or NDJSON (one object per line, keys = the format's column names) ->
// validated row by row by the same RowParser that `run` and `validate` use,
// so a row is accepted or rejected exactly as it would be in a file, with
// the same line, column and reason -> accepted rows appended to the inbox
// (DIR/inbox/<file>.csv, one file per kind in the format's column order) and
// fdatasync()ed before Ingest returns: what a 2xx reply counts as accepted
// survives a crash -> queued per kind in a ReorderBuffer.
//
// Order: Next() hands out the earliest queued event across all kinds, ties
// broken as a data set directory breaks them (events.md's file order, then
// arrival order), once it is at least `lateness_s` older than the newest
// event seen on any kind. So the feeds of different kinds may lag each other
// by up to the lateness bound, and the engine sees the same order as `run`
// on the same rows as files. An event older than what was already handed
// out is late: it is handed out at once (applied to state as it is) and
// counted, as a file source does. SetFlush(true) hands out everything queued
// (end of a replay, shutdown).
//
// Restart: Replay() reads an existing inbox back as a data set (a
// DatasetReader over DIR/inbox) before live rows are taken, so a restarted
// server rebuilds the state the accepted rows made.
//
// Thread safety: none. The server calls Ingest*, Next and the rest under the
// one lock that also guards the pipeline and its dictionaries (Ingest interns
// ids into them). Ownership: borrows the Dictionaries and RejectSink, which
// must outlive it.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/status.h"
#include "base/time.h"
#include "ingest/dataset.h"
#include "ingest/event_source.h"
#include "ingest/reorder.h"
#include "ingest/rejects.h"
#include "ingest/row_parser.h"
#include "ingest/schema.h"
#include "model/dictionary.h"

namespace interdict {

// One rejected row of a request, as `validate` reports it.
struct IngestReject {
  uint64_t line = 0;    // 1-based line of the body (the header is line 1 for CSV)
  std::string column;   // empty when the whole row is bad
  std::string reason;   // ToString(RejectReason), or "unknown_field" / "bad_json" for NDJSON
  std::string detail;
};

struct IngestResult {
  uint64_t rows = 0, accepted = 0, rejected = 0, late = 0;
  std::vector<IngestReject> rejects;  // the first kMaxListed; all are counted and in the rejects file
  std::vector<std::string> unknown_columns;
  static constexpr size_t kMaxListed = 1000;
};

// One row given as a JSON object whose keys are `spec`'s column names
// (NDJSON lines, the decision endpoint's body): *values in the format's
// column order, strings as they are, numbers as JSON writes them, booleans
// as 1 / 0 when `booleans`, null as absent. On an error, *key names the field.
enum class JsonRowError { kNone, kUnknownField, kWrongType };
JsonRowError JsonToRow(const FileSpec& spec, const nlohmann::json& obj, bool booleans,
                       std::vector<std::string>* values, std::string* key);

class LiveSource : public EventSource {
 public:
  // `inbox_dir` empty: rows are not written anywhere (tests). `people`
  // rows go to the dictionaries' person table at once (a registry has no time).
  LiveSource(Dictionaries* dicts, RejectSink* rejects, const TimeZone& tz, Ts lateness_s, std::string inbox_dir);
  ~LiveSource() override;

  // Creates the inbox directory and opens its files for appending (the ones
  // already there are kept: Replay reads them first).
  Status Open();
  // Reads the inbox as it stands into the queue (in order, through a
  // DatasetReader), before any live row. Call once, after Open.
  Status Replay(const ReadOptions& ropt);

  // A CSV body of `spec`'s file: header first. A header without a required
  // column fails the whole request (nothing accepted); bad rows are rejected
  // one by one. Accepted rows are written to the inbox and queued; they are
  // durable once SyncInbox(spec) returns OK, which the server calls outside
  // its lock before it replies (concurrent requests' syncs overlap).
  Status IngestCsv(const FileSpec& spec, std::string_view body, IngestResult* r);
  // An NDJSON body: each line an object whose keys are the file's column
  // names; values strings or numbers. A line that is not an object, or has a
  // key that is no column, is rejected with its line.
  Status IngestNdjson(const FileSpec& spec, std::string_view body, IngestResult* r);

  // Writes the rows IngestTransfer left pending and fdatasyncs `spec`'s inbox
  // file. Thread-safe: may run outside the server's lock (the descriptor does
  // not change between Open and Finish; pending rows have their own mutex).
  Status SyncInbox(const FileSpec& spec);
  // One transfer for the banks' decision endpoint: `values` in the format's
  // column order of transfers.csv. Validated by the same parser; if
  // accepted (*accepted), *e is the event as queued, and the row is pending
  // for the inbox: the server's sync thread writes and fdatasyncs transfers
  // every few milliseconds rather than per decision; else *rej says why.
  Status IngestTransfer(const std::vector<std::string>& values, Event* e, RejectInfo* rej, bool* accepted);

  // EventSource.
  bool Next(Event* e) override;
  Status Finish() override;
  std::vector<FileStats> stats() const override;
  SourcePosition Position() const override;
  bool live() const override { return true; }

  void SetFlush(bool flush) { flush_ = flush; }
  // Whose is it, for the bank and operator roles: the bank of an account
  // (its bank_accounts row), of a transfer (its paying account's, else its
  // payee's), the operator of a number (its sim_cards row). Empty if unknown.
  std::string_view BankOf(AccountId a) const;
  std::string_view BankOfTxn(TxnId t) const;
  std::string_view OperatorOf(MsisdnId m) const;
  size_t queued() const;
  Ts newest_ts() const { return max_ts_; }
  uint64_t accepted_total() const { return accepted_total_; }
  uint64_t rejected_total() const { return rejected_total_; }

 private:
  struct Kind;
  Kind* KindFor(const FileSpec& spec);
  Status AppendInbox(Kind* k, const std::string& lines);
  void Queue(Kind* k, Event* e);
  // A row the parser refused: counted per kind and in total, and written to the rejects file.
  void CountReject(Kind* k, uint64_t line, const RejectInfo& rej, std::string_view raw);
  void NoteOwner(const Event& e);
  // Parses and queues `body` (CSV); `line_of` maps a record's line to the
  // request's line (NDJSON bodies are re-encoded as CSV first).
  Status Ingest(const FileSpec& spec, std::string_view body, const std::vector<uint64_t>* line_of,
                IngestResult* r);

  Dictionaries* dicts_;
  RejectSink* rejects_;
  TimeZone tz_;
  Ts lateness_;
  std::string inbox_dir_;
  std::vector<std::unique_ptr<Kind>> kinds_;  // by position in AllFileSpecs()
  std::unique_ptr<DatasetReader> replay_;     // the inbox as it stood at start, read first
  std::unique_ptr<RowParser> transfer_parser_;  // the decision endpoint's, bound to the format's header
  std::vector<BankId> account_bank_;
  std::vector<BankId> txn_bank_;
  std::vector<OperatorId> msisdn_op_;
  Ts max_ts_ = kNoTs;
  Ts last_out_ = kNoTs;
  bool flush_ = false;
  uint64_t handed_out_ = 0;
  uint64_t accepted_total_ = 0, rejected_total_ = 0;
};

}  // namespace interdict
