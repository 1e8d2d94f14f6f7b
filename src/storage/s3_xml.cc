// storage/s3_xml.cc — see s3_xml.h.
#include "storage/s3_xml.h"

#include <charconv>

#include "core/text.h"

namespace altscribe::storage {
namespace {

// Appends the UTF-8 encoding of `cp`; false when it is not a valid scalar value.
bool AppendUtf8(uint32_t cp, std::string* out) {
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0) return false;
  if (cp < 0x80) {
    *out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    *out += static_cast<char>(0xC0 | (cp >> 6));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    *out += static_cast<char>(0xE0 | (cp >> 12));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    *out += static_cast<char>(0xF0 | (cp >> 18));
    *out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return true;
}

// The text of the first <tag>...</tag> in `xml` at or after `*pos` (the raw, still escaped
// text); advances `*pos` past it. False when there is none. An empty element (<tag/>) is "".
bool NextElement(std::string_view xml, std::string_view tag, size_t* pos, std::string_view* text) {
  std::string open = "<" + std::string(tag);
  while (true) {
    size_t start = xml.find(open, *pos);
    if (start == std::string_view::npos) return false;
    size_t after = start + open.size();
    if (after >= xml.size()) return false;
    char c = xml[after];
    if (c == '/' && after + 1 < xml.size() && xml[after + 1] == '>') {
      *text = std::string_view();
      *pos = after + 2;
      return true;
    }
    if (c != '>' && c != ' ') {  // <KeyCount> when looking for <Key>
      *pos = after;
      continue;
    }
    size_t gt = xml.find('>', after);
    if (gt == std::string_view::npos) return false;
    std::string close = "</" + std::string(tag) + ">";
    size_t end = xml.find(close, gt + 1);
    if (end == std::string_view::npos) return false;
    *text = xml.substr(gt + 1, end - gt - 1);
    *pos = end + close.size();
    return true;
  }
}

std::string ElementText(std::string_view xml, std::string_view tag) {
  size_t pos = 0;
  std::string_view text;
  return NextElement(xml, tag, &pos, &text) ? XmlUnescape(text) : std::string();
}

}  // namespace

std::string XmlUnescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    if (s[i] != '&') {
      out += s[i++];
      continue;
    }
    size_t semi = s.find(';', i);
    if (semi == std::string_view::npos || semi - i > 12) {
      out += s[i++];
      continue;
    }
    std::string_view name = s.substr(i + 1, semi - i - 1);
    bool done = true;
    if (name == "amp") {
      out += '&';
    } else if (name == "lt") {
      out += '<';
    } else if (name == "gt") {
      out += '>';
    } else if (name == "quot") {
      out += '"';
    } else if (name == "apos") {
      out += '\'';
    } else if (name.size() > 1 && name[0] == '#') {
      bool hex = name[1] == 'x' || name[1] == 'X';
      std::string_view digits = name.substr(hex ? 2 : 1);
      uint32_t cp = 0;
      auto [p, ec] =
          std::from_chars(digits.data(), digits.data() + digits.size(), cp, hex ? 16 : 10);
      done = !digits.empty() && ec == std::errc() && p == digits.data() + digits.size() &&
             AppendUtf8(cp, &out);
    } else {
      done = false;
    }
    if (done) {
      i = semi + 1;
    } else {
      out += s[i++];
    }
  }
  return out;
}

S3ErrorBody ParseS3Error(std::string_view xml) {
  S3ErrorBody e;
  size_t pos = 0;
  std::string_view body;
  if (!NextElement(xml, "Error", &pos, &body)) return e;
  e.code = CollapseWhitespace(ElementText(body, "Code"));
  e.message = CollapseWhitespace(ElementText(body, "Message"));
  return e;
}

Result<S3ListPage> ParseListObjectsV2(std::string_view xml) {
  size_t pos = 0;
  std::string_view doc;
  if (!NextElement(xml, "ListBucketResult", &pos, &doc)) {
    return Status::InvalidArgument("ListObjectsV2: the response is not a <ListBucketResult>");
  }
  S3ListPage page;
  size_t p = 0;
  std::string_view contents;
  while (NextElement(doc, "Contents", &p, &contents)) {
    S3ObjectSummary o;
    size_t kp = 0;
    std::string_view key;
    if (!NextElement(contents, "Key", &kp, &key)) {
      return Status::InvalidArgument("ListObjectsV2: <Contents> without a <Key>");
    }
    o.key = XmlUnescape(key);
    std::string size = ElementText(contents, "Size");
    auto [q, ec] = std::from_chars(size.data(), size.data() + size.size(), o.size);
    if (ec != std::errc() || q != size.data() + size.size()) {
      return Status::InvalidArgument("ListObjectsV2: bad <Size> for key " + o.key);
    }
    o.etag = ElementText(contents, "ETag");
    if (o.etag.size() >= 2 && o.etag.front() == '"' && o.etag.back() == '"') {
      o.etag = o.etag.substr(1, o.etag.size() - 2);
    }
    page.objects.push_back(std::move(o));
  }
  p = 0;
  std::string_view prefix_block;
  while (NextElement(doc, "CommonPrefixes", &p, &prefix_block)) {
    page.common_prefixes.push_back(ElementText(prefix_block, "Prefix"));
  }
  page.truncated = ElementText(doc, "IsTruncated") == "true";
  page.next_continuation_token = ElementText(doc, "NextContinuationToken");
  if (page.truncated && page.next_continuation_token.empty()) {
    return Status::InvalidArgument("ListObjectsV2: IsTruncated without a NextContinuationToken");
  }
  return page;
}

}  // namespace altscribe::storage
