//! `describe`: the platform as data (JSON, version 1), for tools that act on it: accounts and
//! regions, buckets and keys, every pipeline with its ARN and definition file, the Lambda with
//! its source, the registry's groups, topics, and every EventBridge rule with its pattern and
//! targets, exactly as `generate` writes them (`render::events::event_rules` is the one source).
//! The local executor (`tools/localrun`) runs the platform from this and `generated/`.

use crate::model::names::{self, label};
use crate::model::*;
use crate::render::events::{self, Target};
use crate::render::hcl::Expr;
use crate::render::workflow;
use crate::render::{deploy, identity, pipeline, policy, registry};
use serde_json::{Value, json};

/// The description of the `selected` environments (all when empty); `all` gives cross-account
/// facts (the registry's key and account).
pub fn describe(all: &[EnvConfig], selected: &[String]) -> Value {
    let envs: Vec<Value> =
        all.iter().filter(|e| selected.is_empty() || selected.contains(&e.name)).map(|e| environment(e, all)).collect();
    json!({ "version": 1, "environments": envs })
}

fn key_reference(env: &EnvConfig) -> String {
    match &env.kms_key {
        KmsKey::Existing { arn } => arn.clone(),
        KmsKey::Create { alias, .. } => env.kms_alias_arn(alias),
    }
}

fn key_alias(env: &EnvConfig) -> Value {
    match &env.kms_key {
        KmsKey::Existing { .. } => Value::Null,
        KmsKey::Create { alias, .. } => json!(alias),
    }
}

fn topic(env: &EnvConfig, name: &str) -> Value {
    json!({ "name": name, "arn": env.regional_arn("sns", name) })
}

fn rules(env: &EnvConfig) -> Vec<Value> {
    events::event_rules(env)
        .iter()
        .map(|r| {
            let targets: Vec<Value> = r
                .targets
                .iter()
                .map(|t| match t {
                    Target::Pipeline { model, kind, pipeline } => json!({
                        "type": "pipeline", "model": model, "kind": kind,
                        "pipeline": pipeline, "arn": env.pipeline_arn(pipeline)
                    }),
                    Target::Function { name, .. } => json!({
                        "type": "function", "name": name,
                        "arn": env.regional_arn("lambda", &format!("function:{name}"))
                    }),
                    Target::Notify { topic: which, paths, template } => {
                        let name = match (*which, &env.workload, &env.registry) {
                            ("alerts", Some(w), _) => w.alert_topic.clone(),
                            (_, _, Some(reg)) => reg.approval_topic.clone(),
                            _ => String::new(),
                        };
                        let paths: serde_json::Map<String, Value> =
                            paths.iter().map(|(k, v)| (k.to_string(), json!(v))).collect();
                        json!({
                            "type": "notify", "topic": env.regional_arn("sns", &name),
                            "input_paths": paths, "input_template": format!("\"{template}\"")
                        })
                    }
                })
                .collect();
            json!({
                "name": r.name, "bus": r.bus, "arn": env.rule_arn(&r.bus, &r.name),
                "pattern": r.pattern, "targets": targets
            })
        })
        .collect()
}

fn environment(env: &EnvConfig, all: &[EnvConfig]) -> Value {
    let mut out = json!({
        "name": env.name,
        "kind": env.kind.as_str(),
        "account_id": env.account_id,
        "region": env.region,
        "partition": env.partition,
        "kms_key": key_reference(env),
        "kms_alias": key_alias(env),
        "directory": format!("generated/{}", env.name),
        "rules": rules(env),
    });
    if let Some(w) = &env.workload {
        let function = env.latest_model_function_name();
        let models: Vec<Value> = w
            .models
            .iter()
            .map(|m| {
                let mut pipelines = serde_json::Map::new();
                for (kind, _) in workflow::pipeline_kinds(m) {
                    let name = workflow::pipeline_name(m, kind);
                    pipelines.insert(
                        kind.to_string(),
                        json!({
                            "name": name,
                            "arn": env.pipeline_arn(&name),
                            "definition": format!("pipelines/{}", pipeline::file_name(m, kind)),
                            "resource": format!("aws_sagemaker_pipeline.{}_{kind}", label(&m.name)),
                        }),
                    );
                }
                let registry_account = m
                    .group
                    .account
                    .clone()
                    .or_else(|| all.iter().find(|e| e.kind == EnvKind::Registry).map(|r| r.account_id.clone()))
                    .unwrap_or_default();
                json!({
                    "name": m.name,
                    "group_arn": env.group_arn(&registry_account, &m.group.name),
                    "code": {
                        "directory": format!("code/{}", m.name),
                        "prefix": format!("s3://{}/{}/code/", w.default_bucket.name, m.name),
                        "objects": workflow::code_objects(m).iter().map(|o| json!({ "file": o.file, "uri": format!("s3://{}/{}", w.default_bucket.name, o.key) })).collect::<Vec<_>>(),
                    },
                    "train_data": format!("s3://{}/{}", w.default_bucket.name, m.train.input_data_prefix),
                    "batch_prefix": format!("s3://{}/{}/data/batch-dataset/", w.default_bucket.name, m.name),
                    "labels_prefix": m.monitoring.quality.as_ref().map(|q| format!("s3://{}/{}", w.default_bucket.name, q.labels_prefix)),
                    "pipelines": pipelines,
                    "schedule": {
                        "name": names::schedule_rule(m),
                        "expression": m.inference.cron_schedule,
                        "timezone": m.inference.schedule_timezone,
                        "enabled": m.inference.schedule_enabled,
                        "target": "inference",
                    },
                    "retrain_on_drift": m.retrain_on_drift,
                    "problem_type": m.problem.as_str(),
                    "training": match &m.training {
                        crate::model::Training::Xgboost => json!({ "algorithm": "xgboost" }),
                        crate::model::Training::Script(s) => json!({ "algorithm": "script", "entry_point": s.entry_point, "framework_version": s.framework_version }),
                        crate::model::Training::Image { uri, .. } => json!({ "algorithm": "image", "image_uri": uri }),
                    },
                    "contract": contract(env, m),
                    "batch_file": format!("{}.csv", m.batch_dataset_filename),
                    "gate": { "metric": m.train.gate.metric.as_str(), m.train.gate.metric.bound(): m.train.gate.threshold },
                    "quality_limits": m.monitoring.quality.as_ref().map(|q| q.thresholds.iter().map(|g| (g.metric.as_str().to_string(), json!({ g.metric.bound(): g.threshold }))).collect::<serde_json::Map<_, _>>()),
                    "engine": match m.monitoring.engine { Engine::Builtin => "builtin", Engine::ModelMonitor => "model-monitor" },
                })
            })
            .collect();
        out["buckets"] = json!({ "data": w.default_bucket.name, "artifacts": w.artifacts_bucket });
        out["alert_topic"] = topic(env, &w.alert_topic);
        out["lambda"] = json!({
            "name": function,
            "arn": env.regional_arn("lambda", &format!("function:{function}")),
            "source": "lambda/latest_approved_model.py",
            "handler": "latest_approved_model.handler",
        });
        let (exec, lambda) = identity::workload_statements(
            env,
            all,
            w,
            &Expr::str(key_reference(env)),
            &Expr::str(env.bucket_arn(&w.default_bucket.name)),
        );
        out["execution_role"] = json!({ "arn": env.role_arn(&w.execution_role), "policy": policy::to_json(exec) });
        out["lambda_role"] = json!({ "arn": env.role_arn(&w.lambda_role), "policy": policy::to_json(lambda) });
        out["models"] = Value::Array(models);
        let service_role = |name: String| env.role_arn(&Role::created(name));
        out["scheduler_role"] = json!({
            "arn": service_role(env.scheduler_role_name()),
            "policy": policy::to_json(workflow::scheduler_statements(env, w, &Expr::str(key_reference(env)), false)),
        });
        out["events_role"] = match workflow::events_role_statements(env, false) {
            Some(stmts) => json!({ "arn": service_role(env.events_role_name()), "policy": policy::to_json(stmts) }),
            None => Value::Null,
        };
        if let Some(stmts) = workflow::quality_trigger_statements(env, w, false) {
            let name = env.quality_trigger_function_name();
            out["quality_trigger"] = json!({
                "name": name,
                "arn": env.regional_arn("lambda", &format!("function:{name}")),
                "source": format!("lambda/{}.py", crate::render::events::QUALITY_TRIGGER),
                "handler": format!("{}.handler", crate::render::events::QUALITY_TRIGGER),
                "role": { "arn": env.role_arn(&Role::created(name)), "policy": policy::to_json(stmts) },
            });
        }
    }
    if let Some(policy) = deploy::key_policy(env, all) {
        out["key_policy"] = policy::to_json(policy);
    }
    if let Some(d) = &env.deploy {
        let state_key = env.state_bucket.create.then(|| Expr::r("module.state_key.arn"));
        let platform_key = match &env.kms_key {
            KmsKey::Create { .. } => Expr::r("module.kms.arn"),
            KmsKey::Existing { arn } => Expr::str(arn),
        };
        if env.workload.is_some() {
            out["role_boundary"] = json!({
                "arn": env.boundary_arn(),
                "policy": policy::to_json(identity::boundary_statements(env, all)),
            });
        }
        out["deploy_role"] = json!({
            "arn": env.role_arn(&Role::created(&d.role_name)),
            "trusted": env.foreign_role_arn_by_name(&d.jenkins_account_id, &d.jenkins_role_name),
            "external_id": d.external_id,
            "policy": policy::to_json(deploy::deploy_statements(env, state_key.clone(), &platform_key)),
        });
        out["plan_role"] = json!({
            "arn": env.plan_role_arn(),
            "policy": policy::to_json(deploy::plan_statements(env, state_key, &platform_key)),
        });
    }
    if let Some(r) = &env.registry {
        let consumers = registry::consumers(r, all);
        let groups: Vec<Value> = r
            .groups
            .iter()
            .map(|g| {
                let users = registry::group_consumers(g, &consumers);
                json!({
                    "name": g.name,
                    "arn": env.group_arn(&env.account_id, &g.name),
                    "description": g.description,
                    "consumers": g.consumers.iter().map(|(c, _)| c.clone()).collect::<Vec<_>>(),
                    "policy": if users.is_empty() { Value::Null } else { policy::to_json(registry::group_statements(env, g, &users)) },
                })
            })
            .collect();
        let bucket_arn = env.bucket_arn(&r.artifacts_bucket.name);
        out["approver_role"] = json!({
            "arn": env.role_arn(&r.approver_role),
            "trusted": registry::trusted_approvers(env, r),
            "require_mfa": r.require_mfa,
            "policy": policy::to_json(registry::approver_statements(env, r, &bucket_arn)),
        });
        out["artifacts_bucket_policy"] = policy::to_json(registry::artifacts_statements(env, &consumers, &bucket_arn));
        out["buckets"] = json!({ "artifacts": r.artifacts_bucket.name });
        out["approval_topic"] = topic(env, &r.approval_topic);
        out["groups"] = Value::Array(groups);
    }
    out
}

/// The data contract as the scripts see it (`contract.py`): header, missing markers, columns.
fn contract(env: &EnvConfig, m: &crate::model::Model) -> Value {
    let cx = workflow::contract_context(env, m);
    json!({ "header": cx["header"], "missing_values": cx["missing_values"], "columns": cx["columns"] })
}
