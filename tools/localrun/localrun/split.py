"""Any model's data for the offline story, from one CSV file: the blog post's notebook cells
3.1-3.3 (see data.py) done generically, driven by the model's data contract (`describe`'s
"contract") and problem type instead of the mammography columns.

From one CSV file with a header row, :func:`split` writes

* ``<model>-train-part1.csv`` (trains version 1) and ``<model>-train-part2.csv`` (added for the
  retrain): whole records, each written exactly as the input wrote it (same text, same missing
  markers, same line ending), under a header row unless the contract's header is "absent";
* ``<model>-batch.csv``: the normal batch, records held out from both parts, every column but the
  label (the id column kept), under a header row when the contract's header is "auto" or
  "present" (never counted as a record);
* ``<model>-batch-outliers.csv``: the same records with every numeric feature shifted by
  OUTLIER_SHIFT_SD training standard deviations (towards the side the contract's min/max leave
  more room on, clipped to them) and every categorical feature moved to its rarest category in
  the training records; missing values stay missing; meant to fail the drift check;
* ``<model>-batch-labels.csv``: the ground truth of the normal batch, ``<id>,<label>`` under the
  header the quality check recognises; ids as batch preparation assigns them: the id column's
  value, or the record's 1-based position in the batch file (header not counted);

and :func:`corrupt_labels` turns a labels file into one that must fail the model-quality limits:
binary labels flipped, multiclass labels rotated to the next class, regression labels reflected
(min + max - y).

Sizes: the normal batch is 10 % of the usable records, at least 100 and at most 500, and never
more than a quarter of them; part 2 is 10 % of the rest; part 1 the remainder. At least 100
because the quality arrow judges the model on the batch alone: on 30-50 records a regression
model's R2 swings by +-0.3 from one draw to the next (diabetes, 442 records, test R2 about 0.35:
the notebook's seed drew a 44-record batch scoring -0.39; on 100 records the worst of 41 seeds
scored 0.11, in a replica of the train pipeline). Classification
splits are stratified by class (every class with 3 or more records is in the batch), regression
splits by label quintile, so small data sets keep every class and the label's spread in each
file. Records whose label or id is missing (the contract allows neither) are left out and said
so. No id repeats within the batch (batch preparation rejects a repeated id): a record whose id
is already in the batch is passed over for the next of its stratum, so a data set whose ids
repeat (one id per patient, several visits) still gives a batch like the rest of the data (drawing
only among records with a unique id would not: in the Palmer penguins' raw file those are mostly
from one island). Seeded and deterministic; standard library only (the story runs it in the
emulator's environment as well as the scikit-learn image's).
"""

import csv
import io
import math
import random
import re

SEED = 200  # the notebook's random_state
BATCH_SHARE, BATCH_MIN, BATCH_MAX = 0.10, 100, 500
PART2_SHARE = 0.10
MIN_RECORDS = 60
OUTLIER_SHIFT_SD = 3.0
REGRESSION_STRATA = 5

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\n|\r)|[^\r\n]+$")
_INTEGER = re.compile(r"^[+-]?\d+$")
_DECIMALS = re.compile(r"^[+-]?\d*\.(\d+)$")


def file_names(model):
    """The generic file names of a model's data: {role: name}."""
    return {"train_part1": "%s-train-part1.csv" % model, "train_part2": "%s-train-part2.csv" % model,
            "batch": "%s-batch.csv" % model, "batch_outliers": "%s-batch-outliers.csv" % model,
            "batch_labels": "%s-batch-labels.csv" % model}


# ---------------------------------------------------------------------------------- the contract


class Contract:
    """What the split needs of `describe`'s contract of one model."""

    def __init__(self, contract, problem_type):
        self.header = contract.get("header", "auto")
        self.missing = [m.strip() for m in contract.get("missing_values", [])]
        # describe writes every key; a contract as written may leave role and type to their defaults
        self.columns = [dict({"role": "feature", "type": "numeric"}, **c) for c in contract["columns"]]
        self.problem_type = problem_type
        self.names = [c["name"] for c in self.columns]
        roles = [c["role"] for c in self.columns]
        if roles.count("label") != 1:
            raise ValueError("the contract has %d label columns; one is needed" % roles.count("label"))
        self.label = roles.index("label")
        self.id = roles.index("id") if "id" in roles else None
        self.id_name = self.names[self.id] if self.id is not None else "record_id"
        self.batch_columns = [i for i in range(len(self.columns)) if i != self.label]

    @property
    def writes_header(self):
        return self.header in ("auto", "present")

    def missing_cell(self, text):
        return text.strip() in self.missing

    def label_column(self):
        return self.columns[self.label]


def category_text(value):
    """A category as a cell holds it: 4 for 4.0, the name of a string category."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def category_index(text, categories):
    """The position of a cell's category in `categories`, or None when it is none of them."""
    text = text.strip()
    if all(isinstance(c, str) for c in categories):
        return categories.index(text) if text in categories else None
    try:
        value = float(text)
    except ValueError:
        return None
    for i, c in enumerate(categories):
        if not isinstance(c, str) and float(c) == value:
            return i
    return None


# ---------------------------------------------------------------------------------- reading


def read_records(text):
    """The records of a CSV text: a list of (cells, raw), `raw` the record's exact text (its
    lines, line endings included). Blank lines are no records; a leading byte-order mark goes."""
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = _LINE.findall(text)
    consumed = []

    def feed():
        for line in lines:
            consumed.append(line)
            yield line

    records = []
    for cells in csv.reader(feed()):
        raw = "".join(consumed)
        del consumed[:]
        if len(cells) > 1 or (cells and cells[0].strip()):
            records.append((cells, raw))
    return records


def _csv_line(cells):
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(cells)
    return out.getvalue()


def _ended(raw):
    return raw if raw.endswith(("\n", "\r")) else raw + "\n"


# ---------------------------------------------------------------------------------- sampling


def sizes(n):
    """(batch, part 2, part 1) record counts for `n` usable records."""
    batch = min(max(int(round(BATCH_SHARE * n)), BATCH_MIN), BATCH_MAX, n // 4)
    part2 = max(1, int(round(PART2_SHARE * (n - batch))))
    return batch, part2, n - batch - part2


def _strata(records, contract, rng_keys):
    """{stratum: [record index, ...] in a seeded random order}."""
    label = contract.label
    groups = {}
    if contract.problem_type == "regression":
        values = []
        for i, (cells, _) in enumerate(records):
            try:
                values.append((float(cells[label]), i))
            except ValueError:
                values.append((math.inf, i))  # the contract check of the pipeline names it
        values.sort()
        for rank, (_, i) in enumerate(values):
            groups.setdefault(rank * REGRESSION_STRATA // len(values), []).append(i)
    else:
        categories = contract.label_column().get("categories") or []
        for i, (cells, _) in enumerate(records):
            found = category_index(cells[label], categories)
            groups.setdefault(found if found is not None else cells[label].strip(), []).append(i)
    for members in groups.values():
        members.sort(key=lambda i: rng_keys[i])
    return groups


def _allocate(groups, k):
    """How many of each group a stratified sample of `k` takes: proportional (largest
    remainders), and one of every group of 3 or more when `k` allows."""
    total = sum(len(m) for m in groups.values())
    keys = list(groups)
    exact = {g: k * len(groups[g]) / total for g in keys}
    take = {g: int(math.floor(exact[g])) for g in keys}
    rest = k - sum(take.values())
    for g in sorted(keys, key=lambda g: (-(exact[g] - take[g]), keys.index(g)))[:rest]:
        take[g] += 1
    for g in keys:
        if take[g] == 0 and len(groups[g]) >= 3:
            donor = max(keys, key=lambda d: (take[d], -keys.index(d)))
            if take[donor] > 1:
                take[donor] -= 1
                take[g] = 1
    return take


def _sample(candidates, contract, records, k, rng_keys, key=None):
    """A stratified sample of `k` of the record indexes `candidates`; with `key`, no two records
    of the sample share key(record) (a stratum's next record is taken instead, while it has one)."""
    subset = [records[i] for i in candidates]
    groups = _strata(subset, contract, [rng_keys[i] for i in candidates])
    take = _allocate(groups, k)
    chosen, seen = [], set()
    for g, members in groups.items():
        got = 0
        for j in members:
            if got == take[g]:
                break
            if key is not None:
                value = key(subset[j])
                if value in seen:
                    continue
                seen.add(value)
            chosen.append(candidates[j])
            got += 1
    return sorted(chosen)


# ---------------------------------------------------------------------------------- outliers


def _quantile(sorted_values, q):
    pos = q * (len(sorted_values) - 1)
    lo = int(math.floor(pos))
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def _numeric_shift(column, texts):
    """A function shifting one cell of a numeric feature (texts: the training records' cells)."""
    observed = []
    integers, decimals = True, 0
    for t in texts:
        try:
            v = float(t)
        except ValueError:
            continue
        if not math.isfinite(v):
            continue
        observed.append(v)
        integers = integers and bool(_INTEGER.match(t.strip()))
        m = _DECIMALS.match(t.strip())
        if m:
            decimals = max(decimals, len(m.group(1)))
    if not observed:
        return lambda text: text
    observed.sort()
    mean = sum(observed) / len(observed)
    sd = math.sqrt(sum((v - mean) ** 2 for v in observed) / len(observed))
    if sd == 0:
        sd = max(abs(mean), 1.0)
    lo, hi = column.get("min"), column.get("max")
    room_up = math.inf if hi is None else hi - _quantile(observed, 0.9)
    room_down = math.inf if lo is None else _quantile(observed, 0.1) - lo
    direction = 1.0 if room_up >= room_down else -1.0
    decimals = min(decimals, 6)

    def shift(text):
        try:
            v = float(text)
        except ValueError:
            return text
        v += direction * OUTLIER_SHIFT_SD * sd
        if hi is not None:
            v = min(v, hi)
        if lo is not None:
            v = max(v, lo)
        if integers:
            # Rounded towards the inside of the declared range.
            n = math.floor(v) if direction > 0 else math.ceil(v)
            if hi is not None and n > hi:
                n = math.floor(hi)
            if lo is not None and n < lo:
                n = math.ceil(lo)
            return str(int(n))
        scale = 10 ** decimals
        v = (math.floor(v * scale) if direction > 0 else math.ceil(v * scale)) / scale
        return ("%.*f" % (decimals, v)) if decimals else repr(v)

    return shift


def _rarest_category(column, texts):
    """The declared category least frequent among the training cells `texts` (the last declared
    on a tie)."""
    categories = column.get("categories") or []
    counts = [0] * len(categories)
    for t in texts:
        i = category_index(t, categories)
        if i is not None:
            counts[i] += 1
    if not categories:
        return None
    best = min(range(len(categories)), key=lambda i: (counts[i], -i))
    return category_text(categories[best])


def outlier_cells(contract, training, batch):
    """The batch records' cells (all columns) with the features moved away from `training`."""
    changers = {}
    for j, column in enumerate(contract.columns):
        if column["role"] != "feature":
            continue
        texts = [cells[j].strip() for cells, _ in training if not contract.missing_cell(cells[j])]
        if column["type"] == "numeric":
            changers[j] = _numeric_shift(column, texts)
        else:
            rare = _rarest_category(column, texts)
            if rare is not None:
                changers[j] = lambda text, rare=rare: rare
    out = []
    for cells, _ in batch:
        row = list(cells)
        for j, change in changers.items():
            if not contract.missing_cell(row[j]):
                row[j] = change(row[j].strip())
        out.append(row)
    return out


# ---------------------------------------------------------------------------------- the split


def split(text, contract, problem_type, model, seed=SEED, source="the CSV file"):
    """Split one CSV text (first record its header) into the story's files.

    Returns (files, layout, notes): {file name: text}; the layout story.py reads (the file name
    of each role, the batch's record count and whether it has a header row); notes for the
    reader (records left out)."""
    c = Contract(contract, problem_type)
    records = read_records(text)
    if not records:
        raise ValueError("%s is empty" % source)
    header, records = records[0], records[1:]
    width = len(c.columns)
    if len(header[0]) != width:
        raise ValueError("%s has %d columns (%s) where model %s's contract has %d (%s)" % (
            source, len(header[0]), ", ".join(header[0])[:200], model, width, ", ".join(c.names)[:200]))
    for n, (cells, raw) in enumerate(records, start=2):
        if len(cells) != width:
            raise ValueError("%s record %d has %d fields where its header has %d: %r" % (
                source, n, len(cells), width, raw[:120]))
    notes = []
    usable = []
    dropped = {"label": 0, "id": 0}
    for r in records:
        if c.missing_cell(r[0][c.label]):
            dropped["label"] += 1
        elif c.id is not None and c.missing_cell(r[0][c.id]):
            dropped["id"] += 1
        else:
            usable.append(r)
    for role, count in dropped.items():
        if count:
            notes.append("%d record(s) without a %s left out (the contract allows none)" % (count, role))
    n = len(usable)
    if n < MIN_RECORDS:
        raise ValueError("%s has %d usable records; the story needs at least %d (a batch, two training parts)"
                         % (source, n, MIN_RECORDS))
    batch_n, part2_n, _ = sizes(n)
    rng = random.Random(seed)
    keys = [rng.random() for _ in usable]
    key = (lambda record: record[0][c.id].strip()) if c.id is not None else None
    batch = _sample(list(range(n)), c, usable, batch_n, keys, key)
    if len(batch) < batch_n:
        notes.append("the batch holds %d record(s), not %d: %s repeats too often (batch preparation rejects a "
                     "repeated id)" % (len(batch), batch_n, c.id_name))
    taken = set(batch)
    rest = [i for i in range(n) if i not in taken]
    part2 = _sample(rest, c, usable, part2_n, keys)
    taken.update(part2)
    part1 = [i for i in range(n) if i not in taken]

    names = file_names(model)
    header_line = ""
    if c.header != "absent":
        given = [h.strip().casefold() for h in header[0]]
        header_line = _ended(header[1]) if given == [x.strip().casefold() for x in c.names] else _csv_line(c.names)
    files = {}
    for role, idx in (("train_part1", part1), ("train_part2", part2)):
        files[names[role]] = header_line + "".join(_ended(usable[i][1]) for i in idx)

    batch_header = _csv_line([c.names[j] for j in c.batch_columns]) if c.writes_header else ""
    batch_records = [usable[i] for i in batch]
    files[names["batch"]] = batch_header + "".join(
        _csv_line([cells[j] for j in c.batch_columns]) for cells, _ in batch_records)
    training = [usable[i] for i in part1 + part2]
    files[names["batch_outliers"]] = batch_header + "".join(
        _csv_line([cells[j] for j in c.batch_columns]) for cells in outlier_cells(c, training, batch_records))
    labels = [[c.id_name, c.names[c.label]]]
    for position, (cells, _) in enumerate(batch_records, start=1):
        rid = cells[c.id].strip() if c.id is not None else str(position)
        labels.append([rid, cells[c.label]])
    files[names["batch_labels"]] = "".join(_csv_line(row) for row in labels)
    layout = dict(names, source="csv", batch_records=len(batch), batch_header=bool(batch_header),
                  records={names["train_part1"]: len(part1), names["train_part2"]: len(part2),
                           names["batch"]: len(batch), names["batch_outliers"]: len(batch),
                           names["batch_labels"]: len(batch)})
    return files, layout, notes


# ---------------------------------------------------------------------------------- labels


CORRUPTIONS = {
    "binary": ("flipped", "flipped labels"),
    "multiclass": ("rotated", "rotated labels (each class becomes the next)"),
    "regression": ("reflected", "reflected labels (min + max - y)"),
}


def corrupt_labels(text, contract, problem_type):
    """A labels file (`<id>,<label>` records, optionally under the header `<id name>,<label
    name>`) with every label made wrong the problem type's way: binary: the other class;
    multiclass: the next class of the contract's list (the last becomes the first); regression:
    min + max - y over the file's labels. Missing labels stay; ids and header stay."""
    c = Contract(contract, problem_type)
    rows = [cells for cells, _ in read_records(text)]
    head = []
    if rows and [x.strip().casefold() for x in rows[0]] == [c.id_name.casefold(), c.names[c.label].casefold()]:
        head, rows = [rows[0]], rows[1:]
    column = c.label_column()
    present = [r for r in rows if len(r) == 2 and not c.missing_cell(r[1])]
    if problem_type == "regression":
        values = [float(r[1]) for r in present]
        lo, hi = (min(values), max(values)) if values else (0.0, 0.0)
        integers = all(_INTEGER.match(r[1].strip()) for r in present)
        decimals = max([len(m.group(1)) for m in (_DECIMALS.match(r[1].strip()) for r in present) if m] or [0])

        def wrong(t):
            v = lo + hi - float(t)
            if integers:
                return str(int(round(v)))
            return "%.*f" % (decimals, v) if decimals else repr(v)
    else:
        categories = column.get("categories") or []

        def wrong(t):
            i = category_index(t, categories)
            if i is None:
                raise ValueError("label %r is none of the contract's classes %s" % (t, categories))
            return category_text(categories[(i + 1) % len(categories)])
    out = head + [[r[0], wrong(r[1])] if len(r) == 2 and not c.missing_cell(r[1]) else r for r in rows]
    return "".join(_csv_line(r) for r in out)
