"""The product's diagrams, decision tables and catalogue, shipped inside the package."""

from pathlib import Path

DIRECTORY = Path(__file__).resolve().parent

__all__ = ["DIRECTORY"]
