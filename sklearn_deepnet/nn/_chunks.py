"""Chunked elementwise updates: an in-place kernel run over flat arrays chunk by chunk, in cache.

An update such as Adam's makes ten passes over its arrays; done a chunk at a time, the chunk of
every array stays in the core's L2 cache across the passes, so main memory sees each array read
(and written) about once. The scratch space is one chunk. The optimizers' steps and the
objective's weight decay use these helpers.
"""

import numpy as np

CHUNK_BYTES = 2**18
"""Bytes of each array in one chunk of an elementwise update."""


def chunk_buffer(buffer, like):
    """A chunk-sized scratch array in ``like``'s dtype: ``buffer`` again when it fits.

    Parameters
    ----------
    buffer : ndarray or None
        The scratch array used last time, if any.
    like : ndarray
        A flat array of the updates' size and dtype.

    Returns
    -------
    buffer : ndarray
        ``min(like.size, CHUNK_BYTES / itemsize)`` elements of ``like.dtype``.
    """
    size = min(like.size, max(1, CHUNK_BYTES // like.itemsize))
    if buffer is None or buffer.size != size or buffer.dtype != like.dtype:
        return np.empty(size, dtype=like.dtype)
    return buffer


def chunked_update(kernel, arrays, work):
    """Run ``kernel(*slices, work)`` chunk by chunk over equal-sized flat arrays.

    Parameters
    ----------
    kernel : callable
        In-place elementwise update of its array arguments; the last one is scratch space.
    arrays : sequence of ndarray
        1-D arrays of one size, cut into consecutive chunks of ``work.size`` elements.
    work : ndarray
        Scratch space, from :func:`chunk_buffer`.
    """
    size, step = arrays[0].size, work.size
    if size <= step:
        kernel(*arrays, work[:size])
        return
    for start in range(0, size, step):
        stop = min(start + step, size)
        kernel(*[array[start:stop] for array in arrays], work[: stop - start])
