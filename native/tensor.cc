// TensorWrap: the JS handle on one libtorch tensor. Owns one reference; dispose() drops it at once and tells V8
// how much external memory went away; the GC finalizer is only the fallback. Every method checks liveness, so a
// disposed tensor gives a clear Error, never a crash.
#include "common.h"
#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/autograd/function.h>
#include <cstring>

namespace karakuri {

static const napi_type_tag kTensorTag = {0x6b6172616b757269ULL, 0x74656e736f720001ULL};  // "karakuri" "tensor"

Napi::Function TensorWrap::Define(Napi::Env env) {
  return DefineClass(env, "NativeTensor", {
    InstanceMethod<&TensorWrap::Dispose>("dispose"),
    InstanceAccessor<&TensorWrap::IsDisposed>("disposed"),
    InstanceMethod<&TensorWrap::Shape>("shape"),
    InstanceMethod<&TensorWrap::Strides>("strides"),
    InstanceMethod<&TensorWrap::Dtype>("dtype"),
    InstanceMethod<&TensorWrap::Device>("device"),
    InstanceMethod<&TensorWrap::Numel>("numel"),
    InstanceMethod<&TensorWrap::Nbytes>("nbytes"),
    InstanceMethod<&TensorWrap::Item>("item"),
    InstanceMethod<&TensorWrap::ToBuffer>("toBuffer"),
    InstanceMethod<&TensorWrap::RequiresGrad>("requiresGrad"),
    InstanceMethod<&TensorWrap::SetRequiresGrad>("setRequiresGrad"),
    InstanceMethod<&TensorWrap::Grad>("grad"),
    InstanceMethod<&TensorWrap::SetGrad>("setGrad"),
    InstanceMethod<&TensorWrap::Backward>("backward"),
    InstanceMethod<&TensorWrap::IsLeaf>("isLeaf"),
    InstanceMethod<&TensorWrap::GradFn>("gradFn"),
    InstanceMethod<&TensorWrap::IsContiguous>("isContiguous"),
  });
}

TensorWrap::TensorWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<TensorWrap>(info) {
  Napi::Env env = info.Env();
  // Only Wrap() may construct: it passes an External holding the tensor.
  if (info.Length() != 1 || !info[0].IsExternal()) {
    throw Napi::TypeError::New(env, "NativeTensor cannot be constructed from JS; use the torch API");
  }
  auto* src = info[0].As<Napi::External<at::Tensor>>().Data();
  t_ = std::move(*src);
  live_ = true;
  info.This().As<Napi::Object>().TypeTag(&kTensorTag);
  AddonState& st = State(env);
  st.liveTensors++;
  if (t_.defined() && t_.has_storage()) {
    accounted_ = static_cast<int64_t>(t_.storage().nbytes());
    st.liveBytes += accounted_;
    if (accounted_ > 0) Napi::MemoryManagement::AdjustExternalMemory(env, accounted_);
  }
}

TensorWrap::~TensorWrap() {
  // GC finalizer path: drop the tensor; the env may be tearing down, so no V8 calls here.
  t_ = at::Tensor();
}

void TensorWrap::Release(Napi::Env env) {
  if (!live_) return;
  live_ = false;
  t_ = at::Tensor();
  AddonState& st = State(env);
  st.liveTensors--;
  st.liveBytes -= accounted_;
  if (accounted_ > 0) Napi::MemoryManagement::AdjustExternalMemory(env, -accounted_);
  accounted_ = 0;
}

Napi::Object TensorWrap::Wrap(Napi::Env env, at::Tensor t) {
  at::Tensor tmp = std::move(t);
  return State(env).tensorCtor.New({Napi::External<at::Tensor>::New(env, &tmp)});
}

bool TensorWrap::Is(Napi::Env env, const Napi::Value& v) {
  return v.IsObject() && v.As<Napi::Object>().CheckTypeTag(&kTensorTag);
}

const at::Tensor& TensorWrap::FromValue(Napi::Env env, const Napi::Value& v, const std::string& what) {
  if (!Is(env, v)) throw Napi::TypeError::New(env, what + ": expected a Tensor");
  return Napi::ObjectWrap<TensorWrap>::Unwrap(v.As<Napi::Object>())->tensor(what);
}

const at::Tensor& TensorWrap::tensor(const std::string& what) const {
  if (!live_) throw Napi::Error::New(Env(), what + ": tensor was disposed");
  return t_;
}

Napi::Value TensorWrap::Dispose(const Napi::CallbackInfo& info) {
  Release(info.Env());
  return info.Env().Undefined();
}

Napi::Value TensorWrap::IsDisposed(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), !live_); }

static Napi::Array IntArray(Napi::Env env, at::IntArrayRef a) {
  Napi::Array out = Napi::Array::New(env, a.size());
  for (size_t i = 0; i < a.size(); i++) out.Set(static_cast<uint32_t>(i), Napi::Number::New(env, static_cast<double>(a[i])));
  return out;
}

Napi::Value TensorWrap::Shape(const Napi::CallbackInfo& info) { return IntArray(info.Env(), tensor("shape").sizes()); }
Napi::Value TensorWrap::Strides(const Napi::CallbackInfo& info) { return IntArray(info.Env(), tensor("strides").strides()); }
Napi::Value TensorWrap::Dtype(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<int>(tensor("dtype").scalar_type()));
}
Napi::Value TensorWrap::Device(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), tensor("device").device().str());
}
Napi::Value TensorWrap::Numel(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(tensor("numel").numel()));
}
Napi::Value TensorWrap::Nbytes(const Napi::CallbackInfo& info) {
  const at::Tensor& t = tensor("nbytes");
  return Napi::Number::New(info.Env(), static_cast<double>(t.numel() * t.element_size()));
}
Napi::Value TensorWrap::IsContiguous(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), tensor("isContiguous").is_contiguous());
}

Napi::Value TensorWrap::Item(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const at::Tensor& t = tensor("item");
  return Guard(env, [&]() -> Napi::Value {
    if (t.numel() != 1) {
      throw Napi::Error::New(env, "item: a Tensor with " + std::to_string(t.numel()) +
                                      " elements cannot be converted to a number (needs exactly 1)");
    }
    at::Scalar s = t.item();
    if (s.isBoolean()) return Napi::Boolean::New(env, s.toBool());
    if (s.isIntegral(false)) return Napi::Number::New(env, static_cast<double>(s.toLong()));
    return Napi::Number::New(env, s.toDouble());
  });
}

// Copies the elements (row-major, contiguous, on the CPU) into a new ArrayBuffer: one copy, the only safe one,
// since JS may keep the buffer after the tensor is disposed.
Napi::Value TensorWrap::ToBuffer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const at::Tensor& t = tensor("toBuffer");
  return Guard(env, [&]() -> Napi::Value {
    at::Tensor c = t.detach();
    if (!c.device().is_cpu()) c = c.to(at::kCPU);
    c = c.contiguous();
    size_t n = static_cast<size_t>(c.numel() * c.element_size());
    Napi::ArrayBuffer buf = Napi::ArrayBuffer::New(env, n);
    if (n > 0) std::memcpy(buf.Data(), c.data_ptr(), n);
    return buf;
  });
}

Napi::Value TensorWrap::RequiresGrad(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), tensor("requiresGrad").requires_grad());
}

Napi::Value TensorWrap::SetRequiresGrad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const at::Tensor& t = tensor("requiresGrad_");
  if (info.Length() < 1 || !info[0].IsBoolean()) throw Napi::TypeError::New(env, "requiresGrad_: expected a boolean");
  Guard(env, [&] { const_cast<at::Tensor&>(t).set_requires_grad(info[0].As<Napi::Boolean>().Value()); });
  return env.Undefined();
}

Napi::Value TensorWrap::Grad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const at::Tensor& t = tensor("grad");
  at::Tensor g = t.grad();
  if (!g.defined()) return env.Null();
  return Wrap(env, g);
}

Napi::Value TensorWrap::SetGrad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const at::Tensor& t = tensor("setGrad");
  Guard(env, [&] {
    if (info.Length() < 1 || info[0].IsNull() || info[0].IsUndefined()) {
      const_cast<at::Tensor&>(t).mutable_grad() = at::Tensor();
    } else {
      const at::Tensor& g = FromValue(env, info[0], "setGrad");
      if (g.sizes() != t.sizes()) {
        throw Napi::Error::New(env, "setGrad: gradient shape " + c10::str(g.sizes()) + " does not match tensor shape " + c10::str(t.sizes()));
      }
      const_cast<at::Tensor&>(t).mutable_grad() = g.detach();
    }
  });
  return env.Undefined();
}

// backward(gradient?: Tensor|null, retainGraph?: boolean, createGraph?: boolean)
Napi::Value TensorWrap::Backward(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const at::Tensor& t = tensor("backward");
  Guard(env, [&] {
    std::vector<at::Tensor> grads;
    if (info.Length() >= 1 && !info[0].IsNull() && !info[0].IsUndefined()) {
      grads.push_back(FromValue(env, info[0], "backward gradient"));
    } else if (t.numel() != 1) {
      throw Napi::Error::New(env, "backward: grad can be implicitly created only for scalar outputs; this tensor has shape " + c10::str(t.sizes()));
    }
    c10::optional<bool> retain;
    if (info.Length() >= 2 && info[1].IsBoolean()) retain = info[1].As<Napi::Boolean>().Value();
    bool create = info.Length() >= 3 && info[2].IsBoolean() && info[2].As<Napi::Boolean>().Value();
    torch::autograd::backward({t}, grads, retain, create);
  });
  return env.Undefined();
}

Napi::Value TensorWrap::IsLeaf(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), tensor("isLeaf").is_leaf());
}

Napi::Value TensorWrap::GradFn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const at::Tensor& t = tensor("gradFn");
  auto fn = t.grad_fn();
  if (!fn) return env.Null();
  return Napi::String::New(env, fn->name());
}

}  // namespace karakuri
