"""What an outside tester of al.compile found: replays that could give another answer than
eager autograd_lite, each now refused or made the same, bit for bit."""

import numpy as np
import pytest

import autograd_lite as al


def _dropout_cost(A, D):
    return ((A * D / 0.8) ** 2).mean()


@pytest.mark.parametrize("mask_dtype", [bool, np.uint8, np.int8, np.int16])
def test_an_int_or_bool_mask_with_float32_data_is_refused_not_widened(mask_dtype):
    # eager numpy keeps float32 * bool float32; the trace took the mask as float64
    rng = np.random.default_rng(0)
    A = al.Tensor(rng.standard_normal((4, 5)).astype(np.float32), requires_grad=True)
    D = (rng.random((4, 5)) < 0.8).astype(mask_dtype)
    assert _dropout_cost(A, D).dtype == np.float32
    with pytest.raises(TypeError, match=r"D is an int or bool array.*eager: float32, traced: "
                                        r"float64.*astype\(np.float32\)"):
        al.compile(_dropout_cost)(A, D)
    value, (dA, _) = al.compile(_dropout_cost)(A, D.astype(np.float32))  # as it says
    J = _dropout_cost(A, D)
    J.backward()
    assert value.dtype == np.float32 and value.tobytes() == J.data.tobytes()
    assert dA.tobytes() == A.grad.tobytes()


def test_an_int_or_bool_mask_with_float64_data_still_compiles_bit_for_bit():
    rng = np.random.default_rng(1)
    A = al.Tensor(rng.standard_normal((4, 5)), requires_grad=True)
    step = al.compile(_dropout_cost)
    for seed in range(3):  # replays with new masks
        D = np.random.default_rng(seed).random((4, 5)) < 0.8
        value, (dA, _) = step(A, D)
        A.grad = None
        J = _dropout_cost(A, D)
        J.backward()
        assert value.tobytes() == J.data.tobytes() and dA.tobytes() == A.grad.tobytes()
    assert step.trace_count == 1


def test_uint8_images_with_float32_weights_are_refused():
    rng = np.random.default_rng(2)
    X = rng.integers(0, 255, (3, 6)).astype(np.uint8)  # the cat pictures as stored
    W = al.Tensor(rng.standard_normal((2, 3)).astype(np.float32), requires_grad=True)
    with pytest.raises(TypeError, match="X is an int or bool array"):
        al.compile(lambda W, X: (W @ X).sum())(W, X)


def test_another_int_dtype_of_the_same_shape_is_another_trace():
    # int64 and int16 promote differently with float32: the trace of one is not the other's
    W = al.Tensor(np.ones((2, 3), np.float32), requires_grad=True)
    step = al.compile(lambda W, X: (W @ X).sum())
    X = np.arange(6).reshape(3, 2)
    step(W, X.astype(np.int64))  # float32 @ int64 is float64, eagerly too: compiles
    assert step.trace_count == 1
    with pytest.raises(TypeError, match="int or bool array"):
        step(W, X.astype(np.int16))


def test_binary_cross_entropy_checks_p_on_every_replay():
    step = al.compile(lambda p, y: al.binary_cross_entropy(p, y))
    y = np.array([1.0, 0.0, 1.0])
    step(al.Tensor([0.2, 0.4, 0.9], requires_grad=True), y)
    assert "probabilities(p)" in step.source  # the check, by a readable name
    with pytest.raises(ValueError, match=r"binary_cross_entropy: p holds values in "
                                         r"\[0.4, 1.5\]"):
        step(al.Tensor([1.5, 0.4, 0.9], requires_grad=True), y)
    with pytest.raises(ValueError, match=r"^binary_cross_entropy: p holds values"):  # eager
        al.binary_cross_entropy(al.Tensor([1.5, 0.4, 0.9], requires_grad=True), y)


def test_the_readmes_forgotten_sigmoid_is_refused_when_replayed():
    step = al.compile(lambda W, X, Y: al.binary_cross_entropy(W @ X, Y))
    X, Y = np.array([[0.1, 0.3]]), np.array([[1.0, 0.0]])
    step(al.Tensor([[1.0]], requires_grad=True), X, Y)  # p <= 0.3: traces
    with pytest.raises(ValueError, match="binary_cross_entropy_with_logits"):
        step(al.Tensor([[5.0]], requires_grad=True), X, Y)
