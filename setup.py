"""Builds ixpready's one compiled module, `ixpready._kernels`, from src/ixpready/_kernels*.c
(their declarations in _kernels.h).

Everything else is declared in pyproject.toml. The module is optional: without a C compiler
the install still succeeds and ixpready runs its Python references (`ixpready.kernels`), with
the same results, slower. The sources' digest is compiled in, so a module built from other
versions of the files is never used: `ixpready.kernels.source_digest` computes the same digest
(tests/test_kernels.py checks they agree).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from setuptools import Extension, setup

FOLDER = Path("src/ixpready")
SOURCES = sorted([*FOLDER.glob("_kernels*.c"), *FOLDER.glob("_kernels*.h")])


def source_digest(sources: list[Path]) -> str:
    """SHA-256 over each source's name and bytes, in name order (as `kernels.source_digest`)."""
    digest = hashlib.sha256()
    for source in sorted(sources, key=lambda path: path.name):
        digest.update(source.name.encode() + b"\0" + source.read_bytes() + b"\0")
    return digest.hexdigest()


setup(
    ext_modules=[
        Extension(
            "ixpready._kernels",
            [str(source) for source in SOURCES if source.suffix == ".c"],
            define_macros=[("IXPREADY_KERNELS_SOURCE", f'"{source_digest(SOURCES)}"')],
            # the twins compute as Python does: no pow(x, 2) -> x * x, no fused multiply-add
            extra_compile_args=["-O2", "-Wall", "-Werror", "-fno-builtin-pow", "-ffp-contract=off"],
            optional=True,
        )
    ]
)
