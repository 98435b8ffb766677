// Conversions between JS values and libtorch's boxed values (c10::IValue), driven by an op's schema: each JS
// argument is checked against the declared type and a wrong one is reported with the op, argument name and
// position, before libtorch sees it.
#include "common.h"
#include <cmath>

namespace karakuri {

static std::string Describe(const Napi::Value& v) {
  if (v.IsNull()) return "null";
  if (v.IsUndefined()) return "undefined";
  if (v.IsBoolean()) return "boolean";
  if (v.IsNumber()) return "number " + std::to_string(v.As<Napi::Number>().DoubleValue());
  if (v.IsString()) return "string '" + v.As<Napi::String>().Utf8Value() + "'";
  if (v.IsArray()) return "array";
  if (v.IsBigInt()) return "bigint";
  return "object";
}

// Names an argument in error messages; formatted only when an error is thrown (the hot path builds no strings).
struct ArgContext {
  const std::string* op;
  const c10::Argument* arg;  // null: `op` is the whole description
  size_t pos;
  int64_t index;  // element of a list argument, or -1
  std::string str() const {
    std::string s = arg ? *op + ": argument '" + arg->name() + "' (position " + std::to_string(pos) + ")" : *op;
    if (index >= 0) s += "[" + std::to_string(index) + "]";
    return s;
  }
};
static std::string operator+(const ArgContext& c, const char* tail) { return c.str() + tail; }
static std::string operator+(const ArgContext& c, const std::string& tail) { return c.str() + tail; }

at::ScalarType DtypeFromCode(Napi::Env env, int64_t code) {
  switch (code) {
    case static_cast<int>(at::kByte): case static_cast<int>(at::kChar): case static_cast<int>(at::kShort):
    case static_cast<int>(at::kInt): case static_cast<int>(at::kLong): case static_cast<int>(at::kHalf):
    case static_cast<int>(at::kFloat): case static_cast<int>(at::kDouble): case static_cast<int>(at::kBool):
    case static_cast<int>(at::kBFloat16):
      return static_cast<at::ScalarType>(code);
    default:
      throw Napi::TypeError::New(env, "unsupported dtype code " + std::to_string(code));
  }
}

static int64_t ToInt(Napi::Env env, const Napi::Value& v, const ArgContext& what) {
  if (v.IsBigInt()) {
    bool lossless = false;
    int64_t x = v.As<Napi::BigInt>().Int64Value(&lossless);
    if (!lossless) throw Napi::RangeError::New(env, what + ": bigint out of int64 range");
    return x;
  }
  if (v.IsBoolean()) return v.As<Napi::Boolean>().Value() ? 1 : 0;
  if (!v.IsNumber()) throw Napi::TypeError::New(env, what + ": expected an integer, got " + Describe(v));
  double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || std::floor(d) != d || std::fabs(d) > 9007199254740991.0) {
    throw Napi::TypeError::New(env, what + ": expected an integer, got " + Describe(v));
  }
  return static_cast<int64_t>(d);
}

std::vector<int64_t> ToIntVector(Napi::Env env, const Napi::Value& v, const std::string& what) {
  std::vector<int64_t> out;
  if (!v.IsArray()) throw Napi::TypeError::New(env, what + ": expected an array of integers, got " + Describe(v));
  Napi::Array a = v.As<Napi::Array>();
  out.reserve(a.Length());
  for (uint32_t i = 0; i < a.Length(); i++) out.push_back(ToInt(env, a.Get(i), ArgContext{&what, nullptr, 0, static_cast<int64_t>(i)}));
  return out;
}

static double ToDouble(Napi::Env env, const Napi::Value& v, const ArgContext& what) {
  if (!v.IsNumber()) throw Napi::TypeError::New(env, what + ": expected a number, got " + Describe(v));
  return v.As<Napi::Number>().DoubleValue();
}

static bool ToBool(Napi::Env env, const Napi::Value& v, const ArgContext& what) {
  if (!v.IsBoolean()) throw Napi::TypeError::New(env, what + ": expected a boolean, got " + Describe(v));
  return v.As<Napi::Boolean>().Value();
}

static c10::Scalar ToScalar(Napi::Env env, const Napi::Value& v, const ArgContext& what) {
  if (v.IsBoolean()) return c10::Scalar(v.As<Napi::Boolean>().Value());
  if (v.IsBigInt()) return c10::Scalar(ToInt(env, v, what));
  if (!v.IsNumber()) throw Napi::TypeError::New(env, what + ": expected a number, got " + Describe(v));
  double d = v.As<Napi::Number>().DoubleValue();
  // Integral JS numbers become integer scalars (as Python ints do), so int tensors stay int.
  if (std::isfinite(d) && std::floor(d) == d && std::fabs(d) <= 9007199254740991.0) return c10::Scalar(static_cast<int64_t>(d));
  return c10::Scalar(d);
}

// The live tensor behind a JS handle, with errors naming the argument.
static const at::Tensor& TensorArg(Napi::Env env, const Napi::Value& v, const ArgContext& what) {
  if (!v.IsNumber()) throw Napi::TypeError::New(env, what + ": expected a Tensor, got " + Describe(v));
  return State(env).handles.Get(env, v.As<Napi::Number>().DoubleValue(), [&] { return what.str(); });
}

static c10::IValue ToTyped(Napi::Env env, const Napi::Value& v, const c10::TypePtr& type, const ArgContext& what,
                           c10::optional<int32_t> fixedLen) {
  switch (type->kind()) {
    case c10::TypeKind::TensorType:
      return TensorArg(env, v, what);
    case c10::TypeKind::OptionalType:
      if (v.IsNull() || v.IsUndefined()) return c10::IValue();
      return ToTyped(env, v, type->containedType(0), what, fixedLen);
    case c10::TypeKind::IntType:
    case c10::TypeKind::ScalarTypeType:
    case c10::TypeKind::LayoutType:
    case c10::TypeKind::MemoryFormatType:
      return ToInt(env, v, what);
    case c10::TypeKind::SymIntType:
      return c10::IValue(c10::SymInt(ToInt(env, v, what)));
    case c10::TypeKind::FloatType:
      return ToDouble(env, v, what);
    case c10::TypeKind::BoolType:
      return ToBool(env, v, what);
    case c10::TypeKind::NumberType:
      return ToScalar(env, v, what);
    case c10::TypeKind::StringType:
      if (!v.IsString()) throw Napi::TypeError::New(env, what + ": expected a string, got " + Describe(v));
      return v.As<Napi::String>().Utf8Value();
    case c10::TypeKind::DeviceObjType:
      if (!v.IsString()) throw Napi::TypeError::New(env, what + ": expected a device string such as 'cpu', got " + Describe(v));
      return c10::Device(v.As<Napi::String>().Utf8Value());
    case c10::TypeKind::GeneratorType:
      if (v.IsNull() || v.IsUndefined()) return c10::IValue();
      throw Napi::TypeError::New(env, what + ": generators are not supported; use manualSeed");
    case c10::TypeKind::ListType: {
      const c10::TypePtr& elem = type->containedType(0);
      // A single int where int[N] is declared repeats it N times, as Python does (kernel_size=3).
      if (!v.IsArray()) {
        if ((elem->kind() == c10::TypeKind::IntType || elem->kind() == c10::TypeKind::SymIntType) && v.IsNumber()) {
          int64_t x = ToInt(env, v, what);
          return c10::List<int64_t>(std::vector<int64_t>(fixedLen.value_or(1), x));
        }
        throw Napi::TypeError::New(env, what + ": expected an array, got " + Describe(v));
      }
      Napi::Array a = v.As<Napi::Array>();
      uint32_t n = a.Length();
      auto item = [&](uint32_t i) { return ArgContext{what.op, what.arg, what.pos, static_cast<int64_t>(i)}; };
      switch (elem->kind()) {
        case c10::TypeKind::TensorType: {
          c10::List<at::Tensor> out; out.reserve(n);
          for (uint32_t i = 0; i < n; i++) out.push_back(TensorArg(env, a.Get(i), item(i)));
          return out;
        }
        case c10::TypeKind::OptionalType: {
          if (elem->containedType(0)->kind() != c10::TypeKind::TensorType) break;
          c10::List<c10::optional<at::Tensor>> out; out.reserve(n);
          for (uint32_t i = 0; i < n; i++) {
            Napi::Value e = a.Get(i);
            if (e.IsNull() || e.IsUndefined()) out.push_back(c10::nullopt);
            else out.push_back(TensorArg(env, e, item(i)));
          }
          return out;
        }
        case c10::TypeKind::IntType:
        case c10::TypeKind::SymIntType: {
          c10::List<int64_t> out; out.reserve(n);
          for (uint32_t i = 0; i < n; i++) out.push_back(ToInt(env, a.Get(i), item(i)));
          return out;
        }
        case c10::TypeKind::FloatType: {
          c10::List<double> out; out.reserve(n);
          for (uint32_t i = 0; i < n; i++) out.push_back(ToDouble(env, a.Get(i), item(i)));
          return out;
        }
        case c10::TypeKind::BoolType: {
          c10::List<bool> out; out.reserve(n);
          for (uint32_t i = 0; i < n; i++) out.push_back(ToBool(env, a.Get(i), item(i)));
          return out;
        }
        case c10::TypeKind::NumberType: {
          c10::impl::GenericList out(c10::NumberType::get()); out.reserve(n);
          for (uint32_t i = 0; i < n; i++) out.push_back(c10::IValue(ToScalar(env, a.Get(i), item(i))));
          return out;
        }
        default:
          break;
      }
      throw Napi::TypeError::New(env, what + ": list type " + type->str() + " is not supported by the binding");
    }
    default:
      throw Napi::TypeError::New(env, what + ": argument type " + type->str() + " is not supported by the binding");
  }
}

c10::IValue ToIValue(Napi::Env env, const Napi::Value& v, const c10::Argument& arg, const std::string& opName, size_t pos) {
  return ToTyped(env, v, arg.type(), ArgContext{&opName, &arg, pos, -1}, arg.N());
}

Napi::Value FromIValue(Napi::Env env, const c10::IValue& v) {
  if (v.isTensor()) {
    const at::Tensor& t = v.toTensor();
    if (!t.defined()) return env.Null();
    return Napi::Number::New(env, State(env).handles.Put(env, t));
  }
  if (v.isNone()) return env.Null();
  if (v.isBool()) return Napi::Boolean::New(env, v.toBool());
  if (v.isInt()) return Napi::Number::New(env, static_cast<double>(v.toInt()));
  if (v.isDouble()) return Napi::Number::New(env, v.toDouble());
  if (v.isTensorList()) {
    auto list = v.toTensorList();
    Napi::Array out = Napi::Array::New(env, list.size());
    for (size_t i = 0; i < list.size(); i++) out.Set(static_cast<uint32_t>(i), FromIValue(env, list.get(i)));
    return out;
  }
  if (v.isTuple()) {
    const auto& elems = v.toTupleRef().elements();
    Napi::Array out = Napi::Array::New(env, elems.size());
    for (size_t i = 0; i < elems.size(); i++) out.Set(static_cast<uint32_t>(i), FromIValue(env, elems[i]));
    return out;
  }
  if (v.isIntList()) {
    auto list = v.toIntVector();
    Napi::Array out = Napi::Array::New(env, list.size());
    for (size_t i = 0; i < list.size(); i++) out.Set(static_cast<uint32_t>(i), Napi::Number::New(env, static_cast<double>(list[i])));
    return out;
  }
  if (v.isList()) {
    auto list = v.toListRef();
    Napi::Array out = Napi::Array::New(env, list.size());
    for (size_t i = 0; i < list.size(); i++) out.Set(static_cast<uint32_t>(i), FromIValue(env, list[i]));
    return out;
  }
  if (v.isScalar()) {
    at::Scalar s = v.toScalar();
    if (s.isBoolean()) return Napi::Boolean::New(env, s.toBool());
    if (s.isIntegral(false)) return Napi::Number::New(env, static_cast<double>(s.toLong()));
    return Napi::Number::New(env, s.toDouble());
  }
  if (v.isString()) return Napi::String::New(env, v.toStringRef());
  throw Napi::TypeError::New(env, "op returned a value of type " + v.tagKind() + " that the binding cannot convert");
}

}  // namespace karakuri
