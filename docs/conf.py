"""Sphinx configuration of the sklearn_deepnet documentation (numpydoc, autosummary, gallery)."""

import os
import warnings

from threadpoolctl import threadpool_limits

import sklearn_deepnet
from sklearn_deepnet._docs import write_user_guide_tables

# The examples multiply small matrices, for which one BLAS thread is fastest, and steady when
# other processes share the cores (busy BLAS threads spin and slow each other down).
threadpool_limits(limits=1, user_api="blas")

project = "sklearn_deepnet"
author = "sklearn_deepnet developers"
copyright = "sklearn_deepnet developers"
release = sklearn_deepnet.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "**.ipynb_checkpoints", "user_guide/generated"]

# The user guide's tables of activations, solvers, schedules and initializers are rendered from
# the registries at every build, into git-ignored files that its pages include: a new registry
# entry appears in them with no page to edit.
write_user_guide_tables(os.path.join(os.path.dirname(os.path.abspath(__file__)), "user_guide",
                                     "generated"))
root_doc = "index"
default_role = "literal"
nitpicky = False

# -- autodoc / autosummary / numpydoc ---------------------------------------------------------
autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": True}
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_validation_checks = set()

# -- sphinx-gallery ---------------------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "doc_module": ("sklearn_deepnet",),
    "backreferences_dir": "generated/backreferences",
    "reference_url": {"sklearn_deepnet": None},
    "abort_on_example_error": True,
    "download_all_examples": False,
    "within_subsection_order": "FileNameSortKey",
    "image_scrapers": ("matplotlib",),
    "matplotlib_animations": False,
    "remove_config_comments": True,
}
# Examples run headless, and their ConvergenceWarnings are part of the lesson, not build noise.
os.environ.setdefault("MPLBACKEND", "Agg")
warnings.filterwarnings("ignore", category=UserWarning, message="Matplotlib is currently using agg")

# -- links to scikit-learn's documentation ----------------------------------------------------
# Docstrings inherited from scikit-learn (``score``, ``set_fit_request``, ...) refer to labels
# and glossary terms of scikit-learn's own documentation, and our pages name scikit-learn
# objects. Intersphinx would resolve them from scikit-learn's inventory, which an offline build
# cannot download, so the few targets used are mapped to their pages here.
SKLEARN_URL = "https://scikit-learn.org/stable/"
SKLEARN_LABELS = {
    "metadata_routing": "metadata_routing.html",
    "accuracy_score": "modules/model_evaluation.html#accuracy-score",
    "r2_score": "modules/model_evaluation.html#r2-score",
    "df_output_transform": "modules/df_output_transform.html",
    "sphx_glr_auto_examples_miscellaneous_plot_set_output.py":
        "auto_examples/miscellaneous/plot_set_output.html",
}


def _link_to_sklearn(app, env, node, contnode):
    """Resolve a reference our project cannot, when it points into scikit-learn's docs."""
    from docutils import nodes

    target = node.get("reftarget", "")
    domain, reftype = node.get("refdomain"), node.get("reftype")
    if domain == "std" and reftype == "ref" and target in SKLEARN_LABELS:
        uri = SKLEARN_URL + SKLEARN_LABELS[target]
    elif domain == "std" and reftype == "term":
        uri = f"{SKLEARN_URL}glossary.html#term-{target.lower().replace(' ', '-')}"
    elif domain == "py" and target.startswith("sklearn."):
        if reftype == "mod":
            uri = f"{SKLEARN_URL}api/{target}.html"
        else:
            uri = f"{SKLEARN_URL}modules/generated/{target}.html"
    else:
        return None
    reference = nodes.reference("", "", internal=False, refuri=uri)
    reference += contnode
    return reference


def setup(app):
    """Register the scikit-learn link resolver."""
    app.connect("missing-reference", _link_to_sklearn)


# -- HTML -------------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"sklearn_deepnet {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
}
html_static_path = []
html_show_sourcelink = False
