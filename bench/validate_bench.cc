// validate_bench: `interdict validate`'s per-file check (CheckEventFile) on
// every event file of a data set, with each pass-1 build of the fused path
// (line_check.h) and with the record-at-a-time path, best of N runs each.
// Prints rows/s per build and checks that every build reports the same
// figures (rows, rejects by reason, late, span, distinct ids).
//   validate_bench DATASET [RUNS] [BUILD...]     BUILD: off scalar avx2 avx512 auto
#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "ingest/dataset.h"

namespace {

using namespace interdict;

double CpuSeconds() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

struct Outcome {
  std::vector<FileStats> files;
  double seconds = 0;
  double cpu_seconds = 0;  // this thread's CPU time: less sensitive to a shared machine
  uint64_t rows = 0;
};

bool Run(const std::string& dir, CheckSimd simd, Outcome* out) {
  Dictionaries dicts;
  RejectSink rejects;
  if (!rejects.Open("").ok()) return false;
  ReadOptions opt;
  opt.check_simd = simd;
  if (const char* b = std::getenv("BUFFER_BYTES")) opt.buffer_bytes = std::strtoull(b, nullptr, 10);
  out->files.clear();
  out->rows = 0;
  const auto t0 = std::chrono::steady_clock::now();
  const double c0 = CpuSeconds();
  for (const FileSpec& spec : AllFileSpecs()) {
    if (spec.is_registry) continue;
    std::string path = FindDatasetFile(dir, spec.stem, nullptr);
    if (path.empty()) continue;
    FileStats st;
    Status s = CheckEventFile(spec, path, std::string(spec.stem), &dicts, &rejects, opt, false, &st);
    if (!s.ok()) {
      std::fprintf(stderr, "%s\n", s.message().c_str());
      return false;
    }
    out->rows += st.rows;
    out->files.push_back(std::move(st));
  }
  out->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  out->cpu_seconds = CpuSeconds() - c0;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: validate_bench DATASET [RUNS] [off|scalar|avx2|avx512|auto ...]\n");
    return 2;
  }
  const std::string dir = argv[1];
  const int runs = argc > 2 ? std::atoi(argv[2]) : 3;
  std::vector<CheckSimd> builds;
  for (int i = 3; i < argc; ++i) {
    bool found = false;
    for (CheckSimd s : {CheckSimd::kOff, CheckSimd::kScalar, CheckSimd::kAvx2, CheckSimd::kAvx512,
                        CheckSimd::kAuto}) {
      if (ToString(s) == std::string(argv[i])) {
        builds.push_back(s);
        found = true;
      }
    }
    if (!found) {
      std::fprintf(stderr, "unknown build %s\n", argv[i]);
      return 2;
    }
  }
  if (builds.empty()) builds = {CheckSimd::kOff, CheckSimd::kScalar, CheckSimd::kAvx2, CheckSimd::kAvx512};
  Outcome first;
  bool have_first = false, all_same = true;
  for (CheckSimd simd : builds) {
    if (!CheckSimdSupported(simd)) {
      std::printf("%-7s not supported by this CPU\n", ToString(simd));
      continue;
    }
    double best = 1e30, best_cpu = 1e30;
    Outcome o;
    for (int r = 0; r < runs; ++r) {
      if (!Run(dir, simd, &o)) return 1;
      if (o.seconds < best) best = o.seconds;
      if (o.cpu_seconds < best_cpu) best_cpu = o.cpu_seconds;
    }
    bool same = true;
    if (!have_first) {
      first = o;
      have_first = true;
    } else {
      same = first.files == o.files;
      all_same = all_same && same;
    }
    std::printf("%-7s %8.3f s  %12.0f rows/s   cpu %8.3f s  %12.0f rows/s  %s\n", ToString(simd), best,
                static_cast<double>(o.rows) / best, best_cpu, static_cast<double>(o.rows) / best_cpu,
                same ? "" : "FIGURES DIFFER");
  }
  return all_same ? 0 : 1;
}
