"""PyTensor's ``pytensor.utils`` constants that scripts and tests read."""

#: the bits of the integer type a python ``int`` gets (``shared(7)`` is ``int64``, ``lscalar``)
#: on every platform
PYTHON_INT_BITWIDTH = 64

__all__ = ["PYTHON_INT_BITWIDTH"]
