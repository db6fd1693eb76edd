"""The compiled code, set up by one loader: the search's hot loop, the sentence reading and the
coverage check, each in numba's subset of Python with a NumPy (or Python) twin. numba or NumPy
is chosen once per process, by `loader`."""

from . import coverage_kernel, kernel, sentence_kernel
from .sentence_kernel import select

__all__ = ["coverage_kernel", "kernel", "select", "sentence_kernel"]
