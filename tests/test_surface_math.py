"""The elementwise math that ported programs use beyond the basics (rounding, remainders, trigonometry, lerp,
addcmul/addcdiv, logic, isclose, nan_to_num), against torch: values, dtypes (integer and bool inputs too), gradients
in float64 at the edges, torch's errors, the in-place forms, and every new primitive against central differences."""

import warnings

import numpy as np
import pytest

import minigrad
from conftest import host

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(11)
VALUES = RNG.standard_normal((3, 4)) * 2
TIES = np.array([-2.5, -1.5, -0.5, 0.0, 0.5, 1.5, 2.5, 3.5, -0.0, 7.0])  # round half to even
EDGES = np.array([float("nan"), float("inf"), -float("inf"), 0.0, -1.5, 2.0])


def run(lib, call, arrays):
    """call(lib, *tensors) on float leaves that require grad (other arrays as they are); the output, and the input
    gradients of a fixed random projection of it."""
    inputs = [lib.tensor(a, requires_grad=a.dtype.kind == "f") if isinstance(a, np.ndarray) else a for a in arrays]
    out = call(lib, *inputs)
    grads = []
    if out.requires_grad:
        weights = np.random.default_rng(1).standard_normal(tuple(out.shape))
        out.backward(lib.tensor(weights))
        grads = [None if x.grad is None else x.grad.numpy() for x in inputs if isinstance(x, lib.Tensor)]
    return out, grads


def compare(call, *arrays, rtol=1e-12):
    """Same dtype, shape and values (nan where torch has nan, and ±0 as torch signs it) and same gradients."""
    ours, our_grads = run(minigrad, call, arrays)
    theirs, their_grads = run(torch, call, arrays)
    expected = theirs.detach().numpy()
    assert str(ours.dtype) == str(expected.dtype) and ours.shape == expected.shape
    np.testing.assert_allclose(host(ours), expected, rtol=rtol, atol=1e-300)
    assert ours.requires_grad == theirs.requires_grad
    assert len(our_grads) == len(their_grads)
    for mine, other in zip(our_grads, their_grads):
        assert (mine is None) == (other is None)
        if other is not None:
            np.testing.assert_allclose(mine, other, rtol=rtol, atol=1e-300)
    return ours


def same_error(call, *args):
    """Both libraries refuse the call, with the same exception type."""
    with pytest.raises(Exception) as theirs:
        call(torch, *[torch.tensor(a) if isinstance(a, np.ndarray) else a for a in args])
    with pytest.raises(type(theirs.value)):
        call(minigrad, *[minigrad.tensor(a) if isinstance(a, np.ndarray) else a for a in args])


# --- functions of one value -------------------------------------------------------------------------------------
UNARY = {
    "neg": VALUES, "negative": VALUES, "sign": np.concatenate([VALUES.ravel(), [0.0, -0.0]]),
    "round": np.concatenate([VALUES.ravel(), TIES]), "floor": TIES, "ceil": TIES, "trunc": TIES,
    "frac": np.concatenate([VALUES.ravel(), TIES]), "square": VALUES, "abs": np.array([0.0, -0.0, -2.0, 3.0]),
    "absolute": VALUES, "reciprocal": np.array([0.0, -0.0, 0.5, -3.0, 1e-300]), "rsqrt": np.array([0.0, 0.25, 4.0]),
    "tan": VALUES / 3, "atan": np.concatenate([VALUES.ravel(), [1e300]]), "arctan": VALUES,
    "asin": np.array([-1.0, -0.5, 0.0, 0.3, 0.999, 1.0]), "arcsin": VALUES / 10,
    "acos": np.array([-1.0, -0.5, 0.0, 0.3, 0.999, 1.0]), "arccos": VALUES / 10,
    "expm1": np.array([-1e-12, 0.0, 1e-10, 1.0, -30.0, 700.0]), "log2": np.array([0.0, 0.125, 3.0, 1024.0]),
    "log10": np.array([0.0, 0.001, 7.0, 1e300]), "sqrt": np.array([0.0, 0.01, 9.0]),
    "nan_to_num": EDGES,
}


@pytest.mark.parametrize("name", sorted(UNARY))
def test_functions_of_one_value_match_torch_at_the_edges(name):
    compare(lambda lib, x: getattr(lib, name)(x), UNARY[name])
    compare(lambda lib, x: getattr(x, name)(), UNARY[name])


@pytest.mark.parametrize("decimals", [0, 1, 2, -1, -2])
def test_round_with_decimals_rounds_half_to_even_as_torch(decimals):
    values = np.array([0.25, 0.35, -0.15, 1.005, 1250.0, 1350.0, -1249.0, 0.5, 2.675, 1e300])
    compare(lambda lib, x: lib.round(x, decimals=decimals), values)
    compare(lambda lib, x: x.round(decimals=decimals), values[:-1].astype(np.float32))


def test_nan_to_num_with_replacements_and_in_float32():
    compare(lambda lib, x: lib.nan_to_num(x, nan=1.5, posinf=2.0, neginf=-3.0), EDGES)
    compare(lambda lib, x: x.nan_to_num(posinf=1e3), EDGES.astype(np.float32))
    compare(lambda lib, x: lib.nan_to_num(x), EDGES.astype(np.float16))


@pytest.mark.parametrize("name", ["neg", "sign", "round", "floor", "ceil", "trunc", "frac", "square", "reciprocal",
                                  "rsqrt", "abs", "absolute", "tan", "atan", "asin", "acos", "expm1", "log2", "log10",
                                  "nan_to_num", "logical_not"])
@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "bool"])
def test_integer_and_bool_inputs_give_torch_dtypes_or_torch_errors(name, dtype):
    values = np.array([0, 1, 3, 0, 7]).astype(dtype)
    try:
        expected = getattr(torch, name)(torch.tensor(values))
    except Exception as error:  # torch has no kernel for this dtype, or refuses (neg of bools)
        with pytest.raises(type(error)):
            getattr(minigrad, name)(minigrad.tensor(values))
        return
    ours = getattr(minigrad, name)(minigrad.tensor(values))
    assert str(ours.dtype) == str(expected.dtype).replace("torch.", "")
    np.testing.assert_allclose(host(ours), expected.numpy(), rtol=1e-6)  # (float32 libm results differ in the last bit)


def test_rounding_an_integer_tensor_gives_a_new_tensor():
    x = minigrad.tensor([1, 2, 3])
    for name in ("floor", "ceil", "trunc", "round", "sign", "nan_to_num"):
        y = getattr(x, name)()
        y.add_(1)
        assert x.tolist() == [1, 2, 3], name
    same_error(lambda lib, x: lib.round(x, decimals=1), np.array([1, 2]))


def test_rounding_and_sign_carry_a_zero_gradient_as_in_torch():
    for name in ("floor", "ceil", "trunc", "round", "sign"):
        x = minigrad.tensor([0.4, -1.5, 0.0], dtype=minigrad.float64, requires_grad=True)
        y = getattr(x, name)()
        assert y.requires_grad
        y.sum().backward()
        assert x.grad.tolist() == [0.0, 0.0, 0.0]


# --- two operands: division with a remainder ----------------------------------------------------------------------
DIVIDENDS = np.array([-5.0, 5.0, -4.0, 4.0, 0.0, -0.0, 7.5, -7.5, 1.0, 3.0, 1e300])
DIVISORS = np.array([3.0, -3.0, 2.0, -2.0, 2.0, -2.0, -2.0, 2.0, 0.1, 0.0, 7.0])


@pytest.mark.parametrize("name", ["fmod", "remainder"])
def test_remainders_match_torch_in_value_sign_and_gradient(name):
    ours = compare(lambda lib, a, b: getattr(lib, name)(a, b), DIVIDENDS, DIVISORS)
    expected = getattr(torch, name)(torch.tensor(DIVIDENDS), torch.tensor(DIVISORS)).numpy()
    assert np.array_equal(np.signbit(host(ours)), np.signbit(expected))  # -4 mod 2 is -0.0 in torch
    compare(lambda lib, a, b: getattr(a, name)(b), VALUES * 3, VALUES[0])
    compare(lambda lib, a: getattr(lib, name)(a, -1.5), DIVIDENDS)
    compare(lambda lib, a: getattr(lib, name)(a, 2), DIVIDENDS)


def test_the_remainder_operator_and_a_number_dividend():
    compare(lambda lib, a: a % 2.5, DIVIDENDS)
    # (torch has no gradient for a number dividend: its backward raises, so the values alone are compared)
    for call in (lambda lib, b: 7 % b, lambda lib, b: lib.remainder(-7.0, b), lambda lib, b: 7.5 // b):
        expected = call(torch, torch.tensor(DIVISORS))
        ours = call(minigrad, minigrad.tensor(DIVISORS))
        assert str(ours.dtype) == str(expected.dtype).replace("torch.", "")
        np.testing.assert_array_equal(host(ours), expected.numpy())


def test_floor_division_is_the_floor_of_the_exact_quotient():
    a, b = torch.tensor(DIVIDENDS), torch.tensor(DIVISORS)
    for call in (lambda lib, x, y: lib.floor_divide(x, y), lambda lib, x, y: x // y,
                 lambda lib, x, y: x.div(y, rounding_mode="floor"), lambda lib, x, y: lib.floor_divide(3.0, y),
                 lambda lib, x, y: 3 // y, lambda lib, x, y: x // 0.1):
        ours = call(minigrad, minigrad.tensor(DIVIDENDS), minigrad.tensor(DIVISORS))
        np.testing.assert_array_equal(host(ours), call(torch, a, b).numpy())  # 1 // 0.1 is 9, not 10
    x = minigrad.tensor(DIVIDENDS, requires_grad=True)
    (x // 0.3).sum().backward()  # zero, as torch's div(rounding_mode="floor") has it
    assert not x.grad.numpy().any()


@pytest.mark.parametrize("call", [lambda lib, a, b: lib.fmod(a, b), lambda lib, a, b: lib.remainder(a, b),
                                  lambda lib, a, b: lib.floor_divide(a, b), lambda lib, a, b: a // b,
                                  lambda lib, a, b: a % b, lambda lib, a, b: a.div(b, rounding_mode="trunc"),
                                  lambda lib, a, b: lib.true_divide(a, b)],
                         ids=["fmod", "remainder", "floor_divide", "//", "%", "div-trunc", "true_divide"])
@pytest.mark.parametrize("divisor", [np.array([3, -2, 5]), np.array([True, True, True]), 2, -3, 2.5,
                                     np.array([2.0, -0.5, 3.0], dtype=np.float32)], ids=str)
@pytest.mark.parametrize("dividend", [np.array([7, -7, 9]), np.array([-7, 8, 2], dtype=np.int32),
                                      np.array([True, False, True])], ids=["int64", "int32", "bool"])
def test_integer_division_keeps_torch_dtypes(call, dividend, divisor):
    other = torch.tensor(divisor) if isinstance(divisor, np.ndarray) else divisor
    try:
        expected = call(torch, torch.tensor(dividend), other)
    except Exception as error:
        with pytest.raises(type(error)):
            call(minigrad, minigrad.tensor(dividend), minigrad.tensor(divisor) if isinstance(divisor, np.ndarray)
                 else divisor)
        return
    ours = call(minigrad, minigrad.tensor(dividend), minigrad.tensor(divisor) if isinstance(divisor, np.ndarray)
                else divisor)
    assert str(ours.dtype) == str(expected.dtype).replace("torch.", "")
    np.testing.assert_allclose(host(ours), expected.numpy(), rtol=1e-6)


@pytest.mark.parametrize("name", ["fmod", "remainder", "floor_divide"])
def test_integer_division_by_zero_raises_as_in_torch(name):
    same_error(lambda lib, a, b: getattr(lib, name)(a, b), np.array([1, 2]), np.array([1, 0]))
    same_error(lambda lib, a: getattr(lib, name)(a, 0), np.array([1, 2]))
    same_error(lambda lib, a, b: getattr(lib, name)(a, b), np.array([True]), np.array([True]))
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        getattr(minigrad, name)(minigrad.tensor([4]), 0)


def test_true_divide_is_div():
    compare(lambda lib, a, b: lib.true_divide(a, b), VALUES, VALUES[1])
    compare(lambda lib, a: a.true_divide(4), VALUES)
    compare(lambda lib, b: lib.true_divide(2, b), VALUES)


# --- two operands: angles, log-sum-exp, powers ------------------------------------------------------------------
def test_atan2_and_its_gradient_at_the_origin_as_torch():
    a = np.concatenate([VALUES.ravel(), [0.0, -0.0, 0.0, 1e-200, 1.0, 1e200]])
    b = np.concatenate([VALUES[::-1].ravel(), [0.0, 0.0, -0.0, 1e-200, -np.inf, 1e200]])
    compare(lambda lib, y, x: lib.atan2(y, x), a, b)
    compare(lambda lib, y, x: y.arctan2(x), VALUES, VALUES[2])
    same_error(lambda lib, y: lib.atan2(y, 2.0), VALUES)
    for dtypes in (("int64", "int64"), ("bool", "bool"), ("int32", "float32"), ("float32", "float64")):
        y, x = VALUES.astype(dtypes[0]), VALUES[::-1].astype(dtypes[1])
        compare(lambda lib, u, v: lib.arctan2(u, v), y, x, rtol=1e-6)


def test_logaddexp_without_overflow_and_at_infinities():
    a = np.concatenate([VALUES.ravel(), [np.inf, -np.inf, 1000.0, -1000.0, 3.0, np.inf]])
    b = np.concatenate([VALUES[::-1].ravel(), [np.inf, -np.inf, 999.0, -1001.0, 3.0, 1.0]])
    compare(lambda lib, x, y: lib.logaddexp(x, y), a, b)
    compare(lambda lib, x, y: x.logaddexp(y), VALUES, VALUES[1:2])
    compare(lambda lib, x, y: lib.logaddexp(x, y), VALUES.astype(np.float32), np.array([1, 2, 3, 4]), rtol=1e-6)
    same_error(lambda lib, x, y: lib.logaddexp(x, y), np.array([1, 2]), np.array([3, 4]))
    same_error(lambda lib, x: lib.logaddexp(x, 1.0), VALUES)


def test_pow_as_a_function_with_a_number_on_either_side():
    positive = np.abs(VALUES) + 0.5
    compare(lambda lib, x, y: lib.pow(x, y), positive, VALUES)
    compare(lambda lib, x: lib.pow(2, x), VALUES)
    compare(lambda lib, x: lib.pow(x, 3), VALUES)
    compare(lambda lib, x: lib.pow(x, exponent=0.5), positive)
    same_error(lambda lib: lib.pow(2.0, 3.0))


# --- combinations: lerp, addcmul, addcdiv, clamp_min/clamp_max/clip ----------------------------------------------
@pytest.mark.parametrize("weight", [0.3, 0.5, 0.7, 1.0, -0.6, 2.0])
def test_lerp_with_a_number_weight(weight):
    compare(lambda lib, a, b: lib.lerp(a, b, weight), VALUES, VALUES[::-1].copy())
    compare(lambda lib, a, b: a.lerp(b, weight), VALUES, VALUES[0])


def test_lerp_with_a_tensor_weight_broadcast():
    weights = np.array([0.0, 0.3, 0.5, -0.7, 1.0, 1.3, 0.49, -0.5, 0.51, 2.0, -3.0, 0.25]).reshape(3, 4)
    compare(lambda lib, a, b, w: lib.lerp(a, b, w), VALUES, VALUES[::-1].copy(), weights)
    compare(lambda lib, a, b, w: lib.lerp(a, b, w), VALUES[0], VALUES[:, :1], weights[1])
    compare(lambda lib, a, b: lib.lerp(a, b, lib.tensor(0.75)), VALUES, VALUES[1])


def test_lerp_refuses_what_torch_refuses():
    same_error(lambda lib, a, b: lib.lerp(a, b, 0.5), np.array([1, 2]), np.array([3, 4]))
    same_error(lambda lib, a, b: lib.lerp(a, b, 0.5), VALUES.astype(np.float32), VALUES)
    same_error(lambda lib, a, b, w: lib.lerp(a, b, w), VALUES.astype(np.float32), VALUES.astype(np.float32), VALUES)
    same_error(lambda lib, a: lib.lerp(a, 1.0, 0.5), VALUES)
    same_error(lambda lib, a, b: a.lerp_(b, 0.5), VALUES[0], VALUES)  # the result would not fit in a


@pytest.mark.parametrize("name", ["addcmul", "addcdiv"])
@pytest.mark.parametrize("value", [1, 0.5, -2.0])
def test_addcmul_and_addcdiv_match_torch(name, value):
    divisors = np.abs(VALUES[1]) + 0.5
    compare(lambda lib, s, a, b: getattr(lib, name)(s, a, b, value=value), VALUES, VALUES[::-1].copy(), divisors)
    compare(lambda lib, s, a, b: getattr(s, name)(a, b, value=value), VALUES[0], VALUES[:, :1], divisors)


def test_addcmul_and_addcdiv_dtypes():
    ints, floats = np.array([1, -2, 3]), np.array([0.5, 1.5, -2.5], dtype=np.float32)
    for call in (lambda lib, s, a, b: lib.addcmul(s, a, b, value=2),
                 lambda lib, s, a, b: lib.addcmul(s, a, b, value=0.5),
                 lambda lib, s, a, b: lib.addcdiv(s, a, b.float())):
        for dtypes in ((ints, ints, ints), (floats, ints, ints), (ints, floats, floats.astype(np.float64))):
            expected = call(torch, *map(torch.tensor, dtypes))
            ours = call(minigrad, *map(minigrad.tensor, dtypes))
            assert str(ours.dtype) == str(expected.dtype).replace("torch.", "")
            np.testing.assert_allclose(host(ours), expected.numpy(), rtol=1e-6)
    same_error(lambda lib, s, a, b: lib.addcdiv(s, a, b), floats, ints, ints)


def test_the_deprecated_value_first_forms_of_old_optimizers_warn_and_compute_as_torch():
    # p.data.addcdiv_(-step_size, exp_avg, denom) and exp_avg_sq.addcmul_(1 - beta2, grad, grad), from older Adams
    def steps(lib):
        p, m, v = (lib.tensor(a) for a in (VALUES[0], VALUES[1], np.abs(VALUES[2]) + 0.5))
        p.addcdiv_(-0.1, m, v)
        v.addcmul_(0.001, m, m)
        return (p + lib.addcmul(v, 0.5, m, v)).numpy()

    with warnings.catch_warnings():  # (torch warns once per process: its warnings are not compared)
        warnings.simplefilter("ignore")
        expected = steps(torch)
    with pytest.warns(UserWarning) as caught:
        np.testing.assert_allclose(steps(minigrad), expected, rtol=1e-15)
    messages = [str(w.message) for w in caught]
    assert messages[0].startswith("This overload of addcdiv_ is deprecated:\n\taddcdiv_(Number value, Tensor tensor1, "
                                  "Tensor tensor2)")
    assert "addcmul_(Tensor tensor1, Tensor tensor2, *, Number value = 1)" in messages[1]
    assert all(w.filename == __file__ for w in caught[:2])  # the warning points at the caller's line
    with pytest.raises(TypeError, match="takes 2 positional arguments but 3 were given"):
        minigrad.tensor(VALUES).addcmul(minigrad.tensor(VALUES), minigrad.tensor(VALUES), minigrad.tensor(VALUES))


def test_a_hand_written_adam_step_gives_torchs_values():
    grads = [RNG.standard_normal(4) for _ in range(3)]
    results = []
    for lib in (torch, minigrad):
        p, m, v = lib.tensor(VALUES[0]), lib.zeros(4, dtype=lib.float64), lib.zeros(4, dtype=lib.float64)
        for step, g in enumerate(grads, 1):
            g = lib.tensor(g)
            m.mul_(0.9).add_(g, alpha=0.1)
            v.mul_(0.999).addcmul_(g, g, value=0.001)
            denom = (v / (1 - 0.999 ** step)).sqrt().add_(1e-8)
            p.addcdiv_(m, denom, value=-1e-2 / (1 - 0.9 ** step))
        results.append(p.numpy().copy())
    np.testing.assert_allclose(results[1], results[0], rtol=1e-14)


def test_clamp_min_clamp_max_and_clip():
    ties = np.concatenate([VALUES.ravel(), [0.5, -0.25]])
    compare(lambda lib, x: lib.clamp_min(x, 0.5), ties)
    compare(lambda lib, x: x.clamp_max(-0.25), ties)
    compare(lambda lib, x: lib.clip(x, -0.25, 0.5), ties)
    compare(lambda lib, x: x.clip(max=0.5), ties)
    for values in (np.array([1, 5, -3]), np.array([True, False]), np.array([1, 5, -3], dtype=np.int32)):
        for call in (lambda lib, x: lib.clamp_min(x, 0.5), lambda lib, x: lib.clamp(x, 0, 1),
                     lambda lib, x: x.clamp_max(2), lambda lib, x: x.clip(-1.5, 1)):
            expected, ours = call(torch, torch.tensor(values)), call(minigrad, minigrad.tensor(values))
            assert str(ours.dtype) == str(expected.dtype).replace("torch.", "") and ours.tolist() == expected.tolist()


# --- logic and closeness ------------------------------------------------------------------------------------------
LOGIC_INPUTS = [np.array([0.0, 1.5, -0.0, np.nan, 2.0]), np.array([0, 3, 0, 1, 0]),
                np.array([True, False, False, True, True])]


@pytest.mark.parametrize("name", ["logical_and", "logical_or", "logical_xor"])
def test_logical_operations_on_any_dtypes(name):
    for a in LOGIC_INPUTS:
        for b in LOGIC_INPUTS:
            expected = getattr(torch, name)(torch.tensor(a), torch.tensor(b))
            ours = getattr(minigrad, name)(minigrad.tensor(a), minigrad.tensor(b))
            assert ours.dtype == minigrad.bool and ours.tolist() == expected.tolist()
            assert getattr(minigrad.tensor(a), name)(minigrad.tensor(b)).tolist() == expected.tolist()
    assert minigrad.logical_and(minigrad.zeros(2, 1), minigrad.ones(3)).shape == (2, 3)
    same_error(lambda lib, a: getattr(lib, name)(a, 1.0), LOGIC_INPUTS[0])


def test_logical_not_and_the_in_place_logic_keep_selfs_dtype():
    for a in LOGIC_INPUTS:
        assert minigrad.logical_not(minigrad.tensor(a)).tolist() == torch.logical_not(torch.tensor(a)).tolist()
        for name in ("logical_and_", "logical_or_", "logical_xor_"):
            ours, theirs = minigrad.tensor(a), torch.tensor(a)
            getattr(ours, name)(minigrad.tensor(LOGIC_INPUTS[1]))
            getattr(theirs, name)(torch.tensor(LOGIC_INPUTS[1]))
            assert str(ours.dtype) == str(theirs.dtype).replace("torch.", "") and ours.tolist() == theirs.tolist()
        ours, theirs = minigrad.tensor(a).logical_not_(), torch.tensor(a).logical_not_()
        assert ours.tolist() == theirs.tolist()


@pytest.mark.parametrize("kwargs", [{}, {"rtol": 0.1}, {"atol": 0.5, "rtol": 0}, {"equal_nan": True},
                                    {"rtol": 0, "atol": 0}, {"rtol": 1e-30, "atol": 0}])
def test_isclose_as_torch_in_each_dtype(kwargs):
    a = np.array([1.0, np.inf, -np.inf, np.nan, 1e10, 0.0, 1.05, 16777217.0, 2.0])
    b = np.array([1.0 + 1e-9, np.inf, np.inf, np.nan, 1.00001e10, 1e-9, 1.0, 16777216.0, 2.4])
    for dtype in ("float64", "float32", "int64", "bool"):
        if dtype in ("int64", "bool"):  # (integers have no infinities or nan)
            a, b = np.where(np.isfinite(a), a, 0), np.where(np.isfinite(b), b, 0)
        expected = torch.isclose(torch.tensor(a.astype(dtype)), torch.tensor(b.astype(dtype)), **kwargs)
        ours = minigrad.isclose(minigrad.tensor(a.astype(dtype)), minigrad.tensor(b.astype(dtype)), **kwargs)
        assert ours.tolist() == expected.tolist(), dtype
    assert minigrad.tensor(a).isclose(minigrad.tensor(b[:1])).shape == (9,)


def test_isclose_refuses_what_torch_refuses():
    same_error(lambda lib, a, b: lib.isclose(a, b), VALUES, VALUES.astype(np.float32))
    same_error(lambda lib, a: lib.isclose(a, 1.0), VALUES)
    same_error(lambda lib, a: lib.isclose(a, a, rtol=-1), VALUES)
    same_error(lambda lib, a: lib.isclose(a, a, atol=-1), VALUES)


# --- in place -----------------------------------------------------------------------------------------------------
POSITIVE = np.abs(VALUES) / 10 + 0.1  # in (0, 1), where every function below is defined
IN_PLACE = [("neg_", ()), ("negative_", ()), ("sign_", ()), ("round_", ()), ("floor_", ()), ("ceil_", ()),
            ("trunc_", ()), ("frac_", ()), ("square_", ()), ("reciprocal_", ()), ("rsqrt_", ()), ("abs_", ()),
            ("absolute_", ()), ("sqrt_", ()), ("tan_", ()), ("atan_", ()), ("asin_", ()), ("acos_", ()),
            ("arctan_", ()), ("arcsin_", ()), ("arccos_", ()), ("expm1_", ()), ("log2_", ()), ("log10_", ()),
            ("atan2_", (POSITIVE[0],)), ("arctan2_", (POSITIVE[1],)), ("lerp_", (POSITIVE[0], 0.7)),
            ("lerp_", (POSITIVE[1], POSITIVE[2])), ("fmod_", (0.15,)), ("remainder_", (POSITIVE[0],)),
("true_divide_", (POSITIVE[2],)), ("clamp_min_", (0.2,)),
            ("clamp_max_", (0.2,)), ("clip_", (0.15, 0.2)), ("nan_to_num_", ()),
            ("addcmul_", (POSITIVE[0], POSITIVE[1])), ("addcdiv_", (POSITIVE[0], POSITIVE[1]))]


def _in_place_call(lib, name, args):
    def call(t):
        return getattr(t, name)(*[lib.tensor(a) if isinstance(a, np.ndarray) else a for a in args])
    return call


@pytest.mark.parametrize("name, args", IN_PLACE, ids=[f"{n}{i}" for i, (n, _) in enumerate(IN_PLACE)])
def test_in_place_forms_change_self_bump_the_version_and_join_the_graph(name, args):
    def changed(lib, x):
        y = x * 1.0  # (a leaf that requires grad cannot be changed in place)
        before = y._version
        out = _in_place_call(lib, name, args)(y)
        assert out is y and y._version > before
        return y
    compare(changed, POSITIVE)


@pytest.mark.parametrize("name, args", IN_PLACE, ids=[f"{n}{i}" for i, (n, _) in enumerate(IN_PLACE)])
def test_changing_a_saved_value_in_place_makes_backward_raise_as_in_torch(name, args):
    for lib in (torch, minigrad):
        x = lib.tensor(POSITIVE, requires_grad=True)
        w = x * 2.0
        y = (w * x).sum()  # mul saves w
        _in_place_call(lib, name, args)(w)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.backward()


def test_in_place_into_an_integer_tensor_refuses_a_float_result_as_torch():
    for call in (lambda t: t.sqrt_(), lambda t: t.remainder_(2.5), lambda t: t.reciprocal_(),
                 lambda t: t.true_divide_(2)):
        with pytest.raises(RuntimeError) as theirs:
            call(torch.tensor([1, 2]))
        with pytest.raises(RuntimeError, match="can't be cast"):
            call(minigrad.tensor([1, 2]))
        assert "can't be cast" in str(theirs.value)
    same_error(lambda lib, t: t.frac_(), np.array([1, 2]))


def test_floor_divide_in_place_gives_torchs_values():
    for lib in (torch, minigrad):
        x = lib.tensor(DIVIDENDS)
        version = x._version
        assert x.floor_divide_(0.3) is x and x._version == version + 1
        x.floor_divide_(lib.tensor(DIVISORS))
        if lib is torch:
            expected = x.numpy()
    np.testing.assert_array_equal(host(x), expected)


# --- every new primitive against central differences, to the second order -------------------------------------
def _leaf(values):
    return minigrad.tensor(values, dtype=minigrad.float64, requires_grad=True)


PRIMITIVES = {
    "expm1": (lambda a: a.expm1(), [VALUES]), "log2": (lambda a: a.log2(), [POSITIVE]),
    "log10": (lambda a: a.log10(), [POSITIVE]), "reciprocal": (lambda a: a.reciprocal(), [POSITIVE]),
    "rsqrt": (lambda a: a.rsqrt(), [POSITIVE]), "tan": (lambda a: a.tan(), [VALUES / 3]),
    "atan": (lambda a: a.atan(), [VALUES]), "asin": (lambda a: a.asin(), [POSITIVE * 0.9]),
    "acos": (lambda a: a.acos(), [-POSITIVE * 0.9]), "atan2": (lambda a, b: a.atan2(b), [VALUES, VALUES[::-1]]),
    "logaddexp": (lambda a, b: a.logaddexp(b), [VALUES, VALUES[::-1]]),
    "fmod": (lambda a, b: a.fmod(b), [VALUES * 3, VALUES[::-1] + 0.1]),
    "remainder": (lambda a, b: a.remainder(b), [VALUES * 3, VALUES[::-1] + 0.1]),
    "floor_divide (zero slope)": (lambda a, b: a.floor_divide(b) * b + a, [VALUES * 3, VALUES[::-1] + 0.1]),
    "sign and round (zero slope)": (lambda a: a.sign() * a + a.round(decimals=1), [VALUES]),
    "lerp": (lambda a, b, w: a.lerp(b, w), [VALUES, VALUES[::-1], VALUES / 2]),
    "addcmul, addcdiv": (lambda a, b, c: a.addcmul(b, c, value=0.5) + a.addcdiv(b, c.abs() + 1), [VALUES] * 3),
    "frac, nan_to_num": (lambda a: a.frac() * a.nan_to_num(), [VALUES]),
}


@pytest.mark.parametrize("name", sorted(PRIMITIVES))
def test_new_ops_pass_gradcheck_and_gradgradcheck(name):
    function, arrays = PRIMITIVES[name]
    assert minigrad.gradcheck(function, [_leaf(a.copy()) for a in arrays])
    assert minigrad.gradcheck(function, [_leaf(a.copy()) for a in arrays], check_forward_ad=True,
                              check_backward_ad=False)
    assert minigrad.autograd.gradgradcheck(function, [_leaf(a.copy()) for a in arrays])
