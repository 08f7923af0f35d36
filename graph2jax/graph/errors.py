"""Exceptions raised while building and compiling graphs."""

from __future__ import annotations

from typing import Any


class MissingInputError(Exception):
    """An output depends on a free variable that is not among the function's inputs."""

    def __init__(self, message: str, variable: Any = None):
        super().__init__(message)
        self.variable = variable


class UnusedInputError(Exception):
    """An input of ``function`` is not used by any output or update (``on_unused_input='raise'``)."""


class ShapeMismatchError(ValueError, TypeError):
    """A call's values whose shapes the compiled graph cannot take, found when it runs.

    A dot of incompatible shapes, an impossible reshape, a ragged nested list
    as an argument: PyTensor (numpy) raises ``ValueError`` there, JAX raises
    ``TypeError`` while tracing. This is both, so code written for either catches it.
    """


class TestValueError(Exception):
    """A variable has no test value (``x.tag.test_value``), as PyTensor 2.x's."""

    __test__ = False  # a name starting with "Test": not a test class for pytest
