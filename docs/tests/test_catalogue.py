"""Every catalogue number cited in the repository has an entry in docs/catalogue.md.

A citation is a G or X followed by three digits anywhere in a text file of the
repository (docs, conformance cases' names and source: lines, comments in C,
Python and shell, READMEs), or "open question N". The catalogue itself must be
well formed: each entry once, each with a Source: line, each number inside an
assigned range. Entries that nothing outside the catalogue cites are reported
as information (a warning), not as a failure.

Run: /usr/bin/python3 -m pytest -q docs/tests
     /usr/bin/python3 docs/tests/test_catalogue.py     (prints the report)
"""
import os
import re
import sys
import warnings

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CATALOGUE = os.path.join("docs", "catalogue.md")

CITE = re.compile(r"(?<![A-Za-z0-9_])([GX])(\d{3})(?![0-9])")
QUESTION = re.compile(r"open question (\d+)", re.IGNORECASE)
ENTRY = re.compile(r"^\*\*([GX]\d{3})\*\*")
RANGE = re.compile(r"([GX])(\d{3})-[GX]?(\d{3})")
SKIP_DIRS = {".git", "out", "__pycache__", ".pytest_cache", "node_modules"}
SKIP_SUFFIXES = (".bin",)


def text_files(root):
    """Relative paths of the repository's text files (build folders and binary inputs left out)."""
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("build"))
        for name in sorted(files):
            if name.endswith(SKIP_SUFFIXES):
                continue
            path = os.path.join(folder, name)
            with open(path, "rb") as f:
                data = f.read()
            if b"\0" in data:
                continue
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                continue
            yield os.path.relpath(path, root), text


class Catalogue:
    """The entries, open questions and number ranges of docs/catalogue.md."""

    def __init__(self, text):
        self.entries = {}        # number -> line
        self.problems = []       # "docs/catalogue.md:LINE: what is wrong"
        self.questions = set()
        self.ranges = []         # (letter, low, high)
        self.declaring = set()   # lines that declare ranges rather than cite numbers
        section = ""
        current = None           # (number, line, has_source)
        lines = text.split("\n")
        for lineno, line in enumerate(lines, 1):
            if line.startswith("#"):
                section = line.lstrip("#").strip()
                self.declaring.add(lineno)
            if section == "Number ranges":
                self.declaring.add(lineno)
                for letter, low, high in RANGE.findall(line):
                    self.ranges.append((letter, int(low), int(high)))
            if section == "Open questions":
                m = re.match(r"^(\d+)\. ", line)
                if m:
                    self.questions.add(int(m.group(1)))
            m = ENTRY.match(line)
            if m:
                self._close(current)
                number = m.group(1)
                if number in self.entries:
                    self.problems.append(f"{CATALOGUE}:{lineno}: {number} is defined twice "
                                         f"(first at line {self.entries[number]})")
                else:
                    self.entries[number] = lineno
                current = [number, lineno, False]
            elif current and line.startswith("Source:") and line[len("Source:"):].strip():
                current[2] = True
            elif current and (line.startswith("#") or line.strip() == "---"):
                self._close(current)
                current = None
        self._close(current)
        for number, lineno in self.entries.items():
            if not self.in_range(number):
                self.problems.append(f"{CATALOGUE}:{lineno}: {number} lies outside every "
                                     "range of the Number ranges table")

    def _close(self, current):
        if current and not current[2]:
            self.problems.append(f"{CATALOGUE}:{current[1]}: {current[0]} has no Source: line")

    def in_range(self, number):
        letter, value = number[0], int(number[1:])
        return any(letter == l and low <= value <= high for l, low, high in self.ranges)


def citations(root, catalogue):
    """(path, line, what) for every catalogue number and open question cited under root."""
    for rel, text in text_files(root):
        in_catalogue = rel == CATALOGUE
        for lineno, line in enumerate(text.split("\n"), 1):
            if in_catalogue and (lineno in catalogue.declaring or ENTRY.match(line)):
                # Range declarations and the entry's own number are not citations; what
                # an entry's text cites is checked like any other citation.
                line = ENTRY.sub("", line) if ENTRY.match(line) else ""
            for letter, digits in CITE.findall(line):
                yield rel, lineno, letter + digits
            for n in QUESTION.findall(line):
                yield rel, lineno, f"open question {n}"


def check(root):
    """Problems (a list of "path:line: message") and the entries cited nowhere else."""
    with open(os.path.join(root, CATALOGUE), encoding="utf-8") as f:
        catalogue = Catalogue(f.read())
    problems = list(catalogue.problems)
    cited = set()
    for rel, lineno, what in citations(root, catalogue):
        if what.startswith("open question"):
            if int(what.split()[-1]) not in catalogue.questions:
                problems.append(f"{rel}:{lineno}: cites {what}, which docs/catalogue.md does not have")
            continue
        if what not in catalogue.entries:
            problems.append(f"{rel}:{lineno}: cites {what}, which has no entry in docs/catalogue.md")
        elif rel != CATALOGUE:
            cited.add(what)
    uncited = sorted(set(catalogue.entries) - cited)
    return problems, uncited, catalogue


def copy_repo(dst):
    """A copy of the repository's text files, enough to run check() on."""
    for rel, text in text_files(REPO):
        path = os.path.join(dst, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)


def test_every_citation_resolves():
    problems, uncited, catalogue = check(REPO)
    assert not problems, "\n".join(problems)
    assert len(catalogue.entries) > 200
    if uncited:
        warnings.warn(f"{len(uncited)} catalogue entries are cited nowhere outside "
                      f"docs/catalogue.md: {' '.join(uncited)}")


def test_every_case_names_an_entry():
    # Each case's name starts with the entry it pins (conformance/README.md).
    cases = os.path.join(REPO, "conformance", "cases")
    _, _, catalogue = check(REPO)
    names = [f for _, _, files in os.walk(cases) for f in files if f.endswith(".trace")]
    assert len(names) >= 200
    missing = [n for n in names if n[:4] not in catalogue.entries]
    assert not missing, missing


def test_planted_bogus_citations_fail(tmp_path):
    copy_repo(tmp_path)
    assert check(tmp_path)[0] == []
    # Numbers built at run time, so that this file does not cite them itself.
    bogus_g, bogus_x, bogus_q = "G" + "999", "X" + "777", "open question " + "42"
    case = tmp_path / "conformance" / "cases" / "alloc" / "G001-zero-size-rejected.trace"
    lines = case.read_text().split("\n")
    lines.insert(1, f"source: a test that does not exist (catalogue {bogus_g})")
    case.write_text("\n".join(lines))
    rules = tmp_path / "docs" / "semantics.md"
    rules.write_text(rules.read_text() + f"\nA rule with made-up evidence ({bogus_x}, {bogus_q}).\n")
    code = tmp_path / "impl" / "src" / "vas_protect.c"
    code.write_text(code.read_text() + f"/* {bogus_g} again */\n")

    problems = check(tmp_path)[0]
    text = "\n".join(problems)
    assert len(problems) == 4, text
    assert f"conformance/cases/alloc/G001-zero-size-rejected.trace:2: cites {bogus_g}" in text
    assert f"docs/semantics.md:" in text and f"cites {bogus_x}" in text
    assert f"cites {bogus_q}" in text
    assert f"impl/src/vas_protect.c:" in text


def test_malformed_catalogue_fails(tmp_path):
    copy_repo(tmp_path)
    path = tmp_path / CATALOGUE
    text = path.read_text()
    # An entry without a source, a duplicate, and one outside every range.
    text = text.replace("Source: [T] K32 `test_VirtualAlloc`, `test_VirtualAllocEx` ([B] Windows 9x",
                        "Evidence: [T] K32 `test_VirtualAlloc`, `test_VirtualAllocEx` ([B] Windows 9x", 1)
    outside = "G" + "250"
    text += f"\n**G002** Again.\nSource: [D] MS-VA.\n\n**{outside}** Out of range.\nSource: [D] MS-VA.\n"
    path.write_text(text)
    problems = "\n".join(check(tmp_path)[0])
    assert "G001 has no Source: line" in problems
    assert "G002 is defined twice" in problems
    assert f"{outside} lies outside every range" in problems


if __name__ == "__main__":
    found, nowhere, cat = check(REPO)
    n_cites = sum(1 for _ in citations(REPO, cat))
    print(f"{len(cat.entries)} entries, {len(cat.questions)} open questions, "
          f"{n_cites} citations checked, {len(found)} problems")
    for p in found:
        print("  " + p)
    print(f"cited nowhere outside the catalogue ({len(nowhere)}): {' '.join(nowhere)}")
    sys.exit(1 if found else 0)
