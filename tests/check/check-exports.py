#!/usr/bin/python3
"""The shared library exports its documented public API and nothing else.

Usage: check-exports.py LIBRARY GIR

Every function symbol that `nm -D` lists as defined in LIBRARY must be a
function, method, constructor or type getter of the GIR (so it is in a
public header with a doc comment); every function of the GIR must be
exported; and every symbol the GIR documents must carry a `Since:` tag (the
GIR's `version` attribute). Prints what is wrong and exits 1, else 0.
"""

import subprocess
import sys
import xml.etree.ElementTree as ET

CORE = "{http://www.gtk.org/introspection/core/1.0}"
C = "{http://www.gtk.org/introspection/c/1.0}"
GLIB = "{http://www.gtk.org/introspection/glib/1.0}"
CALLABLES = ("function", "method", "constructor")
DOCUMENTED = CALLABLES + ("class", "record", "enumeration", "bitfield",
                          "constant", "property", "signal")


def exported_functions(library):
    out = subprocess.run(["nm", "-D", "--defined-only", library],
                         check=True, capture_output=True, text=True).stdout
    return {line.split()[2] for line in out.splitlines()
            if len(line.split()) == 3 and line.split()[1] == "T"}


def gir_symbols(gir):
    """(function symbols, [names of documented items without a version])"""
    root = ET.parse(gir).getroot()
    namespace = root.find(CORE + "namespace")
    functions, unversioned = set(), []
    for parent in namespace.iter():
        for child in parent:
            kind = child.tag.replace(CORE, "").replace(GLIB, "")
            if kind in CALLABLES:
                functions.add(child.get(C + "identifier"))
            # class structs come from G_DECLARE_FINAL_TYPE, not a comment
            struct_of = child.get(GLIB + "is-gtype-struct-for")
            if kind in DOCUMENTED and child.get("introspectable") != "0" \
                    and struct_of is None and child.get("version") is None:
                owner = parent.get("name", "")
                unversioned.append(f"{kind} {owner}.{child.get('name')}"
                                   if parent is not namespace
                                   else f"{kind} {child.get('name')}")
            type_getter = child.get(GLIB + "get-type")
            if type_getter and type_getter != "intern":
                functions.add(type_getter)
    return functions, unversioned


def main():
    library, gir = sys.argv[1:3]
    exported = exported_functions(library)
    public, unversioned = gir_symbols(gir)
    problems = []
    for name in sorted(exported - public):
        problems.append(f"exported but not public API (no doc comment in a "
                        f"public header's source, or not in a public header): "
                        f"{name}")
    for name in sorted(public - exported):
        problems.append(f"public API that the library does not export "
                        f"(missing AUDIO_CAST_AVAILABLE_IN_*): {name}")
    for item in unversioned:
        problems.append(f"documented without a Since: tag: {item}")
    for p in problems:
        print(p)
    print(f"{len(exported)} functions exported, {len(public)} in the GIR, "
          f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
