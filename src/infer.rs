//! `init --data`: a model's data contract learned from one of its raw CSV files: whether it has
//! a header row, which cells mean "missing", each column's type and role, the label's problem
//! type and (binary) positive class.
//!
//! Owns a small CSV reader (RFC 4180 quoting, CRLF, LF or CR line ends, a byte-order mark; blank
//! lines are no records, as for the pipelines' `csv.reader`) and the inference rules. It reads
//! only the text it is given and returns the contract as the JSON a model file holds, plus notes
//! for the user; a file it cannot learn from is an [`InferError`] naming the file, the line and
//! the column. Nothing here prints.
//!
//! It never writes an observed range as a limit: later batches and drifted data would be refused
//! for values the sample happened not to hold. Observed ranges go into the descriptions; the only
//! limit written is `"min": 0` for a column that never goes below zero.

use crate::diag::plural;
use crate::diag::quoted;
use serde_json::{Map, Value, json};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::fmt;

/// Cells (trimmed) that mean "missing" wherever they occur.
const MARKERS: &[&str] = &["", "?", "NA", "N/A", "NaN", "nan", "null", "NULL", "None"];
/// "-" means missing only when no column holds it among other text: in some data sets it is a
/// class (a DNA strand, a sign).
const DASH: &str = "-";
/// Fewer data rows than this are too few to learn types and classes from.
pub const MIN_ROWS: usize = 20;
/// The contract's limits (`config::shape`): categories per column, characters per category and
/// column name, columns per contract, characters per description.
const MAX_CATEGORIES: usize = 1000;
const MAX_TEXT: usize = 64;
const MAX_COLUMNS: usize = 500;
const MAX_DESCRIPTION: usize = 256;
/// A text column with more distinct values than this, most of them seen once, holds names, free
/// text or identifiers rather than categories (a later batch would bring new ones).
const FEW_CATEGORIES: usize = 20;
/// A numeric label is read as classes when it holds 3 to this many integers, each in at least
/// [`MIN_CLASS_ROWS`] rows; otherwise as a quantity (regression).
const MAX_INTEGER_CLASSES: usize = 20;
const MIN_CLASS_ROWS: usize = 5;

/// What the model predicts (one meaning for the whole tool: `model::problem`).
pub use crate::model::ProblemType;

/// What `init --data` was told about the file.
#[derive(Debug, Clone, Default)]
pub struct InferOptions {
    /// The column the model predicts (`--label`), matched case-insensitively.
    pub label: String,
    /// `--problem-type`; inferred from the label's values when absent.
    pub problem_type: Option<ProblemType>,
    /// `--positive`: the binary label's positive class, as a cell writes it.
    pub positive: Option<String>,
    /// `--id`: the column that identifies a record.
    pub id: Option<String>,
}

/// A contract learned from a file.
#[derive(Debug, Clone, PartialEq)]
pub struct Inferred {
    /// "binary", "multiclass" or "regression".
    pub problem_type: String,
    /// The data contract in the config format: `header`, `missing_values`, `columns`.
    pub data_contract: Value,
    /// What was learned and guessed, one sentence each, for `init` to print.
    pub notes: Vec<String>,
    /// Data rows read (the header and blank lines not counted).
    pub rows: usize,
}

/// Why no contract could be learned: where (file, line, column), what, and one hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InferError {
    /// The file, as the user named it.
    pub file: String,
    /// 1-based line of the file, when the problem has one.
    pub line: Option<usize>,
    /// The column, as the message names it (`column "Age"`, `column 3`).
    pub column: Option<String>,
    pub message: String,
    pub hint: Option<String>,
    /// The flag whose value is wrong (a usage error), when it is one.
    pub flag: Option<Flag>,
}

/// A flag of `init --data` whose value an [`InferError`] refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flag {
    Label,
    Id,
    ProblemType,
    Positive,
}

impl Flag {
    /// The flag as typed.
    pub fn as_str(self) -> &'static str {
        match self {
            Flag::Label => "--label",
            Flag::Id => "--id",
            Flag::ProblemType => "--problem-type",
            Flag::Positive => "--positive",
        }
    }
}

impl fmt::Display for InferError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        write!(f, ": ")?;
        if let Some(column) = &self.column {
            write!(f, "{column}: ")?;
        }
        write!(f, "{}", self.message)
    }
}

impl std::error::Error for InferError {}

/// The text of a data file: UTF-8 (a leading byte-order mark is allowed), or an error naming
/// the line of the first byte that is not.
pub fn decode<'a>(bytes: &'a [u8], file: &str) -> Result<&'a str, InferError> {
    std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        let line = bytes[..at].iter().filter(|b| **b == b'\n').count() + 1;
        InferError {
            file: file.to_string(),
            line: Some(line),
            column: None,
            message: format!("not UTF-8 text (byte 0x{:02x} at offset {at})", bytes[at]),
            hint: Some("save the file as UTF-8, e.g. `iconv -f latin1 -t utf-8`".into()),
            flag: None,
        }
    })
}

/// The data contract of the model whose raw file `text` is (`file_name` names it in errors and
/// notes). See the module documentation for the rules.
pub fn infer(text: &str, file_name: &str, opts: &InferOptions) -> Result<Inferred, InferError> {
    let err = |line: Option<usize>, column: Option<String>, message: String, hint: Option<String>| InferError {
        file: file_name.to_string(),
        line,
        column,
        message,
        hint,
        flag: None,
    };
    let mut reader = Reader::new(text, file_name);
    let Some(first) = reader.next_record()? else {
        return Err(err(
            None,
            None,
            "the file holds no rows".into(),
            Some("give a CSV file with a row per record".into()),
        ));
    };
    let width = first.fields.len();
    if width < 2 {
        let line = text.trim_start_matches('\u{feff}').lines().find(|l| !l.trim().is_empty()).unwrap_or_default();
        let separator = [(';', "semicolons"), ('\t', "tabs"), ('|', "vertical bars")]
            .into_iter()
            .find(|(c, _)| line.contains(*c))
            .map(|(_, name)| {
                format!(
                    "this file looks separated by {name}; mlopsgen reads comma-separated files: save it with commas"
                )
            });
        return Err(err(
            Some(first.line),
            None,
            "one column; a model's file needs at least two (the label and a feature)".into(),
            Some(separator.unwrap_or_else(|| "give the file with the features and the label, comma-separated".into())),
        ));
    }
    if width > MAX_COLUMNS {
        return Err(err(
            Some(first.line),
            None,
            format!("{width} columns; a data contract holds at most {MAX_COLUMNS}"),
            Some(format!("keep the label and at most {} features in the file", MAX_COLUMNS - 1)),
        ));
    }

    // Pass 1: every column's statistics over the rows after the first.
    let mut stats: Vec<Stats> = (0..width).map(|_| Stats::default()).collect();
    let mut rows = 0usize;
    let mut ragged: Option<(usize, usize)> = None;
    let mut ragged_rows = 0usize;
    while let Some(r) = reader.next_record()? {
        if r.fields.len() != width {
            ragged.get_or_insert((r.line, r.fields.len()));
            ragged_rows += 1;
            continue;
        }
        rows += 1;
        for (s, cell) in stats.iter_mut().zip(&r.fields) {
            s.add(cell, r.line);
        }
    }

    let cells: Vec<&str> = first.fields.iter().map(|c| c.trim()).collect();
    // A first row holding the name --label gives is the header, whatever the values say.
    let names_label = |c: &&str| c.to_lowercase() == opts.label.trim().to_lowercase();
    let header = has_header(&cells, &stats) || cells.iter().any(names_label);
    let names: Vec<String> = if header {
        let trailing_comma = matches!(stats[width - 1].kind(), Kind::Empty);
        check_names(&cells, first.line, file_name, trailing_comma)?
    } else {
        rows += 1;
        for (s, cell) in stats.iter_mut().zip(&cells) {
            s.add(cell, first.line);
        }
        (1..=width).map(|i| format!("column_{i}")).collect()
    };
    let of = if header { "the header has".to_string() } else { format!("line {} has", first.line) };
    if let Some((line, n)) = ragged {
        let (message, hint) = if n < width {
            (
                format!("{n} fields where {of} {width}: the row ends before column {}", quoted(&names[n])),
                "every row needs a field per column; an empty field (,,) is a missing value",
            )
        } else if rows == 0 && n == width + 1 && header {
            (
                format!("{n} fields where {of} {width}: a value after the last column {}", quoted(&names[width - 1])),
                "every row has one field more than the header: name the first column (an index written without a name?)",
            )
        } else {
            (
                format!("{n} fields where {of} {width}: a value after the last column {}", quoted(&names[width - 1])),
                "a value holding a comma must be quoted: \"a, b\"",
            )
        };
        let more = if ragged_rows > 1 { format!(" ({} rows like this)", ragged_rows) } else { String::new() };
        return Err(err(Some(line), None, format!("{message}{more}"), Some(hint.into())));
    }
    if rows < MIN_ROWS {
        return Err(err(
            None,
            None,
            format!(
                "{}{}; at least {MIN_ROWS} are needed to learn a contract from",
                plural(rows, "data row"),
                if header { " after the header" } else { "" }
            ),
            Some("give a sample of the training data with more rows".into()),
        ));
    }

    // "-" is a marker only if no column holds it among text; otherwise it is a value everywhere.
    let dash_marker = stats.iter().all(|s| s.dashes == 0 || (s.texts == 0 && s.infinite.is_none()));
    let mut dash_columns = Vec::new();
    for (i, s) in stats.iter_mut().enumerate() {
        if s.dashes == 0 {
            continue;
        }
        if dash_marker {
            s.missing += s.dashes;
        } else {
            dash_columns.push(quoted(&names[i]));
            s.texts += s.dashes;
            let line = s.first_dash.unwrap_or_default();
            if s.first_text.as_ref().is_none_or(|(l, _)| line < *l) {
                s.first_text = Some((line, DASH.to_string()));
            }
            s.insert(DASH, line, s.dashes);
        }
    }

    let find = |name: &str| {
        let want = name.trim().to_lowercase();
        names.iter().position(|n| n.to_lowercase() == want)
    };
    let unknown = |flag: Flag, name: &str| {
        let near = crate::validate::structure::did_you_mean(name.trim(), names.iter().map(String::as_str));
        let listed = match near {
            Some(n) => format!("did you mean {} {}?", flag.as_str(), quoted(n)),
            None => format!("the columns are {}", list(names.iter().map(|n| quoted(n)), 8)),
        };
        let hint = if header {
            listed
        } else {
            format!("the file has no header row, so its columns are column_1 to column_{width}; {listed}")
        };
        InferError {
            line: Some(first.line),
            column: Some(format!("column {}", quoted(name))),
            message: format!("{} names no column of the file ({})", flag.as_str(), plural(width, "column")),
            hint: Some(hint),
            flag: Some(flag),
            ..err(None, None, String::new(), None)
        }
    };
    let label = find(&opts.label).ok_or_else(|| unknown(Flag::Label, &opts.label))?;
    let id = match &opts.id {
        Some(name) => {
            let i = find(name).ok_or_else(|| unknown(Flag::Id, name))?;
            if i == label {
                return Err(InferError {
                    line: Some(first.line),
                    column: Some(format!("column {}", quoted(&names[i]))),
                    message: "--id names the label; a record id is another column".into(),
                    hint: Some("leave out --id (records are then numbered) or name the id column".into()),
                    flag: Some(Flag::Id),
                    ..err(None, None, String::new(), None)
                });
            }
            Some(i)
        }
        None => None,
    };
    let data = Data { text, file: file_name, header, width };
    let label_column = learn_label(&data, &stats[label], &names[label], label, rows, opts, first.line, dash_marker)?;
    if let Some(i) = id {
        check_id(&data, &names, &stats, i, label, dash_marker)?;
    }

    // Every other column: a numeric or categorical feature, or ignored (with the reason).
    let mut columns = Vec::with_capacity(width);
    let mut ignored = Vec::new();
    let (mut numeric, mut categorical) = (0, 0);
    for (i, (name, s)) in names.iter().zip(&stats).enumerate() {
        if i == label {
            columns.push(label_column.json.clone());
            continue;
        }
        let mut c = Map::new();
        c.insert("name".into(), json!(name));
        let missing = if s.missing > 0 { format!(", {} missing", s.missing) } else { String::new() };
        if Some(i) == id {
            c.insert("role".into(), json!("id"));
            c.insert("description".into(), json!(format!("record id: {rows} unique values")));
            columns.push(Value::Object(c));
            continue;
        }
        let reason = match s.kind() {
            Kind::Empty => Some(format!("every value missing in {rows} rows")),
            Kind::Numeric => {
                numeric += 1;
                c.insert("type".into(), json!("numeric"));
                c.insert("role".into(), json!("feature"));
                if s.min.is_some_and(|m| m >= 0.0) {
                    c.insert("min".into(), json!(0));
                }
                let range = format!("{}..{}", num(s.min.unwrap_or_default()), num(s.max.unwrap_or_default()));
                c.insert("description".into(), json!(clip(format!("observed {range} in {rows} rows{missing}"))));
                None
            }
            Kind::NonFinite => {
                let (line, v) = s.infinite.clone().unwrap_or_default();
                Some(format!("numbers and {} on line {line}; the pipelines read finite numbers only", quoted(&v)))
            }
            Kind::Text => {
                if s.overflow.is_some() {
                    Some(format!("more than {MAX_CATEGORIES} distinct values: free text or identifiers"))
                } else if let Some((line, _)) = &s.too_long {
                    Some(format!("values longer than {MAX_TEXT} characters, e.g. on line {line}: free text"))
                } else if s.distinct.len() > FEW_CATEGORIES && s.distinct.len() * 2 > rows - s.missing {
                    Some(format!(
                        "mostly unique: {} distinct of {}; names, free text or identifiers",
                        s.distinct.len(),
                        plural(rows - s.missing, "value")
                    ))
                } else {
                    categorical += 1;
                    let mut categories: Vec<&String> = s.distinct.keys().collect();
                    categories.sort();
                    c.insert("type".into(), json!("categorical"));
                    c.insert("role".into(), json!("feature"));
                    c.insert("categories".into(), json!(categories));
                    let k = categories.len();
                    let k = if k == 1 { "1 category".to_string() } else { format!("{k} categories") };
                    c.insert("description".into(), json!(clip(format!("{k} in {rows} rows{missing}"))));
                    None
                }
            }
        };
        if let Some(reason) = reason {
            c.insert("role".into(), json!("ignore"));
            c.insert("description".into(), json!(clip(format!("{reason}; not read by the model"))));
            ignored.push(format!("{} ({reason})", quoted(name)));
        }
        columns.push(Value::Object(c));
    }
    if numeric + categorical == 0 {
        return Err(err(
            None,
            None,
            "no feature: every column but the label is ignored or the record id".into(),
            Some(if ignored.is_empty() {
                "give the file with the columns the model reads".into()
            } else {
                format!("ignored: {}", ignored.join("; "))
            }),
        ));
    }

    // Markers: the contract's defaults (later batches may use them), then those found here;
    // never a category (a found marker never is one: its cells were read as missing).
    let categories: HashSet<&str> =
        columns.iter().filter_map(|c| c["categories"].as_array()).flatten().filter_map(Value::as_str).collect();
    let mut missing_values: Vec<&str> =
        crate::config::shape::DEFAULT_MISSING_VALUES.iter().copied().filter(|m| !categories.contains(m)).collect();
    let mut found = Vec::new();
    for (m, marker) in MARKERS.iter().enumerate() {
        let n: usize = stats.iter().map(|s| s.markers[m]).sum();
        if n > 0 {
            found.push(format!("{} in {}", quoted(marker), plural(n, "cell")));
            if !missing_values.contains(marker) {
                missing_values.push(marker);
            }
        }
    }
    let dashes: usize = stats.iter().map(|s| s.dashes).sum();
    if dash_marker && dashes > 0 {
        found.push(format!("{} in {}", quoted(DASH), plural(dashes, "cell")));
        missing_values.push(DASH);
    }

    let mut notes = vec![if header {
        format!("{file_name}: {rows} rows, {width} columns named by the header row (line {})", first.line)
    } else {
        format!("{file_name}: {rows} rows, {width} columns, no header row: named column_1 to column_{width}")
    }];
    notes.push(label_column.note.clone());
    if let Some(i) = id {
        notes.push(format!("record id: {} ({rows} unique values)", quoted(&names[i])));
    }
    notes.push(format!("features: {numeric} numeric, {categorical} categorical"));
    if !ignored.is_empty() {
        notes.push(format!("{} ignored: {}", plural(ignored.len(), "column"), ignored.join(", ")));
    }
    notes.push(if found.is_empty() {
        "missing values: none found".to_string()
    } else {
        format!("missing values: {}", found.join(", "))
    });
    if !dash_columns.is_empty() {
        notes.push(format!(
            "\"-\" is a value (column {}), so it is not a missing-value marker",
            dash_columns.join(", ")
        ));
    }
    Ok(Inferred {
        problem_type: label_column.problem_type.as_str().to_string(),
        data_contract: json!({
            "header": if header { "present" } else { "absent" },
            "missing_values": missing_values,
            "columns": columns,
        }),
        notes,
        rows,
    })
}

/// The file again, for the passes that need one column's values in order.
struct Data<'a> {
    text: &'a str,
    file: &'a str,
    header: bool,
    width: usize,
}

impl Data<'_> {
    /// Calls `f` with the line and the trimmed cell of column `i` of every data row, until it
    /// returns false. The file was read whole once already, so it parses.
    fn each(&self, i: usize, mut f: impl FnMut(usize, &str) -> bool) {
        let mut reader = Reader::new(self.text, self.file);
        let mut first = true;
        while let Ok(Some(r)) = reader.next_record() {
            let skip = first && self.header;
            first = false;
            if skip || r.fields.len() != self.width {
                continue;
            }
            if !f(r.line, r.fields[i].trim()) {
                return;
            }
        }
    }

    fn error(&self, line: usize, column: &str, message: String, hint: String) -> InferError {
        InferError {
            file: self.file.to_string(),
            line: Some(line),
            column: Some(format!("column {}", quoted(column))),
            message,
            hint: Some(hint),
            flag: None,
        }
    }
}

/// The label's column in the contract, its problem type and the note saying what was decided.
struct Label {
    json: Value,
    problem_type: ProblemType,
    note: String,
}

/// One class of a classification label.
struct Class {
    value: Value,
    text: String,
    rows: usize,
    first_line: usize,
}

#[allow(clippy::too_many_arguments)]
fn learn_label(
    data: &Data<'_>,
    s: &Stats,
    name: &str,
    index: usize,
    rows: usize,
    opts: &InferOptions,
    header_line: usize,
    dash_marker: bool,
) -> Result<Label, InferError> {
    if s.missing > 0 {
        let mut lines = Vec::new();
        data.each(index, |line, cell| {
            if MARKERS.contains(&cell) || (dash_marker && cell == DASH) {
                lines.push(line);
            }
            lines.len() < 5
        });
        let shown = list(lines.iter().map(usize::to_string), 4);
        return Err(data.error(
            lines.first().copied().unwrap_or(header_line),
            name,
            format!("the label is missing in {} (line {shown})", plural(s.missing, "row")),
            "every training row needs its label: fill these in or remove the rows".into(),
        ));
    }
    let numeric = s.texts == 0 && s.infinite.is_none();
    let classes = classes(s, numeric);
    let count = if s.overflow.is_some() { None } else { Some(classes.len()) };
    let flag_error = |line: usize, message: String, hint: String| InferError {
        flag: Some(Flag::ProblemType),
        ..data.error(line, name, message, hint)
    };
    let by_first: Vec<&Class> = {
        let mut v: Vec<&Class> = classes.iter().collect();
        v.sort_by_key(|c| c.first_line);
        v
    };
    if count == Some(1) {
        return Err(data.error(
            by_first[0].first_line,
            name,
            format!(
                "the label holds one value, {}, in all {rows} rows; a model needs two at least",
                quoted(&by_first[0].text)
            ),
            "is --label the column the model predicts?".into(),
        ));
    }
    let integers = numeric && !s.fractional;
    let (problem_type, why) = match opts.problem_type {
        Some(t) => (t, "given by --problem-type".to_string()),
        None if count == Some(2) => (ProblemType::Binary, "two classes".into()),
        None if !numeric => match count {
            Some(_) => (ProblemType::Multiclass, "text values".into()),
            None => {
                let (line, v) = s.first_text.clone().unwrap_or_default();
                return Err(data.error(
                    line,
                    name,
                    format!(
                        "the label has more than {MAX_CATEGORIES} distinct values and {} is not a number: neither classes nor a quantity",
                        quoted(&v)
                    ),
                    "is --label the column the model predicts?".into(),
                ));
            }
        },
        None => match count {
            Some(n)
                if integers
                    && (3..=MAX_INTEGER_CLASSES).contains(&n)
                    && classes.iter().all(|c| c.rows >= MIN_CLASS_ROWS) =>
            {
                let fewest = classes.iter().map(|c| c.rows).min().unwrap_or_default();
                (
                    ProblemType::Multiclass,
                    format!(
                        "{n} integer values, each in {fewest} rows or more; --problem-type regression if they are quantities"
                    ),
                )
            }
            _ => {
                let distinct = count.map(|n| n.to_string()).unwrap_or_else(|| format!("over {MAX_CATEGORIES}"));
                let hint = if integers && count.is_some_and(|n| n <= MAX_CATEGORIES) {
                    "; --problem-type multiclass if they are classes"
                } else {
                    ""
                };
                (ProblemType::Regression, format!("numbers, {distinct} distinct values{hint}"))
            }
        },
    };
    // A given type must fit the values.
    let propose = |n: Option<usize>| -> &'static str {
        match n {
            Some(2) => "--problem-type binary",
            Some(n) if n <= MAX_CATEGORIES && !(numeric && n > MAX_INTEGER_CLASSES) => "--problem-type multiclass",
            _ if numeric => "--problem-type regression",
            _ => "another --label",
        }
    };
    match problem_type {
        ProblemType::Binary | ProblemType::Multiclass => {
            let fits = match problem_type {
                ProblemType::Binary => count == Some(2),
                _ => count.is_some_and(|n| n >= 3),
            };
            if !fits {
                let (line, found) = match count {
                    Some(2) => (
                        by_first[1].first_line,
                        format!(
                            "2 classes ({}; the second first on this line)",
                            list(by_first.iter().map(|c| quoted(&c.text)), 2)
                        ),
                    ),
                    Some(n) => (
                        by_first[2].first_line,
                        format!(
                            "{n} classes ({}; the third first on this line)",
                            list(by_first.iter().map(|c| quoted(&c.text)), 5)
                        ),
                    ),
                    None => (
                        s.overflow.unwrap_or(header_line),
                        format!(
                            "more than {MAX_CATEGORIES} distinct values (the {}th first on this line)",
                            MAX_CATEGORIES + 1
                        ),
                    ),
                };
                let needs = if problem_type == ProblemType::Binary { "two classes" } else { "three classes or more" };
                return Err(flag_error(
                    line,
                    format!("--problem-type {} needs {needs}; the label has {found}", problem_type.as_str()),
                    format!("use {}", propose(count)),
                ));
            }
            if !numeric && let Some((line, v)) = &s.too_long {
                return Err(data.error(
                    *line,
                    name,
                    format!("class {} is longer than {MAX_TEXT} characters", quoted(v)),
                    format!("shorten the class names to {MAX_TEXT} characters at most"),
                ));
            }
        }
        ProblemType::Regression => {
            if !numeric {
                let (line, v) = s.first_text.clone().or_else(|| s.infinite.clone()).unwrap_or_default();
                return Err(flag_error(
                    line,
                    format!("--problem-type regression needs a numeric label; it holds {}", quoted(&v)),
                    format!("use {}", propose(count)),
                ));
            }
        }
    }
    if opts.positive.is_some() && problem_type != ProblemType::Binary {
        return Err(InferError {
            flag: Some(Flag::Positive),
            ..data.error(
                header_line,
                name,
                format!("--positive applies to a binary label; this one is {} ({why})", problem_type.as_str()),
                "leave out --positive".into(),
            )
        });
    }

    let mut c = Map::new();
    c.insert("name".into(), json!(name));
    let (description, note) = match problem_type {
        ProblemType::Regression => {
            c.insert("type".into(), json!("numeric"));
            c.insert("role".into(), json!("label"));
            if s.min.is_some_and(|m| m >= 0.0) {
                c.insert("min".into(), json!(0));
            }
            let range = format!("{}..{}", num(s.min.unwrap_or_default()), num(s.max.unwrap_or_default()));
            (format!("observed {range} in {rows} rows"), format!("{}: regression ({why})", quoted(name)))
        }
        ProblemType::Binary => {
            let positive = match &opts.positive {
                Some(p) => {
                    let found = classes.iter().position(|c| same_class(&c.text, &c.value, p));
                    let Some(found) = found else {
                        let near = classes.iter().find(|c| c.text.eq_ignore_ascii_case(p.trim()));
                        let hint = match near {
                            Some(c) => format!("did you mean --positive {}?", quoted(&c.text)),
                            None => format!(
                                "use --positive {} or --positive {}",
                                quoted(&classes[0].text),
                                quoted(&classes[1].text)
                            ),
                        };
                        return Err(InferError {
                            flag: Some(Flag::Positive),
                            ..data.error(
                                header_line,
                                name,
                                format!(
                                    "--positive {} is not a class of the label; its classes are {} and {}",
                                    quoted(p),
                                    quoted(&classes[0].text),
                                    quoted(&classes[1].text)
                                ),
                                hint,
                            )
                        });
                    };
                    (found, "given by --positive")
                }
                // The rarer class; on a tie the later-sorted one.
                None if classes[0].rows < classes[1].rows => (0, "the rarer"),
                None if classes[0].rows > classes[1].rows => (1, "the rarer"),
                None => (1, "of two equally frequent, the later-sorted"),
            };
            let p = &classes[positive.0];
            c.insert("type".into(), json!("categorical"));
            c.insert("role".into(), json!("label"));
            c.insert("categories".into(), Value::Array(classes.iter().map(|c| c.value.clone()).collect()));
            c.insert("positive".into(), p.value.clone());
            let other = &classes[1 - positive.0];
            (
                format!(
                    "positive class: {} ({}, {} of {rows} rows); other class: {}",
                    p.text, positive.1, p.rows, other.text
                ),
                format!(
                    "{}: binary, positive class {} ({}, {} of {rows} rows)",
                    quoted(name),
                    p.text,
                    positive.1,
                    p.rows
                ),
            )
        }
        ProblemType::Multiclass => {
            c.insert("type".into(), json!("categorical"));
            c.insert("role".into(), json!("label"));
            c.insert("categories".into(), Value::Array(classes.iter().map(|c| c.value.clone()).collect()));
            let counts = list(classes.iter().map(|c| format!("{} {}", c.text, c.rows)), 12);
            (
                format!("{} classes in {rows} rows: {counts}", classes.len()),
                format!("{}: multiclass, {} classes ({why})", quoted(name), classes.len()),
            )
        }
    };
    c.insert("description".into(), json!(clip(description)));
    Ok(Label { json: Value::Object(c), problem_type, note })
}

/// The label's classes, sorted: numbers by value (a number stays a number in the contract),
/// text by its bytes.
fn classes(s: &Stats, numeric: bool) -> Vec<Class> {
    let mut out: Vec<Class> = Vec::new();
    if numeric {
        let mut values: Vec<(f64, &String, usize, usize)> =
            s.distinct.iter().filter_map(|(t, (n, l))| Some((t.parse::<f64>().ok()?, t, *n, *l))).collect();
        values.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.3.cmp(&b.3)));
        // Category values are limited to ±1e15; beyond, the classes stay text.
        let as_number = values.iter().all(|v| v.0.abs() <= 1e15);
        for (v, t, n, l) in values {
            match out.last_mut() {
                // "1" and "1.0" are one class.
                Some(last) if as_number && last.value.as_f64() == Some(v) => {
                    last.rows += n;
                    last.first_line = last.first_line.min(l);
                }
                _ => out.push(Class {
                    value: if !as_number {
                        json!(t)
                    } else if v.fract() == 0.0 {
                        json!(v as i64)
                    } else {
                        json!(v)
                    },
                    text: if as_number { num(v) } else { t.clone() },
                    rows: n,
                    first_line: l,
                }),
            }
        }
        if !as_number {
            out.sort_by(|a, b| a.text.cmp(&b.text));
        }
    } else {
        out = s
            .distinct
            .iter()
            .map(|(t, (n, l))| Class { value: json!(t), text: t.clone(), rows: *n, first_line: *l })
            .collect();
        out.sort_by(|a, b| a.text.cmp(&b.text));
    }
    out
}

/// Whether `given` (a flag's value) names the class `text`/`value`: the same number, or the same
/// text.
fn same_class(text: &str, value: &Value, given: &str) -> bool {
    let given = given.trim();
    match (value.as_f64(), given.parse::<f64>()) {
        (Some(v), Ok(g)) => v == g,
        _ => text == given,
    }
}

/// Checks the record id: present in every row, never twice.
fn check_id(
    data: &Data<'_>,
    names: &[String],
    stats: &[Stats],
    i: usize,
    label: usize,
    dash_marker: bool,
) -> Result<(), InferError> {
    let is_missing = |cell: &str| MARKERS.contains(&cell) || (dash_marker && cell == DASH);
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut problem: Option<(usize, String)> = None;
    data.each(i, |line, cell| {
        if is_missing(cell) {
            problem = Some((line, format!("the record id is missing ({})", quoted(cell))));
            return false;
        }
        if let Some(first) = seen.insert(cell.to_string(), line) {
            problem = Some((line, format!("record id {} appears again (first on line {first})", quoted(cell))));
            return false;
        }
        true
    });
    let Some((line, message)) = problem else { return Ok(()) };
    // A column that would do: every value present and unique.
    let other = (0..names.len()).filter(|&j| j != i && j != label && stats[j].missing == 0).find(|&j| {
        let mut seen = HashSet::new();
        let mut unique = true;
        data.each(j, |_, cell| {
            unique = !is_missing(cell) && seen.insert(cell.to_string());
            unique
        });
        unique
    });
    let hint = match other {
        Some(j) => format!("record ids must be unique: use --id {}, or leave out --id", quoted(&names[j])),
        None => "record ids must be unique: leave out --id (records are then numbered by row)".into(),
    };
    Err(InferError { flag: Some(Flag::Id), ..data.error(line, &names[i], message, hint) })
}

/// Whether the first row is a header: not all numbers, and not fitting the rows below it (a
/// column of numbers whose first cell is text; or no text cell of the first row recurring in its
/// column below).
fn has_header(cells: &[&str], stats: &[Stats]) -> bool {
    let missing = |c: &str| MARKERS.contains(&c) || c == DASH;
    let number = |c: &str| c.parse::<f64>().is_ok();
    let text: Vec<(&str, &Stats)> =
        cells.iter().zip(stats).filter(|(c, _)| !missing(c) && !number(c)).map(|(c, s)| (*c, s)).collect();
    if text.is_empty() {
        return false;
    }
    if text.iter().any(|(_, s)| s.numbers > 0 && s.texts == 0 && s.infinite.is_none()) {
        return true;
    }
    text.iter().all(|(c, s)| !s.distinct.contains_key(*c))
}

/// The header's names, trimmed, or the first one that cannot name a contract column.
/// `trailing_comma`: the last column is empty in every row (each line ends with a comma).
fn check_names(cells: &[&str], line: usize, file: &str, trailing_comma: bool) -> Result<Vec<String>, InferError> {
    let err = |i: usize, message: String, hint: String| InferError {
        file: file.to_string(),
        line: Some(line),
        column: Some(format!("column {}", i + 1)),
        message,
        hint: Some(hint),
        flag: None,
    };
    let mut lower: Vec<String> = Vec::with_capacity(cells.len());
    for (i, name) in cells.iter().enumerate() {
        if name.is_empty() {
            let proposal = quoted(&format!("column_{}", i + 1));
            let hint = if trailing_comma && i + 1 == cells.len() {
                format!("every line ends with a comma: remove them, or name the empty column, e.g. {proposal}")
            } else {
                format!("name it in the header, e.g. {proposal}")
            };
            return Err(err(i, "the header gives this column no name".into(), hint));
        }
        let bad = name.chars().find(|c| c.is_control() || matches!(c, '"' | ',' | '\\'));
        let long = name.chars().count() > MAX_TEXT;
        if bad.is_some() || long {
            let why = match bad {
                Some(c) => format!("holds {}", quoted(&c.to_string())),
                None => format!("is longer than {MAX_TEXT} characters"),
            };
            return Err(err(
                i,
                format!(
                    "column name {} {why}; names are 1 to {MAX_TEXT} characters without quotes, commas, backslashes or control characters",
                    quoted(name)
                ),
                format!("rename it in the header, e.g. {}", quoted(&clean_name(name, i))),
            ));
        }
        let l = name.to_lowercase();
        if let Some(j) = lower.iter().position(|o| *o == l) {
            let taken = |c: &str| cells.iter().any(|n| n.to_lowercase() == c.to_lowercase());
            let proposal = (2..).map(|k| format!("{name}_{k}")).find(|c| !taken(c)).unwrap_or_default();
            return Err(err(
                i,
                format!(
                    "column name {} again (column {} is {}; names are matched case-insensitively)",
                    quoted(name),
                    j + 1,
                    quoted(cells[j])
                ),
                format!("rename one in the header, e.g. {}", quoted(&proposal)),
            ));
        }
        lower.push(l);
    }
    Ok(cells.iter().map(|c| c.to_string()).collect())
}

/// `name` with the characters a column name cannot hold replaced, cut to the length it may have.
fn clean_name(name: &str, index: usize) -> String {
    let replaced: String = name
        .chars()
        .filter(|c| *c != '"')
        .map(|c| if c.is_control() || matches!(c, ',' | '\\') { '_' } else { c })
        .collect();
    let cut: String = replaced.trim().chars().take(MAX_TEXT).collect();
    let cut = cut.trim().to_string();
    if cut.is_empty() { format!("column_{}", index + 1) } else { cut }
}

/// What one column's values are.
enum Kind {
    /// Every value missing.
    Empty,
    /// Finite numbers.
    Numeric,
    /// Numbers, some of them infinite.
    NonFinite,
    /// Some values are not numbers.
    Text,
}

/// One column's values, as seen in one pass.
#[derive(Default)]
struct Stats {
    missing: usize,
    /// Count of each of [`MARKERS`].
    markers: [usize; MARKERS.len()],
    dashes: usize,
    first_dash: Option<usize>,
    numbers: usize,
    min: Option<f64>,
    max: Option<f64>,
    fractional: bool,
    infinite: Option<(usize, String)>,
    texts: usize,
    first_text: Option<(usize, String)>,
    /// Distinct values (trimmed) with their count and first line, up to [`MAX_CATEGORIES`].
    distinct: HashMap<String, (usize, usize)>,
    /// The line of the first distinct value `distinct` did not keep.
    overflow: Option<usize>,
    too_long: Option<(usize, String)>,
}

impl Stats {
    fn add(&mut self, cell: &str, line: usize) {
        let t = cell.trim();
        if let Some(m) = MARKERS.iter().position(|m| *m == t) {
            self.missing += 1;
            self.markers[m] += 1;
            return;
        }
        if t == DASH {
            self.dashes += 1;
            self.first_dash.get_or_insert(line);
            return;
        }
        self.insert(t, line, 1);
        if t.chars().count() > MAX_TEXT {
            self.too_long.get_or_insert_with(|| (line, t.to_string()));
        }
        match t.parse::<f64>() {
            Ok(v) if v.is_finite() => {
                self.numbers += 1;
                self.min = Some(self.min.map_or(v, |m| m.min(v)));
                self.max = Some(self.max.map_or(v, |m| m.max(v)));
                self.fractional |= v.fract() != 0.0;
            }
            Ok(_) => {
                self.infinite.get_or_insert_with(|| (line, t.to_string()));
            }
            Err(_) => {
                self.texts += 1;
                self.first_text.get_or_insert_with(|| (line, t.to_string()));
            }
        }
    }

    fn insert(&mut self, value: &str, line: usize, count: usize) {
        if let Some(e) = self.distinct.get_mut(value) {
            e.0 += count;
        } else if self.distinct.len() < MAX_CATEGORIES {
            self.distinct.insert(value.to_string(), (count, line));
        } else {
            self.overflow.get_or_insert(line);
        }
    }

    fn kind(&self) -> Kind {
        if self.texts > 0 {
            Kind::Text
        } else if self.infinite.is_some() {
            Kind::NonFinite
        } else if self.numbers > 0 {
            Kind::Numeric
        } else {
            Kind::Empty
        }
    }
}

/// One record: the line it starts on and its fields, unquoted.
struct Record<'a> {
    line: usize,
    fields: Vec<Cow<'a, str>>,
}

/// RFC 4180 records: fields separated by commas, records by CRLF, LF or CR; a field that starts
/// with a quote is quoted (a quote inside written twice, line breaks allowed). A quote elsewhere
/// is text, as Python's `csv` reads it.
struct Reader<'a> {
    text: &'a str,
    file: &'a str,
    pos: usize,
    line: usize,
}

impl<'a> Reader<'a> {
    fn new(text: &'a str, file: &'a str) -> Self {
        Reader { text: text.strip_prefix('\u{feff}').unwrap_or(text), file, pos: 0, line: 1 }
    }

    /// The next record; blank lines (one empty or blank field) are none.
    fn next_record(&mut self) -> Result<Option<Record<'a>>, InferError> {
        while self.pos < self.text.len() {
            let r = self.record()?;
            if !(r.fields.len() == 1 && r.fields[0].trim().is_empty()) {
                return Ok(Some(r));
            }
        }
        Ok(None)
    }

    fn record(&mut self) -> Result<Record<'a>, InferError> {
        let bytes = self.text.as_bytes();
        let line = self.line;
        let mut fields = Vec::new();
        loop {
            let field = if bytes.get(self.pos) == Some(&b'"') {
                self.quoted(fields.len())?
            } else {
                let start = self.pos;
                while self.pos < bytes.len() && !matches!(bytes[self.pos], b',' | b'\r' | b'\n') {
                    self.pos += 1;
                }
                Cow::Borrowed(&self.text[start..self.pos])
            };
            fields.push(field);
            match bytes.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b'\r') => {
                    self.pos += 1;
                    if bytes.get(self.pos) == Some(&b'\n') {
                        self.pos += 1;
                    }
                    self.line += 1;
                    break;
                }
                Some(b'\n') => {
                    self.pos += 1;
                    self.line += 1;
                    break;
                }
                _ => break,
            }
        }
        Ok(Record { line, fields })
    }

    /// A quoted field starting at `pos`; `index` is its position in the record.
    fn quoted(&mut self, index: usize) -> Result<Cow<'a, str>, InferError> {
        let bytes = self.text.as_bytes();
        let open = self.line;
        let err = |line: usize, message: &str, hint: &str| InferError {
            file: self.file.to_string(),
            line: Some(line),
            column: Some(format!("column {}", index + 1)),
            message: message.to_string(),
            hint: Some(hint.to_string()),
            flag: None,
        };
        self.pos += 1;
        let mut start = self.pos;
        let mut owned: Option<String> = None;
        loop {
            match bytes.get(self.pos) {
                None => {
                    return Err(err(
                        open,
                        "a quoted field that never ends",
                        "close the quote; a quote inside a quoted field is written twice (\"\")",
                    ));
                }
                Some(b'"') if bytes.get(self.pos + 1) == Some(&b'"') => {
                    owned.get_or_insert_with(String::new).push_str(&self.text[start..=self.pos]);
                    self.pos += 2;
                    start = self.pos;
                }
                Some(b'"') => {
                    let end = self.pos;
                    self.pos += 1;
                    if !matches!(bytes.get(self.pos), None | Some(b',' | b'\r' | b'\n')) {
                        return Err(err(
                            self.line,
                            "text after the closing quote of a quoted field",
                            "quote the whole field and write a quote inside it twice: \"a \"\"b\"\" c\"",
                        ));
                    }
                    return Ok(match owned {
                        Some(mut s) => {
                            s.push_str(&self.text[start..end]);
                            Cow::Owned(s)
                        }
                        None => Cow::Borrowed(&self.text[start..end]),
                    });
                }
                Some(b'\n') => {
                    self.line += 1;
                    self.pos += 1;
                }
                Some(b'\r') => {
                    if bytes.get(self.pos + 1) != Some(&b'\n') {
                        self.line += 1;
                    }
                    self.pos += 1;
                }
                Some(_) => self.pos += 1,
            }
        }
    }
}

/// A number as the descriptions write it (`4` for 4.0).
fn num(v: f64) -> String {
    crate::render::hcl::format_float(v)
}

/// At most `max` items joined by ", ", then how many more.
fn list(items: impl Iterator<Item = String>, max: usize) -> String {
    let items: Vec<String> = items.collect();
    if items.len() <= max {
        return items.join(", ");
    }
    format!("{} and {} more", items[..max].join(", "), items.len() - max)
}

/// A description cut to the contract's limit.
fn clip(s: String) -> String {
    if s.chars().count() <= MAX_DESCRIPTION {
        return s;
    }
    let mut out: String = s.chars().take(MAX_DESCRIPTION - 1).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `header` (if any) and `n` rows made by `row`, LF-separated.
    fn csv(header: Option<&str>, n: usize, row: impl Fn(usize) -> String) -> String {
        let mut out = String::new();
        if let Some(h) = header {
            out.push_str(h);
            out.push('\n');
        }
        for i in 0..n {
            out.push_str(&row(i));
            out.push('\n');
        }
        out
    }

    fn opts(label: &str) -> InferOptions {
        InferOptions { label: label.into(), ..InferOptions::default() }
    }

    fn ok(text: &str, o: &InferOptions) -> Inferred {
        infer(text, "data.csv", o).unwrap_or_else(|e| panic!("{e} ({:?})", e.hint))
    }

    fn fail(text: &str, o: &InferOptions) -> InferError {
        match infer(text, "data.csv", o) {
            Ok(i) => panic!("expected an error, got {}", i.data_contract),
            Err(e) => e,
        }
    }

    fn column<'a>(i: &'a Inferred, name: &str) -> &'a Value {
        i.data_contract["columns"].as_array().and_then(|c| c.iter().find(|c| c["name"] == name)).expect("column")
    }

    /// The first error line as printed, and the hint.
    fn text(e: &InferError) -> (String, String) {
        (e.to_string(), e.hint.clone().unwrap_or_default())
    }

    #[test]
    fn learns_a_binary_numeric_label_with_the_rarer_class_positive() {
        let data = csv(Some("Age,Size,Severity"), 30, |i| format!("{},{}.5,{}", 20 + i, i % 7, u8::from(i % 3 == 0)));
        let got = ok(&data, &opts("severity"));
        assert_eq!(got.problem_type, "binary");
        assert_eq!(got.rows, 30);
        assert_eq!(
            got.data_contract,
            json!({
                "header": "present",
                "missing_values": ["", "?", "NA", "NaN", "nan"],
                "columns": [
                    { "name": "Age", "type": "numeric", "role": "feature", "min": 0, "description": "observed 20..49 in 30 rows" },
                    { "name": "Size", "type": "numeric", "role": "feature", "min": 0, "description": "observed 0.5..6.5 in 30 rows" },
                    { "name": "Severity", "type": "categorical", "role": "label", "categories": [0, 1], "positive": 1,
                      "description": "positive class: 1 (the rarer, 10 of 30 rows); other class: 0" }
                ]
            })
        );
        assert!(
            got.notes.contains(&"\"Severity\": binary, positive class 1 (the rarer, 10 of 30 rows)".to_string()),
            "{:?}",
            got.notes
        );
        assert_eq!(got, ok(&data, &opts("severity")), "deterministic");
    }

    #[test]
    fn without_a_header_columns_are_numbered() {
        let data = csv(None, 25, |i| format!("{},{},{}", i as f64 / 4.0 - 2.0, i % 5, ["a", "b"][i % 2]));
        let got = ok(&data, &opts("column_3"));
        assert_eq!(got.data_contract["header"], "absent");
        let names: Vec<&Value> =
            got.data_contract["columns"].as_array().expect("columns").iter().map(|c| &c["name"]).collect();
        assert_eq!(names, ["column_1", "column_2", "column_3"]);
        assert_eq!(column(&got, "column_1").get("min"), None, "negative values: no min");
        assert_eq!(column(&got, "column_3")["categories"], json!(["a", "b"]));
        assert_eq!(got.rows, 25, "the first row is data");
        // A first row of numbers under a text column's first cell is data too.
        let data = csv(None, 25, |i| format!("{},{}", i, ["x", "y", "z"][i % 3]));
        assert_eq!(ok(&data, &opts("column_2")).data_contract["header"], "absent");
    }

    #[test]
    fn a_header_of_text_over_text_columns_is_told_by_values_that_do_not_recur() {
        let data = csv(Some("colour,size,class"), 24, |i| {
            format!("{},{},{}", ["red", "blue"][i % 2], ["S", "M", "L"][i % 3], ["yes", "no"][i % 2])
        });
        let got = ok(&data, &opts("class"));
        assert_eq!(got.data_contract["header"], "present");
        assert_eq!(column(&got, "size")["categories"], json!(["L", "M", "S"]), "sorted");
        // Without it, the first row's values recur below: no header.
        let headless: String = data.lines().skip(1).map(|l| format!("{l}\n")).collect();
        let got = ok(&headless, &opts("column_3"));
        assert_eq!(got.data_contract["header"], "absent");
        assert_eq!(got.rows, 24);
        // A header whose names recur as values is still one when it holds the label's name.
        let data = csv(Some("yes,no,class"), 24, |i| {
            format!("{},{},{}", ["yes", "no"][i % 2], ["no", "yes"][i % 2], ["yes", "no"][i % 3 / 2])
        });
        let got = ok(&data, &opts("class"));
        assert_eq!(got.data_contract["header"], "present");
        assert_eq!(got.rows, 24);
    }

    #[test]
    fn a_quoted_header_name_with_a_comma_is_refused_with_a_clean_one() {
        let data = csv(Some("\"id\",\"note, with comma\",\"y\""), 22, |i| format!("{i},\"a, b\",{}", i % 2));
        let e = fail(&data, &opts("y"));
        assert_eq!(text(&e).1, "rename it in the header, e.g. \"note_ with comma\"");
        assert!(text(&e).0.starts_with("data.csv:1: column 2: column name \"note, with comma\" holds \",\""), "{e}");
    }

    #[test]
    fn quoted_cells_keep_commas_quotes_and_line_breaks_after_a_bom_and_crlf() {
        let mut data = String::from("\u{feff}id,note,y\r\n");
        for i in 0..22 {
            data.push_str(&format!("{i},\"say \"\"{}\"\",\r\nagain\",{}\r\n", ["hi", "ho"][i % 2], ["A", "B"][i % 2]));
        }
        let got = ok(&data, &opts("y"));
        assert_eq!(got.rows, 22);
        assert_eq!(column(&got, "note")["categories"], json!(["say \"hi\",\r\nagain", "say \"ho\",\r\nagain"]));
        // Lines are counted through the quoted line breaks: row 20 starts on line 1 + 2*20 + 1.
        let broken = data.replacen("20,\"say", "20,\"s\"ay", 1);
        let e = fail(&broken, &opts("y"));
        assert_eq!(text(&e).0, "data.csv:42: column 2: text after the closing quote of a quoted field");
    }

    #[test]
    fn missing_markers_found_are_written_and_counted() {
        let data = csv(Some("a,b,c,y"), 30, |i| {
            let a = if i % 10 == 3 { "?".to_string() } else { (i * 2).to_string() };
            let b = ["N/A", "null", "x", "z"][i % 4];
            let c = if i == 5 { " " } else { "7" };
            format!("{a},{b},{c},{}", i % 2)
        });
        let got = ok(&data, &opts("y"));
        assert_eq!(got.data_contract["missing_values"], json!(["", "?", "NA", "NaN", "nan", "N/A", "null"]));
        assert_eq!(column(&got, "a")["description"], "observed 0..58 in 30 rows, 3 missing");
        assert_eq!(column(&got, "b")["categories"], json!(["x", "z"]));
        assert_eq!(column(&got, "b")["description"], "2 categories in 30 rows, 16 missing");
        assert_eq!(column(&got, "c")["description"], "observed 7..7 in 30 rows, 1 missing");
        let note = got.notes.iter().find(|n| n.starts_with("missing values:")).expect("note");
        assert_eq!(note, "missing values: \"\" in 1 cell, \"?\" in 3 cells, \"N/A\" in 8 cells, \"null\" in 8 cells");
    }

    #[test]
    fn a_dash_is_missing_among_numbers_and_a_value_among_text() {
        let data = csv(Some("x,y"), 24, |i| format!("{},{}", if i == 4 { "-".into() } else { i.to_string() }, i % 2));
        let got = ok(&data, &opts("y"));
        assert_eq!(got.data_contract["missing_values"], json!(["", "?", "NA", "NaN", "nan", "-"]));
        assert_eq!(column(&got, "x")["type"], "numeric");
        // The promoter data set's class is "+" or "-".
        let data = csv(Some("x,class"), 24, |i| format!("{},{}", i, ["+", "-"][i % 2]));
        let got = ok(&data, &InferOptions { positive: Some("+".into()), ..opts("class") });
        assert_eq!(column(&got, "class")["categories"], json!(["+", "-"]));
        assert_eq!(column(&got, "class")["positive"], "+");
        assert!(!got.data_contract["missing_values"].as_array().expect("markers").contains(&json!("-")));
    }

    #[test]
    fn string_binary_labels_take_the_given_positive_class() {
        let data = csv(Some("radius,diagnosis"), 40, |i| {
            format!("{}.{},{}", 10 + i, i % 10, if i % 4 == 0 { "M" } else { "B" })
        });
        let got = ok(&data, &InferOptions { positive: Some("B".into()), ..opts("diagnosis") });
        let label = column(&got, "diagnosis");
        assert_eq!(label["categories"], json!(["B", "M"]));
        assert_eq!(label["positive"], "B");
        assert_eq!(label["description"], "positive class: B (given by --positive, 30 of 40 rows); other class: M");
        assert_eq!(column(&ok(&data, &opts("diagnosis")), "diagnosis")["positive"], "M", "the rarer");

        let e = fail(&data, &InferOptions { positive: Some("m".into()), ..opts("diagnosis") });
        assert_eq!(e.flag, Some(Flag::Positive));
        assert_eq!(text(&e), (
            "data.csv:1: column \"diagnosis\": --positive \"m\" is not a class of the label; its classes are \"B\" and \"M\"".into(),
            "did you mean --positive \"M\"?".into()
        ));
        let e = fail(&data, &InferOptions { positive: Some("yes".into()), ..opts("diagnosis") });
        assert_eq!(text(&e).1, "use --positive \"B\" or --positive \"M\"");
    }

    #[test]
    fn a_tie_makes_the_later_sorted_class_positive_and_numbers_compare_as_numbers() {
        let data = csv(Some("x,y"), 20, |i| format!("{i},{}", ["1.0", "0"][i % 2]));
        let got = ok(&data, &opts("y"));
        assert_eq!(column(&got, "y")["categories"], json!([0, 1]));
        assert_eq!(column(&got, "y")["positive"], 1);
        assert!(
            column(&got, "y")["description"]
                .as_str()
                .expect("text")
                .contains("of two equally frequent, the later-sorted")
        );
        let got = ok(&data, &InferOptions { positive: Some("0.0".into()), ..opts("y") });
        assert_eq!(column(&got, "y")["positive"], 0);
    }

    #[test]
    fn multiclass_with_string_class_names() {
        let data = csv(Some("sepal,petal,species"), 30, |i| {
            format!("{}.1,{}.2,{}", i % 8, i % 5, ["setosa", "versicolor", "virginica"][i % 3])
        });
        let got = ok(&data, &opts("species"));
        assert_eq!(got.problem_type, "multiclass");
        let label = column(&got, "species");
        assert_eq!(label["categories"], json!(["setosa", "versicolor", "virginica"]));
        assert_eq!(label.get("positive"), None);
        assert_eq!(label["description"], "3 classes in 30 rows: setosa 10, versicolor 10, virginica 10");
    }

    #[test]
    fn numeric_labels_are_classes_when_few_integers_each_seen_often() {
        let data = csv(Some("x,quality"), 60, |i| format!("{i},{}", 3 + i % 4));
        let got = ok(&data, &opts("quality"));
        assert_eq!(got.problem_type, "multiclass");
        assert_eq!(column(&got, "quality")["categories"], json!([3, 4, 5, 6]));
        // A class seen 4 times: a quantity.
        let data = csv(Some("x,rings"), 60, |i| format!("{i},{}", if i < 4 { 9 } else { 3 + i % 4 }));
        let got = ok(&data, &opts("rings"));
        assert_eq!(got.problem_type, "regression");
        assert!(got.notes[1].contains("--problem-type multiclass if they are classes"), "{:?}", got.notes);
    }

    #[test]
    fn continuous_labels_are_regression_with_no_limits_but_min_zero() {
        let data = csv(Some("rooms,price"), 50, |i| format!("{},{}", i % 6, 100.5 + (i * i) as f64 / 3.0));
        let got = ok(&data, &opts("price"));
        assert_eq!(got.problem_type, "regression");
        assert_eq!(
            column(&got, "price"),
            &json!({ "name": "price", "type": "numeric", "role": "label", "min": 0, "description": "observed 100.5..900.8333333333334 in 50 rows" })
        );
        let e = fail(&data, &InferOptions { positive: Some("1".into()), ..opts("price") });
        assert_eq!(e.flag, Some(Flag::Positive));
        assert_eq!(text(&e).1, "leave out --positive");
    }

    #[test]
    fn a_given_problem_type_must_fit_the_label() {
        let three = csv(Some("x,y"), 30, |i| format!("{i},{}", ["a", "b", "c"][i % 3]));
        let e = fail(&three, &InferOptions { problem_type: Some(ProblemType::Binary), ..opts("y") });
        assert_eq!(e.flag, Some(Flag::ProblemType));
        assert_eq!(text(&e), (
            "data.csv:4: column \"y\": --problem-type binary needs two classes; the label has 3 classes (\"a\", \"b\", \"c\"; the third first on this line)".into(),
            "use --problem-type multiclass".into()
        ));
        let e = fail(&three, &InferOptions { problem_type: Some(ProblemType::Regression), ..opts("y") });
        assert_eq!(
            text(&e),
            (
                "data.csv:2: column \"y\": --problem-type regression needs a numeric label; it holds \"a\"".into(),
                "use --problem-type multiclass".into()
            )
        );
        let two = csv(Some("x,y"), 30, |i| format!("{i},{}", i % 2));
        let e = fail(&two, &InferOptions { problem_type: Some(ProblemType::Multiclass), ..opts("y") });
        assert_eq!(
            text(&e).0,
            "data.csv:3: column \"y\": --problem-type multiclass needs three classes or more; the label has 2 classes (\"0\", \"1\"; the second first on this line)"
        );
        assert_eq!(text(&e).1, "use --problem-type binary");
        let many = csv(Some("x,y"), 30, |i| format!("{i},{}", i as f64 * 1.5));
        let e = fail(&many, &InferOptions { problem_type: Some(ProblemType::Binary), ..opts("y") });
        assert_eq!(text(&e).1, "use --problem-type regression");
        assert_eq!(
            ok(&two, &InferOptions { problem_type: Some(ProblemType::Regression), ..opts("y") }).problem_type,
            "regression"
        );
    }

    #[test]
    fn a_label_with_one_value_or_missing_values_is_refused() {
        let one = csv(Some("x,y"), 30, |i| format!("{i},yes"));
        let e = fail(&one, &InferOptions { problem_type: Some(ProblemType::Multiclass), ..opts("y") });
        assert_eq!(
            text(&e).0,
            "data.csv:2: column \"y\": the label holds one value, \"yes\", in all 30 rows; a model needs two at least"
        );
        let gaps = csv(Some("x,y"), 30, |i| format!("{i},{}", if i % 7 == 6 { "?" } else { ["a", "b"][i % 2] }));
        let e = fail(&gaps, &opts("y"));
        assert_eq!(
            text(&e),
            (
                "data.csv:8: column \"y\": the label is missing in 4 rows (line 8, 15, 22, 29)".into(),
                "every training row needs its label: fill these in or remove the rows".into()
            )
        );
    }

    #[test]
    fn an_unknown_label_or_id_proposes_a_column() {
        let data = csv(Some("Age,Severity"), 20, |i| format!("{i},{}", i % 2));
        let e = fail(&data, &opts("Severty"));
        assert_eq!(e.flag, Some(Flag::Label));
        assert_eq!(
            text(&e),
            (
                "data.csv:1: column \"Severty\": --label names no column of the file (2 columns)".into(),
                "did you mean --label \"Severity\"?".into()
            )
        );
        let e = fail(&data, &InferOptions { id: Some("patient".into()), ..opts("Severity") });
        assert_eq!(text(&e).1, "the columns are \"Age\", \"Severity\"");
        let headless: String = data.lines().skip(1).map(|l| format!("{l}\n")).collect();
        let e = fail(&headless, &opts("column_3"));
        assert_eq!(
            text(&e).1,
            "the file has no header row, so its columns are column_1 to column_2; did you mean --label \"column_1\"?"
        );
        let e = fail(&data, &InferOptions { id: Some("severity".into()), ..opts("Severity") });
        assert_eq!(e.flag, Some(Flag::Id));
    }

    #[test]
    fn the_id_column_must_be_unique_and_present() {
        let data = csv(Some("case,ref,x,y"), 30, |i| format!("{},r{i},{},{}", 1000 + i, i % 4, i % 2));
        let got = ok(&data, &InferOptions { id: Some("case".into()), ..opts("y") });
        assert_eq!(
            column(&got, "case"),
            &json!({ "name": "case", "role": "id", "description": "record id: 30 unique values" })
        );
        assert!(got.notes.contains(&"record id: \"case\" (30 unique values)".to_string()));
        // Without --id no column is taken for one: "ref" (all unique) is ignored as names are.
        let got = ok(&data, &opts("y"));
        assert_eq!(column(&got, "case")["role"], "feature");
        assert_eq!(column(&got, "ref")["role"], "ignore");

        let dup = data.replace("1017,", "1003,");
        let e = fail(&dup, &InferOptions { id: Some("case".into()), ..opts("y") });
        assert_eq!(e.flag, Some(Flag::Id));
        assert_eq!(
            text(&e),
            (
                "data.csv:19: column \"case\": record id \"1003\" appears again (first on line 5)".into(),
                "record ids must be unique: use --id \"ref\", or leave out --id".into()
            )
        );
        let gap = data.replace("1011,", "NA,");
        let e = fail(&gap, &InferOptions { id: Some("case".into()), ..opts("y") });
        assert_eq!(text(&e).0, "data.csv:13: column \"case\": the record id is missing (\"NA\")");
    }

    #[test]
    fn ragged_rows_name_the_line_and_the_column() {
        let data = csv(Some("a,b,y"), 25, |i| if i == 6 { format!("{i},1") } else { format!("{i},1,{}", i % 2) });
        let e = fail(&data, &opts("y"));
        assert_eq!(
            text(&e),
            (
                "data.csv:8: 2 fields where the header has 3: the row ends before column \"y\"".into(),
                "every row needs a field per column; an empty field (,,) is a missing value".into()
            )
        );
        // R's write.csv: a row name in every row, no name for it in the header.
        let data = csv(Some("\"x\",\"y\""), 25, |i| format!("\"{}\",{i},{}", i + 1, i % 2));
        let e = fail(&data, &opts("y"));
        assert_eq!(text(&e), (
            "data.csv:2: 3 fields where the header has 2: a value after the last column \"y\" (25 rows like this)".into(),
            "every row has one field more than the header: name the first column (an index written without a name?)".into()
        ));
        let data = csv(None, 25, |i| if i == 9 { format!("{i},1,2,a") } else { format!("{i},1,{}", i % 2) });
        let e = fail(&data, &opts("column_3"));
        assert_eq!(
            text(&e),
            (
                "data.csv:10: 4 fields where line 1 has 3: a value after the last column \"column_3\"".into(),
                "a value holding a comma must be quoted: \"a, b\"".into()
            )
        );
    }

    #[test]
    fn header_names_must_be_unique_and_usable() {
        let rows = |h: &str| csv(Some(h), 20, |i| format!("{i},{i},{}", i % 2));
        let e = fail(&rows("Age,age,y"), &opts("y"));
        assert_eq!(text(&e), (
            "data.csv:1: column 2: column name \"age\" again (column 1 is \"Age\"; names are matched case-insensitively)".into(),
            "rename one in the header, e.g. \"age_2\"".into()
        ));
        let e = fail(&rows("a\\b,c,y"), &opts("y"));
        assert_eq!(text(&e).1, "rename it in the header, e.g. \"a_b\"");
        assert!(text(&e).0.starts_with("data.csv:1: column 1: column name \"a\\\\b\" holds \"\\\\\""), "{e}");
        let long = "n".repeat(70);
        let e = fail(&rows(&format!("{long},c,y")), &opts("y"));
        assert_eq!(text(&e).1, format!("rename it in the header, e.g. \"{}\"", "n".repeat(64)));
        let e = fail(&rows("x,,y"), &opts("y"));
        assert_eq!(
            text(&e),
            (
                "data.csv:1: column 2: the header gives this column no name".into(),
                "name it in the header, e.g. \"column_2\"".into()
            )
        );
        let trailing = csv(Some("x,y,"), 20, |i| format!("{i},{},", i % 2));
        assert!(text(&fail(&trailing, &opts("y"))).1.starts_with("every line ends with a comma"));
    }

    #[test]
    fn too_few_rows_or_no_feature_are_refused() {
        let e = fail(&csv(Some("x,y"), 19, |i| format!("{i},{}", i % 2)), &opts("y"));
        assert_eq!(
            text(&e).0,
            "data.csv: 19 data rows after the header; at least 20 are needed to learn a contract from"
        );
        let e = fail(&csv(Some("note,y"), 30, |i| format!("free text {i},{}", i % 2)), &opts("y"));
        assert_eq!(text(&e).0, "data.csv: no feature: every column but the label is ignored or the record id");
        assert!(text(&e).1.contains("\"note\" (mostly unique: 30 distinct of 30 values; names"), "{e:?}");
    }

    #[test]
    fn columns_the_model_cannot_read_are_ignored_with_the_reason() {
        let data = csv(Some("x,long,inf,empty,y"), 30, |i| {
            format!("{i},{},{},,{}", "w".repeat(60 + i % 10), if i == 3 { "inf".into() } else { i.to_string() }, i % 2)
        });
        let got = ok(&data, &opts("y"));
        let reason = |c: &str| column(&got, c)["description"].as_str().expect("text").to_string();
        assert_eq!(column(&got, "long")["role"], "ignore");
        assert_eq!(column(&got, "long").get("type"), None);
        assert!(
            reason("long").starts_with("values longer than 64 characters, e.g. on line 7: free text"),
            "{}",
            reason("long")
        );
        assert_eq!(
            reason("inf"),
            "numbers and \"inf\" on line 5; the pipelines read finite numbers only; not read by the model"
        );
        assert_eq!(reason("empty"), "every value missing in 30 rows; not read by the model");
        assert!(
            got.notes.iter().any(|n| n.starts_with("3 columns ignored: \"long\" (values longer")),
            "{:?}",
            got.notes
        );
    }

    #[test]
    fn malformed_files_are_named_with_the_line() {
        let data = csv(Some("x,y"), 25, |i| format!("{i},{}", i % 2)) + "5,\"open\n6,1\n";
        assert_eq!(text(&fail(&data, &opts("y"))).0, "data.csv:27: column 2: a quoted field that never ends");
        let e = fail(&csv(Some("x;y"), 25, |i| format!("{i};{}", i % 2)), &opts("y"));
        assert_eq!(
            text(&e),
            (
                "data.csv:1: one column; a model's file needs at least two (the label and a feature)".into(),
                "this file looks separated by semicolons; mlopsgen reads comma-separated files: save it with commas"
                    .into()
            )
        );
        assert_eq!(text(&fail("", &opts("y"))).0, "data.csv: the file holds no rows");
        let e = decode(b"x,y\n1,caf\xe9\n", "latin1.csv").expect_err("not UTF-8");
        assert_eq!(e.to_string(), "latin1.csv:2: not UTF-8 text (byte 0xe9 at offset 9)");
    }

    #[test]
    fn blank_lines_are_no_records_and_cr_ends_lines() {
        let data = csv(Some("x,y"), 25, |i| format!("{i},{}", i % 2)).replace('\n', "\r") + "\r\r  \n";
        let got = ok(&data, &opts("y"));
        assert_eq!(got.rows, 25);
    }

    /// The binary contracts this module writes pass today's validation of a model's contract
    /// (structure, names, categories, markers, the label's two classes and positive class).
    #[test]
    fn inferred_binary_contracts_validate() {
        let data = csv(Some("id,age,shape,note,diagnosis"), 120, |i| {
            let age = if i % 13 == 0 { "?".to_string() } else { (30 + i % 50).to_string() };
            format!(
                "p{i},{age},{},text number {i},{}",
                ["round", "oval", "N/A"][i % 3],
                ["B", "M"][usize::from(i % 5 == 0)]
            )
        });
        let got = ok(&data, &InferOptions { id: Some("id".into()), ..opts("diagnosis") });
        let init = crate::init::Options {
            dev_account: Some("111111111111".into()),
            prod_account: Some("222222222222".into()),
            registry_account: Some("333333333333".into()),
            region: "us-east-1".into(),
            prefix: "acme".into(),
            model: "m".into(),
            ..crate::init::Options::default()
        };
        let files = crate::init::files(&init).expect("valid flags").files;
        let sources: Vec<crate::config::SourceFile> = files
            .iter()
            .zip(crate::init::environments(&files))
            .map(|(f, env)| {
                let mut v: Value = serde_json::from_str(&f.text).expect("json");
                if let Some(m) = v.get_mut("models").and_then(|m| m.get_mut("m")) {
                    m["data_contract"] = got.data_contract.clone();
                }
                crate::config::SourceFile {
                    env,
                    path: f.path.clone(),
                    text: serde_json::to_string_pretty(&v).expect("json"),
                }
            })
            .collect();
        let validated = crate::validate::validate_sources(&sources, Vec::new(), &[]);
        let errors: Vec<String> =
            validated.report.diagnostics.iter().filter(|d| d.is_error()).map(|d| format!("{d:?}")).collect();
        assert!(errors.is_empty(), "{errors:#?}");
        assert_eq!(column(&got, "note")["role"], "ignore");
        assert_eq!(column(&got, "shape")["categories"], json!(["oval", "round"]));
    }
}
