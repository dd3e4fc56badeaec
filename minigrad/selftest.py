"""Every primitive op (and the main composites), checked three ways against central differences: reverse mode,
forward mode, and second derivatives (``minigrad selftest`` runs them on a device; the tests reuse the cases)."""

from __future__ import annotations

from . import autograd, creation, functions, nn, random

CHECKS = ("reverse", "forward", "second order")


def cases():
    """(name, function, input shapes, positive inputs?) for every primitive op and the main composites."""
    F = nn.functional
    index = creation.tensor([0, 2, 0])
    mask = creation.tensor([[True, False, True], [False, True, True]])
    target = creation.tensor([1, 0])

    def written(a, b):  # a graph tensor written into (SetItem), through a key and through a view
        out = a * 1.0
        out[0] = b[1] * 2.0
        out[:, 1:].mul_(b[:, :2])
        return out

    return [
        ("add (broadcast)", lambda a, b: a + b, [(2, 3), (3,)], False),
        ("sub", lambda a, b: a - b, [(2, 3), (2, 1)], False),
        ("mul", lambda a, b: a * b, [(2, 3), (2, 3)], False),
        ("div", lambda a, b: a / b, [(2, 3), (2, 3)], True),
        ("pow", lambda a, b: a ** b, [(2, 3), (2, 3)], True),
        ("pow (number exponent)", lambda a: a ** 3, [(2, 3)], False),
        ("pow (number base)", lambda a: 2.0 ** a, [(2, 3)], False),
        ("neg", lambda a: -a, [(2, 3)], False),
        ("maximum", lambda a, b: a.maximum(b), [(2, 3), (2, 3)], False),
        ("exp", lambda a: a.exp(), [(2, 3)], False),
        ("log", lambda a: a.log(), [(2, 3)], True),
        ("log1p", lambda a: a.log1p(), [(2, 3)], True),
        ("tanh", lambda a: a.tanh(), [(2, 3)], False),
        ("sigmoid", lambda a: a.sigmoid(), [(2, 3)], False),
        ("logsigmoid", lambda a: F.logsigmoid(a), [(2, 3)], False),
        ("sqrt", lambda a: a.sqrt(), [(2, 3)], True),
        ("abs", lambda a: a.abs(), [(2, 3)], True),
        ("sin", lambda a: a.sin(), [(2, 3)], False),
        ("cos", lambda a: a.cos(), [(2, 3)], False),
        ("sinh", lambda a: a.sinh(), [(2, 3)], False),
        ("cosh", lambda a: a.cosh(), [(2, 3)], False),
        ("erf", lambda a: a.erf(), [(2, 3)], False),
        ("relu", lambda a: a.relu(), [(2, 3)], True),
        ("clamp", lambda a: a.clamp(0.2, 2.0), [(2, 3)], True),
        ("floor (zero slope)", lambda a: a.floor() + a, [(2, 3)], True),
        ("sign, round (zero slope)", lambda a: a.sign() * a + a.round(decimals=1), [(2, 3)], False),
        ("floor_divide (zero slope)", lambda a, b: a.floor_divide(b) * b + a, [(2, 3), (2, 3)], True),
        ("fmod", lambda a, b: (a * 3).fmod(b), [(2, 3), (2, 3)], True),
        ("remainder", lambda a, b: (a * 3).remainder(-b), [(2, 3), (2, 3)], True),
        ("atan2", lambda a, b: a.atan2(b), [(2, 3), (2, 3)], False),
        ("logaddexp", lambda a, b: a.logaddexp(b), [(2, 3), (2, 3)], False),
        ("expm1", lambda a: a.expm1(), [(2, 3)], False),
        ("log2", lambda a: a.log2(), [(2, 3)], True),
        ("log10", lambda a: a.log10(), [(2, 3)], True),
        ("reciprocal", lambda a: a.reciprocal(), [(2, 3)], True),
        ("rsqrt", lambda a: a.rsqrt(), [(2, 3)], True),
        ("tan", lambda a: a.tan(), [(2, 3)], False),
        ("atan", lambda a: a.atan(), [(2, 3)], False),
        ("asin", lambda a: (a / 3).asin(), [(2, 3)], False),
        ("acos", lambda a: (a / 3).acos(), [(2, 3)], False),
        ("where", lambda a, b: functions.where(mask, a, b), [(2, 3), (2, 3)], False),
        ("to (another device)", lambda a: a.to("strict" if a.device == "cpu" else "cpu") * a.to(
            "strict" if a.device == "cpu" else "cpu"), [(2, 3)], False),
        ("matmul (batched)", lambda a, b: a @ b, [(2, 2, 3), (3, 4)], False),
        ("matmul (vectors)", lambda a, b: (a @ b) * (b @ a.T.reshape(-1)[:3].reshape(3)), [(3,), (3, 3)], False),
        ("linear", lambda x, w, b: F.linear(x, w, b), [(2, 4, 3), (5, 3), (5,)], False),
        ("einsum", lambda a, b: functions.einsum("bij,bkj->bik", a, b), [(2, 2, 3), (2, 4, 3)], False),
        ("sum (dim)", lambda a: a.sum(1), [(2, 3)], False),
        ("max", lambda a: a.max(), [(2, 3)], False),
        ("max (dim)", lambda a: a.max(1).values, [(2, 3)], False),
        ("amax (dims)", lambda a: a.amax((0, 2)), [(2, 3, 2)], False),
        ("cumsum", lambda a: a.cumsum(1), [(2, 3)], False),
        ("prod (in pairs)", lambda a: a.prod(1), [(2, 5)], False),
        ("cumprod (a scan of muls)", lambda a: a.cumprod(1), [(2, 5)], False),
        ("softmax", lambda a: a.softmax(1), [(2, 3)], False),
        ("log_softmax", lambda a: a.log_softmax(1), [(2, 3)], False),
        ("reshape", lambda a: a.reshape(3, 2), [(2, 3)], False),
        ("permute", lambda a: a.permute(2, 0, 1), [(2, 3, 2)], False),
        ("clone", lambda a: a.clone() * a, [(2, 3)], False),
        ("expand", lambda a: a.expand(2, 3), [(1, 3)], False),
        ("strided views (diagonal, unfold)", lambda a: a.unfold(1, 2, 1).sum(-1) * a.diagonal().sum(), [(3, 3)],
         False),
        ("index (repeats)", lambda a: a[index], [(3, 2)], False),
        ("index (mask)", lambda a: a[mask], [(2, 3)], False),
        ("gather", lambda a: a.gather(1, creation.tensor([[2, 0], [1, 1]])), [(2, 3)], False),
        ("setitem and in-place", written, [(2, 3), (2, 3)], False),
        ("cat", lambda a, b: functions.cat([a, b], 1), [(2, 3), (2, 2)], False),
        ("split", lambda a: a.split([1, 2], 1)[1] * a.split([1, 2], 1)[0], [(2, 3)], False),
        ("unbind", lambda a: a.unbind(0)[1] * a.unbind(0)[0], [(2, 3)], False),
        ("stack", lambda a, b: functions.stack([a, b], 1), [(2, 3), (2, 3)], False),
        ("mean, var, std", lambda a: a.mean(0) + a.var(1).sum() + a.std(), [(2, 3)], False),
        ("logsumexp", lambda a: a.logsumexp(1), [(2, 3)], False),
        ("gelu", lambda a: F.gelu(a), [(2, 3)], False),
        ("layer_norm", lambda a: F.layer_norm(a, (3,)), [(2, 3)], False),
        ("cross_entropy", lambda a: F.cross_entropy(a, target), [(2, 3)], False),
    ]


def check(function, inputs, which: str) -> bool:
    """One of CHECKS for ``function`` at ``inputs`` (float64 tensors that require grad); raises on a mismatch."""
    if which == "reverse":
        return autograd.gradcheck(function, inputs)
    if which == "forward":
        return autograd.gradcheck(function, inputs, check_forward_ad=True, check_backward_ad=False)
    return autograd.gradgradcheck(function, inputs)


def inputs_for(shapes, positive: bool, device=None) -> list:
    """Seeded float64 inputs that require grad (kept away from 0 when ``positive``: log, sqrt, div)."""
    random.manual_seed(0)
    tensors = [creation.randn(*shape, dtype="float64", device=device) for shape in shapes]
    if positive:
        tensors = [t.abs() + 0.5 for t in tensors]
    return [t.detach().requires_grad_() for t in tensors]
