"""PyTensor 3's path of :class:`~graph2jax.compile.monitormode.MonitorMode`."""

from graph2jax.compile.monitormode import MonitorMode

__all__ = ["MonitorMode"]
