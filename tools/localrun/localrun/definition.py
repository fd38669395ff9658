"""A SageMaker pipeline definition as the service reads it: its parameters, its steps (nested
Condition branches included), the references between them, and the evaluation of the
definition's expressions (`Get`, `Std:Join`, `Std:JsonGet`) during an execution.

`load` checks what the service checks when a pipeline is created or started (unique step names,
references to steps, parameters, execution variables and property files that exist), so a
definition that SageMaker would refuse is refused here, naming the step and the field.
"""

import json
import re

EXECUTION_VARIABLES = {"PipelineExecutionId", "PipelineExecutionArn", "PipelineName", "PipelineArn",
                       "StartDateTime", "CurrentDateTime"}
STEP_TYPES = {"Processing", "Training", "Transform", "Model", "RegisterModel", "Lambda", "Condition", "Fail",
              "QualityCheck", "ClarifyCheck", "Tuning", "Callback", "EMR", "AutoML", "EndpointConfig", "Endpoint"}


class DefinitionError(Exception):
    """The definition is not one the service would run: `step` and `field` say where."""

    def __init__(self, step, field, message):
        self.step, self.field = step, field
        where = "step %s: %s" % (step, field) if step else field
        super().__init__("%s: %s" % (where, message))


class Step:
    def __init__(self, raw, parent=None, branch=None):
        self.raw = raw
        self.name = raw.get("Name")
        self.type = raw.get("Type")
        self.parent = parent          # the Condition step whose branch holds this step
        self.branch = branch          # "IfSteps" or "ElseSteps"
        self.depends_on = list(raw.get("DependsOn", []))

    def __repr__(self):
        return "Step(%s, %s)" % (self.name, self.type)


class Definition:
    def __init__(self, raw, source):
        self.raw = raw
        self.source = source
        self.parameters = {p["Name"]: p for p in raw.get("Parameters", [])}
        self.steps = []            # every step, nested ones included, in file order
        self.top = []              # top-level steps
        self.by_name = {}

    def step(self, name):
        return self.by_name[name]


def _walk_steps(definition, raw_steps, parent, branch, out):
    for raw in raw_steps:
        if not isinstance(raw, dict):
            raise DefinitionError(parent.name if parent else None, branch or "Steps",
                                  "a step must be an object, found %r" % (raw,))
        step = Step(raw, parent, branch)
        if not step.name:
            raise DefinitionError(None, "Steps", "a step has no Name")
        if step.type not in STEP_TYPES:
            raise DefinitionError(step.name, "Type", "unknown step type %r" % (step.type,))
        if step.name in definition.by_name:
            raise DefinitionError(step.name, "Name", "two steps are named %s" % step.name)
        definition.by_name[step.name] = step
        definition.steps.append(step)
        out.append(step)
        if step.type == "Condition":
            args = raw.get("Arguments", {})
            for b in ("IfSteps", "ElseSteps"):
                _walk_steps(definition, args.get(b, []), step, b, [])


def references(value, path=""):
    """Every (`field path`, expression) in a value: Get strings and JsonGet property files."""
    found = []
    if isinstance(value, dict):
        if set(value) == {"Get"}:
            found.append((path, "Get", value["Get"]))
            return found
        if "Std:JsonGet" in value:
            jg = value["Std:JsonGet"]
            pf = jg.get("PropertyFile", {})
            found.append((path, "JsonGet", pf.get("Get") if isinstance(pf, dict) else pf))
            return found
        for k, v in value.items():
            if k in ("IfSteps", "ElseSteps"):
                continue
            found.extend(references(v, "%s.%s" % (path, k) if path else k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found.extend(references(v, "%s[%d]" % (path, i)))
    return found


def load(text_or_raw, source="definition"):
    raw = json.loads(text_or_raw) if isinstance(text_or_raw, str) else text_or_raw
    if raw.get("Version") != "2020-12-01":
        raise DefinitionError(None, "Version", "must be \"2020-12-01\", found %r" % raw.get("Version"))
    d = Definition(raw, source)
    _walk_steps(d, raw.get("Steps", []), None, None, d.top)
    for p in d.parameters.values():
        if p.get("Type", "String") not in ("String", "Integer", "Float", "Boolean"):
            raise DefinitionError(None, "Parameters[%s].Type" % p["Name"], "unknown type %r" % p.get("Type"))
    for step in d.steps:
        for dep in step.depends_on:
            if dep not in d.by_name:
                raise DefinitionError(step.name, "DependsOn", "names no step %r (steps: %s)" % (dep, ", ".join(sorted(d.by_name))))
            if dep == step.name:
                raise DefinitionError(step.name, "DependsOn", "a step cannot depend on itself")
        for field, kind, expr in references(_own_fields(step)):
            _check_reference(d, step, field, kind, expr)
    return d


def _own_fields(step):
    """The step's fields, without the steps nested in its branches."""
    raw = dict(step.raw)
    if step.type == "Condition":
        args = dict(raw.get("Arguments", {}))
        args.pop("IfSteps", None)
        args.pop("ElseSteps", None)
        raw["Arguments"] = args
    return raw


def _check_reference(d, step, field, kind, expr):
    if not isinstance(expr, str):
        raise DefinitionError(step.name, field, "%s needs a string, found %r" % (kind, expr))
    if kind == "JsonGet":
        m = re.match(r"^Steps\.([^.]+)\.PropertyFiles\.(.+)$", expr)
        if not m:
            raise DefinitionError(step.name, field, "Std:JsonGet PropertyFile must be Steps.<step>.PropertyFiles.<name>, found %r" % expr)
        target, name = m.groups()
        other = d.by_name.get(target)
        if other is None:
            raise DefinitionError(step.name, field, "Std:JsonGet names no step %r (steps: %s)" % (target, ", ".join(sorted(d.by_name))))
        files = [f.get("PropertyFileName") for f in other.raw.get("PropertyFiles", [])]
        if name not in files:
            raise DefinitionError(step.name, field, "step %s declares no property file %r (it has: %s)" % (target, name, ", ".join(files) or "none"))
        return
    root, _, rest = expr.partition(".")
    if root == "Parameters":
        if rest not in d.parameters:
            raise DefinitionError(step.name, field, "Get %r: no parameter %r is declared (declared: %s)" % (expr, rest, ", ".join(d.parameters)))
    elif root == "Execution":
        if rest not in EXECUTION_VARIABLES:
            raise DefinitionError(step.name, field, "Get %r: no execution variable %r" % (expr, rest))
    elif root == "Steps":
        target = rest.split(".", 1)[0].split("[", 1)[0]
        if target not in d.by_name:
            raise DefinitionError(step.name, field, "Get %r names no step %r (steps: %s)" % (expr, target, ", ".join(sorted(d.by_name))))
        if target == step.name:
            raise DefinitionError(step.name, field, "Get %r: a step cannot read its own properties" % expr)
    else:
        raise DefinitionError(step.name, field, "Get %r: expected Parameters., Execution. or Steps." % expr)


def dependencies(d, step):
    """The steps `step` must wait for: its DependsOn, the steps its expressions read, and the
    Condition whose branch holds it."""
    deps = set(step.depends_on)
    for _, kind, expr in references(_own_fields(step)):
        if expr.startswith("Steps."):
            deps.add(expr.split(".", 2)[1].split("[", 1)[0])
    if step.parent is not None:
        deps.add(step.parent.name)
    return deps


_SEGMENT = re.compile(r"\.([A-Za-z0-9_]+)|\['([^']*)'\]|\[(\d+)\]")


def property_path(path):
    """`ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri` as ["ProcessingOutputConfig",
    "Outputs", "train", "S3Output", "S3Uri"] (ints for positions)."""
    segments = []
    pos = 0
    path = "." + path
    while pos < len(path):
        m = _SEGMENT.match(path, pos)
        if not m:
            raise ValueError("cannot read property path %r at %r" % (path[1:], path[pos:]))
        name, key, index = m.groups()
        segments.append(int(index) if index is not None else (name if name is not None else key))
        pos = m.end()
    return segments


def lookup(obj, segments, what):
    """Follows `segments` into step properties; a list is indexed by position or by the item's
    name (`Outputs['train']`, `FinalMetricDataList['validation:auc']`)."""
    cur = obj
    for i, seg in enumerate(segments):
        if isinstance(cur, list):
            if isinstance(seg, int):
                if seg >= len(cur):
                    raise KeyError("%s: index %d out of range" % (what, seg))
                cur = cur[seg]
                continue
            hit = [x for x in cur if isinstance(x, dict) and seg in (x.get("OutputName"), x.get("MetricName"), x.get("Name"))]
            if not hit:
                names = [x.get("OutputName") or x.get("MetricName") or x.get("Name") for x in cur if isinstance(x, dict)]
                raise KeyError("%s: no item %r (items: %s)" % (what, seg, ", ".join(map(str, names))))
            cur = hit[0]
        elif isinstance(cur, dict):
            if seg not in cur:
                raise KeyError("%s: no property %r after %s (has: %s)" % (
                    what, seg, ".".join(map(str, segments[:i])) or "the step", ", ".join(sorted(map(str, cur)))))
            cur = cur[seg]
        else:
            raise KeyError("%s: %r is not an object" % (what, ".".join(map(str, segments[:i]))))
    return cur


def json_path(document, path, what):
    """The value at a JsonGet `Path` (`a.b[0].c`) of a property file."""
    segments = property_path(path)
    cur = document
    for i, seg in enumerate(segments):
        try:
            cur = cur[seg]
        except (KeyError, IndexError, TypeError):
            keys = ", ".join(sorted(map(str, cur))) if isinstance(cur, dict) else type(cur).__name__
            raise KeyError("%s: path %r not found: no %r after %r (there: %s)" % (
                what, path, seg, ".".join(map(str, segments[:i])) or "the top", keys))
    return cur
