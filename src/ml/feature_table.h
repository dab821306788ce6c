// FeatureTable: a CSV table of numeric features, one row per entity (a phone
// number, an account), read into a dense row-major float matrix for xgboost.
//
// The header names the columns. One column is the entity id (kept as text,
// never used as a feature); one optional column is the 0/1 label; every other
// column is a feature. A feature cell that is empty, "NA"/"NaN"/"null" or
// otherwise not a finite number becomes NaN, which xgboost treats as missing:
// fraud tables are full of holes (a number with no data traffic has no
// flow_var) and the holes themselves carry signal, so they are kept, counted
// per column and reported once, not imputed. A row with the wrong number of
// fields or a bad label is skipped and reported with its file and line.
//
// Ownership: a FeatureTable owns its values, ids and labels. Thread safety:
// none while being read; const access from several threads is safe.
#pragma once
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "base/status.h"

namespace interdict {

inline constexpr float kMissing = std::numeric_limits<float>::quiet_NaN();

// A dense row-major matrix with named columns; NaN = missing.
struct Matrix {
  size_t rows = 0;
  size_t cols = 0;
  std::vector<float> values;  // rows * cols
  std::vector<std::string> names;

  float at(size_t r, size_t c) const { return values[r * cols + c]; }
  const float* row(size_t r) const { return values.data() + r * cols; }
  // Index of column `name`, or -1.
  int Find(const std::string& name) const;
  // The rows listed in `idx`, in that order.
  Matrix Select(const std::vector<size_t>& idx) const;
};

struct FeatureTableOptions {
  std::string id_column;     // empty: the first column of the header
  std::string label_column;  // empty: no label
  bool label_required = false;  // a missing label column is an error (training)
  // Columns that are neither id, label nor features (e.g. a second key).
  std::vector<std::string> ignore_columns;
  // Up to this many bad-row messages are kept in the report; all are counted.
  size_t max_messages = 20;
};

// What reading a table found. Messages name file, line and column, never a
// cell's value (ids and values of individuals stay out of logs).
struct FeatureTableReport {
  uint64_t rows_read = 0;     // data records seen (header excluded)
  uint64_t rows_skipped = 0;  // ragged, unparseable, or with a bad label
  uint64_t blank_lines = 0;
  std::vector<uint64_t> empty_cells;     // per feature column: empty/NA cells
  std::vector<uint64_t> invalid_cells;   // per feature column: non-numeric or non-finite cells
  std::vector<std::string> messages;     // first max_messages problems, "file:line: column x: ..."
  // One line for the user: the columns with empty or invalid cells and how
  // many, e.g. "empty cells: flow_var 538, arpu_skew 564; non-numeric: none".
  std::string Summary(const std::vector<std::string>& names) const;
};

class FeatureTable {
 public:
  // Reads `path` ("-" = stdin; gzip detected). Fails (InvalidInput/NotFound/
  // Io) on an unreadable file, an empty file, a header without the id or a
  // required label column, or a duplicate column name; bad rows are skipped
  // and reported, not fatal.
  static Status Read(const std::string& path, const FeatureTableOptions& opt, FeatureTable* out,
                     FeatureTableReport* report);

  const Matrix& features() const { return x_; }
  Matrix& mutable_features() { return x_; }
  const std::vector<std::string>& ids() const { return ids_; }
  bool has_labels() const { return has_labels_; }
  const std::vector<float>& labels() const { return labels_; }
  size_t rows() const { return x_.rows; }
  const std::string& id_column() const { return id_column_; }

 private:
  Matrix x_;
  std::vector<std::string> ids_;
  std::vector<float> labels_;
  bool has_labels_ = false;
  std::string id_column_;
};

// Parses one numeric cell. Returns true with *v = NaN for an empty or NA cell
// (*empty = true), true with the value for a finite number, false otherwise.
bool ParseFeatureCell(std::string_view s, float* v, bool* empty);

}  // namespace interdict
