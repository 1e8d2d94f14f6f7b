#include "core/metrics.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "core/pipeline_metrics.h"

namespace altscribe::metrics {
namespace {

TEST(Metrics, CountersAndGaugesRenderWithHelpTypeAndLabels) {
  Registry r;
  auto& requests = r.AddCounter("app_requests_total", "Requests served.", {"route", "code"});
  requests.With({"/v1/describe", "200"}).Inc();
  requests.With({"/v1/describe", "200"}).Inc(2);
  requests.With({"/", "404"}).Inc();
  requests.With({"/", "404"}).Inc(-5);  // ignored: counters never go down
  r.AddGauge("app_workers", "Worker threads.").Get().Set(4);
  EXPECT_EQ(r.Render(),
            "# HELP app_requests_total Requests served.\n"
            "# TYPE app_requests_total counter\n"
            "app_requests_total{route=\"/\",code=\"404\"} 1\n"
            "app_requests_total{route=\"/v1/describe\",code=\"200\"} 3\n"
            "# HELP app_workers Worker threads.\n"
            "# TYPE app_workers gauge\n"
            "app_workers 4\n");
}

TEST(Metrics, HistogramBucketsAreCumulativeWithSumAndCount) {
  Registry r;
  auto& h = r.AddHistogram("app_seconds", "Latency.", {"stage"}, {0.1, 1});
  h.With({"decode"}).Observe(0.05);
  h.With({"decode"}).Observe(0.1);  // on the bound: in that bucket (le is inclusive)
  h.With({"decode"}).Observe(0.5);
  h.With({"decode"}).Observe(7);
  EXPECT_EQ(r.Render(),
            "# HELP app_seconds Latency.\n"
            "# TYPE app_seconds histogram\n"
            "app_seconds_bucket{stage=\"decode\",le=\"0.1\"} 2\n"
            "app_seconds_bucket{stage=\"decode\",le=\"1\"} 3\n"
            "app_seconds_bucket{stage=\"decode\",le=\"+Inf\"} 4\n"
            "app_seconds_sum{stage=\"decode\"} 7.65\n"
            "app_seconds_count{stage=\"decode\"} 4\n");
}

TEST(Metrics, LabelValuesAreEscaped) {
  Registry r;
  r.AddCounter("app_errors_total", "Errors.", {"kind"}).With({"a\"b\\c\nd"}).Inc();
  EXPECT_NE(r.Render().find("app_errors_total{kind=\"a\\\"b\\\\c\\nd\"} 1\n"), std::string::npos);
}

TEST(Metrics, RegisteringAgainReturnsTheSameFamily) {
  Registry r;
  auto& a = r.AddCounter("app_x_total", "X.", {"k"});
  auto& b = r.AddCounter("app_x_total", "X.", {"k"});
  EXPECT_EQ(&a, &b);
  EXPECT_DEATH(r.AddGauge("app_x_total", "X."), "already registered");
}

TEST(Metrics, InvalidNamesAbort) {
  Registry r;
  EXPECT_DEATH(r.AddCounter("2bad", "no"), "invalid metric name");
  EXPECT_DEATH(r.AddCounter("app_ok", "no", {"le"}), "invalid label name");
  EXPECT_TRUE(ValidMetricName("altscribe:stage_seconds"));
  EXPECT_FALSE(ValidLabelName("__reserved"));
}

TEST(Metrics, CallbackGaugesAreSampledAtRenderAndRemovedWithTheirHandle) {
  Registry r;
  int depth = 3;
  {
    CallbackHandle h = r.AddCallbackGauge("app_queue_depth", "Queued.", {"queue"}, [&] {
      return Samples{{{"images"}, static_cast<double>(depth)}};
    });
    EXPECT_NE(r.Render().find("app_queue_depth{queue=\"images\"} 3\n"), std::string::npos);
    depth = 7;
    EXPECT_NE(r.Render().find("app_queue_depth{queue=\"images\"} 7\n"), std::string::npos);
  }
  // The handle is gone: the family stays declared, without samples, and nothing reads `depth`.
  std::string text = r.Render();
  EXPECT_NE(text.find("# TYPE app_queue_depth gauge"), std::string::npos);
  EXPECT_EQ(text.find("app_queue_depth{"), std::string::npos);
}

TEST(Metrics, CallbackCountersRenderAsCounters) {
  Registry r;
  CallbackHandle h = r.AddCallbackCounter("app_received_total", "Received.", {}, [] {
    return Samples{{{}, 42}};
  });
  EXPECT_NE(r.Render().find("# TYPE app_received_total counter\napp_received_total 42\n"),
            std::string::npos);
}

TEST(Metrics, SampleValuesUseTheShortestExactForm) {
  EXPECT_EQ(FormatSampleValue(0), "0");
  EXPECT_EQ(FormatSampleValue(12), "12");
  EXPECT_EQ(FormatSampleValue(0.25), "0.25");
  EXPECT_EQ(FormatSampleValue(0.1), "0.1");
  EXPECT_EQ(FormatSampleValue(1.0 / 0.0), "+Inf");
  EXPECT_EQ(FormatSampleValue(0.0 / 0.0), "NaN");
}

TEST(Metrics, ConcurrentUpdatesAreNotLost) {
  Registry r;
  auto& c = r.AddCounter("app_hits_total", "Hits.", {"t"});
  auto& h = r.AddHistogram("app_lat_seconds", "Latency.", {});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10000; ++i) {
        c.With({t % 2 ? "odd" : "even"}).Inc();
        h.Get().Observe(0.01);
        if (i % 1000 == 0) r.Render();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.With({"odd"}).Value() + c.With({"even"}).Value(), 40000);
  EXPECT_EQ(h.Get().Snap().count, 40000u);
}

TEST(PipelineMetrics, DescribeRecordsStagesTokensAndErrorKinds) {
  RecordDescribe({.fetch_ms = 0,
                  .decode_ms = 2,
                  .encode_ms = 10,
                  .generate_ms = 20,
                  .total_ms = 32,
                  .generated_tokens = 40},
                 Code::kOk);
  RecordDescribe({.decode_ms = 1, .total_ms = 1}, Code::kUnsupported);
  std::string text = Registry::Default().Render();
  EXPECT_NE(text.find("altscribe_stage_seconds_count{stage=\"generate\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("altscribe_stage_seconds_count{stage=\"decode\"} 2\n"), std::string::npos);
  EXPECT_EQ(text.find("altscribe_stage_seconds_count{stage=\"fetch\"}"), std::string::npos);
  EXPECT_NE(text.find("altscribe_generated_tokens_total 40\n"), std::string::npos);
  EXPECT_NE(text.find("altscribe_tokens_per_second 2000\n"), std::string::npos);
  EXPECT_NE(text.find("altscribe_images_described_total{outcome=\"error\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("altscribe_errors_total{kind=\"unsupported\"} 1\n"), std::string::npos);
  RecordPdsRateLimit(3000, 2999);
  RecordPdsRateLimit(-1, -1);  // absent headers keep the last values
  text = Registry::Default().Render();
  EXPECT_NE(text.find("altscribe_pds_ratelimit_remaining 2999\n"), std::string::npos);
  EXPECT_NE(text.find("altscribe_pds_ratelimit_limit 3000\n"), std::string::npos);
}

}  // namespace
}  // namespace altscribe::metrics
