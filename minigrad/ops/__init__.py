"""The primitive ops: each forward and its backward side by side, on raw arrays. One module per family.

Conventions (see engine.Function):
- ``forward(ctx, *inputs, **params)`` gets arrays (or Python numbers) and returns one array, or a tuple of arrays
  for an op with several outputs (split, unbind).
- ``backward(ctx, grad)`` gets dL/d(output) and returns dL/d(input) for each input, in order; None where an input
  needs no gradient. A gradient may keep the output's broadcast shape: the engine sums it back to the input's
  shape (engine.unbroadcast), so no op repeats that logic.
- Array functions come from ``ctx.xp`` (numpy or cupy, whichever the inputs live on).

Everything else (mean, min, chunk, the losses, dropout, ...) is composed from these in the Tensor's methods
(tensor_math.py, tensor_shape.py) and in nn.functional, and gets its gradient for free. A new primitive needs a
reason (speed, one node instead of many), written beside it.
"""

from .elementwise import (Abs, Acos, Add, Asin, Atan, Atan2, Binary, Clamp, Cos, Cosh, Div, Erf, Exp, Expm1,
                          FloorDivide, Fmod, Log, Log1p, Log2, Log10, LogAddExp, LogSigmoid, Maximum, Mul, Neg, Pow,
                          Reciprocal, Relu, Remainder, Rounding, Rsqrt, Sigmoid, Sin, Sinh, Sqrt, Sub, Tan, Tanh, To,
                          Unary, Where)
from .index import Gather, GetItem, IndexAdd, SetItem, StridedView, along_axis
from .linalg import Einsum, Linear, MatMul
from .reduce import Cumsum, LogSoftmax, Max, Softmax, Sum
from .shape import BroadcastTo, Cat, Clone, Permute, Reshape, Split, Stack, Unbind
