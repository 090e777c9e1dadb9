"""Threads and asyncio tasks sharing leaves: no gradient is lost, no mode leaks."""

import asyncio
import sys
import threading

import numpy as np
import pytest

import autograd_lite as al
from autograd_lite import Tensor


@pytest.fixture
def eager_thread_switches():
    """Switch threads as often as possible, so that a read-modify-write race shows up."""
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(old)


def test_threads_accumulating_into_one_leaf_lose_nothing(eager_thread_switches):
    # big enough that numpy releases the GIL inside t.grad + g, as in real training
    x = Tensor(np.ones(100_000), requires_grad=True)
    start = threading.Barrier(4)

    def worker():
        start.wait()
        for _ in range(50):
            al.sum(x).backward()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    np.testing.assert_array_equal(x.grad, np.full(100_000, 200.0))


def test_threads_with_their_own_graphs_on_shared_parameters(eager_thread_switches):
    W = Tensor(np.full((2, 3), 0.5), requires_grad=True)
    X = np.arange(12.0).reshape(3, 4) / 10
    expected = np.zeros((2, 3))
    for k in range(4):
        expected += 25 * np.ones((2, 4)) * (k + 1) @ X.T

    def worker(k):
        for _ in range(25):
            ((W @ X) * float(k + 1)).sum().backward()
            al.draw  # noqa: B018  (graphs kept for drawing are pushed out concurrently)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    np.testing.assert_allclose(W.grad, expected)


def test_asyncio_tasks_accumulate_and_keep_their_own_grad_mode():
    x = Tensor(2.0, requires_grad=True)

    async def training(n):
        for _ in range(n):
            (x * x).backward()
            await asyncio.sleep(0)

    async def evaluating(seen):
        with al.no_grad():
            for _ in range(10):
                seen.append((x * 3).requires_grad)
                await asyncio.sleep(0)

    async def main():
        seen = []
        await asyncio.gather(training(30), training(20), evaluating(seen))
        return seen

    seen = asyncio.run(main())
    assert x.grad == 50 * 4.0
    assert seen == [False] * 10 and al.is_grad_enabled()


def test_in_place_updates_from_one_thread_are_refused_by_anothers_backward():
    W = Tensor(np.ones(2), requires_grad=True)
    cost = (W * W).sum()
    updated = threading.Event()

    def updater():
        nonlocal W
        with al.no_grad():
            W -= 0.1  # the shared leaf, in place
        updated.set()

    threading.Thread(target=updater).start()
    updated.wait(5)
    with pytest.raises(RuntimeError, match="changed in place"):
        cost.backward()
