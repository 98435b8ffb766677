// Shared declarations of the Karakuri libtorch addon: the handle table that owns tensors, per-environment state,
// conversions, and the guard that turns every C++ exception (c10::Error included) into a JS Error carrying
// libtorch's message.
//
// Who frees what: every tensor the addon gives to JS lives in the handle table until JS calls free(id) (the
// TypeScript Tensor does so on dispose(), and through a FinalizationRegistry if it is garbage-collected first).
// A handle is a number: slot + generation * 2^22, so a stale handle (freed, slot reused) is detected, never
// mistaken for another tensor.
#pragma once
#include <napi.h>
#include <ATen/ATen.h>
#include <ATen/core/dispatch/Dispatcher.h>
#include <ATen/core/function_schema.h>
#include <string>
#include <vector>

namespace karakuri {

class HandleTable {
 public:
  static constexpr double kSlots = 4194304.0;  // 2^22 live tensors at most
  double Put(Napi::Env env, at::Tensor t);
  // The tensor behind handle `id`; throws a JS Error naming `what()` when it is not a live tensor handle.
  template <typename What>
  const at::Tensor& Get(Napi::Env env, double id, What&& what) {
    uint32_t slot, gen;
    if (!Decode(id, slot, gen)) throw Napi::TypeError::New(env, what() + ": expected a Tensor");
    if (slot >= tensors_.size() || gens_[slot] != gen || !tensors_[slot].defined()) {
      throw Napi::Error::New(env, what() + ": tensor was disposed");
    }
    return tensors_[slot];
  }
  void Free(Napi::Env env, double id);
  int64_t live() const { return live_; }
  int64_t bytes() const { return bytes_; }

 private:
  static bool Decode(double id, uint32_t& slot, uint32_t& gen);
  void Account(Napi::Env env, int64_t delta);
  std::vector<at::Tensor> tensors_;
  std::vector<uint32_t> gens_;
  std::vector<int64_t> nbytes_;
  std::vector<uint32_t> free_;
  int64_t live_ = 0, bytes_ = 0, unreported_ = 0;
};

// Per-environment (main thread or worker) state, kept as the addon's instance data.
struct AddonState {
  HandleTable handles;
  std::vector<c10::OperatorHandle> ops;  // op handles looked up by name, indexed by the id given to JS
};
AddonState& State(Napi::Env env);

// Converting between JS values and libtorch values.
at::ScalarType DtypeFromCode(Napi::Env env, int64_t code);
c10::IValue ToIValue(Napi::Env env, const Napi::Value& v, const c10::Argument& arg, const std::string& opName, size_t pos);
Napi::Value FromIValue(Napi::Env env, const c10::IValue& v);
std::vector<int64_t> ToIntVector(Napi::Env env, const Napi::Value& v, const std::string& what);

// Module sections.
void InitTensors(Napi::Env env, Napi::Object exports);
void InitOps(Napi::Env env, Napi::Object exports);
void InitGlobals(Napi::Env env, Napi::Object exports);

// Runs `fn`, turning C++ exceptions into JS exceptions with libtorch's message (no backtrace).
template <typename F>
auto Guard(Napi::Env env, F&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const Napi::Error&) {
    throw;
  } catch (const c10::Error& e) {
    throw Napi::Error::New(env, e.what_without_backtrace());
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, e.what());
  }
}

}  // namespace karakuri
