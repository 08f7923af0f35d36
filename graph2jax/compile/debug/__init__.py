"""PyTensor 3's ``pytensor.compile.debug`` paths: ``monitormode`` and ``profiling``."""
