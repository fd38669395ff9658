//! One environment's Terraform: the main root `generated/<env>/` (applied by Jenkins through the
//! deploy role) and `generated/<env>/bootstrap/` (applied once by an administrator, local state:
//! the state bucket, its key, the access-log bucket and the role Jenkins assumes). The parts come
//! from the platform's capabilities: `keys` (keys and storage), `identity` (roles), `registry`,
//! `workflow` (pipelines, events, notifications) and `deploy`.

use super::FileSet;
use super::deploy::{backend, backend_plan_config, bootstrap, providers, variables, versions};
use super::hcl::{Body, Expr, render_file};
use super::keys::platform_key;
use super::tf::{header, jenkins_log_group, output, push};
use crate::model::*;

/// Renders `generated/<env>/` and `generated/<env>/bootstrap/`.
pub fn render(env: &EnvConfig, all: &[EnvConfig], files: &mut FileSet) {
    let h = header(env);
    let dir = &env.name;
    files.insert(format!("{dir}/versions.tf"), render_file(&h, &versions()));
    files.insert(format!("{dir}/providers.tf"), render_file(&h, &providers(env, true)));
    if let Some(w) = &env.workload {
        super::workflow::files(env, w, all, files);
    }
    files.insert(format!("{dir}/backend.tf"), render_file(&h, &backend(env)));
    if let Some(v) = variables(env) {
        files.insert(format!("{dir}/variables.tf"), render_file(&h, &v));
    }
    if let Some(text) = backend_plan_config(env) {
        files.insert(format!("{dir}/backend-plan.hcl"), text);
    }
    let (main, outputs) = match env.kind {
        EnvKind::Workload => workload(env, all),
        EnvKind::Registry => super::registry::main(env, all),
    };
    files.insert(format!("{dir}/main.tf"), render_file(&h, &main));
    files.insert(format!("{dir}/outputs.tf"), render_file(&h, &outputs));

    // bootstrap/ only when an administrator has something to create (the seed-only path, with
    // the state bucket, key and roles existing and no deploy role, has nothing).
    let (main, outputs) = bootstrap(env, all);
    if main.is_empty() {
        return;
    }
    files.insert(format!("{dir}/bootstrap/versions.tf"), render_file(&h, &versions()));
    files.insert(format!("{dir}/bootstrap/providers.tf"), render_file(&h, &providers(env, false)));
    files.insert(format!("{dir}/bootstrap/main.tf"), render_file(&h, &main));
    files.insert(format!("{dir}/bootstrap/outputs.tf"), render_file(&h, &outputs));
}

/// The account's SageMaker job log groups, encrypted and expiring (`job_logs`): created, or
/// adopted with `import` blocks where SageMaker made them before.
fn job_log_groups(env: &EnvConfig, w: &crate::model::env::Workload, key: &Expr, body: &mut Body) {
    for group in env.job_log_groups() {
        let label = format!(
            "sagemaker_{}",
            group.trim_start_matches("/aws/sagemaker/").to_lowercase().replace("jobs", "_jobs")
        );
        if w.job_logs.mode == crate::model::env::JobLogsMode::Import {
            push(
                body,
                super::hcl::Block::new(
                    "import",
                    &[],
                    Body::new()
                        .comment("SageMaker created it before (job_logs.log_groups = \"import\"): Terraform adopts it.")
                        .attr("to", Expr::r(format!("aws_cloudwatch_log_group.{label}")))
                        .attr("id", Expr::str(group)),
                ),
            );
        }
        push(body, super::tf::log_group(&label, group, w.job_logs.retention_in_days, key));
    }
}

fn workload(env: &EnvConfig, all: &[EnvConfig]) -> (Body, Body) {
    let Some(w) = env.workload.as_ref() else { return (Body::new(), Body::new()) };
    let mut body = Body::new();
    let mut outputs = Body::new();

    let key = platform_key(env, &mut body);

    // The data bucket: datasets, pipeline code and job outputs (and the access-log bucket it
    // logs into: only when mlopsgen creates the data bucket).
    let data_bucket_arn = if w.default_bucket.create {
        super::keys::secure_bucket(
            env,
            "data_bucket",
            &w.default_bucket.name,
            &key,
            Vec::new(),
            &mut body,
            &mut outputs,
        );
        Expr::r("module.data_bucket.arn")
    } else {
        Expr::str(env.bucket_arn(&w.default_bucket.name))
    };

    let (exec_role_arn, lambda_role_arn) =
        super::identity::workload_roles(env, all, w, &key, &data_bucket_arn, &mut body);

    let jenkins_output = jenkins_log_group(env, &key, &mut body);
    job_log_groups(env, w, &key, &mut body);

    let data_bucket_name =
        if w.default_bucket.create { Expr::r("module.data_bucket.name") } else { Expr::str(&w.default_bucket.name) };
    let role_ref = |role: &Role, l: &str, arn: &Expr| {
        if role.create { Expr::r(format!("aws_iam_role.{l}.arn")) } else { arn.clone() }
    };
    let refs = super::workflow::Refs {
        key: key.clone(),
        data_bucket: data_bucket_name,
        exec_role_arn: role_ref(&w.execution_role, "sagemaker_execution", &exec_role_arn),
        lambda_role_arn: role_ref(&w.lambda_role, "lambda", &lambda_role_arn),
        exec_ready: vec!["aws_iam_role_policy.sagemaker_execution".into()],
        lambda_ready: vec!["aws_iam_role_policy.lambda".into()],
    };
    super::workflow::workload(env, w, &refs, &mut body, &mut outputs);

    // Outputs.
    push(&mut outputs, output("kms_key_arn", "The environment's KMS key.", key));
    push(
        &mut outputs,
        output("data_bucket", "Bucket for datasets, pipeline code and job outputs.", Expr::str(&w.default_bucket.name)),
    );
    push(&mut outputs, output("sagemaker_execution_role_arn", "Role the pipelines run with.", exec_role_arn));
    push(&mut outputs, output("lambda_role_arn", "Role of the latest-approved-model Lambda.", lambda_role_arn));
    if let Some(o) = jenkins_output {
        push(&mut outputs, o);
    }
    (body, outputs)
}
