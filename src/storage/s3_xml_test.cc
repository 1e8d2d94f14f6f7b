// storage/s3_xml_test.cc — the S3 documents as Swift and s3rver write them, and bad ones.
#include "storage/s3_xml.h"

#include <gtest/gtest.h>

namespace altscribe::storage {
namespace {

TEST(ParseS3Error, CodeAndMessageOnOneLine) {
  auto e = ParseS3Error(
      "<?xml version='1.0' encoding='UTF-8'?>\n<Error><Code>SignatureDoesNotMatch</Code>"
      "<Message>The request signature we calculated\n does not match.</Message>"
      "<RequestId>tx1</RequestId><StringToSign>AWS4-HMAC-SHA256\n...</StringToSign></Error>");
  EXPECT_EQ(e.code, "SignatureDoesNotMatch");
  EXPECT_EQ(e.message, "The request signature we calculated does not match.");
}

TEST(ParseS3Error, NotAnErrorDocumentGivesEmptyFields) {
  auto e = ParseS3Error("<html>502 Bad Gateway</html>");
  EXPECT_EQ(e.code, "");
  EXPECT_EQ(e.message, "");
  EXPECT_EQ(ParseS3Error("").code, "");
  EXPECT_EQ(ParseS3Error("<Error><Code>Trunc").code, "");
}

TEST(XmlUnescape, NamedAndNumericEntities) {
  EXPECT_EQ(XmlUnescape("a &amp; b &lt;c&gt; &quot;&apos;"), "a & b <c> \"'");
  EXPECT_EQ(XmlUnescape("&#252;&#xFC;&#x1F5BC;"), "üü🖼");
  EXPECT_EQ(XmlUnescape("&bogus; &#xD800; &#; & end"), "&bogus; &#xD800; &#; & end");
}

TEST(ParseListObjectsV2, KeysSizesAndContinuation) {
  auto page = ParseListObjectsV2(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListBucketResult "
      "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>b</Name><Prefix>p/</Prefix>"
      "<KeyCount>2</KeyCount><MaxKeys>2</MaxKeys><IsTruncated>true</IsTruncated>"
      "<NextContinuationToken>tok&amp;1</NextContinuationToken>"
      "<Contents><Key>p/a &amp; b</Key><LastModified>x</LastModified>"
      "<ETag>&quot;abc&quot;</ETag><Size>12</Size></Contents>"
      "<Contents><Key>p/ü</Key><ETag>\"def\"</ETag><Size>0</Size></Contents>"
      "</ListBucketResult>");
  ASSERT_TRUE(page.ok()) << page.status().message();
  ASSERT_EQ(page->objects.size(), 2u);
  EXPECT_EQ(page->objects[0].key, "p/a & b");
  EXPECT_EQ(page->objects[0].size, 12u);
  EXPECT_EQ(page->objects[0].etag, "abc");
  EXPECT_EQ(page->objects[1].key, "p/ü");
  EXPECT_EQ(page->objects[1].etag, "def");
  EXPECT_TRUE(page->truncated);
  EXPECT_EQ(page->next_continuation_token, "tok&1");
}

TEST(ParseListObjectsV2, EmptyBucket) {
  auto page = ParseListObjectsV2(
      "<ListBucketResult><Name>b</Name><KeyCount>0</KeyCount><IsTruncated>false</IsTruncated>"
      "</ListBucketResult>");
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->objects.empty());
  EXPECT_FALSE(page->truncated);
}

TEST(ParseListObjectsV2, BadDocumentsAreClearErrors) {
  EXPECT_EQ(ParseListObjectsV2("<Error><Code>X</Code></Error>").status().message(),
            "ListObjectsV2: the response is not a <ListBucketResult>");
  EXPECT_EQ(ParseListObjectsV2("<ListBucketResult><Contents><Size>1</Size></Contents>"
                               "</ListBucketResult>")
                .status()
                .message(),
            "ListObjectsV2: <Contents> without a <Key>");
  EXPECT_EQ(ParseListObjectsV2("<ListBucketResult><Contents><Key>k</Key><Size>-1</Size>"
                               "</Contents></ListBucketResult>")
                .status()
                .message(),
            "ListObjectsV2: bad <Size> for key k");
  EXPECT_EQ(ParseListObjectsV2("<ListBucketResult><IsTruncated>true</IsTruncated>"
                               "</ListBucketResult>")
                .status()
                .message(),
            "ListObjectsV2: IsTruncated without a NextContinuationToken");
}

}  // namespace
}  // namespace altscribe::storage
