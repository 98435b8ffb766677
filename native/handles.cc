// The handle table and the per-tensor functions JS calls with a handle: metadata, data export, autograd state,
// backward, free. Each checks the handle first, so a disposed tensor gives a clear Error, never a crash.
#include "common.h"
#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/autograd/function.h>
#include <cmath>
#include <cstring>

namespace karakuri {

static constexpr int64_t kReportBytes = 1 << 20;  // tell V8 about external memory in steps of 1 MiB

bool HandleTable::Decode(double id, uint32_t& slot, uint32_t& gen) {
  if (!(id >= 0) || id != std::floor(id) || id > 9007199254740991.0) return false;
  double g = std::floor(id / kSlots);
  slot = static_cast<uint32_t>(id - g * kSlots);
  gen = static_cast<uint32_t>(g);
  return gen > 0;  // generation 0 is never issued, so small plain numbers are never valid handles
}

void HandleTable::Account(Napi::Env env, int64_t delta) {
  bytes_ += delta;
  unreported_ += delta;
  if (unreported_ >= kReportBytes || unreported_ <= -kReportBytes) {
    Napi::MemoryManagement::AdjustExternalMemory(env, unreported_);
    unreported_ = 0;
  }
}

double HandleTable::Put(Napi::Env env, at::Tensor t) {
  uint32_t slot;
  if (!free_.empty()) {
    slot = free_.back();
    free_.pop_back();
  } else {
    if (tensors_.size() >= static_cast<size_t>(kSlots)) throw Napi::Error::New(env, "too many live tensors (4,194,304): dispose tensors you no longer need");
    slot = static_cast<uint32_t>(tensors_.size());
    tensors_.emplace_back();
    gens_.push_back(0);
    nbytes_.push_back(0);
  }
  gens_[slot] = gens_[slot] % 0x7fffffffu + 1;
  int64_t nb = (t.defined() && t.has_storage()) ? static_cast<int64_t>(t.storage().nbytes()) : 0;
  tensors_[slot] = std::move(t);
  nbytes_[slot] = nb;
  live_++;
  Account(env, nb);
  return static_cast<double>(gens_[slot]) * kSlots + slot;
}

void HandleTable::Free(Napi::Env env, double id) {
  uint32_t slot, gen;
  if (!Decode(id, slot, gen) || slot >= tensors_.size() || gens_[slot] != gen || !tensors_[slot].defined()) return;  // freeing twice is fine
  tensors_[slot] = at::Tensor();
  live_--;
  Account(env, -nbytes_[slot]);
  nbytes_[slot] = 0;
  free_.push_back(slot);
}

namespace {

const at::Tensor& Arg(const Napi::CallbackInfo& info, size_t i, const char* fn) {
  Napi::Env env = info.Env();
  if (info.Length() <= i || !info[i].IsNumber()) throw Napi::TypeError::New(env, std::string(fn) + ": expected a Tensor");
  return State(env).handles.Get(env, info[i].As<Napi::Number>().DoubleValue(), [&] { return std::string(fn); });
}

Napi::Array IntArray(Napi::Env env, at::IntArrayRef a) {
  Napi::Array out = Napi::Array::New(env, a.size());
  for (size_t i = 0; i < a.size(); i++) out.Set(static_cast<uint32_t>(i), Napi::Number::New(env, static_cast<double>(a[i])));
  return out;
}

Napi::Value Free(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() >= 1 && info[0].IsNumber()) State(env).handles.Free(env, info[0].As<Napi::Number>().DoubleValue());
  return env.Undefined();
}

Napi::Value IsLive(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  try {
    Arg(info, 0, "isLive");
    return Napi::Boolean::New(env, true);
  } catch (const Napi::Error&) {
    return Napi::Boolean::New(env, false);
  }
}

Napi::Value Shape(const Napi::CallbackInfo& info) { return IntArray(info.Env(), Arg(info, 0, "shape").sizes()); }
Napi::Value Strides(const Napi::CallbackInfo& info) { return IntArray(info.Env(), Arg(info, 0, "strides").strides()); }
Napi::Value Dtype(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<int>(Arg(info, 0, "dtype").scalar_type()));
}
Napi::Value Device(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), Arg(info, 0, "device").device().str()); }
Napi::Value Numel(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(Arg(info, 0, "numel").numel()));
}
Napi::Value IsContiguous(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), Arg(info, 0, "isContiguous").is_contiguous());
}

Napi::Value Item(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const at::Tensor& t = Arg(info, 0, "item");
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

// Copies the elements (row-major, contiguous, on the CPU) into an ArrayBuffer: one copy, the only safe one,
// since JS may keep the buffer after the tensor is freed. toBuffer(t, dest) fills `dest` (exactly the tensor's
// byte size), which JS allocates with `new ArrayBuffer(n)`: that throws a RangeError when memory runs out, where
// Napi::ArrayBuffer::New (v8::ArrayBuffer::New) aborts the whole process ("FATAL ERROR: v8::ArrayBuffer::New
// Allocation failed").
Napi::Value ToBuffer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const at::Tensor& t = Arg(info, 0, "toBuffer");
  bool hasDest = info.Length() >= 2 && !info[1].IsUndefined() && !info[1].IsNull();
  if (hasDest && !info[1].IsArrayBuffer()) throw Napi::TypeError::New(env, "toBuffer: dest must be an ArrayBuffer");
  return Guard(env, [&]() -> Napi::Value {
    at::Tensor c = t.detach();
    if (!c.device().is_cpu()) c = c.to(at::kCPU);
    c = c.contiguous();
    size_t n = static_cast<size_t>(c.numel() * c.element_size());
    Napi::ArrayBuffer buf;
    if (hasDest) {
      buf = info[1].As<Napi::ArrayBuffer>();
      if (buf.ByteLength() != n) {
        throw Napi::RangeError::New(env, "toBuffer: dest has " + std::to_string(buf.ByteLength()) + " bytes but the tensor has " + std::to_string(n));
      }
    } else {
      buf = Napi::ArrayBuffer::New(env, n);
    }
    if (n > 0) std::memcpy(buf.Data(), c.data_ptr(), n);
    return buf;
  });
}

Napi::Value RequiresGrad(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), Arg(info, 0, "requiresGrad").requires_grad());
}

Napi::Value SetRequiresGrad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const at::Tensor& t = Arg(info, 0, "requiresGrad_");
  if (info.Length() < 2 || !info[1].IsBoolean()) throw Napi::TypeError::New(env, "requiresGrad_: expected a boolean");
  Guard(env, [&] { const_cast<at::Tensor&>(t).set_requires_grad(info[1].As<Napi::Boolean>().Value()); });
  return env.Undefined();
}

Napi::Value Grad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  at::Tensor g = Arg(info, 0, "grad").grad();
  if (!g.defined()) return env.Null();
  return Napi::Number::New(env, State(env).handles.Put(env, g));
}

Napi::Value SetGrad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const at::Tensor& t = Arg(info, 0, "setGrad");
  Guard(env, [&] {
    if (info.Length() < 2 || info[1].IsNull() || info[1].IsUndefined()) {
      const_cast<at::Tensor&>(t).mutable_grad() = at::Tensor();
      return;
    }
    const at::Tensor& g = Arg(info, 1, "setGrad gradient");
    if (g.sizes() != t.sizes()) {
      throw Napi::Error::New(env, "setGrad: gradient shape " + c10::str(g.sizes()) + " does not match tensor shape " + c10::str(t.sizes()));
    }
    if (g.scalar_type() != t.scalar_type()) {
      throw Napi::Error::New(env, std::string("setGrad: gradient dtype ") + c10::toString(g.scalar_type()) +
                                      " does not match tensor dtype " + c10::toString(t.scalar_type()));
    }
    const_cast<at::Tensor&>(t).mutable_grad() = g.detach();
  });
  return env.Undefined();
}

// backward(id, gradient?: id|null, retainGraph?: boolean, createGraph?: boolean)
Napi::Value Backward(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const at::Tensor& t = Arg(info, 0, "backward");
  Guard(env, [&] {
    std::vector<at::Tensor> grads;
    if (info.Length() >= 2 && !info[1].IsNull() && !info[1].IsUndefined()) {
      grads.push_back(Arg(info, 1, "backward gradient"));
    } else if (t.numel() != 1) {
      throw Napi::Error::New(env, "backward: grad can be implicitly created only for scalar outputs; this tensor has shape " + c10::str(t.sizes()));
    }
    c10::optional<bool> retain;
    if (info.Length() >= 3 && info[2].IsBoolean()) retain = info[2].As<Napi::Boolean>().Value();
    bool create = info.Length() >= 4 && info[3].IsBoolean() && info[3].As<Napi::Boolean>().Value();
    torch::autograd::backward({t}, grads, retain, create);
  });
  return env.Undefined();
}

Napi::Value IsLeaf(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), Arg(info, 0, "isLeaf").is_leaf()); }

Napi::Value GradFn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto fn = Arg(info, 0, "gradFn").grad_fn();
  if (!fn) return env.Null();
  return Napi::String::New(env, fn->name());
}

}  // namespace

void InitTensors(Napi::Env env, Napi::Object exports) {
  const std::pair<const char*, Napi::Value (*)(const Napi::CallbackInfo&)> fns[] = {
    {"free", Free}, {"isLive", IsLive}, {"shape", Shape}, {"strides", Strides}, {"dtype", Dtype}, {"device", Device},
    {"numel", Numel}, {"isContiguous", IsContiguous}, {"item", Item}, {"toBuffer", ToBuffer},
    {"requiresGrad", RequiresGrad}, {"setRequiresGrad", SetRequiresGrad}, {"grad", Grad}, {"setGrad", SetGrad},
    {"backward", Backward}, {"isLeaf", IsLeaf}, {"gradFn", GradFn},
  };
  for (const auto& [name, fn] : fns) exports.Set(name, Napi::Function::New(env, fn, name));
}

}  // namespace karakuri
