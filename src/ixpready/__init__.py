"""ixpready: does a country's domestic Internet traffic leave the country, and who should
join a national Internet exchange point? The public API is listed in `__all__`."""

from ixpready.errors import ExitCode, IxpreadyError

__version__ = "0.1.0"

__all__ = ["ExitCode", "IxpreadyError", "__version__"]
