"""The TOML parser: ``tomllib`` from Python 3.11, ``tomli`` (the same parser) on 3.10."""

import sys

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

__all__ = ["tomllib"]
