// Shared declarations of the Karakuri libtorch addon: the tensor wrapper, per-environment state and the
// guard that turns every C++ exception (c10::Error included) into a JavaScript Error with libtorch's message.
#pragma once
#include <napi.h>
#include <ATen/ATen.h>
#include <ATen/core/dispatch/Dispatcher.h>
#include <ATen/core/function_schema.h>
#include <string>
#include <vector>

namespace karakuri {

// One JS object per handle on a libtorch tensor. Freed deterministically by dispose(), or by the GC finalizer.
class TensorWrap : public Napi::ObjectWrap<TensorWrap> {
 public:
  static Napi::Function Define(Napi::Env env);
  static Napi::Object Wrap(Napi::Env env, at::Tensor t);
  static bool Is(Napi::Env env, const Napi::Value& v);
  // The tensor behind a JS value; throws a JS TypeError naming `what` when it is not a live tensor.
  static const at::Tensor& FromValue(Napi::Env env, const Napi::Value& v, const std::string& what);

  explicit TensorWrap(const Napi::CallbackInfo& info);
  ~TensorWrap() override;
  const at::Tensor& tensor(const std::string& what) const;

 private:
  void Release(Napi::Env env);
  Napi::Value Dispose(const Napi::CallbackInfo& info);
  Napi::Value IsDisposed(const Napi::CallbackInfo& info);
  Napi::Value Shape(const Napi::CallbackInfo& info);
  Napi::Value Dtype(const Napi::CallbackInfo& info);
  Napi::Value Device(const Napi::CallbackInfo& info);
  Napi::Value Numel(const Napi::CallbackInfo& info);
  Napi::Value Item(const Napi::CallbackInfo& info);
  Napi::Value ToBuffer(const Napi::CallbackInfo& info);
  Napi::Value RequiresGrad(const Napi::CallbackInfo& info);
  Napi::Value SetRequiresGrad(const Napi::CallbackInfo& info);
  Napi::Value Grad(const Napi::CallbackInfo& info);
  Napi::Value SetGrad(const Napi::CallbackInfo& info);
  Napi::Value Backward(const Napi::CallbackInfo& info);
  Napi::Value IsLeaf(const Napi::CallbackInfo& info);
  Napi::Value GradFn(const Napi::CallbackInfo& info);
  Napi::Value Strides(const Napi::CallbackInfo& info);
  Napi::Value IsContiguous(const Napi::CallbackInfo& info);
  Napi::Value Nbytes(const Napi::CallbackInfo& info);

  at::Tensor t_;
  bool live_ = false;
  int64_t accounted_ = 0;  // bytes reported to V8 as external memory
};

// Per-environment (main thread or worker) state, kept as the addon's instance data.
struct AddonState {
  Napi::FunctionReference tensorCtor;
  std::vector<c10::OperatorHandle> ops;  // op handles looked up by name, indexed by the id given to JS
  int64_t liveTensors = 0;
  int64_t liveBytes = 0;
};
AddonState& State(Napi::Env env);

// Converting between JS values and libtorch values.
at::ScalarType DtypeFromCode(Napi::Env env, int64_t code);
c10::IValue ToIValue(Napi::Env env, const Napi::Value& v, const c10::Argument& arg, const std::string& opName, size_t pos);
Napi::Value FromIValue(Napi::Env env, const c10::IValue& v);
std::vector<int64_t> ToIntVector(Napi::Env env, const Napi::Value& v, const std::string& what);

// Module sections.
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
