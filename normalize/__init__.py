"""The normalizer: pure functions from a posting's text to the taxonomy's fields."""

from pathlib import Path

from normalize.native import activate

DATA_DIR = Path(__file__).resolve().parent / "data"
"""The taxonomy, credentials and vendored geography (beside this file, also when the modules
are the compiled copies in another folder)."""

activate(__path__)
