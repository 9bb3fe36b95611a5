#!/usr/bin/env python3
"""Runs the command examples of README.md and docs/*.md and compares their output.

    tests/docs/docs_examples_test.py STACKC_BINARY     (from the repository root)

In a fenced code block, a line `$ stackc ARGS` is a command and the lines after it, up to
the next `$ ` line or the end of the block, are what it prints (standard output and
standard error together), compared exactly. `$ ` lines of other programs (`$ cd local &&
docker compose up`) are documentation and are not run.

Each command runs through `sh` with the binary as `stackc` on PATH, in a fresh folder that
holds copies of the files beside this script (the files the examples name, such as
readme.stack) and links to the repository's examples/, tests/ and stdlib/; the standard
library is given as `stdlib`, so notes cite `stdlib/service.stack` as a user's would.

An HTML comment on the line before a block changes how it is checked:
    <!-- docs-test: known to differ until issue N -->   run and shown, not counted as a failure
    <!-- docs-test: skip: REASON -->                    not run (say why)
Also checks that the keyword list of docs/language.md is the lexer's (src/syntax/lex.c),
and that it lists every built-in function of src/sema/builtins.c.
Prints one line per command and `N passed, N failed`; exits 1 when any failed.
"""
import difflib
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
MARKER = re.compile(r"<!--\s*docs-test:\s*(.*?)\s*-->")


def documents():
    docs = os.path.join(ROOT, "docs")
    names = ["README.md"] + sorted(
        os.path.join("docs", n) for n in os.listdir(docs) if n.endswith(".md"))
    return names


def examples(relpath):
    """Yields (line, marker, command, expected) for each `$ stackc` command of a document."""
    with open(os.path.join(ROOT, relpath), encoding="utf-8") as f:
        lines = f.read().split("\n")
    i = 0
    while i < len(lines):
        if not lines[i].lstrip().startswith("```"):
            i += 1
            continue
        indent = len(lines[i]) - len(lines[i].lstrip())  # a block inside a list item
        marker = None
        if i > 0:
            m = MARKER.search(lines[i - 1])
            marker = m.group(1) if m else None
        end = i + 1
        while end < len(lines) and not lines[end].lstrip().startswith("```"):
            end += 1
        block = [text[indent:] for text in lines[i + 1:end]]
        commands = [k for k, text in enumerate(block) if text.startswith("$ ")]
        for n, k in enumerate(commands):
            stop = commands[n + 1] if n + 1 < len(commands) else len(block)
            command = block[k][2:]
            if command.startswith("stackc ") or command == "stackc":
                yield i + 2 + k, marker, command, "\n".join(block[k + 1:stop])
        i = end + 1


def workspace(binary):
    work = tempfile.mkdtemp(prefix="stackc-docs-")
    for name in os.listdir(HERE):
        path = os.path.join(HERE, name)
        if name.endswith(".py") or name == "__pycache__":
            continue
        if os.path.isdir(path):
            shutil.copytree(path, os.path.join(work, name))
        else:
            shutil.copy(path, work)
    for name in ("examples", "tests", "stdlib"):
        os.symlink(os.path.join(ROOT, name), os.path.join(work, name))
    bin_dir = os.path.join(work, ".bin")
    os.mkdir(bin_dir)
    os.symlink(os.path.abspath(binary), os.path.join(bin_dir, "stackc"))
    return work, bin_dir


def keywords_documented():
    """True when docs/language.md's `- Keywords:` list is exactly the lexer's keyword table."""
    with open(os.path.join(ROOT, "src", "syntax", "lex.c"), encoding="utf-8") as f:
        table = f.read().split("keywords[] = {", 1)[1].split("};", 1)[0]
    lexer = sorted(re.findall(r'\{"([a-z]+)",', table))
    with open(os.path.join(ROOT, "docs", "language.md"), encoding="utf-8") as f:
        text = f.read()
    listed = re.search(r"- Keywords: `([^`]*)`", text)
    documented = sorted(listed.group(1).split()) if listed else []
    if documented == lexer:
        print("ok   docs/language.md: the keyword list is the lexer's")
        return True
    print("FAIL docs/language.md: the keyword list is not the lexer's")
    print(f"     missing: {sorted(set(lexer) - set(documented))}")
    print(f"     not keywords: {sorted(set(documented) - set(lexer))}")
    return False


def builtins_documented():
    """True when every function of src/sema/builtins.c's table is in docs/language.md as
    `name(`: in the built-in functions table, or the tests' table for the test-only ones."""
    with open(os.path.join(ROOT, "src", "sema", "builtins.c"), encoding="utf-8") as f:
        table = re.findall(r'^    \{"([a-z_]+)",', f.read(), re.M)
    with open(os.path.join(ROOT, "docs", "language.md"), encoding="utf-8") as f:
        text = f.read()
    missing = sorted(name for name in table if f"`{name}(" not in text)
    if table and not missing:
        print("ok   docs/language.md: every built-in function is listed")
        return True
    print(f"FAIL docs/language.md: built-in functions not listed: {missing or 'none found'}")
    return False


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    passed = failed = known = 0
    for documented in (keywords_documented(), builtins_documented()):
        if documented:
            passed += 1
        else:
            failed += 1
    work, bin_dir = workspace(sys.argv[1])
    env = dict(os.environ, PATH=bin_dir + os.pathsep + os.environ.get("PATH", ""),
               STACKC_STDLIB="stdlib", LC_ALL="C")
    try:
        for doc in documents():
            for line, marker, command, expected in examples(doc):
                where = f"{doc}:{line}: $ {command}"
                if marker and marker.startswith("skip"):
                    print(f"skip {where} ({marker})")
                    continue
                run = subprocess.run(["sh", "-c", command], cwd=work, env=env,
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
                actual = run.stdout.decode("utf-8", "replace").rstrip("\n")
                if actual == expected:
                    passed += 1
                    note = f" (the marker '{marker}' can go now)" if marker else ""
                    print(f"ok   {where}{note}")
                    continue
                diff = "\n".join(difflib.unified_diff(
                    expected.split("\n"), actual.split("\n"), "documented", "printed",
                    lineterm=""))
                if marker and marker.startswith("known to differ"):
                    known += 1
                    print(f"KNOWN {where}: {marker}\n{diff}")
                else:
                    failed += 1
                    print(f"FAIL {where}\n{diff}")
    finally:
        shutil.rmtree(work)
    if known:
        print(f"{known} known to differ (not counted)")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
