#include "ml/feature_table.h"

#include <gtest/gtest.h>

#include <cmath>

#include "base/test_util.h"

namespace interdict {
namespace {

Status ReadText(const std::string& text, const FeatureTableOptions& opt, FeatureTable* t, FeatureTableReport* r) {
  testing::TempDir dir;
  testing::WriteFile(dir.File("t.csv"), text);
  return FeatureTable::Read(dir.File("t.csv"), opt, t, r);
}

TEST(MlFeatureTable, ReadsIdLabelAndFeaturesWithMissing) {
  FeatureTableOptions opt;
  opt.id_column = "phone";
  opt.label_column = "label";
  opt.label_required = true;
  FeatureTable t;
  FeatureTableReport r;
  ASSERT_TRUE(ReadText("a,phone,label,b\n1.5,p1,0,2\n,p2,1,NaN\n-3e2,p3,1,+4\n", opt, &t, &r).ok());
  ASSERT_EQ(t.rows(), 3u);
  EXPECT_EQ(t.features().names, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(t.ids(), (std::vector<std::string>{"p1", "p2", "p3"}));
  EXPECT_EQ(t.labels(), (std::vector<float>{0, 1, 1}));
  EXPECT_FLOAT_EQ(t.features().at(0, 0), 1.5f);
  EXPECT_TRUE(std::isnan(t.features().at(1, 0)));
  EXPECT_TRUE(std::isnan(t.features().at(1, 1)));
  EXPECT_FLOAT_EQ(t.features().at(2, 0), -300.0f);
  EXPECT_FLOAT_EQ(t.features().at(2, 1), 4.0f);
  EXPECT_EQ(r.empty_cells, (std::vector<uint64_t>{1, 1}));
  EXPECT_EQ(r.invalid_cells, (std::vector<uint64_t>{0, 0}));
  EXPECT_EQ(r.rows_skipped, 0u);
}

TEST(MlFeatureTable, DefaultIdIsFirstColumnAndLabelOptional) {
  FeatureTableOptions opt;
  opt.label_column = "label";  // absent, not required: scoring a table without labels
  FeatureTable t;
  FeatureTableReport r;
  ASSERT_TRUE(ReadText("key,x\nk1,1\nk2,2\n", opt, &t, &r).ok());
  EXPECT_FALSE(t.has_labels());
  EXPECT_EQ(t.id_column(), "key");
  EXPECT_EQ(t.features().names, std::vector<std::string>{"x"});
}

TEST(MlFeatureTable, NonNumericCellIsMissingCountedAndReportedOncePerColumn) {
  FeatureTableOptions opt;
  FeatureTable t;
  FeatureTableReport r;
  ASSERT_TRUE(ReadText("id,x,y\na,1,abc\nb,2,1e999\nc,3x,5\n", opt, &t, &r).ok());
  ASSERT_EQ(t.rows(), 3u);
  EXPECT_TRUE(std::isnan(t.features().at(0, 1)));
  EXPECT_TRUE(std::isnan(t.features().at(1, 1)));  // overflows float: unusable
  EXPECT_TRUE(std::isnan(t.features().at(2, 0)));
  EXPECT_EQ(r.invalid_cells, (std::vector<uint64_t>{1, 2}));
  ASSERT_EQ(r.messages.size(), 2u);  // one per column, not per cell
  EXPECT_NE(r.messages[0].find(":2: column y"), std::string::npos) << r.messages[0];
  EXPECT_NE(r.messages[1].find(":4: column x"), std::string::npos) << r.messages[1];
  // No cell content in messages: values of individuals stay out of logs.
  EXPECT_EQ(r.messages[0].find("abc"), std::string::npos);
  EXPECT_NE(r.Summary(t.features().names).find("y 2"), std::string::npos);
}

TEST(MlFeatureTable, RaggedRowsAndBadLabelsAreSkippedWithLine) {
  FeatureTableOptions opt;
  opt.label_column = "label";
  opt.label_required = true;
  FeatureTable t;
  FeatureTableReport r;
  ASSERT_TRUE(ReadText("id,x,label\na,1,0\nb,2\nc,3,1,9\nd,4,2\ne,5,\n,6,1\nf,7,1\n", opt, &t, &r).ok());
  EXPECT_EQ(t.ids(), (std::vector<std::string>{"a", "f"}));
  EXPECT_EQ(r.rows_read, 7u);
  EXPECT_EQ(r.rows_skipped, 5u);
  ASSERT_EQ(r.messages.size(), 5u);
  EXPECT_NE(r.messages[0].find(":3: expected 3 fields, got 2"), std::string::npos) << r.messages[0];
  EXPECT_NE(r.messages[1].find(":4: expected 3 fields, got 4"), std::string::npos);
  EXPECT_NE(r.messages[2].find(":5: column label"), std::string::npos) << r.messages[2];
  EXPECT_NE(r.messages[3].find(":6: column label"), std::string::npos);
  EXPECT_NE(r.messages[4].find(":7: column id: empty id"), std::string::npos) << r.messages[4];
}

TEST(MlFeatureTable, HeaderProblemsAreErrorsNamingTheColumn) {
  FeatureTable t;
  FeatureTableReport r;
  FeatureTableOptions opt;
  opt.label_column = "label";
  opt.label_required = true;
  Status s = ReadText("id,x\na,1\n", opt, &t, &r);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("no label column 'label'"), std::string::npos) << s.message();
  opt = FeatureTableOptions();
  opt.id_column = "phone";
  s = ReadText("id,x\na,1\n", opt, &t, &r);
  EXPECT_NE(s.message().find("no id column 'phone'"), std::string::npos) << s.message();
  s = ReadText("id,x,x\na,1,2\n", FeatureTableOptions(), &t, &r);
  EXPECT_NE(s.message().find("duplicate column 'x'"), std::string::npos) << s.message();
  s = ReadText("", FeatureTableOptions(), &t, &r);
  EXPECT_NE(s.message().find("empty file"), std::string::npos) << s.message();
  s = ReadText("id\na\n", FeatureTableOptions(), &t, &r);
  EXPECT_NE(s.message().find("no feature columns"), std::string::npos) << s.message();
  EXPECT_FALSE(FeatureTable::Read("/nonexistent/t.csv", FeatureTableOptions(), &t, &r).ok());
}

TEST(MlFeatureTable, ParseFeatureCell) {
  float v = 0;
  bool empty = false;
  EXPECT_TRUE(ParseFeatureCell(" 2.5 ", &v, &empty));
  EXPECT_FLOAT_EQ(v, 2.5f);
  EXPECT_FALSE(empty);
  EXPECT_TRUE(ParseFeatureCell("NA", &v, &empty));
  EXPECT_TRUE(empty);
  EXPECT_TRUE(std::isnan(v));
  EXPECT_TRUE(ParseFeatureCell("null", &v, &empty));
  EXPECT_TRUE(empty);
  EXPECT_FALSE(ParseFeatureCell("inf", &v, &empty));
  EXPECT_FALSE(ParseFeatureCell("1,5", &v, &empty));
  EXPECT_FALSE(ParseFeatureCell("--1", &v, &empty));
  EXPECT_TRUE(std::isnan(v));
}

}  // namespace
}  // namespace interdict
