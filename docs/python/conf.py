# Sphinx configuration of the audiocast Python API reference and guide.
#
# Built by `-Dpython-docs=enabled` (docs/meson.build), which runs
#   /usr/bin/python3 -m sphinx -W -b html docs/python OUTPUT
# with PYTHONPATH=python and GI_TYPELIB_PATH / LD_LIBRARY_PATH = build/gir:
# autodoc imports the package, which needs the AudioCast typelib. By hand:
#   GI_TYPELIB_PATH=build/gir LD_LIBRARY_PATH=build/gir PYTHONPATH=python \
#     /usr/bin/python3 -m sphinx -W -b html docs/python /tmp/audiocast-html

from __future__ import annotations

import importlib
import importlib.util
import inspect
from typing import Any, List

from docutils import nodes
from docutils.parsers.rst import Directive
from docutils.statemachine import StringList
from sphinx.util.nodes import nested_parse_with_titles

# Fails the build at once, with GI's own message, when the package or its
# typelib cannot be imported: every page below needs them.
audiocast = importlib.import_module("audiocast")

project = "audiocast"
copyright = "audiocast developers; LGPL-2.1-or-later"
author = "audiocast developers"
version = release = audiocast.__version__

extensions = ["sphinx.ext.autodoc"]

# The docstrings are reST (``code``, :class:, :meth:), with doctest blocks.
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
# what write() and play() take (see AudioPlayer.write), not the Any it is at
# run time
autodoc_type_aliases = {"AudioData": "AudioData"}
autodoc_default_options = {"members": True}
# `# doctest: +SKIP` and the like are not shown.
trim_doctest_flags = True

html_theme = "alabaster"
html_title = f"audiocast {release} for Python"
html_static_path: List[str] = []
html_show_sourcelink = False


class OptionalAutomodule(Directive):
    """``.. optional-automodule:: audiocast.pyaudio``: ``automodule`` with
    ``:members:`` when the module exists, else a note that this build has
    none. A module that exists but fails to import still fails the build
    (autodoc's warning, an error under -W)."""

    required_arguments = 1
    has_content = False

    def run(self) -> List[nodes.Node]:
        name = self.arguments[0]
        try:
            spec = importlib.util.find_spec(name)
        except ImportError:
            spec = None
        if spec is None:
            return [nodes.note("", nodes.paragraph(
                text=f"{name} is not part of this build of audiocast."))]
        container = nodes.Element()
        nested_parse_with_titles(
            self.state,
            StringList([f".. automodule:: {name}", "   :members:"],
                       self.state.document.current_source),
            container)
        return list(container.children)


def skip_class_aliases(app: Any, what: str, name: str, obj: Any, skip: bool,
                       options: Any) -> Any:
    """A class attribute that only names a module-level class (PyAudio's
    ``PyAudio.Stream``, which is ``audiocast.pyaudio.Stream``) is not
    documented a second time: the two descriptions would be duplicates."""
    if (what == "class" and inspect.isclass(obj) and obj.__name__ == name
            and "." not in obj.__qualname__):
        return True
    return None


def setup(app: Any) -> None:
    app.add_directive("optional-automodule", OptionalAutomodule)
    app.connect("autodoc-skip-member", skip_class_aliases)
