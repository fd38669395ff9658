"""Writes drift_rates.py's figures into a Markdown page: between the markers
<!-- benchmark:figures:begin --> and <!-- benchmark:figures:end --> when the page has them (the
text around them, e.g. the benchmark section's explanations, stays), else between
<!-- benchmark:begin --> and <!-- benchmark:end --> (a page without either gets the latter at its
end). The rest of the page is left as it is.

usage: python bench/drift_page.py PAGE.md [--intro FILE] TITLE=BEFORE.json[,AFTER.json] ...

Each TITLE=... is one table: one run (BEFORE), or two runs of the same batches by two drift checks
(BEFORE, AFTER: the mlopsgen column of each; alibi-detect's columns from the later run, the
batches being the same). A column may join several runs' rows: A.json+B.json. Standard library
only.
"""

import json
import math
import os
import re
import sys

BEGIN, END = "<!-- benchmark:begin -->", "<!-- benchmark:end -->"
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
FIGURES = "<!-- benchmark:figures:begin -->", "<!-- benchmark:figures:end -->"


def rate(k, n):
    if not n:
        return "-"
    z = 1.96
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return "%.1f [%.1f, %.1f]" % (100 * p, 100 * max(0, centre - half), 100 * min(1, centre + half))


def scenario_names():
    """drift_rates.py's SCENARIOS, read from its source (it needs numpy; this does not)."""
    import ast
    import os
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "drift_rates.py")
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "SCENARIOS" for t in node.targets):
            return ast.literal_eval(node.value)
    return {}


def table(runs, names):
    rows = [r["rows"] for r in runs]
    labels = [r["meta"]["label"] or "mlopsgen" for r in runs]
    head = "| scenario | n | " + " | ".join("mlopsgen %s" % l for l in labels) + \
        " | alibi Bonferroni | alibi FDR | CPU s per check (" + " / ".join(labels) + " / alibi) |"
    lines = [head, "|---|---:|" + "---|" * (len(runs) + 3)]
    index = [{(r["scenario"], r["n"]): r for r in rs} for rs in rows]
    for r in rows[-1]:
        key = (r["scenario"], r["n"])
        cells = []
        cpus = []
        for ix in index:
            x = ix.get(key)
            cells.append(rate(x["detected"], x["accepted"]) if x else "-")
            cpus.append("%.3f" % x["cpu_mean"] if x and x["cpu_mean"] is not None else "-")
            if x and x["rejected"]:
                cells[-1] += " (%d rejected)" % x["rejected"]
        ab, af = r.get("alibi_bonferroni"), r.get("alibi_fdr")
        cpus.append("%.4f" % ab["cpu_mean"] if ab and ab["cpu_mean"] is not None else "-")
        lines.append("| %s | %d | %s | %s | %s | %s |" % (
            names.get(r["scenario"], r["scenario"]), r["n"], " | ".join(cells),
            rate(ab["detected"], ab["batches"]) if ab else "-", rate(af["detected"], af["batches"]) if af else "-",
            " / ".join(cpus)))
    return lines


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        raise SystemExit(__doc__)
    page = args.pop(0)
    intro = ""
    if args[0] == "--intro":
        with open(args[1], encoding="utf-8") as f:
            intro = f.read().rstrip("\n") + "\n"
        args = args[2:]
    SCENARIOS = scenario_names()
    try:
        with open(page, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        text = ""
    begin, end = FIGURES if FIGURES[0] in text and FIGURES[1] in text else (BEGIN, END)
    out = [begin, "", intro] if intro else [begin, ""]
    for spec in args:
        title, paths = spec.rsplit("=", 1)
        runs = []
        for column in paths.split(","):
            parts = []
            for p in column.split("+"):
                with open(p, encoding="utf-8") as f:
                    parts.append(json.load(f))
            runs.append({"meta": parts[0]["meta"], "metas": [x["meta"] for x in parts],
                         "rows": [row for x in parts for row in x["rows"]]})
        out += ["#### " + title, ""]
        for m in [m for r in runs for m in r["metas"]]:
            command = re.sub(r" --(json|markdown) \S+", "", m["command"])
            code = m["code"]
            if code.startswith(REPO + os.sep):
                code = os.path.relpath(code, REPO)
            out.append("- **%s**: `%s`" % (m["label"] or "run", command))
            out.append("  - drift check: `%s`; %s; run %s on %s, %d worker(s), %.0f s wall, %.0f s CPU"
                       % (code, "; ".join(m["describe"]), m["date"], m["machine"], m["workers"], m["wall_s"],
                          m["cpu_s"]))
            out.append("  - libraries: %s; alibi-detect environment: %s; CheckDrift environment: %s" % (
                ", ".join("%s %s" % kv for kv in m["libraries"].items()),
                ", ".join("%s %s" % kv for kv in m["alibi"].items()) or "not run",
                ", ".join("%s=%s" % kv for kv in sorted(m["environment"].items())) or "none"))
            for p in m.get("post", []):
                verdict = "rejected" if not p["accepted"] else ("**drift**: " if p["detected"] else "no drift: ") + \
                    re.sub(r"^no drift: ", "", p["summary"])
                out.append("  - the post's `%s`: %s" % (p["file"], verdict))
        out.append("")
        out.append("Rates in %, each with its 95 % Wilson interval; per cell the batches of the run's command.")
        out.append("")
        out += table(runs, SCENARIOS)
        out.append("")
    out.append(end)
    block = "\n".join(out)
    if begin in text and end in text:
        text = text[:text.index(begin)] + block + text[text.index(end) + len(end):]
    else:
        text = text.rstrip("\n") + ("\n\n" if text else "") + block + "\n"
    with open(page, "w", encoding="utf-8") as f:
        f.write(text)


if __name__ == "__main__":
    main()
