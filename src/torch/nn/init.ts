// Parameter initialisers with PyTorch's defaults: kaiming-uniform (a = sqrt(5)) for weights, uniform(+-1/sqrt(fan_in))
// for biases, xavier-uniform, normal. All draw from libtorch's generator with the bounds computed in PyTorch's order of
// floating-point operations, so after manualSeed(s) a module holds bit for bit what PyTorch 1.13 gives after
// torch.manual_seed(s) (see init.test.ts).
import { Tensor } from '../tensor.ts';
import { empty, zeros, ones } from '../ops/creation.ts';
import { uniform_, normal_ } from '../ops/random.ts';

/** fan_in and fan_out of a weight of shape [out, in, ...kernel]. */
export function fans(shape: number[]): { fanIn: number; fanOut: number } {
  const receptive = shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: (shape[1] ?? 1) * receptive, fanOut: (shape[0] ?? 1) * receptive };
}

export function uniform(shape: number[], bound: number): Tensor {
  return uniform_(empty(shape), -bound, bound);
}
/** PyTorch's default for Linear/Conv weights: kaiming_uniform_(a=sqrt(5)) = U(+-1/sqrt(fan_in)). */
export function kaimingUniform(shape: number[]): Tensor {
  const { fanIn } = fans(shape);
  const gain = Math.sqrt(2 / (1 + 5)); // torch.nn.init.calculate_gain('leaky_relu', sqrt(5))
  const std = gain / Math.sqrt(fanIn);
  return uniform(shape, Math.sqrt(3) * std);
}
/** PyTorch's default for Linear/Conv biases: U(+-1/sqrt(fan_in)). */
export function biasUniform(n: number, fanIn: number): Tensor {
  return uniform([n], fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0);
}
export function xavierUniform(shape: number[], gain = 1): Tensor {
  const { fanIn, fanOut } = fans(shape);
  const std = gain * Math.sqrt(2 / (fanIn + fanOut));
  return uniform(shape, Math.sqrt(3) * std);
}
export function normal(shape: number[], std = 1): Tensor {
  return normal_(empty(shape), 0, std);
}
export { zeros, ones };
