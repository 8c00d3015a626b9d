#!/usr/bin/env python3
"""Compiles every ```c example in the library's doc comments, so the API
reference never shows code that does not build.

Usage: compile-doc-examples.py SOURCE... -- COMPILER [ARG...]

Each example becomes the body of a function whose parameters are the
placeholders the examples use (``samples``, ``n_bytes``), compiled with
-fsyntax-only; a call with a missing argument or an unknown function fails.
"""

import re
import subprocess
import sys
import tempfile

PROLOGUE = """#include <audiocast/audiocast.h>
void doc_example (const guint8 *samples, gsize n_bytes);
void doc_example (const guint8 *samples, gsize n_bytes)
{
"""


def examples(path):
    text = open(path, encoding="utf-8").read()
    for comment in re.findall(r"/\*\*.*?\*/", text, re.S):
        lines = [re.sub(r"^\s*\* ?", "", line) for line in comment.splitlines()]
        body = "\n".join(lines)
        for code in re.findall(r"```c\n(.*?)```", body, re.S):
            yield code


def main(argv):
    split = argv.index("--")
    sources, compiler = argv[:split], argv[split + 1:]
    failures = checked = 0
    for path in sources:
        for code in examples(path):
            checked += 1
            with tempfile.NamedTemporaryFile("w", suffix=".c") as f:
                f.write(PROLOGUE + code + "}\n")
                f.flush()
                r = subprocess.run(
                    compiler + ["-fsyntax-only", "-Werror",
                                "-Wno-unused-variable", f.name],
                    capture_output=True, text=True)
            if r.returncode != 0:
                failures += 1
                print(f"{path}: this example does not compile:\n{code}\n"
                      f"{r.stderr}")
    print(f"{checked} examples compiled, {failures} failed")
    if checked == 0:
        print("no examples found")
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
