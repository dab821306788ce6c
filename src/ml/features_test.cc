#include "ml/features.h"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

namespace interdict {
namespace {

Matrix Table(std::vector<std::string> names, std::vector<float> values) {
  Matrix m;
  m.cols = names.size();
  m.names = std::move(names);
  m.values = std::move(values);
  m.rows = m.values.size() / m.cols;
  return m;
}

TEST(MlFeatures, ForTableKeepsOnlyApplicableDerived) {
  std::vector<DerivedFeature> cand = {DerivedFeature::Ratio("per_day", "calls", "days"),
                                      DerivedFeature::Ratio("needs_sms", "sms", "calls"),
                                      DerivedFeature::Ratio("calls", "days", "calls"),  // would shadow a column
                                      DerivedFeature::MissingCount("n_missing")};
  FeatureSpec spec = FeatureSpec::ForTable({"calls", "days"}, cand);
  EXPECT_EQ(spec.Names(), (std::vector<std::string>{"calls", "days", "per_day", "n_missing"}));
}

TEST(MlFeatures, DropRemovesColumnsButNotTheInputsOfDerivedOnes) {
  FeatureSpec spec = FeatureSpec::ForTable(
      {"calls", "days", "sms"}, {DerivedFeature::Ratio("per_day", "calls", "days"), DerivedFeature::MissingCount("m")});
  ASSERT_TRUE(spec.Drop({"m", "sms"}).ok());
  EXPECT_EQ(spec.Names(), (std::vector<std::string>{"calls", "days", "per_day"}));
  Status s = spec.Drop({"days"});
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("per_day"), std::string::npos) << s.message();
  EXPECT_FALSE(spec.Drop({"nope"}).ok());
}

TEST(MlFeatures, FillReplacesMissingCellsBeforeDerivingAndSurvivesJson) {
  FeatureSpec spec = FeatureSpec::ForTable(
      {"arpu", "days"}, {DerivedFeature::Ratio("per_day", "arpu", "days"), DerivedFeature::MissingCount("m")});
  ASSERT_TRUE(spec.SetFill("arpu", 0).ok());
  EXPECT_FALSE(spec.SetFill("per_day", 0).ok());  // derived, not an input
  EXPECT_FALSE(spec.SetFill("arpu", std::nanf("")).ok());
  Matrix t = Table({"arpu", "days"}, {kMissing, 4, 8, kMissing});
  Matrix x;
  ASSERT_TRUE(spec.Build(t, &x).ok());
  EXPECT_FLOAT_EQ(x.at(0, 0), 0);        // filled
  EXPECT_FLOAT_EQ(x.at(0, 2), 0);        // the ratio sees the filled value
  EXPECT_FLOAT_EQ(x.at(0, 3), 0);        // and the filled cell is not counted missing
  EXPECT_TRUE(std::isnan(x.at(1, 1)));   // days has no fill
  EXPECT_FLOAT_EQ(x.at(1, 3), 1);
  FeatureSpec back;
  ASSERT_TRUE(FeatureSpec::FromJson(spec.ToJson(), &back).ok());
  ASSERT_EQ(back.fill().size(), 1u);
  EXPECT_EQ(back.fill()[0].first, "arpu");
  Matrix x2;
  ASSERT_TRUE(back.Build(t, &x2).ok());
  EXPECT_EQ(x2.values.size(), x.values.size());
  for (size_t i = 0; i < x.values.size(); ++i)
    EXPECT_TRUE(x.values[i] == x2.values[i] || (std::isnan(x.values[i]) && std::isnan(x2.values[i])));
  nlohmann::json j = spec.ToJson();
  j["fill"]["nope"] = 1;
  EXPECT_FALSE(FeatureSpec::FromJson(j, &back).ok());
}

TEST(MlFeatures, BuildMatchesColumnsByNameAndComputesDerived) {
  FeatureSpec spec = FeatureSpec::ForTable(
      {"calls", "days"}, {DerivedFeature::Ratio("per_day", "calls", "days"), DerivedFeature::Diff("d", "calls", "days"),
                          DerivedFeature::Product("p", "calls", "days"), DerivedFeature::MissingCount("m")});
  // Columns in another order, plus an extra column the model does not use.
  Matrix t = Table({"days", "extra", "calls"}, {4, 9, 10, 0, 9, 5, kMissing, 9, 3});
  Matrix x;
  ASSERT_TRUE(spec.Build(t, &x).ok());
  ASSERT_EQ(x.cols, 6u);
  ASSERT_EQ(x.rows, 3u);
  EXPECT_EQ(x.names, spec.Names());
  EXPECT_FLOAT_EQ(x.at(0, 0), 10);
  EXPECT_FLOAT_EQ(x.at(0, 1), 4);
  EXPECT_FLOAT_EQ(x.at(0, 2), 2.5f);
  EXPECT_FLOAT_EQ(x.at(0, 3), 6);
  EXPECT_FLOAT_EQ(x.at(0, 4), 40);
  EXPECT_FLOAT_EQ(x.at(0, 5), 0);
  EXPECT_TRUE(std::isnan(x.at(1, 2)));  // divide by zero days: missing, not inf or 0
  EXPECT_TRUE(std::isnan(x.at(2, 2)));  // missing input: missing ratio
  EXPECT_TRUE(std::isnan(x.at(2, 3)));
  EXPECT_FLOAT_EQ(x.at(2, 5), 1);
}

TEST(MlFeatures, BuildNamesAMissingColumn) {
  FeatureSpec spec = FeatureSpec::ForTable({"calls", "days"}, {});
  Matrix x;
  Status s = spec.Build(Table({"calls"}, {1}), &x);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("'days'"), std::string::npos) << s.message();
}

TEST(MlFeatures, JsonRoundTripAndValidation) {
  FeatureSpec spec = FeatureSpec::ForTable({"a", "b"}, DefaultDerivedFeatures());
  spec = FeatureSpec::ForTable({"a", "b"}, {DerivedFeature::Ratio("r", "a", "b"), DerivedFeature::MissingCount("m")});
  FeatureSpec back;
  ASSERT_TRUE(FeatureSpec::FromJson(spec.ToJson(), &back).ok());
  EXPECT_EQ(back.Names(), spec.Names());
  EXPECT_EQ(back.ToJson(), spec.ToJson());
  nlohmann::json bad = spec.ToJson();
  bad["derived"][0]["a"] = "zzz";
  EXPECT_FALSE(FeatureSpec::FromJson(bad, &back).ok());
  bad = spec.ToJson();
  bad["derived"][0]["op"] = "sqrt";
  EXPECT_FALSE(FeatureSpec::FromJson(bad, &back).ok());
  EXPECT_FALSE(FeatureSpec::FromJson(nlohmann::json::array(), &back).ok());
}

TEST(MlFeatures, DefaultRecipeAppliesToSichuanColumns) {
  std::vector<std::string> cols = {"opposite_count", "opposite_unique", "voc_day_nunique", "sms_count"};
  FeatureSpec spec = FeatureSpec::ForTable(cols, DefaultDerivedFeatures());
  auto names = spec.Names();
  EXPECT_NE(std::find(names.begin(), names.end(), "x_callees_per_day"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "x_sms_per_call"), names.end());
  EXPECT_EQ(std::find(names.begin(), names.end(), "x_flow_per_app"), names.end());  // no flow_sum here
}

}  // namespace
}  // namespace interdict
