#include "vision/batch_engine.h"

#include <llama.h>
#include <mtmd-helper.h>
#include <mtmd.h>

#include <algorithm>
#include <chrono>
#include <future>

#include "core/log.h"
#include "core/parallel.h"

namespace altscribe::vision {
namespace {

using Clock = std::chrono::steady_clock;
double MsSince(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

// Room for what the prompt may add beyond the probe's (OCR text quoted to the model, a longer
// mode instruction).
constexpr int kPromptSlack = 256;

// From this many rows in a decode step the rows are sampled on the pool: below it, waking the
// pool costs more than it saves (a row is ~20 us at a 32k vocabulary, ~100 us at 152k).
constexpr int kParallelSampleRows = 8;

std::string GiB(double bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f GiB", bytes / (1024.0 * 1024 * 1024));
  return buf;
}

}  // namespace

struct BatchEngine::Sequence {
  int id;  // its seq_id, which is its index in seqs_ (Compact() moves sequences and their ids)
  explicit Sequence(int i) : id(i) {}
  bool live = false;
  Done done;
  int max_tokens = 0;
  DescribeSampler sampler;
  int32_t next = 0;                   // sampled, not yet decoded
  int32_t batch_row = 0;              // its row in the current decode step
  const float* row_logits = nullptr;  // that row's logits, after the decode
  int32_t sampled = -1;               // the token sampled from them (-1: none)
  HeldPrefix held;                    // the prompt prefix this sequence's KV keeps between images
  ModelOutput out;
  Clock::time_point generate_start;
};

int ContextPerSequence(int image_and_prompt, int max_tokens, int cap) {
  int need = image_and_prompt + max_tokens;
  int rounded = (need + 255) / 256 * 256;
  return cap > 0 ? std::min(rounded, cap) : rounded;
}

Result<std::unique_ptr<BatchEngine>> BatchEngine::Load(const LlamaModelOptions& model,
                                                       const BatchEngineOptions& options) {
  auto start = Clock::now();
  if (options.max_batch < 1 || options.max_batch > 256) {
    return Status::InvalidArgument("--batch must be between 1 and 256 (got " +
                                   std::to_string(options.max_batch) + ")");
  }
  LlamaModelOptions weights_options = model;
  weights_options.single_stream_context = false;
  ASSIGN_OR_RETURN(auto weights, LlamaVisionModel::Load(weights_options));

  std::unique_ptr<BatchEngine> e(new BatchEngine());
  e->options_ = options;
  e->options_.max_tokens = std::max(1, options.max_tokens);
  e->weights_ = std::move(weights);

  // Count what one image and the longest prompt take, with a probe image of the usual size.
  const int side = std::max(14, options.probe_side);
  Image probe{static_cast<uint32_t>(side), static_cast<uint32_t>(side),
              std::vector<uint8_t>(static_cast<size_t>(side) * side * 3, 128)};
  ASSIGN_OR_RETURN(std::string text, e->weights_->FormatPrompt(BuildPrompt(Mode::kDetail, {})));
  ASSIGN_OR_RETURN(mtmd_input_chunks * chunks, TokenizePrompt(e->weights_->mtmd(), probe, text));
  e->probe_tokens_ = static_cast<int>(mtmd_helper_get_n_tokens(chunks));
  const int image_tokens = CountImageTokens(chunks);
  mtmd_input_chunks_free(chunks);

  llama_model* lm = e->weights_->llama();
  const int train_ctx = llama_model_n_ctx_train(lm);
  const int cap = train_ctx > 0 ? std::min(model.n_ctx, train_ctx) : model.n_ctx;
  e->n_ctx_seq_ = ContextPerSequence(e->probe_tokens_ + kPromptSlack, e->options_.max_tokens, cap);
  const int k = options.max_batch;

  llama_context_params cp = llama_context_default_params();
  cp.n_ctx = static_cast<uint32_t>(e->n_ctx_seq_) * static_cast<uint32_t>(k);
  cp.n_seq_max = static_cast<uint32_t>(k);
  cp.kv_unified = false;  // each sequence attends to its own cells only
  // An image is one non-causal chunk: it must fit one ubatch. Decode steps carry K tokens.
  e->n_batch_ = std::max({std::min(e->n_ctx_seq_, 2048), image_tokens, k});
  cp.n_batch = static_cast<uint32_t>(e->n_batch_);
  cp.n_ubatch = static_cast<uint32_t>(e->n_batch_);
  cp.n_threads = e->weights_->n_threads();
  cp.n_threads_batch = e->weights_->n_threads();
  cp.no_perf = true;
  e->weights_->SetAttention(&cp);  // as the single-stream context: the same logits
  e->ctx_ = llama_init_from_model(lm, cp);
  if (!e->ctx_) {
    // K/V per token: 2 tensors x layers x KV width, in f16.
    const double kv_bytes = 2.0 * llama_model_n_layer(lm) * llama_model_n_embd(lm) * 2.0 *
                            llama_model_n_head_kv(lm) / std::max(1, llama_model_n_head(lm)) *
                            cp.n_ctx;
    return Status::Model("cannot create a context for --batch " + std::to_string(k) + " (" +
                         std::to_string(k) + " images x " + std::to_string(e->n_ctx_seq_) +
                         " tokens, about " + GiB(kv_bytes) +
                         " of KV memory): out of memory? Try a smaller --batch (or --ctx)");
  }
  e->n_ctx_seq_ = static_cast<int>(llama_n_ctx_seq(e->ctx_));
  e->n_vocab_ = llama_vocab_n_tokens(llama_model_get_vocab(lm));
  for (int i = 0; i < k; ++i) e->seqs_.push_back(std::make_unique<Sequence>(i));
  const int pool =
      options.sample_threads > 0
          ? options.sample_threads
          : std::min({8, k / kParallelSampleRows + 1,
                      std::max(1, static_cast<int>(std::thread::hardware_concurrency()) / 2)});
  if (pool > 1) e->sample_pool_ = std::make_unique<ParallelFor>(pool);
  e->load_ms_ = MsSince(start);
  LogInfo("batch engine: " + std::to_string(k) + " sequences x " + std::to_string(e->n_ctx_seq_) +
          " tokens (image + prompt " + std::to_string(e->probe_tokens_) + ", budget " +
          std::to_string(e->options_.max_tokens) + ")");
  e->thread_ = std::thread([p = e.get()] { p->Run(); });
  return e;
}

BatchEngine::~BatchEngine() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (ctx_) llama_free(ctx_);
}

BatchEngineStats BatchEngine::stats() const {
  std::lock_guard<std::mutex> l(mu_);
  return stats_;
}

void BatchEngine::ChunksFree::operator()(mtmd_input_chunks* c) const { mtmd_input_chunks_free(c); }

void BatchEngine::Submit(Image image, Prompt prompt, int max_tokens, Done done) {
  auto t0 = Clock::now();
  auto text = weights_->FormatPrompt(prompt);
  if (!text.ok()) return done(text.status());
  auto chunks = TokenizePrompt(weights_->mtmd(), image, *text);
  if (!chunks.ok()) return done(chunks.status());
  Request r;
  r.chunks.reset(*chunks);
  r.n_prompt = static_cast<int>(mtmd_helper_get_n_tokens(r.chunks.get()));
  r.image_tokens = CountImageTokens(r.chunks.get());
  r.max_tokens = max_tokens;
  if (r.n_prompt + std::max(0, max_tokens) > n_ctx_seq_) {
    return done(Status::TooLarge("the image and prompt need " + std::to_string(r.n_prompt) +
                                 " tokens plus " + std::to_string(max_tokens) +
                                 " to generate, more than the " + std::to_string(n_ctx_seq_) +
                                 " each of the --batch " + std::to_string(options_.max_batch) +
                                 " images has (raise --ctx, lower --max-side or --max-tokens)"));
  }
  r.prepare_ms = MsSince(t0);
  r.done = std::move(done);
  {
    std::lock_guard<std::mutex> l(mu_);
    if (!stopping_) {
      waiting_.push_back(std::move(r));
      cv_.notify_all();
      return;
    }
  }
  r.done(Status::Internal("the model is shutting down"));
}

Result<ModelOutput> BatchEngine::Generate(const Image& image, const Prompt& prompt,
                                          int max_tokens) {
  std::promise<Result<ModelOutput>> answer;
  auto future = answer.get_future();
  Submit(image, prompt, max_tokens,
         [&answer](Result<ModelOutput> r) { answer.set_value(std::move(r)); });
  return future.get();
}

void BatchEngine::Run() {
  for (;;) {
    Request next;
    bool admit = false;
    std::deque<Request> refused;
    {
      std::unique_lock<std::mutex> l(mu_);
      cv_.wait(l, [this] { return stopping_ || !waiting_.empty() || live_ > 0; });
      if (stopping_) {
        refused.swap(waiting_);
      } else if (!waiting_.empty() && live_ < options_.max_batch) {
        next = std::move(waiting_.front());
        waiting_.pop_front();
        admit = true;
      }
    }
    for (Request& r : refused) r.done(Status::Internal("the model is shutting down"));
    if (admit) Admit(std::move(next));
    if (live_ > 0) {
      Compact();
      Step();
    } else if (!admit) {
      std::lock_guard<std::mutex> l(mu_);
      if (stopping_ && waiting_.empty()) return;
    }
  }
}

void BatchEngine::Admit(Request request) {
  // A free sequence that holds this prompt's prefix, else one that holds none, else any free
  // one: images of several modes or languages keep a slot each for their prefix.
  Sequence* seq = nullptr;
  Sequence* empty = nullptr;
  Sequence* any = nullptr;
  for (auto& s : seqs_) {
    if (s->live) continue;
    if (CanReuse(s->held, request.chunks.get())) {
      seq = s.get();
      break;
    }
    if (!empty && s->held.tokens.empty()) empty = s.get();
    if (!any) any = s.get();
  }
  if (!seq) seq = empty ? empty : any;
  seq->done = std::move(request.done);
  seq->max_tokens = request.max_tokens;
  seq->out = ModelOutput{};
  seq->out.image_tokens = request.image_tokens;
  auto t0 = Clock::now();
  auto eval =
      EvalPrompt(weights_->mtmd(), ctx_, request.chunks.get(), seq->id, n_batch_, &seq->held);
  request.chunks.reset();
  {
    std::lock_guard<std::mutex> l(mu_);
    ++stats_.admitted;
    if (eval.ok()) stats_.reused_tokens += static_cast<uint64_t>(eval->reused);
  }
  if (!eval.ok()) return Finish(*seq, eval.status());
  seq->out.prompt_tokens = request.n_prompt;
  seq->out.reused_tokens = eval->reused;
  seq->out.encode_ms = request.prepare_ms + MsSince(t0);
  seq->generate_start = Clock::now();
  if (request.max_tokens <= 0) return Finish(*seq, Status::Ok());
  seq->sampler.Reset();
  seq->live = true;
  ++live_;
  {
    std::lock_guard<std::mutex> l(mu_);
    stats_.peak_live = std::max(stats_.peak_live, live_);
  }
  // The first token comes from the prefill's logits, which the next decode overwrites.
  if (!Accept(*seq, seq->sampler.Sample(llama_get_logits_ith(ctx_, -1), n_vocab_))) {
    Finish(*seq, Status::Ok());
  }
}

bool BatchEngine::Accept(Sequence& seq, int32_t tok) {
  const llama_vocab* vocab = llama_model_get_vocab(weights_->llama());
  if (!weights_->ignore_eos() && llama_vocab_is_eog(vocab, tok)) return false;
  char piece[256];
  int n = llama_token_to_piece(vocab, tok, piece, sizeof piece, 0, /*special=*/false);
  if (n > 0) seq.out.text.append(piece, static_cast<size_t>(n));
  ++seq.out.generated_tokens;
  if (seq.out.generated_tokens >= seq.max_tokens) return false;
  seq.next = tok;
  return true;
}

void BatchEngine::Step() {
  std::vector<Sequence*> rows;
  for (auto& s : seqs_) {
    if (s->live) rows.push_back(s.get());
  }
  // One decode for all rows; with per_sequence_decode one decode per row (see the header).
  const size_t group = options_.per_sequence_decode ? 1 : rows.size();
  llama_batch batch = llama_batch_init(static_cast<int32_t>(group), 0, 1);
  llama_pos* own_pos = batch.pos;
  batch.pos = nullptr;  // positions follow each sequence's cells, as in the single-stream path
  for (size_t first = 0; first < rows.size(); first += group) {
    batch.n_tokens = 0;
    for (size_t r = first; r < std::min(rows.size(), first + group); ++r) {
      Sequence* s = rows[r];
      const int32_t i = batch.n_tokens++;
      batch.token[i] = s->next;
      batch.n_seq_id[i] = 1;
      batch.seq_id[i][0] = s->id;
      batch.logits[i] = 1;
      s->batch_row = i;
    }
    // llama.cpp splits a decode into one ubatch per run of consecutive sequence ids (see Compact).
    uint64_t runs = 0;
    for (int32_t i = 0; i < batch.n_tokens; ++i) {
      runs += i == 0 || batch.seq_id[i][0] != batch.seq_id[i - 1][0] + 1;
    }
    const int32_t rc = llama_decode(ctx_, batch);
    {
      std::lock_guard<std::mutex> l(mu_);
      ++stats_.decode_steps;
      stats_.ubatches += runs;
      if (batch.n_tokens > 1) ++stats_.multi_decode_steps;
    }
    const size_t last = std::min(rows.size(), first + group);
    if (rc != 0) {
      for (size_t r = first; r < last; ++r) {
        Finish(*rows[r], Status::Model("the model failed while generating (llama_decode " +
                                       std::to_string(rc) + ")"));
      }
      continue;
    }
    // Each sequence's next token from its row. The rows are fetched here (llama_get_logits_ith
    // may reorder the outputs once) and sampled on the pool when there are enough of them.
    for (size_t r = first; r < last; ++r) {
      rows[r]->row_logits = llama_get_logits_ith(ctx_, rows[r]->batch_row);
    }
    auto sample = [&](int k) {
      Sequence* s = rows[first + static_cast<size_t>(k)];
      s->sampled = s->row_logits ? s->sampler.Sample(s->row_logits, n_vocab_) : -1;
    };
    const int n = static_cast<int>(last - first);
    if (n >= kParallelSampleRows && sample_pool_) {
      sample_pool_->Run(n, sample);
      std::lock_guard<std::mutex> l(mu_);
      ++stats_.pooled_steps;
    } else {
      for (int k = 0; k < n; ++k) sample(k);
    }
    for (size_t r = first; r < last; ++r) {
      Sequence* s = rows[r];
      if (s->sampled < 0) {
        Finish(*s, Status::Model("the model gave no logits for an image (llama_get_logits_ith)"));
      } else if (!Accept(*s, s->sampled)) {
        Finish(*s, Status::Ok());
      }
    }
  }
  batch.pos = own_pos;
  llama_batch_free(batch);
}

void BatchEngine::Compact() {
  if (!options_.compact || options_.per_sequence_decode || live_ < 2) return;
  const int k = static_cast<int>(seqs_.size());
  // The window of live_ slots that already holds the most live sequences (the lowest such): only
  // the ones outside it move, into its free slots.
  int best = 0, best_live = -1;
  for (int start = 0; start + live_ <= k; ++start) {
    int n = 0;
    for (int i = start; i < start + live_; ++i) n += seqs_[i]->live;
    if (n > best_live) {
      best = start;
      best_live = n;
    }
  }
  if (best_live == live_) return;  // already one run
  llama_memory_t mem = llama_get_memory(ctx_);
  int moved = 0;
  int free_slot = best;
  for (int src = 0; src < k; ++src) {
    if (!seqs_[src]->live || (src >= best && src < best + live_)) continue;
    while (seqs_[free_slot]->live) ++free_slot;
    const int dst = free_slot;
    // The whole stream is copied at the start of the next decode (bit for bit: the text does not
    // change), the prompt prefix with it. The free slot's own prefix is gone with its stream.
    llama_memory_seq_rm(mem, dst, -1, -1);
    llama_memory_seq_cp(mem, src, dst, -1, -1);
    llama_memory_seq_rm(mem, src, -1, -1);
    std::swap(seqs_[dst], seqs_[src]);
    std::swap(seqs_[dst]->id, seqs_[src]->id);
    seqs_[src]->held.tokens.clear();
    ++moved;
  }
  std::lock_guard<std::mutex> l(mu_);
  stats_.moves += static_cast<uint64_t>(moved);
}

void BatchEngine::Finish(Sequence& seq, Status error) {
  if (seq.live) {
    seq.live = false;
    --live_;
    seq.out.generate_ms = MsSince(seq.generate_start);
  }
  // Free the cells after the prompt prefix; the prefix stays for this slot's next image (not
  // after a failure: then nothing of this sequence is trusted).
  if (!error.ok()) seq.held.tokens.clear();
  llama_memory_seq_rm(llama_get_memory(ctx_), seq.id,
                      static_cast<llama_pos>(seq.held.tokens.size()), -1);
  Done done = std::move(seq.done);
  seq.done = nullptr;
  if (error.ok()) {
    done(std::move(seq.out));
  } else {
    done(std::move(error));
  }
}

}  // namespace altscribe::vision
