#include "ml/feature_table.h"

#include <fast_float/fast_float.h>
#include <fmt/format.h>

#include <cctype>
#include <cmath>
#include <memory>
#include <unordered_map>

#include "base/bytes.h"
#include "ingest/csv.h"

namespace interdict {

int Matrix::Find(const std::string& name) const {
  for (size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return static_cast<int>(i);
  return -1;
}

Matrix Matrix::Select(const std::vector<size_t>& idx) const {
  Matrix m;
  m.rows = idx.size();
  m.cols = cols;
  m.names = names;
  m.values.resize(m.rows * cols);
  for (size_t i = 0; i < idx.size(); ++i)
    std::copy(row(idx[i]), row(idx[i]) + cols, m.values.begin() + static_cast<ptrdiff_t>(i * cols));
  return m;
}

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool IsNaToken(std::string_view s) {
  auto eq = [&](std::string_view t) {
    if (s.size() != t.size()) return false;
    for (size_t i = 0; i < s.size(); ++i)
      if (std::tolower(static_cast<unsigned char>(s[i])) != t[i]) return false;
    return true;
  };
  return eq("na") || eq("nan") || eq("null") || eq("none") || eq("n/a");
}

}  // namespace

bool ParseFeatureCell(std::string_view s, float* v, bool* empty) {
  s = Trim(s);
  *empty = false;
  if (s.empty() || IsNaToken(s)) {
    *empty = true;
    *v = kMissing;
    return true;
  }
  // fast_float rejects a leading '+'; accept it, as spreadsheets write it.
  if (s.front() == '+') s.remove_prefix(1);
  double d = 0;
  auto r = fast_float::from_chars(s.data(), s.data() + s.size(), d);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size() || !std::isfinite(d)) {
    *v = kMissing;
    return false;
  }
  float f = static_cast<float>(d);
  if (!std::isfinite(f)) {  // beyond float range: as unusable as text
    *v = kMissing;
    return false;
  }
  *v = f;
  return true;
}

std::string FeatureTableReport::Summary(const std::vector<std::string>& names) const {
  auto list = [&](const std::vector<uint64_t>& counts) {
    std::string out;
    for (size_t c = 0; c < names.size() && c < counts.size(); ++c) {
      if (counts[c] == 0) continue;
      out += fmt::format("{}{} {}", out.empty() ? "" : ", ", names[c], counts[c]);
    }
    return out.empty() ? std::string("none") : out;
  };
  return fmt::format("empty cells (missing): {}; non-numeric cells (treated as missing): {}", list(empty_cells),
                     list(invalid_cells));
}

Status FeatureTable::Read(const std::string& path, const FeatureTableOptions& opt, FeatureTable* out,
                          FeatureTableReport* report) {
  *out = FeatureTable();
  *report = FeatureTableReport();
  std::unique_ptr<ByteSource> src;
  Status s = OpenByteSource(path, &src);
  if (!s.ok()) return s;
  CsvReader reader(std::move(src));
  CsvRecord rec;
  if (!reader.Next(&rec)) {
    if (!reader.error().ok()) return reader.error();
    return Status::Invalid(fmt::format("{}: empty file, expected a header", path));
  }
  if (rec.error != CsvError::kNone)
    return Status::Invalid(fmt::format("{}:{}: malformed header", path, rec.line));

  std::vector<std::string> header(rec.fields.begin(), rec.fields.end());
  std::unordered_map<std::string, size_t> pos;
  for (size_t i = 0; i < header.size(); ++i) {
    header[i] = std::string(Trim(header[i]));
    if (header[i].empty())
      return Status::Invalid(fmt::format("{}:{}: column {} has an empty name", path, rec.line, i + 1));
    if (!pos.emplace(header[i], i).second)
      return Status::Invalid(fmt::format("{}:{}: duplicate column '{}'", path, rec.line, header[i]));
  }
  std::string id_col = opt.id_column.empty() ? header[0] : opt.id_column;
  auto it = pos.find(id_col);
  if (it == pos.end())
    return Status::Invalid(fmt::format("{}: no id column '{}' in the header", path, id_col));
  size_t id_idx = it->second;
  long label_idx = -1;
  if (!opt.label_column.empty()) {
    auto lt = pos.find(opt.label_column);
    if (lt != pos.end()) {
      label_idx = static_cast<long>(lt->second);
    } else if (opt.label_required) {
      return Status::Invalid(fmt::format("{}: no label column '{}' in the header", path, opt.label_column));
    }
  }
  if (label_idx == static_cast<long>(id_idx))
    return Status::Invalid(fmt::format("{}: id and label are the same column '{}'", path, id_col));

  // Feature columns: everything else, in header order.
  std::vector<int> feature_of(header.size(), -1);
  Matrix& x = out->x_;
  for (size_t i = 0; i < header.size(); ++i) {
    if (i == id_idx || static_cast<long>(i) == label_idx) continue;
    bool ignored = false;
    for (const auto& ig : opt.ignore_columns) ignored |= (ig == header[i]);
    if (ignored) continue;
    feature_of[i] = static_cast<int>(x.names.size());
    x.names.push_back(header[i]);
  }
  x.cols = x.names.size();
  if (x.cols == 0) return Status::Invalid(fmt::format("{}: no feature columns", path));
  out->id_column_ = id_col;
  out->has_labels_ = label_idx >= 0;
  report->empty_cells.assign(x.cols, 0);
  report->invalid_cells.assign(x.cols, 0);

  auto note = [&](std::string msg) {
    if (report->messages.size() < opt.max_messages) report->messages.push_back(std::move(msg));
  };
  std::vector<float> row(x.cols);
  // Per-column "first invalid cell" is reported once so that a column of text
  // yields one message, not one per row.
  std::vector<bool> invalid_noted(x.cols, false);
  while (reader.Next(&rec)) {
    ++report->rows_read;
    if (rec.error != CsvError::kNone) {
      ++report->rows_skipped;
      note(fmt::format("{}:{}: malformed CSV record ({}), row skipped", path, rec.line,
                       rec.error == CsvError::kRecordTooLong ? "record too long" : "bad quoting"));
      continue;
    }
    if (rec.fields.size() != header.size()) {
      ++report->rows_skipped;
      note(fmt::format("{}:{}: expected {} fields, got {}, row skipped", path, rec.line, header.size(),
                       rec.fields.size()));
      continue;
    }
    float label = 0;
    if (label_idx >= 0) {
      std::string_view l = Trim(rec.fields[static_cast<size_t>(label_idx)]);
      bool empty = false;
      if (!ParseFeatureCell(l, &label, &empty) || empty || (label != 0.0f && label != 1.0f)) {
        ++report->rows_skipped;
        note(fmt::format("{}:{}: column {}: label must be 0 or 1, row skipped", path, rec.line,
                         header[static_cast<size_t>(label_idx)]));
        continue;
      }
    }
    std::string_view id = Trim(rec.fields[id_idx]);
    if (id.empty()) {
      ++report->rows_skipped;
      note(fmt::format("{}:{}: column {}: empty id, row skipped", path, rec.line, id_col));
      continue;
    }
    for (size_t i = 0; i < header.size(); ++i) {
      int f = feature_of[i];
      if (f < 0) continue;
      bool empty = false;
      if (!ParseFeatureCell(rec.fields[i], &row[static_cast<size_t>(f)], &empty)) {
        ++report->invalid_cells[static_cast<size_t>(f)];
        if (!invalid_noted[static_cast<size_t>(f)]) {
          invalid_noted[static_cast<size_t>(f)] = true;
          note(fmt::format("{}:{}: column {}: not a finite number, treated as missing (first such cell "
                           "in this column)",
                           path, rec.line, header[i]));
        }
      } else if (empty) {
        ++report->empty_cells[static_cast<size_t>(f)];
      }
    }
    x.values.insert(x.values.end(), row.begin(), row.end());
    out->ids_.emplace_back(id);
    if (label_idx >= 0) out->labels_.push_back(label);
    ++x.rows;
  }
  if (!reader.error().ok()) return reader.error();
  report->blank_lines = reader.blank_lines();
  return Status::Ok();
}

}  // namespace interdict
