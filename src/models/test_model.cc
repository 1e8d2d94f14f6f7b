#include "models/test_model.h"

#include <ggml.h>
#include <gguf.h>
#include <unistd.h>
#include <cstdint>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/files.h"

namespace altscribe::models {
namespace {

// Shapes of one preset. Text model: llama architecture. Vision: CLIP ViT with an mlp projector.
struct Shapes {
  const char* name;
  // text
  int64_t n_embd, n_ff, n_layer, n_head, n_ctx;
  int n_extra_pieces;  // vocabulary beyond the 3 specials and 256 byte tokens
  ggml_type text_type;
  // vision
  int64_t image_size, patch_size, v_embd, v_ff, v_layer, v_head;
  ggml_type vision_type;
};

constexpr Shapes kTiny = {"altscribe-test-tiny", 64, 128, 2,  4,  2048, 240,
                          GGML_TYPE_F32,         56, 14,  32, 48, 2,    4,
                          GGML_TYPE_F32};
// LLaVA-1.5-7B: LLaMA-7B text (Q4_0, 32000 tokens) + CLIP ViT-L/14 at 336 px (F16).
constexpr Shapes kLlava7b = {"altscribe-test-llava15-7b",
                             4096,
                             11008,
                             32,
                             32,
                             4096,
                             32000 - 259,
                             GGML_TYPE_Q4_0,
                             336,
                             14,
                             1024,
                             4096,
                             24,
                             16,
                             GGML_TYPE_F16};

// The same shapes with F16 text weights (~13.5 GB): the HF anchor's precision, and the fast path
// for long prefills on a GPU (cuBLAS half-precision GEMM instead of quantized kernels).
constexpr Shapes kLlava7bF16 = [] {
  Shapes s = kLlava7b;
  s.name = "altscribe-test-llava15-7b-f16";
  s.text_type = GGML_TYPE_F16;
  return s;
}();

// Deterministic generator (splitmix64); values depend only on the seed and the order of tensors.
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t Next() {
    uint64_t z = (s_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Roughly N(0, scale): sum of uniforms.
  float Normal(float scale) {
    float u = 0;
    for (int i = 0; i < 4; ++i) u += static_cast<float>(Next() >> 40) / static_cast<float>(1 << 24);
    return (u - 2.0f) * 1.732f * scale;
  }

 private:
  uint64_t s_;
};

enum class Fill { kRandom, kOnes, kZeros };

struct TensorSpec {
  std::string name;
  std::vector<int64_t> ne;
  ggml_type type;
  Fill fill;
};

// Writes a GGUF file whose metadata is already in `ctx` and whose tensors are `specs`, streaming
// tensor data so multi-gigabyte files never sit in memory.
class GgufFile {
 public:
  GgufFile() : ctx_(gguf_init_empty()) {
    ggml_init_params p = {/*mem_size=*/64 * 1024 * 1024, /*mem_buffer=*/nullptr, /*no_alloc=*/true};
    meta_ = ggml_init(p);
  }
  ~GgufFile() {
    gguf_free(ctx_);
    ggml_free(meta_);
  }
  gguf_context* ctx() { return ctx_; }

  void Add(const std::string& name, std::vector<int64_t> ne, ggml_type type,
           Fill fill = Fill::kRandom) {
    specs_.push_back({name, std::move(ne), type, fill});
  }

  Status Write(const std::string& path, Rng& rng, float scale,
               const std::function<void(uint64_t)>& on_bytes) {
    for (const auto& s : specs_) {
      ggml_tensor* t = ggml_new_tensor(meta_, s.type, static_cast<int>(s.ne.size()), s.ne.data());
      ggml_set_name(t, s.name.c_str());
      gguf_add_tensor(ctx_, t);
    }
    std::string tmp = path + ".tmp-" + std::to_string(::getpid());
    FILE* f = std::fopen(tmp.c_str(), "wb");
    if (!f) return Status::IoError(path + ": cannot write: " + std::strerror(errno));
    bool ok = gguf_write_to_file_ptr(ctx_, f, /*only_meta=*/true);
    uint64_t written = 0;
    const size_t align = gguf_get_alignment(ctx_);
    std::vector<uint8_t> buf;
    for (size_t i = 0; ok && i < specs_.size(); ++i) {
      const auto& s = specs_[i];
      size_t size = gguf_get_tensor_size(ctx_, static_cast<int64_t>(i));
      FillTensor(s, size, rng, scale, &buf);
      ok = std::fwrite(buf.data(), 1, buf.size(), f) == buf.size();
      size_t pad = (align - size % align) % align;
      static const uint8_t zeros[64] = {};
      ok = ok && std::fwrite(zeros, 1, pad, f) == pad;
      written += size + pad;
      if (on_bytes) on_bytes(size + pad);
    }
    ok = ok && std::fflush(f) == 0 && ::fsync(fileno(f)) == 0;
    int err = errno;
    ok = (std::fclose(f) == 0) && ok;
    if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
      std::remove(tmp.c_str());
      return Status::IoError(path + ": write failed: " + std::strerror(err ? err : errno));
    }
    return Status::Ok();
  }

 private:
  static void FillTensor(const TensorSpec& s, size_t size, Rng& rng, float scale,
                         std::vector<uint8_t>* out) {
    out->assign(size, 0);
    if (s.fill == Fill::kZeros) return;
    size_t n = 1;
    for (auto d : s.ne) n *= static_cast<size_t>(d);
    switch (s.type) {
      case GGML_TYPE_F32: {
        auto* p = reinterpret_cast<float*>(out->data());
        for (size_t i = 0; i < n; ++i) p[i] = s.fill == Fill::kOnes ? 1.0f : rng.Normal(scale);
        break;
      }
      case GGML_TYPE_F16: {
        auto* p = reinterpret_cast<ggml_fp16_t*>(out->data());
        const ggml_fp16_t one = ggml_fp32_to_fp16(1.0f);
        // Random weights from a small table: converting billions of floats one by one is slow.
        ggml_fp16_t table[256];
        for (auto& v : table) v = ggml_fp32_to_fp16(rng.Normal(scale));
        for (size_t i = 0; i < n; ++i) {
          p[i] = s.fill == Fill::kOnes ? one : table[rng.Next() & 255];
        }
        break;
      }
      case GGML_TYPE_Q4_0: {
        // Block: fp16 scale + 16 bytes of 4-bit values (32 weights). A valid, small scale.
        const size_t blocks = n / 32;
        const ggml_fp16_t d = ggml_fp32_to_fp16(scale / 4.0f);
        uint8_t* p = out->data();
        for (size_t b = 0; b < blocks; ++b, p += 18) {
          std::memcpy(p, &d, 2);
          for (int k = 0; k < 16; k += 8) {
            uint64_t r = rng.Next();
            std::memcpy(p + 2 + k, &r, 8);
          }
        }
        break;
      }
      default:
        break;
    }
  }

  gguf_context* ctx_;
  ggml_context* meta_;
  std::vector<TensorSpec> specs_;
};

// Word pieces for the tiny vocabulary so the gibberish at least looks like words.
const char* const kPieces[] = {
    "▁the",    "▁a",     "▁of",    "▁and",  "▁in",    "▁on",    "▁with",  "▁is",
    "▁cat",    "▁dog",   "▁sky",   "▁tree", "▁red",   "▁blue",  "▁green", "▁sign",
    "▁text",   "▁man",   "▁woman", "▁sea",  "▁car",   "▁road",  "▁sun",   "▁hill",
    "▁bird",   "▁house", "▁light", "▁dark", "▁small", "▁large", "▁photo", "▁chart",
    "▁hotdog", "▁not",   "▁reads", "▁says", "▁near",  "▁under", "▁over",  "."};

Status WriteTextModel(const std::string& path, const Shapes& s, Rng& rng,
                      const std::function<void(uint64_t)>& on_bytes) {
  GgufFile g;
  gguf_context* c = g.ctx();
  gguf_set_val_str(c, "general.architecture", "llama");
  gguf_set_val_str(c, "general.name", s.name);
  gguf_set_val_u32(c, "llama.context_length", static_cast<uint32_t>(s.n_ctx));
  gguf_set_val_u32(c, "llama.embedding_length", static_cast<uint32_t>(s.n_embd));
  gguf_set_val_u32(c, "llama.block_count", static_cast<uint32_t>(s.n_layer));
  gguf_set_val_u32(c, "llama.feed_forward_length", static_cast<uint32_t>(s.n_ff));
  gguf_set_val_u32(c, "llama.attention.head_count", static_cast<uint32_t>(s.n_head));
  gguf_set_val_u32(c, "llama.attention.head_count_kv", static_cast<uint32_t>(s.n_head));
  gguf_set_val_u32(c, "llama.rope.dimension_count", static_cast<uint32_t>(s.n_embd / s.n_head));
  gguf_set_val_f32(c, "llama.attention.layer_norm_rms_epsilon", 1e-5f);

  // Vocabulary: <unk> <s> </s>, the 256 byte tokens, then word pieces (repeated with a suffix
  // for the big preset to reach 32000 entries).
  std::vector<std::string> tokens = {"<unk>", "<s>", "</s>"};
  std::vector<float> scores = {0, 0, 0};
  std::vector<int32_t> types = {2, 3, 3};
  for (int b = 0; b < 256; ++b) {
    char hex[8];
    std::snprintf(hex, sizeof hex, "<0x%02X>", b);
    tokens.push_back(hex);
    scores.push_back(0);
    types.push_back(6);
  }
  const int n_pieces = sizeof(kPieces) / sizeof(kPieces[0]);
  for (int i = 0; i < s.n_extra_pieces; ++i) {
    std::string piece = kPieces[i % n_pieces];
    if (i >= n_pieces) piece += std::to_string(i / n_pieces);
    tokens.push_back(piece);
    scores.push_back(-static_cast<float>(i) * 0.01f);
    types.push_back(1);
  }
  std::vector<const char*> tok_ptrs;
  for (auto& t : tokens) tok_ptrs.push_back(t.c_str());
  gguf_set_val_str(c, "tokenizer.ggml.model", "llama");
  gguf_set_arr_str(c, "tokenizer.ggml.tokens", tok_ptrs.data(), tok_ptrs.size());
  gguf_set_arr_data(c, "tokenizer.ggml.scores", GGUF_TYPE_FLOAT32, scores.data(), scores.size());
  gguf_set_arr_data(c, "tokenizer.ggml.token_type", GGUF_TYPE_INT32, types.data(), types.size());
  gguf_set_val_u32(c, "tokenizer.ggml.unknown_token_id", 0);
  gguf_set_val_u32(c, "tokenizer.ggml.bos_token_id", 1);
  gguf_set_val_u32(c, "tokenizer.ggml.eos_token_id", 2);
  gguf_set_val_bool(c, "tokenizer.ggml.add_bos_token", true);

  const int64_t V = static_cast<int64_t>(tokens.size()), E = s.n_embd, F = s.n_ff;
  g.Add("token_embd.weight", {E, V}, s.text_type);
  g.Add("output_norm.weight", {E}, GGML_TYPE_F32, Fill::kOnes);
  g.Add("output.weight", {E, V}, s.text_type);
  for (int64_t i = 0; i < s.n_layer; ++i) {
    std::string p = "blk." + std::to_string(i) + ".";
    g.Add(p + "attn_norm.weight", {E}, GGML_TYPE_F32, Fill::kOnes);
    g.Add(p + "attn_q.weight", {E, E}, s.text_type);
    g.Add(p + "attn_k.weight", {E, E}, s.text_type);
    g.Add(p + "attn_v.weight", {E, E}, s.text_type);
    g.Add(p + "attn_output.weight", {E, E}, s.text_type);
    g.Add(p + "ffn_norm.weight", {E}, GGML_TYPE_F32, Fill::kOnes);
    g.Add(p + "ffn_gate.weight", {E, F}, s.text_type);
    g.Add(p + "ffn_up.weight", {E, F}, s.text_type);
    g.Add(p + "ffn_down.weight", {F, E}, s.text_type);
  }
  return g.Write(path, rng, 0.5f / std::sqrt(static_cast<float>(E)), on_bytes);
}

Status WriteProjector(const std::string& path, const Shapes& s, Rng& rng,
                      const std::function<void(uint64_t)>& on_bytes) {
  GgufFile g;
  gguf_context* c = g.ctx();
  gguf_set_val_str(c, "general.architecture", "clip");
  gguf_set_val_str(c, "general.name", (std::string(s.name) + "-mmproj").c_str());
  gguf_set_val_bool(c, "clip.has_vision_encoder", true);
  gguf_set_val_bool(c, "clip.has_text_encoder", false);
  gguf_set_val_bool(c, "clip.use_gelu", true);
  gguf_set_val_str(c, "clip.projector_type", "mlp");
  gguf_set_val_u32(c, "clip.vision.image_size", static_cast<uint32_t>(s.image_size));
  gguf_set_val_u32(c, "clip.vision.patch_size", static_cast<uint32_t>(s.patch_size));
  gguf_set_val_u32(c, "clip.vision.embedding_length", static_cast<uint32_t>(s.v_embd));
  gguf_set_val_u32(c, "clip.vision.feed_forward_length", static_cast<uint32_t>(s.v_ff));
  gguf_set_val_u32(c, "clip.vision.block_count", static_cast<uint32_t>(s.v_layer));
  gguf_set_val_u32(c, "clip.vision.attention.head_count", static_cast<uint32_t>(s.v_head));
  gguf_set_val_f32(c, "clip.vision.attention.layer_norm_epsilon", 1e-5f);
  gguf_set_val_u32(c, "clip.vision.projection_dim", static_cast<uint32_t>(s.n_embd));
  const float mean[3] = {0.48145466f, 0.4578275f, 0.40821073f};
  const float std_[3] = {0.26862954f, 0.26130258f, 0.27577711f};
  gguf_set_arr_data(c, "clip.vision.image_mean", GGUF_TYPE_FLOAT32, mean, 3);
  gguf_set_arr_data(c, "clip.vision.image_std", GGUF_TYPE_FLOAT32, std_, 3);

  const int64_t P = s.patch_size, Ev = s.v_embd, Fv = s.v_ff, E = s.n_embd;
  const int64_t n_patches = (s.image_size / P) * (s.image_size / P);
  const ggml_type wt = s.vision_type;
  g.Add("v.class_embd", {Ev}, GGML_TYPE_F32);
  g.Add("v.patch_embd.weight", {P, P, 3, Ev}, GGML_TYPE_F16);
  g.Add("v.position_embd.weight", {Ev, n_patches + 1}, GGML_TYPE_F32);
  g.Add("v.pre_ln.weight", {Ev}, GGML_TYPE_F32, Fill::kOnes);
  g.Add("v.pre_ln.bias", {Ev}, GGML_TYPE_F32, Fill::kZeros);
  for (int64_t i = 0; i < s.v_layer; ++i) {
    std::string p = "v.blk." + std::to_string(i) + ".";
    g.Add(p + "ln1.weight", {Ev}, GGML_TYPE_F32, Fill::kOnes);
    g.Add(p + "ln1.bias", {Ev}, GGML_TYPE_F32, Fill::kZeros);
    for (const char* t : {"attn_q", "attn_k", "attn_v", "attn_out"}) {
      g.Add(p + t + ".weight", {Ev, Ev}, wt);
      g.Add(p + t + ".bias", {Ev}, GGML_TYPE_F32, Fill::kZeros);
    }
    g.Add(p + "ln2.weight", {Ev}, GGML_TYPE_F32, Fill::kOnes);
    g.Add(p + "ln2.bias", {Ev}, GGML_TYPE_F32, Fill::kZeros);
    g.Add(p + "ffn_up.weight", {Ev, Fv}, wt);
    g.Add(p + "ffn_up.bias", {Fv}, GGML_TYPE_F32, Fill::kZeros);
    g.Add(p + "ffn_down.weight", {Fv, Ev}, wt);  // ne0 != Ev: no legacy swap
    g.Add(p + "ffn_down.bias", {Ev}, GGML_TYPE_F32, Fill::kZeros);
  }
  g.Add("mm.0.weight", {Ev, E}, wt);
  g.Add("mm.0.bias", {E}, GGML_TYPE_F32, Fill::kZeros);
  g.Add("mm.2.weight", {E, E}, wt);
  g.Add("mm.2.bias", {E}, GGML_TYPE_F32, Fill::kZeros);
  return g.Write(path, rng, 0.5f / std::sqrt(static_cast<float>(Ev)), on_bytes);
}

}  // namespace

Result<TestModelPreset> ParseTestModelPreset(const std::string& name) {
  if (name == "tiny") return TestModelPreset::kTiny;
  if (name == "llava15-7b") return TestModelPreset::kLlava15_7b;
  if (name == "llava15-7b-f16") return TestModelPreset::kLlava15_7bF16;
  return Status::InvalidArgument("unknown preset '" + name +
                                 "' (use tiny, llava15-7b or llava15-7b-f16)");
}

Status WriteTestModel(const std::string& dir, TestModelPreset preset, uint64_t seed,
                      const std::function<void(double)>& progress, int64_t text_embd) {
  const Shapes& s = preset == TestModelPreset::kTiny         ? kTiny
                    : preset == TestModelPreset::kLlava15_7b ? kLlava7b
                                                             : kLlava7bF16;
  Shapes text_shapes = s;
  if (text_embd > 0) text_shapes.n_embd = text_embd;
  RETURN_IF_ERROR(MakeDirs(dir));
  // Approximate total for progress: text + vision weights.
  const double total = preset == TestModelPreset::kTiny         ? 1.0
                       : preset == TestModelPreset::kLlava15_7b ? 4.45e9
                                                                : 14.1e9;
  double done = 0;
  auto on_bytes = [&](uint64_t n) {
    done += static_cast<double>(n);
    if (progress) progress(std::min(1.0, done / total));
  };
  Rng rng(seed);
  RETURN_IF_ERROR(WriteTextModel(dir + "/model.gguf", text_shapes, rng, on_bytes));
  RETURN_IF_ERROR(WriteProjector(dir + "/mmproj.gguf", s, rng, on_bytes));
  if (progress) progress(1.0);
  return Status::Ok();
}

}  // namespace altscribe::models
