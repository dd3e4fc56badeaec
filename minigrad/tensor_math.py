"""Tensor's math: arithmetic with broadcasting, comparisons, elementwise functions and reductions.

A mixin of ``Tensor`` (see tensor_base.py for why it is written apart): each method checks the user's arguments,
with errors that say what was expected and what was got, and calls a primitive op of ``ops/`` — or, for
composites such as ``mean`` or ``min``, other methods, so that they need no backward of their own.
"""

from __future__ import annotations

import numbers

from . import backend, ops, random
from .checks import broadcast_shapes, check_dim, check_floating, is_int, is_number, type_name
from .tensor_base import TensorBase
from .tensor_pointwise import Pointwise, check_kernel, deprecated_scale_first


class Math(Pointwise):
    __slots__ = ()

    # --- arithmetic -------------------------------------------------------------------------------------
    def _binary(self, function, other, op: str, reflected=False, floating=False):
        """``function(self, other)`` (or ``function(other, self)``), after broadcasting checks and torch's type
        promotion: both operands take the dtype of the result (int tensor × 2.5 is the default float, not NumPy's
        float64; float32 × a float64 0-d tensor stays float32). ``floating``: integers give the default float (true
        division, atan2)."""
        a = self
        if not isinstance(other, TensorBase):
            other = operand(other, self, op)
        if function is ops.Sub:
            _refuse_bool_subtraction(self, other, op)
        if isinstance(other, TensorBase):
            if other._array.shape != self._array.shape:
                broadcast_shapes(self.shape, other.shape, op=op)
            if other._array.dtype is not self._array.dtype and other._array.dtype != self._array.dtype:
                a, other = promoted(self, other)
        elif self._array.dtype.kind != "f":
            if backend.category(backend.scalar_dtype(other)) > backend.category(self._array.dtype):
                a = self.to(backend.result_type([self.dtype], scalars=[backend.scalar_dtype(other)]))
            elif type(other) is int and not backend.fits(other, self.dtype):
                other = self._make(self.device.xp.asarray(other).astype(self.dtype))  # wraps around, as in torch
        if floating and a.dtype.kind != "f" and (
                other.dtype if isinstance(other, TensorBase) else backend.scalar_dtype(other)).kind != "f":
            a = a.to(backend.get_default_dtype())
            other = other.to(a.dtype) if isinstance(other, TensorBase) else other
        return self._apply(function, other, a) if reflected else self._apply(function, a, other)

    def __add__(self, other):
        return self._binary(ops.Add, other, "add")

    def __radd__(self, other):
        return self._binary(ops.Add, other, "add", reflected=True)

    def __sub__(self, other):
        return self._binary(ops.Sub, other, "sub")

    def __rsub__(self, other):
        return self._binary(ops.Sub, other, "sub", reflected=True)

    def __mul__(self, other):
        return self._binary(ops.Mul, other, "mul")

    def __rmul__(self, other):
        return self._binary(ops.Mul, other, "mul", reflected=True)

    def __truediv__(self, other):
        return self._binary(ops.Div, other, "div", floating=True)

    def __rtruediv__(self, other):
        return self._binary(ops.Div, other, "div", reflected=True, floating=True)

    true_divide = __truediv__

    def __pow__(self, other):
        return self._binary(ops.Pow, other, "pow")

    def __rpow__(self, other):
        return self._binary(ops.Pow, other, "pow", reflected=True)

    def __neg__(self):
        if self.dtype == backend.bool_:
            raise RuntimeError("neg: negation, the `-` operator, on a bool tensor is not supported; use the `~` or "
                               "logical_not() operator instead")
        return self._apply(ops.Neg, self)

    neg = negative = __neg__

    def add(self, other, *alpha_first, alpha=1):
        """self + alpha·other (torch.add; also its deprecated ``add(alpha, other)``, with torch's warning)."""
        other, alpha = deprecated_alpha_first("add", other, alpha_first, alpha)
        return self + _scaled(other, alpha, self, "add")

    def sub(self, other, *alpha_first, alpha=1):
        """self - alpha·other (torch.sub; also its deprecated ``sub(alpha, other)``, with torch's warning)."""
        other, alpha = deprecated_alpha_first("sub", other, alpha_first, alpha)
        return self - _scaled(other, alpha, self, "sub")

    def mul(self, other):
        return self * other

    def div(self, other, rounding_mode=None):
        """self / other; ``rounding_mode`` 'trunc' or 'floor' rounds the quotient (its gradient is zero, as in
        torch, and integers stay integers)."""
        if rounding_mode not in (None, "trunc", "floor"):
            raise RuntimeError(f"div: expected rounding_mode None, 'trunc' or 'floor', got {rounding_mode!r}")
        if rounding_mode is None:
            return self / other
        if rounding_mode == "floor":
            return self.floor_divide(other)
        other = operand(other, self, "div")
        if self.dtype.kind == "f" or getattr(other, "dtype", backend.scalar_dtype(other)).kind == "f":
            return self._apply(ops.Rounding, self / other, mode="trunc")
        self._check_integer_division(other, "div")
        a, b = promoted(self, other) if isinstance(other, TensorBase) else (self, other)
        dividend, divisor = a._array, b._array if isinstance(b, TensorBase) else b
        # exactly, in the integer dtype: a - fmod(a, b) is a multiple of b, which floor division divides exactly
        return self._make(self.device.xp.floor_divide(dividend - self.device.xp.fmod(dividend, divisor), divisor))

    def __floordiv__(self, other):
        return self.div(other, rounding_mode="floor")

    def pow(self, exponent):
        return self ** exponent

    # --- in place: each changes self's values (see Tensor._inplace) and returns self ----------------------
    def add_(self, other, *alpha_first, alpha=1):
        other, alpha = deprecated_alpha_first("add_", other, alpha_first, alpha)
        return self._inplace("add_", lambda t: t.add(other, alpha=alpha), other)

    def sub_(self, other, *alpha_first, alpha=1):
        other, alpha = deprecated_alpha_first("sub_", other, alpha_first, alpha)
        return self._inplace("sub_", lambda t: t.sub(other, alpha=alpha), other)

    def mul_(self, other):
        return self._inplace("mul_", lambda t: t * other, other)

    def div_(self, other, rounding_mode=None):
        return self._inplace("div_", lambda t: t.div(other, rounding_mode=rounding_mode), other)

    def pow_(self, exponent):
        return self._inplace("pow_", lambda t: t ** exponent, exponent)

    def __iadd__(self, other):
        return self.add_(other)

    def __isub__(self, other):
        return self.sub_(other)

    def __imul__(self, other):
        return self.mul_(other)

    def __itruediv__(self, other):
        return self.div_(other)

    def exp_(self):
        return self._inplace("exp_", lambda t: t.exp())

    def tanh_(self):
        return self._inplace("tanh_", lambda t: t.tanh())

    def sigmoid_(self):
        return self._inplace("sigmoid_", lambda t: t.sigmoid())

    def relu_(self):
        return self._inplace("relu_", lambda t: t.relu())

    def clamp_(self, min=None, max=None):
        return self._inplace("clamp_", lambda t: t.clamp(min, max))

    clip_ = clamp_

    def masked_fill_(self, mask, value):
        return self._inplace("masked_fill_", lambda t: t.masked_fill(mask, value), value)

    def index_fill_(self, dim, index, value):
        return self._inplace("index_fill_", lambda t: t.index_fill(dim, index, value), value)

    def uniform_(self, a=0.0, b=1.0, *, generator=None):
        """Fill with samples of U(a, b) (from the default generator, or ``generator``)."""
        if not a <= b:
            raise RuntimeError(f"uniform_: expected a <= b, got a={a}, b={b}")
        draw = random.source(generator, "uniform_")
        return self._inplace("uniform_", lambda t: t._random(draw.uniform(a, b, t.shape)), cast=True)

    def normal_(self, mean=0.0, std=1.0, *, generator=None):
        """Fill with samples of N(mean, std²) (from the default generator, or ``generator``)."""
        if std < 0:
            raise RuntimeError(f"normal_: expected std >= 0, got {std}")
        draw = random.source(generator, "normal_")
        return self._inplace("normal_", lambda t: t._random(draw.normal(mean, std, t.shape)), cast=True)

    def bernoulli(self, p=None, *, generator=None):
        """1 with probability self (or ``p``, for every element), else 0, elementwise, in self's dtype, as
        torch.bernoulli. A sample carries no gradient."""
        check_floating(self, "bernoulli")
        probabilities = self if p is None else p
        if isinstance(probabilities, TensorBase):
            outside = ((probabilities < 0) | (probabilities > 1) | probabilities.isnan()).any().item()
        else:
            outside = not 0 <= probabilities <= 1
        if outside:
            raise RuntimeError(f"bernoulli: expected probabilities in [0, 1], got "
                               f"{probabilities if p is not None else 'some outside'}")
        # drawn and compared in float64, so that a probability of 1 always gives 1 (u < 1 holds for every u drawn)
        uniform = self._make(self.device.from_host(random.source(generator, "bernoulli").random(self.shape)))
        return (uniform < probabilities).to(self.dtype)

    def bernoulli_(self, p=0.5, *, generator=None):
        """Fill with samples of Bernoulli(p) (a number or a tensor of probabilities), in place; a tensor of
        integers or bools takes them as 1 and 0, as in torch."""
        return self._inplace("bernoulli_", lambda t: t.detach().double().bernoulli(p, generator=generator),
                             cast=True)

    def multinomial(self, num_samples, replacement=False, *, generator=None):
        """Indices drawn from the categorical distribution of each row (weights >= 0, not necessarily normalised),
        as torch.multinomial; 1-d or 2-d input. Without replacement it draws as torch does: the ``num_samples``
        largest of w / E, E ~ Exp(1) for each category, which is a draw without replacement by the weights; asked
        for more than there are categories of positive weight, the ones of weight 0 follow, in order."""
        if self.ndim not in (1, 2):
            raise RuntimeError(f"multinomial: expected a 1-d or 2-d tensor of weights, got shape {self.shape}")
        if self.dtype.kind != "f":
            raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: {self.dtype}")
        if not is_int(num_samples):
            raise TypeError(f"multinomial(): argument 'num_samples' must be int, not {type_name(num_samples)}")
        if num_samples <= 0:
            raise RuntimeError(f"multinomial: cannot sample n_sample <= 0 samples (got {num_samples})")
        if not replacement and num_samples > self.shape[-1]:
            raise RuntimeError(f"multinomial: cannot draw {num_samples} samples without replacement from "
                               f"{self.shape[-1]} categories")
        xp = backend.cpu.xp
        weights = self.numpy().astype(float).reshape(-1, self.shape[-1])
        if (weights < 0).any() or not (weights.sum(axis=1) > 0).all() or not xp.isfinite(weights).all():
            raise RuntimeError("multinomial: expected non-negative, finite weights with a positive sum in every row")
        draw = random.source(generator, "multinomial")
        if replacement:
            rows = [draw.choice(weights.shape[1], size=num_samples, p=row / row.sum()) for row in weights]
        else:
            keys = weights / draw.exponential(size=weights.shape)
            rows = xp.argsort(-keys, axis=1, kind="stable")[:, :num_samples]
        samples = xp.asarray(rows, dtype=backend.int64).reshape(self.shape[:-1] + (num_samples,))
        return self._make(self.device.from_host(samples))

    def _random(self, host_values):
        """Host random values as a constant tensor of self's dtype and device."""
        return self._make(self.device.from_host(host_values.astype(self.dtype)))

    def __pos__(self):
        return self

    def matmul(self, other):
        """Matrix product with NumPy's rules: vectors, matrices, and broadcast batches of matrices."""
        other = operand(other, self, "matmul")
        if not isinstance(other, TensorBase):
            raise TypeError(f"matmul: expected the second operand to be a Tensor, got {type(other).__name__}")
        if self.ndim == 0 or other.ndim == 0:
            raise RuntimeError(f"matmul: expected tensors with at least one dimension, got shapes {self.shape} and "
                             f"{other.shape}")
        inner_a = self.shape[-1]
        inner_b = other.shape[0] if other.ndim == 1 else other.shape[-2]
        if inner_a != inner_b:
            raise RuntimeError(f"matmul: shapes {self.shape} and {other.shape} cannot be multiplied (expected "
                             f"a.shape[-1] == b.shape[{0 if other.ndim == 1 else -2}], got {inner_a} and {inner_b})")
        if self.ndim > 2 or other.ndim > 2:
            broadcast_shapes(self.shape[:-2], other.shape[:-2], op="matmul (batch dimensions)")
        if self.dtype != other.dtype:
            raise RuntimeError(f"matmul: expected m1 and m2 to have the same dtype, but got: {self.dtype} != "
                               f"{other.dtype}")
        return self._apply(ops.MatMul, self, other)

    __matmul__ = matmul

    def __rmatmul__(self, other):
        other = operand(other, self, "matmul")
        if not isinstance(other, TensorBase):
            raise TypeError(f"matmul: expected the first operand to be a Tensor, got {type(other).__name__}")
        return other.matmul(self)

    # --- comparisons and logic: boolean tensors, which carry no gradient --------------------------------
    def _compare(self, other, compare, op: str):
        other = operand(other, self, op)
        if isinstance(other, TensorBase):
            if other.device != self.device:
                raise RuntimeError(f"{op}: expected both tensors on the same device, got {self.device} "
                                   f"and {other.device}")
            broadcast_shapes(self.shape, other.shape, op=op)
            other = other._array
        return self._make(compare(self._array, other))

    def __lt__(self, other):
        return self._compare(other, lambda a, b: a < b, "lt")

    def __le__(self, other):
        return self._compare(other, lambda a, b: a <= b, "le")

    def __gt__(self, other):
        return self._compare(other, lambda a, b: a > b, "gt")

    def __ge__(self, other):
        return self._compare(other, lambda a, b: a >= b, "ge")

    def __eq__(self, other):
        return self._compare(other, lambda a, b: a == b, "eq")

    def __ne__(self, other):
        return self._compare(other, lambda a, b: a != b, "ne")

    eq, ne, lt, le, gt, ge = __eq__, __ne__, __lt__, __le__, __gt__, __ge__

    # in place: self holds the answers as 1 and 0 in its own dtype, as in torch
    def eq_(self, other):
        return self._inplace("eq_", lambda t: t == other, other, cast=True)

    def ne_(self, other):
        return self._inplace("ne_", lambda t: t != other, other, cast=True)

    def lt_(self, other):
        return self._inplace("lt_", lambda t: t < other, other, cast=True)

    def le_(self, other):
        return self._inplace("le_", lambda t: t <= other, other, cast=True)

    def gt_(self, other):
        return self._inplace("gt_", lambda t: t > other, other, cast=True)

    def ge_(self, other):
        return self._inplace("ge_", lambda t: t >= other, other, cast=True)

    def __and__(self, other):
        return self._compare(other, lambda a, b: a & b, "logical and")

    def __or__(self, other):
        return self._compare(other, lambda a, b: a | b, "logical or")

    __rand__, __ror__ = __and__, __or__  # (symmetric: True & t is t & True)

    def __xor__(self, other):
        return self._compare(other, lambda a, b: a ^ b, "logical xor")

    def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> bool:
        """Whether |self - other| <= atol + rtol·|other| everywhere (broadcast; an infinity is close only to itself,
        a nan only with ``equal_nan``), as torch.allclose. Both must have one dtype, as torch requires."""
        self._check_comparable(other, "allclose")
        if other.dtype != self.dtype:
            raise RuntimeError(f"allclose: expected tensors of one dtype, got {self.dtype} and {other.dtype}")
        broadcast_shapes(self.shape, other.shape, op="allclose")
        return bool(self.device.xp.allclose(self._array, other._array, rtol=rtol, atol=atol, equal_nan=equal_nan))

    def equal(self, other) -> bool:
        """Whether other has self's shape and values (whatever the dtypes; a nan equals nothing), as torch.equal."""
        self._check_comparable(other, "equal")
        return self.shape == other.shape and bool((self._array == other._array).all())

    def _check_comparable(self, other, op: str) -> None:
        if not isinstance(other, TensorBase):
            raise TypeError(f"{op}(): argument 'other' (position 2) must be Tensor, not {type_name(other)}")
        if other.device != self.device:
            raise RuntimeError(f"{op}: expected both tensors on the same device, got {self.device} and "
                               f"{other.device}")

    def __invert__(self):
        return self._make(~self._array)

    def logical_not(self):
        return self._make(~self._array.astype(bool))

    def isnan(self):
        return self._make(self.device.xp.isnan(self._array))

    def isinf(self):
        return self._make(self.device.xp.isinf(self._array))

    def isfinite(self):
        return self._make(self.device.xp.isfinite(self._array))

    # --- elementwise functions --------------------------------------------------------------------------
    def _floating(self):
        """Self, or self cast to the default float for functions of real numbers (torch: exp of an integer tensor
        is a float tensor of the default dtype)."""
        return self if self._array.dtype.kind == "f" else self.to(backend.get_default_dtype())

    def exp(self):
        return self._apply(ops.Exp, self._floating())

    def log(self):
        return self._apply(ops.Log, self._floating())

    def tanh(self):
        return self._apply(ops.Tanh, self._floating())

    def sigmoid(self):
        return self._apply(ops.Sigmoid, self._floating())

    def logsigmoid(self):
        """log σ(x), exact in both tails (log σ(-20) is -20, not the log of a sigmoid rounded to 0)."""
        return self._apply(ops.LogSigmoid, self._floating())

    def relu(self):
        return self._apply(ops.Relu, self)

    def sqrt(self):
        return self._apply(ops.Sqrt, self._floating())

    def log1p(self):
        """log(1 + x), exact for tiny x."""
        return self._apply(ops.Log1p, self._floating())

    def sin(self):
        return self._apply(ops.Sin, self._floating())

    def cos(self):
        return self._apply(ops.Cos, self._floating())

    def sinh(self):
        return self._apply(ops.Sinh, self._floating())

    def cosh(self):
        return self._apply(ops.Cosh, self._floating())

    def erf(self):
        """The error function, 2/√π ∫₀ˣ e^(-t²) dt."""
        return self._apply(ops.Erf, self._floating())

    def maximum(self, other):
        """The larger of self and other, elementwise (ties share the gradient, as in torch)."""
        return self._binary(ops.Maximum, other, "maximum")

    def minimum(self, other):
        """The smaller of self and other, elementwise: -maximum(-self, -other)."""
        return -(-self).maximum(-other if isinstance(other, TensorBase) else -operand(other, self, "minimum"))

    def abs(self):
        check_kernel(self, "abs", "fiu")
        return self._apply(ops.Abs, self)

    __abs__ = absolute = abs

    def clamp(self, min=None, max=None):
        """Limit values to [min, max]; the gradient is zero where a value was clipped."""
        if min is None and max is None:
            raise RuntimeError("clamp: expected at least one of min and max, got neither")
        bounds = [bound for bound in (min, max) if bound is not None]
        if not all(is_number(bound) for bound in bounds):
            raise TypeError(f"clamp: expected min and max to be numbers, got {[type_name(b) for b in bounds]} "
                            "(minigrad has no tensor bounds)")
        # the result's dtype is torch's: an integer tensor clamped at 0.5 gives the default float
        dtype = result_dtype(self, *bounds)
        return self._apply(ops.Clamp, self if dtype == self.dtype else self.to(dtype), min=min, max=max)

    clip = clamp

    def where(self, condition, other):
        """``self`` where ``condition`` holds, else ``other`` (torch's Tensor.where): see minigrad.where."""
        if not isinstance(condition, TensorBase) or condition.dtype != backend.bool_:
            raise TypeError(f"where: expected a boolean Tensor condition, got "
                            f"{condition.dtype if isinstance(condition, TensorBase) else type(condition).__name__}")
        other = operand(other, condition, "where")
        broadcast_shapes(*(t.shape for t in (condition, self, other) if isinstance(t, TensorBase)), op="where")
        a = self
        if isinstance(other, TensorBase) and other.dtype != self.dtype:
            a, other = promoted(self, other)
        return self._apply(ops.Where, condition, a, other)

    def masked_fill(self, mask, value):
        """Replace the elements where ``mask`` is True by ``value``; they receive no gradient. The result keeps
        self's dtype."""
        if not isinstance(mask, TensorBase) or mask.dtype != backend.bool_:
            raise TypeError(f"masked_fill: expected a boolean Tensor mask, got "
                            f"{mask.dtype if isinstance(mask, TensorBase) else type(mask).__name__}")
        if broadcast_shapes(self.shape, mask.shape, op="masked_fill") != self.shape:
            raise RuntimeError(f"masked_fill: expected a mask broadcastable to {self.shape}, got shape {mask.shape}")
        if mask.device != self.device:
            raise RuntimeError(f"masked_fill: expected the mask on device {self.device}, got {mask.device}")
        value = operand(value, mask, "masked_fill")
        if isinstance(value, TensorBase):
            if value.ndim != 0:
                raise RuntimeError(f"masked_fill: expected a 0-dimensional value tensor, got shape {value.shape}")
            value = value.to(self.dtype)
        return self._apply(ops.Where, mask, value, self).to(self.dtype)

    def index_fill(self, dim, index, value):
        """A copy with the slices at ``index`` along ``dim`` set to ``value`` (torch.index_fill)."""
        d = check_dim(dim, self.ndim, "index_fill")
        if not isinstance(index, TensorBase) or index.dtype.kind not in "iu" or index.ndim > 1:
            raise TypeError(f"index_fill: expected index to be a 0-d or 1-d integer Tensor, got "
                            f"{index.dtype if isinstance(index, TensorBase) else type(index).__name__}")
        size = self.shape[d]
        if index.numel() and (int(index.amax().item()) >= size or int(index.min().item()) < -size):
            raise IndexError(f"index_fill: expected indices in [{-size}, {size}) for dim {dim}, got "
                             f"{index.tolist()}")
        chosen = self.device.xp.zeros(size, dtype=bool)
        chosen[index._array.reshape(-1)] = True
        mask = self._make(chosen.reshape((size,) + (1,) * (self.ndim - d - 1)))
        return self.masked_fill(mask, value)

    def softmax(self, dim):
        d = check_dim(dim, self.ndim, "softmax")
        if self.shape[d] == 0:  # nothing to normalise: an empty result, as torch gives
            return self._floating().clone()
        return self._apply(ops.Softmax, self._floating(), dim=d)

    def log_softmax(self, dim):
        d = check_dim(dim, self.ndim, "log_softmax")
        if self.shape[d] == 0:
            return self._floating().clone()
        return self._apply(ops.LogSoftmax, self._floating(), dim=d)

    def norm(self, p="fro", dim=None, keepdim=False, dtype=None):
        """torch.norm: the vector p-norm of the elements over ``dim`` (of all of them when None); 'fro' is the
        2-norm (over at most two dims); other names ('nuc'), or 'fro' over more dims, are matrix norms (see
        minigrad.linalg)."""
        from . import linalg  # (linalg is composed from tensors' methods: it builds on this module)
        dims = None if dim is None else (dim,) if isinstance(dim, numbers.Integral) else tuple(dim)
        if not isinstance(p, str):
            return linalg.vector_norm(self, 2 if p is None else p, dims, keepdim, dtype=dtype)
        if p == "fro" and (dims is None or len(dims) <= 2):
            return linalg.vector_norm(self, 2, dims, keepdim, dtype=dtype)
        return linalg.matrix_norm(self, p, tuple(range(self.ndim)) if dims is None else dims, keepdim, dtype=dtype)

    def clone(self):
        """A copy of the values that stays in the graph (gradients flow back to self), as torch.clone."""
        return self._apply(ops.Clone, self)


# --- operands --------------------------------------------------------------------------------------------------
def operand(value, like, op: str):
    """The other operand of a binary op: a Tensor, a Python number (kept as a scalar), or an array of the
    same device (wrapped). Anything else is refused, as torch refuses lists."""
    if isinstance(value, TensorBase) or type(value) is float or type(value) is int:
        return value  # the common cases first: this runs for every arithmetic op
    if isinstance(value, numbers.Number):
        return value.item() if hasattr(value, "item") else value  # NumPy scalars would force their dtype
    if backend.is_array(value):
        if backend.device_of(value) != like.device:
            raise RuntimeError(f"{op}: expected an array on device {like.device}, got one on "
                               f"{backend.device_of(value)}")
        return like._make(value)
    raise TypeError(f"{op}: expected a Tensor or a number, got {type(value).__name__}")


def operand_array(value, like, op: str):
    """``operand``'s value as something to write into ``like``'s array: an array of like's dtype, or a number."""
    value = operand(value, like, op)
    return value._array.astype(like.dtype, copy=False) if isinstance(value, TensorBase) else value


def result_dtype(*operands):
    """The dtype torch computes in for these tensors and Python numbers: tensors with dimensions outrank 0-d ones,
    which outrank numbers; a lower rank only lifts the result to a higher category (see backend.result_type)."""
    tensors = [t for t in operands if isinstance(t, TensorBase)]
    return backend.result_type([t.dtype for t in tensors if t.ndim], [t.dtype for t in tensors if not t.ndim],
                               [backend.scalar_dtype(n) for n in operands if not isinstance(n, TensorBase)])


def promoted(*tensors):
    """The tensors cast to the dtype torch would compute in (see result_dtype)."""
    dtype = result_dtype(*tensors)
    return tuple(t if t.dtype == dtype else t.to(dtype) for t in tensors)


def deprecated_alpha_first(op: str, other, rest: tuple, alpha):
    """(other, alpha) of a call to add/sub (and add_/sub_): see deprecated_scale_first."""
    (other,), alpha = deprecated_scale_first(op, (other, *rest), ("other",), "alpha", alpha)
    return other, alpha


def _refuse_bool_subtraction(tensor, other, op: str) -> None:
    if isinstance(other, bool) or backend.bool_ in (tensor.dtype, getattr(other, "dtype", None)):
        raise RuntimeError(f"{op}: subtraction, the `-` operator, with a bool tensor is not supported; use the "
                           "`^` or logical_xor() operator instead")


def _scaled(other, alpha, like, op: str):
    """alpha·other for add/sub's ``alpha``, computed in the dtype of the result, as torch scales after promoting
    (a float64 0-d tensor plus 0.5 times an int64 tensor is float64, not first rounded to float32); the alphas
    torch refuses for that dtype are refused."""
    if isinstance(alpha, TensorBase) and alpha.ndim == 0:
        alpha = alpha.item()
    if not (is_number(alpha) or isinstance(alpha, bool)):
        raise TypeError(f"{op}: expected alpha to be a number, got {type_name(alpha)}")
    other = operand(other, like, op)
    if op.startswith("sub"):  # (before other is scaled into the result's dtype, which hides a bool)
        _refuse_bool_subtraction(like, other, op)
    dtype = result_dtype(like, other)
    if isinstance(alpha, bool) and dtype != backend.bool_:
        raise RuntimeError(f"{op}: Boolean alpha only supported for Boolean results, got a result of {dtype}")
    if isinstance(alpha, float) and dtype.kind != "f":
        raise RuntimeError(f"{op}: for integral input tensors, argument alpha must not be a floating point number")
    if alpha == 1:
        return other
    if dtype == backend.bool_:  # (bools add as "or": alpha·other is other, or nothing)
        return other & bool(alpha) if isinstance(other, TensorBase) else other and bool(alpha)
    return other.to(dtype) * alpha if isinstance(other, TensorBase) else other * alpha