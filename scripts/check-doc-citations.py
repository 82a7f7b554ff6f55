#!/usr/bin/env python3
"""Checks that code comments and docs cite only documents that exist, and sections that exist.

Comments cite the project's own docs (`docs/protocol.md §4.3`, `docs/protocol.md, "STORE_RESP"`).
This fails, naming file:line, on:
  - a cited `*.md` file that is not in the repository;
  - a citation of the input specs the project started from (design.md, node.md, wire.md,
    wire-v0.2.md, query-store-routing.md) or of an unnamed "spec §N";
  - a `§N.M` that no numbered heading of the cited doc carries (`## 4.3 ...`);
  - a quoted section name (`docs/x.md, "Name"`) that the cited doc does not contain.
A `§` without a doc name counts for the doc cited last on the same line, or at the end of the
line before (in docs/*.md, else for the page itself); one after "RFC 8032" and the like is
someone else's and is skipped. A bare `name.md` is looked up at the root, beside the citing
file, then in docs/.

Usage: scripts/check-doc-citations.py [repo root]   (exit 1 when anything is wrong)
"""
import pathlib
import re
import sys

CODE_DIRS = ["Sources", "Tests", "bench", "clients", "fuzz", "scripts", "testbed"]
CODE_SUFFIXES = {".swift", ".py", ".sh", ".c", ".h", ".bash", ".json", ".md", ".txt"}
OLD_SPECS = {"design.md", "node.md", "wire.md", "wire-v0.2.md", "query-store-routing.md"}
SKIP_PARTS = {".build", ".git", "node_modules", "__pycache__"}

DOC = re.compile(r"(?<![\w/.-])((?:[\w-]+/)*[\w.-]+\.md)\b")
SECTION = r"§\s?(\d+(?:\.\d+)*)(?:\s?[–-]\s?(\d+(?:\.\d+)*))?"
# Sections chained right after a doc name: "x.md §3.2–3.5, §4" or "x.md §4.2 / §6".
CHAIN = re.compile(r"`?(?:,?\s*|\s+)(" + SECTION + r"(?:\s*(?:,|/|;|and|or)\s*" + SECTION + r")*)")
QUOTED = re.compile(r'`?,?\s*["“]([^"”]+)(["”]?)')
BARE = re.compile(SECTION)
FOREIGN = re.compile(r"\b(?:RFC|BEP|EIP|BIP|IEEE|ISO|ITU|REQ)[-\s]?[\w.-]*\s*$")
UNNAMED_SPEC = re.compile(r"\bspec\s+§|\bshared/(?:spec/)?[\w.-]+\.md")
HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*$")
HEADING_NUMBER = re.compile(r"^(\d+(?:\.\d+)*)\.?\s")
COMMENT_PREFIX = re.compile(r"^\s*(?:///|//|#|\*|/\*\*?)\s*")


def normalized(text):
    return " ".join(text.lower().split())


def doc_sections(path, cache):
    """(numbered sections, the whole text normalised) of a markdown file."""
    if path not in cache:
        text = path.read_text(encoding="utf-8")
        numbers = set()
        for line in text.splitlines():
            m = HEADING.match(line)
            n = HEADING_NUMBER.match(m.group(1)) if m else None
            if n:
                numbers.add(n.group(1))
        cache[path] = (numbers, normalized(text.replace("**", "").replace("`", "")))
    return cache[path]


def resolve(root, citing, name):
    """The file a citation names, or None."""
    for candidate in (root / name, citing.parent / name, root / "docs" / name):
        if candidate.is_file():
            return candidate
    return None


def sections_in(text):
    """Every section number a chain or single reference names, both ends of ranges."""
    found = []
    for m in BARE.finditer(text):
        found.append(m.group(1))
        if m.group(2):
            end = m.group(2)
            # "§4.10.3–4.10.5" names whole numbers; "§3.2–5" means 3.2 to 3.5.
            if "." not in end and "." in m.group(1):
                end = m.group(1).rsplit(".", 1)[0] + "." + end
            found.append(end)
    return found


def check_line(root, citing, lineno, line, next_line, self_doc, carried, cache, errors):
    """Checks one line; returns the doc cited at its very end, for a "§" opening the next."""
    where = f"{citing.relative_to(root).as_posix()}:{lineno}"
    if UNNAMED_SPEC.search(line):
        errors.append(f"{where}: cites an input spec (\"spec §\" or shared/); cite a doc in docs/")
    covered = []  # spans already checked as part of a doc citation
    for m in DOC.finditer(line):
        name = m.group(1)
        base = name.rsplit("/", 1)[-1]
        if name in OLD_SPECS or (base in OLD_SPECS and not (root / name).is_file()):
            errors.append(f"{where}: cites {name}, which is not in the repository; cite docs/*.md")
            continue
        path = resolve(root, citing, name)
        if path is None:
            if name.startswith("docs/") or "/" not in name:
                errors.append(f"{where}: cites {name}, which does not exist")
            continue
        rest = line[m.end():]
        chain = CHAIN.match(rest)
        if chain:
            covered.append((m.end(), m.end() + chain.end()))
            check_sections(path, sections_in(chain.group(1)), where, name, cache, errors)
        quoted = QUOTED.match(rest)
        if quoted and not chain and not re.search(r"[(){}\\]", quoted.group(1)) and len(quoted.group(1)) < 80:
            title = quoted.group(1)
            if not quoted.group(2) and next_line is not None:
                tail = COMMENT_PREFIX.sub("", next_line)
                close = re.match(r'([^"”]*)["”]', tail)
                title = title + " " + close.group(1) if close else None
            if title:
                check_title(path, title, where, name, cache, errors)
    # Bare "§N" later on the line belongs to the doc cited last before it.
    for m in BARE.finditer(line):
        if any(a <= m.start() < b for a, b in covered):
            continue
        if FOREIGN.search(line[:m.start()]):
            continue
        before = line[:m.start()]
        owner = None
        for d in DOC.finditer(before):
            owner = resolve(root, citing, d.group(1)) if d.group(1) not in OLD_SPECS else None
        if not DOC.search(before):
            opens_line = not COMMENT_PREFIX.sub("", before).strip("`( ")
            owner = carried if carried is not None and opens_line else self_doc
        if owner is None:
            continue
        check_sections(owner, sections_in(m.group(0)), where, owner.relative_to(root).as_posix(), cache, errors)
    end = re.search(r"((?:[\w-]+/)*[\w.-]+\.md)`?\s*$", line)
    return resolve(root, citing, end.group(1)) if end and end.group(1) not in OLD_SPECS else None


def check_sections(path, numbers, where, name, cache, errors):
    known, _ = doc_sections(path, cache)
    for n in numbers:
        if n not in known:
            errors.append(f"{where}: {name} has no §{n}")


def check_title(path, title, where, name, cache, errors):
    _, text = doc_sections(path, cache)
    if normalized(title) not in text:
        errors.append(f"{where}: {name} has no section \"{title}\"")


def files_to_scan(root):
    for d in CODE_DIRS:
        base = root / d
        if not base.is_dir():
            continue
        for p in sorted(base.rglob("*")):
            if p.is_file() and p.suffix in CODE_SUFFIXES and not SKIP_PARTS.intersection(p.parts) \
                    and p.resolve() != pathlib.Path(__file__).resolve():  # it names the old specs
                yield p, None
    for p in sorted((root / "docs").glob("*.md")):
        yield p, p
    readme = root / "README.md"
    if readme.is_file():
        yield readme, None


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parent.parent)
    root = root.resolve()
    cache, errors = {}, []
    for path, self_doc in files_to_scan(root):
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except UnicodeDecodeError:
            continue
        carried = None
        for i, line in enumerate(lines):
            if "§" not in line and ".md" not in line and "spec" not in line:
                carried = None
                continue
            nxt = lines[i + 1] if i + 1 < len(lines) else None
            carried = check_line(root, path, i + 1, line, nxt, self_doc, carried, cache, errors)
    for e in errors:
        print(e)
    if errors:
        print(f"{len(errors)} bad doc citation(s)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
