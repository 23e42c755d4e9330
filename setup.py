"""Builds ixpready's one compiled module, `ixpready._kernels` (src/ixpready/_kernels.c).

Everything else is declared in pyproject.toml. The module is optional: without a C compiler
the install still succeeds and ixpready runs its Python references (`ixpready.kernels`), with
the same results, slower. The source's SHA-256 is compiled in, so a module built from another
version of the file is never used (`ixpready.kernels` checks it).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from setuptools import Extension, setup

SOURCE = Path("src/ixpready/_kernels.c")

setup(
    ext_modules=[
        Extension(
            "ixpready._kernels",
            [str(SOURCE)],
            define_macros=[
                ("IXPREADY_KERNELS_SOURCE", f'"{hashlib.sha256(SOURCE.read_bytes()).hexdigest()}"')
            ],
            extra_compile_args=["-O2", "-Wall", "-Werror"],
            optional=True,
        )
    ]
)
