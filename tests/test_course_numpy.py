"""The course's formulas written in plain numpy, exactly as a learner writes them, run on
Tensors: the engine's gradients must equal the course's hand-derived ones."""

import numpy as np

from autograd_lite import Tensor

RNG = np.random.default_rng(7)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def test_logistic_regression_cost_and_gradients():
    n_x, m = 4, 9
    X = RNG.standard_normal((n_x, m))
    Y = (RNG.random((1, m)) > 0.5).astype(float)
    w = Tensor(RNG.standard_normal((n_x, 1)) * 0.1, requires_grad=True)
    b = Tensor(0.3, requires_grad=True)

    # the learner's code, unchanged
    A = sigmoid(np.dot(w.T, X) + b)
    cost = -1 / m * np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A))
    cost = np.squeeze(cost)
    cost.backward()

    a = A.data
    dw = 1 / m * np.dot(X, (a - Y).T)
    db = 1 / m * np.sum(a - Y)
    np.testing.assert_allclose(w.grad, dw, rtol=1e-12)
    np.testing.assert_allclose(b.grad, db, rtol=1e-12)


def test_one_hidden_layer_tanh_network():
    n_x, n_h, n_y, m = 2, 4, 1, 11
    X = RNG.standard_normal((n_x, m))
    Y = (RNG.random((1, m)) > 0.5).astype(float)
    p = {"W1": RNG.standard_normal((n_h, n_x)) * 0.5, "b1": RNG.standard_normal((n_h, 1)),
         "W2": RNG.standard_normal((n_y, n_h)) * 0.5, "b2": RNG.standard_normal((n_y, 1))}
    T = {k: Tensor(v, requires_grad=True) for k, v in p.items()}

    Z1 = np.dot(T["W1"], X) + T["b1"]
    A1 = np.tanh(Z1)
    Z2 = np.dot(T["W2"], A1) + T["b2"]
    A2 = sigmoid(Z2)
    logprobs = np.multiply(np.log(A2), Y) + np.multiply(np.log(1 - A2), 1 - Y)
    cost = -np.sum(logprobs) / m
    cost.backward()

    a1, a2 = A1.data, A2.data
    dZ2 = a2 - Y
    dW2 = 1 / m * np.dot(dZ2, a1.T)
    db2 = 1 / m * np.sum(dZ2, axis=1, keepdims=True)
    dZ1 = np.multiply(np.dot(p["W2"].T, dZ2), 1 - np.power(a1, 2))
    dW1 = 1 / m * np.dot(dZ1, X.T)
    db1 = 1 / m * np.sum(dZ1, axis=1, keepdims=True)
    for k, hand in {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}.items():
        np.testing.assert_allclose(T[k].grad, hand, rtol=1e-10, err_msg=k)


def test_L_layer_forward_and_cost():
    dims = [5, 4, 3, 1]
    m = 8
    X = RNG.standard_normal((dims[0], m))
    Y = (RNG.random((1, m)) > 0.5).astype(float)
    params = {}
    for l in range(1, len(dims)):
        params["W" + str(l)] = RNG.standard_normal((dims[l], dims[l - 1])) / np.sqrt(dims[l - 1])
        params["b" + str(l)] = RNG.standard_normal((dims[l], 1)) * 0.1
    T = {k: Tensor(v, requires_grad=True) for k, v in params.items()}
    L = len(dims) - 1

    A = X
    caches = []
    for l in range(1, L):
        A_prev = A
        Z = np.dot(T["W" + str(l)], A_prev) + T["b" + str(l)]
        A = np.maximum(0, Z)
        caches.append((A_prev, Z))
    ZL = np.dot(T["W" + str(L)], A) + T["b" + str(L)]
    AL = sigmoid(ZL)
    caches.append((A, ZL))
    cost = (-1 / m) * np.sum(np.multiply(Y, np.log(AL)) + np.multiply(1 - Y, np.log(1 - AL)))
    cost.backward()

    # the course's L_model_backward, by hand
    grads = {}
    dZ = AL.data - Y
    for l in reversed(range(1, L + 1)):
        A_prev, Z = caches[l - 1]
        A_prev = np.asarray(A_prev)
        grads["dW" + str(l)] = 1 / m * np.dot(dZ, A_prev.T)
        grads["db" + str(l)] = 1 / m * np.sum(dZ, axis=1, keepdims=True)
        dA_prev = np.dot(params["W" + str(l)].T, dZ)
        if l > 1:
            dZ = np.array(dA_prev, copy=True)
            dZ[np.asarray(caches[l - 2][1]) <= 0] = 0
    for l in range(1, L + 1):
        np.testing.assert_allclose(T["W" + str(l)].grad, grads["dW" + str(l)], rtol=1e-10)
        np.testing.assert_allclose(T["b" + str(l)].grad, grads["db" + str(l)], rtol=1e-10)
