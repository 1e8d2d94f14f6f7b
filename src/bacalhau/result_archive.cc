#include "bacalhau/result_archive.h"

#include <zlib.h>

#include <cstring>

namespace altscribe::bacalhau {
namespace {

constexpr size_t kBlock = 512;

std::string NormaliseName(std::string_view name) {
  while (name.substr(0, 2) == "./") name.remove_prefix(2);
  while (!name.empty() && name.front() == '/') name.remove_prefix(1);
  return std::string(name);
}

// An octal field (NUL/space padded). False on anything else.
bool ParseOctal(const char* field, size_t len, uint64_t* out) {
  uint64_t v = 0;
  size_t i = 0;
  while (i < len && field[i] == ' ') ++i;
  bool any = false;
  for (; i < len && field[i] >= '0' && field[i] <= '7'; ++i) {
    if (v > (UINT64_MAX >> 3)) return false;
    v = (v << 3) | static_cast<uint64_t>(field[i] - '0');
    any = true;
  }
  for (; i < len; ++i) {
    if (field[i] != ' ' && field[i] != '\0') return false;
  }
  *out = v;
  return any;
}

std::string CString(const char* field, size_t len) {
  return std::string(field, strnlen(field, len));
}

bool AllZero(std::string_view block) {
  for (char c : block) {
    if (c != '\0') return false;
  }
  return true;
}

// "path" from PAX records "<len> key=value\n".
Result<std::string> PaxPath(std::string_view data) {
  std::string path;
  while (!data.empty()) {
    size_t space = data.find(' ');
    if (space == std::string_view::npos || space == 0) {
      return Status::InvalidArgument("tar: malformed PAX record");
    }
    uint64_t len = 0;
    for (char c : data.substr(0, space)) {
      if (c < '0' || c > '9' || len > 1'000'000) {
        return Status::InvalidArgument("tar: malformed PAX record length");
      }
      len = len * 10 + static_cast<uint64_t>(c - '0');
    }
    if (len <= space + 1 || len > data.size() || data[len - 1] != '\n') {
      return Status::InvalidArgument("tar: malformed PAX record");
    }
    std::string_view record = data.substr(space + 1, len - space - 2);
    if (record.substr(0, 5) == "path=") path = std::string(record.substr(5));
    data.remove_prefix(len);
  }
  return path;
}

void PutOctal(char* field, size_t len, uint64_t v) {
  std::string s(len - 1, '0');
  for (size_t i = len - 1; i-- > 0 && v;) {
    s[i] = static_cast<char>('0' + (v & 7));
    v >>= 3;
  }
  memcpy(field, s.data(), len - 1);
  field[len - 1] = '\0';
}

}  // namespace

Result<std::string> Gunzip(std::string_view gz, uint64_t max_inflated) {
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 16) != Z_OK) return Status::Internal("zlib: inflateInit2 failed");
  std::string out;
  char buf[65536];
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
  zs.avail_in = static_cast<uInt>(gz.size());
  Status status;
  while (true) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof(buf);
    int rc = inflate(&zs, Z_NO_FLUSH);
    out.append(buf, sizeof(buf) - zs.avail_out);
    if (out.size() > max_inflated) {
      status = Status::TooLarge("result archive inflates past " + std::to_string(max_inflated) +
                                " bytes");
      break;
    }
    if (rc == Z_STREAM_END) {
      if (zs.avail_in == 0) break;
      inflateReset(&zs);  // another gzip member follows
      continue;
    }
    if (rc == Z_BUF_ERROR && zs.avail_in == 0) {
      status = Status::InvalidArgument("result archive: truncated gzip data");
      break;
    }
    if (rc != Z_OK) {
      status = Status::InvalidArgument(std::string("result archive: corrupt gzip data") +
                                       (zs.msg ? std::string(" (") + zs.msg + ")" : ""));
      break;
    }
    if (zs.avail_in == 0 && zs.avail_out != 0) {
      status = Status::InvalidArgument("result archive: truncated gzip data");
      break;
    }
  }
  inflateEnd(&zs);
  if (!status.ok()) return status;
  return out;
}

Result<std::vector<std::pair<std::string, std::string>>> ReadTar(std::string_view tar) {
  std::vector<std::pair<std::string, std::string>> files;
  std::string next_name;  // from a PAX 'x' or GNU 'L' header
  size_t pos = 0;
  while (true) {
    if (pos == tar.size()) return files;  // ends after a whole entry (no zero blocks)
    if (tar.size() - pos < kBlock) return Status::InvalidArgument("tar: truncated header");
    std::string_view header = tar.substr(pos, kBlock);
    if (AllZero(header)) return files;
    const char* h = header.data();
    uint64_t expected = 0;
    if (!ParseOctal(h + 148, 8, &expected))
      return Status::InvalidArgument("tar: bad checksum field");
    uint64_t sum = 0;
    for (size_t i = 0; i < kBlock; ++i) {
      sum += (i >= 148 && i < 156) ? ' ' : static_cast<unsigned char>(h[i]);
    }
    if (sum != expected) return Status::InvalidArgument("tar: header checksum mismatch");
    if (memcmp(h + 257, "ustar", 5) != 0)
      return Status::InvalidArgument("tar: not a ustar archive");
    uint64_t size = 0;
    if (!ParseOctal(h + 124, 12, &size)) return Status::InvalidArgument("tar: bad size field");
    pos += kBlock;
    if (size > tar.size() - pos) return Status::InvalidArgument("tar: truncated entry");
    std::string_view data = tar.substr(pos, size);
    uint64_t padded = (size + kBlock - 1) / kBlock * kBlock;
    pos += std::min<uint64_t>(padded, tar.size() - pos);
    char type = h[156];
    std::string name = CString(h, 100);
    std::string prefix = CString(h + 345, 155);
    if (!prefix.empty()) name = prefix + "/" + name;
    switch (type) {
      case 'x': {
        ASSIGN_OR_RETURN(next_name, PaxPath(data));
        continue;
      }
      case 'L':
        next_name = std::string(data.substr(0, strnlen(data.data(), data.size())));
        continue;
      case 'g':
        continue;
      default:
        break;
    }
    if (!next_name.empty()) name = std::move(next_name);
    next_name.clear();
    if (type == '0' || type == '\0') files.emplace_back(NormaliseName(name), std::string(data));
  }
}

Result<std::string> ReadFileFromTarGz(std::string_view targz, std::string_view name,
                                      uint64_t max_inflated) {
  ASSIGN_OR_RETURN(std::string tar, Gunzip(targz, max_inflated));
  ASSIGN_OR_RETURN(auto files, ReadTar(tar));
  std::string want = NormaliseName(name);
  for (auto& [n, contents] : files) {
    if (n == want) return std::move(contents);
  }
  return Status::NotFound("result archive has no " + want);
}

std::string WriteTar(const std::vector<std::pair<std::string, std::string>>& files) {
  std::string out;
  for (const auto& [name, contents] : files) {
    char h[kBlock] = {};
    bool dir = !name.empty() && name.back() == '/';
    memcpy(h, name.data(), std::min<size_t>(name.size(), 99));
    PutOctal(h + 100, 8, dir ? 0755 : 0644);
    PutOctal(h + 108, 8, 0);
    PutOctal(h + 116, 8, 0);
    PutOctal(h + 124, 12, dir ? 0 : contents.size());
    PutOctal(h + 136, 12, 0);
    h[156] = dir ? '5' : '0';
    memcpy(h + 257, "ustar", 6);
    memcpy(h + 263, "00", 2);
    memset(h + 148, ' ', 8);
    uint64_t sum = 0;
    for (unsigned char c : std::string_view(h, kBlock)) sum += c;
    PutOctal(h + 148, 7, sum);
    h[155] = ' ';
    out.append(h, kBlock);
    if (!dir) {
      out.append(contents);
      out.append((kBlock - contents.size() % kBlock) % kBlock, '\0');
    }
  }
  out.append(2 * kBlock, '\0');
  return out;
}

std::string Gzip(std::string_view data) {
  z_stream zs{};
  deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, data.size()) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

}  // namespace altscribe::bacalhau
