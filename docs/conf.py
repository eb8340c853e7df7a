"""Sphinx configuration of fastnn's documentation site.

Build it (from the repository root, against an installed or in-place built
fastnn) with ``tools/build_docs.sh``, i.e.
``python -m sphinx -W --keep-going -b html docs docs/_build/html``.

The user guide is the repository's own Markdown (README.md, ARCHITECTURE.md,
CONTRIBUTING.md and docs/*.md) read by myst-parser; the pages under guide/
include the root-level files, and ``_rewrite_links`` turns their
repository-relative links into links between the site's pages.
"""
import os
import posixpath
import re

import fastnn

DOCS = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(DOCS)

project = "fastnn"
author = "the fastnn developers"
copyright = "the fastnn developers"
release = version = fastnn.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "myst_parser",
    "matplotlib.sphinxext.plot_directive",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build"]
html_theme = "alabaster"
html_theme_options = {"description": "Fast MLP training on the CPU", "page_width": "1100px"}
html_static_path = []

# ---- API reference (autodoc + numpydoc) ----
autodoc_member_order = "bysource"
autodoc_typehints = "none"            # the numpydoc sections carry the types
autosummary_generate = False          # api/*.rst document every name by hand
numpydoc_show_class_members = False   # methods are listed by autoclass :members:
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
# Every public function and method documents exactly its parameters: a
# parameter added without a line in the docstring fails the build (-W).
numpydoc_validation_checks = {"PR01", "PR02", "GL08"}
numpydoc_validation_exclude = {
    r"^fastnn\.reference\.",          # the twins: "see fastnn.ops.X"
    r"\.__init__$",                   # documented in the class docstring
    r"^fastnn\.io\.register$",        # numpydoc drops a first argument named cls
}

# ---- user guide (myst-parser) ----
myst_heading_anchors = 3
myst_enable_extensions = ["colon_fence"]

# ---- examples (matplotlib's plot directive runs docs/examples/*.py at build time) ----
plot_include_source = True
plot_html_show_source_link = False
plot_html_show_formats = False
plot_formats = [("png", 90)]
plot_rcparams = {"figure.figsize": (6.4, 4.0)}

# Pages of the site that the Markdown sources link to by repository path.
PAGES = {
    "README.md": "guide/overview",
    "ARCHITECTURE.md": "guide/architecture",
    "CONTRIBUTING.md": "guide/contributing",
}
PAGES.update({"docs/" + f: f[:-3] for f in os.listdir(DOCS) if f.endswith(".md")})
_LINK = re.compile(r"(!?)\[([^\]]*)\]\(([^)\s]+)\)")


def _rewrite_links(text, source, docname):
    """Markdown links of the repository file ``source`` (relative to the
    repository root), shown as the page ``docname``: a link to a file that
    is a page of the site points to that page, one to a file under docs/
    (an image) points to it from the page, and any other link to a file of
    the repository becomes its plain text (it is not part of the site)."""
    here = posixpath.dirname(source)
    page_dir = posixpath.dirname("docs/" + docname)

    def repl(match):
        bang, label, target = match.groups()
        if re.match(r"[a-z]+:|#", target):
            return match.group(0)
        path, _, anchor = target.partition("#")
        path = posixpath.normpath(posixpath.join(here, path))
        if path in PAGES:
            page = "docs/" + PAGES[path] + ".md"
        elif path.startswith("docs/") and os.path.exists(os.path.join(REPO, path)):
            page = path
        else:
            return label
        new = posixpath.relpath(page, page_dir) + ("#" + anchor if anchor else "")
        return "%s[%s](%s)" % (bang, label, new)
    return _LINK.sub(repl, text)


def _on_source_read(app, docname, source):
    if "docs/%s.md" % docname in PAGES:  # docs/*.md, read in place
        source[0] = _rewrite_links(source[0], "docs/%s.md" % docname, docname)


def _on_include_read(app, relative_path, parent_docname, content):
    # relative_path is relative to docs/; the guide/ pages include root files
    path = posixpath.normpath(posixpath.join("docs", str(relative_path).replace(os.sep, "/")))
    if path.endswith(".md"):
        content[0] = _rewrite_links(content[0], path, app.env.docname)


def setup(app):
    app.connect("source-read", _on_source_read)
    app.connect("include-read", _on_include_read)
