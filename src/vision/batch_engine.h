// vision/batch_engine.h — many images through one llama.cpp context at once (continuous batching).
//
// Up to K images are in flight, each in its own sequence of ONE llama context (non-unified KV
// memory: every sequence has its own share of n_ctx). One scheduler thread owns the context:
//   - it admits a waiting image into a free sequence: vision encode + prefill of that one image
//     into its seq_id (EvalPrompt: the prompt's first text chunk is kept from the sequence's
//     previous image when it is the same, vision/prompt_eval.h), then samples its first token;
//   - then runs ONE llama_decode carrying one token for every unfinished sequence and samples each
//     sequence from its own row of logits with its own DescribeSampler, as the single-stream path
//     does (so the text is the same for the same image); from 8 rows on, on a small thread pool;
//   - between two decode steps it admits the next waiting image (one per step while others
//     generate, so a new image costs the running ones one prefill, never a whole queue of them);
//   - a sequence ends at end-of-generation or at its own token budget; its KV cells after the
//     prompt prefix are freed (llama_memory_seq_rm) and its caller is answered at once;
//   - before a step, live sequences above a free slot are moved down into it (Compact): with
//     one KV stream per sequence llama.cpp puts only a run of consecutive sequence ids into one
//     ubatch, so the gaps finished images leave would split every step into one ubatch per run,
//     each reading all the weights again. A move is a copy of that sequence's KV stream on the
//     device at the start of the next decode (llama_memory_seq_cp), exact, prefix included.
// Same text? Everything is the single-stream path: the same prompt, the same prefill, the same
// sampler per sequence, positions from each sequence's own cells, attention over that
// sequence's own KV stream, and the attention kernel LlamaVisionModel::SetAttention picks for
// both. On the CPU that makes each sequence's logits bit for bit those of the single-stream path
// whatever else is in the decode (batch_engine_test proves the text identical for K = 1, 4 and 8,
// with images admitted mid-generation and callers on many threads). What broke it before was
// ggml's CPU flash attention, which decodes a lone row with the KV split across threads and
// several sequences without the split; the matrix products are per output element either way.
// On a GPU the text may differ in rare near-ties: llama.cpp's CUDA matrix kernels change with the
// number of rows in a decode (mmvq/mmvf for a few, mmq/cuBLAS for more) and sum in other orders.
// per_sequence_decode (one decode per sequence per step) gives the single-row kernels there too.
//
// A prompt that does not fit one sequence's share of the context fails alone (TooLarge); the
// others are unaffected. A failed decode step fails the sequences in it, and only them.
//
// KV memory is sized from K: each sequence gets the tokens of a probe image (the projector's
// image tokens, measured at load) + the prompt + the largest token budget, rounded up to 256 and
// capped by --ctx. When the context cannot be created (out of GPU or host memory) Load() says so
// and suggests a smaller --batch.
//
// Thread-safe: Generate() and Submit() may be called from any number of threads. The destructor
// lets running sequences finish and fails images still waiting.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "vision/llama_model.h"
#include "vision/model.h"

struct llama_context;
struct mtmd_input_chunks;

namespace altscribe {
class ParallelFor;
}

namespace altscribe::vision {

struct BatchEngineOptions {
  int max_batch = 8;     // K: images generating at once (sequences in the context), 1..256
  int max_tokens = 512;  // the largest per-image token budget asked for; sizes the KV memory
  int probe_side = 336;  // side of the square image used to count the projector's image tokens
  // One llama_decode per sequence per step instead of one for all: the single-row kernels of the
  // single-stream path, so on a GPU too the text is bit for bit the single-stream text (see the
  // note above); K times the decode calls. On the CPU the batched decode is already identical.
  bool per_sequence_decode = false;
  // Threads that sample the rows of a step with 8 or more rows, the scheduler included; 0 = up to
  // half the cores, at most 8 (the CPU is idle while the GPU decodes).
  int sample_threads = 0;
  // Close the gaps finished images leave before each step (see Compact). Off only to measure
  // what it saves (bench/batch --varied).
  bool compact = true;
};

struct BatchEngineStats {
  int peak_live = 0;                // most sequences generating at the same time
  uint64_t decode_steps = 0;        // batched decode calls
  uint64_t multi_decode_steps = 0;  // of which carried two or more sequences
  uint64_t pooled_steps = 0;        // of which had their rows sampled on the thread pool
  uint64_t ubatches = 0;            // ubatches llama.cpp ran for them (one per run of ids)
  uint64_t moves = 0;               // sequences moved down to close gaps (Compact)
  uint64_t admitted = 0;            // images prefilled
  uint64_t reused_tokens = 0;  // prompt tokens kept from a slot's previous image, not evaluated
};

class BatchEngine final : public VisionModel {
 public:
  using Done = std::function<void(Result<ModelOutput>)>;

  // Loads the model and projector (LlamaVisionModel::Load's checks and messages) and one context
  // for options.max_batch sequences. model.n_ctx caps the context of each sequence.
  static Result<std::unique_ptr<BatchEngine>> Load(const LlamaModelOptions& model,
                                                   const BatchEngineOptions& options);
  ~BatchEngine() override;
  BatchEngine(const BatchEngine&) = delete;
  BatchEngine& operator=(const BatchEngine&) = delete;

  // Prepares one image on the calling thread (prompt template, tokenization, the projector's
  // preprocessing) and queues it; `done` runs on the scheduler thread when its text is complete
  // or failed, or at once on the calling thread when the image cannot be prepared or does not fit
  // a sequence's context (TooLarge). `done` may call Submit() again; it must not block for long
  // (the other sequences wait).
  void Submit(Image image, Prompt prompt, int max_tokens, Done done);

  // Submit() and wait: blocks until this image's text is complete.
  Result<ModelOutput> Generate(const Image& image, const Prompt& prompt, int max_tokens) override;
  std::string Name() const override { return weights_->Name(); }
  int Concurrency() const override { return options_.max_batch; }

  const std::string& chat_template() const { return weights_->chat_template(); }
  double load_ms() const { return load_ms_; }
  int context_per_image() const { return n_ctx_seq_; }  // tokens each sequence may hold
  int image_tokens() const { return probe_tokens_; }    // of the probe image, prompt included
  BatchEngineStats stats() const;

 private:
  struct ChunksFree {
    void operator()(mtmd_input_chunks* c) const;
  };
  // An image ready for the context: tokenized (chat template, image preprocessed by the
  // projector) on the caller's thread, so the scheduler thread only encodes and decodes.
  struct Request {
    std::unique_ptr<mtmd_input_chunks, ChunksFree> chunks;
    int n_prompt = 0;
    int image_tokens = 0;
    int max_tokens = 0;
    double prepare_ms = 0;
    Done done;
  };
  struct Sequence;

  BatchEngine() = default;
  void Run();                               // the scheduler thread
  void Admit(Request request);              // encode + prefill one image, sample its first token
  void Compact();                           // live sequences into the lowest slots
  void Step();                              // one batched decode over the live sequences
  bool Accept(Sequence& seq, int32_t tok);  // true while the sequence goes on
  void Finish(Sequence& seq, Status error);

  std::unique_ptr<LlamaVisionModel> weights_;
  llama_context* ctx_ = nullptr;
  BatchEngineOptions options_;
  double load_ms_ = 0;
  int n_ctx_seq_ = 0;
  int n_batch_ = 2048;
  int n_vocab_ = 0;
  int probe_tokens_ = 0;
  std::vector<std::unique_ptr<Sequence>> seqs_;  // one per seq_id; scheduler thread only
  std::unique_ptr<ParallelFor> sample_pool_;     // samples the rows of big steps; may be null
  int live_ = 0;                                 // scheduler thread only

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Request> waiting_;  // GUARDED_BY(mu_)
  bool stopping_ = false;        // GUARDED_BY(mu_)
  BatchEngineStats stats_;       // GUARDED_BY(mu_)
  std::thread thread_;
};

// The context each of K sequences gets: image_and_prompt + max_tokens, rounded up to 256 and
// capped at cap (the --ctx or the model's training context). Pure, for tests and sizing notes.
int ContextPerSequence(int image_and_prompt, int max_tokens, int cap);

}  // namespace altscribe::vision
