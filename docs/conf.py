"""Sphinx configuration for the batna documentation.

Build (warnings are errors)::

    sphinx-build -W --keep-going -b html docs docs/_build/html

or ``docs/build.sh``.  Pages are Markdown (MyST); the API reference is
generated from the numpy-style docstrings by autodoc, napoleon and autosummary.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # document the source tree, not an installed copy
sys.path.insert(0, str(Path(__file__).resolve().parent / "_ext"))  # local extensions (gallery)

import batna  # noqa: E402

project = "batna"
author = "The batna developers"
copyright = "The batna developers"
release = batna.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "gallery",  # docs/_ext/gallery.py: draws the gallery figures at build time
]

source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
root_doc = "index"
exclude_patterns = ["_build", "_gallery", "_ext", "examples", "Thumbs.db", ".DS_Store", "README.md"]
templates_path = ["_templates"]

# MyST: $...$ and $$...$$ maths, amsmath environments, heading anchors for links.
myst_enable_extensions = ["dollarmath", "amsmath", "deflist", "colon_fence"]
myst_heading_anchors = 3
myst_dmath_double_inline = True

# autodoc / napoleon / autosummary: numpy docstrings, one page per module.
autosummary_generate = True
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "show-inheritance": True}
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_ivar = True  # dataclass fields are documented once, by autodoc
napoleon_use_rtype = False

html_theme = "alabaster"
html_title = f"batna {release}"
html_static_path: list[str] = []
html_theme_options = {"description": "Sponsors, BATNAs and the zone of possible agreement"}

# Console examples show real output, which the console lexer cannot always tokenise
# (e.g. an apostrophe in BibTeX); the fallback highlighting is fine.
suppress_warnings = ["misc.highlighting_failure"]
