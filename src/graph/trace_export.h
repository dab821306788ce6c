// Writing a MoneyTrace for people and drawing tools: JSON (the web UI and
// scripts), Graphviz DOT (`dot -Tsvg`), GraphML (Gephi, yEd, i2 import), and
// a readable indented tree for the terminal.
//
// Nodes are the accounts the money reached (plus one "cash" node per account
// that withdrew traced money); edges are the transfers that carried it, with
// their ts and both the transfer's amount and the traced part. Amounts are
// decimal yuan in every format (JSON numbers are exact: at most 15
// significant digits). Output holds account and transaction ids: it is case
// material, never log material.
//
// Thread safety: the functions only read the trace, graph and names.
#pragma once
#include <string>

#include "base/intern.h"
#include "base/time.h"
#include "graph/trace.h"

namespace interdict {

// How to spell ids: the data set's interners (either may be null: ids are
// then written as "#<dense id>"), and the zone of output timestamps.
struct TraceNames {
  const Interner* accounts = nullptr;
  const Interner* txns = nullptr;
  TimeZone tz;
};

std::string TraceToJson(const MoneyTrace& t, const TraceNames& names);
std::string TraceToDot(const MoneyTrace& t, const TraceNames& names);
std::string TraceToGraphml(const MoneyTrace& t, const TraceNames& names);
// The tree of first arrivals (each account under the account it was first
// reached from), one line per account; later parents are listed on the line.
std::string TraceToText(const MoneyTrace& t, const TraceNames& names);

}  // namespace interdict
