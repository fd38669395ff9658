//! The stable error codes. A code never changes meaning once released; retired codes are not
//! reused. Grouped by stage: E01xx load, E02xx single-file validation, E03xx cross-environment,
//! E05xx plan, E06xx AWS (preflight, versions, approve, reject). `docs/errors.md` shows one
//! example of each: from a broken fixture, or, for the codes no config file can trip, the text of
//! `Code::raised_elsewhere`.

macro_rules! codes {
    ($($name:ident => $summary:literal,)*) => {
        /// A stable diagnostic code such as `E0210`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code { $($name,)* }

        impl Code {
            /// Every code, in numeric order.
            pub const ALL: &'static [Code] = &[$(Code::$name,)*];

            /// The code as printed, e.g. `"E0210"`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$name => stringify!($name),)* }
            }

            /// One line saying what the code is about.
            pub fn summary(self) -> &'static str {
                match self { $(Code::$name => $summary,)* }
            }
        }
    };
}

codes! {
    E0101 => "a config file cannot be read",
    E0102 => "a config file is not valid JSON",
    E0103 => "a key appears twice in one object",
    E0104 => "no config file for a requested environment",
    E0105 => "no environment config found",
    E0106 => "a file in environments/ is not loaded: its name lacks the .tfvars.json suffix",
    E0201 => "unknown key",
    E0202 => "wrong JSON type",
    E0203 => "required key missing",
    E0204 => "value out of range",
    E0205 => "value not one of the allowed values",
    E0206 => "placeholder from the blog post's sample left in place",
    E0207 => "something that looks like a secret",
    E0208 => "environment name does not match the file",
    E0209 => "an item is listed twice",
    E0210 => "invalid AWS account id",
    E0211 => "invalid or unsupported AWS region",
    E0212 => "invalid ARN, or an ARN for the wrong service, region or account",
    E0213 => "invalid S3 bucket name",
    E0214 => "invalid IAM name",
    E0215 => "invalid KMS alias",
    E0216 => "invalid SNS topic name",
    E0217 => "invalid SageMaker name",
    E0218 => "invalid EventBridge schedule expression",
    E0219 => "invalid e-mail address",
    E0220 => "invalid tag",
    E0221 => "invalid SageMaker instance type",
    E0222 => "invalid S3 key or prefix",
    E0223 => "invalid CloudWatch Logs setting",
    E0224 => "invalid EventBridge bus name",
    E0225 => "invalid framework version",
    E0226 => "two keys say different things",
    E0227 => "key not allowed for this kind of environment",
    E0228 => "account id cannot be determined",
    E0229 => "invalid external id",
    E0230 => "invalid data contract",
    E0231 => "invalid time zone",
    E0232 => "a notification topic has no subscriber",
    E0233 => "the problem type, the label and the metrics disagree",
    E0234 => "a model reads the blog post's default data contract",
    E0235 => "the training choice is incomplete, or its script cannot be shipped",
    E0236 => "invalid name_prefix, or names built from it too long",
    E0240 => "invalid Jenkins setting",
    E0301 => "two environments use one account",
    E0302 => "environments disagree on the region",
    E0303 => "model package group is not in the registry account",
    E0304 => "model package group is not declared by the registry",
    E0305 => "registry grants an environment that does not exist or is not a workload",
    E0306 => "registry does not grant an environment that uses the group",
    E0307 => "registry grants an environment that does not use the group",
    E0308 => "KMS key shared with an environment that does not exist",
    E0309 => "an existing KMS key's policy must allow what the platform does with it",
    E0310 => "model artifacts bucket differs from the registry's",
    E0311 => "a name that must be unique is used twice",
    E0312 => "more than one registry environment",
    E0601 => "the credentials reach the wrong account",
    E0602 => "AWS cannot be reached, or an STS call failed",
    E0603 => "a role cannot be assumed",
    E0604 => "no AWS credentials found",
    E0605 => "AWS_PROFILE names a profile that is not defined",
    E0606 => "STS rejected the credentials",
    E0607 => "the model, its model package group or the version does not exist",
    E0608 => "an approval decision without a reason",
    E0609 => "the approver role needs MFA and no MFA code was given",
    E0610 => "the caller registered the version it would approve",
    E0611 => "the version was already decided",
    E0612 => "SageMaker refused or failed a registry call",
    E0613 => "SageMaker does not say who registered the version",
}

impl Code {
    /// For a code that no config file can trip (the file system's E0101 and E0104, the AWS
    /// codes E06xx), what `docs/errors.md` shows instead of a broken fixture's report; `None` for
    /// the codes a fixture in `tests/fixtures/broken/` demonstrates.
    pub fn raised_elsewhere(self) -> Option<&'static str> {
        Some(match self {
            Code::E0101 | Code::E0104 => "Example: see `tests/it/cli.rs` (a file or directory that cannot be read).",
            Code::E0601 => concat!(
                "Raised by `preflight` (`tests/it/preflight.rs`): the ambient credentials, or the deploy ",
                "role they assume, are not the environment's account. `approve` raises it if the ",
                "approver role's session is not in the registry account.

```text
error[E0601]: the ",
                "credentials belong to account 111111111111, but prod is account 222222222222
  = help: ",
                "use credentials for account 222222222222 (prod), or fix account_id in ",
                "environments/prod.tfvars.json; applying now would change the wrong account
```",
            ),
            Code::E0602 => concat!(
                "Raised by `preflight`, `versions`, `approve` and `reject` (`tests/it/preflight.rs`, ",
                "`tests/it/approvals.rs`) when STS or SageMaker does not answer within the bounds (3 s to ",
                "connect, 5 s per attempt, 2 attempts, 12 s a call), or an STS call fails ",
                "otherwise.

```text
error[E0602]: cannot reach STS: dispatch failure: io error: ",
                "Connection refused (os error 111)
  = help: check the network path to STS (or ",
                "AWS_ENDPOINT_URL, if set); each call is tried twice and abandoned after 12 seconds
```",
            ),
            Code::E0603 => concat!(
                "Raised by `preflight` (the deploy role) and by `approve`/`reject` (the registry's ",
                "approver role) when STS refuses AssumeRole: the role does not exist yet, its trust ",
                "policy does not name the caller, or the MFA code is wrong or ",
                "expired.

```text
error[E0603]: cannot assume ",
                "arn:aws:iam::333333333333:role/mlops-model-approver: <STS's answer>
  = help: use a ",
                "fresh code of the MFA device --mfa-serial names (codes expire within a minute); the ",
                "role trusts the registry account 333333333333 (approvals.approvers, with MFA) and is ",
                "created by generated/registry
```",
            ),
            Code::E0604 => concat!(
                "Raised by `preflight`, `versions`, `approve` and `reject` (`tests/it/preflight.rs`, ",
                "`tests/it/approvals.rs`) before any call when the default credential chain (environment, ",
                "profile, web identity, ECS, instance metadata) finds nothing; the message lists the ",
                "sources tried.

```text
error[E0604]: no AWS credentials found; tried: Environment: the ",
                "credential provider was not enabled: environment variable not set Profile: the ",
                "credential provider was not enabled ...
  = help: set AWS_PROFILE, or AWS_ACCESS_KEY_ID ",
                "and AWS_SECRET_ACCESS_KEY, or run where an instance role is available
```",
            ),
            Code::E0605 => concat!(
                "Raised by `preflight`, `versions`, `approve` and `reject` (`tests/it/preflight.rs`, ",
                "`tests/it/approvals.rs`) before any call when AWS_PROFILE names a profile that neither the ",
                "AWS config nor the credentials file defines.

```text
error[E0605]: the AWS profile ",
                "\"nosuch\" (AWS_PROFILE) is not defined in the AWS config or credentials file
  = help: ",
                "run `aws configure list-profiles` to see the profiles there, or unset AWS_PROFILE
```",
            ),
            Code::E0606 => concat!(
                "Raised by `preflight`, `versions`, `approve` and `reject` (`tests/it/preflight.rs`, ",
                "`tests/it/approvals.rs`) when STS refuses the access key or session token ",
                "(InvalidClientTokenId, ExpiredToken, SignatureDoesNotMatch, ",
                "...).

```text
error[E0606]: STS rejected the credentials: <STS's answer>
  = help: the ",
                "access key or session token is wrong, deactivated or expired: renew them (aws sso ",
                "login, or new keys)
```",
            ),
            Code::E0607 => concat!(
                "Raised by `versions`, `approve` and `reject` (`tests/it/approvals.rs`): the environment ",
                "has no model of that name, the registry has no such model package group, or the group ",
                "has no such version.

```text
error[E0607]: mammo-severity-model-package has no version ",
                "7
  = help: `mlopsgen versions registry` lists its versions
```",
            ),
            Code::E0608 => concat!(
                "Raised by `approve` and `reject` (`tests/it/approvals.rs`) before any AWS call: the reason ",
                "is SageMaker's ApprovalDescription, the record of why a version may (or may not) ",
                "serve.

```text
error[E0608]: the reason is empty
  = help: say why, e.g. --reason \"AUC ",
                "0.91 on the holdout set; baseline statistics reviewed\"
```",
            ),
            Code::E0609 => concat!(
                "Raised by `approve` and `reject` (`tests/it/approvals.rs`) before any AWS call, when ",
                "`approvals.require_mfa` is true (the default) and the MFA device or code is missing or ",
                "malformed.

```text
error[E0609]: the approver role ",
                "arn:aws:iam::333333333333:role/mlops-model-approver needs MFA, and no MFA code was ",
                "given
  = help: pass --mfa-serial ARN --mfa-code CODE (or set MLOPSGEN_MFA_SERIAL and ",
                "MLOPSGEN_MFA_CODE)
```",
            ),
            Code::E0610 => concat!(
                "Raised by `approve` (`tests/it/approvals.rs`): the caller, or the approver role itself, is ",
                "the IAM principal that registered the version (sessions of one role count as one ",
                "principal). `--force` does not override it; nothing is changed.

```text
error[E0610]: ",
                "arn:aws:iam::333333333333:user/alice registered version 2 of ",
                "mammo-severity-model-package, so cannot approve it
  = help: another approver must ",
                "approve it; a version needs a second person
```",
            ),
            Code::E0611 => concat!(
                "Raised by `approve` and `reject` (`tests/it/approvals.rs`) when the version is not ",
                "PendingManualApproval; `--force` decides it again.

```text
error[E0611]: version 1 of ",
                "mammo-severity-model-package is already Approved (\"better AUC\")
  = help: add --force ",
                "to decide again (a rejected approved version stops serving: the inference pipelines ",
                "fall back to the latest other approved version)
```",
            ),
            Code::E0612 => concat!(
                "Raised by `versions`, `approve` and `reject` when SageMaker answers a registry call ",
                "with an error (typically AccessDenied: the credentials may not read the group, or the ",
                "approver role's policy is not applied yet).

```text
error[E0612]: SageMaker ",
                "ListModelPackages failed: AccessDeniedException: ...
  = help: read with credentials ",
                "the group's policy admits (a consumer account's roles) or with the registry account's ",
                "(the approver role may read every version)
```",
            ),
            Code::E0613 => concat!(
                "Raised by `approve` when the version's CreatedBy has no IAM identity, so self-approval ",
                "cannot be ruled out; `--force` approves anyway and says so.

```text
error[E0613]: ",
                "SageMaker does not say who registered version 3 of mammo-severity-model-package
  = ",
                "help: check who registered it (CloudTrail CreateModelPackage), then add --force
```",
            ),
            _ => return None,
        })
    }
}
