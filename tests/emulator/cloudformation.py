"""CloudFormation over the query protocol: change sets computed by diffing
templates, and stack lifecycles played out over simulated time.

How time works: an operation (creating a change set, executing one, deleting a
stack) is planned in full when it is requested, as a list of timed steps; each
step appends one stack event and changes the stack's state. The emulator runs
every step whose time has come before it answers any request (State.advance),
so a client polling DescribeStacks sees the stack move through its statuses,
and DescribeStackEvents grows, exactly as it would against AWS.

Only JSON templates are understood. Intrinsic functions are resolved just
enough to compute diffs, dependencies, conditions and outputs; what cannot be
known (attributes of resources that do not exist) becomes a fake value that is
the same every time.
"""

import copy
import hashlib
import json
import re
import urllib.parse

import nested
import schema
from wire import ServiceError, iso_ms, member_list, query_response

XMLNS = "http://cloudformation.amazonaws.com/doc/2010-05-15/"
VERSION = "2010-05-15"

NAME_RE = re.compile(r"^[a-zA-Z][-a-zA-Z0-9]{0,127}$")
STACK_TYPE = "AWS::CloudFormation::Stack"

NO_CHANGES_REASON = ("The submitted information didn't contain changes. "
                     "Submit different information to create a change set.")

# Properties whose change replaces the resource: "Always" (Replacement True) or
# "Conditionally" (Replacement Conditional). Every other property updates in
# place (Replacement False). A small excerpt of AWS's resource specification.
REPLACEMENT = {
    "AWS::RDS::DBCluster": {
        "Engine": "Always", "DatabaseName": "Always", "DBClusterIdentifier": "Always",
        "MasterUsername": "Always", "StorageEncrypted": "Always", "KmsKeyId": "Always",
        "DBSubnetGroupName": "Always", "EngineMode": "Always", "SnapshotIdentifier": "Always",
        "AvailabilityZones": "Always", "SourceRegion": "Always",
    },
    "AWS::RDS::DBInstance": {
        "Engine": "Conditionally", "DBInstanceIdentifier": "Always", "DBName": "Always",
        "StorageEncrypted": "Always", "KmsKeyId": "Always", "MasterUsername": "Always",
        "DBClusterIdentifier": "Always", "AvailabilityZone": "Conditionally",
        "DBSubnetGroupName": "Always",
    },
    "AWS::EC2::VPC": {"CidrBlock": "Always", "InstanceTenancy": "Conditionally"},
    "AWS::EC2::Subnet": {"CidrBlock": "Always", "VpcId": "Always", "AvailabilityZone": "Always",
                         "Ipv6CidrBlock": "Conditionally"},
    "AWS::EC2::SecurityGroup": {"GroupDescription": "Always", "GroupName": "Always",
                                "VpcId": "Always"},
    "AWS::EC2::Instance": {"ImageId": "Always", "AvailabilityZone": "Always",
                           "SubnetId": "Always", "KeyName": "Always",
                           "InstanceType": "Conditionally", "UserData": "Conditionally"},
    "AWS::EFS::FileSystem": {"PerformanceMode": "Always", "Encrypted": "Always",
                             "KmsKeyId": "Always", "AvailabilityZoneName": "Always"},
    "AWS::EFS::MountTarget": {"FileSystemId": "Always", "SubnetId": "Always",
                              "IpAddress": "Always"},
    "AWS::S3::Bucket": {"BucketName": "Always", "ObjectLockEnabled": "Always"},
    "AWS::ECR::Repository": {"RepositoryName": "Always", "EncryptionConfiguration": "Always"},
    "AWS::ECS::Cluster": {"ClusterName": "Always"},
    "AWS::ECS::Service": {"ServiceName": "Always", "Cluster": "Always", "LaunchType": "Always",
                          "LoadBalancers": "Conditionally", "Role": "Always"},
    "AWS::ECS::TaskDefinition": {"ContainerDefinitions": "Always", "Family": "Always",
                                 "Cpu": "Always", "Memory": "Always", "NetworkMode": "Always",
                                 "TaskRoleArn": "Always", "ExecutionRoleArn": "Always",
                                 "Volumes": "Always", "RequiresCompatibilities": "Always"},
    "AWS::IAM::Role": {"RoleName": "Always", "Path": "Always"},
    "AWS::Logs::LogGroup": {"LogGroupName": "Always"},
    "AWS::ElasticLoadBalancingV2::LoadBalancer": {"Name": "Always", "Scheme": "Always",
                                                  "Type": "Always"},
    "AWS::ElasticLoadBalancingV2::TargetGroup": {"Name": "Always", "Port": "Always",
                                                 "Protocol": "Always", "VpcId": "Always",
                                                 "TargetType": "Always"},
    "AWS::SecretsManager::Secret": {"Name": "Always"},
    "AWS::SQS::Queue": {"QueueName": "Always", "FifoQueue": "Always"},
    "AWS::SNS::Topic": {"TopicName": "Always", "FifoTopic": "Always"},
}

# Resource types that need CAPABILITY_IAM, and the properties that name them
# (which need CAPABILITY_NAMED_IAM instead).
IAM_TYPES = {
    "AWS::IAM::Role": "RoleName", "AWS::IAM::User": "UserName", "AWS::IAM::Group": "GroupName",
    "AWS::IAM::Policy": None, "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
    "AWS::IAM::InstanceProfile": "InstanceProfileName", "AWS::IAM::AccessKey": None,
    "AWS::IAM::UserToGroupAddition": None,
}

# Prefixes of EC2-style physical ids ("vpc-0a1b2c...").
ID_PREFIXES = {
    "AWS::EC2::VPC": "vpc-", "AWS::EC2::Subnet": "subnet-", "AWS::EC2::SecurityGroup": "sg-",
    "AWS::EC2::InternetGateway": "igw-", "AWS::EC2::RouteTable": "rtb-",
    "AWS::EC2::Instance": "i-", "AWS::EC2::NatGateway": "nat-", "AWS::EC2::EIP": "eipalloc-",
    "AWS::EFS::FileSystem": "fs-", "AWS::EFS::MountTarget": "fsmt-", "AWS::EFS::AccessPoint": "fsap-",
}

# Names a resource may be given in its properties; when set, that is its physical id.
NAME_PROPERTIES = {
    "AWS::S3::Bucket": "BucketName", "AWS::IAM::Role": "RoleName",
    "AWS::ECS::Cluster": "ClusterName", "AWS::ECR::Repository": "RepositoryName",
    "AWS::Logs::LogGroup": "LogGroupName", "AWS::RDS::DBCluster": "DBClusterIdentifier",
    "AWS::RDS::DBInstance": "DBInstanceIdentifier", "AWS::SQS::Queue": "QueueName",
}

PSEUDO_PARAMETERS = ("AWS::AccountId", "AWS::Region", "AWS::StackName", "AWS::StackId",
                     "AWS::Partition", "AWS::URLSuffix", "AWS::NoValue", "AWS::NotificationARNs")

# Statuses from which a stack accepts an UPDATE change set.
UPDATABLE = ("CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE",
             "IMPORT_COMPLETE", "IMPORT_ROLLBACK_COMPLETE")


def fake_value(seed):
    """A made-up but stable value for something the emulator cannot know."""
    return "fake-" + hashlib.sha1(json.dumps(seed, sort_keys=True).encode()).hexdigest()[:12]


# ---- the model ---------------------------------------------------------------------------


class Resource:
    def __init__(self, logical_id, type_, physical_id, properties, status):
        self.logical_id = logical_id
        self.type = type_
        self.physical_id = physical_id
        self.properties = properties  # with parameters substituted
        self.status = status


class Event:
    def __init__(self, seq, stack, logical_id, physical_id, type_, timestamp, status, reason,
                 token, properties=None):
        self.seq = seq  # order of arrival, the basis of NextToken
        self.stack_id = stack.stack_id
        self.stack_name = stack.name
        self.logical_id = logical_id
        self.physical_id = physical_id
        self.type = type_
        self.timestamp = timestamp
        self.status = status
        self.reason = reason
        self.token = token
        self.properties = properties
        # As CloudFormation: a UUID for the stack's own events, "LogicalId-UUID" for
        # a resource's. Unique even for two events in the same millisecond.
        event_uuid = stack.state.uuid("event")
        self.event_id = event_uuid if type_ == STACK_TYPE else "%s-%s" % (logical_id, event_uuid)

    def shape(self):
        return {
            "StackId": self.stack_id, "EventId": self.event_id, "StackName": self.stack_name,
            "LogicalResourceId": self.logical_id, "PhysicalResourceId": self.physical_id,
            "ResourceType": self.type, "Timestamp": iso_ms(self.timestamp),
            "ResourceStatus": self.status, "ResourceStatusReason": self.reason,
            "ResourceProperties": self.properties, "ClientRequestToken": self.token,
        }


class ChangeSet:
    def __init__(self, state, stack, name, type_, template, body, parameters, capabilities,
                 description, tags, now):
        self.change_set_id = "arn:aws:cloudformation:%s:%s:changeSet/%s/%s" % (
            stack.region, state.config["account_id"], name, state.uuid("changeset"))
        self.name = name
        self.stack = stack
        self.type = type_
        self.template = template
        self.template_body = body
        self.parameters = parameters
        self.capabilities = capabilities
        self.description = description
        self.tags = tags
        self.creation_time = now
        self.status = "CREATE_PENDING"
        self.execution_status = "UNAVAILABLE"
        self.status_reason = None
        self.changes = []
        self.client_token = None  # CreateChangeSet's, when given
        self.execution_token = None  # ExecuteChangeSet's, once executed
        self.include_nested = False  # IncludeNestedStacks
        self.nested = []  # the change sets of nested stacks it made
        self.parent_change_set_id = None
        self.root_change_set_id = None


class Stack:
    def __init__(self, state, region, name, now):
        self.state = state
        self.region = region
        self.name = name
        self.stack_id = "arn:aws:cloudformation:%s:%s:stack/%s/%s" % (
            region, state.config["account_id"], name, state.uuid("stack"))
        self.status = "REVIEW_IN_PROGRESS"
        self.status_reason = None
        self.creation_time = now
        self.last_updated_time = None
        self.deletion_time = None
        self.template = None  # the parsed template in force
        self.template_body = None
        self.parameters = {}
        self.capabilities = []
        self.tags = []
        self.description = None
        self.resources = {}  # logical id -> Resource
        self.outputs = []
        self.events = []
        self.change_sets = {}  # name -> ChangeSet
        self.last_change_set_id = None
        self.deleted = False
        self.pending_rollback = None  # what UPDATE_ROLLBACK_FAILED left to roll back
        self.rollback_token = None  # ContinueUpdateRollback's ClientRequestToken
        self.parent_id = None  # a nested stack: its parent's id

    def add_event(self, timestamp, logical_id, physical_id, type_, status, reason, token):
        self.events.append(Event(self.state.next_id("event-seq"), self, logical_id, physical_id,
                                 type_, timestamp, status, reason, token))

    def root_id(self):
        return nested.root_of(self.state, self).stack_id

    def shape(self):
        return {
            "StackId": self.stack_id, "StackName": self.name,
            "ChangeSetId": self.last_change_set_id, "Description": self.description,
            "Parameters": [{"ParameterKey": k, "ParameterValue": v}
                           for k, v in self.parameters.items()] or None,
            "CreationTime": iso_ms(self.creation_time),
            "DeletionTime": iso_ms(self.deletion_time) if self.deletion_time else None,
            "LastUpdatedTime": (iso_ms(self.last_updated_time)
                                if self.last_updated_time else None),
            "RollbackConfiguration": {},
            "StackStatus": self.status, "StackStatusReason": self.status_reason,
            "DisableRollback": False, "NotificationARNs": [],
            "Capabilities": self.capabilities or None,
            "Outputs": self.outputs or None,
            "Tags": [{"Key": k, "Value": v} for k, v in self.tags],
            "EnableTerminationProtection": False,
            "ParentId": self.parent_id, "RootId": self.parent_id and self.root_id(),
            "DriftInformation": {"StackDriftStatus": "NOT_CHECKED"},
        }


class Store:
    """Every stack the emulator knows, deleted ones included (as in AWS, a
    deleted stack is still found by its id)."""

    def __init__(self):
        self.stacks = []
        self.nested_change_sets = {}  # ARN -> ChangeSet of a nested stack (nested.py)

    def find(self, region, name_or_id):
        if name_or_id.startswith("arn:"):
            for stack in self.stacks:
                if stack.stack_id == name_or_id:
                    return stack
            return None
        for stack in reversed(self.stacks):
            if stack.region == region and stack.name == name_or_id and not stack.deleted:
                return stack
        return None


# ---- templates ------------------------------------------------------------------------------


def parse_template(body):
    """The template as a dict; ValidationError with CloudFormation's wording when
    it is not one."""
    try:
        template = json.loads(body)
    except ValueError as exc:
        if body.lstrip().startswith("{"):
            raise ServiceError("ValidationError",
                               "Template format error: JSON not well-formed. (line %d, column %d)"
                               % (exc.lineno, exc.colno))
        raise ServiceError("ValidationError",
                           "Template format error: the stackc emulator reads JSON templates "
                           "only, not YAML")
    if not isinstance(template, dict):
        raise ServiceError("ValidationError", "Template format error: JSON not well-formed.")
    resources = template.get("Resources")
    if not isinstance(resources, dict) or not resources:
        raise ServiceError("ValidationError",
                           "Template format error: At least one Resources member must be defined.")
    bad_types = [logical for logical, definition in resources.items()
                 if not isinstance(definition, dict) or not isinstance(definition.get("Type"), str)
                 or not re.match(r"^(AWS::\w+::\w+|Custom::[\w-]+)$", definition["Type"])]
    if bad_types:
        raise ServiceError("ValidationError", "Template format error: Unrecognized resource types: "
                           "[%s]" % ", ".join(bad_types))
    return template


def references(value):
    """The (name, attribute) pairs `value` refers to through Ref, Fn::GetAtt and
    Fn::Sub; attribute is None for a Ref."""
    found = []
    if isinstance(value, dict):
        if "Ref" in value and isinstance(value["Ref"], str):
            found.append((value["Ref"], None))
        elif "Fn::GetAtt" in value:
            target = value["Fn::GetAtt"]
            if isinstance(target, str):
                target = target.split(".", 1)
            if isinstance(target, list) and target and isinstance(target[0], str):
                found.append((target[0], str(target[1]) if len(target) > 1 else ""))
        elif "Fn::Sub" in value:
            sub = value["Fn::Sub"]
            text = sub[0] if isinstance(sub, list) and sub else sub
            local = sub[1] if isinstance(sub, list) and len(sub) > 1 else {}
            if isinstance(text, str):
                for match in re.finditer(r"\$\{([^}!][^}]*)\}", text):
                    name, _, attr = match.group(1).partition(".")
                    if name not in (local or {}):
                        found.append((name, attr or None))
            if isinstance(local, dict):
                found.extend(references(local))
        else:
            for item in value.values():
                found.extend(references(item))
    elif isinstance(value, list):
        for item in value:
            found.extend(references(item))
    return found


def resource_dependencies(definitions):
    """logical id -> set of logical ids it needs, from references and DependsOn."""
    deps = {}
    for logical, definition in definitions.items():
        needs = {name for name, _ in references(definition.get("Properties", {}))}
        depends_on = definition.get("DependsOn", [])
        needs.update([depends_on] if isinstance(depends_on, str) else depends_on)
        deps[logical] = {name for name in needs if name in definitions and name != logical}
    return deps


def dependency_levels(definitions):
    """The resources grouped in waves: wave 0 needs nothing, wave n needs only
    earlier waves. ValidationError on a cycle, worded as CloudFormation does."""
    deps = resource_dependencies(definitions)
    level = {}
    visiting = set()

    def visit(logical, path):
        if logical in level:
            return level[logical]
        if logical in visiting:
            cycle = path[path.index(logical):]
            raise ServiceError("ValidationError", "Circular dependency between resources: [%s]"
                               % ", ".join(sorted(set(cycle))))
        visiting.add(logical)
        level[logical] = 1 + max((visit(d, path + [d]) for d in sorted(deps[logical])),
                                 default=-1)
        visiting.discard(logical)
        return level[logical]

    for logical in definitions:
        visit(logical, [logical])
    waves = [[] for _ in range(max(level.values(), default=-1) + 1)]
    for logical in definitions:  # template order within a wave
        waves[level[logical]].append(logical)
    return waves


def check_references(template):
    """Refs must name a parameter, a pseudo parameter or a resource."""
    known = set(template.get("Parameters", {}) or {}) | set(template["Resources"])
    known.update(PSEUDO_PARAMETERS)
    missing = set()
    for definition in template["Resources"].values():
        for name, attr in references(definition.get("Properties", {})):
            if name not in known or (attr is not None and name not in template["Resources"]):
                missing.add(name)
        depends_on = definition.get("DependsOn", [])
        for name in [depends_on] if isinstance(depends_on, str) else depends_on:
            if name not in template["Resources"]:
                missing.add(name)
    if missing:
        raise ServiceError("ValidationError", "Template format error: Unresolved resource "
                           "dependencies [%s] in the Resources block of the template"
                           % ", ".join(sorted(missing)))


def required_capability(template):
    """CAPABILITY_NAMED_IAM, CAPABILITY_IAM, or None: what the template needs."""
    needed = None
    for definition in template["Resources"].values():
        if definition["Type"] in IAM_TYPES:
            name_property = IAM_TYPES[definition["Type"]]
            if name_property and name_property in definition.get("Properties", {}):
                return "CAPABILITY_NAMED_IAM"
            needed = "CAPABILITY_IAM"
    return needed


# ---- intrinsic functions -----------------------------------------------------------------------


class Resolver:
    """Evaluates intrinsic functions against a stack: parameters, pseudo
    parameters, physical ids of existing resources, and fake attributes."""

    def __init__(self, stack, parameters, resources, template=None):
        self.stack = stack
        self.parameters = parameters
        self.resources = resources  # logical id -> Resource
        self.template = template or {}  # for Conditions

    def pseudo(self, name):
        return {
            "AWS::AccountId": self.stack.state.config["account_id"],
            "AWS::Region": self.stack.region, "AWS::StackName": self.stack.name,
            "AWS::StackId": self.stack.stack_id, "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
        }.get(name)

    def ref(self, name):
        if name in self.parameters:
            return self.parameters[name]
        if self.pseudo(name) is not None:
            return self.pseudo(name)
        if name in self.resources:
            return self.resources[name].physical_id
        return fake_value({"Ref": name})

    def attribute(self, name, attr):
        resource = self.resources.get(name)
        if not resource:
            return fake_value({"Fn::GetAtt": [name, attr]})
        physical = resource.physical_id
        region, account = self.stack.region, self.stack.state.config["account_id"]
        if resource.type == STACK_TYPE and attr.startswith("Outputs."):
            child = self.stack.state.cloudformation.find(region, physical)
            for output in (child.outputs if child else []):
                if output["OutputKey"] == attr[len("Outputs."):]:
                    return output["OutputValue"]
            return fake_value({"Fn::GetAtt": [name, attr]})
        if attr == "Arn" and resource.type == "AWS::S3::Bucket":
            return "arn:aws:s3:::%s" % physical
        if attr == "Arn":
            service = resource.type.split("::")[1].lower()
            return "arn:aws:%s:%s:%s:%s/%s" % (service, region, account,
                                                resource.type.split("::")[2].lower(), physical)
        if attr == "Endpoint.Address":
            return "%s.cluster-c0ffee123456.%s.rds.amazonaws.com" % (physical.lower(), region)
        if attr == "Endpoint.Port":
            return "3306"
        if attr == "DNSName":
            return "%s-1234567890.%s.elb.amazonaws.com" % (physical[:32], region)
        return "%s.%s" % (physical, attr)

    def resolve(self, value):
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if not isinstance(value, dict):
            return value
        if len(value) != 1:
            return {key: self.resolve(item) for key, item in value.items()}
        (function, argument), = value.items()
        if function == "Ref" and isinstance(argument, str):
            return self.ref(argument)
        if function == "Fn::GetAtt":
            target = argument.split(".", 1) if isinstance(argument, str) else argument
            if isinstance(target, list) and len(target) == 2:
                return self.attribute(target[0], str(self.resolve(target[1])))
        if function == "Fn::Join" and isinstance(argument, list) and len(argument) == 2:
            parts = self.resolve(argument[1])
            if isinstance(parts, list):
                return str(argument[0]).join(str(part) for part in parts)
        if function == "Fn::Select" and isinstance(argument, list) and len(argument) == 2:
            items = self.resolve(argument[1])
            index = self.resolve(argument[0])
            if isinstance(items, str):
                items = items.split(",")
            if isinstance(items, list) and str(index).isdigit() and int(index) < len(items):
                return items[int(index)]
        if function == "Fn::Sub":
            return self.substitute(argument)
        if function == "Fn::GetStackOutput" and isinstance(argument, dict):
            output = stack_output(self.stack.state, self.stack.region, argument)
            return output if output is not None else fake_value(value)
        if function == "Fn::If" and isinstance(argument, list) and len(argument) == 3:
            return self.resolve(argument[1] if self.condition(argument[0]) else argument[2])
        if function.startswith("Fn::") or function == "Ref":
            return fake_value(value)
        return {function: self.resolve(argument)}

    def substitute(self, argument):
        text, local = (argument, {}) if isinstance(argument, str) else (argument[0], argument[1])
        local = {key: self.resolve(item) for key, item in (local or {}).items()}

        def replace(match):
            inner = match.group(1)
            if inner.startswith("!"):
                return "${" + inner[1:] + "}"
            if inner in local:
                return str(local[inner])
            name, _, attr = inner.partition(".")
            return str(self.attribute(name, attr) if attr else self.ref(name))

        return re.sub(r"\$\{([^}]*)\}", replace, text)

    def condition(self, name):
        conditions = self.template.get("Conditions", {}) or {}
        definition = conditions.get(name)
        return True if definition is None else self.truth(definition)

    def truth(self, expression):
        """Fn::Equals / Fn::Not / Fn::And / Fn::Or / Condition; unknown is true."""
        if isinstance(expression, bool):
            return expression
        if not isinstance(expression, dict) or len(expression) != 1:
            return True
        (function, argument), = expression.items()
        if function == "Fn::Equals" and isinstance(argument, list) and len(argument) == 2:
            return str(self.resolve(argument[0])) == str(self.resolve(argument[1]))
        if function == "Fn::Not" and isinstance(argument, list) and argument:
            return not self.truth(argument[0])
        if function == "Fn::And" and isinstance(argument, list):
            return all(self.truth(item) for item in argument)
        if function == "Fn::Or" and isinstance(argument, list):
            return any(self.truth(item) for item in argument)
        if function == "Condition" and isinstance(argument, str):
            return self.condition(argument)
        return True


def stack_output(state, region, argument):
    """The value Fn::GetStackOutput names, or None when its stack or output is not
    there (or it names another region or account, which the emulator cannot reach)."""
    if argument.get("Region", region) != region or "RoleArn" in argument:
        return None
    name, output = argument.get("StackName"), argument.get("OutputName")
    stack = state.cloudformation.find(region, name) if isinstance(name, str) else None
    if stack is None or stack.deleted:
        return None
    for o in stack.outputs:
        if o["OutputKey"] == output:
            return o["OutputValue"]
    return None


def stack_output_error(state, region, template):
    """Why a Fn::GetStackOutput of the template cannot be resolved, or None. Like
    Fn::ImportValue, a read of a stack or output that is not there fails the change
    set (the emulator's wording)."""
    def walk(value):
        if isinstance(value, dict):
            argument = value.get("Fn::GetStackOutput") if len(value) == 1 else None
            if isinstance(argument, dict):
                name, output = argument.get("StackName"), argument.get("OutputName")
                if argument.get("Region", region) != region or "RoleArn" in argument:
                    return None  # another region or account: out of the emulator's reach
                stack = state.cloudformation.find(region, name) if isinstance(name, str) else None
                if stack is None or stack.deleted or stack.status == "REVIEW_IN_PROGRESS":
                    return "Fn::GetStackOutput: Stack [%s] does not exist" % name
                if not any(o["OutputKey"] == output for o in stack.outputs):
                    return ("Fn::GetStackOutput: Output [%s] does not exist in stack [%s]"
                            % (output, name))
                return None
            for item in value.values():
                found = walk(item)
                if found:
                    return found
        elif isinstance(value, list):
            for item in value:
                found = walk(item)
                if found:
                    return found
        return None
    return walk(template)


def substitute_parameters(value, parameters, pseudo):
    """`value` with every Ref to a parameter or pseudo parameter replaced by its
    value; references to resources are kept, so diffs see them unchanged."""
    if isinstance(value, list):
        return [substitute_parameters(item, parameters, pseudo) for item in value]
    if isinstance(value, dict):
        if len(value) == 1 and isinstance(value.get("Ref"), str):
            name = value["Ref"]
            if name in parameters:
                return parameters[name]
            if pseudo(name) is not None:
                return pseudo(name)
        return {key: substitute_parameters(item, parameters, pseudo)
                for key, item in value.items()}
    return value


def effective_resources(stack, template, parameters):
    """logical id -> {"Type", "Properties", "Metadata", "Raw"} for the resources
    the template creates with these parameters (Condition false ones left out)."""
    if not template:
        return {}
    resolver = Resolver(stack, parameters, {}, template)
    out = {}
    for logical, definition in template["Resources"].items():
        if "Condition" in definition and not resolver.condition(definition["Condition"]):
            continue
        properties = definition.get("Properties", {}) or {}
        out[logical] = {
            "Type": definition["Type"],
            "Properties": substitute_parameters(properties, parameters, resolver.pseudo),
            "Metadata": definition.get("Metadata"),
            "Raw": properties,
            "DependsOn": definition.get("DependsOn", []),
        }
    return out


def resolve_parameters(template, given, previous):
    """The parameter values in force: given ones, UsePreviousValue ones, then
    defaults. ValidationError for unknown or missing parameters."""
    declared = template.get("Parameters", {}) or {}
    unknown = [p["ParameterKey"] for p in given if p.get("ParameterKey") not in declared]
    if unknown:
        raise ServiceError("ValidationError", "Parameters: [%s] do not exist in the template"
                           % ", ".join(unknown))
    values = {}
    for p in given:
        key = p["ParameterKey"]
        if p.get("UsePreviousValue") == "true":
            if key not in previous:
                raise ServiceError("ValidationError",
                                   "Invalid input for parameter key %s. Cannot specify "
                                   "usePreviousValue as true for a parameter key not in the "
                                   "previous template" % key)
            values[key] = previous[key]
        else:
            values[key] = p.get("ParameterValue", "")
    missing = []
    for key, declaration in declared.items():
        if key in values:
            continue
        if isinstance(declaration, dict) and "Default" in declaration:
            default = declaration["Default"]
            values[key] = ",".join(default) if isinstance(default, list) else str(default)
        else:
            missing.append(key)
    if missing:
        raise ServiceError("ValidationError", "Parameters: [%s] must have values"
                           % ", ".join(missing))
    return {key: values[key] for key in declared}  # template order


# ---- change sets: the diff ------------------------------------------------------------------------


def replacement_of(type_, prop):
    return REPLACEMENT.get(type_, {}).get(prop, "Never")


def combine_replacement(a, b):
    order = {"False": 0, "Conditional": 1, "True": 2}
    return a if order[a] >= order[b] else b


def compute_changes(stack, old_template, old_parameters, new_template, new_parameters):
    """The ResourceChange list a change set reports, sorted by logical id."""
    old = effective_resources(stack, old_template, old_parameters)
    new = effective_resources(stack, new_template, new_parameters)
    changes = {}
    for logical, definition in new.items():
        if logical not in old:
            changes[logical] = {"Action": "Add", "LogicalResourceId": logical,
                                "ResourceType": definition["Type"], "Scope": [], "Details": []}
            continue
        before = old[logical]
        if before["Type"] != definition["Type"]:
            raise TypeChange(logical)
        details, scope = [], []
        props = sorted(set(before["Properties"]) | set(definition["Properties"]))
        for prop in props:
            if before["Properties"].get(prop) == definition["Properties"].get(prop):
                continue
            raw_same = before["Raw"].get(prop) == definition["Raw"].get(prop)
            detail = {"Target": {"Attribute": "Properties", "Name": prop,
                                 "RequiresRecreation": replacement_of(definition["Type"], prop)},
                      "Evaluation": "Static",
                      "ChangeSource": "ParameterReference" if raw_same else "DirectModification"}
            if raw_same:
                causes = [name for name, _ in references(definition["Raw"].get(prop))
                          if old_parameters.get(name) != new_parameters.get(name)]
                detail["CausingEntity"] = causes[0] if causes else None
            details.append(detail)
            if "Properties" not in scope:
                scope.append("Properties")
            if prop == "Tags" and "Tags" not in scope:
                scope.append("Tags")
        if before["Metadata"] != definition["Metadata"]:
            scope.append("Metadata")
            details.append({"Target": {"Attribute": "Metadata", "RequiresRecreation": "Never"},
                            "Evaluation": "Static", "ChangeSource": "DirectModification"})
        if details:
            changes[logical] = modify_change(stack, logical, definition["Type"], details, scope)
            changes[logical]["Replacement"] = replacement_from(details)
    # Resources that refer to a replaced resource (or read attributes of a modified
    # one) change too; CloudFormation reports that as a Dynamic evaluation.
    for logical, definition in new.items():
        if logical not in old or changes.get(logical, {}).get("Action") == "Add":
            continue
        for prop, value in definition["Raw"].items():
            for name, attr in references(value):
                cause = changes.get(name)
                if not cause or cause["Action"] != "Modify":
                    continue
                if attr is None and cause["Replacement"] != "True":
                    continue
                change = changes.get(logical) or modify_change(
                    stack, logical, definition["Type"], [], ["Properties"])
                changes[logical] = change
                change["Details"].append({
                    "Target": {"Attribute": "Properties", "Name": prop,
                               "RequiresRecreation": replacement_of(definition["Type"], prop)},
                    "Evaluation": "Dynamic",
                    "ChangeSource": "ResourceReference" if attr is None else "ResourceAttribute",
                    "CausingEntity": name if attr is None else "%s.%s" % (name, attr)})
    for change in changes.values():
        if change["Action"] == "Modify":
            change["Replacement"] = replacement_from(change["Details"])
    for logical, definition in old.items():
        if logical not in new:
            resource = stack.resources.get(logical)
            changes[logical] = {"Action": "Remove", "LogicalResourceId": logical,
                                "PhysicalResourceId": resource.physical_id if resource else None,
                                "ResourceType": definition["Type"], "Scope": [], "Details": []}
    return [changes[logical] for logical in sorted(changes)]


def modify_change(stack, logical, type_, details, scope):
    resource = stack.resources.get(logical)
    return {"Action": "Modify", "LogicalResourceId": logical,
            "PhysicalResourceId": resource.physical_id if resource else None,
            "ResourceType": type_, "Replacement": "False", "Scope": scope, "Details": details}


def replacement_from(details):
    """True if a static change needs recreation always; Conditional if one may
    (or a dynamic one would); False otherwise."""
    result = "False"
    for detail in details:
        need = detail["Target"].get("RequiresRecreation", "Never")
        if need == "Never":
            continue
        if need == "Always" and detail["Evaluation"] == "Static":
            result = combine_replacement(result, "True")
        else:
            result = combine_replacement(result, "Conditional")
    return result


class TypeChange(Exception):
    def __init__(self, logical):
        super().__init__(logical)
        self.logical = logical


def change_shape(change):
    """A change as DescribeChangeSet prints it (Replacement only for Modify)."""
    resource_change = {
        "Action": change["Action"], "LogicalResourceId": change["LogicalResourceId"],
        "PhysicalResourceId": change.get("PhysicalResourceId"),
        "ResourceType": change["ResourceType"], "Replacement": change.get("Replacement"),
        "ChangeSetId": change.get("ChangeSetId"), "Scope": change["Scope"],
        "Details": [{"Target": d["Target"], "Evaluation": d["Evaluation"],
                     "ChangeSource": d["ChangeSource"], "CausingEntity": d.get("CausingEntity")}
                    for d in change["Details"]],
    }
    return {"Type": "Resource", "ResourceChange": resource_change}


# ---- lifecycle plans -------------------------------------------------------------------------------


class Plan:
    """Builds the timed steps of one stack operation. `t` is the simulated clock
    of the plan; each emitted event is scheduled at the current `t`."""

    def __init__(self, ctx, stack, token):
        self.ctx = ctx
        self.stack = stack
        self.token = token
        self.t = ctx.now
        self.delay = ctx.state.config["resource_delay_ms"] / 1000.0

    def at(self, action):
        self.ctx.state.schedule(self.t, action)

    def stack_status(self, status, reason=None, then=None):
        stack, token, when = self.stack, self.token, self.t

        def step():
            stack.status, stack.status_reason = status, reason
            stack.add_event(when, stack.name, stack.stack_id, STACK_TYPE, status, reason, token)
            if then:
                then()
        self.at(step)

    def resource_status(self, logical, type_, status, reason=None, physical=None, then=None):
        """Schedules one resource event. `physical` overrides the id shown (an empty
        string before the resource exists, the old id of a replaced resource);
        `then` runs after the event is recorded."""
        stack, token, when = self.stack, self.token, self.t

        def step():
            resource = stack.resources.get(logical)
            shown = physical if physical is not None else (resource.physical_id if resource
                                                           else "")
            # Events about a replaced copy leave the current resource alone.
            if resource and resource.type == type_ and physical in (None, resource.physical_id):
                resource.status = status
            stack.add_event(when, logical, shown, type_, status, reason, token)
            if then:
                then()
        self.at(step)

    def wait(self, fraction=1.0):
        self.t += self.delay * fraction


def physical_id_for(ctx, stack, logical, type_, properties):
    """A deterministic physical id shaped like the real one for common types."""
    name_property = NAME_PROPERTIES.get(type_)
    if name_property and isinstance(properties.get(name_property), str):
        return properties[name_property]
    n = ctx.state.next_id("physical")
    digest = hashlib.sha1(("%s/%s/%d" % (stack.name, logical, n)).encode()).hexdigest()
    if type_ in ID_PREFIXES:
        return ID_PREFIXES[type_] + digest[:17]
    suffix = digest[:12].upper()
    if type_ == "AWS::S3::Bucket":
        return ("%s-%s-%s" % (stack.name, logical, suffix)).lower()[:63]
    return "%s-%s-%s" % (stack.name, logical, suffix)


def reason_failed(operation, names):
    return "The following resource(s) failed to %s: [%s]. " % (operation, ", ".join(names))


def plan_create(ctx, stack, change_set, failures, token):
    """CREATE_IN_PROGRESS, the resources in dependency waves, CREATE_COMPLETE; or,
    when a resource fails, ROLLBACK_IN_PROGRESS, deletion of what was made, and
    ROLLBACK_COMPLETE."""
    plan = Plan(ctx, stack, token)
    definitions = effective_resources(stack, change_set.template, change_set.parameters)
    waves = [[logical for logical in wave if logical in definitions]
             for wave in dependency_levels(change_set.template["Resources"])]
    waves = [wave for wave in waves if wave]
    children = nested.prepare(ctx, stack, definitions, list(definitions), token, "create",
                              failures)
    plan.stack_status("CREATE_IN_PROGRESS", "User Initiated")
    started = []
    for wave in waves:
        for logical in wave:
            plan.resource_status(logical, definitions[logical]["Type"], "CREATE_IN_PROGRESS",
                                 physical="")
        for logical in wave:
            definition = definitions[logical]
            child = children.get(logical)
            physical = child.physical if child else physical_id_for(
                ctx, stack, logical, definition["Type"], definition["Properties"])
            plan.resource_status(logical, definition["Type"], "CREATE_IN_PROGRESS",
                                 "Resource creation Initiated", physical,
                                 then=both(add_resource(stack, logical, definition, physical),
                                           child and child.begin(plan.t)))
        started.extend(wave)
        plan.wait(max([1.0] + [children[l].fraction for l in wave if l in children]))
        failing = [logical for logical in wave if logical in failures]
        if failing:
            for logical in wave:
                plan.resource_status(logical, definitions[logical]["Type"], "CREATE_FAILED",
                                     failures.get(logical, "Resource creation cancelled"))
            plan.stack_status("ROLLBACK_IN_PROGRESS",
                              reason_failed("create", failing) + "Rollback requested by user.")
            delete_waves(plan, stack, [w for w in waves if set(w) & set(started)], definitions)
            plan.stack_status("ROLLBACK_COMPLETE", then=lambda: finish_rollback(stack))
            return plan
        for logical in wave:
            plan.resource_status(logical, definitions[logical]["Type"], "CREATE_COMPLETE")
    plan.stack_status("CREATE_COMPLETE", then=lambda: compute_outputs(stack))
    return plan


def both(first, second):
    """A step that runs `first`, then `second` when there is one."""
    if not second:
        return first

    def run():
        first()
        second()
    return run


def add_resource(stack, logical, definition, physical):
    def apply():
        stack.resources[logical] = Resource(logical, definition["Type"], physical,
                                            definition["Properties"], "CREATE_IN_PROGRESS")
    return apply


def delete_waves(plan, stack, waves, definitions, failures=None):
    """Deletes the resources of `waves` in reverse order; returns the resources
    that failed to delete (only when `failures` names some)."""
    failed = []
    for wave in reversed(waves):
        fractions = [0.5]
        for logical in wave:
            child = nested.deletion(plan, plan.stack, logical, definitions[logical]["Type"])
            if child:
                fractions.append(child[0])
            plan.resource_status(logical, definitions[logical]["Type"], "DELETE_IN_PROGRESS",
                                 then=child and child[1])
        plan.wait(max(fractions))
        for logical in wave:
            if failures and logical in failures:
                failed.append(logical)
                plan.resource_status(logical, definitions[logical]["Type"], "DELETE_FAILED",
                                     failures[logical])
            else:
                plan.resource_status(logical, definitions[logical]["Type"], "DELETE_COMPLETE",
                                     then=forget_resource(plan.stack, logical))
        if failed:
            return failed
    return failed


def forget_resource(stack, logical):
    def apply():
        stack.resources.pop(logical, None)
    return apply


def finish_rollback(stack):
    stack.resources.clear()
    stack.outputs = []


def compute_outputs(stack):
    """Outputs from the template in force, resolved against the stack."""
    template = stack.template or {}
    resolver = Resolver(stack, stack.parameters, stack.resources, template)
    outputs = []
    for key, definition in (template.get("Outputs", {}) or {}).items():
        if not isinstance(definition, dict):
            continue
        if "Condition" in definition and not resolver.condition(definition["Condition"]):
            continue
        value = resolver.resolve(definition.get("Value"))
        if isinstance(value, list):
            value = ",".join(str(item) for item in value)
        output = {"OutputKey": key, "OutputValue": None if value is None else str(value),
                  "Description": definition.get("Description")}
        export = definition.get("Export", {}) or {}
        if "Name" in export:
            output["ExportName"] = str(resolver.resolve(export["Name"]))
        outputs.append(output)
    stack.outputs = outputs


def plan_update(ctx, stack, change_set, failures, token):
    """UPDATE_IN_PROGRESS; adds and modifications in dependency waves of the new
    template; UPDATE_COMPLETE_CLEANUP_IN_PROGRESS; removals and the old copies of
    replaced resources; UPDATE_COMPLETE. A failing resource turns it into
    UPDATE_ROLLBACK_IN_PROGRESS ... UPDATE_ROLLBACK_COMPLETE with the old
    template, parameters and resources back in force."""
    plan = Plan(ctx, stack, token)
    new = effective_resources(stack, change_set.template, change_set.parameters)
    old = effective_resources(stack, stack.template, stack.parameters)
    by_id = {c["LogicalResourceId"]: c for c in change_set.changes}
    added = [l for l, c in by_id.items() if c["Action"] == "Add"]
    modified = [l for l, c in by_id.items() if c["Action"] == "Modify"]
    children = nested.prepare(ctx, stack, new, added, token, "create", failures)
    children.update(nested.prepare(ctx, stack, new, modified, token, "update", failures))
    waves = [[logical for logical in wave if logical in by_id and logical in new]
             for wave in dependency_levels(change_set.template["Resources"])]
    waves = [wave for wave in waves if wave]
    snapshot = copy.deepcopy({k: vars(v) for k, v in stack.resources.items()})
    previous = (stack.template, stack.template_body, stack.parameters)
    plan.stack_status("UPDATE_IN_PROGRESS", "User Initiated",
                      then=lambda: setattr(stack, "last_updated_time", plan.ctx.now))
    done, replaced = [], []  # replaced: (logical, type, old physical id)
    made = {}  # logical id -> physical id created by this update (adds, replacements)
    for wave in waves:
        for logical in wave:
            change, definition = by_id[logical], new[logical]
            child = children.get(logical)
            if change["Action"] == "Add":
                physical = child.physical if child else physical_id_for(
                    ctx, stack, logical, definition["Type"], definition["Properties"])
                made[logical] = physical
                plan.resource_status(logical, definition["Type"], "CREATE_IN_PROGRESS",
                                     physical="")
                plan.resource_status(logical, definition["Type"], "CREATE_IN_PROGRESS",
                                     "Resource creation Initiated", physical,
                                     then=both(add_resource(stack, logical, definition, physical),
                                               child and child.begin(plan.t)))
            elif change["Replacement"] == "True":
                physical = physical_id_for(ctx, stack, logical, definition["Type"],
                                           definition["Properties"])
                old_physical = change.get("PhysicalResourceId")
                if physical == old_physical:  # a fixed name cannot be reused at once
                    physical = physical + "-replacement"
                replaced.append((logical, definition["Type"], old_physical))
                made[logical] = physical
                plan.resource_status(logical, definition["Type"], "UPDATE_IN_PROGRESS",
                                     "Requested update requires the creation of a new physical "
                                     "resource; hence creating one.")
                plan.resource_status(logical, definition["Type"], "UPDATE_IN_PROGRESS",
                                     "Resource creation Initiated", physical,
                                     then=add_resource(stack, logical, definition, physical))
            else:
                plan.resource_status(logical, definition["Type"], "UPDATE_IN_PROGRESS",
                                     then=both(update_properties(stack, logical, definition),
                                               child and child.begin(plan.t)))
        plan.wait(max([1.0] + [children[l].fraction for l in wave if l in children]))
        failing = [logical for logical in wave if logical in failures]
        if failing:
            for logical in wave:
                verb = "CREATE" if by_id[logical]["Action"] == "Add" else "UPDATE"
                cancelled = "Resource %s cancelled" % ("creation" if verb == "CREATE"
                                                       else "update")
                plan.resource_status(logical, new[logical]["Type"], verb + "_FAILED",
                                     failures.get(logical, cancelled))
            operation = "create" if all(by_id[l]["Action"] == "Add" for l in failing) \
                else "update"
            plan.stack_status("UPDATE_ROLLBACK_IN_PROGRESS", reason_failed(operation, failing))
            rollback = {"touched": wave + done, "by_id": by_id, "new": new, "made": made,
                        "snapshot": snapshot, "previous": previous}
            modified = [logical for logical in rollback["touched"]
                        if by_id[logical]["Action"] == "Modify"]
            rollback_update(plan, stack, rollback, modified, ctx.state.take_resource_failures(
                stack.name, modified, "rollback"))
            return plan
        for logical in wave:
            verb = "CREATE" if by_id[logical]["Action"] == "Add" else "UPDATE"
            plan.resource_status(logical, new[logical]["Type"], verb + "_COMPLETE")
        done.extend(wave)

    def commit():
        stack.template, stack.template_body = change_set.template, change_set.template_body
        stack.parameters = change_set.parameters
        stack.capabilities = change_set.capabilities
        if change_set.tags:
            stack.tags = change_set.tags
        compute_outputs(stack)
    plan.stack_status("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", then=commit)
    removals = [c["LogicalResourceId"] for c in change_set.changes if c["Action"] == "Remove"]
    old_waves = [[logical for logical in wave if logical in removals]
                 for wave in dependency_levels(stack.template["Resources"])] \
        if stack.template else []
    delete_waves(plan, stack, [wave for wave in old_waves if wave], old)
    for logical, type_, old_physical in replaced:
        plan.resource_status(logical, type_, "DELETE_IN_PROGRESS", physical=old_physical)
    if replaced:
        plan.wait(0.5)
    for logical, type_, old_physical in replaced:
        plan.resource_status(logical, type_, "DELETE_COMPLETE", physical=old_physical)
    plan.stack_status("UPDATE_COMPLETE")
    return plan


def update_properties(stack, logical, definition):
    def apply():
        resource = stack.resources.get(logical)
        if resource:
            resource.properties = definition["Properties"]
    return apply


def rollback_update(plan, stack, rollback, modified, failures):
    """Puts the `modified` resources back (a replaced one under its old physical
    id), then deletes in cleanup what the update created (`made`: logical id ->
    physical id of the added resources and of the new copies). A resource of
    `failures` cannot be put back: the stack ends UPDATE_ROLLBACK_FAILED, and
    ContinueUpdateRollback takes the rollback up from there."""
    new, snapshot = rollback["new"], rollback["snapshot"]
    modified = list(reversed(modified))
    for logical in modified:
        plan.resource_status(logical, new[logical]["Type"], "UPDATE_IN_PROGRESS",
                             physical=snapshot[logical]["physical_id"])
    plan.wait()
    failing = [logical for logical in modified if logical in failures]
    for logical in modified:
        if logical in failing:
            plan.resource_status(logical, new[logical]["Type"], "UPDATE_FAILED",
                                 failures[logical], physical=snapshot[logical]["physical_id"])
        else:
            plan.resource_status(logical, new[logical]["Type"], "UPDATE_COMPLETE",
                                 physical=snapshot[logical]["physical_id"])
    if failing:
        def pending():
            stack.pending_rollback = dict(rollback, left=failing)
        plan.stack_status("UPDATE_ROLLBACK_FAILED", reason_failed("update", failing),
                          then=pending)
        return
    plan.stack_status("UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS")
    made = rollback["made"]
    cleanup = [logical for logical in reversed(rollback["touched"]) if logical in made]
    for logical in cleanup:
        plan.resource_status(logical, new[logical]["Type"], "DELETE_IN_PROGRESS",
                             physical=made[logical])
    plan.wait(0.5)
    for logical in cleanup:
        plan.resource_status(logical, new[logical]["Type"], "DELETE_COMPLETE",
                             physical=made[logical])

    def restore():
        stack.resources = {k: Resource(v["logical_id"], v["type"], v["physical_id"],
                                       v["properties"], v["status"])
                           for k, v in snapshot.items()}
        stack.template, stack.template_body, stack.parameters = rollback["previous"]
        stack.pending_rollback = None
        compute_outputs(stack)
    plan.stack_status("UPDATE_ROLLBACK_COMPLETE", then=restore)


def plan_delete(ctx, stack, failures, token):
    """DELETE_IN_PROGRESS, resources in reverse dependency order, DELETE_COMPLETE
    (or DELETE_FAILED when a resource refuses)."""
    plan = Plan(ctx, stack, token)

    def mark_deleted():
        stack.deleted = True
        stack.deletion_time = plan.ctx.now
        stack.outputs = []

    plan.stack_status("DELETE_IN_PROGRESS", "User Initiated")
    definitions = {logical: {"Type": r.type} for logical, r in stack.resources.items()}
    waves = []
    if stack.template and definitions:
        waves = [[logical for logical in wave if logical in definitions]
                 for wave in dependency_levels(stack.template["Resources"])]
        waves = [wave for wave in waves if wave]
        leftover = [logical for logical in definitions if not any(logical in w for w in waves)]
        if leftover:
            waves.insert(0, leftover)
    failed = delete_waves(plan, stack, waves, definitions, failures)
    if failed:
        plan.stack_status("DELETE_FAILED", reason_failed("delete", failed))
        return
    plan.stack_status("DELETE_COMPLETE", then=mark_deleted)


# ---- request handling ---------------------------------------------------------------------------------


def require(params, name):
    value = params.get(name)
    if value is None or value == "":
        raise ServiceError("ValidationError", "1 validation error detected: Value null at '%s' "
                           "failed to satisfy constraint: Member must not be null"
                           % (name[0].lower() + name[1:]))
    return value


def check_name(value, field):
    if not NAME_RE.match(value):
        raise ServiceError("ValidationError", "1 validation error detected: Value '%s' at '%s' "
                           "failed to satisfy constraint: Member must satisfy regular expression "
                           "pattern: [a-zA-Z][-a-zA-Z0-9]*" % (value, field))


def stack_or_error(ctx, name_or_id, include_deleted=False):
    stack = ctx.state.cloudformation.find(ctx.region, name_or_id)
    if not stack or (stack.deleted and not include_deleted):
        raise ServiceError("ValidationError", "Stack with id %s does not exist" % name_or_id)
    return stack


S3_HOST_RE = re.compile(r"^(?:(?P<bucket>[a-z0-9.-]+)\.)?s3(?:[.-][a-z0-9-]+)?\.amazonaws\.com"
                        r"(?:\.cn)?$")


def template_from_url(ctx, url):
    """Reads a TemplateURL from the emulator's S3. As in AWS, only an https URL of S3
    itself is accepted: virtual-hosted https://bucket.s3.REGION.amazonaws.com/key or
    path style https://s3.REGION.amazonaws.com/bucket/key."""
    parsed = urllib.parse.urlsplit(url)
    match = S3_HOST_RE.match(parsed.hostname or "")
    if parsed.scheme != "https" or not match:
        raise ServiceError("ValidationError", "TemplateURL must be a supported URL.")
    path = urllib.parse.unquote(parsed.path)
    if match.group("bucket"):
        bucket, key = match.group("bucket"), path.lstrip("/")
    else:
        bucket, _, key = path.lstrip("/").partition("/")
    obj = ctx.state.s3.get(bucket, key)
    if obj is None:
        raise ServiceError("ValidationError", "S3 error: The specified key does not exist.\n"
                           "For more information check "
                           "http://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html")
    return obj["body"].decode("utf-8")


def create_change_set(ctx, params):
    stack_name = require(params, "StackName")
    name = require(params, "ChangeSetName")
    check_name(stack_name, "stackName")
    check_name(name, "changeSetName")
    change_set_type = params.get("ChangeSetType", "UPDATE")
    if change_set_type not in ("CREATE", "UPDATE"):
        raise ServiceError("ValidationError", "ChangeSetType %s is not supported by the stackc "
                           "emulator" % change_set_type)
    store = ctx.state.cloudformation
    stack = store.find(ctx.region, stack_name)
    if change_set_type == "CREATE":
        if stack and stack.status != "REVIEW_IN_PROGRESS":
            raise ServiceError("ValidationError", "Stack [%s] already exists and cannot be created "
                               "again with the changeSet [%s]." % (stack_name, name))
    elif not stack:
        raise ServiceError("ValidationError", "Stack [%s] does not exist" % stack_name)
    elif stack.status not in UPDATABLE:
        raise ServiceError("ValidationError", "Stack:%s is in %s state and can not be updated."
                           % (stack.stack_id, stack.status))
    token = params.get("ClientToken")
    if stack and name in stack.change_sets:
        existing = stack.change_sets[name]
        # The same request again (a retry whose first answer was lost): its answer again.
        if token and existing.client_token == token and ctx.state.config["honour_tokens"]:
            return {"Id": existing.change_set_id, "StackId": stack.stack_id}
        raise ServiceError("AlreadyExistsException", "ChangeSet [%s] already exists" % name)
    if "TemplateBody" in params:
        body = params["TemplateBody"]
        if len(body.encode("utf-8")) > 51200:
            raise ServiceError("ValidationError", "1 validation error detected: Value '%s' at "
                               "'templateBody' failed to satisfy constraint: Member must have "
                               "length less than or equal to 51200" % body[:40])
    elif "TemplateURL" in params:
        body = template_from_url(ctx, params["TemplateURL"])
    elif params.get("UsePreviousTemplate") == "true" and stack and stack.template_body:
        body = stack.template_body
    else:
        raise ServiceError("ValidationError",
                           "Either Template URL or Template Body must be specified.")
    template = parse_template(body)
    check_references(template)
    dependency_levels(template["Resources"])  # rejects cycles now, as AWS does
    previous = stack.parameters if stack else {}
    parameters = resolve_parameters(template, member_list(params, "Parameters"), previous)
    capabilities = member_list(params, "Capabilities")
    needed = required_capability(template)
    if needed and needed not in capabilities and not (
            needed == "CAPABILITY_IAM" and "CAPABILITY_NAMED_IAM" in capabilities):
        raise ServiceError("InsufficientCapabilitiesException",
                           "Requires capabilities : [%s]" % needed)
    if not stack:
        stack = Stack(ctx.state, ctx.region, stack_name, ctx.now)
        store.stacks.append(stack)
        stack.add_event(ctx.now, stack_name, stack.stack_id, STACK_TYPE, "REVIEW_IN_PROGRESS",
                        "User Initiated", None)
    tags = [(t.get("Key"), t.get("Value")) for t in member_list(params, "Tags")]
    change_set = ChangeSet(ctx.state, stack, name, change_set_type, template, body, parameters,
                           capabilities, params.get("Description"), tags, ctx.now)
    change_set.client_token = token
    change_set.include_nested = params.get("IncludeNestedStacks") == "true"
    stack.change_sets[name] = change_set
    schedule_change_set(ctx, stack, change_set)
    return {"Id": change_set.change_set_id, "StackId": stack.stack_id}


def schedule_change_set(ctx, stack, change_set):
    """CREATE_PENDING now, CREATE_IN_PROGRESS halfway, then CREATE_COMPLETE with
    the changes (or FAILED with the reason) after the configured delay."""
    delay = ctx.state.config["changeset_delay_ms"] / 1000.0

    def in_progress():
        if change_set.status == "CREATE_PENDING":
            change_set.status = "CREATE_IN_PROGRESS"

    def complete():
        if change_set.status not in ("CREATE_PENDING", "CREATE_IN_PROGRESS"):
            return
        old_template = stack.template if change_set.type == "UPDATE" else None
        unresolved = stack_output_error(ctx.state, stack.region, change_set.template)
        if unresolved:
            change_set.status = "FAILED"
            change_set.status_reason = unresolved
            return
        try:
            changes = compute_changes(stack, old_template, stack.parameters,
                                      change_set.template, change_set.parameters)
        except TypeChange as exc:
            change_set.status = "FAILED"
            change_set.status_reason = ("Update of resource type is not permitted. The new "
                                        "template modifies resource type of the following "
                                        "resources: [%s]" % exc.logical)
            return
        outputs_change = change_set.type == "UPDATE" and (
            (old_template or {}).get("Outputs") != change_set.template.get("Outputs") or
            (change_set.tags and change_set.tags != stack.tags))
        if not changes and change_set.type == "UPDATE" and not outputs_change:
            change_set.status = "FAILED"
            change_set.status_reason = NO_CHANGES_REASON
            return
        change_set.changes = changes
        if change_set.include_nested:
            reason = nested.make_change_sets(ctx, stack, change_set)
            if reason:
                nested.forget_change_sets(ctx.state, change_set)
                change_set.status, change_set.status_reason = "FAILED", reason
                return
        change_set.status = "CREATE_COMPLETE"
        change_set.execution_status = "AVAILABLE"

    ctx.state.schedule(ctx.now + delay / 2, in_progress)
    ctx.state.schedule(ctx.now + delay, complete)


def find_change_set(ctx, params):
    """The change set named by ChangeSetName (a name with StackName, or an ARN)."""
    name = require(params, "ChangeSetName")
    stack_name = params.get("StackName")
    if name.startswith("arn:"):
        if name in ctx.state.cloudformation.nested_change_sets:
            return ctx.state.cloudformation.nested_change_sets[name]
        for stack in ctx.state.cloudformation.stacks:
            for change_set in stack.change_sets.values():
                if change_set.change_set_id == name:
                    return change_set
        raise ServiceError("ChangeSetNotFound", "ChangeSet [%s] does not exist" % name, 404)
    if not stack_name:
        raise ServiceError("ValidationError", "StackName must be specified if ChangeSetName is "
                           "not specified as an ARN.")
    stack = ctx.state.cloudformation.find(ctx.region, stack_name)
    if not stack or name not in stack.change_sets:
        raise ServiceError("ChangeSetNotFound", "ChangeSet [%s] does not exist" % name, 404)
    return stack.change_sets[name]


def page(items, params, size):
    """One page of `items` and the NextToken for the rest (an index, opaque to
    clients)."""
    start = 0
    token = params.get("NextToken")
    if token:
        try:
            start = int(token.split("-")[-1])
        except ValueError:
            raise ServiceError("ValidationError", "Invalid NextToken")
    chunk = items[start:start + size]
    more = start + size < len(items)
    return chunk, ("page-%d" % (start + size) if more else None)


def describe_change_set(ctx, params):
    change_set = find_change_set(ctx, params)
    stack = change_set.stack
    changes, next_token = page(change_set.changes, params,
                               ctx.state.config["changes_page_size"])
    return {
        "ChangeSetName": change_set.name, "ChangeSetId": change_set.change_set_id,
        "StackId": stack.stack_id, "StackName": stack.name,
        "Description": change_set.description,
        "Parameters": [{"ParameterKey": k, "ParameterValue": v}
                       for k, v in change_set.parameters.items()] or None,
        "CreationTime": iso_ms(change_set.creation_time),
        "ExecutionStatus": change_set.execution_status, "Status": change_set.status,
        "StatusReason": change_set.status_reason, "NotificationARNs": [],
        "RollbackConfiguration": {}, "Capabilities": change_set.capabilities or None,
        "Tags": [{"Key": k, "Value": v} for k, v in change_set.tags] or None,
        "Changes": [change_shape(c) for c in changes], "NextToken": next_token,
        "IncludeNestedStacks": change_set.include_nested,
        "ParentChangeSetId": change_set.parent_change_set_id,
        "RootChangeSetId": change_set.root_change_set_id,
    }


def execute_change_set(ctx, params):
    change_set = find_change_set(ctx, params)
    stack = change_set.stack
    if change_set.parent_change_set_id:
        raise ServiceError("ValidationError", "Execution of a nested change set is not "
                           "supported: execute the root change set [%s]"
                           % change_set.root_change_set_id)
    token = params.get("ClientRequestToken")
    if token and change_set.execution_token == token and ctx.state.config["honour_tokens"]:
        return {}  # the same execution requested again: it is under way, or done
    if change_set.execution_status != "AVAILABLE":
        raise ServiceError("InvalidChangeSetStatus", "ChangeSet [%s] cannot be executed in its "
                           "current status of [%s]" % (change_set.change_set_id,
                                                       change_set.status
                                                       if change_set.status != "CREATE_COMPLETE"
                                                       else change_set.execution_status))
    if stack.status.endswith("_IN_PROGRESS") and stack.status != "REVIEW_IN_PROGRESS":
        raise ServiceError("ValidationError", "Stack:%s is in %s state and can not be updated."
                           % (stack.stack_id, stack.status))
    touched = [c["LogicalResourceId"] for c in change_set.changes if c["Action"] != "Remove"]
    operation = "create" if change_set.type == "CREATE" else "update"
    failures = ctx.state.take_resource_failures(stack.name, touched, operation)
    # What the resource types' handlers refuse: the bundled schema and value rules.
    definitions = effective_resources(stack, change_set.template, change_set.parameters)
    for logical in touched:
        definition = definitions.get(logical)
        reason = definition and schema.provisioning_error(
            ctx.state.schemas, logical, definition["Type"], definition["Properties"])
        if reason and logical not in failures:
            failures[logical] = reason
    change_set.execution_status = "EXECUTE_IN_PROGRESS"
    change_set.execution_token = token
    stack.last_change_set_id = change_set.change_set_id
    # Executing removes every other change set of the stack, as in AWS.
    for other in stack.change_sets.values():
        if other is not change_set:
            nested.forget_change_sets(ctx.state, other)
    nested.forget_change_sets(ctx.state, change_set)
    stack.change_sets = {change_set.name: change_set}
    if change_set.type == "CREATE":
        stack.template, stack.template_body = change_set.template, change_set.template_body
        stack.parameters = change_set.parameters
        stack.capabilities = change_set.capabilities
        stack.description = change_set.template.get("Description")
        stack.tags = change_set.tags
        plan = plan_create(ctx, stack, change_set, failures, token)
    else:
        plan = plan_update(ctx, stack, change_set, failures, token)

    def settle():
        ok = stack.status in ("CREATE_COMPLETE", "UPDATE_COMPLETE")
        change_set.execution_status = "EXECUTE_COMPLETE" if ok else "EXECUTE_FAILED"
    # Scheduled last at the plan's final time, so it runs after its last step.
    ctx.state.schedule(plan.t, settle)
    return {}


def delete_change_set(ctx, params):
    change_set = find_change_set(ctx, params)
    if change_set.execution_status == "EXECUTE_IN_PROGRESS":
        raise ServiceError("InvalidChangeSetStatus", "Cannot delete ChangeSet [%s] in status "
                           "EXECUTE_IN_PROGRESS" % change_set.change_set_id)
    stack = change_set.stack
    if change_set.parent_change_set_id:
        raise ServiceError("ValidationError", "Deletion of a nested change set is not "
                           "supported: delete the root change set [%s]"
                           % change_set.root_change_set_id)
    nested.forget_change_sets(ctx.state, change_set)
    del stack.change_sets[change_set.name]
    # A stack that only ever existed for review disappears with its last change set.
    if stack.status == "REVIEW_IN_PROGRESS" and not stack.change_sets:
        stack.deleted = True
        stack.status = "DELETE_COMPLETE"
        stack.deletion_time = ctx.now
    return {}


def describe_stacks(ctx, params):
    name = params.get("StackName")
    if name:
        stacks = [stack_or_error(ctx, name, include_deleted=name.startswith("arn:"))]
    else:
        stacks = [s for s in reversed(ctx.state.cloudformation.stacks)
                  if not s.deleted and s.region == ctx.region]
    chunk, next_token = page(stacks, params, 100)
    return {"Stacks": [s.shape() for s in chunk], "NextToken": next_token}


def describe_stack_events(ctx, params):
    name = require(params, "StackName")
    stack = stack_or_error(ctx, name, include_deleted=name.startswith("arn:"))
    newest_first = list(reversed(stack.events))
    # The token is the sequence number of the next (older) event, so events that
    # arrive between two pages do not shift the later pages.
    token = params.get("NextToken")
    if token:
        try:
            below = int(token.split("-")[-1])
        except ValueError:
            raise ServiceError("ValidationError", "Invalid NextToken")
        newest_first = [e for e in newest_first if e.seq <= below]
    size = ctx.state.config["events_page_size"]
    chunk = newest_first[:size]
    next_token = ("events-%d" % newest_first[size].seq) if len(newest_first) > size else None
    return {"StackEvents": [e.shape() for e in chunk], "NextToken": next_token}


def delete_stack(ctx, params):
    name = require(params, "StackName")
    stack = ctx.state.cloudformation.find(ctx.region, name)
    if not stack or stack.deleted or stack.status == "DELETE_IN_PROGRESS":
        return None  # deleting a stack that is not there succeeds, as in AWS
    if stack.status.endswith("_IN_PROGRESS") and stack.status != "REVIEW_IN_PROGRESS":
        raise ServiceError("ValidationError", "Stack [%s] cannot be deleted while in status %s"
                           % (stack.name, stack.status))
    token = params.get("ClientRequestToken")
    stack.change_sets = {}
    if stack.status == "REVIEW_IN_PROGRESS":
        stack.deleted, stack.status, stack.deletion_time = True, "DELETE_COMPLETE", ctx.now
        stack.add_event(ctx.now, stack.name, stack.stack_id, STACK_TYPE, "DELETE_COMPLETE",
                        None, token)
        return None
    failures = ctx.state.take_resource_failures(stack.name, list(stack.resources), "delete")
    for logical, resource in stack.resources.items():
        reason = schema.deletion_protected(resource.type, resource.properties)
        if reason and logical not in failures:
            failures[logical] = reason
    plan_delete(ctx, stack, failures, token)
    return None


def continue_update_rollback(ctx, params):
    """Takes up the rollback of a stack left UPDATE_ROLLBACK_FAILED: the resources
    that failed to roll back are tried again, those of ResourcesToSkip marked
    UPDATE_COMPLETE as they are, then the cleanup, and UPDATE_ROLLBACK_COMPLETE."""
    stack = stack_or_error(ctx, require(params, "StackName"))
    token = params.get("ClientRequestToken")
    if token and token == stack.rollback_token and ctx.state.config["honour_tokens"]:
        return {}  # the same request again: it is under way, or done
    if stack.status != "UPDATE_ROLLBACK_FAILED":
        raise ServiceError("ValidationError", "Stack %s is in %s state and can not be "
                           "continued to roll back. It must be in UPDATE_ROLLBACK_FAILED state."
                           % (stack.stack_id, stack.status))
    skip = member_list(params, "ResourcesToSkip")
    unknown = [logical for logical in skip if logical not in stack.resources]
    if unknown:
        raise ServiceError("ValidationError", "ResourcesToSkip names resources stack %s "
                           "does not have: %s" % (stack.name, ", ".join(unknown)))
    stack.rollback_token = token
    plan = Plan(ctx, stack, token)
    plan.stack_status("UPDATE_ROLLBACK_IN_PROGRESS", "Continue update rollback")
    pending = stack.pending_rollback
    if pending is None:  # preloaded in this state: nothing the emulator knows of is left
        plan.stack_status("UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS")
        plan.stack_status("UPDATE_ROLLBACK_COMPLETE")
        return {}
    for logical in skip:
        plan.resource_status(logical, stack.resources[logical].type, "UPDATE_COMPLETE",
                             "Resource skipped during UpdateRollback")
    left = [logical for logical in pending["left"] if logical not in skip]
    rollback_update(plan, stack, pending, left,
                    ctx.state.take_resource_failures(stack.name, left, "rollback"))
    return {}


def get_template(ctx, params):
    if params.get("ChangeSetName"):
        change_set = find_change_set(ctx, params)
        body = change_set.template_body
    else:
        stack = stack_or_error(ctx, require(params, "StackName"), include_deleted=True)
        body = stack.template_body
        if body is None:
            raise ServiceError("ValidationError",
                               "Stack with id %s does not exist" % params["StackName"])
    return {"TemplateBody": body, "StagesAvailable": ["Original", "Processed"]}


def list_stacks(ctx, params):
    wanted = set(member_list(params, "StackStatusFilter"))
    stacks = [s for s in reversed(ctx.state.cloudformation.stacks)
              if s.region == ctx.region and (not wanted or s.status in wanted)]
    chunk, next_token = page(stacks, params, 100)
    summaries = []
    for s in chunk:
        summaries.append({
            "StackId": s.stack_id, "StackName": s.name,
            "TemplateDescription": s.description,
            "CreationTime": iso_ms(s.creation_time),
            "LastUpdatedTime": iso_ms(s.last_updated_time) if s.last_updated_time else None,
            "DeletionTime": iso_ms(s.deletion_time) if s.deletion_time else None,
            "StackStatus": s.status, "StackStatusReason": s.status_reason,
            "DriftInformation": {"StackDriftStatus": "NOT_CHECKED"},
        })
    return {"StackSummaries": summaries, "NextToken": next_token}


ACTIONS = {
    "CreateChangeSet": create_change_set,
    "DescribeChangeSet": describe_change_set,
    "ExecuteChangeSet": execute_change_set,
    "DeleteChangeSet": delete_change_set,
    "DescribeStacks": describe_stacks,
    "DescribeStackEvents": describe_stack_events,
    "DeleteStack": delete_stack,
    "ContinueUpdateRollback": continue_update_rollback,
    "GetTemplate": get_template,
    "ListStacks": list_stacks,
}


def handle(ctx, params):
    """Answers one CloudFormation query-protocol request."""
    action = params.get("Action", "")
    handler = ACTIONS.get(action)
    if not handler:
        raise ServiceError("InvalidAction", "The action %s is not valid for this web service."
                           % (action or "(none)"))
    if params.get("Version") not in (None, VERSION):
        raise ServiceError("InvalidParameterValue", "Version %s is not supported; use %s"
                           % (params.get("Version"), VERSION))
    return query_response(action, XMLNS, handler(ctx, params), ctx.request_id)


# ---- preloading (the admin endpoint) ---------------------------------------------------------------


def preload(ctx, spec):
    """Creates a stack directly in a given state, e.g. {"name": "app", "status":
    "ROLLBACK_COMPLETE"}; optional "template" (object or JSON text),
    "parameters" {key: value}, "status_reason", "region"."""
    name, status = spec["name"], spec.get("status", "CREATE_COMPLETE")
    check_name(name, "stackName")
    if ctx.state.cloudformation.find(ctx.region, name):
        raise ServiceError("AlreadyExistsException", "Stack [%s] already exists" % name)
    stack = Stack(ctx.state, ctx.region, name, ctx.now)
    template = spec.get("template")
    if template is not None:
        body = template if isinstance(template, str) else json.dumps(template)
        stack.template, stack.template_body = parse_template(body), body
        stack.parameters = resolve_parameters(
            stack.template, [{"ParameterKey": k, "ParameterValue": v}
                             for k, v in (spec.get("parameters") or {}).items()], {})
        stack.description = stack.template.get("Description")
    stack.status, stack.status_reason = status, spec.get("status_reason")
    stack.tags = [(k, v) for k, v in (spec.get("tags") or {}).items()]
    live = status in UPDATABLE or status in ("UPDATE_ROLLBACK_FAILED", "DELETE_FAILED")
    if live and stack.template:
        for logical, definition in effective_resources(stack, stack.template,
                                                       stack.parameters).items():
            physical = physical_id_for(ctx, stack, logical, definition["Type"],
                                       definition["Properties"])
            stack.resources[logical] = Resource(logical, definition["Type"], physical,
                                                definition["Properties"], "CREATE_COMPLETE")
        compute_outputs(stack)
    if status == "ROLLBACK_COMPLETE":
        history = [("CREATE_IN_PROGRESS", "User Initiated"),
                   ("ROLLBACK_IN_PROGRESS", spec.get("status_reason") or
                    "The following resource(s) failed to create: [Unknown]. "
                    "Rollback requested by user."),
                   ("ROLLBACK_COMPLETE", None)]
    else:
        history = [(status, spec.get("status_reason"))]
    for event_status, reason in history:
        stack.add_event(ctx.now, name, stack.stack_id, STACK_TYPE, event_status, reason, None)
    ctx.state.cloudformation.stacks.append(stack)
    return {"StackId": stack.stack_id, "StackName": name, "StackStatus": status}


def summary(stack):
    """A stack as the admin endpoint lists it, for debugging tests."""
    return {"StackName": stack.name, "StackId": stack.stack_id, "Region": stack.region,
            "StackStatus": stack.status, "Deleted": stack.deleted, "ParentId": stack.parent_id,
            "Parameters": dict(stack.parameters),
            "Tags": dict(stack.tags), "Outputs": {o["OutputKey"]: o["OutputValue"]
                                                  for o in stack.outputs},
            "Resources": {k: {"Type": r.type, "PhysicalResourceId": r.physical_id,
                              "Status": r.status, "Properties": r.properties}
                          for k, r in stack.resources.items()},
            "ChangeSets": {k: {"Status": c.status, "ExecutionStatus": c.execution_status}
                           for k, c in stack.change_sets.items()}}
