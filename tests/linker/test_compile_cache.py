"""The compile cache across processes: hits skip tracing, stale and corrupt entries never serve."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import jax
import numpy as np
import pytest

import graph2jax as g
import graph2jax.tensor as gt
from graph2jax.config import config
from graph2jax.linker import compile_cache

ROOT = Path(__file__).resolve().parents[2]


def build(offset: float = 1.0, profile: bool = True):
    """A function with a donated update and a static input (a reshape's length)."""
    x, n = gt.dvector("x"), gt.lscalar("n")
    w = g.shared(np.ones(4), name="w")
    f = g.function(
        [x, n],
        (x.reshape((n, -1)) * w.reshape((n, -1))).sum(axis=1) + offset,
        updates=[(w, w * 0.5 + x)],
        profile=profile,
    )
    return f, w


def expected(offset: float, n: int, x: np.ndarray) -> np.ndarray:
    return (x.reshape(n, -1) * np.ones(4).reshape(n, -1)).sum(axis=1) + offset


def entries(directory: Path) -> list[Path]:
    return sorted((directory / compile_cache.SUBDIR).glob("*.jaxexe"))


@pytest.fixture
def cache_dir(tmp_path):
    with config.change_flags(compile_cache_dir=str(tmp_path)):
        yield tmp_path


X = np.arange(4.0)


def test_a_second_function_of_the_same_graph_loads_instead_of_tracing(cache_dir):
    f, w = build()
    np.testing.assert_allclose(f(X, 2), expected(1.0, 2, X))
    assert (f.profile.cache_hits, f.profile.cache_misses) == (0, 1)
    assert f.maker.linked().trace_count == 1 and len(entries(cache_dir)) == 1
    f2, w2 = build()
    np.testing.assert_allclose(f2(X, 2), expected(1.0, 2, X))
    np.testing.assert_allclose(w2.get_value(), 0.5 + X)  # the update ran, through donation
    np.testing.assert_allclose(f2(X, 2), (X.reshape(2, -1) * (0.5 + X).reshape(2, -1)).sum(1) + 1)
    assert f2.maker.linked().trace_count == 0 and f2.maker.linked().compile_count == 0
    assert (f2.profile.cache_hits, f2.profile.cache_misses) == (1, 0)
    assert f2.profile.cache_load_time > 0
    # another static value is another executable, compiled and stored
    np.testing.assert_allclose(f2(X, 4), X * (0.25 + 1.5 * X) + 1)
    assert f2.maker.linked().trace_count == 1 and len(entries(cache_dir)) == 2


def test_a_second_process_hits(cache_dir):
    f, _ = build()
    f(X, 2)
    script = textwrap.dedent(
        f"""
        import json
        from graph2jax.config import config
        config.compile_cache_dir = {str(cache_dir)!r}
        from tests.linker.test_compile_cache import build, X
        f, w = build()
        print(json.dumps([f(X, 2).tolist(), w.get_value().tolist(),
                          f.maker.linked().trace_count, f.profile.cache_hits]))
        """
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    result, new_w, traces, hits = json.loads(out.stdout.splitlines()[-1])
    np.testing.assert_allclose(result, expected(1.0, 2, X))
    np.testing.assert_allclose(new_w, 0.5 + X)
    assert (traces, hits) == (0, 1)


def test_a_changed_graph_misses(cache_dir):
    build()[0](X, 2)
    f, _ = build(offset=2.0)
    np.testing.assert_allclose(f(X, 2), expected(2.0, 2, X))
    assert (f.profile.cache_hits, f.profile.cache_misses) == (0, 1)
    assert len(entries(cache_dir)) == 2


def test_another_jax_version_misses(cache_dir, monkeypatch):
    build()[0](X, 2)
    monkeypatch.setattr(compile_cache, "jax_version", lambda: "0.0.1-another")
    f, _ = build()
    np.testing.assert_allclose(f(X, 2), expected(1.0, 2, X))
    assert f.profile.cache_misses == 1 and f.maker.linked().trace_count == 1


@pytest.mark.parametrize("damage", [b"not a pickle", None])
def test_a_corrupt_or_truncated_entry_recompiles_and_is_replaced(cache_dir, damage):
    build()[0](X, 2)
    (entry,) = entries(cache_dir)
    data = entry.read_bytes()
    entry.write_bytes(damage if damage is not None else data[: len(data) // 2])
    f, _ = build()
    np.testing.assert_allclose(f(X, 2), expected(1.0, 2, X))
    assert f.profile.cache_misses == 1 and f.maker.linked().trace_count == 1
    assert entry.read_bytes() != damage and len(entry.read_bytes()) > len(data) // 2
    f3, _ = build()
    f3(X, 2)
    assert f3.profile.cache_hits == 1  # the replaced entry serves


def test_entries_beyond_the_size_limit_are_evicted_least_recently_used_first(cache_dir):
    f, _ = build()
    f(X, 2)
    (first,) = entries(cache_dir)
    os.utime(first, (1, 1))  # long unused
    size = first.stat().st_size
    with config.change_flags(compile_cache_size_mb=1.5 * size / 2**20):
        f2, _ = build()
        f2(X, 4)
    assert entries(cache_dir) != [first] and len(entries(cache_dir)) == 1


def test_off_by_default_and_unkeyable_graphs_are_not_cached(tmp_path):
    assert config.compile_cache_dir is None
    f, _ = build(profile=False)
    assert f.maker.linked()._cache is None
    with pytest.raises(compile_cache.Unkeyable):
        compile_cache.stable_text(object())


def test_stable_text_tells_apart_closures_over_different_values():
    def make(k):
        return lambda v: v * k

    assert compile_cache.stable_text(make(2)) != compile_cache.stable_text(make(3))
    assert compile_cache.stable_text(make(2)) == compile_cache.stable_text(make(2))
    assert compile_cache.stable_text(np.arange(3)) != compile_cache.stable_text(np.arange(4))


def test_another_jax_flag_or_xla_flags_misses(cache_dir, monkeypatch):
    build()[0](X, 2)
    with jax.numpy_rank_promotion("warn"):
        f, _ = build()
        f(X, 2)
    monkeypatch.setenv("XLA_FLAGS", "--xla_cpu_enable_fast_math=false")
    f2, _ = build()
    f2(X, 2)
    assert (f.profile.cache_misses, f2.profile.cache_misses) == (1, 1)
    assert len(entries(cache_dir)) == 3


def test_an_abandoned_half_write_is_cleaned_up(cache_dir):
    build()[0](X, 2)
    folder = cache_dir / compile_cache.SUBDIR
    stale, fresh = folder / "old.tmp", folder / "new.tmp"
    stale.write_bytes(b"half")
    fresh.write_bytes(b"half")
    os.utime(stale, (1, 1))
    compile_cache.evict(folder, 2**30)
    assert not stale.exists() and fresh.exists()  # a recent one may be a write in progress
    assert len(entries(cache_dir)) == 1
