#!/usr/bin/env python3
"""Checks that src/README.md's module table is true of the code.

    scripts/check_includes.py [ROOT]        # ROOT: the source tree (default: this script's repository)
    scripts/check_includes.py --self-test   # proves the check fails on planted violations

Rules (src/README.md, "may depend on"):
  - every folder under src/ has a row, and every row a folder;
  - a row names only folders above it (dependencies point one way);
  - an `#include "F/..."` in folder M names a folder F that M's row names, or that those rows name,
    transitively; likewise for the third-party libraries in LIBRARIES (`#include <fmt/...>` needs fmt
    in the closure); a row's "tests: a, b" part adds folders and libraries for its tests only
    (*_test.cc, *test_util.h); GoogleTest is for tests only; the `cli` row says "everything";
  - CMakeLists.txt's `interdict_module(M DEPS ...)` names the same src/ folders as M's row.
Exit 0 when all hold; otherwise 1, one line per violation naming the file, the include and the row.
Run by ctest (include_check, include_check_self_test) and so by scripts/test.sh.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

# Include path prefix -> the library name a row uses for it. Headers not listed (the C++ and C
# standard libraries, POSIX) need no row.
LIBRARIES = {
    "fmt/": "fmt",
    "zlib.h": "zlib",
    "absl/": "abseil",
    "nlohmann/": "nlohmann_json",
    "toml++/": "toml++",
    "sqlite3.h": "SQLite",
    "xgboost/": "xgboost",
    "fast_float/": "fast_float",
    "CLI/": "CLI11",
    "httplib.h": "cpp-httplib",
    "sodium.h": "libsodium",
}
TEST_ONLY = ("gtest/", "gmock/", "benchmark/")

ROW = re.compile(r"^\|\s*`([a-z_]+)/`\s*\|.*\|\s*([^|]*?)\s*\|\s*$")
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
MODULE = re.compile(r"^\s*interdict_module\(\s*(\w+)\s+DEPS\s+([^)]*)\)", re.M)


def parse_table(readme):
    """[(folder, deps, test_deps)] in table order; deps: list of names, or None for "everything"."""
    rows = []
    with open(readme, encoding="utf-8") as f:
        for line in f:
            m = ROW.match(line)
            if not m:
                continue
            main, _, tests = m.group(2).partition(";")
            tests = tests.strip()
            if tests and not tests.startswith("tests:"):
                raise SystemExit(f"{readme}: row {m.group(1)}: after ';' only 'tests: ...' is understood")
            split = lambda s: [x.strip() for x in s.split(",") if x.strip()]
            deps = None if main.strip() == "everything" else split(main)
            rows.append((m.group(1), deps, split(tests[len("tests:"):]) if tests else []))
    return rows


def is_test(name):
    return name.endswith("_test.cc") or name.endswith("test_util.h")


def check(root):
    errors = []
    src = os.path.join(root, "src")
    readme = os.path.join(src, "README.md")
    rows = parse_table(readme)
    order = {name: i for i, (name, _, _) in enumerate(rows)}
    table = {name: (deps, tests) for name, deps, tests in rows}
    folders = sorted(d for d in os.listdir(src) if os.path.isdir(os.path.join(src, d)))
    for d in folders:
        if d not in table:
            errors.append(f"src/{d}/: no row in src/README.md")
    for name, deps, tests in rows:
        if name not in folders:
            errors.append(f"src/README.md: row {name}/ names no folder under src/")
        for dep in (deps or []) + tests:
            if dep in order and order[dep] >= order[name]:
                errors.append(f"src/README.md: row {name}/ names {dep}, which is not above it")

    def closure(names):
        seen, todo = set(), list(names)
        while todo:
            n = todo.pop()
            if n in seen:
                continue
            seen.add(n)
            if n in table and table[n][0] is not None:
                todo.extend(table[n][0])
        return seen

    for d in folders:
        if d not in table or table[d][0] is None:
            continue
        deps, tests = table[d]
        allowed = closure(deps)
        allowed_tests = closure(deps + tests)
        for fname in sorted(os.listdir(os.path.join(src, d))):
            if not fname.endswith((".h", ".cc")):
                continue
            test = is_test(fname)
            ok = allowed_tests if test else allowed
            path = os.path.join(src, d, fname)
            with open(path, encoding="utf-8", errors="replace") as f:
                for lineno, line in enumerate(f, 1):
                    m = INCLUDE.match(line)
                    if not m:
                        continue
                    inc = m.group(2)
                    close = ">" if m.group(1) == "<" else '"'
                    where = f"src/{d}/{fname}:{lineno}: #include {m.group(1)}{inc}{close}"
                    if m.group(1) == '"':
                        head = inc.split("/", 1)[0] if "/" in inc else None
                        if head is None or head == d:
                            continue
                        if head not in folders:
                            errors.append(f"{where}: no folder src/{head}/")
                        elif head not in ok:
                            errors.append(f"{where}: row {d}/ does not name {head}/ (may depend on: "
                                          f"{', '.join(deps + [f'tests: {t}' for t in tests]) or 'nothing'})")
                        continue
                    if inc.startswith(TEST_ONLY):
                        if not test:
                            errors.append(f"{where}: a test library outside a test file")
                        continue
                    for prefix, lib in LIBRARIES.items():
                        if inc.startswith(prefix) and lib not in ok:
                            errors.append(f"{where}: row {d}/ does not name {lib}")

    with open(os.path.join(root, "CMakeLists.txt"), encoding="utf-8") as f:
        cmake = f.read()
    declared = set()
    for m in MODULE.finditer(cmake):
        name = m.group(1)
        declared.add(name)
        cm = sorted(x[len("interdict_"):] for x in m.group(2).split() if x.startswith("interdict_"))
        if name not in table:
            errors.append(f"CMakeLists.txt: interdict_module({name}) has no row in src/README.md")
            continue
        row = sorted(x for x in (table[name][0] or []) if x in table)
        if cm != row:
            errors.append(f"CMakeLists.txt: interdict_module({name} DEPS) names {cm or 'no module'}; "
                          f"its row in src/README.md names {row or 'none'}")
    for name, deps, _ in rows:
        if deps is not None and name not in declared:
            errors.append(f"src/README.md: row {name}/ has no interdict_module({name} ...) in CMakeLists.txt")
    return errors


def self_test(root):
    """The check passes on a copy of the tree and fails on each planted violation."""
    def run(tree):
        return subprocess.run([sys.executable, os.path.abspath(__file__), tree],
                              capture_output=True, text=True)

    def plant(tree, rel, text, mode="a"):
        with open(os.path.join(tree, rel), mode, encoding="utf-8") as f:
            f.write(text)

    def rows_edit(tree, old, new):
        p = os.path.join(tree, "src", "README.md")
        with open(p, encoding="utf-8") as f:
            s = f.read()
        assert old in s, old
        with open(p, "w", encoding="utf-8") as f:
            f.write(s.replace(old, new, 1))

    plants = [
        ("base includes engine", lambda t: plant(t, "src/base/planted_violation.h",
                                                  '#pragma once\n#include "engine/engine.h"\n', "w"),
         "src/base/planted_violation.h:2"),
        ("model includes a library its rows do not name",
         lambda t: plant(t, "src/model/planted_violation.cc", "#include <sqlite3.h>\n", "w"),
         "does not name SQLite"),
        ("a row names a folder below it", lambda t: rows_edit(t, "| base |", "| base, engine |"),
         "names engine, which is not above it"),
        ("CMake and the table disagree", lambda t: plant(t, "CMakeLists.txt",
                                                         "\ninterdict_module(planted DEPS interdict_base)\n"),
         "interdict_module(planted) has no row"),
    ]
    failures = []
    with tempfile.TemporaryDirectory(prefix="include-check-") as tmp:
        for what, edit, needle in [("unchanged", None, None)] + plants:
            tree = os.path.join(tmp, "tree")
            shutil.rmtree(tree, ignore_errors=True)
            shutil.copytree(os.path.join(root, "src"), os.path.join(tree, "src"))
            shutil.copy(os.path.join(root, "CMakeLists.txt"), tree)
            if edit:
                edit(tree)
            r = run(tree)
            if edit is None and r.returncode != 0:
                failures.append(f"the unchanged copy fails:\n{r.stdout}{r.stderr}")
            elif edit is not None and (r.returncode != 1 or needle not in r.stdout):
                failures.append(f"planted '{what}': exit {r.returncode}, expected 1 with '{needle}':\n"
                                f"{r.stdout}{r.stderr}")
            else:
                print(f"ok: {what}" + (f" -> {r.stdout.splitlines()[0]}" if edit else ""))
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


def main():
    args = sys.argv[1:]
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if args and args[0] == "--self-test":
        return self_test(args[1] if len(args) > 1 else here)
    root = args[0] if args else here
    errors = check(root)
    for e in errors:
        print(e)
    if errors:
        print(f"{len(errors)} violation(s) of src/README.md's module table", file=sys.stderr)
        return 1
    print("include check: every #include under src/ follows src/README.md's table")
    return 0


if __name__ == "__main__":
    sys.exit(main())
