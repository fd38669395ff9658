//! The stable error codes. A code never changes meaning once released; retired codes are not
//! reused. Grouped by stage: E01xx load, E02xx single-file validation, E03xx cross-environment,
//! E05xx plan, E06xx preflight. `docs/errors.md` shows one example of each.

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
}
