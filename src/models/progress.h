// models/progress.h — download progress for a person at a terminal or for a log file.
//
// On a terminal (tty) one line is redrawn in place with '\r', at most ten times a second:
//   gemma-3-4b-it-Q4_K_M.gguf  45% [##########            ] 1.1 GB / 2.5 GB  21 MB/s  ETA 1:07
// Otherwise (a pipe, a CI log) a plain line is printed every 5 s or each time another 10% is
// done, whichever comes first:
//   gemma-3-4b-it-Q4_K_M.gguf: 45% (1.1 GB of 2.5 GB, 21 MB/s, ETA 1:07)
// Speed and ETA count only bytes fetched by this run (not those resumed from a partial file).
// Not thread-safe; one reporter per file.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace altscribe::models {

class ProgressReporter {
 public:
  using Clock = std::chrono::steady_clock;

  // `width` is the terminal width for the tty bar (0: ask the terminal, default 80).
  ProgressReporter(std::string label, FILE* out, bool tty, int width = 0);

  // Reports `done` bytes of `total` (0 when unknown).
  void Update(uint64_t done, uint64_t total) { Update(done, total, Clock::now()); }
  void Update(uint64_t done, uint64_t total, Clock::time_point now);
  // Draws the last state (tty) and ends the line. Safe to call more than once.
  void Finish();

  // The text of one progress line (no '\r' or newline), for tests and for Update().
  std::string TtyLine(uint64_t done, uint64_t total, double bytes_per_second) const;
  std::string PlainLine(uint64_t done, uint64_t total, double bytes_per_second) const;

 private:
  double Rate(uint64_t done, Clock::time_point now) const;

  std::string label_;
  FILE* out_;
  bool tty_;
  int width_;
  bool started_ = false;
  bool drawn_ = false;       // a tty line is on screen without its newline
  uint64_t drawn_done_ = 0;  // what that line shows
  Clock::time_point start_, last_print_;
  uint64_t start_done_ = 0;
  uint64_t last_done_ = 0, last_total_ = 0;
  int last_decile_ = -1;
};

// "0:07", "1:02:03" (hours:minutes:seconds).
std::string FormatEta(double seconds);

}  // namespace altscribe::models
