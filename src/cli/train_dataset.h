// interdict train DATASET --out MODEL: the engine's fraud-number model,
// trained on a labelled data set (labels/numbers.csv). Called by cmd_train.cc.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "ml/gbm.h"

namespace interdict::cli {

// key=value overrides of GbmParams (--param), shared by both train modes.
Status ParseGbmParams(const std::vector<std::string>& kvs, GbmParams* p);

struct TrainDatasetOptions {
  std::string dataset;
  std::string out = "model.json";
  std::string config;               // engine configuration (TOML), as for run
  int folds = 5;
  uint64_t seed = 1;
  std::vector<std::string> params;  // key=value overrides of GbmParams
  bool json = false;
};

int RunTrainDataset(const TrainDatasetOptions& o);

}  // namespace interdict::cli
