"""Tests of localrun.data: the UCI stand-in and the notebook's data files."""

import io
import os
import sys
import warnings

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))

from localrun import data  # noqa: E402

COLUMNS = ["BIRADS", "Age", "Shape", "Margin", "Density"]

# The notebook's code (mammography-severity-modeling.ipynb): cell 8's imports
# without boto3/sagemaker, cell 10, then cells 13-23 verbatim.
NOTEBOOK_CODE = '''
import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler, OneHotEncoder

feature_columns_names = [
    'BIRADS',
    'Age',
    'Shape',
    'Margin',
    'Density',
]
feature_columns_dtype = {
    'BIRADS': np.float64,
    'Age': np.float64,
    'Shape': np.float64,
    'Margin': np.float64,
    'Density': np.float64,
}

mammographic_data = pd.read_csv("data/mammographic_masses.data",header=None)

# split data into batch and raw datasets
batch_df =mammographic_data.sample(frac=0.05,random_state=200)
raw_df =mammographic_data.drop(batch_df.index)

# Split the raw datasets to two parts, one of which will be used to train
#the model initially and then other dataset will be leveraged when 
#retraining the model
train_dataset_part2 =raw_df.sample(frac=0.1,random_state=200)
train_dataset_part1 =raw_df.drop(train_dataset_part2.index)

# save the train datasets 
train_dataset_part1.to_csv("data/mammo-train-dataset-part1.csv",index=False)
train_dataset_part2.to_csv("data/mammo-train-dataset-part2.csv",index=False)

# remove label column from the batch dataset which will be used to generate inferences
batch_df.drop(5,axis=1,inplace=True)

# create a copy of the batch dataset 
batch_modified_df = batch_df

def preprocess_batch_data(feature_columns_names,feature_columns_dtype,batch_df):
    batch_df.replace("?", "NaN", inplace = True)
    batch_df.columns = feature_columns_names
    batch_df = batch_df.astype(feature_columns_dtype)
    numeric_transformer = Pipeline( 
        steps=[("imputer", SimpleImputer(strategy="median"))]
        )
    numeric_features = list(feature_columns_names)
    preprocess = ColumnTransformer(
        transformers=[
            ("num", numeric_transformer, numeric_features)
        ]
    ) 
    batch_df = preprocess.fit_transform(batch_df)
    return batch_df

# save the batch dataset file
batch_df = preprocess_batch_data(feature_columns_names,feature_columns_dtype,batch_df)
pd.DataFrame(batch_df).to_csv("data/mammo-batch-dataset.csv", header=False, index=False)

# modify batch dataset to introduce missing values
batch_modified_df.replace("?", "NaN", inplace = True)
batch_modified_df.columns = feature_columns_names
batch_modified_df = batch_modified_df.astype(feature_columns_dtype)
# save the batch dataset with outliers file
batch_modified_df.to_csv("data/mammo-batch-dataset-outliers.csv",index=False)
'''


@pytest.fixture(scope="module")
def uci_text():
    return data.uci_stand_in()


@pytest.fixture(scope="module")
def files(uci_text):
    return data.notebook_files(uci_text)


@pytest.fixture(scope="module")
def plain_files(uci_text):
    return data.notebook_files(uci_text, outliers=False)


def _uci_frame(text):
    return pd.read_csv(io.StringIO(text), header=None, na_values="?")


def _lines(text):
    return text.splitlines()


# ---------------------------------------------------------------- stand-in


def test_stand_in_shape_and_format(uci_text):
    assert uci_text.endswith("\n") and not uci_text.endswith("\n\n")
    lines = _lines(uci_text)
    assert len(lines) == 961
    for line in lines:
        fields = line.split(",")
        assert len(fields) == 6
        for field in fields:
            assert field == "?" or field.isdigit(), line
    # no header: the first line is data
    assert all(f == "?" or f.isdigit() for f in lines[0].split(","))


def test_stand_in_missing_counts_and_classes(uci_text):
    df = _uci_frame(uci_text)
    assert df.isna().sum().tolist() == [2, 5, 31, 48, 76, 0]
    assert df[5].value_counts().to_dict() == {1: 445, 0: 516}
    birads = df[0].value_counts().to_dict()
    assert birads[0] == 5 and birads[6] == 11 and birads[55] == 1


def test_stand_in_value_ranges_and_class_conditionals(uci_text):
    df = _uci_frame(uci_text)
    age, shape, margin, density, y = df[1], df[2], df[3], df[4], df[5]
    assert age.dropna().between(18, 96).all()
    assert set(shape.dropna()) <= {1, 2, 3, 4}
    assert set(margin.dropna()) <= {1, 2, 3, 4, 5}
    assert set(density.dropna()) <= {1, 2, 3, 4}
    assert set(df[0].dropna()) <= {0, 2, 3, 4, 5, 6, 55}
    assert 59 <= age[y == 1].mean() <= 67 and 9 <= age[y == 1].std() <= 15
    assert 47 <= age[y == 0].mean() <= 55 and 11 <= age[y == 0].std() <= 17
    assert shape[y == 0].isin([1, 2]).mean() > 0.6
    assert (shape[y == 1] == 4).mean() > 0.6
    assert (margin[y == 0] == 1).mean() > 0.5
    assert margin[y == 1].isin([4, 5]).mean() > 0.6
    assert (density.dropna() == 3).mean() > 0.8
    assert df[0][y == 0].isin([2, 3, 4]).mean() > 0.8
    assert df[0][y == 1].isin([4, 5]).mean() > 0.9
    # shuffled: both classes among the first and the last rows
    assert 0 < y[:100].sum() < 100 and 0 < y[-100:].sum() < 100


def test_stand_in_deterministic():
    assert data.uci_stand_in(1) == data.uci_stand_in(1)
    assert data.uci_stand_in(7) == data.uci_stand_in(7)
    assert data.uci_stand_in(1) != data.uci_stand_in(2)
    assert data.uci_stand_in() == data.uci_stand_in(1)


# ---------------------------------------------------------------- notebook


def _run_notebook_verbatim(uci_text, workdir):
    os.makedirs(os.path.join(workdir, "data"))
    with open(os.path.join(workdir, "data", "mammographic_masses.data"), "w", newline="") as f:
        f.write(uci_text)
    old = os.getcwd()
    os.chdir(workdir)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exec(compile(NOTEBOOK_CODE, "notebook", "exec"), {"__name__": "notebook"})
    finally:
        os.chdir(old)
    out = {}
    for name in data.POST_FILES:
        with open(os.path.join(workdir, "data", name), "rb") as f:
            out[name] = f.read()
    return out


@pytest.mark.parametrize("seed", [1, 2])
def test_no_outliers_byte_identical_to_notebook(tmp_path, seed):
    text = data.uci_stand_in(seed)
    expected = _run_notebook_verbatim(text, str(tmp_path))
    got = data.notebook_files(text, outliers=False)
    assert set(got) == set(data.POST_FILES) | {data.BATCH_LABELS}
    for name in data.POST_FILES:
        assert got[name].encode("utf-8") == expected[name], name


def test_outliers_change_only_the_outliers_file(files, plain_files):
    for name in (data.TRAIN_PART1, data.TRAIN_PART2, data.BATCH, data.BATCH_LABELS):
        assert files[name] == plain_files[name]
    assert files[data.BATCH_OUTLIERS] != plain_files[data.BATCH_OUTLIERS]


def test_row_counts_and_formats(files):
    batch = _lines(files[data.BATCH])
    part1 = _lines(files[data.TRAIN_PART1])
    part2 = _lines(files[data.TRAIN_PART2])
    outl = _lines(files[data.BATCH_OUTLIERS])
    assert len(batch) == 48 == round(0.05 * 961)
    n_part2 = int(round(0.1 * 913))  # pandas: round(frac * n)
    assert len(part2) - 1 == n_part2 == 91
    assert len(part1) - 1 == 913 - n_part2 == 822
    assert part1[0] == "0,1,2,3,4,5" and part2[0] == "0,1,2,3,4,5"
    assert any("?" in line for line in part1[1:])
    for line in batch:
        fields = line.split(",")
        assert len(fields) == 5
        for field in fields:
            float(field)  # no header, no missing value
            assert "." in field
    assert outl[0] == "BIRADS,Age,Shape,Margin,Density"
    assert len(outl) - 1 == 48
    assert all(len(line.split(",")) == 5 for line in outl[1:])
    assert any("" in line.split(",") for line in outl[1:])
    assert "nan" not in files[data.BATCH_OUTLIERS].lower()


def test_outliers_file_keeps_missing_pattern(files, plain_files):
    a = pd.read_csv(io.StringIO(files[data.BATCH_OUTLIERS]))
    b = pd.read_csv(io.StringIO(plain_files[data.BATCH_OUTLIERS]))
    assert list(a.columns) == COLUMNS
    assert (a.isna() == b.isna()).all().all()
    assert a["Age"].max() <= 100
    assert (a["BIRADS"].fillna(-1) == b["BIRADS"].fillna(-1)).all()
    assert (a["Density"].fillna(-1) == b["Density"].fillna(-1)).all()


def test_labels_file(files, uci_text):
    lines = _lines(files[data.BATCH_LABELS])
    assert lines[0] == "record_id,Severity"
    labels = pd.read_csv(io.StringIO(files[data.BATCH_LABELS]))
    assert len(labels) == 48
    assert labels["record_id"].tolist() == list(range(1, 49))
    assert set(labels["Severity"]) <= {0, 1}
    uci = pd.read_csv(io.StringIO(uci_text), header=None)
    sampled = uci.sample(frac=0.05, random_state=200)
    assert labels["Severity"].tolist() == sampled[5].tolist()
    # the batch's rows are those UCI rows, in that order
    batch = pd.read_csv(io.StringIO(files[data.BATCH]), header=None)
    raw = sampled.drop(columns=5).replace("?", np.nan).astype(float).to_numpy()
    present = ~np.isnan(raw)
    assert np.array_equal(batch.to_numpy()[present], raw[present])


def test_injected_outliers_shift_the_distribution(files):
    normal = pd.read_csv(io.StringIO(files[data.BATCH]), header=None, names=COLUMNS)
    outl = pd.read_csv(io.StringIO(files[data.BATCH_OUTLIERS]))
    assert outl["Age"].mean() >= normal["Age"].mean() + 20
    assert (outl["Shape"].dropna() == 4).mean() >= 0.6
    assert (outl["Margin"].dropna() == 5).mean() >= 0.6
    assert (normal["Margin"] == 5).mean() < 0.4


def test_model_sanity_auc(files):
    from sklearn.ensemble import GradientBoostingClassifier
    from sklearn.impute import SimpleImputer
    from sklearn.metrics import roc_auc_score

    train = pd.concat(
        pd.read_csv(io.StringIO(files[n])) for n in (data.TRAIN_PART1, data.TRAIN_PART2)
    )
    train = train.replace("?", np.nan).astype(float)
    train.columns = COLUMNS + ["Severity"]
    features = ["Age", "Shape", "Margin", "Density"]
    imputer = SimpleImputer(strategy="median").fit(train[features])
    model = GradientBoostingClassifier(random_state=0)
    model.fit(imputer.transform(train[features]), train["Severity"].astype(int))

    batch = pd.read_csv(io.StringIO(files[data.BATCH]), header=None, names=COLUMNS)
    labels = pd.read_csv(io.StringIO(files[data.BATCH_LABELS]))
    scores = model.predict_proba(batch[features].to_numpy())[:, 1]
    auc = roc_auc_score(labels["Severity"], scores)
    assert 0.75 <= auc <= 0.95, auc


def test_notebook_files_deterministic(uci_text, files):
    assert data.notebook_files(uci_text) == files


# ---------------------------------------------------------------- read_data_dir / CLI


def _write(directory, name, text):
    with open(os.path.join(directory, name), "w", newline="") as f:
        f.write(text)


def test_read_data_dir_from_uci(tmp_path, uci_text, files):
    _write(tmp_path, data.UCI_FILE, uci_text)
    assert data.read_data_dir(tmp_path) == files
    assert data.read_data_dir(str(tmp_path)) == files


def test_read_data_dir_post_files(tmp_path, files):
    for name in data.POST_FILES:
        _write(tmp_path, name, files[name])
    got = data.read_data_dir(tmp_path)
    assert got == {n: files[n] for n in data.POST_FILES}
    _write(tmp_path, data.BATCH_LABELS, files[data.BATCH_LABELS])
    assert data.read_data_dir(tmp_path) == files


def test_read_data_dir_errors(tmp_path, files):
    _write(tmp_path, data.TRAIN_PART1, files[data.TRAIN_PART1])
    with pytest.raises(ValueError) as info:
        data.read_data_dir(tmp_path)
    message = str(info.value)
    assert str(tmp_path) in message
    assert data.UCI_FILE in message
    for name in data.POST_FILES:
        assert name in message
    with pytest.raises(ValueError):
        data.read_data_dir(tmp_path / "absent")


def test_main_writes_files(tmp_path, capsys, files, plain_files, uci_text):
    out = tmp_path / "out"
    assert data.main([str(out)]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == 6
    assert any(data.BATCH in line and line.endswith(": 48 rows") for line in printed)
    assert any(data.TRAIN_PART1 in line and line.endswith(": 822 rows") for line in printed)
    assert any(data.UCI_FILE in line and line.endswith(": 961 rows") for line in printed)
    with open(out / data.UCI_FILE, newline="") as f:
        assert f.read() == uci_text
    for name, text in files.items():
        with open(out / name, newline="") as f:
            assert f.read() == text, name

    out2 = tmp_path / "out2"
    assert data.main([str(out2), "--uci", str(out / data.UCI_FILE), "--no-outliers"]) == 0
    assert not (out2 / data.UCI_FILE).exists()
    for name, text in plain_files.items():
        with open(out2 / name, newline="") as f:
            assert f.read() == text, name
