"""What two table-driven sweeps found, one of numpy's surface on Tensors and one of
PyTorch's Tensor API against torch: each a silent wrong answer or a crash with the wrong
advice before its fix, checked here against numpy's own result (computed on the same
arrays) or PyTorch's documented rule, and gradients against central differences."""

import numpy as np
import pytest

import autograd_lite as al


def _central_differences(f, x, eps=1e-6):
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[i] += eps
        down[i] -= eps
        g[i] = (f(up) - f(down)) / (2 * eps)
    return g


@pytest.mark.parametrize("low, high", [(np.nan, 1.0), (0.0, np.nan), (np.nan, np.nan),
                                       (np.array([np.nan, 0.0, 0.0]), 1.0),
                                       (np.array([0.0, 0.0, np.nan]),
                                        np.array([1.0, np.nan, 1.0]))])
def test_clip_with_a_nan_bound_is_numpys_nan(low, high):
    # np.clip(t, nan, 1) gave [-1, 0.5, 1], the NaN bound ignored; numpy's is NaN
    x = np.array([-1.0, 0.5, 2.0])
    expected = np.clip(x, low, high)
    with np.errstate(invalid="ignore"):
        for got in (np.clip(al.tensor(x), low, high), al.clip(al.tensor(x), low, high)):
            np.testing.assert_array_equal(got.data, expected)  # (NaN where numpy's is NaN)


def test_clip_with_tensor_bounds_keeps_its_gradients():
    x = al.tensor([-1.0, 0.5, 2.0], requires_grad=True)
    low = al.tensor([0.0, 0.0, 0.0], requires_grad=True)
    high = al.tensor(1.0, requires_grad=True)
    (al.clip(x, low, high) * np.array([1.0, 2.0, 3.0])).sum().backward()
    assert x.grad.tolist() == [0.0, 2.0, 0.0] and low.grad.tolist() == [1.0, 0.0, 0.0]
    assert high.grad.item() == 3.0


def test_float16_mean_sums_in_float32_as_numpy_does():
    # np.mean(al.tensor(a)) of 1,000 float16 entries of 100 was inf: the sum overflowed
    a = np.full(1000, 100, np.float16)
    for got in (np.mean(al.tensor(a)), al.tensor(a).mean(), al.mean(al.tensor(a), axis=0)):
        assert got.dtype == np.float16 and got.item() == np.mean(a) == 100.0
    b = np.full((2, 1000), 60, np.float16)
    t = al.tensor(b, requires_grad=True)
    m = t.mean(axis=1, keepdims=True)
    np.testing.assert_array_equal(m.data, np.mean(b, axis=1, keepdims=True))
    m.sum().backward()
    assert t.grad.dtype == np.float16 and np.allclose(t.grad, 1 / 1000, rtol=1e-3)


@pytest.mark.parametrize("value, shape", [(0.5, (1, 2)), (4.0, (2, 3)), (7.0, (2, 3)),
                                          (0.0, (2, 2, 2)), (np.float32(5.0), (2, 3))])
def test_in_is_numpys_any_entry_equal(value, shape):
    # 0.5 in al.tensor([[0.5, 1.0]]) raised "truth value ... ambiguous"
    data = np.arange(np.prod(shape), dtype=float).reshape(shape) * 0.5
    assert (value in al.tensor(data)) == (value in data)


def test_in_is_refused_while_tracing_as_other_value_reads_are():
    f = al.compile(lambda x: (x * 2).sum() if 1.0 in x else x.sum())
    with pytest.raises(al.TraceError, match="v in t"):
        f(al.tensor([1.0, 2.0], requires_grad=True))


def test_contiguous_then_view_is_pytorchs_attention_idiom():
    # k.transpose(1, 2).contiguous().view(2, 12) raised "write t.reshape(...)":
    # contiguous() was t itself, still laid out as the transpose
    rng = np.random.default_rng(0)
    data, w = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 12))
    k = al.tensor(data, requires_grad=True)
    v = k.transpose(1, 2).contiguous().view(2, 12)
    np.testing.assert_array_equal(v.data, data.transpose(0, 2, 1).reshape(2, 12))
    (v * w).sum().backward()
    expected = _central_differences(
        lambda d: (d.transpose(0, 2, 1).reshape(2, 12) * w).sum(), data)
    np.testing.assert_allclose(k.grad, expected, rtol=1e-7, atol=1e-9)
    assert k[:, ::2].contiguous().view(-1).shape == (16,)
    c = al.tensor(data)
    assert c.contiguous() is c  # laid out already: t itself, as PyTorch's
    view = c.contiguous().view(6, 4)
    view[0, 0] = 99.0  # a view of c: the write reaches it
    assert c.data[0, 0, 0] == 99.0
