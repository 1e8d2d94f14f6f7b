#include "models/progress.h"

#include <sys/ioctl.h>
#include <unistd.h>
#include <cstdint>

#include <algorithm>
#include <cmath>

#include "core/files.h"

namespace altscribe::models {
namespace {

constexpr auto kTtyInterval = std::chrono::milliseconds(100);
constexpr auto kPlainInterval = std::chrono::seconds(5);

int TerminalWidth(FILE* out) {
  struct winsize ws {};
  if (::ioctl(fileno(out), TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20) return ws.ws_col;
  return 80;
}

std::string Percent(uint64_t done, uint64_t total) {
  int pct = static_cast<int>(std::min<uint64_t>(100, done * 100 / total));
  return std::to_string(pct) + "%";
}

std::string Rate(double bytes_per_second) {
  if (bytes_per_second <= 0) return "";
  return FormatBytes(static_cast<uint64_t>(bytes_per_second)) + "/s";
}

}  // namespace

std::string FormatEta(double seconds) {
  if (!(seconds >= 0) || seconds > 99 * 3600.0) return "--:--";
  long s = std::lround(seconds);
  char buf[32];
  if (s >= 3600) {
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
  }
  return buf;
}

ProgressReporter::ProgressReporter(std::string label, FILE* out, bool tty, int width)
    : label_(std::move(label)), out_(out), tty_(tty), width_(width) {
  if (tty_ && width_ <= 0) width_ = TerminalWidth(out_);
}

double ProgressReporter::Rate(uint64_t done, Clock::time_point now) const {
  double elapsed = std::chrono::duration<double>(now - start_).count();
  if (elapsed < 0.5 || done <= start_done_) return 0;
  return static_cast<double>(done - start_done_) / elapsed;
}

std::string ProgressReporter::TtyLine(uint64_t done, uint64_t total, double rate) const {
  // label + "  " + pct + " [" + bar + "]" + " " + tail, the bar and pct only with a total.
  std::string tail = total > 0 ? FormatBytes(done) + " / " + FormatBytes(total) : FormatBytes(done);
  if (rate > 0) {
    tail += "  " + models::Rate(rate);
    if (total > done) tail += "  ETA " + FormatEta(static_cast<double>(total - done) / rate);
  }
  std::string pct;
  if (total > 0) {
    pct = Percent(done, total);
    pct.insert(0, 4 - std::min<size_t>(pct.size(), 4), ' ');
    pct += " ";
  }
  int width = std::max(width_, 20) - 1;  // never write into the last column (it wraps)
  int fixed = static_cast<int>(2 + pct.size() + tail.size());
  std::string label = label_;
  int bar = std::min(30, width - fixed - 3 - static_cast<int>(label.size()));
  if (total == 0 || bar < 10) {
    bar = 0;
    int room = width - fixed;
    if (room < static_cast<int>(label.size())) {
      label = room > 3 ? label.substr(0, room - 3) + "..." : "";
    }
  }
  std::string line = label + "  " + pct;
  if (bar > 0) {
    int filled = static_cast<int>(std::min<uint64_t>(done, total) * bar / total);
    line.append(1, '[').append(filled, '#').append(bar - filled, ' ').append("] ");
  }
  return line + tail;
}

std::string ProgressReporter::PlainLine(uint64_t done, uint64_t total, double rate) const {
  std::string line = label_ + ": ";
  std::string detail;
  if (total > 0) {
    line += Percent(done, total);
    detail = FormatBytes(done) + " of " + FormatBytes(total);
  } else {
    line += FormatBytes(done);
  }
  if (rate > 0) {
    detail += (detail.empty() ? "" : ", ") + models::Rate(rate);
    if (total > done) detail += ", ETA " + FormatEta(static_cast<double>(total - done) / rate);
  }
  return detail.empty() ? line : line + " (" + detail + ")";
}

void ProgressReporter::Update(uint64_t done, uint64_t total, Clock::time_point now) {
  if (!started_) {
    started_ = true;
    start_ = now;
    start_done_ = done;
    last_print_ = now - kPlainInterval;  // print the first state at once
  }
  last_done_ = done;
  last_total_ = total;
  bool finished = total > 0 && done >= total;
  if (tty_) {
    if (!finished && now - last_print_ < kTtyInterval) return;
    std::fprintf(out_, "\r%s\x1b[K", TtyLine(done, total, Rate(done, now)).c_str());
    std::fflush(out_);
    drawn_ = true;
    drawn_done_ = done;
    last_print_ = now;
    return;
  }
  int decile = total > 0 ? static_cast<int>(std::min<uint64_t>(done, total) * 10 / total) : -1;
  bool due = now - last_print_ >= kPlainInterval || (total > 0 && decile > last_decile_);
  if (!due) return;
  std::fprintf(out_, "%s\n", PlainLine(done, total, Rate(done, now)).c_str());
  std::fflush(out_);
  last_print_ = now;
  last_decile_ = decile;
}

void ProgressReporter::Finish() {
  if (!started_) return;
  if (tty_) {
    if (drawn_ && drawn_done_ != last_done_) {
      std::fprintf(out_, "\r%s\x1b[K",
                   TtyLine(last_done_, last_total_, Rate(last_done_, Clock::now())).c_str());
    }
    if (drawn_) {
      std::fputc('\n', out_);
      std::fflush(out_);
    }
    drawn_ = false;
  }
}

}  // namespace altscribe::models
