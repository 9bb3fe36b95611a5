"""Nested stacks (AWS::CloudFormation::Stack) in the emulator's CloudFormation.

As in AWS: the parent's resource names a template in S3 (TemplateURL) and the values
of its parameters (Parameters); creating it creates a stack named
PARENT-LOGICALID-RANDOM whose id is the resource's physical id, updating it updates
that stack, deleting it deletes it; Fn::GetAtt [Child, Outputs.NAME] reads the child's
output. The child's events are its own stack's, carrying the operation's request token;
a child that fails makes the parent's resource fail with "Embedded stack ARN was not
successfully created: ...". A change set made with IncludeNestedStacks=true gets a
change set per nested stack it adds or modifies, named in the resource's change
(ChangeSetId) and described by its ARN.

Fault rules that fail a resource (fail_resource) name the root stack: a nested
stack's resources are matched by their logical ids under the root's name.
"""
import types

import cloudformation as cfn
import schema
from wire import ServiceError

STACK_TYPE = "AWS::CloudFormation::Stack"


def at(ctx, when, region):
    """A request context for a step that runs at simulated time `when`."""
    return types.SimpleNamespace(state=ctx.state, region=region, now=when)


def child_of(state, parent, logical):
    """The stack a nested stack resource of `parent` made, or None."""
    resource = parent.resources.get(logical)
    if not resource or resource.type != STACK_TYPE:
        return None
    return state.cloudformation.find(parent.region, resource.physical_id)


def root_of(state, stack):
    while getattr(stack, "parent_id", None):
        parent = state.cloudformation.find(stack.region, stack.parent_id)
        if not parent:
            break
        stack = parent
    return stack


def template_of(ctx, definition):
    url = (definition.get("Properties") or {}).get("TemplateURL")
    if not isinstance(url, str):
        raise ServiceError("ValidationError", "TemplateURL must be a supported URL.")
    body = cfn.template_from_url(ctx, url)
    template = cfn.parse_template(body)
    cfn.check_references(template)
    return body, template


def parameters_of(parent, definition, template, previous):
    """The child's parameter values, as the parent's Parameters give them now."""
    resolver = cfn.Resolver(parent, parent.parameters, parent.resources, parent.template)
    given = resolver.resolve((definition.get("Raw") or {}).get("Parameters") or {})
    if not isinstance(given, dict):
        raise ServiceError("ValidationError", "Parameters of a nested stack must be a map")
    listed = [{"ParameterKey": key,
               "ParameterValue": ",".join(map(str, value)) if isinstance(value, list)
               else str(value)}
              for key, value in given.items()]
    return cfn.resolve_parameters(template, listed, previous)


def new_child(state, parent, logical, now):
    name = "%s-%s-%s" % (parent.name, logical,
                         state.uuid("nested").replace("-", "")[:12].upper())
    child = cfn.Stack(state, parent.region, name[:128], now)
    child.parent_id = parent.stack_id
    return child


def levels(template):
    return len(cfn.dependency_levels(template["Resources"]))


# ---- change sets ---------------------------------------------------------------------------


def make_change_sets(ctx, stack, change_set):
    """The nested change sets of a root change set; returns a reason to fail it, or
    None. Each is complete when the root one is."""
    new = cfn.effective_resources(stack, change_set.template, change_set.parameters)
    for change in change_set.changes:
        if change["ResourceType"] != STACK_TYPE or change["Action"] not in ("Add", "Modify"):
            continue
        logical = change["LogicalResourceId"]
        definition = new[logical]
        try:
            body, template = template_of(ctx, definition)
        except ServiceError as exc:
            return "Nested stack %s: %s" % (logical, exc.message)
        needed = cfn.required_capability(template)
        if needed and needed not in change_set.capabilities and not (
                needed == "CAPABILITY_IAM" and "CAPABILITY_NAMED_IAM" in change_set.capabilities):
            return "Requires capabilities : [%s]" % needed
        existing = child_of(ctx.state, stack, logical) if change["Action"] == "Modify" else None
        child = existing or new_child(ctx.state, stack, logical, ctx.now)
        try:
            params = parameters_of(stack, definition, template,
                                   existing.parameters if existing else {})
            changes = cfn.compute_changes(child, existing.template if existing else None,
                                          existing.parameters if existing else {},
                                          template, params)
        except (ServiceError, cfn.TypeChange) as exc:
            return "Nested stack %s: %s" % (logical, getattr(exc, "message", exc))
        nested = cfn.ChangeSet(ctx.state, child, change_set.name,
                               "UPDATE" if existing else "CREATE", template, body, params,
                               change_set.capabilities, None, [], ctx.now)
        nested.changes = changes
        nested.status, nested.execution_status = "CREATE_COMPLETE", "AVAILABLE"
        nested.include_nested = True
        nested.parent_change_set_id = change_set.change_set_id
        nested.root_change_set_id = change_set.change_set_id
        ctx.state.cloudformation.nested_change_sets[nested.change_set_id] = nested
        change_set.nested.append(nested)
        change["ChangeSetId"] = nested.change_set_id
    return None


def forget_change_sets(state, change_set):
    for nested in getattr(change_set, "nested", []):
        state.cloudformation.nested_change_sets.pop(nested.change_set_id, None)


# ---- operations ------------------------------------------------------------------------------


class Operation:
    """A nested stack's create or update, prepared when the parent's plan is made and
    started when the parent's resource starts: `physical` is the id the parent
    shows, `fraction` how many of the parent's steps it lasts, `failure` the reason
    the parent's resource fails with (None when it succeeds)."""

    def __init__(self, ctx, parent, logical, definition, token, operation):
        self.ctx, self.parent, self.logical = ctx, parent, logical
        self.definition, self.token, self.operation = definition, token, operation
        self.body, self.template = template_of(ctx, definition)
        self.existing = child_of(ctx.state, parent, logical) if operation == "update" else None
        self.child = self.existing or new_child(ctx.state, parent, logical, ctx.now)
        self.physical = self.child.stack_id
        self.fraction = 2.0 * levels(self.template) + 2
        touched = list(self.template["Resources"])
        root = root_of(ctx.state, parent)
        self.failures = ctx.state.take_resource_failures(root.name, touched,
                                                         "create" if not self.existing
                                                         else "update")
        # What the types' handlers refuse, with the parameters as the parent gives them
        # now (values of resources not made yet are stand-ins, as CloudFormation's are).
        guess = parameters_of(parent, definition, self.template,
                              self.existing.parameters if self.existing else {})
        definitions = cfn.effective_resources(self.child, self.template, guess)
        for name, d in definitions.items():
            reason = schema.provisioning_error(ctx.state.schemas, name, d["Type"],
                                               d["Properties"])
            if reason and name not in self.failures:
                self.failures[name] = reason
        self.failure = None
        if self.failures:
            verb = "updated" if self.existing else "created"
            self.failure = ("Embedded stack %s was not successfully %s: %s"
                            % (self.physical, verb,
                               cfn.reason_failed("update" if self.existing else "create",
                                                 sorted(self.failures)).strip()))

    def begin(self, when):
        """The step that starts the child's operation at simulated time `when`."""
        def start():
            ctx = at(self.ctx, when, self.parent.region)
            previous = self.existing.parameters if self.existing else {}
            params = parameters_of(self.parent, self.definition, self.template, previous)
            child = self.child
            change_set = cfn.ChangeSet(ctx.state, child, "nested-%s" % self.logical,
                                       "UPDATE" if self.existing else "CREATE", self.template,
                                       self.body, params, [], None, [], when)
            if not self.existing:
                ctx.state.cloudformation.stacks.append(child)
                child.template, child.template_body = self.template, self.body
                child.parameters = params
                child.description = self.template.get("Description")
                cfn.plan_create(ctx, child, change_set, self.failures, self.token)
                return
            change_set.changes = cfn.compute_changes(child, child.template, child.parameters,
                                                     self.template, params)
            if change_set.changes or child.template_body != self.body:
                cfn.plan_update(ctx, child, change_set, self.failures, self.token)
        return start


def prepare(ctx, stack, definitions, logicals, token, operation, failures):
    """logical id -> Operation for the nested stack resources among `logicals`; the
    failures of their children become the failures of their resources."""
    operations = {}
    for logical in logicals:
        definition = definitions.get(logical)
        if not definition or definition["Type"] != STACK_TYPE:
            continue
        op = Operation(ctx, stack, logical, definition, token, operation)
        operations[logical] = op
        if op.failure and logical not in failures:
            failures[logical] = op.failure
    return operations


def deletion(plan, stack, logical, type_):
    """(fraction, step) for deleting the nested stack of a resource being deleted, or
    None for any other resource. The nested stack is looked up when the step runs: a
    rollback's deletion is planned before the nested stack it undoes exists."""
    if type_ != STACK_TYPE:
        return None
    known = child_of(plan.ctx.state, stack, logical)
    fraction = 0.5 * levels(known.template) + 1 if known and known.template else 2.5
    when, token, ctx = plan.t, plan.token, plan.ctx

    def start():
        child = child_of(ctx.state, stack, logical)
        if not child or child.deleted or child.status == "DELETE_IN_PROGRESS":
            return
        cfn.plan_delete(at(ctx, when, stack.region), child, {}, token)
    return fraction, start
