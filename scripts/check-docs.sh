#!/usr/bin/env bash
# Lists the public declarations that have no doc comment, so that none is added without one.
#
#   scripts/check-docs.sh [--cases] [--root DIR] [MODULE...]
#
# MODULE is a folder under Sources/ (of DIR; by default, of the package this script is in),
# e.g. KielIO KafkaProtocol; without any, every module there that has Swift files and is not
# an executable (no main.swift, no @main). Prints
# `file:line: declaration` for each one missing and exits 1 if there are any, else exits 0.
#
# What counts as public: a type, func, init, subscript, var, let, typealias or associated
# type marked `public` or `open` (in a type or in an extension), every requirement of a public
# protocol, and the members of a `public extension` that name no access level. A `public`
# member of a type that is not itself public is not: it is no more visible than its type.
# Enum cases are not checked unless `--cases` is given: a case's name often says it all
# (`.gzip`, `.connected`), and where it does not, the enum's comment is the place to say so.
#
# What counts as a doc comment: `///` lines or a `/** */` block directly above the
# declaration; attribute lines (`@inlinable`, `@available(...)`) may stand between them, a
# blank line or a plain `//` comment may not.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

exec python3 - "$ROOT" "$@" <<'PY'
import os
import re
import sys

root = sys.argv[1]
args = sys.argv[2:]
usage = "usage: scripts/check-docs.sh [--cases] [--root DIR] [MODULE...]"
check_cases = False
modules = []
while args:
    a = args.pop(0)
    if a == "--cases":
        check_cases = True
    elif a == "--root" and args:
        root = args.pop(0)
    elif a.startswith("-"):
        sys.exit(f"check-docs: unknown option {a}\n{usage}")
    else:
        modules.append(a)

sources = os.path.join(root, "Sources")


def swift_files(folder):
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        for name in sorted(filenames):
            if name.endswith(".swift"):
                yield os.path.join(dirpath, name)


def is_executable(folder):
    for path in swift_files(folder):
        if os.path.basename(path) == "main.swift":
            return True
        with open(path, encoding="utf-8") as f:
            if re.search(r"^\s*@main\b", f.read(), re.M):
                return True
    return False


if not modules:
    modules = sorted(
        name for name in os.listdir(sources)
        if os.path.isdir(os.path.join(sources, name))
        and any(True for _ in swift_files(os.path.join(sources, name)))
        and not is_executable(os.path.join(sources, name)))
for name in modules:
    if not os.path.isdir(os.path.join(sources, name)):
        sys.exit(f"check-docs: no module folder Sources/{name}")


def strip_code(lines):
    """Each line with comments and the insides of string literals removed, so that only
    code braces are counted (interpolations inside strings stay code)."""
    out = []
    # Stack of contexts: "code" (with the paren depth that ends an interpolation), "str",
    # "mstr" (multi-line string).
    stack = [["code", None]]
    in_block = 0
    for line in lines:
        buf = []
        i = 0
        n = len(line)
        while i < n:
            ctx = stack[-1]
            c = line[i]
            if in_block:
                if line.startswith("*/", i):
                    in_block -= 1
                    i += 2
                elif line.startswith("/*", i):
                    in_block += 1
                    i += 2
                else:
                    i += 1
                continue
            if ctx[0] == "code":
                if line.startswith("//", i):
                    break
                if line.startswith("/*", i):
                    in_block += 1
                    i += 2
                    continue
                if line.startswith('"""', i):
                    stack.append(["mstr", None])
                    buf.append('""')
                    i += 3
                    continue
                if c == '"':
                    stack.append(["str", None])
                    buf.append('"')
                    i += 1
                    continue
                if ctx[1] is not None:
                    if c == "(":
                        ctx[1] += 1
                    elif c == ")":
                        ctx[1] -= 1
                        if ctx[1] == 0:
                            stack.pop()
                            i += 1
                            continue
                buf.append(c)
                i += 1
            else:
                if c == "\\" and line.startswith("\\(", i):
                    stack.append(["code", 1])
                    i += 2
                    continue
                if c == "\\":
                    i += 2
                    continue
                if ctx[0] == "mstr" and line.startswith('"""', i):
                    stack.pop()
                    buf.append('""')
                    i += 3
                    continue
                if ctx[0] == "str" and c == '"':
                    stack.pop()
                    buf.append('"')
                    i += 1
                    continue
                i += 1
        if stack[-1][0] == "str":  # a single-line string cannot run on; recover
            while stack[-1][0] != "code" or stack[-1][1] is not None:
                stack.pop()
        out.append("".join(buf))
    return out


ACCESS = r"(?:public|open|private|fileprivate|internal|package)(?:\(set\))?"
OTHER_MODIFIERS = (r"static|final|mutating|nonmutating|override|convenience|required|lazy|weak|"
                   r"unowned|indirect|nonisolated|dynamic|optional|prefix|postfix|infix|"
                   r"consuming|borrowing|distributed")
ATTRIBUTE = r"@\w+(?:\([^()]*(?:\([^()]*\)[^()]*)*\))?"
DECL = re.compile(
    r"^\s*((?:" + ATTRIBUTE + r"\s+)*)"
    r"((?:(?:" + ACCESS + r"|" + OTHER_MODIFIERS + r"|class(?=\s+(?:func|var|let|subscript|override|final|"
    r"public|open|static)\b)|" + ATTRIBUTE + r")\s+)*)"
    r"(struct|class|enum|protocol|actor|extension|func|init|deinit|var|let|case|subscript|"
    r"typealias|associatedtype)(?![\w])")
TYPE_KINDS = {"struct", "class", "enum", "protocol", "actor", "extension"}
ATTRIBUTE_LINE = re.compile(r"^\s*(?:" + ATTRIBUTE + r"\s*)+$")


def has_doc(raw, i):
    j = i - 1
    while j >= 0 and ATTRIBUTE_LINE.match(raw[j]):
        j -= 1
    if j < 0:
        return False
    line = raw[j].strip()
    if line.startswith("///"):
        return True
    if line.endswith("*/"):
        while j >= 0:
            if "/**" in raw[j]:
                return True
            if "/*" in raw[j]:
                return False
            j -= 1
    return False


missing = []
for module in modules:
    for path in swift_files(os.path.join(sources, module)):
        with open(path, encoding="utf-8") as f:
            raw = f.read().split("\n")
        code = strip_code(raw)
        # Each open brace: (kind, public) where kind is a type kind or "other" (a body of
        # code, an accessor, a closure).
        scopes = []
        pending = None  # a type declaration whose "{" has not come yet
        for i, line in enumerate(code):
            m = DECL.match(line) if line.strip() and not line.lstrip().startswith("#") else None
            if m:
                modifiers = (m.group(1) + " " + m.group(2)).split()
                keyword = m.group(3)
                access = [w for w in modifiers if re.fullmatch(ACCESS, w)]
                explicit = any(w in ("public", "open") for w in access)
                inner = scopes[-1] if scopes else None
                member_level = inner is None or inner[0] in TYPE_KINDS
                if member_level:
                    hidden = any(k in TYPE_KINDS - {"extension"} and not p for k, p in scopes)
                    if inner is not None and inner[0] == "protocol":
                        public = inner[1]
                    elif inner is not None and inner[0] == "extension" and inner[1] and not access:
                        public = True
                    elif keyword == "case":
                        public = check_cases and inner is not None and inner[0] == "enum" and inner[1]
                    else:
                        public = explicit
                    if keyword == "extension":
                        public = False  # an extension is not a symbol; its members are
                    if public and not hidden and not has_doc(raw, i):
                        rel = os.path.relpath(path, root)
                        missing.append(f"{rel}:{i + 1}: {raw[i].strip()}")
                    if keyword in TYPE_KINDS:
                        pending = (keyword, explicit)
            for c in line:
                if c == "{":
                    if pending is not None:
                        scopes.append(pending)
                        pending = None
                    else:
                        scopes.append(("other", False))
                elif c == "}":
                    if scopes:
                        scopes.pop()

for entry in missing:
    print(entry)
if missing:
    print(f"check-docs: {len(missing)} public declaration(s) without a doc comment in "
          f"{' '.join(modules)}", file=sys.stderr)
    sys.exit(1)
PY
