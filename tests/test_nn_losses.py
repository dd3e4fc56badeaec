"""minigrad.nn's losses against torch: values and gradients (float64) for every reduction and option, gradcheck
of each composite, stability at extreme logits against exact values, the loss modules, and torch's errors."""

import math
import warnings

import numpy as np
import pytest

import minigrad
from conftest import host
from torch_oracle import Fixed, compare, raises_like_torch

REDUCTIONS = ["mean", "sum", "none"]
CLASS_SHAPES = [(6, 4), (3, 4, 2, 2), (4,)]
CLASS_SHAPE_IDS = ["N,C", "N,C,d1,d2", "C"]


def class_problem(shape, seed, ignore_index=None):
    """Logits, class-index targets (some equal to ``ignore_index`` when given) and positive class weights."""
    rng = np.random.default_rng(seed)
    classes = shape[0 if len(shape) == 1 else 1]
    target_shape = () if len(shape) == 1 else (shape[0],) + shape[2:]
    target = rng.integers(0, classes, target_shape)
    if ignore_index is not None and target.ndim:
        target.reshape(-1)[::3] = ignore_index
    elif ignore_index is not None:  # a single target is kept: ignoring it leaves nothing to average
        target = np.array((ignore_index + 1) % classes)
    return rng.standard_normal(shape) * 2, target, rng.uniform(0.5, 2.0, classes)


def probability_problem(shape, seed):
    """Logits and target distributions over the class dimension (soft labels)."""
    rng = np.random.default_rng(seed)
    class_dim = 0 if len(shape) == 1 else 1
    scores = rng.standard_normal(shape)
    target = np.exp(scores) / np.exp(scores).sum(axis=class_dim, keepdims=True)
    return rng.standard_normal(shape) * 2, target, rng.uniform(0.5, 2.0, shape[class_dim])


# --- class-index targets -----------------------------------------------------------------------------------
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("ignore", [False, True], ids=["all-counted", "some-ignored"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("shape", CLASS_SHAPES, ids=CLASS_SHAPE_IDS)
def test_nll_loss_matches_torch(shape, weighted, ignore, reduction):
    ignore_index = 1 if ignore else -100
    logits, target, weight = class_problem(shape, 0, ignore_index if ignore else None)
    log_probs = logits - np.log(np.exp(logits).sum(axis=0 if len(shape) == 1 else 1, keepdims=True))
    compare(lambda lib, x, t, w: lib.nn.functional.nll_loss(x, t, weight=w, ignore_index=ignore_index,
                                                            reduction=reduction),
            log_probs, target, Fixed(weight) if weighted else None)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("label_smoothing", [0.0, 0.25])
@pytest.mark.parametrize("ignore", [False, True], ids=["all-counted", "some-ignored"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("shape", CLASS_SHAPES, ids=CLASS_SHAPE_IDS)
def test_cross_entropy_with_class_indices_matches_torch(shape, weighted, ignore, label_smoothing, reduction):
    ignore_index = 1 if ignore else -100
    logits, target, weight = class_problem(shape, 1, ignore_index if ignore else None)
    compare(lambda lib, x, t, w: lib.nn.functional.cross_entropy(
        x, t, weight=w, ignore_index=ignore_index, reduction=reduction, label_smoothing=label_smoothing),
        logits, target, Fixed(weight) if weighted else None)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("label_smoothing", [0.0, 0.3])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("shape", CLASS_SHAPES, ids=CLASS_SHAPE_IDS)
def test_cross_entropy_with_probability_targets_matches_torch(shape, weighted, label_smoothing, reduction):
    logits, target, weight = probability_problem(shape, 2)
    # the target is differentiated too: soft labels produced by another model (distillation) get gradients
    compare(lambda lib, x, q, w: lib.nn.functional.cross_entropy(x, q, weight=w, reduction=reduction,
                                                                 label_smoothing=label_smoothing),
            logits, target, Fixed(weight) if weighted else None)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # NumPy warns about the 0/0 that torch computes silently
@pytest.mark.parametrize("loss", ["nll_loss", "cross_entropy"])
def test_every_target_ignored_gives_nan_mean_and_zero_sum_like_torch(loss):
    logits = np.random.default_rng(3).standard_normal((3, 4))
    target = np.full(3, -100)
    for reduction in REDUCTIONS:
        compare(lambda lib, x, t: getattr(lib.nn.functional, loss)(x, t, reduction=reduction), logits, target)


def test_uint8_targets_are_class_indices_like_torch():
    logits, target, _ = class_problem((5, 3), 4)
    compare(lambda lib, x, t: lib.nn.functional.cross_entropy(x, t), logits, target.astype(np.uint8))


def test_weighted_mean_is_sum_of_weighted_losses_over_sum_of_target_weights():
    # an independent hand-written oracle for the weighted mean, with one ignored target
    logits, target, weight = class_problem((5, 3), 5)
    target[2] = -100
    log_probs = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    valid = target != -100
    picked = -log_probs[np.arange(5)[valid], target[valid]]
    expected = (weight[target[valid]] * picked).sum() / weight[target[valid]].sum()
    loss = minigrad.nn.functional.cross_entropy(minigrad.tensor(logits), minigrad.tensor(target),
                                                weight=minigrad.tensor(weight))
    np.testing.assert_allclose(loss.item(), expected, rtol=1e-13)


# --- binary cross-entropy ----------------------------------------------------------------------------------
BINARY_WEIGHTS = [None, (4,), (3, 4)]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weight_shape", BINARY_WEIGHTS, ids=["no-weight", "weight-per-column", "weight-per-element"])
def test_binary_cross_entropy_matches_torch(weight_shape, reduction):
    rng = np.random.default_rng(6)
    probs, target = rng.uniform(0.02, 0.98, (3, 4)), rng.uniform(0, 1, (3, 4))
    target[0] = [0.0, 1.0, 0.0, 1.0]
    weight = None if weight_shape is None else Fixed(rng.uniform(0.5, 2, weight_shape))
    compare(lambda lib, p, t, w: lib.nn.functional.binary_cross_entropy(p, t, weight=w, reduction=reduction),
            probs, target, weight)


def test_binary_cross_entropy_clamps_the_logs_at_minus_100_like_torch():
    probs, target = np.array([0.0, 1.0, 0.0, 1.0, 1e-50]), np.array([0.0, 1.0, 1.0, 0.0, 1.0])
    loss = compare(lambda lib, p, t: lib.nn.functional.binary_cross_entropy(p, t, reduction="none"),
                   Fixed(probs), Fixed(target))
    np.testing.assert_array_equal(host(loss), [0.0, 0.0, 100.0, 100.0, 100.0])


def test_binary_cross_entropy_gradient_at_saturated_probabilities_is_finite():
    # At p = 0 or 1 the gradient is that of the clamped formula: the true derivative 1/(1-p) or -1/p where the
    # log is not clamped, 0 where it is. (torch's kernel divides by max(p(1-p), 1e-12) and gives 0 and ±1e12.)
    probs = minigrad.tensor(np.array([0.0, 1.0, 0.0, 1.0]), requires_grad=True)
    target = minigrad.tensor(np.array([0.0, 1.0, 1.0, 0.0]))
    minigrad.nn.functional.binary_cross_entropy(probs, target, reduction="sum").backward()
    np.testing.assert_array_equal(host(probs.grad), [1.0, -1.0, 0.0, 0.0])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weight_shape", BINARY_WEIGHTS, ids=["no-weight", "weight-per-column", "weight-per-element"])
@pytest.mark.parametrize("pos_weight", [False, True], ids=["", "pos_weight"])
def test_binary_cross_entropy_with_logits_matches_torch(pos_weight, weight_shape, reduction):
    rng = np.random.default_rng(7)
    logits, target = rng.standard_normal((3, 4)) * 3, rng.uniform(0, 1, (3, 4))
    target[0] = [0.0, 1.0, 1.0, 0.0]
    logits[0, 0] = 0.0  # where |x| has a kink: the gradient must still be σ(0) - t
    weight = None if weight_shape is None else Fixed(rng.uniform(0.5, 2, weight_shape))
    compare(lambda lib, x, t, w, pw: lib.nn.functional.binary_cross_entropy_with_logits(
        x, t, weight=w, reduction=reduction, pos_weight=pw),
        logits, target, weight, Fixed(rng.uniform(0.5, 3, 4)) if pos_weight else None)


EXTREME_LOGITS = np.array([1000.0, -1000.0, 1000.0, -1000.0, 30.0, -30.0, 30.0, -30.0, 20.0, -20.0, 0.0, 0.0])
EXTREME_TARGETS = np.array([1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0])


def softplus(x: float) -> float:
    """log(1 + e^x), exactly rounded (math.log1p of a number that does not overflow)."""
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x))


def test_binary_cross_entropy_with_logits_is_exact_at_extreme_logits():
    x = minigrad.tensor(EXTREME_LOGITS, requires_grad=True)
    with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
        warnings.simplefilter("error")
        loss = minigrad.nn.functional.binary_cross_entropy_with_logits(x, minigrad.tensor(EXTREME_TARGETS),
                                                                       reduction="none")
        loss.sum().backward()
    # loss = softplus(-x) for t = 1 and softplus(x) for t = 0; its gradient is σ(x) - t
    expected = [softplus(-v) if t else softplus(v) for v, t in zip(EXTREME_LOGITS, EXTREME_TARGETS)]
    np.testing.assert_allclose(host(loss), expected, rtol=1e-15)
    # σ(x) - 1 = -σ(-x), written so that nothing cancels
    gradient = [-sigmoid(-v) if t else sigmoid(v) for v, t in zip(EXTREME_LOGITS, EXTREME_TARGETS)]
    np.testing.assert_allclose(host(x.grad), gradient, rtol=1e-15)


def test_binary_cross_entropy_with_logits_at_extreme_logits_matches_torch():
    # torch computes (1-t)·x - log σ(x), which cancels for t = 0, x = -30 (|error| ~ ulp(30)): hence the atol
    compare(lambda lib, x, t: lib.nn.functional.binary_cross_entropy_with_logits(x, t, reduction="none"),
            EXTREME_LOGITS, EXTREME_TARGETS, rtol=1e-12, atol=1e-14)


# --- regression --------------------------------------------------------------------------------------------
def regression_problem(seed):
    """Inputs and targets with one exact tie (d = 0) and differences of exactly ±0.5 and ±1 (branch borders)."""
    rng = np.random.default_rng(seed)
    input, target = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    target[0] = input[0] + np.array([0.0, 0.5, -1.0, 1.0])
    return input, target, rng.uniform(0.5, 2.0, (3, 4))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("loss", ["mse_loss", "l1_loss"])
def test_mse_and_l1_losses_match_torch(loss, weighted, reduction):
    input, target, weight = regression_problem(8)
    compare(lambda lib, a, b, w: getattr(lib.nn.functional, loss)(a, b, reduction=reduction, weight=w),
            input, target, Fixed(weight) if weighted else None)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("beta", [0.0, 0.5, 1.0, 2.0])
def test_smooth_l1_loss_matches_torch(beta, reduction):
    input, target, _ = regression_problem(9)
    compare(lambda lib, a, b: lib.nn.functional.smooth_l1_loss(a, b, reduction=reduction, beta=beta), input, target)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("delta", [0.5, 1.0, 2.0])
def test_huber_loss_matches_torch(delta, weighted, reduction):
    input, target, weight = regression_problem(10)
    compare(lambda lib, a, b, w: lib.nn.functional.huber_loss(a, b, reduction=reduction, delta=delta, weight=w),
            input, target, Fixed(weight) if weighted else None)


def test_regression_target_of_another_shape_is_broadcast_with_torch_warning():
    input, target, _ = regression_problem(11)
    with pytest.warns(UserWarning, match="different to the input size"):
        minigrad.nn.functional.mse_loss(minigrad.tensor(input), minigrad.tensor(target[0]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compare(lambda lib, a, b: lib.nn.functional.mse_loss(a, b), input, target[0])


def test_legacy_size_average_and_reduce_pick_the_reduction_with_a_warning():
    logits, target, _ = class_problem((5, 3), 12)
    for legacy, reduction in [({"size_average": False}, "sum"), ({"reduce": False}, "none"),
                              ({"size_average": True, "reduce": True}, "mean")]:
        with pytest.warns(UserWarning, match=f"reduction='{reduction}'"):
            minigrad.nn.functional.cross_entropy(minigrad.tensor(logits), minigrad.tensor(target), **legacy)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compare(lambda lib, x, t: lib.nn.functional.cross_entropy(x, t, **legacy), logits, target)
        with pytest.warns(UserWarning):
            assert minigrad.nn.CrossEntropyLoss(**legacy).reduction == reduction


# --- gradcheck of the composites ---------------------------------------------------------------------------
def leaf(array):
    return minigrad.tensor(np.asarray(array, dtype=np.float64), requires_grad=True)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_gradcheck_cross_entropy_weighted_smoothed_with_ignored_targets(reduction):
    logits, target, weight = class_problem((3, 4, 2), 13, ignore_index=2)
    target, weight = minigrad.tensor(target), minigrad.tensor(weight)
    assert minigrad.gradcheck(lambda x: minigrad.nn.functional.cross_entropy(
        x, target, weight=weight, ignore_index=2, reduction=reduction, label_smoothing=0.1), (leaf(logits),))


def test_gradcheck_cross_entropy_with_probability_targets_in_both_arguments():
    logits, target, weight = probability_problem((3, 4), 14)
    weight = minigrad.tensor(weight)
    assert minigrad.gradcheck(lambda x, q: minigrad.nn.functional.cross_entropy(x, q, weight=weight,
                                                                                label_smoothing=0.2),
                              (leaf(logits), leaf(target)))


def test_gradcheck_weighted_nll_loss():
    logits, target, weight = class_problem((5, 3), 15, ignore_index=0)
    target, weight = minigrad.tensor(target), minigrad.tensor(weight)
    assert minigrad.gradcheck(lambda x: minigrad.nn.functional.nll_loss(x, target, weight=weight, ignore_index=0),
                              (leaf(logits),))


def test_gradcheck_binary_cross_entropy_in_input_target_and_weight():
    rng = np.random.default_rng(16)
    assert minigrad.gradcheck(
        lambda p, t, w: minigrad.nn.functional.binary_cross_entropy(p, t, weight=w, reduction="sum"),
        (leaf(rng.uniform(0.1, 0.9, (2, 3))), leaf(rng.uniform(0, 1, (2, 3))), leaf(rng.uniform(0.5, 2, 3))))


def test_gradcheck_binary_cross_entropy_with_logits_including_zero_logits():
    rng = np.random.default_rng(17)
    logits = rng.standard_normal((2, 3)) * 4
    logits[0, 0] = 0.0
    assert minigrad.gradcheck(
        lambda x, t, pw: minigrad.nn.functional.binary_cross_entropy_with_logits(x, t, pos_weight=pw),
        (leaf(logits), leaf(rng.uniform(0, 1, (2, 3))), leaf(rng.uniform(0.5, 2, 3))))


@pytest.mark.parametrize("loss", [
    lambda a, b: minigrad.nn.functional.l1_loss(a, b),
    lambda a, b: minigrad.nn.functional.smooth_l1_loss(a, b, beta=0.7),
    lambda a, b: minigrad.nn.functional.huber_loss(a, b, delta=0.7),
    lambda a, b: minigrad.nn.functional.mse_loss(a, b, weight=minigrad.ones(3, 4, dtype=minigrad.float64) * 2),
], ids=["l1", "smooth_l1", "huber", "weighted-mse"])
def test_gradcheck_regression_losses(loss):
    rng = np.random.default_rng(18)
    # differences kept away from 0 and ±0.7, where the losses have kinks and central differences straddle them
    difference = rng.choice([-1, 1], (3, 4)) * rng.uniform(0.1, 0.6, (3, 4))
    difference[0] = [-1.5, 1.2, 0.9, -2.0]
    target = rng.standard_normal((3, 4))
    assert minigrad.gradcheck(loss, (leaf(target + difference), leaf(target)))


# --- loss modules ------------------------------------------------------------------------------------------
def module_cases():
    """(id, make(lib, weight), input, target): each loss module with every option set away from its default."""
    logits, target, weight = class_problem((4, 3, 2), 19, ignore_index=1)
    log_probs = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    probs, binary = np.random.default_rng(20).uniform(0.05, 0.95, (2, 3)), np.array([[0.0, 1, 1], [1, 0, 0.5]])
    regression, regression_target, _ = regression_problem(21)
    return [
        ("NLLLoss", lambda lib, w: lib.nn.NLLLoss(weight=w, ignore_index=1, reduction="sum"), log_probs, target,
         weight),
        ("CrossEntropyLoss", lambda lib, w: lib.nn.CrossEntropyLoss(weight=w, ignore_index=1, reduction="mean",
                                                                    label_smoothing=0.1), logits, target, weight),
        ("BCELoss", lambda lib, w: lib.nn.BCELoss(weight=w, reduction="none"), probs, binary, weight),
        ("BCEWithLogitsLoss", lambda lib, w: lib.nn.BCEWithLogitsLoss(weight=w, pos_weight=w * 2),
         probs * 10 - 5, binary, weight),
        ("MSELoss", lambda lib, w: lib.nn.MSELoss(reduction="sum"), regression, regression_target, None),
        ("L1Loss", lambda lib, w: lib.nn.L1Loss(reduction="none"), regression, regression_target, None),
        ("SmoothL1Loss", lambda lib, w: lib.nn.SmoothL1Loss(beta=0.5), regression, regression_target, None),
        ("HuberLoss", lambda lib, w: lib.nn.HuberLoss(reduction="sum", delta=0.5), regression, regression_target,
         None),
    ]


@pytest.mark.parametrize("name, make, input, target, weight", module_cases(), ids=[c[0] for c in module_cases()])
def test_loss_modules_match_torch(name, make, input, target, weight):
    torch = pytest.importorskip("torch")
    compare(lambda lib, x, t, w: make(lib, w)(x, t), input, target, None if weight is None else Fixed(weight))
    with_weight = [lib.tensor(weight) if weight is not None else None for lib in (minigrad, torch)]
    ours, theirs = make(minigrad, with_weight[0]), make(torch, with_weight[1])
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())  # class weights are buffers


def test_loss_module_weights_move_with_the_module():
    loss = minigrad.nn.CrossEntropyLoss(weight=minigrad.ones(3)).double()
    assert loss.weight.dtype == minigrad.float64


# --- errors, with torch's exception types ------------------------------------------------------------------
LOGITS, TARGET = np.random.default_rng(22).standard_normal((4, 3)), np.array([0, 2, 1, 0])
PROBS, BINARY = np.full((2, 3), 0.5), np.ones((2, 3))


@pytest.mark.parametrize("call, args", [
    (lambda lib, x, t: lib.nn.functional.nll_loss(x, t), (LOGITS, TARGET.astype(np.float64))),
    (lambda lib, x, t: lib.nn.functional.nll_loss(x, t), (LOGITS, TARGET.astype(np.int32))),
    (lambda lib, x, t: lib.nn.functional.cross_entropy(x, t), (LOGITS, np.ones((4, 2)))),
    (lambda lib, x, t: lib.nn.functional.cross_entropy(x, t), (LOGITS, TARGET[:3])),
    (lambda lib, x, t: lib.nn.functional.cross_entropy(x, t), (np.zeros((2, 3, 4)), np.zeros((2, 5), np.int64))),
    (lambda lib, x, t: lib.nn.functional.cross_entropy(x, t), (LOGITS, TARGET[:, None])),
    (lambda lib, x, t: lib.nn.functional.cross_entropy(x, t), (LOGITS, np.array([0, 3, 1, 0]))),
    (lambda lib, x, t: lib.nn.functional.nll_loss(x, t), (LOGITS, np.array([0, -2, 1, 0]))),
    (lambda lib, x, t: lib.nn.functional.nll_loss(x, t), (np.array(1.0), np.array(0))),
    (lambda lib, x, t: lib.nn.functional.nll_loss(x, t), (np.ones((4, 3), np.int64), TARGET)),
    (lambda lib, x, t, w: lib.nn.functional.nll_loss(x, t, weight=w), (LOGITS, TARGET, np.ones(2))),
    (lambda lib, x, t, w: lib.nn.functional.cross_entropy(x, t, weight=w), (LOGITS, TARGET, np.ones(3, np.float32))),
    (lambda lib, x, t: lib.nn.functional.cross_entropy(x, t, ignore_index=1), (LOGITS, np.full((4, 3), 1 / 3))),
    (lambda lib, x, t: lib.nn.functional.cross_entropy(x, t), (LOGITS, np.ones((4, 3), np.int64))),
    (lambda lib, x, t: lib.nn.functional.cross_entropy(x, t, label_smoothing=1.5), (LOGITS, TARGET)),
    (lambda lib, p, t: lib.nn.functional.binary_cross_entropy(p, t), (PROBS, BINARY[:, :2])),
    (lambda lib, p, t: lib.nn.functional.binary_cross_entropy(p, t), (PROBS * 3, BINARY)),
    (lambda lib, p, t: lib.nn.functional.binary_cross_entropy(p, t), (PROBS, BINARY * 2)),
    (lambda lib, p, t: lib.nn.functional.binary_cross_entropy(p, t), (PROBS, BINARY.astype(np.int64))),
    (lambda lib, p, t: lib.nn.functional.binary_cross_entropy(p, t), (PROBS, BINARY.astype(np.float32))),
    (lambda lib, p, t, w: lib.nn.functional.binary_cross_entropy(p, t, weight=w), (PROBS, BINARY, np.ones(2))),
    (lambda lib, x, t: lib.nn.functional.binary_cross_entropy_with_logits(x, t), (PROBS, BINARY[0])),
    (lambda lib, x, t: lib.nn.functional.binary_cross_entropy_with_logits(x, t), (PROBS, BINARY.astype(np.int64))),
    (lambda lib, x, t, pw: lib.nn.functional.binary_cross_entropy_with_logits(x, t, pos_weight=pw),
     (PROBS, BINARY, np.ones(2))),
    (lambda lib, a, b: lib.nn.functional.mse_loss(a, b), (PROBS, np.ones(2))),
    (lambda lib, a, b, w: lib.nn.functional.mse_loss(a, b, weight=w), (PROBS, BINARY, np.ones(3))),
    (lambda lib, a, b: lib.nn.functional.mse_loss(a, b), (np.ones(3, np.int64), np.ones(3, np.int64))),
    (lambda lib, a, b: lib.nn.functional.smooth_l1_loss(a, b, beta=-1.0), (PROBS, BINARY)),
    (lambda lib, a, b: lib.nn.functional.huber_loss(a, b, delta=0.0), (PROBS, BINARY)),
], ids=["float-target", "int32-target", "2d-float-target", "batch-size", "spatial-shape", "extra-target-dim",
        "class-too-large", "class-negative", "0d-input", "integer-input", "weight-shape", "weight-dtype",
        "probabilities-with-ignore_index", "integer-probabilities", "label_smoothing-above-1", "bce-shape",
        "bce-input-range", "bce-target-range", "bce-integer-target", "bce-target-dtype", "bce-weight-shape",
        "logits-shape", "logits-integer-target", "pos_weight-shape", "mse-broadcast", "mse-weight-shape",
        "mse-integers", "smooth_l1-negative-beta", "huber-zero-delta"])
def test_bad_arguments_raise_like_torch(call, args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch and minigrad warn before refusing a broadcast
        error = raises_like_torch(call, *args)
    assert "expected" in str(error)


@pytest.mark.parametrize("loss", ["nll_loss", "cross_entropy", "binary_cross_entropy",
                                  "binary_cross_entropy_with_logits", "mse_loss", "l1_loss", "smooth_l1_loss",
                                  "huber_loss"])
def test_unknown_reduction_is_a_value_error_like_torch(loss):
    args = (LOGITS, TARGET) if loss in ("nll_loss", "cross_entropy") else (PROBS, BINARY)
    error = raises_like_torch(lambda lib, x, t: getattr(lib.nn.functional, loss)(x, t, reduction="average"), *args)
    assert "average" in str(error)
