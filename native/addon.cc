// Module entry of the Karakuri libtorch addon: per-environment state (so it also loads in worker threads),
// and process-wide controls: seeding, threads, grad mode, build/BLAS configuration, live-tensor counts.
#include "common.h"
#include <ATen/Parallel.h>
#include <ATen/Version.h>
#include <torch/version.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace karakuri {

AddonState& State(Napi::Env env) { return *env.GetInstanceData<AddonState>(); }

static Napi::Value ManualSeed(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) throw Napi::TypeError::New(env, "manualSeed(seed): expected a number");
  double s = info[0].As<Napi::Number>().DoubleValue();
  if (s < 0 || s != static_cast<double>(static_cast<uint64_t>(s))) {
    throw Napi::RangeError::New(env, "manualSeed: seed must be a non-negative integer");
  }
  Guard(env, [&] { at::manual_seed(static_cast<uint64_t>(s)); });
  return env.Undefined();
}

static Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber() || info[0].As<Napi::Number>().Int32Value() < 1) {
    throw Napi::RangeError::New(env, "setNumThreads(n): n must be an integer >= 1");
  }
  Guard(env, [&] { at::set_num_threads(info[0].As<Napi::Number>().Int32Value()); });
  return env.Undefined();
}

static Napi::Value GetNumThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), at::get_num_threads());
}

static Napi::Value SetGradEnabled(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsBoolean()) throw Napi::TypeError::New(env, "setGradEnabled(on): expected a boolean");
  at::GradMode::set_enabled(info[0].As<Napi::Boolean>().Value());
  return env.Undefined();
}

static Napi::Value IsGradEnabled(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), at::GradMode::is_enabled());
}

static Napi::Value Config(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("version", TORCH_VERSION);
  o.Set("buildConfig", at::show_config());
  o.Set("parallelInfo", at::get_parallel_info());
  o.Set("numThreads", at::get_num_threads());
  o.Set("numInteropThreads", at::get_num_interop_threads());
  o.Set("cudaAvailable", at::hasCUDA());
  return o;
}

// tuneAllocator(mmapThreshold, trimThreshold): glibc's malloc serves large blocks with fresh mmaps and trims the
// heap eagerly, so the activations of every training step are page-faulted in again (measured: ~7,000 faults and
// ~25% of a CNN step). Serving blocks up to mmapThreshold from the heap and keeping up to trimThreshold of freed heap
// makes the steady state fault-free. Returns false where mallopt is unavailable or refuses.
static Napi::Value TuneAllocator(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsNumber() || !info[1].IsNumber()) {
    throw Napi::TypeError::New(env, "tuneAllocator(mmapThreshold, trimThreshold): expected two numbers");
  }
  double mmap = info[0].As<Napi::Number>().DoubleValue(), trim = info[1].As<Napi::Number>().DoubleValue();
  if (!(mmap >= 0 && mmap <= 32.0 * 1024 * 1024 && trim >= 0 && trim <= 2147483647.0)) {
    throw Napi::RangeError::New(env, "tuneAllocator: mmapThreshold must be in [0, 32 MiB] and trimThreshold in [0, 2 GiB)");
  }
#ifdef __GLIBC__
  bool ok = mallopt(M_MMAP_THRESHOLD, static_cast<int>(mmap)) == 1 && mallopt(M_TRIM_THRESHOLD, static_cast<int>(trim)) == 1;
  return Napi::Boolean::New(env, ok);
#else
  return Napi::Boolean::New(env, false);
#endif
}

static Napi::Value Live(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  AddonState& st = State(env);
  Napi::Object o = Napi::Object::New(env);
  o.Set("tensors", Napi::Number::New(env, static_cast<double>(st.handles.live())));
  o.Set("bytes", Napi::Number::New(env, static_cast<double>(st.handles.bytes())));
  return o;
}

void InitGlobals(Napi::Env env, Napi::Object exports) {
  exports.Set("manualSeed", Napi::Function::New(env, ManualSeed, "manualSeed"));
  exports.Set("setNumThreads", Napi::Function::New(env, SetNumThreads, "setNumThreads"));
  exports.Set("getNumThreads", Napi::Function::New(env, GetNumThreads, "getNumThreads"));
  exports.Set("setGradEnabled", Napi::Function::New(env, SetGradEnabled, "setGradEnabled"));
  exports.Set("isGradEnabled", Napi::Function::New(env, IsGradEnabled, "isGradEnabled"));
  exports.Set("config", Napi::Function::New(env, Config, "config"));
  exports.Set("live", Napi::Function::New(env, Live, "live"));
  exports.Set("tuneAllocator", Napi::Function::New(env, TuneAllocator, "tuneAllocator"));
}

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  auto* st = new AddonState();
  env.SetInstanceData<AddonState>(st);
  InitTensors(env, exports);
  InitOps(env, exports);
  InitGlobals(env, exports);
  return exports;
}

}  // namespace karakuri

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return karakuri::Init(env, exports); }
NODE_API_MODULE(karakuri_torch, InitModule)
