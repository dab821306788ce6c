#include "serve/live_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <mutex>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/bytes.h"
#include "ingest/csv.h"

namespace interdict {

struct LiveSource::Kind {
  const FileSpec* spec = nullptr;
  ReorderBuffer queue{0};  // ordered by (ts, arrival); Next() applies the cross-kind bound
  int fd = -1;             // inbox file, O_APPEND
  // Rows written by IngestTransfer and not yet handed to the file system;
  // the sync thread writes them (SyncInbox). mu orders them with AppendInbox.
  std::mutex mu;
  std::string pending;
  uint64_t seq = 0;        // arrival order (the tie-break within a kind)
  FileStats stats;
};

LiveSource::LiveSource(Dictionaries* dicts, RejectSink* rejects, const TimeZone& tz, Ts lateness_s,
                       std::string inbox_dir)
    : dicts_(dicts), rejects_(rejects), tz_(tz), lateness_(lateness_s), inbox_dir_(std::move(inbox_dir)) {
  for (const FileSpec& spec : AllFileSpecs()) {
    auto k = std::make_unique<Kind>();
    k->spec = &spec;
    k->stats.file = fmt::format("api:{}", spec.stem);
    kinds_.push_back(std::move(k));
  }
}

LiveSource::~LiveSource() {
  for (auto& k : kinds_)
    if (k->fd >= 0) ::close(k->fd);
}

Status LiveSource::Open() {
  if (inbox_dir_.empty()) return Status::Ok();
  if (::mkdir(inbox_dir_.c_str(), 0700) != 0 && errno != EEXIST)
    return Status::Io(fmt::format("{}: cannot create: {}", inbox_dir_, std::strerror(errno)));
  for (auto& k : kinds_) {
    const std::string path = fmt::format("{}/{}.csv", inbox_dir_, k->spec->stem);
    k->fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (k->fd < 0) return Status::Io(fmt::format("{}: cannot open for appending: {}", path, std::strerror(errno)));
    struct stat st;
    if (::fstat(k->fd, &st) != 0) return Status::Io(fmt::format("{}: {}", path, std::strerror(errno)));
    if (st.st_size == 0) {
      std::string header;
      for (size_t c = 0; c < k->spec->columns.size(); ++c) {
        if (c) header.push_back(',');
        header.append(k->spec->columns[c].name);
      }
      header.push_back('\n');
      if (Status s = AppendInbox(k.get(), header); !s.ok()) return s;
    }
  }
  return Status::Ok();
}

Status LiveSource::Replay(const ReadOptions& ropt) {
  if (inbox_dir_.empty()) return Status::Ok();
  replay_ = std::make_unique<DatasetReader>(dicts_, rejects_, ropt);
  return replay_->OpenDirectory(inbox_dir_);
}

namespace {
Status WriteAll(int fd, std::string_view data, std::string_view stem) {
  size_t off = 0;
  while (off < data.size()) {
    const ssize_t w = ::write(fd, data.data() + off, data.size() - off);
    if (w < 0) {
      if (errno == EINTR) continue;
      return Status::Io(fmt::format("inbox {}.csv: write failed: {}", stem, std::strerror(errno)));
    }
    off += static_cast<size_t>(w);
  }
  return Status::Ok();
}
}  // namespace

Status LiveSource::AppendInbox(Kind* k, const std::string& lines) {
  if (k->fd < 0 || lines.empty()) return Status::Ok();
  std::lock_guard<std::mutex> l(k->mu);
  if (!k->pending.empty()) {  // the decisions' rows first: they were queued first
    if (Status s = WriteAll(k->fd, k->pending, k->spec->stem); !s.ok()) return s;
    k->pending.clear();
  }
  return WriteAll(k->fd, lines, k->spec->stem);
}

Status LiveSource::SyncInbox(const FileSpec& spec) {
  Kind* k = KindFor(spec);
  if (!k || k->fd < 0) return Status::Ok();
  {
    std::lock_guard<std::mutex> l(k->mu);
    if (!k->pending.empty()) {
      if (Status s = WriteAll(k->fd, k->pending, spec.stem); !s.ok()) return s;
      k->pending.clear();
    }
  }
  if (::fdatasync(k->fd) != 0)
    return Status::Io(fmt::format("inbox {}.csv: fdatasync failed: {}", spec.stem, std::strerror(errno)));
  return Status::Ok();
}

Status LiveSource::IngestTransfer(const std::vector<std::string>& values, Event* e, RejectInfo* rej, bool* accepted) {
  *accepted = false;
  const FileSpec& spec = EventFileSpec(EventKind::kTransfer);
  Kind* k = KindFor(spec);
  if (!transfer_parser_) {
    transfer_parser_ = std::make_unique<RowParser>(spec, dicts_, tz_);
    CsvRecord header;
    for (const ColumnSpec& c : spec.columns) header.fields.push_back(c.name);
    if (Status s = transfer_parser_->BindHeader(header, k->stats.file); !s.ok()) return s;
  }
  std::string line;
  CsvRecord rec;
  for (size_t c = 0; c < spec.columns.size(); ++c) {
    if (c) line.push_back(',');
    AppendCsvField(c < values.size() ? values[c] : std::string_view{}, &line);
    rec.fields.push_back(c < values.size() ? std::string_view(values[c]) : std::string_view{});
  }
  rec.raw = line;
  rec.line = ++k->stats.rows;
  if (!transfer_parser_->ParseEvent(rec, e, rej)) {
    CountReject(k, rec.line, *rej, rec.raw);
    return Status::Ok();
  }
  line.push_back('\n');
  if (k->fd >= 0) {  // written by the next SyncInbox (every few ms), not by a syscall per decision
    std::lock_guard<std::mutex> l(k->mu);
    k->pending += line;
  }
  Queue(k, e);
  ++k->stats.accepted;
  ++accepted_total_;
  *accepted = true;
  return Status::Ok();
}

namespace {
template <typename V, typename T>
void Put(std::vector<V>* v, uint32_t i, T x) {
  if (i == kNoId) return;
  if (i >= v->size()) v->resize(std::max<size_t>(i + 1, v->size() * 2), static_cast<V>(kNoId));
  (*v)[i] = static_cast<V>(x);
}
template <typename V>
uint32_t Get(const std::vector<V>& v, uint32_t i) {
  return i < v.size() ? static_cast<uint32_t>(v[i]) : kNoId;
}
}  // namespace

void LiveSource::NoteOwner(const Event& e) {
  switch (e.kind) {
    case EventKind::kBankAccount: Put(&account_bank_, e.account.account, e.account.bank); break;
    case EventKind::kSimCard: Put(&msisdn_op_, e.sim.msisdn, e.sim.op); break;
    case EventKind::kTransfer: {
      uint32_t b = e.transfer.from != kNoId ? Get(account_bank_, e.transfer.from) : kNoId;
      if (b == kNoId && e.transfer.to != kNoId) b = Get(account_bank_, e.transfer.to);
      Put(&txn_bank_, e.transfer.txn, b);
      break;
    }
    default: break;
  }
}

std::string_view LiveSource::BankOf(AccountId a) const {
  const uint32_t b = Get(account_bank_, a);
  return b == kNoId ? std::string_view{} : dicts_->bank.Name(b);
}
std::string_view LiveSource::BankOfTxn(TxnId t) const {
  const uint32_t b = Get(txn_bank_, t);
  return b == kNoId ? std::string_view{} : dicts_->bank.Name(b);
}
std::string_view LiveSource::OperatorOf(MsisdnId m) const {
  const uint32_t o = Get(msisdn_op_, m);
  return o == kNoId ? std::string_view{} : dicts_->op.Name(o);
}

void LiveSource::CountReject(Kind* k, uint64_t line, const RejectInfo& rej, std::string_view raw) {
  ++k->stats.rejected;
  ++k->stats.by_reason[static_cast<size_t>(rej.reason)];
  ++rejected_total_;
  rejects_->Add(k->stats.file, line, rej, raw);
}

void LiveSource::Queue(Kind* k, Event* e) {
  NoteOwner(*e);
  e->seq = k->seq++;
  if (last_out_ != kNoTs && e->ts < last_out_) ++k->stats.late;
  if (max_ts_ == kNoTs || e->ts > max_ts_) max_ts_ = e->ts;
  if (k->stats.min_ts == kNoTs || e->ts < k->stats.min_ts) k->stats.min_ts = e->ts;
  if (k->stats.max_ts == kNoTs || e->ts > k->stats.max_ts) k->stats.max_ts = e->ts;
  k->queue.Push(*e);
}

LiveSource::Kind* LiveSource::KindFor(const FileSpec& spec) {
  for (auto& k : kinds_)
    if (k->spec == &spec || k->spec->stem == spec.stem) return k.get();
  return nullptr;
}

Status LiveSource::IngestCsv(const FileSpec& spec, std::string_view body, IngestResult* r) {
  return Ingest(spec, body, nullptr, r);
}

JsonRowError JsonToRow(const FileSpec& spec, const nlohmann::json& obj, bool booleans,
                       std::vector<std::string>* values, std::string* key) {
  values->assign(spec.columns.size(), std::string());
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    size_t c = 0;
    while (c < spec.columns.size() && spec.columns[c].name != it.key()) ++c;
    if (c == spec.columns.size()) {
      *key = it.key();
      return JsonRowError::kUnknownField;
    }
    std::string& v = (*values)[c];
    if (it->is_string()) {
      v = it->get<std::string>();
    } else if (it->is_number()) {
      v = it->dump();
    } else if (booleans && it->is_boolean()) {
      v.assign(1, it->get<bool>() ? '1' : '0');  // (assigning a literal trips GCC 12's -Wrestrict)
    } else if (!it->is_null()) {
      *key = it.key();
      return JsonRowError::kWrongType;
    }
  }
  return JsonRowError::kNone;
}

Status LiveSource::IngestNdjson(const FileSpec& spec, std::string_view body, IngestResult* r) {
  // Re-encoded as CSV in the file's column order, so that every row goes
  // through the one parser; line_of maps the CSV's lines back to the body's.
  std::string csv;
  for (size_t c = 0; c < spec.columns.size(); ++c) {
    if (c) csv.push_back(',');
    csv.append(spec.columns[c].name);
  }
  csv.push_back('\n');
  std::vector<uint64_t> line_of = {0, 0};  // CSV line 1 is the header
  std::vector<std::string> values;
  uint64_t line = 0;
  size_t pos = 0;
  while (pos < body.size()) {
    size_t end = body.find('\n', pos);
    if (end == std::string_view::npos) end = body.size();
    std::string_view text = body.substr(pos, end - pos);
    pos = end + 1;
    ++line;
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (text.find_first_not_of(" \t") == std::string_view::npos) continue;  // blank lines are no rows
    ++r->rows;
    auto reject = [&](std::string column, std::string reason, std::string detail) {
      ++r->rejected;
      ++rejected_total_;
      if (r->rejects.size() < IngestResult::kMaxListed)
        r->rejects.push_back({line, column, reason, detail});
      RejectInfo info;
      info.reason = RejectReason::kFieldCount;
      info.detail = fmt::format("{}: {}", reason, detail);
      rejects_->Add(fmt::format("api:{}", spec.stem), line, info, text);
    };
    nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object()) {
      reject("", "bad_json", "not a JSON object on one line");
      continue;
    }
    std::string key;
    switch (JsonToRow(spec, j, /*booleans=*/true, &values, &key)) {
      case JsonRowError::kNone: break;
      case JsonRowError::kUnknownField:
        reject(key, "unknown_field", fmt::format("'{}' is no column of {}.csv", key, spec.stem));
        continue;
      case JsonRowError::kWrongType:
        reject(key, "wrong_type", fmt::format("'{}' must be a string or a number", key));
        continue;
    }
    for (size_t c = 0; c < values.size(); ++c) {
      if (c) csv.push_back(',');
      AppendCsvField(values[c], &csv);
    }
    csv.push_back('\n');
    line_of.push_back(line);
  }
  Status s = Ingest(spec, csv, &line_of, r);  // rows were counted above, per body line
  std::stable_sort(r->rejects.begin(), r->rejects.end(),
                   [](const IngestReject& a, const IngestReject& b) { return a.line < b.line; });
  return s;
}

Status LiveSource::Ingest(const FileSpec& spec, std::string_view body, const std::vector<uint64_t>* line_of,
                          IngestResult* r) {
  Kind* k = KindFor(spec);
  if (!k) return Status::Invalid(fmt::format("{}: not a file of the interchange format", spec.stem));
  const std::string name = k->stats.file;
  CsvReader csv(MemoryByteSource(body), 1 << 16);
  CsvRecord rec;
  if (!csv.Next(&rec)) return Status::Invalid(fmt::format("{}: empty body, expected a header row", name));
  RowParser parser(spec, dicts_, tz_);
  // As `run` reads: the engine compares sms.template_hash, never the dense id.
  if (!spec.is_registry && spec.kind == EventKind::kSms) parser.set_intern(col::kSmsTemplate, false);
  if (Status s = parser.BindHeader(rec, name); !s.ok()) return s;
  r->unknown_columns = parser.stats().unknown_columns;

  // Rows are parsed first and queued only once the inbox has them, so a
  // failed write leaves nothing half-accepted (their ids stay interned:
  // harmless, an id means nothing until an event names it).
  std::vector<Event> events;
  std::vector<Person> persons;
  std::string lines;
  while (csv.Next(&rec)) {
    const uint64_t line = line_of && rec.line < line_of->size() ? (*line_of)[rec.line] : rec.line;
    if (!line_of) ++r->rows;
    ++k->stats.rows;
    RejectInfo rej;
    bool ok;
    Event e;
    Person p;
    if (spec.is_registry) {
      ok = parser.ParsePerson(rec, &p, &rej);
    } else {
      ok = parser.ParseEvent(rec, &e, &rej);
    }
    if (!ok) {
      ++r->rejected;
      if (r->rejects.size() < IngestResult::kMaxListed)
        r->rejects.push_back({line, std::string(rej.column), std::string(ToString(rej.reason)), rej.detail});
      CountReject(k, line, rej, rec.raw);
      continue;
    }
    for (size_t c = 0; c < spec.columns.size(); ++c) {  // the inbox's column order, the format's
      if (c) lines.push_back(',');
      const int f = parser.field_index(static_cast<int>(c));
      if (f >= 0) AppendCsvField(rec.fields[static_cast<size_t>(f)], &lines);
    }
    lines.push_back('\n');
    if (spec.is_registry) {
      persons.push_back(p);
    } else {
      events.push_back(e);
    }
  }
  if (!csv.error().ok()) return Status::Invalid(fmt::format("{}: {}", name, csv.error().message()));
  if (Status s = AppendInbox(k, lines); !s.ok()) return s;

  for (const Person& p : persons) {
    if (p.id >= dicts_->people.size()) dicts_->people.resize(std::max<size_t>(p.id + 1, dicts_->people.size() * 2));
    dicts_->people[p.id] = p;
  }
  for (Event& e : events) {
    if (last_out_ != kNoTs && e.ts < last_out_) ++r->late;
    Queue(k, &e);
  }
  const uint64_t accepted = events.size() + persons.size();
  r->accepted += accepted;
  accepted_total_ += accepted;
  k->stats.accepted += accepted;
  return Status::Ok();
}

bool LiveSource::Next(Event* e) {
  if (replay_) {
    if (replay_->Next(e)) {
      NoteOwner(*e);
      ++handed_out_;
      if (last_out_ == kNoTs || e->ts > last_out_) last_out_ = e->ts;
      if (max_ts_ == kNoTs || e->ts > max_ts_) max_ts_ = e->ts;
      return true;
    }
  }
  Kind* best = nullptr;
  const Event* best_e = nullptr;
  for (auto& k : kinds_) {  // AllFileSpecs() order: strict '<' keeps the spec's tie-break
    const Event* h = k->queue.Peek(true);
    if (h && (!best_e || h->ts < best_e->ts)) {
      best = k.get();
      best_e = h;
    }
  }
  if (!best_e) return false;
  if (!flush_ && best_e->ts > max_ts_ - lateness_) return false;
  *e = *best_e;
  best->queue.Pop();
  ++handed_out_;
  if (last_out_ == kNoTs || e->ts > last_out_) last_out_ = e->ts;
  return true;
}

Status LiveSource::Finish() {
  Status s = replay_ ? replay_->Finish() : Status::Ok();
  for (auto& k : kinds_) {
    if (k->fd < 0) continue;
    if (Status w = SyncInbox(*k->spec); !w.ok() && s.ok()) s = w;
    ::close(k->fd);
    k->fd = -1;
  }
  return s;
}

std::vector<FileStats> LiveSource::stats() const {
  std::vector<FileStats> out;
  if (replay_)
    for (FileStats& s : replay_->stats()) {
      s.file = "inbox:" + s.file;
      out.push_back(std::move(s));
    }
  for (const auto& k : kinds_)
    if (k->stats.accepted + k->stats.rejected > 0) out.push_back(k->stats);
  return out;
}

SourcePosition LiveSource::Position() const {
  SourcePosition p;
  p.events = handed_out_;
  for (const auto& k : kinds_) p.inputs.emplace_back(k->stats.file, k->stats.accepted);
  return p;
}

size_t LiveSource::queued() const {
  size_t n = 0;
  for (const auto& k : kinds_) n += k->queue.size();
  return n;
}

}  // namespace interdict
