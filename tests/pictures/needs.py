"""Skip marks for what drawing needs beyond python: each reason says what to install.

Drawing needs the ``graphviz`` package (the ``viz`` extra) and Graphviz's ``dot``
program (Debian's ``graphviz``); the browser test needs Playwright (the ``browser``
extra) and Debian's ``chromium``. ``make test`` installs them all when it can (the
system packages with apt-get, as root); only where it cannot are the tests skipped.
"""

from __future__ import annotations

import importlib.util
import shutil

import pytest

GRAPHVIZ = pytest.mark.skipif(
    importlib.util.find_spec("graphviz") is None or shutil.which("dot") is None,
    reason="drawing needs the graphviz package (pip install -e '.[viz]') and Graphviz's dot "
    "program (apt-get install graphviz)",
)

CHROMIUM = "/usr/bin/chromium"

BROWSER = pytest.mark.skipif(
    importlib.util.find_spec("playwright") is None or shutil.which(CHROMIUM) is None,
    reason=f"the browser test needs playwright (pip install -e '.[browser]') and {CHROMIUM} "
    "(apt-get install chromium)",
)
