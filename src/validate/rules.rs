//! AWS naming and syntax rules that can be checked offline, as pure functions. Each returns what
//! is wrong in the user's terms (`Broken`); the caller adds file, span and JSON path, the way
//! ripgrep's `Flag::update` leaves the flag name to the parser. Rules cite
//! `../shared/reference/aws-facts.md` by section.
//!
//! A rule that proposes a replacement value (`Broken::fix`) proposes only one that passes the
//! same rule: every proposal goes through [`Broken::propose`], which checks it with the rule
//! (run without proposals of its own), so a hint never leads into the next error.

/// What a rule found wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct Broken {
    /// The message head, a lowercase phrase: "account id must be exactly 12 digits".
    pub message: String,
    /// A few words under the caret.
    pub label: String,
    pub expected: String,
    pub help: Option<String>,
    /// A value that passes this rule, when the help proposes one (the diagnostic's `fix`).
    pub fix: Option<String>,
}

pub type Rule = Result<(), Broken>;

fn broken(message: impl Into<String>, label: impl Into<String>, expected: impl Into<String>) -> Broken {
    Broken { message: message.into(), label: label.into(), expected: expected.into(), help: None, fix: None }
}

impl Broken {
    fn help(mut self, help: impl Into<String>) -> Broken {
        self.help = Some(help.into());
        self
    }

    /// Proposes `candidate` when `valid` accepts it, with the help `say(candidate)`; otherwise
    /// the help stays as it was (`None` or a proposal-free hint).
    fn propose(
        mut self,
        candidate: Option<String>,
        valid: impl Fn(&str) -> bool,
        say: impl FnOnce(&str) -> String,
    ) -> Broken {
        if let Some(v) = candidate.filter(|v| valid(v)) {
            self.help = Some(say(&v));
            self.fix = Some(v);
        }
        self
    }
}

/// Account ids: exactly 12 digits, kept as strings (aws-facts.md §11).
pub fn account_id(s: &str) -> Rule {
    if s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(());
    }
    let digits = s.bytes().filter(u8::is_ascii_digit).count();
    let label = if s.bytes().all(|b| b.is_ascii_digit()) {
        format!("{} digits", s.len())
    } else {
        "not only digits".to_string()
    };
    let mut b = broken("account id must be exactly 12 digits", label, "a 12-digit string, e.g. \"111122223333\"");
    if digits == 11 || digits == 13 {
        b = b.help("a digit may have been dropped or doubled; copy the id from the account menu of the AWS console");
    } else if s.contains('-') {
        b = b.help("write the id without dashes").propose(
            Some(s.replace('-', "")),
            |v| v.len() == 12 && v.bytes().all(|b| b.is_ascii_digit()),
            |v| format!("write the id without dashes: {v:?}"),
        );
    }
    Err(b)
}

/// The partition of a region name: `aws`, `aws-cn`, `aws-us-gov`, ...
pub fn partition_of(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("us-isob-") {
        "aws-iso-b"
    } else if region.starts_with("us-iso-") {
        "aws-iso"
    } else {
        "aws"
    }
}

/// S3 general purpose bucket names (aws-facts.md §4.1).
pub fn bucket_name(s: &str) -> Rule {
    bucket_rule(s, true)
}

/// `s` as a bucket name could be: lowercase, hyphens for `_ . ` and spaces, nothing else, no
/// hyphen at either end.
fn bucket_candidate(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars().map(|c| c.to_ascii_lowercase()) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if "-_. ".contains(c) && !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// `s` cut to a valid bucket name of at most 63 characters. A trailing account id or other
/// number (what makes bucket names unique across accounts) is kept; the words before it are cut.
fn shortened_bucket(s: &str) -> String {
    let clean = bucket_candidate(s);
    let (head, tail) = match clean.rsplit_once('-') {
        Some((head, tail)) if tail.len() <= 20 && tail.bytes().all(|b| b.is_ascii_digit()) => (head, Some(tail)),
        _ => (clean.as_str(), None),
    };
    let room = 63 - tail.map_or(0, |t| t.len() + 1);
    let head = head.get(..room.min(head.len())).unwrap_or(head).trim_end_matches('-');
    match tail {
        Some(t) if !head.is_empty() => format!("{head}-{t}"),
        Some(t) => t.to_string(),
        None => head.to_string(),
    }
}

fn bucket_rule(s: &str, propose: bool) -> Rule {
    let candidate = || propose.then(|| bucket_candidate(s));
    let valid = |v: &str| bucket_rule(v, false).is_ok();
    let expected = "3-63 characters: lowercase letters, digits and hyphens, starting and ending with a letter or digit";
    if s.len() > 63 {
        let n = s.chars().count();
        return Err(broken(
            format!("bucket name is {n} characters long; S3 allows at most 63"),
            format!("{n} characters, {} too many", n.saturating_sub(63)),
            expected,
        )
        .help("shorten it to at most 63 characters")
        .propose(propose.then(|| shortened_bucket(s)), valid, |v| {
            format!("shorten it to at most 63 characters, e.g. {v:?} ({} characters)", v.len())
        }));
    }
    if s.len() < 3 {
        return Err(broken(
            "bucket name must be 3 to 63 characters long",
            format!("{} characters", s.chars().count()),
            expected,
        ));
    }
    if let Some(c) = s.chars().find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-' || *c == '.')) {
        let b = broken("bucket name contains a character S3 does not allow", format!("{c:?} is not allowed"), expected);
        return Err(b.propose(candidate(), valid, |v| {
            if v == s.to_ascii_lowercase() {
                format!("bucket names are lowercase: {v:?}")
            } else if v == s.replace('_', "-") {
                format!("use hyphens instead of underscores: {v:?}")
            } else {
                format!("bucket names hold lowercase letters, digits and hyphens only: {v:?}")
            }
        }));
    }
    let edge = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    if !edge(s.chars().next()) || !edge(s.chars().last()) {
        return Err(broken(
            "bucket name must begin and end with a letter or digit",
            "bad first or last character",
            expected,
        )
        .propose(candidate(), valid, |v| format!("drop the leading or trailing character: {v:?}")));
    }
    if s.contains("..") {
        return Err(broken("bucket name must not contain two adjacent dots", "\"..\"", expected));
    }
    if s.split('.').count() == 4 && s.split('.').all(|p| p.parse::<u8>().is_ok()) {
        return Err(broken("bucket name must not look like an IP address", "an IPv4 address", expected));
    }
    for prefix in ["xn--", "sthree-", "amzn-s3-demo-"] {
        if s.starts_with(prefix) {
            return Err(broken(
                format!("bucket names must not start with {prefix:?} (reserved)"),
                "reserved prefix",
                expected,
            ));
        }
    }
    for suffix in ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"] {
        if s.ends_with(suffix) {
            return Err(broken(
                format!("bucket names must not end with {suffix:?} (reserved)"),
                "reserved suffix",
                expected,
            ));
        }
    }
    if s.contains('.') {
        return Err(broken(
            "bucket name contains a dot",
            "dots break TLS for virtual-hosted requests",
            "a name without dots",
        )
        .propose(candidate(), valid, |v| format!("use hyphens: {v:?}")));
    }
    Ok(())
}

/// IAM role names (aws-facts.md §5.1): 1-64 of `A-Za-z0-9+=,.@_-`.
pub fn role_name(s: &str) -> Rule {
    let expected = "1-64 characters: letters, digits and + = , . @ _ -";
    if s.is_empty() || s.chars().count() > 64 {
        return Err(broken(
            "IAM role name must be 1 to 64 characters",
            format!("{} characters", s.chars().count()),
            expected,
        ));
    }
    if let Some(c) = s.chars().find(|c| !(c.is_ascii_alphanumeric() || "+=,.@_-".contains(*c))) {
        return Err(broken(
            "IAM role name contains a character IAM does not allow",
            format!("{c:?} is not allowed"),
            expected,
        ));
    }
    Ok(())
}

/// IAM paths: `/` or `/a/b/`, ASCII `!`..`~`, at most 512 characters (aws-facts.md §5.1).
pub fn iam_path(s: &str) -> Rule {
    let ok = s.starts_with('/')
        && s.ends_with('/')
        && s.len() <= 512
        && !s.contains("//")
        && s.bytes().all(|b| (b'!'..=b'~').contains(&b));
    if ok {
        Ok(())
    } else {
        Err(broken(
            "IAM path must start and end with a slash",
            "not an IAM path",
            "\"/\" or a path such as \"/service-role/\"",
        ))
    }
}

/// KMS alias names (aws-facts.md §3.1).
pub fn kms_alias(s: &str) -> Rule {
    kms_alias_rule(s, true)
}

fn kms_alias_rule(s: &str, propose: bool) -> Rule {
    let valid = |v: &str| kms_alias_rule(v, false).is_ok();
    let clean =
        |v: &str| v.chars().map(|c| if c.is_ascii_alphanumeric() || "/_-".contains(c) { c } else { '-' }).collect();
    let expected = "\"alias/\" followed by letters, digits, / _ -, not \"alias/aws/...\"";
    if !s.starts_with("alias/") || s.len() <= 6 {
        let candidate = propose.then(|| format!("alias/{}", clean(s.trim_start_matches('/'))));
        return Err(broken("KMS alias must start with \"alias/\"", "missing alias/ prefix", expected).propose(
            candidate,
            valid,
            |v| format!("write {v:?}"),
        ));
    }
    if s.starts_with("alias/aws/") {
        return Err(broken("KMS aliases under alias/aws/ are reserved for AWS managed keys", "reserved", expected));
    }
    if s.len() > 256 {
        return Err(broken("KMS alias must be at most 256 characters", format!("{} characters", s.len()), expected));
    }
    if let Some(c) = s.chars().find(|c| !(c.is_ascii_alphanumeric() || "/_-".contains(*c))) {
        return Err(broken(
            "KMS alias contains a character KMS does not allow",
            format!("{c:?} is not allowed"),
            expected,
        )
        .propose(propose.then(|| clean(s)), valid, |v| format!("use hyphens: {v:?}")));
    }
    Ok(())
}

/// SNS standard topic names (aws-facts.md §8): 1-256 of `A-Za-z0-9_-`.
pub fn sns_topic_name(s: &str) -> Rule {
    sns_topic_rule(s, true)
}

fn sns_topic_rule(s: &str, propose: bool) -> Rule {
    let valid = |v: &str| sns_topic_rule(v, false).is_ok();
    let expected = "1-256 characters: letters, digits, hyphens and underscores";
    if s.is_empty() || s.len() > 256 {
        return Err(broken(
            "SNS topic name must be 1 to 256 characters",
            format!("{} characters", s.chars().count()),
            expected,
        ));
    }
    if s.ends_with(".fifo") {
        return Err(broken(
            "FIFO topics cannot receive EventBridge notifications for e-mail",
            "a FIFO topic",
            expected,
        )
        .help("drop the .fifo suffix; e-mail subscriptions need a standard topic")
        .propose(propose.then(|| s.trim_end_matches(".fifo").to_string()), valid, |v| {
            format!("drop the .fifo suffix ({v:?}); e-mail subscriptions need a standard topic")
        }));
    }
    if let Some(c) = s.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '_' || *c == '-')) {
        let candidate = s.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '-' }).collect();
        return Err(broken(
            "SNS topic name contains a character SNS does not allow",
            format!("{c:?} is not allowed"),
            expected,
        )
        .propose(propose.then_some(candidate), valid, |v| format!("use hyphens: {v:?}")));
    }
    Ok(())
}

/// SageMaker names (pipelines: 256, model package groups and models: 63):
/// `^[a-zA-Z0-9](-*[a-zA-Z0-9])*$` (aws-facts.md §6.1, §6.2).
pub fn sagemaker_name(s: &str, what: &str, max: usize) -> Rule {
    sagemaker_rule(s, what, max, true)
}

/// `s` with every character SageMaker refuses turned into a hyphen, no hyphen at either end.
fn sagemaker_candidate(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

fn sagemaker_rule(s: &str, what: &str, max: usize, propose: bool) -> Rule {
    let candidate = || propose.then(|| sagemaker_candidate(s));
    let valid = |v: &str| sagemaker_rule(v, what, max, false).is_ok();
    let expected = format!("1-{max} letters, digits and hyphens, starting and ending with a letter or digit");
    if s.is_empty() || s.len() > max {
        return Err(broken(
            format!("{what} must be 1 to {max} characters"),
            format!("{} characters", s.chars().count()),
            expected,
        ));
    }
    if let Some(c) = s.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '-')) {
        let b = broken(
            format!("{what} contains a character SageMaker does not allow"),
            format!("{c:?} is not allowed"),
            expected,
        );
        return Err(b.propose(candidate(), valid, |v| format!("use hyphens: {v:?}")));
    }
    if s.starts_with('-') || s.ends_with('-') {
        return Err(broken(
            format!("{what} must start and end with a letter or digit"),
            "leading or trailing hyphen",
            expected,
        )
        .propose(candidate(), valid, |v| format!("drop the hyphens at the ends: {v:?}")));
    }
    Ok(())
}

/// Pipeline names: SageMaker names in lowercase. SageMaker accepts capitals, but returns some
/// ARNs with the name lowercased (aws-facts.md §6.1), and EventBridge matches `pipelineArn`
/// case-sensitively: a pipeline whose events carried another case than its rules expect would
/// never be retrained on drift nor reported when it fails. Lowercase names match either way.
pub fn pipeline_name(s: &str) -> Rule {
    sagemaker_name(s, "pipeline name", 256)?;
    if !s.chars().any(|c| c.is_ascii_uppercase()) {
        return Ok(());
    }
    Err(broken(
        "pipeline name must be lowercase",
        "capital letters",
        "lowercase letters, digits and hyphens, e.g. \"mammo-severity-train-pipeline\"",
    )
    .propose(
        Some(s.to_ascii_lowercase()),
        |v| pipeline_name(v).is_ok(),
        |v| format!("EventBridge matches pipeline ARNs case-sensitively and SageMaker may lowercase them: {v:?}"),
    ))
}

/// Model names: SageMaker names short enough that the EventBridge rules derived from them
/// (`<model>-inference-failed`, at most 64 characters) stay valid.
pub fn model_name(s: &str) -> Rule {
    let max = 64 - crate::model::names::LONGEST_RULE_SUFFIX;
    sagemaker_name(s, "model name", max).map_err(|mut b| {
        if s.len() > max && s.len() <= 63 {
            b.help = Some(format!(
                "EventBridge rule names are derived from it (\"{s}-inference-failed\") and may have at most 64 characters"
            ));
        }
        b
    })
}

/// `name_prefix`: starts the names mlopsgen builds (`<prefix>-access-logs-<account>-<region>`,
/// `<prefix>-<env>-latest-approved-model`, ...). Lowercase letters, digits and hyphens, a letter
/// first, at most 20 characters: the strictest name it starts is a bucket's (aws-facts.md §4.1),
/// and at 20 the longest role and function names stay within 64 characters (§5.1).
pub fn name_prefix(s: &str) -> Rule {
    let expected = "1-20 lowercase letters, digits and hyphens, starting with a letter, e.g. \"acme-ml\"";
    if s.is_empty() || s.len() > 20 {
        return Err(broken(
            "name_prefix must be 1 to 20 characters",
            format!("{} characters", s.chars().count()),
            expected,
        ));
    }
    let ok = s.starts_with(|c: char| c.is_ascii_lowercase())
        && !s.ends_with('-')
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if ok {
        return Ok(());
    }
    let candidate = bucket_candidate(s).trim_start_matches(|c: char| c.is_ascii_digit() || c == '-').to_string();
    Err(broken("name_prefix must be lowercase letters, digits and hyphens", "not a name prefix", expected).propose(
        Some(candidate),
        |v| name_prefix(v).is_ok(),
        |v| format!("write {v:?}"),
    ))
}

/// E-mail addresses, conservatively (aws-facts.md §8: SNS publishes no grammar).
pub fn email(s: &str) -> Rule {
    let expected = "an address such as \"ml-ops@example.com\"";
    if s.len() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(broken("e-mail address must not contain spaces", "whitespace", expected));
    }
    let Some((local, domain)) = s.split_once('@') else {
        return Err(broken("e-mail address needs an @", "no @", expected));
    };
    if local.is_empty() || local.len() > 64 || domain.contains('@') {
        return Err(broken("e-mail address has one @ with a name before it", "bad local part", expected));
    }
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |l: &&str| {
        !l.is_empty() && !l.starts_with('-') && !l.ends_with('-') && l.chars().all(|c| c.is_alphanumeric() || c == '-')
    };
    if labels.len() < 2 || !labels.iter().all(label_ok) {
        return Err(broken("e-mail domain must be a domain name with a dot", "bad domain", expected));
    }
    Ok(())
}

/// The addresses of a string that holds several, separated by commas, semicolons or spaces
/// (`"a@example.com, b@example.com"`), when there are two or more and each is a valid address.
pub fn email_list(s: &str) -> Option<Vec<String>> {
    let parts: Vec<String> =
        s.split([',', ';', ' ', '\t', '\n']).filter(|p| !p.is_empty()).map(str::to_string).collect();
    (parts.len() > 1 && parts.iter().all(|p| email(p).is_ok())).then_some(parts)
}

/// Tag keys and values (provider `default_tags`); keys starting with `aws:` are reserved. The
/// error says whether the key (`true`) or the value is at fault, boxed to keep `Result` small.
pub fn tag(key: &str, value: &str) -> Result<(), Box<(bool, Broken)>> {
    let allowed = |c: char| c.is_alphanumeric() || " _.:/=+-@".contains(c);
    let expected = "letters, digits, spaces and _ . : / = + - @";
    if key.to_ascii_lowercase().starts_with("aws:") {
        return Err(Box::new((
            true,
            broken("tag keys starting with aws: are reserved", "reserved prefix", "a key not starting with aws:"),
        )));
    }
    if let Some(c) = key.chars().find(|c| !allowed(*c)) {
        return Err(Box::new((
            true,
            broken("tag key contains a character AWS does not allow", format!("{c:?} is not allowed"), expected),
        )));
    }
    if let Some(c) = value.chars().find(|c| !allowed(*c)) {
        return Err(Box::new((
            false,
            broken("tag value contains a character AWS does not allow", format!("{c:?} is not allowed"), expected),
        )));
    }
    Ok(())
}

/// SageMaker ML instance types: `ml.<family>.<size>`.
pub fn instance_type(s: &str) -> Rule {
    instance_type_rule(s, true)
}

fn instance_type_rule(s: &str, propose: bool) -> Rule {
    let parts: Vec<&str> = s.split('.').collect();
    let ok = parts.len() == 3
        && parts[0] == "ml"
        && parts[1..].iter().all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()));
    if ok {
        return Ok(());
    }
    let b = broken(
        "SageMaker instance types look like ml.<family>.<size>",
        "not an ML instance type",
        "e.g. \"ml.m5.xlarge\"",
    );
    let lower = s.to_ascii_lowercase();
    let candidate = if parts.len() == 2 && !lower.starts_with("ml.") { format!("ml.{lower}") } else { lower };
    let valid = |v: &str| instance_type_rule(v, false).is_ok();
    Err(b.propose(propose.then_some(candidate), valid, |v| {
        if v.len() > s.len() {
            format!("SageMaker instance types start with ml.: {v:?}")
        } else {
            format!("instance types are lowercase: {v:?}")
        }
    }))
}

/// A file name in S3 (the batch dataset's base name): letters, digits, `. _ -`.
pub fn s3_file_name(s: &str) -> Rule {
    if !s.is_empty()
        && s.len() <= 255
        && s.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
        && s != "."
        && s != ".."
    {
        return Ok(());
    }
    Err(broken(
        "dataset file name must be a plain file name",
        "not a plain file name",
        "letters, digits, . _ - (no slashes), e.g. \"mammo-batch-dataset\"",
    ))
}

/// An S3 key prefix: relative, ending in `/`, safe characters only.
pub fn s3_prefix(s: &str) -> Rule {
    s3_prefix_rule(s, true)
}

fn s3_prefix_rule(s: &str, propose: bool) -> Rule {
    let ok = !s.is_empty()
        && s.len() <= 512
        && !s.starts_with('/')
        && s.ends_with('/')
        && !s.contains("//")
        && s.chars().all(|c| c.is_ascii_alphanumeric() || "._-/".contains(c))
        && !s.split('/').any(|p| p == "." || p == "..");
    if ok {
        return Ok(());
    }
    let b = broken(
        "S3 prefix must be a relative path ending in /",
        "not an S3 prefix",
        "e.g. \"mammography-severity-model/data/train-dataset/\"",
    );
    let mut candidate = s.trim_start_matches('/').to_string();
    while candidate.contains("//") {
        candidate = candidate.replace("//", "/");
    }
    if !candidate.ends_with('/') {
        candidate.push('/');
    }
    let valid = |v: &str| s3_prefix_rule(v, false).is_ok();
    Err(b.propose(propose.then_some(candidate), valid, |v| {
        if !s.ends_with('/') && v.len() == s.len() + 1 {
            format!("add the trailing slash: {v:?}")
        } else {
            format!("write it as a relative path ending in /: {v:?}")
        }
    }))
}

/// CloudWatch Logs group names (aws-facts.md §9).
pub fn log_group_name(s: &str) -> Rule {
    if !s.is_empty() && s.len() <= 512 && s.chars().all(|c| c.is_ascii_alphanumeric() || "._-/#".contains(c)) {
        return Ok(());
    }
    Err(broken(
        "log group name contains a character CloudWatch Logs does not allow",
        "not a log group name",
        "letters, digits and . _ - / #",
    ))
}

/// EventBridge bus names.
pub fn event_bus_name(s: &str) -> Rule {
    if !s.is_empty()
        && s.len() <= 256
        && s.chars().all(|c| c.is_ascii_alphanumeric() || "._-/".contains(c))
        && !s.starts_with("aws.")
    {
        return Ok(());
    }
    Err(broken(
        "event bus name contains a character EventBridge does not allow",
        "not a bus name",
        "\"default\" or letters, digits and . _ - /",
    ))
}

/// STS external ids (aws-facts.md §5.1): 2-1224 of `[\w+=,.@:/-]`.
pub fn external_id(s: &str) -> Rule {
    if s.len() >= 2 && s.len() <= 1224 && s.chars().all(|c| c.is_ascii_alphanumeric() || "_+=,.@:/-".contains(c)) {
        return Ok(());
    }
    Err(broken(
        "external id contains a character STS does not allow",
        "not an external id",
        "2-1224 characters: letters, digits and _ + = , . @ : / -",
    ))
}

/// Directories of generated/ that are not environments (render::owned_dirs).
pub const RESERVED_DIRS: &[&str] = &["modules", "jenkins"];

/// Environment names become parts of resource names and HCL labels.
pub fn env_name(s: &str) -> Rule {
    let ok = s.len() >= 2
        && s.len() <= 32
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && !s.ends_with('-')
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if ok && RESERVED_DIRS.contains(&s) {
        return Err(broken(
            "this name is taken by a directory mlopsgen writes",
            "generated/ has a directory of this name",
            format!("a name other than {}", RESERVED_DIRS.join(" and ")),
        )
        .help(format!("name the environment e.g. \"{s}-env\" (and the file {s}-env.tfvars.json)")));
    }
    if ok {
        return Ok(());
    }
    Err(broken(
        "environment name must be lowercase letters, digits and hyphens",
        "not an environment name",
        "2-32 characters such as \"prod\" or \"eu-dev\", starting with a letter",
    ))
}

/// A parsed ARN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arn<'a> {
    pub partition: &'a str,
    pub service: &'a str,
    pub region: &'a str,
    pub account: &'a str,
    pub resource: &'a str,
}

/// Splits an ARN into its six parts; checks only the shape.
pub fn parse_arn(s: &str) -> Result<Arn<'_>, Broken> {
    let parts: Vec<&str> = s.splitn(6, ':').collect();
    if parts.len() != 6 || parts[0] != "arn" {
        let mut b = broken(
            "not an ARN",
            "not arn:partition:service:region:account:resource",
            "an ARN such as \"arn:aws:iam::111122223333:role/name\"",
        );
        if !s.contains(':') {
            b = b.help("give the full ARN, not only a name or id");
        }
        return Err(b);
    }
    if !matches!(parts[1], "aws" | "aws-cn" | "aws-us-gov" | "aws-iso" | "aws-iso-b") {
        return Err(broken(
            "ARN names an unknown partition",
            format!("partition {:?}", parts[1]),
            "aws, aws-cn or aws-us-gov",
        ));
    }
    if parts[5].is_empty() {
        return Err(broken(
            "ARN has no resource part",
            "empty resource",
            "arn:partition:service:region:account:resource",
        ));
    }
    Ok(Arn { partition: parts[1], service: parts[2], region: parts[3], account: parts[4], resource: parts[5] })
}

/// Parses and checks one EventBridge schedule expression (aws-facts.md §7.2).
pub fn schedule_expression(s: &str) -> Rule {
    schedule(s).map_err(|mut b| {
        if let Some(v) = repair_schedule(s) {
            let mut help = match b.help.as_deref() {
                Some(h) => format!("{h}: {v:?}"),
                None => format!("write {v:?}"),
            };
            let day_field = |e: &str| {
                let inner = e.strip_prefix("cron(").and_then(|r| r.strip_suffix(')')).unwrap_or(e).to_string();
                inner.split_whitespace().nth(4).map(str::to_string)
            };
            if let (Some(before), Some(after)) = (day_field(s), day_field(&v))
                && before.contains(|c: char| c.is_ascii_digit())
                && before != after
            {
                help.push_str(
                    " (Unix numbers the days from 0 = Sunday, EventBridge from 1 = Sunday; names avoid the shift)",
                );
            }
            b.help = Some(help);
            b.fix = Some(v);
        }
        b
    })
}

/// The checks of [`schedule_expression`], with helps that end where a proposal would follow.
fn schedule(s: &str) -> Rule {
    if let Some(inner) = s.strip_prefix("rate(").and_then(|r| r.strip_suffix(')')) {
        return rate(inner);
    }
    let Some(inner) = s.strip_prefix("cron(").and_then(|r| r.strip_suffix(')')) else {
        let fields = s.split_whitespace().count();
        return Err(broken(
            "schedule must be cron(...) or rate(...)",
            "not a schedule expression",
            "e.g. \"cron(0 23 * * ? *)\" (23:00 UTC daily) or \"rate(1 day)\"",
        )
        .help(if fields == 6 {
            "wrap the fields in cron(...)"
        } else if fields == 5 {
            "EventBridge wants six fields in cron(...), with a year and ? in day-of-month or day-of-week"
        } else {
            "EventBridge expressions are cron(minutes hours day-of-month month day-of-week year) or rate(value unit)"
        }));
    };
    cron(inner)
}

/// A valid expression that means what `s` most likely means, if there is one: the fields of a
/// Unix crontab line wrapped, with the year and `?` EventBridge wants and day-of-week numbers as
/// names (Unix counts from 0 = Sunday, EventBridge from 1 = Sunday); `?` where exactly one of
/// day-of-month and day-of-week must have it; a rate's unit in the right number.
fn repair_schedule(s: &str) -> Option<String> {
    let s = s.trim();
    let candidate = if let Some(inner) = s.strip_prefix("rate(").and_then(|r| r.strip_suffix(')')) {
        let parts: Vec<&str> = inner.split_whitespace().collect();
        let [n, unit] = parts[..] else { return None };
        let n = n.parse::<u32>().ok().filter(|n| *n > 0)?;
        let unit = unit.strip_suffix('s').unwrap_or(unit);
        if !matches!(unit, "minute" | "hour" | "day") {
            return None;
        }
        format!("rate({n} {unit}{})", if n == 1 { "" } else { "s" })
    } else {
        let inner = s.strip_prefix("cron(").and_then(|r| r.strip_suffix(')')).unwrap_or(s);
        let fields: Vec<&str> = inner.split_whitespace().collect();
        let mut f: Vec<String> = match fields.len() {
            5 if fields[2] == "?" || fields[4] == "?" => {
                fields.iter().map(|v| v.to_string()).chain(["*".into()]).collect()
            }
            5 => from_crontab(&fields)?,
            6 => fields.iter().map(|v| v.to_string()).collect(),
            _ => return None,
        };
        // An hour past 23 on a schedule that runs every day: the same hour of the clock.
        let every_day = |d: &str| d == "*" || d == "?";
        if let Ok(h) = f[1].parse::<u32>()
            && (24..48).contains(&h)
            && every_day(&f[2])
            && every_day(&f[4])
        {
            f[1] = (h % 24).to_string();
        }
        match (f[2] == "?", f[4] == "?") {
            (true, true) => f[2] = "*".into(),
            (false, false) if f[4] == "*" => f[4] = "?".into(),
            (false, false) if f[2] == "*" => f[2] = "?".into(),
            (false, false) => return None,
            _ => {}
        }
        format!("cron({})", f.join(" "))
    };
    schedule(&candidate).is_ok().then_some(candidate)
}

/// The six EventBridge fields of a Unix crontab line (`minute hour dom month dow`), or `None`
/// when its meaning cannot be kept (Unix runs when day-of-month *or* day-of-week match).
fn from_crontab(f: &[&str]) -> Option<Vec<String>> {
    const DAYS: [&str; 8] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"];
    let dow = if f[4] == "*" {
        "*".to_string()
    } else {
        let mut out = Vec::new();
        for item in f[4].split(',') {
            let days: Vec<usize> = item
                .split('-')
                .map(|d| match d.parse::<usize>() {
                    Ok(n) => (n < DAYS.len()).then_some(n % 7),
                    Err(_) => DAYS.iter().position(|n| n.eq_ignore_ascii_case(d)),
                })
                .collect::<Option<_>>()?;
            match days[..] {
                [d] => out.push(DAYS[d].to_string()),
                [a, b] if a < b => out.push(format!("{}-{}", DAYS[a], DAYS[b])),
                _ => return None,
            }
        }
        out.join(",")
    };
    if f[2] != "*" && dow != "*" {
        return None;
    }
    Some(vec![f[0].into(), f[1].into(), f[2].into(), f[3].into(), dow, "*".into()])
}

fn rate(inner: &str) -> Rule {
    let expected = "rate(<positive integer> <minute|minutes|hour|hours|day|days>)";
    let parts: Vec<&str> = inner.split_whitespace().collect();
    let [n, unit] = parts[..] else {
        return Err(broken("rate needs a value and a unit", "not rate(value unit)", expected));
    };
    let Ok(n) = n.parse::<u32>() else {
        return Err(broken("rate value must be a positive integer", "not a positive integer", expected));
    };
    if n == 0 {
        return Err(broken("rate value must be a positive integer", "zero", expected));
    }
    let (singular, plural) = match unit {
        "minute" | "minutes" => ("minute", "minutes"),
        "hour" | "hours" => ("hour", "hours"),
        "day" | "days" => ("day", "days"),
        _ => return Err(broken("rate unit must be minute(s), hour(s) or day(s)", format!("unit {unit:?}"), expected)),
    };
    let want = if n == 1 { singular } else { plural };
    if unit != want {
        return Err(broken(format!("rate({n} ...) needs the unit {want:?}"), format!("{unit:?}"), expected));
    }
    Ok(())
}

struct CronField {
    name: &'static str,
    min: u32,
    max: u32,
    names: &'static [&'static str],
}

const CRON_FIELDS: [CronField; 6] = [
    CronField { name: "minutes", min: 0, max: 59, names: &[] },
    CronField { name: "hours", min: 0, max: 23, names: &[] },
    CronField { name: "day-of-month", min: 1, max: 31, names: &[] },
    CronField {
        name: "month",
        min: 1,
        max: 12,
        names: &["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"],
    },
    CronField { name: "day-of-week", min: 1, max: 7, names: &["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"] },
    CronField { name: "year", min: 1970, max: 2199, names: &[] },
];

fn cron(inner: &str) -> Rule {
    let expected = "cron(minutes hours day-of-month month day-of-week year), e.g. \"cron(0 23 * * ? *)\"";
    let fields: Vec<&str> = inner.split_whitespace().collect();
    if fields.len() != 6 {
        let mut b = broken(
            format!("cron expression needs 6 fields, found {}", fields.len()),
            format!("{} fields", fields.len()),
            expected,
        );
        if fields.len() == 5 {
            b = b.help("EventBridge adds a year field and needs ? in day-of-month or day-of-week");
        }
        return Err(b);
    }
    for (i, (value, spec)) in fields.iter().zip(CRON_FIELDS.iter()).enumerate() {
        cron_field(value, spec, i).map_err(|msg| {
            let b =
                broken(format!("invalid {} field {value:?}: {msg}", spec.name), format!("bad {}", spec.name), expected);
            match value.parse::<u32>() {
                Ok(h) if i == 1 && (24..48).contains(&h) => {
                    b.help(format!("hours run from 0 to 23 (UTC); {h} o'clock is {} o'clock the next day", h - 24))
                }
                Ok(_) => b.help(format!("{} run from {} to {}", spec.name, spec.min, spec.max)),
                Err(_) => b,
            }
        })?;
    }
    let (dom, dow) = (fields[2], fields[4]);
    match (dom == "?", dow == "?") {
        (true, true) => Err(broken("only one of day-of-month and day-of-week may be ?", "both are ?", expected)
            .help("use * for one of them")),
        (false, false) => Err(broken("one of day-of-month and day-of-week must be ?", "neither is ?", expected)
            .help("write ? in the one that does not matter")),
        _ => Ok(()),
    }
}

fn cron_field(value: &str, spec: &CronField, index: usize) -> Result<(), String> {
    let is_dom = index == 2;
    let is_dow = index == 4;
    if value == "?" {
        return if is_dom || is_dow { Ok(()) } else { Err("? is only allowed in day-of-month and day-of-week".into()) };
    }
    if value == "*" {
        return Ok(());
    }
    if is_dom && (value == "L" || value == "LW") {
        return Ok(());
    }
    if is_dom && let Some(day) = value.strip_suffix('W') {
        return number(day, spec).map(|_| ());
    }
    if is_dow && value.contains('#') {
        let (day, nth) = value.split_once('#').unwrap_or((value, ""));
        if value.contains(',') {
            return Err("# allows a single expression".into());
        }
        number(day, spec)?;
        return match nth.parse::<u32>() {
            Ok(1..=5) => Ok(()),
            _ => Err("the number after # must be 1 to 5".into()),
        };
    }
    if is_dow
        && let Some(day) = value.strip_suffix('L')
        && !day.is_empty()
    {
        return number(day, spec).map(|_| ());
    }
    for item in value.split(',') {
        let (range, step) = match item.split_once('/') {
            Some((r, s)) => (r, Some(s)),
            None => (item, None),
        };
        if let Some(step) = step {
            if is_dow {
                return Err("/ is not allowed in day-of-week".into());
            }
            match step.parse::<u32>() {
                Ok(n) if n >= 1 && n <= spec.max => {}
                _ => return Err(format!("the step after / must be 1 to {}", spec.max)),
            }
        }
        if range == "*" && step.is_some() {
            continue;
        }
        match range.split_once('-') {
            Some((a, b)) => {
                number(a, spec)?;
                number(b, spec)?;
            }
            None => {
                number(range, spec)?;
            }
        }
    }
    Ok(())
}

fn number(s: &str, spec: &CronField) -> Result<u32, String> {
    if let Some(pos) = spec.names.iter().position(|n| n.eq_ignore_ascii_case(s)) {
        return Ok(spec.min + pos as u32);
    }
    match s.parse::<u32>() {
        Ok(n) if n >= spec.min && n <= spec.max => Ok(n),
        Ok(n) => Err(format!("{n} is outside {}-{}", spec.min, spec.max)),
        Err(_) if !spec.names.is_empty() => Err(format!(
            "{s:?} is not {}-{} or {}-{}",
            spec.min,
            spec.max,
            spec.names[0],
            spec.names[spec.names.len() - 1]
        )),
        Err(_) => Err(format!("{s:?} is not a number {}-{}", spec.min, spec.max)),
    }
}

/// An IAM principal that may assume a role: `arn:<p>:iam::<account>:role/...`, `user/...` or
/// `root` (an IAM Identity Center permission set's role is a role under
/// `/aws-reserved/sso.amazonaws.com/`).
pub fn principal_arn(s: &str) -> Rule {
    let expected = "arn:aws:iam::<account>:role/<name>, user/<name> or root";
    let a = parse_arn(s)?;
    if a.service != "iam" || !a.region.is_empty() {
        return Err(broken("not an IAM principal ARN", "not arn:<partition>:iam::...", expected));
    }
    account_id(a.account)?;
    let kind = a.resource.split('/').next().unwrap_or_default();
    if a.resource == "root" || (matches!(kind, "role" | "user") && a.resource.len() > kind.len() + 1) {
        return Ok(());
    }
    Err(broken("an IAM principal ARN names a role, a user or root", "not role/, user/ or root", expected)
        .help("an approver is a role (for example an IAM Identity Center permission set's) or a user"))
}

/// IANA time-zone areas (the first part of names such as `Europe/Berlin`).
const TZ_AREAS: &[&str] = &[
    "Africa",
    "America",
    "Antarctica",
    "Arctic",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
    "Etc",
];

/// An IANA time-zone name for EventBridge Scheduler's `ScheduleExpressionTimezone`
/// (aws-facts.md §7.4): `UTC`, or `Area/Location` with a known area. The location itself is not
/// checked offline (there is no tz database here); Scheduler refuses an unknown one at apply.
pub fn time_zone(s: &str) -> Rule {
    time_zone_rule(s, true)
}

fn time_zone_rule(s: &str, propose: bool) -> Rule {
    let valid = |v: &str| time_zone_rule(v, false).is_ok();
    if s == "UTC" {
        return Ok(());
    }
    let mut parts = s.split('/');
    let area = parts.next().unwrap_or_default();
    let rest: Vec<&str> = parts.collect();
    let part_ok = |p: &str| {
        !p.is_empty()
            && p.len() <= 30
            && p.chars().all(|c| c.is_ascii_alphanumeric() || "_+-".contains(c))
            && p.starts_with(|c: char| c.is_ascii_alphabetic())
    };
    if TZ_AREAS.contains(&area) && !rest.is_empty() && rest.len() <= 2 && rest.iter().all(|p| part_ok(p)) {
        return Ok(());
    }
    let mut b = broken(
        "not an IANA time-zone name",
        "not Area/Location",
        "\"UTC\" or an IANA name such as \"Europe/Berlin\" or \"America/New_York\"",
    );
    let upper = s.to_ascii_uppercase();
    if ["GMT", "Z", "UTC+0", "UTC0", "ETC/UTC", "UTC"].contains(&upper.as_str()) {
        b = b.propose(propose.then(|| "UTC".into()), valid, |v| format!("write {v:?}"));
    } else if let Some(a) = TZ_AREAS.iter().find(|a| a.eq_ignore_ascii_case(area)) {
        if !rest.is_empty() {
            let candidate = format!("{a}/{}", rest.join("/"));
            b = b.propose(propose.then_some(candidate), valid, |v| format!("the area is spelt {a}: {v:?}"));
        }
    } else if s.len() <= 5 && s.chars().all(|c| c.is_ascii_alphabetic()) {
        b = b.help("abbreviations such as CET or EST are ambiguous; use the city form, e.g. \"Europe/Berlin\"");
    }
    Err(b)
}

/// A git branch Jenkins may apply from (`git check-ref-format --branch`, the common subset).
pub fn git_branch(s: &str) -> Rule {
    git_branch_rule(s, true)
}

fn git_branch_rule(s: &str, propose: bool) -> Rule {
    let bad = s.is_empty()
        || s.starts_with(['-', '/', '.'])
        || s.ends_with(['/', '.'])
        || s.ends_with(".lock")
        || s.contains("..")
        || s.contains("//")
        || s.contains("@{")
        || s.chars().any(|c| c.is_control() || c.is_whitespace() || "~^:?*[\\'\"$".contains(c));
    if !bad {
        return Ok(());
    }
    // Checked without proposals of its own: a proposal that is still invalid (`a..b` maps to
    // itself) must not be proposed, nor checked again for ever.
    let valid = |v: &str| git_branch_rule(v, false).is_ok();
    let mut proposal: String =
        s.chars().map(|c| if c.is_ascii_alphanumeric() || "-_/.".contains(c) { c } else { '-' }).collect();
    while proposal.contains("..") || proposal.contains("//") {
        proposal = proposal.replace("..", ".").replace("//", "/");
    }
    let proposal =
        proposal.trim_end_matches(".lock").trim_matches(|c: char| c == '-' || c == '/' || c == '.').to_string();
    let b = broken(
        "not a branch name git accepts",
        "not a branch name",
        "a branch name such as \"main\" or \"release/1.0\"",
    );
    Err(b.propose(propose.then_some(proposal), valid, |v| format!("write {v:?}")))
}

/// Jenkins users or groups for the input step's `submitter` (comma-separated names).
pub fn jenkins_submitter(s: &str) -> Rule {
    let ok = !s.trim().is_empty()
        && s.split(',').all(|n| {
            let n = n.trim();
            !n.is_empty() && n.chars().all(|c| c.is_alphanumeric() || "-_.@ ".contains(c))
        });
    if ok {
        return Ok(());
    }
    Err(broken(
        "not a list of Jenkins users or groups",
        "not comma-separated names",
        "names of Jenkins users or groups separated by commas, e.g. \"ml-platform-leads, alice\"",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cron_table() {
        let ok = [
            "cron(0 23 * * ? *)",
            "cron(0/15 * * * ? *)",
            "cron(0 8 ? * MON-FRI *)",
            "cron(0 8 ? * 2#1 *)",
            "cron(0 0 L * ? *)",
            "cron(0 0 15W * ? 2027)",
            "cron(5,35 14 * JAN,JUN ? *)",
            "cron(0 18 ? * 6L *)",
            "rate(1 day)",
            "rate(5 minutes)",
            "rate(12 hours)",
        ];
        for e in ok {
            assert_eq!(schedule_expression(e), Ok(()), "{e}");
        }
        let bad = [
            ("cron(0 23 * * *)", "needs 6 fields"),
            ("cron(0 23 * * * *)", "must be ?"),
            ("cron(0 23 ? * ? *)", "only one of"),
            ("cron(60 23 * * ? *)", "60 is outside 0-59"),
            ("cron(0 24 * * ? *)", "24 is outside 0-23"),
            ("cron(0 0 0 * ? *)", "0 is outside 1-31"),
            ("cron(0 0 ? 13 MON *)", "13 is outside 1-12"),
            ("cron(0 0 ? * 8 *)", "8 is outside 1-7"),
            ("cron(0 0 ? * 3#1,6#3 *)", "single expression"),
            ("cron(0 0 ? * MON/2 *)", "not allowed in day-of-week"),
            ("cron(? 0 * * ? *)", "only allowed in day-of-month"),
            ("cron(0 0 * * ? 1969)", "1969 is outside"),
            ("cron(0 0 ? * FOO *)", "is not 1-7 or SUN-SAT"),
            ("0 23 * * ? *", "cron(...) or rate(...)"),
            ("rate(1 days)", "needs the unit \"day\""),
            ("rate(2 day)", "needs the unit \"days\""),
            ("rate(0 days)", "positive integer"),
            ("rate(1 week)", "unit must be"),
        ];
        for (e, want) in bad {
            let err = schedule_expression(e).expect_err(e);
            assert!(err.message.contains(want), "{e}: {}", err.message);
        }
    }

    #[test]
    fn schedules_are_repaired_into_valid_expressions_that_keep_their_meaning() {
        let cases = [
            ("0 23 * * *", Some("cron(0 23 * * ? *)")),
            ("cron(0 23 * * *)", Some("cron(0 23 * * ? *)")),
            ("cron(30 7 * * 1-5)", Some("cron(30 7 ? * MON-FRI *)")),
            ("0 8 * * 0,6", Some("cron(0 8 ? * SUN,SAT *)")),
            ("0 8 * * 7", Some("cron(0 8 ? * SUN *)")),
            ("cron(0 8 ? * 2)", Some("cron(0 8 ? * 2 *)")),
            ("0 6 ? * MON-FRI *", Some("cron(0 6 ? * MON-FRI *)")),
            ("cron(0 23 * * * *)", Some("cron(0 23 * * ? *)")),
            ("cron(0 8 * * MON *)", Some("cron(0 8 ? * MON *)")),
            ("cron(0 23 ? * ? *)", Some("cron(0 23 * * ? *)")),
            ("rate(1 days)", Some("rate(1 day)")),
            ("rate(5 minute)", Some("rate(5 minutes)")),
            // Unix runs when either day field matches; EventBridge cannot say that.
            ("0 0 1 * 1", None),
            ("cron(0 0 1 * MON *)", None),
            ("0 8 * * 5-0", None),
            ("cron(60 23 * * ? *)", None),
            ("daily", None),
        ];
        for (input, want) in cases {
            let err = schedule_expression(input).expect_err(input);
            assert_eq!(err.fix.as_deref(), want, "{input}");
            if let Some(v) = want {
                assert_eq!(schedule_expression(v), Ok(()), "{input} -> {v}");
                assert!(err.help.as_deref().is_some_and(|h| h.contains(v)), "{input}: {:?}", err.help);
            }
        }
    }

    #[test]
    fn branch_proposals_are_valid_and_never_loop() {
        let fix = |s: &str| git_branch(s).expect_err(s).fix;
        assert_eq!(fix("release 2026").as_deref(), Some("release-2026"));
        assert_eq!(fix("release..1").as_deref(), Some("release.1"), "used to recurse until the stack overflowed");
        assert_eq!(fix("a//b.lock").as_deref(), Some("a/b"));
        assert_eq!(fix("..."), None);
        assert!(git_branch("release/1.0").is_ok());
    }

    #[test]
    fn proposed_names_pass_their_rule() {
        let fix = |r: Rule| r.expect_err("invalid").fix;
        assert_eq!(fix(bucket_name("Acme_SageMaker_Prod")).as_deref(), Some("acme-sagemaker-prod"));
        assert_eq!(fix(bucket_name("acme.data")).as_deref(), Some("acme-data"));
        assert_eq!(fix(bucket_name("-acme-")).as_deref(), Some("acme"));
        assert_eq!(fix(bucket_name("ab_")), None, "\"ab\" would be too short");
        assert_eq!(fix(sagemaker_name("_mammo_model", "model name", 47)).as_deref(), Some("mammo-model"));
        assert_eq!(fix(kms_alias("mlops prod")).as_deref(), Some("alias/mlops-prod"));
        assert_eq!(fix(kms_alias("alias/mlops prod")).as_deref(), Some("alias/mlops-prod"));
        assert_eq!(fix(sns_topic_name("alerts.fifo")).as_deref(), Some("alerts"));
        assert_eq!(fix(pipeline_name("MammoSeverity-Train-V2")).as_deref(), Some("mammoseverity-train-v2"));
        assert_eq!(fix(time_zone("europe/Berlin")).as_deref(), Some("Europe/Berlin"));
        assert_eq!(fix(time_zone("GMT")).as_deref(), Some("UTC"));
        assert_eq!(fix(s3_prefix("/a//b")).as_deref(), Some("a/b/"));
        assert_eq!(fix(instance_type("M5.XLARGE")).as_deref(), Some("ml.m5.xlarge"));
        assert_eq!(fix(account_id("4444-4444-4444")).as_deref(), Some("444444444444"));
        assert_eq!(fix(account_id("4444-4444-444")), None);
        assert!(pipeline_name("mammo-severity-train-pipeline").is_ok());
    }

    #[test]
    fn bucket_rules() {
        assert!(bucket_name("acme-sagemaker-model-artifacts").is_ok());
        for bad in
            ["ab", "Acme", "acme_x", "-acme", "acme-", "192.168.1.1", "xn--abc", "abc-s3alias", "a..b", "acme.data"]
        {
            assert!(bucket_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn other_names() {
        assert!(role_name("lambda-sagemaker-role").is_ok());
        assert!(role_name("bad role").is_err());
        assert!(kms_alias("alias/mlops-prod").is_ok());
        assert!(kms_alias("alias/aws/sns").is_err());
        assert!(kms_alias("mlops").is_err());
        assert!(sns_topic_name("mammography-model-notification").is_ok());
        assert!(sns_topic_name("a.b").is_err());
        assert!(sagemaker_name("mammo-severity-model-package", "group", 63).is_ok());
        assert!(sagemaker_name("mammo_severity", "group", 63).is_err());
        assert!(email("ops@example.com").is_ok());
        for bad in ["ops", "ops@", "@example.com", "ops@example", "o ps@example.com", "a@b@c.com"] {
            assert!(email(bad).is_err(), "{bad}");
        }
        assert!(account_id("111122223333").is_ok());
        assert!(account_id("11112222333").is_err());
        assert!(instance_type("ml.m5.xlarge").is_ok());
        assert!(instance_type("m5.xlarge").is_err());
        assert!(parse_arn("arn:aws:iam::111122223333:role/x").is_ok());
        assert!(parse_arn("role/x").is_err());
    }
}
