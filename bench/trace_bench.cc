// trace_bench: builds a synthetic TransferGraph and times money traces.
//   trace_bench [--transfers N] [--accounts N] [--chains N] [--traces N]
//               [--depth D] [--min-amount YUAN] [--horizon-days D]
//               [--model fifo|taint-first|proportional] [--seed S]
// Defaults: 50 M transfers over 5 M accounts (90 days), 20 000 planted
// laundering chains, 10 000 traces, FIFO, depth 6, min 100 yuan.
//
// The world: senders and receivers drawn from power laws (a few merchant-like
// hubs with ~0.5% of all transfers, a long tail of personal accounts),
// log-normal amounts (median 200 yuan), 4% ATM withdrawals, 3% deposits, 10%
// of accounts outside (no bank_accounts row). Planted chains: a victim pays
// 10k-100k yuan to a fresh mule, which splits it in three within minutes;
// each branch passes through four more fresh mules (depth 6 in all) and the
// last one cashes out at an ATM in two withdrawals.
//
// Traces: half start from a planted chain's victim payment, half from a
// random internal payment; each runs as of seed ts + horizon (default 7
// days, the window a case is worked live). Prints build time, memory, and
// trace latency p50/p90/p99/max per kind; checks that FIFO traces of the
// planted chains find all their money cashed out at depth 6.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <queue>
#include <string>
#include <vector>

#include "graph/trace.h"
#include "graph/transfer_graph.h"

namespace {

using namespace interdict;

uint64_t g_state = 0x9e3779b97f4a7c15ull;
uint64_t Next() {  // splitmix64
  uint64_t z = (g_state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}
double Uniform() { return static_cast<double>(Next() >> 11) / 9007199254740992.0; }
uint64_t Below(uint64_t n) { return Next() % n; }
// Power-law pick in [0, n): P(id < x) = (x/n)^(1/k); id 0 is the biggest hub.
uint64_t PowerLaw(uint64_t n, double k) {
  return std::min<uint64_t>(n - 1, static_cast<uint64_t>(std::pow(Uniform(), k) * static_cast<double>(n)));
}
double Normal() {
  double u1 = std::max(Uniform(), 1e-300), u2 = Uniform();
  return std::sqrt(-2 * std::log(u1)) * std::cos(2 * M_PI * u2);
}
Money LogNormalAmount() {
  double yuan = std::exp(std::log(200.0) + 1.2 * Normal());
  return std::max<Money>(1, static_cast<Money>(yuan * 100));
}

long PeakRssMb() {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024;
}

struct Planted {
  Ts ts;
  AccountId from, to;  // to kNoId: ATM withdrawal
  Money amount;
  bool operator>(const Planted& o) const { return ts > o.ts; }
};

double Pct(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size()))) ;
  return v[std::min(v.size() - 1, i == 0 ? 0 : i - 1)];
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t n_transfers = 50'000'000, n_accounts = 0, n_chains = 20'000, n_traces = 10'000;
  int depth = 6;
  double min_yuan = 100, horizon_days = 7;
  std::string model = "fifo";
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i], v = argv[i + 1];
    if (a == "--transfers") n_transfers = std::strtoull(v.c_str(), nullptr, 10);
    else if (a == "--accounts") n_accounts = std::strtoull(v.c_str(), nullptr, 10);
    else if (a == "--chains") n_chains = std::strtoull(v.c_str(), nullptr, 10);
    else if (a == "--traces") n_traces = std::strtoull(v.c_str(), nullptr, 10);
    else if (a == "--depth") depth = std::atoi(v.c_str());
    else if (a == "--min-amount") min_yuan = std::atof(v.c_str());
    else if (a == "--horizon-days") horizon_days = std::atof(v.c_str());
    else if (a == "--model") model = v;
    else if (a == "--seed") g_state = std::strtoull(v.c_str(), nullptr, 10);
    else {
      std::fprintf(stderr, "trace_bench: unknown option %s (see the comment at the top of bench/trace_bench.cc)\n", a.c_str());
      return 2;
    }
  }
  if (argc % 2 == 0) {
    std::fprintf(stderr, "trace_bench: options take a value\n");
    return 2;
  }
  if (n_accounts == 0) n_accounts = std::max<uint64_t>(1000, n_transfers / 10);
  if (n_transfers < 1000 || n_chains * 30 > n_transfers) {
    std::fprintf(stderr, "trace_bench: need --transfers >= 1000 and >= 30 x --chains\n");
    return 2;
  }
  TraceOptions opt;
  opt.max_depth = depth;
  opt.min_amount = static_cast<Money>(min_yuan * 100);
  if (model == "fifo") opt.model = AttributionModel::kFifo;
  else if (model == "taint-first") opt.model = AttributionModel::kTaintFirst;
  else if (model == "proportional") opt.model = AttributionModel::kProportional;
  else {
    std::fprintf(stderr, "trace_bench: --model fifo|taint-first|proportional\n");
    return 2;
  }

  const Ts t0 = 1'704'038'400;  // 2024-01-01 00:00 +08:00
  const Ts span = 90 * 86'400;
  // Mules get fresh ids above the background accounts: 16 per chain.
  const AccountId mule_base = static_cast<AccountId>(n_accounts);
  auto t_build = std::chrono::steady_clock::now();
  TransferGraph g;
  for (AccountId a = 0; a < n_accounts; ++a)
    if (a % 10 != 9) g.MarkInternal(a);  // every tenth account is outside
  for (uint64_t m = 0; m < n_chains * 16; ++m) g.MarkInternal(static_cast<AccountId>(mule_base + m));

  // Chains start uniformly over the first 80 days, planted through a
  // time-ordered queue merged with the background stream.
  std::vector<Ts> chain_start(n_chains);
  for (auto& t : chain_start) t = t0 + static_cast<Ts>(Below(static_cast<uint64_t>(span * 8 / 9)));
  std::sort(chain_start.begin(), chain_start.end());
  std::priority_queue<Planted, std::vector<Planted>, std::greater<Planted>> pending;
  std::vector<TransferIndex> chain_seed;
  size_t next_chain = 0;
  uint64_t planted_count = 0;
  TxnId txn = 0;
  auto add = [&](Ts ts, AccountId from, AccountId to, Money amount) -> TransferIndex {
    Transfer t{};
    t.txn = txn++;
    t.kind = to == kNoId ? TransferKind::kWithdrawal : from == kNoId ? TransferKind::kDeposit : TransferKind::kTransfer;
    t.channel = to == kNoId ? Channel::kAtm : Channel::kApp;
    t.from = from;
    t.to = to;
    t.amount = amount;
    t.device = kNoId;
    return g.Add(ts, t);
  };
  auto internal_account = [&](double k) {
    AccountId a;
    do a = static_cast<AccountId>(PowerLaw(n_accounts, k)); while (a % 10 == 9);
    return a;
  };
  const uint64_t background = n_transfers - n_chains * 22;
  for (uint64_t i = 0; i < background; ++i) {
    Ts ts = t0 + static_cast<Ts>(static_cast<double>(i) * static_cast<double>(span) / static_cast<double>(background));
    while (next_chain < chain_start.size() && chain_start[next_chain] <= ts) {
      // Victim -> L1 now; L1 splits into three L2 within minutes; each branch
      // L2 -> L3 -> L4 -> L5 -> L6, 5-60 minutes apart; L6 withdraws in two.
      Ts c = chain_start[next_chain];
      AccountId base = static_cast<AccountId>(mule_base + next_chain * 16);
      Money amount = (10'000 + static_cast<Money>(Below(90'000))) * 100;
      chain_seed.push_back(add(c, internal_account(1.5), base, amount));
      Money part[3] = {amount / 3, amount / 3, amount - 2 * (amount / 3)};
      for (int b = 0; b < 3; ++b) {
        Ts t = c + 300 + static_cast<Ts>(Below(600)) + b;
        AccountId prev = base, cur = static_cast<AccountId>(base + 1 + b * 5);
        pending.push({t, prev, cur, part[b]});
        for (int l = 1; l < 5; ++l) {
          t += 300 + static_cast<Ts>(Below(3300));
          pending.push({t, cur, static_cast<AccountId>(cur + 1), part[b]});
          ++cur;
        }
        t += 600 + static_cast<Ts>(Below(3000));
        pending.push({t, cur, kNoId, part[b] / 2});
        pending.push({t + 120, cur, kNoId, part[b] - part[b] / 2});
      }
      planted_count += 22;
      ++next_chain;
    }
    while (!pending.empty() && pending.top().ts <= ts) {
      Planted p = pending.top();
      pending.pop();
      add(p.ts, p.from, p.to, p.amount);
    }
    int r = static_cast<int>(Below(100));
    if (r < 4) {
      add(ts, internal_account(2.0), kNoId, LogNormalAmount());
    } else if (r < 7) {
      add(ts, kNoId, internal_account(2.5), LogNormalAmount());
    } else {
      AccountId from = static_cast<AccountId>(PowerLaw(n_accounts, 2.0));
      AccountId to = static_cast<AccountId>(PowerLaw(n_accounts, 3.0));
      if (to == from) to = static_cast<AccountId>((to + 1) % n_accounts);
      add(ts, from, to, LogNormalAmount());
    }
  }
  while (!pending.empty()) {
    Planted p = pending.top();
    pending.pop();
    add(p.ts, p.from, p.to, p.amount);
  }
  double build_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_build).count();
  std::printf("graph: %zu transfers (%llu planted in %zu chains), %zu accounts, built in %.1f s (%.0f k transfers/s)\n",
              g.size(), static_cast<unsigned long long>(planted_count), chain_seed.size(), g.account_count(), build_s,
              static_cast<double>(g.size()) / build_s / 1000);
  std::printf("memory: graph %.0f MB (%.1f bytes/transfer), peak RSS %ld MB\n",
              static_cast<double>(g.MemoryBytes()) / 1048576.0,
              static_cast<double>(g.MemoryBytes()) / static_cast<double>(g.size()), PeakRssMb());

  // Traces.
  std::vector<double> lat[2];
  uint64_t hops[2] = {0, 0}, steps[2] = {0, 0}, truncated = 0;
  Money chain_seeded = 0, chain_cashed = 0;
  const Ts horizon = static_cast<Ts>(horizon_days * 86'400);
  for (uint64_t k = 0; k < n_traces; ++k) {
    int kind = k % 2;  // 0: planted chain, 1: random payment
    TransferIndex seed;
    if (kind == 0 && !chain_seed.empty()) {
      seed = chain_seed[Below(chain_seed.size())];
    } else {
      kind = 1;
      do seed = static_cast<TransferIndex>(Below(g.size()));
      while (g.from(seed) == kNoId || g.to(seed) == kNoId || !g.IsInternal(g.from(seed)));
    }
    TransferIndex seeds[1] = {seed};
    auto t1 = std::chrono::steady_clock::now();
    MoneyTrace t = MoneyTrace::FromSeeds(g, seeds, g.ts(seed) + horizon, opt);
    lat[kind].push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t1).count());
    hops[kind] += t.hops().size();
    steps[kind] += t.totals().steps;
    truncated += t.totals().truncated;
    if (kind == 0) {
      chain_seeded += t.totals().seeded;
      chain_cashed += t.totals().cashed_out;
    }
  }
  std::vector<double> all = lat[0];
  all.insert(all.end(), lat[1].begin(), lat[1].end());
  const char* names[2] = {"planted chains", "random payments"};
  std::printf("traces (%s, depth %d, min %.0f yuan, horizon %.0f days): %llu\n", model.c_str(), depth, min_yuan,
              horizon_days, static_cast<unsigned long long>(n_traces));
  for (int k = 0; k < 2; ++k) {
    if (lat[k].empty()) continue;
    std::printf("  %-16s n=%zu  p50 %.3f ms  p90 %.3f ms  p99 %.3f ms  max %.3f ms  avg hops %.1f  avg replayed %.0f\n",
                names[k], lat[k].size(), Pct(lat[k], 50), Pct(lat[k], 90), Pct(lat[k], 99), Pct(lat[k], 100),
                static_cast<double>(hops[k]) / static_cast<double>(lat[k].size()),
                static_cast<double>(steps[k]) / static_cast<double>(lat[k].size()));
  }
  std::printf("  %-16s n=%zu  p50 %.3f ms  p90 %.3f ms  p99 %.3f ms  max %.3f ms  (target p99 < 10 ms)\n", "all",
              all.size(), Pct(all, 50), Pct(all, 90), Pct(all, 99), Pct(all, 100));
  if (truncated) std::printf("  truncated traces: %llu\n", static_cast<unsigned long long>(truncated));
  if (chain_seeded > 0)
    std::printf("planted chains: %.2f%% of the victims' money traced to the ATM cash-outs at depth 6\n",
                100.0 * static_cast<double>(chain_cashed) / static_cast<double>(chain_seeded));
  std::printf("peak RSS %ld MB\n", PeakRssMb());
  return 0;
}
