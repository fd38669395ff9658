"""Tests of localrun.split: one CSV file split by a data contract into the story's files, on
small synthetic data of each problem type; the files read back with the generated contract
reader (generated/prod/code/<model>/contract.py) as batch preparation and preprocessing read them;
the label corruptions; and the executor's DataProcessing filters (`$[0,F+1:]`)."""

import csv
import importlib.util
import io
import os
import random
import statistics
import sys
import types

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, os.pardir, os.pardir, os.pardir))
sys.path.insert(0, os.path.join(HERE, os.pardir))

from localrun import split  # noqa: E402

CONTRACT_PY = os.path.join(ROOT, "generated", "prod", "code", "mammography-severity-model", "contract.py")


# ---------------------------------------------------------------- synthetic data


def _table(n, problem_type, seed=1, id_column=False):
    """A CSV text with a header: numeric x (with "?" missing, two decimals), a string
    category colour (one rare), an ignored note with commas and quotes, maybe an id column,
    and a label of the problem type."""
    rng = random.Random(seed)
    header = (["id"] if id_column else []) + ["x", "colour", "note", "y"]
    lines = [",".join(header)]
    for i in range(n):
        x = rng.gauss(50, 10)
        colour = rng.choices(["red", "green", "blue"], weights=[60, 35, 5])[0]
        if problem_type == "binary":
            y = "yes" if x + rng.gauss(0, 5) > 50 else "no"
        elif problem_type == "multiclass":
            y = ["low", "mid", "high"][min(2, max(0, int((x - 35) // 10)))]
        else:
            y = "%.1f" % (2 * x + rng.gauss(0, 3))
        cells = (["P%04d" % (i * 7 % 1000)] if id_column else []) + [
            "?" if i % 17 == 3 else "%.2f" % x, colour, '"a, ""b"" %d"' % i if i % 5 == 0 else "n%d" % i, y]
        lines.append(",".join(cells))
    return "\r\n".join(lines) + "\r\n"


def _contract(problem_type, header="present", id_column=False, x_min=0.0, x_max=None):
    label = {"name": "y", "role": "label"}
    if problem_type == "binary":
        label.update(type="categorical", categories=["no", "yes"], positive="yes")
    elif problem_type == "multiclass":
        label.update(type="categorical", categories=["low", "mid", "high"])
    else:
        label.update(type="numeric")
    x = {"name": "x", "role": "feature", "type": "numeric", "min": x_min, "max": x_max}
    columns = ([{"name": "id", "role": "id", "type": "categorical", "categories": ["-"]}] if id_column else []) + [
        x, {"name": "colour", "role": "feature", "type": "categorical", "categories": ["red", "green", "blue"]},
        {"name": "note", "role": "ignore", "type": "numeric"}, label]
    return {"header": header, "missing_values": ["", "?"], "columns": columns}


def _rows(text):
    return list(csv.reader(io.StringIO(text)))


def _split(n, problem_type, **kw):
    id_column = kw.pop("id_column", False)
    contract = _contract(problem_type, id_column=id_column, **kw)
    text = _table(n, problem_type, id_column=id_column)
    files, layout, notes = split.split(text, contract, problem_type, "m")
    return text, contract, files, layout


TYPES = ["binary", "multiclass", "regression"]


# ---------------------------------------------------------------- sizes


@pytest.mark.parametrize("n,expected", [(178, (44, 13, 121)), (442, (100, 34, 308)), (569, (100, 47, 422)),
                                        (1200, (120, 108, 972)), (100, (25, 8, 67)), (60, (15, 4, 41)),
                                        (10000, (500, 950, 8550))])
def test_sizes(n, expected):
    assert split.sizes(n) == expected


@pytest.mark.parametrize("problem_type", TYPES)
def test_every_record_lands_in_exactly_one_file(problem_type):
    text, _, files, layout = _split(178, problem_type)
    records = [raw for _, raw in split.read_records(text)[1:]]
    part1 = split.read_records(files[layout["train_part1"]])[1:]
    part2 = split.read_records(files[layout["train_part2"]])[1:]
    batch = _rows(files[layout["batch"]])[1:]
    assert (len(batch), len(part2), len(part1)) == (44, 13, 121)
    assert layout["batch_records"] == 44
    # the training parts hold the input's records verbatim (CRLF, quotes and all), none twice
    raws = [raw for _, raw in part1 + part2]
    assert len(set(raws)) == len(raws) and set(raws) < set(records)
    # the batch is made of the records left out of both parts
    left = [cells for cells, raw in split.read_records(text)[1:] if raw not in set(raws)]
    assert sorted(r[:3] for r in left) == sorted(batch)


def test_too_few_records_is_an_error():
    with pytest.raises(ValueError, match="59 usable records; the story needs at least 60"):
        split.split(_table(59, "binary"), _contract("binary"), "binary", "m")


def test_a_header_of_another_width_is_an_error():
    with pytest.raises(ValueError, match="has 4 columns .* contract has 5"):
        split.split(_table(100, "binary"), _contract("binary", id_column=True), "binary", "m")


# ---------------------------------------------------------------- the batch and its labels


@pytest.mark.parametrize("problem_type", TYPES)
def test_batch_drops_the_label_keeps_values_verbatim(problem_type):
    text, _, files, layout = _split(200, problem_type)
    batch = _rows(files[layout["batch"]])
    assert batch[0] == ["x", "colour", "note"]
    inputs = {tuple(cells[:3]): cells[3] for cells, _ in split.read_records(text)[1:]}
    for row in batch[1:]:
        assert tuple(row) in inputs  # cell for cell as the input wrote it ("?", "a, \"b\"")
    assert any(r[0] == "?" for r in batch[1:]) and any(r[2].startswith('a, "b" ') for r in batch[1:])


@pytest.mark.parametrize("problem_type", TYPES)
def test_labels_are_the_batch_records_labels_by_row_number(problem_type):
    text, _, files, layout = _split(200, problem_type)
    inputs = {tuple(cells[:3]): cells[3] for cells, _ in split.read_records(text)[1:]}
    batch = _rows(files[layout["batch"]])[1:]
    labels = _rows(files[layout["batch_labels"]])
    assert labels[0] == ["record_id", "y"]
    assert [r[0] for r in labels[1:]] == [str(i) for i in range(1, len(batch) + 1)]  # header not counted
    assert [r[1] for r in labels[1:]] == [inputs[tuple(row)] for row in batch]


def test_an_id_column_is_kept_and_names_the_labels():
    text, _, files, layout = _split(300, "binary", id_column=True)
    batch = _rows(files[layout["batch"]])
    assert batch[0] == ["id", "x", "colour", "note"]
    labels = _rows(files[layout["batch_labels"]])
    assert labels[0] == ["id", "y"]
    assert [r[0] for r in labels[1:]] == [r[0] for r in batch[1:]]
    # ids repeat in this table (i * 7 % 1000 over 300 rows does not), so check uniqueness holds
    assert len(set(r[0] for r in batch[1:])) == len(batch) - 1


def test_no_id_repeats_within_the_batch():
    # every id twice (a patient seen twice): the batch still holds 50 records, no id twice
    lines = _table(200, "binary", id_column=True).split("\r\n")
    lines = [lines[0]] + ["P%04d," % (i // 2) + line.split(",", 1)[1] for i, line in enumerate(lines[1:-1])] + [""]
    files, layout, notes = split.split("\r\n".join(lines), _contract("binary", id_column=True), "binary", "m")
    batch_ids = [r[0] for r in _rows(files[layout["batch"]])[1:]]
    assert len(batch_ids) == 50 == len(set(batch_ids)) and notes == []


def test_records_without_a_label_are_left_out_and_said_so():
    lines = _table(120, "regression").split("\r\n")
    lines[5] = lines[5].rsplit(",", 1)[0] + ",?"
    files, layout, notes = split.split("\r\n".join(lines), _contract("regression"), "regression", "m")
    assert notes == ["1 record(s) without a label left out (the contract allows none)"]
    assert sum(layout["records"][layout[k]] for k in ("train_part1", "train_part2", "batch")) == 119


@pytest.mark.parametrize("header,expected", [("present", True), ("auto", True), ("absent", False)])
def test_header_rows_follow_the_contract(header, expected):
    _, _, files, layout = _split(120, "binary", header=header)
    assert layout["batch_header"] is expected
    batch = _rows(files[layout["batch"]])
    part1 = _rows(files[layout["train_part1"]])
    assert (batch[0] == ["x", "colour", "note"]) is expected
    assert (part1[0] == ["x", "colour", "note", "y"]) is expected
    assert len(batch) - (1 if expected else 0) == layout["batch_records"] == 30
    assert len(_rows(files[layout["batch_labels"]])) == 31  # the labels file always names its columns


@pytest.mark.parametrize("problem_type", ["binary", "multiclass"])
def test_every_class_is_in_the_batch(problem_type):
    _, _, files, layout = _split(120, problem_type)
    labels = [r[1] for r in _rows(files[layout["batch_labels"]])[1:]]
    classes = {"binary": {"no", "yes"}, "multiclass": {"low", "mid", "high"}}[problem_type]
    assert set(labels) == classes


def test_split_is_deterministic_and_seeded():
    text, contract = _table(300, "multiclass"), _contract("multiclass")
    a = split.split(text, contract, "multiclass", "m")
    assert split.split(text, contract, "multiclass", "m") == a
    assert split.split(text, contract, "multiclass", "m", seed=7)[0] != a[0]


# ---------------------------------------------------------------- outliers


def _numbers(rows, j):
    return [float(r[j]) for r in rows if r[j] not in ("", "?")]


@pytest.mark.parametrize("problem_type", TYPES)
def test_outliers_shift_numbers_move_categories_keep_missing(problem_type):
    _, _, files, layout = _split(400, problem_type)
    normal = _rows(files[layout["batch"]])
    outl = _rows(files[layout["batch_outliers"]])
    assert outl[0] == normal[0] and len(outl) == len(normal)
    for a, b in zip(normal[1:], outl[1:]):
        assert (a[0] == "?") == (b[0] == "?")  # missing stays missing
        assert b[2] == a[2]  # ignored column untouched
        assert b[1] == "blue"  # the rarest colour
    train = _rows(files[layout["train_part1"]])[1:] + _rows(files[layout["train_part2"]])[1:]
    sd = statistics.pstdev(_numbers(train, 0))
    shifts = [float(b[0]) - float(a[0]) for a, b in zip(normal[1:], outl[1:]) if a[0] != "?"]
    # floored to the input's two decimals
    assert all(-0.0101 < s - split.OUTLIER_SHIFT_SD * sd <= 1e-9 for s in shifts), (sd, shifts)
    assert all(len(b[0].split(".")[1]) == 2 for b in outl[1:] if b[0] != "?")  # written like the input


def test_outliers_respect_a_declared_max():
    # more room above the 90th percentile (about 63) than below the 10th (about 37): up, clipped
    _, _, files, layout = _split(400, "binary", x_min=35.0, x_max=70.0)
    values = _numbers(_rows(files[layout["batch_outliers"]])[1:], 0)
    normal = _numbers(_rows(files[layout["batch"]])[1:], 0)
    assert max(values) == 70.0 and statistics.mean(values) > statistics.mean(normal) + 10


def test_outliers_go_down_when_the_max_leaves_no_room():
    _, _, files, layout = _split(400, "binary", x_min=0.0, x_max=60.0)
    values = _numbers(_rows(files[layout["batch_outliers"]])[1:], 0)
    normal = _numbers(_rows(files[layout["batch"]])[1:], 0)
    assert min(values) >= 0.0 and statistics.mean(values) < statistics.mean(normal) - 20


# ---------------------------------------------------------------- the generated contract reader


@pytest.fixture
def contract_py(monkeypatch):
    spec = importlib.util.spec_from_file_location("contract_under_test", CONTRACT_PY)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _read(module, contract, path, columns):
    module.HEADER = contract["header"]
    module.MISSING = contract["missing_values"]
    return module.read_table(path, columns, "test")


@pytest.mark.parametrize("problem_type", TYPES)
@pytest.mark.parametrize("header", ["present", "auto", "absent"])
def test_the_pipelines_reader_accepts_the_files(contract_py, tmp_path, problem_type, header):
    _, contract, files, layout = _split(150, problem_type, header=header, id_column=True)
    for name, text in files.items():
        (tmp_path / name).write_bytes(text.encode("utf-8"))
    columns = contract["columns"]
    batch_columns = [c for c in columns if c["role"] != "label"]
    for role in ("train_part1", "train_part2"):
        records = _read(contract_py, contract, str(tmp_path / layout[role]), columns)
        assert len(records) == layout["records"][layout[role]]
    for role in ("batch", "batch_outliers"):
        records = _read(contract_py, contract, str(tmp_path / layout[role]), batch_columns)
        assert len(records) == layout["batch_records"]  # the header is no record
    # the story's missing-column batch (the last column dropped) breaks the contract
    rows = _rows(files[layout["batch"]])
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([r[:-1] for r in rows])
    (tmp_path / "missing.csv").write_text(out.getvalue())
    with pytest.raises(contract_py.ContractError, match="columns where test files have"):
        _read(contract_py, contract, str(tmp_path / "missing.csv"), batch_columns)


# ---------------------------------------------------------------- label corruption


def test_binary_labels_are_flipped():
    text = "record_id,y\n1,yes\n2,no\n3,?\n"
    assert split.corrupt_labels(text, _contract("binary"), "binary") == "record_id,y\n1,no\n2,yes\n3,?\n"


def test_the_posts_labels_are_flipped_as_before():
    contract = {"header": "auto", "missing_values": ["", "?"], "columns": [
        {"name": "Age", "role": "feature", "type": "numeric"},
        {"name": "Severity", "role": "label", "type": "categorical", "categories": [0, 1], "positive": 1}]}
    text = "record_id,Severity\n1,1\n2,0\n"
    assert split.corrupt_labels(text, contract, "binary") == "record_id,Severity\n1,0\n2,1\n"


def test_multiclass_labels_rotate_to_the_next_class():
    text = "record_id,y\n1,low\n2,mid\n3,high\n"
    assert split.corrupt_labels(text, _contract("multiclass"), "multiclass") == "record_id,y\n1,mid\n2,high\n3,low\n"


def test_regression_labels_are_reflected():
    text = "record_id,y\n1,10.5\n2,20.0\n3,12.25\n4,\n"
    assert split.corrupt_labels(text, _contract("regression"), "regression") == \
        "record_id,y\n1,20.00\n2,10.50\n3,18.25\n4,\n"


def test_an_unknown_class_is_named():
    with pytest.raises(ValueError, match="'maybe' is none of the contract's classes"):
        split.corrupt_labels("record_id,y\n1,maybe\n", _contract("binary"), "binary")


# ---------------------------------------------------------------- the executor's filters


@pytest.fixture
def executor(monkeypatch):
    # The executor's module imports boto3 (its S3 moves); the filters need none of it.
    stub = types.SimpleNamespace(client=None, Session=None)
    monkeypatch.setitem(sys.modules, "boto3", stub)
    monkeypatch.setitem(sys.modules, "botocore", types.SimpleNamespace(config=types.SimpleNamespace(Config=lambda **k: None)))
    monkeypatch.setitem(sys.modules, "botocore.config", sys.modules["botocore"].config)
    for name in ("localrun.executor", "localrun.cloud"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    return importlib.import_module("localrun.executor")


def test_filters_select_indexes_and_slices(executor):
    f = executor.csv_filter
    joined = ["id7", "1.0", "2.0", "0.1", "0.2", "0.7"]
    assert f(joined, "$") == joined
    assert f(joined, "$[1:]") == joined[1:]
    assert f(joined, "$[0,-1]") == ["id7", "0.7"]
    assert f(joined, "$[0,3:]") == ["id7", "0.1", "0.2", "0.7"]  # a multiclass model's K probabilities
    with pytest.raises(ValueError, match="index 9 out of range"):
        f(joined, "$[0,9]")
    with pytest.raises(ValueError, match="neither an index nor a slice"):
        f(joined, "$[0,a]")


def test_a_joined_record_is_the_input_then_every_answer_field(executor):
    record = executor.csv_fields("id7,1.0,2.0") + executor.csv_fields("0.1,0.2,0.7")
    assert executor.csv_line(executor.csv_filter(record, "$[0,3:]")) == "id7,0.1,0.2,0.7"
    assert executor.csv_line(executor.csv_filter(executor.csv_fields('"a,b",1.0') + ["0.5"], "$[0,-1]")) == '"a,b",0.5'
