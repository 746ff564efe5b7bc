"""known.py - the known-findings registry (fuzz/known-findings.json): each
bug the fuzzers found that is tracked by signature, with when it was first
seen, whether it is open or fixed, the commit that fixed it and its
regression trace.

A run classifies each finding against it: a finding not listed is "new"; a
listed open one is "known" (it does not fail the run, so a long run keeps
fuzzing past it and bug #2 behind bug #1 is found); a listed fixed one that
comes back is a "regression" (it fails the run, as a new one does).
"""
import json
import os

STATUSES = ("open", "fixed")
FIELDS = ("signature", "first_seen", "status", "fixed_in", "trace")


class RegistryError(Exception):
    pass


def load(path):
    """The registry's entries ({signature: entry}); empty when the file does
    not exist. A malformed file is an error that names the entry."""
    if not path or not os.path.exists(path):
        return {}
    with open(path) as f:
        try:
            data = json.load(f)
        except ValueError as e:
            raise RegistryError("%s: not JSON: %s" % (path, e))
    entries = {}
    for i, e in enumerate(data.get("findings", [])):
        missing = [k for k in FIELDS if k not in e]
        if missing or e["status"] not in STATUSES:
            raise RegistryError("%s: entry %d (%s): needs %s and status open|fixed"
                                % (path, i, e.get("signature"), ", ".join(FIELDS)))
        if e["status"] == "fixed" and not e["fixed_in"]:
            raise RegistryError("%s: entry %d (%s) is fixed but names no fixed_in commit" % (path, i, e["signature"]))
        entries[e["signature"]] = e
    return entries


def classify(signature_key, entries):
    """("new" | "known" | "regression", the registry entry or None)."""
    e = entries.get(signature_key)
    if e is None:
        return "new", None
    return ("known" if e["status"] == "open" else "regression"), e


def fails(status):
    return status in ("new", "regression")
