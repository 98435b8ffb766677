// Generic op calls through libtorch's dispatcher: JS looks an op up once by its schema name ("aten::conv2d",
// overload "") and then calls it by id with positional arguments. The schema drives argument conversion and
// defaults, and the dispatcher routes through autograd, so every aten op is reachable without a hand-written
// wrapper per op (the TypeScript layer gives them names and types).
#include "common.h"
#include <ATen/core/dispatch/Dispatcher.h>
#include <cstring>

namespace karakuri {

static Napi::Object DescribeSchema(Napi::Env env, const c10::FunctionSchema& s) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("schema", Napi::String::New(env, c10::toString(s)));
  Napi::Array args = Napi::Array::New(env, s.arguments().size());
  for (size_t i = 0; i < s.arguments().size(); i++) {
    const c10::Argument& a = s.arguments()[i];
    Napi::Object d = Napi::Object::New(env);
    d.Set("name", a.name());
    d.Set("type", a.type()->str());
    d.Set("hasDefault", a.default_value().has_value());
    d.Set("kwargOnly", a.kwarg_only());
    args.Set(static_cast<uint32_t>(i), d);
  }
  o.Set("arguments", args);
  o.Set("returns", Napi::Number::New(env, static_cast<double>(s.returns().size())));
  return o;
}

// opId(name: string, overload: string) -> { id, schema, arguments, returns }
static Napi::Value OpId(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsString()) {
    throw Napi::TypeError::New(env, "opId(name, overload): expected two strings");
  }
  std::string name = info[0].As<Napi::String>().Utf8Value();
  std::string overload = info[1].As<Napi::String>().Utf8Value();
  auto handle = c10::Dispatcher::singleton().findSchema({name, overload});
  if (!handle) {
    throw Napi::Error::New(env, "unknown op " + name + (overload.empty() ? "" : "." + overload) + " in this libtorch");
  }
  AddonState& st = State(env);
  st.ops.push_back(*handle);
  Napi::Object d = DescribeSchema(env, handle->schema());
  d.Set("id", Napi::Number::New(env, static_cast<double>(st.ops.size() - 1)));
  return d;
}

// call(id: number, args: unknown[]) -> Tensor | Tensor[] | number | boolean | null
// Missing or undefined trailing arguments take the schema's defaults (optional ones default to None).
static Napi::Value Call(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  AddonState& st = State(env);
  if (info.Length() < 2 || !info[0].IsNumber() || !info[1].IsArray()) {
    throw Napi::TypeError::New(env, "call(id, args): expected an op id and an array of arguments");
  }
  uint32_t id = info[0].As<Napi::Number>().Uint32Value();
  if (id >= st.ops.size()) throw Napi::RangeError::New(env, "call: unknown op id " + std::to_string(id));
  const c10::OperatorHandle& op = st.ops[id];
  const c10::FunctionSchema& schema = op.schema();
  const auto& formal = schema.arguments();
  Napi::Array args = info[1].As<Napi::Array>();
  uint32_t given = args.Length();
  if (given > formal.size()) {
    throw Napi::TypeError::New(env, schema.name() + ": expected at most " + std::to_string(formal.size()) +
                                        " arguments, got " + std::to_string(given) + " (schema: " + c10::toString(schema) + ")");
  }
  return Guard(env, [&]() -> Napi::Value {
    torch::jit::Stack stack;
    stack.reserve(formal.size());
    for (size_t i = 0; i < formal.size(); i++) {
      Napi::Value v = i < given ? args.Get(static_cast<uint32_t>(i)) : env.Undefined();
      if (v.IsUndefined()) {
        const c10::Argument& a = formal[i];
        if (a.default_value()) { stack.push_back(*a.default_value()); continue; }
        if (a.type()->kind() == c10::TypeKind::OptionalType) { stack.emplace_back(); continue; }
        throw Napi::TypeError::New(env, schema.name() + ": missing required argument '" + a.name() + "' (position " +
                                            std::to_string(i) + ")");
      }
      stack.push_back(ToIValue(env, v, formal[i], schema.name(), i));
    }
    op.callBoxed(&stack);
    if (stack.size() == 1) return FromIValue(env, stack[0]);
    if (stack.empty()) return env.Undefined();
    Napi::Array out = Napi::Array::New(env, stack.size());
    for (size_t i = 0; i < stack.size(); i++) out.Set(static_cast<uint32_t>(i), FromIValue(env, stack[i]));
    return out;
  });
}

static size_t ElementSize(at::ScalarType t) { return c10::elementSize(t); }

// fromBuffer(data: ArrayBuffer | TypedArray, shape: number[], dtype: number) -> Tensor (one copy of the bytes)
static Napi::Value FromBuffer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3) throw Napi::TypeError::New(env, "fromBuffer(data, shape, dtype): expected 3 arguments");
  const uint8_t* ptr = nullptr;
  size_t len = 0;
  if (info[0].IsTypedArray()) {
    Napi::TypedArray ta = info[0].As<Napi::TypedArray>();
    ptr = static_cast<const uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
    len = ta.ByteLength();
  } else if (info[0].IsArrayBuffer()) {
    Napi::ArrayBuffer ab = info[0].As<Napi::ArrayBuffer>();
    ptr = static_cast<const uint8_t*>(ab.Data());
    len = ab.ByteLength();
  } else {
    throw Napi::TypeError::New(env, "fromBuffer: data must be a TypedArray or ArrayBuffer");
  }
  std::vector<int64_t> shape = ToIntVector(env, info[1], "fromBuffer shape");
  int64_t numel = 1;
  for (size_t i = 0; i < shape.size(); i++) {
    if (shape[i] < 0) throw Napi::RangeError::New(env, "fromBuffer: shape[" + std::to_string(i) + "] is negative");
    numel *= shape[i];
  }
  if (!info[2].IsNumber()) throw Napi::TypeError::New(env, "fromBuffer: dtype must be a dtype code");
  at::ScalarType dtype = DtypeFromCode(env, info[2].As<Napi::Number>().Int64Value());
  size_t need = static_cast<size_t>(numel) * ElementSize(dtype);
  if (need != len) {
    throw Napi::RangeError::New(env, "fromBuffer: shape " + c10::str(at::IntArrayRef(shape)) + " of " +
                                         std::string(c10::toString(dtype)) + " needs " + std::to_string(need) +
                                         " bytes but the data has " + std::to_string(len));
  }
  return Guard(env, [&]() -> Napi::Value {
    at::Tensor t = at::empty(shape, at::TensorOptions().dtype(dtype));
    if (need > 0) std::memcpy(t.data_ptr(), ptr, need);
    return Napi::Number::New(env, State(env).handles.Put(env, std::move(t)));
  });
}

void InitOps(Napi::Env env, Napi::Object exports) {
  exports.Set("opId", Napi::Function::New(env, OpId, "opId"));
  exports.Set("call", Napi::Function::New(env, Call, "call"));
  exports.Set("fromBuffer", Napi::Function::New(env, FromBuffer, "fromBuffer"));
}

}  // namespace karakuri
