//! `preflight`: proves, before `terraform apply`, that the credentials at hand reach the
//! environment's account. Asks STS `GetCallerIdentity` with the ambient credentials (the default
//! chain: environment, profile, instance role), assumes the environment's deploy role when the
//! config names one (as the generated provider does), and asks again. The only module that talks
//! to a network; bounded timeouts and retries; never prints a credential.

use crate::diag::Code;
use crate::model::{EnvConfig, Role};
use std::time::Duration;

/// Who STS says the caller is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub arn: String,
    pub account: String,
}

/// A preflight failure with a stable code (E06xx) and a hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub code: Code,
    pub message: String,
    pub help: String,
}

/// The outcome of a preflight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub env: String,
    pub expected_account: String,
    pub caller: Option<Identity>,
    pub role_arn: Option<String>,
    pub assumed: Option<Identity>,
    pub failure: Option<Failure>,
    /// Observations that do not fail the check (e.g. the caller is not the Jenkins account).
    pub notes: Vec<String>,
}

/// Bounds of every network call.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub connect: Duration,
    pub attempt: Duration,
    pub operation: Duration,
    pub attempts: u32,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            connect: Duration::from_secs(3),
            attempt: Duration::from_secs(5),
            operation: Duration::from_secs(12),
            attempts: 2,
        }
    }
}

pub(crate) fn failure(code: Code, message: impl Into<String>, help: impl Into<String>) -> Failure {
    Failure { code, message: message.into(), help: help.into() }
}

impl Failure {
    /// `{"code", "message", "help"}`, the `error` member of the commands' JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::json!({ "code": self.code.as_str(), "message": self.message, "help": self.help })
    }

    /// Compiler-style: `error[CODE]: message` and its help line.
    pub fn text(&self) -> String {
        format!("error[{}]: {}\n  = help: {}\n", self.code.as_str(), self.message, self.help)
    }
}

/// Runs the preflight of `env` (blocking; builds a single-threaded runtime).
pub fn run(env: &EnvConfig, limits: Limits) -> Outcome {
    let mut outcome = Outcome {
        env: env.name.clone(),
        expected_account: env.account_id.clone(),
        caller: None,
        role_arn: None,
        assumed: None,
        failure: None,
        notes: Vec::new(),
    };
    let runtime = match runtime() {
        Ok(r) => r,
        Err(f) => {
            outcome.failure = Some(f);
            return outcome;
        }
    };
    runtime.block_on(check(env, limits, &mut outcome));
    outcome
}

/// A single-threaded runtime for the SDK's calls.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| {
        failure(Code::E0602, format!("cannot start the network runtime: {e}"), "this is a bug in mlopsgen")
    })
}

/// The default credential chain and `region`, with `limits` on every call.
pub(crate) async fn sdk_config(region: &str, limits: Limits) -> aws_config::SdkConfig {
    use aws_config::{BehaviorVersion, Region, retry::RetryConfig, timeout::TimeoutConfig};
    aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(region.to_string()))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(limits.connect)
                .operation_attempt_timeout(limits.attempt)
                .operation_timeout(limits.operation)
                .build(),
        )
        .retry_config(RetryConfig::standard().with_max_attempts(limits.attempts))
        .load()
        .await
}

/// Resolves the credential chain before any call: "none found" (E0604) and "no such profile"
/// (E0605) are not network problems.
pub(crate) async fn resolve_credentials(config: &aws_config::SdkConfig) -> Result<(), Failure> {
    use aws_sdk_sts::config::ProvideCredentials;
    match config.credentials_provider() {
        Some(provider) => provider
            .provide_credentials()
            .await
            .map(|_| ())
            .map_err(|e| describe_credentials_error(&e, std::env::var("AWS_PROFILE").ok())),
        None => Ok(()),
    }
}

/// STS GetCallerIdentity.
pub(crate) async fn caller_identity(sts: &aws_sdk_sts::Client) -> Result<Identity, Failure> {
    match sts.get_caller_identity().send().await {
        Ok(who) => Ok(Identity {
            arn: who.arn().unwrap_or_default().to_string(),
            account: who.account().unwrap_or_default().to_string(),
        }),
        Err(e) => Err(describe_identity_error(&e)),
    }
}

/// The session credentials of an AssumeRole answer for `role` (E0603 when STS sent none).
pub(crate) fn session_credentials(
    out: &aws_sdk_sts::operation::assume_role::AssumeRoleOutput,
    role: &str,
    source: &'static str,
) -> Result<aws_sdk_sts::config::Credentials, Failure> {
    match out.credentials() {
        Some(c) => Ok(aws_sdk_sts::config::Credentials::new(
            c.access_key_id(),
            c.secret_access_key(),
            Some(c.session_token().to_string()),
            None,
            source,
        )),
        None => Err(failure(
            Code::E0603,
            format!("STS returned no credentials for {role}"),
            "retry; if it persists, check the role in the AWS console",
        )),
    }
}

async fn check(env: &EnvConfig, limits: Limits, outcome: &mut Outcome) {
    let config = sdk_config(&env.region, limits).await;
    if let Err(f) = resolve_credentials(&config).await {
        outcome.failure = Some(f);
        return;
    }
    let sts = aws_sdk_sts::Client::new(&config);
    let caller = match caller_identity(&sts).await {
        Ok(c) => c,
        Err(f) => {
            outcome.failure = Some(f);
            return;
        }
    };
    outcome.caller = Some(caller.clone());

    let Some(deploy) = &env.deploy else {
        if caller.account != env.account_id {
            outcome.failure = Some(wrong_account(env, &caller, "the credentials"));
        }
        return;
    };
    if caller.account != deploy.jenkins_account_id && caller.account != env.account_id {
        // The deploy role trusts only the Jenkins server's role: these credentials are someone
        // else's (another environment's, typically), whatever an emulator would let them assume.
        outcome.failure = Some(failure(
            Code::E0601,
            format!(
                "the credentials belong to account {}, which is neither the Jenkins account {} nor {}'s account {}",
                caller.account, deploy.jenkins_account_id, env.name, env.account_id
            ),
            format!(
                "run with the Jenkins server's role {} (account {})",
                deploy.jenkins_role_name, deploy.jenkins_account_id
            ),
        ));
        return;
    }
    let role = env.role_arn(&Role::created(&deploy.role_name));
    outcome.role_arn = Some(role.clone());
    let assumed = sts
        .assume_role()
        .role_arn(&role)
        .role_session_name(format!("mlopsgen-preflight-{}", env.name))
        .set_external_id(deploy.external_id.clone())
        .duration_seconds(900)
        .send()
        .await;
    let creds = match assumed {
        Ok(out) => match session_credentials(&out, &role, "mlopsgen-preflight") {
            Ok(c) => c,
            Err(f) => {
                outcome.failure = Some(f);
                return;
            }
        },
        Err(e) => {
            outcome.failure = Some(failure(
                Code::E0603,
                format!("cannot assume {role}: {}", short_error(&e)),
                format!(
                    "apply generated/{}/bootstrap once with administrator credentials (it creates the role), and run from the Jenkins role {} in account {}{}",
                    env.name,
                    deploy.jenkins_role_name,
                    deploy.jenkins_account_id,
                    if deploy.external_id.is_some() { " with the configured external id" } else { "" }
                ),
            ));
            return;
        }
    };
    let assumed_config = aws_sdk_sts::config::Builder::from(&config).credentials_provider(creds).build();
    let sts = aws_sdk_sts::Client::from_conf(assumed_config);
    match caller_identity(&sts).await {
        Ok(id) => {
            if id.account != env.account_id {
                outcome.failure = Some(wrong_account(env, &id, "the assumed deploy role"));
            }
            outcome.assumed = Some(id);
        }
        Err(f) => outcome.failure = Some(f),
    }
}

fn wrong_account(env: &EnvConfig, id: &Identity, whose: &str) -> Failure {
    failure(
        Code::E0601,
        format!("{whose} belong to account {}, but {} is account {}", id.account, env.name, env.account_id),
        format!(
            "use credentials for account {} ({}), or fix account_id in {}; applying now would change the wrong account",
            env.account_id,
            env.name,
            crate::diag::display_path(&env.file)
        ),
    )
}

/// The SDK's error chain in one line, without the Debug dump it appends.
pub(crate) fn short_error<E: std::error::Error + 'static>(e: &E) -> String {
    let text = aws_sdk_sts::error::DisplayErrorContext(e).to_string().replace('\n', " ");
    let bytes = text.as_bytes();
    let cut = (0..bytes.len().saturating_sub(3)).find(|&i| {
        bytes[i] == b' '
            && bytes[i + 1] == b'('
            && bytes[i + 2].is_ascii_uppercase()
            && text[i + 2..].split(['(', ' ']).next().is_some_and(|w| text[i + 2 + w.len()..].starts_with('('))
    });
    match cut {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

/// Whether a profile is defined in the shared config or credentials file (the SDK's paths and
/// their environment overrides), read the way the SDK reads section headers.
fn profile_defined(name: &str) -> bool {
    let home = std::env::var_os("HOME").map(std::path::PathBuf::from).unwrap_or_default();
    let config = std::env::var_os("AWS_CONFIG_FILE").map_or_else(|| home.join(".aws/config"), Into::into);
    let creds =
        std::env::var_os("AWS_SHARED_CREDENTIALS_FILE").map_or_else(|| home.join(".aws/credentials"), Into::into);
    let headers = |path: &std::path::Path| -> Vec<String> {
        std::fs::read_to_string(path)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.trim().strip_prefix('[')?.strip_suffix(']').map(|h| h.trim().to_string()))
            .collect()
    };
    let in_config =
        headers(&config).iter().any(|h| h == &format!("profile {name}") || (name == "default" && h == "default"));
    in_config || headers(&creds).iter().any(|h| h == name)
}

/// Why the default credential chain found nothing: the profile named by AWS_PROFILE does not
/// exist (E0605), or no source had credentials (E0604: the SDK's list of what it tried).
pub(crate) fn describe_credentials_error<E: std::error::Error + 'static>(e: &E, profile: Option<String>) -> Failure {
    if let Some(p) = profile.filter(|p| !p.is_empty())
        && !profile_defined(&p)
    {
        return failure(
            Code::E0605,
            format!("the AWS profile {p:?} (AWS_PROFILE) is not defined in the AWS config or credentials file"),
            "run `aws configure list-profiles` to see the profiles there, or unset AWS_PROFILE",
        );
    }
    let text = short_error(e);
    let tried = text
        .split_once("Attempted:")
        .map_or(text.as_str(), |(_, t)| t)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    failure(
        Code::E0604,
        format!("no AWS credentials found; tried: {tried}"),
        "set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where an instance role is available",
    )
}

pub(crate) fn describe_identity_error<E: std::error::Error + 'static>(e: &E) -> Failure {
    let text = short_error(e);
    let lower = text.to_ascii_lowercase();
    if [
        "invalidclienttokenid",
        "signaturedoesnotmatch",
        "expiredtoken",
        "unrecognizedclient",
        "accessdenied",
        "authfailure",
    ]
    .iter()
    .any(|c| lower.replace(' ', "").contains(c))
    {
        return failure(
            Code::E0606,
            format!("STS rejected the credentials: {text}"),
            "the access key or session token is wrong, deactivated or expired: renew them (aws sso login, or new keys)",
        );
    }
    if lower.contains("no credentials")
        || lower.contains("credentials provider")
        || lower.contains("credential") && lower.contains("not loaded")
    {
        failure(
            Code::E0604,
            "no AWS credentials found",
            "set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where an instance role is available",
        )
    } else if lower.contains("timeout")
        || lower.contains("timed out")
        || lower.contains("dispatch failure")
        || lower.contains("connect")
    {
        failure(
            Code::E0602,
            format!("cannot reach STS: {text}"),
            "check the network path to STS (or AWS_ENDPOINT_URL, if set); each call is tried twice and abandoned after 12 seconds",
        )
    } else {
        failure(
            Code::E0602,
            format!("STS GetCallerIdentity failed: {text}"),
            "check the credentials; expired session tokens are a common cause",
        )
    }
}

/// The text report.
pub fn text(o: &Outcome) -> String {
    let mut out = String::new();
    if let Some(c) = &o.caller {
        out.push_str(&format!("credentials: {} (account {})\n", c.arn, c.account));
    }
    if let Some(r) = &o.role_arn {
        out.push_str(&format!("deploy role: {r}\n"));
    }
    if let Some(a) = &o.assumed {
        out.push_str(&format!("assumed:     {} (account {})\n", a.arn, a.account));
    }
    for n in &o.notes {
        out.push_str(&format!("note: {n}\n"));
    }
    match &o.failure {
        None => {
            out.push_str(&format!("ok: {} is account {}, and these credentials reach it\n", o.env, o.expected_account))
        }
        Some(f) => out.push_str(&f.text()),
    }
    out
}

/// The JSON report (`--format json`).
pub fn json(o: &Outcome) -> serde_json::Value {
    let id = |i: &Option<Identity>| i.as_ref().map(|i| serde_json::json!({ "arn": i.arn, "account": i.account }));
    serde_json::json!({
        "version": 1,
        "environment": o.env,
        "expected_account": o.expected_account,
        "ok": o.failure.is_none(),
        "caller": id(&o.caller),
        "deploy_role": o.role_arn,
        "assumed": id(&o.assumed),
        "notes": o.notes,
        "error": o.failure.as_ref().map(Failure::json),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(message: &str) -> &'static str {
        describe_identity_error(&std::io::Error::other(message.to_string())).code.as_str()
    }

    #[test]
    fn sts_errors_are_told_apart() {
        assert_eq!(kind("InvalidClientTokenId: The security token included in the request is invalid"), "E0606");
        assert_eq!(kind("ExpiredToken: The security token included in the request is expired"), "E0606");
        assert_eq!(kind("SignatureDoesNotMatch: The request signature we calculated does not match"), "E0606");
        assert_eq!(kind("dispatch failure: io error: Connection refused (os error 111)"), "E0602");
        assert_eq!(kind("operation timed out"), "E0602");
    }
}
