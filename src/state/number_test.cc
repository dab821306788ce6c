#include "state/number.h"

#include <gtest/gtest.h>

namespace interdict {
namespace {

TEST(NumberRecord, EachDetectorsPartIsOneRecordOfOneTable) {
  SharedState state;
  NumberParts<EngineNumber, &NumberRecord::engine> engine(&state.numbers);
  NumberParts<GovernanceNumber, &NumberRecord::gov> gov(&state.numbers);
  NumberParts<RingNumber, &NumberRecord::ring> rings(&state.numbers);
  EXPECT_EQ(engine.size(), 0u);
  At(engine, 41).holder = 7;  // the engine's first sight of number 41 grows the table for all
  EXPECT_EQ(gov.size(), 42u);
  EXPECT_EQ(rings.size(), 42u);
  EXPECT_EQ(gov[41].holder, kNoId);  // each part keeps its own defaults
  EXPECT_EQ(rings[41].person, kNoId);
  At(gov, 41).fraud_number = true;
  At(rings, 41).marks = 3;
  EXPECT_EQ(state.numbers[41].engine.holder, 7u);
  EXPECT_TRUE(state.numbers[41].gov.fraud_number);
  EXPECT_EQ(state.numbers[41].ring.marks, 3);
  EXPECT_EQ(Get(rings, 5000, RingNumber{kNoId, 0, 0, 9}).marks, 9);  // past the end: the fill
  // Parts of one record are lines of one record: the engine's two, then the rest.
  const char* base = reinterpret_cast<const char*>(&state.numbers[41]);
  EXPECT_EQ(reinterpret_cast<const char*>(&gov[41]) - base, 128);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(base) % 64, 0u);
  // References stay valid while another part grows the table (ChunkedTable never copies).
  EngineNumber& e41 = engine[41];
  At(rings, 3'000'000).marks = 1;
  EXPECT_EQ(&e41, &engine[41]);
  EXPECT_EQ(e41.holder, 7u);
}

}  // namespace
}  // namespace interdict
