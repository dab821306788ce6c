#include "ingest/dataset.h"

#include <sys/stat.h>

#include <fmt/format.h>

#include "base/log.h"

namespace interdict {

namespace {
bool FileExists(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0 && !S_ISDIR(st.st_mode);
}

void NoteUnknownColumns(const FileStats& s) {
  if (s.unknown_columns.empty()) return;
  std::string cols;
  for (const auto& c : s.unknown_columns) cols += (cols.empty() ? "" : ", ") + c;
  INTERDICT_LOG_INFO("{}: ignoring unknown column(s): {}", s.file, cols);
}

void CountTs(FileStats* s, Ts ts) {
  if (s->min_ts == kNoTs || ts < s->min_ts) s->min_ts = ts;
  if (s->max_ts == kNoTs || ts > s->max_ts) s->max_ts = ts;
}
}  // namespace

std::string FindDatasetFile(const std::string& dir, std::string_view stem, std::string* warning) {
  std::string plain = fmt::format("{}/{}.csv", dir, stem);
  std::string gz = plain + ".gz";
  bool has_plain = FileExists(plain), has_gz = FileExists(gz);
  if (has_plain && has_gz && warning)
    *warning = fmt::format("both {}.csv and {}.csv.gz in {}: reading {}.csv", stem, stem, dir, stem);
  if (has_plain) return plain;
  if (has_gz) return gz;
  return {};
}

EventFileStream::EventFileStream(const FileSpec& spec, Dictionaries* dicts, RejectSink* rejects,
                                 const ReadOptions& opt)
    : parser_(spec, dicts, opt.tz),
      rejects_(rejects),
      opt_(opt),
      buffer_(opt.lateness_s),
      recs_(kBatch),
      pending_(kBatch),
      rej_(kBatch),
      ok_(kBatch) {
  parser_.set_exact_distinct(opt.exact_distinct);
  if (!opt.intern_sms_templates && spec.kind == EventKind::kSms) parser_.set_intern(col::kSmsTemplate, false);
}

Status EventFileStream::Open(const std::string& path, const std::string& display_name) {
  std::unique_ptr<ByteSource> src;
  Status s = OpenByteSource(path, &src);
  if (!s.ok()) return s;
  csv_ = std::make_unique<CsvReader>(std::move(src), opt_.buffer_bytes);
  CsvRecord header;
  if (!csv_->Next(&header)) {
    if (!csv_->error().ok()) return Status::Io(fmt::format("{}: {}", display_name, csv_->error().message()));
    return Status::Invalid(fmt::format("{}: empty file, expected a header row", display_name));
  }
  s = parser_.BindHeader(header, display_name);
  if (!s.ok()) return s;
  NoteUnknownColumns(parser_.stats());
  return Status::Ok();
}

bool EventFileStream::ReadBatch() {
  FileStats& st = parser_.stats();
  const size_t n = csv_->NextBatch(recs_.data(), kBatch);
  if (n == 0) {
    eof_ = true;
    return false;
  }
  st.rows += n;
  for (size_t i = 0; i < n; ++i) ok_[i] = parser_.Prepare(recs_[i], &pending_[i], &rej_[i]);
  for (size_t i = 0; i < n; ++i)
    if (ok_[i]) RowParser::Resolve(&pending_[i]);
  // Finish in record order: ids are assigned, and rejects written, as rows come.
  for (size_t i = 0; i < n; ++i) {
    if (!ok_[i] || !parser_.Finish(&pending_[i], &ev_, &rej_[i])) {
      AddReject(&st, rejects_, recs_[i], rej_[i]);
      continue;
    }
    ev_.seq = seq_++;
    ++st.accepted;
    CountTs(&st, ev_.ts);
    if (buffer_.Push(ev_)) ++st.late;
    while (const Event* r = buffer_.Peek(false)) {
      ready_.push_back(*r);
      buffer_.Pop();
    }
  }
  return true;
}

const Event* EventFileStream::Peek() {
  for (;;) {
    if (!ready_.empty()) return &ready_.front();
    if (eof_) return buffer_.Peek(true);
    ReadBatch();
  }
}

void EventFileStream::Pop() {
  if (!ready_.empty()) {
    ready_.pop_front();
  } else {
    buffer_.Pop();
  }
}

Status EventFileStream::Finish() {
  FileStats& st = parser_.stats();
  st.blank_lines = csv_ ? csv_->blank_lines() : 0;
  parser_.FinishStats();
  if (csv_ && !csv_->error().ok()) return Status::Io(fmt::format("{}: {}", st.file, csv_->error().message()));
  return Status::Ok();
}

Status ReadPeople(const std::string& path, Dictionaries* dicts, RejectSink* rejects, const ReadOptions& opt,
                  FileStats* stats) {
  std::unique_ptr<ByteSource> src;
  Status s = OpenByteSource(path, &src);
  if (!s.ok()) return s;
  CsvReader csv(std::move(src), opt.buffer_bytes);
  RowParser parser(PeopleSpec(), dicts, opt.tz);
  std::string name = path.substr(path.find_last_of('/') + 1);
  CsvRecord rec;
  if (!csv.Next(&rec)) return Status::Invalid(fmt::format("{}: empty file, expected a header row", name));
  s = parser.BindHeader(rec, name);
  if (!s.ok()) return s;
  NoteUnknownColumns(parser.stats());
  FileStats& st = parser.stats();
  Person p;
  RejectInfo rej;
  while (csv.Next(&rec)) {
    ++st.rows;
    if (!parser.ParsePerson(rec, &p, &rej)) {
      AddReject(&st, rejects, rec, rej);
      continue;
    }
    ++st.accepted;
    if (p.id >= dicts->people.size()) dicts->people.resize(std::max<size_t>(p.id + 1, dicts->people.size() * 2));
    dicts->people[p.id] = p;
  }
  st.blank_lines = csv.blank_lines();
  parser.FinishStats();
  *stats = st;
  if (!csv.error().ok()) return Status::Io(fmt::format("{}: {}", name, csv.error().message()));
  return Status::Ok();
}

Status CheckEventFile(const FileSpec& spec, const std::string& path, const std::string& display_name,
                      Dictionaries* dicts, RejectSink* rejects, const ReadOptions& opt, bool exact_distinct,
                      FileStats* out) {
  std::unique_ptr<ByteSource> src;
  Status s = OpenByteSource(path, &src);
  if (!s.ok()) return s;
  return CheckEventSource(spec, std::move(src), display_name, dicts, rejects, opt, exact_distinct, out);
}

Status CheckEventSource(const FileSpec& spec, std::unique_ptr<ByteSource> src, const std::string& display_name,
                        Dictionaries* dicts, RejectSink* rejects, const ReadOptions& opt, bool exact_distinct,
                        FileStats* out) {
  CsvReader csv(std::move(src), opt.buffer_bytes);
  Status s;
  RowParser parser(spec, dicts, opt.tz);
  parser.set_exact_distinct(exact_distinct);
  CsvRecord rec;
  if (!csv.Next(&rec)) {
    if (!csv.error().ok()) return Status::Io(fmt::format("{}: {}", display_name, csv.error().message()));
    return Status::Invalid(fmt::format("{}: empty file, expected a header row", display_name));
  }
  s = parser.BindHeader(rec, display_name);
  if (!s.ok()) return s;
  NoteUnknownColumns(parser.stats());
  FileStats& st = parser.stats();
  CheckTally tally;
  tally.lateness = opt.lateness_s;
  // The fused path takes whole lines straight from the reader's buffer; the
  // reader takes what it hands back (quoted records, the last line without a
  // line end) one record at a time. --exact-distinct interns every id, which
  // costs far more than reading, so it stays on the record path.
  std::unique_ptr<LineChecker> fast =
      exact_distinct ? nullptr : LineChecker::Create(&parser, rejects, opt.check_simd);
  uint64_t slow_until = 0;  // after a quote, the record path reads to the end of the scanned window
  for (;;) {
    if (fast && csv.consumed() >= slow_until) {
      std::string_view lines = csv.BufferedLines();
      if (!lines.empty()) {
        const uint64_t at = csv.consumed();
        const LineChecker::Result r = fast->Run(lines, csv.line(), &tally);
        csv.SkipLines(r.bytes, r.lines, r.blank);
        st.rows += r.records;
        if (!r.stopped) continue;
        slow_until = at + r.window;  // no byte is scanned twice
      }
    }
    if (!csv.Next(&rec)) break;
    ++st.rows;
    Ts ts;
    if (CheckRecord(&parser, rejects, rec, &ts)) tally.Accept(ts);
  }
  tally.Into(&st);
  st.blank_lines = csv.blank_lines();
  parser.FinishStats();
  *out = st;
  if (!csv.error().ok()) return Status::Io(fmt::format("{}: {}", display_name, csv.error().message()));
  return Status::Ok();
}

Status DatasetReader::OpenDirectory(const std::string& dir) {
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0) return Status::NotFound(fmt::format("{}: no such data set directory", dir));
  if (!S_ISDIR(st.st_mode)) return Status::Invalid(fmt::format("{}: not a directory", dir));
  for (const FileSpec& spec : AllFileSpecs()) {
    std::string warning;
    std::string path = FindDatasetFile(dir, spec.stem, &warning);
    if (!warning.empty()) INTERDICT_LOG_WARN("{}", warning);
    if (path.empty()) continue;
    std::string name = path.substr(path.find_last_of('/') + 1);
    if (spec.is_registry) {
      Status s = ReadPeople(path, dicts_, rejects_, opt_, &people_stats_);
      if (!s.ok()) return s;
      have_people_ = true;
      continue;
    }
    auto stream = std::make_unique<EventFileStream>(spec, dicts_, rejects_, opt_);
    Status s = stream->Open(path, name);
    if (!s.ok()) return s;
    streams_.push_back(std::move(stream));
  }
  return Status::Ok();
}

Status DatasetReader::OpenStream(EventKind kind, const std::string& path) {
  auto stream = std::make_unique<EventFileStream>(EventFileSpec(kind), dicts_, rejects_, opt_);
  std::string name = path == "-" ? fmt::format("<stdin:{}>", EventFileSpec(kind).stem) : path;
  Status s = stream->Open(path, name);
  if (!s.ok()) return s;
  streams_.push_back(std::move(stream));
  return Status::Ok();
}

bool DatasetReader::Next(Event* e) {
  // Streams are few (at most six) and kept in spec order, so a linear scan
  // with strict '<' on ts gives the spec's tie-break by file order.
  EventFileStream* best = nullptr;
  const Event* best_e = nullptr;
  for (auto& s : streams_) {
    const Event* h = s->Peek();
    if (h && (!best_e || h->ts < best_e->ts)) {
      best = s.get();
      best_e = h;
    }
  }
  if (!best) return false;
  *e = *best_e;
  best->Pop();
  ++delivered_;
  return true;
}

SourcePosition DatasetReader::Position() const {
  SourcePosition p;
  p.events = delivered_;
  for (const auto& s : streams_) {
    const FileStats& st = s->stats();  // unique_ptr: the stream itself is not const here
    p.inputs.emplace_back(st.file, st.rows);
  }
  return p;
}

Status DatasetReader::Finish() {
  Status first;
  for (auto& s : streams_) {
    Status st = s->Finish();
    if (!st.ok() && first.ok()) first = st;
  }
  return first;
}

std::vector<FileStats> DatasetReader::stats() const {
  std::vector<FileStats> out;
  if (have_people_) out.push_back(people_stats_);
  for (const auto& s : streams_) out.push_back(s->stats());
  return out;
}

bool DatasetReader::Has(EventKind k) const {
  for (const auto& s : streams_)
    if (s->kind() == k) return true;
  return false;
}

}  // namespace interdict
