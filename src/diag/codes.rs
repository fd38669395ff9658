//! The stable error codes. A code never changes meaning once released; retired codes are not
//! reused. Grouped by stage: E01xx load, E02xx single-file validation, E03xx cross-environment,
//! E05xx plan, E06xx AWS (preflight). `docs/errors.md` shows one
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
}

impl Code {
    /// For a code that no config file can trip (the file system's E0101 and E0104, the AWS
    /// codes E06xx), what `docs/errors.md` shows instead of a broken fixture's report; `None` for
    /// the codes a fixture in `tests/fixtures/broken/` demonstrates.
    pub fn raised_elsewhere(self) -> Option<&'static str> {
        Some(match self {
            Code::E0101 | Code::E0104 => "Example: see `tests/cli.rs` (a file or directory that cannot be read).",
            Code::E0601 => concat!(
                "Raised by `preflight` (`tests/preflight.rs`): the ambient credentials, or the deploy ",
                "role they assume, are not the environment's account.

```text
error[E0601]: the ",
                "credentials belong to account 111111111111, but prod is account 222222222222
  = help: ",
                "use credentials for account 222222222222 (prod), or fix account_id in ",
                "environments/prod.tfvars.json; applying now would change the wrong account
```",
            ),
            Code::E0602 => concat!(
                "Raised by `preflight` (`tests/preflight.rs`) when STS does not answer within the bounds ",
                "(3 s to connect, 5 s per attempt, 2 attempts, 12 s a call), or an STS call fails ",
                "otherwise.

```text
error[E0602]: cannot reach STS: dispatch failure: io error: ",
                "Connection refused (os error 111)
  = help: check the network path to STS (or ",
                "AWS_ENDPOINT_URL, if set); each call is tried twice and abandoned after 12 seconds
```",
            ),
            Code::E0603 => concat!(
                "Raised by `preflight` (`tests/preflight.rs`) when STS refuses to let the credentials ",
                "assume the deploy role: the role does not exist yet, or its trust policy does not name ",
                "the caller.

```text
error[E0603]: cannot assume ",
                "arn:aws:iam::222222222222:role/cross-account-jenkins-role: <STS's answer>
  = help: ",
                "apply generated/prod/bootstrap once with administrator credentials (it creates the ",
                "role), and run from the Jenkins role jenkins-server-role in account 444444444444
```",
            ),
            Code::E0604 => concat!(
                "Raised by `preflight` (`tests/preflight.rs`) before any call when the default ",
                "credential chain (environment, profile, web identity, ECS, instance metadata) finds ",
                "nothing; the message lists the sources tried.

```text
error[E0604]: no AWS credentials ",
                "found; tried: Environment: the credential provider was not enabled: environment ",
                "variable not set Profile: the credential provider was not enabled ...
  = help: set ",
                "AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where an instance ",
                "role is available
```",
            ),
            Code::E0605 => concat!(
                "Raised by `preflight` (`tests/preflight.rs`) before any call when AWS_PROFILE names a ",
                "profile that neither the AWS config nor the credentials file ",
                "defines.

```text
error[E0605]: the AWS profile \"nosuch\" (AWS_PROFILE) is not defined ",
                "in the AWS config or credentials file
  = help: run `aws configure list-profiles` to ",
                "see the profiles there, or unset AWS_PROFILE
```",
            ),
            Code::E0606 => concat!(
                "Raised by `preflight` (`tests/preflight.rs`) when STS refuses the access key or session ",
                "token (InvalidClientTokenId, ExpiredToken, SignatureDoesNotMatch, ",
                "...).

```text
error[E0606]: STS rejected the credentials: <STS's answer>
  = help: the ",
                "access key or session token is wrong, deactivated or expired: renew them (aws sso ",
                "login, or new keys)
```",
            ),
            _ => return None,
        })
    }
}
