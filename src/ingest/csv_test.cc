#include "ingest/csv.h"

#include <gtest/gtest.h>

#include "base/test_util.h"

namespace interdict {
namespace {

using Rows = std::vector<std::vector<std::string>>;

struct Parsed {
  Rows rows;
  std::vector<uint64_t> lines;
  std::vector<CsvError> errors;
  std::vector<std::string> raws;
  uint64_t blank = 0;
};

// Parses `text` with a deliberately small buffer too, so records cross refills.
Parsed ParseWith(const std::string& text, size_t buffer) {
  testing::TempDir dir;
  testing::WriteFile(dir.File("x.csv"), text);
  std::unique_ptr<ByteSource> src;
  EXPECT_TRUE(OpenByteSource(dir.File("x.csv"), &src).ok());
  CsvReader r(std::move(src), buffer);
  Parsed p;
  CsvRecord rec;
  while (r.Next(&rec)) {
    std::vector<std::string> f(rec.fields.begin(), rec.fields.end());
    p.rows.push_back(f);
    p.lines.push_back(rec.line);
    p.errors.push_back(rec.error);
    p.raws.emplace_back(rec.raw);
  }
  p.blank = r.blank_lines();
  EXPECT_TRUE(r.error().ok());
  return p;
}

Parsed Parse(const std::string& text) {
  Parsed big = ParseWith(text, 1 << 20);
  Parsed small = ParseWith(text, 16);  // every record crosses refills
  EXPECT_EQ(big.rows, small.rows);
  EXPECT_EQ(big.lines, small.lines);
  EXPECT_EQ(big.raws, small.raws);
  return big;
}

TEST(Csv, PlainLfAndCrlf) {
  Parsed p = Parse("a,b,c\n1,2,3\r\n4,,6\n");
  EXPECT_EQ(p.rows, (Rows{{"a", "b", "c"}, {"1", "2", "3"}, {"4", "", "6"}}));
  EXPECT_EQ(p.lines, (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(p.raws[1], "1,2,3");  // no CR in the raw row
}

TEST(Csv, NoFinalNewlineAndTrailingEmptyField) {
  Parsed p = Parse("a,b\n1,\n2,x");
  EXPECT_EQ(p.rows, (Rows{{"a", "b"}, {"1", ""}, {"2", "x"}}));
  p = Parse("a,b\r\n1,2\r");
  EXPECT_EQ(p.rows, (Rows{{"a", "b"}, {"1", "2"}}));
}

TEST(Csv, BomIsSkipped) {
  Parsed p = Parse("\xEF\xBB\xBFts,caller\n1,2\n");
  EXPECT_EQ(p.rows[0][0], "ts");
}

TEST(Csv, Rfc4180Quoting) {
  Parsed p = Parse("a,b,c\n\"x,y\",\"he said \"\"hi\"\"\",\"\"\n\"multi\nline\",2,3\r\nafter,1,2\n");
  ASSERT_EQ(p.rows.size(), 4u);
  EXPECT_EQ(p.rows[1], (std::vector<std::string>{"x,y", "he said \"hi\"", ""}));
  EXPECT_EQ(p.rows[2], (std::vector<std::string>{"multi\nline", "2", "3"}));
  EXPECT_EQ(p.lines[2], 3u);
  EXPECT_EQ(p.lines[3], 5u);  // the quoted line break counts as a line
  EXPECT_EQ(p.rows[3], (std::vector<std::string>{"after", "1", "2"}));
}

TEST(Csv, QuotedCrlfAtEndOfRecord) {
  Parsed p = Parse("a,b\r\n\"1\",\"2\"\r\n\"3\",4\r\n");
  EXPECT_EQ(p.rows, (Rows{{"a", "b"}, {"1", "2"}, {"3", "4"}}));
}

TEST(Csv, BlankLinesCountedNotReturned) {
  Parsed p = Parse("a\n\n1\r\n\r\n2\n");
  EXPECT_EQ(p.rows, (Rows{{"a"}, {"1"}, {"2"}}));
  EXPECT_EQ(p.blank, 2u);
  EXPECT_EQ(p.lines, (std::vector<uint64_t>{1, 3, 5}));
}

TEST(Csv, UnterminatedQuoteLosesOnlyItsLine) {
  Parsed p = Parse("a,b\n\"oops,1\n2,3\n4,5\n");
  ASSERT_EQ(p.rows.size(), 4u);
  EXPECT_EQ(p.errors[1], CsvError::kUnterminatedQuote);
  EXPECT_EQ(p.raws[1], "\"oops,1");
  EXPECT_EQ(p.lines[1], 2u);
  EXPECT_EQ(p.rows[2], (std::vector<std::string>{"2", "3"}));
  EXPECT_EQ(p.lines[2], 3u);
  EXPECT_EQ(p.rows[3], (std::vector<std::string>{"4", "5"}));
}

TEST(Csv, TextAfterClosingQuoteIsBadQuote) {
  Parsed p = Parse("a,b\n\"x\"y,1\n2,3\n");
  ASSERT_EQ(p.rows.size(), 3u);
  EXPECT_EQ(p.errors[1], CsvError::kBadQuote);
  EXPECT_EQ(p.rows[2], (std::vector<std::string>{"2", "3"}));
}

TEST(Csv, QuoteInsideUnquotedFieldIsKeptForValidation) {
  Parsed p = Parse("a,b\nab\"c,1\n");
  EXPECT_EQ(p.rows[1][0], "ab\"c");
  EXPECT_EQ(p.errors[1], CsvError::kNone);
}

TEST(Csv, LongRowsCrossManyRefills) {
  std::string longf(100000, 'x');
  Parsed p = Parse("a,b\n" + longf + ",1\n2,3\n");
  EXPECT_EQ(p.rows[1][0].size(), longf.size());
  EXPECT_EQ(p.rows[2], (std::vector<std::string>{"2", "3"}));
}

TEST(Csv, GzipInput) {
  testing::TempDir dir;
  std::string text = "a,b\n";
  for (int i = 0; i < 50000; ++i) text += std::to_string(i) + ",v\n";
  testing::WriteGzip(dir.File("x.csv.gz"), text);
  std::unique_ptr<ByteSource> src;
  ASSERT_TRUE(OpenByteSource(dir.File("x.csv.gz"), &src).ok());
  CsvReader r(std::move(src), 4096);
  CsvRecord rec;
  int n = 0;
  while (r.Next(&rec)) ++n;
  EXPECT_EQ(n, 50001);
  EXPECT_TRUE(r.error().ok());
}

TEST(Csv, TruncatedGzipIsAnError) {
  testing::TempDir dir;
  std::string text;
  for (int i = 0; i < 20000; ++i) text += std::to_string(i * 31) + ",value\n";
  testing::WriteGzip(dir.File("x.csv.gz"), text);
  std::string gz = testing::ReadFile(dir.File("x.csv.gz"));
  testing::WriteFile(dir.File("t.csv.gz"), gz.substr(0, gz.size() / 2));
  std::unique_ptr<ByteSource> src;
  ASSERT_TRUE(OpenByteSource(dir.File("t.csv.gz"), &src).ok());
  CsvReader r(std::move(src), 4096);
  CsvRecord rec;
  while (r.Next(&rec)) {
  }
  EXPECT_FALSE(r.error().ok());
}

TEST(Csv, MissingFileAndDirectory) {
  std::unique_ptr<ByteSource> src;
  Status s = OpenByteSource("/nonexistent/calls.csv", &src);
  EXPECT_EQ(s.code(), Status::Code::kNotFound);
  testing::TempDir dir;
  s = OpenByteSource(dir.path(), &src);
  EXPECT_FALSE(s.ok());
}

TEST(Csv, AppendFieldQuotesWhenNeeded) {
  std::string out;
  AppendCsvField("plain", &out);
  out += '|';
  AppendCsvField("a,\"b\"", &out);
  EXPECT_EQ(out, "plain|\"a,\"\"b\"\"\"");
}

}  // namespace
}  // namespace interdict

namespace interdict {
namespace {
TEST(Csv, CleanFlagMarksRowsWithOnlyIdBytes) {
  testing::TempDir dir;
  // Rows 2 and 5 are clean (CRLF is not dirt); 3 has a space, 4 a UTF-8 byte, 6 a tab;
  // long rows cross the 16/32-byte steps of the vector paths.
  std::string longclean(70, 'x'), longdirty = std::string(40, 'x') + "\xe8" + std::string(29, 'x');
  testing::WriteFile(dir.File("x.csv"), "a,b\r\n1,2\r\n1, 2\n1,\xe8\xb4\xa6\n" + longclean + ",9\n" + longdirty +
                                            ",8\n\t,1\n");
  std::unique_ptr<ByteSource> src;
  ASSERT_TRUE(OpenByteSource(dir.File("x.csv"), &src).ok());
  CsvReader r(std::move(src));
  CsvRecord rec;
  std::vector<bool> clean;
  while (r.Next(&rec)) clean.push_back(rec.clean);
  EXPECT_EQ(clean, (std::vector<bool>{true, true, false, false, true, false, false}));
}

// Only a CR may stand before the line end of a clean row: any other byte
// there is checked like everywhere else (it used to pass as a CR).
TEST(Csv, ByteBeforeLineEndIsDirtUnlessCr) {
  for (const std::string& pad : {std::string(), std::string(29, 'x'), std::string(13, 'x')}) {
    const std::string data = "a,b\n1," + pad + "2\x7f\n1," + pad + "2\x01\n1," + pad + "2\r\n1," + pad + "2\n";
    CsvReader r(MemoryByteSource(data));
    CsvRecord rec;
    std::vector<bool> clean;
    while (r.Next(&rec)) clean.push_back(rec.clean);
    EXPECT_EQ(clean, (std::vector<bool>{true, false, false, true, true})) << pad.size();
  }
}

// A line with bad quoting is taken whole whatever the read sizes (its end
// used to be cut where a read ended, the rest read as a record of its own).
TEST(Csv, BadQuoteLineIsWholeAtEveryReadSize) {
  const std::string data = "a,b,c\n1,\"2\"x,3,4\n5,6,7\n\"8,9\n";
  std::vector<std::string> want;
  for (size_t max_read : {SIZE_MAX, size_t{1}, size_t{2}, size_t{3}, size_t{5}, size_t{8}, size_t{13}}) {
    CsvReader r(MemoryByteSource(data, max_read), 4096);
    CsvRecord rec;
    std::vector<std::string> got;
    while (r.Next(&rec))
      got.push_back(std::to_string(rec.line) + ":" + std::to_string(static_cast<int>(rec.error)) + ":" +
                    std::string(rec.raw));
    if (want.empty()) want = got;
    EXPECT_EQ(got, want) << max_read;
  }
  EXPECT_EQ(want, (std::vector<std::string>{"1:0:a,b,c", "2:2:1,\"2\"x,3,4", "3:0:5,6,7", "4:1:\"8,9"}));
}
}  // namespace
}  // namespace interdict
