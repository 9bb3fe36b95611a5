"""Resource properties checked as CloudFormation checks them when it provisions a
resource: against the resource type's schema (the copy stackc bundles in
stdlib/schema, one file per service), and against a few documented value rules.
A resource that fails is CREATE_FAILED / UPDATE_FAILED with CloudFormation's
wording, and the stack rolls back.

The schema files map each resource type to its properties, each a type
expression: string, integer, double, boolean, json, timestamp, Tag, List<T>,
Map<T>, alternatives "a|b", or a property type of the service
("AWS::ECS::TaskDefinition.ContainerDefinition", whose own properties are under
"types"); a property may be {"type": ..., "required": true}. Values that are
still intrinsic functions ({"Ref": ...}, {"Fn::GetAtt": ...}) are not checked:
they are only known at deploy time."""

import json
import os
import re

SCHEMA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "stdlib",
                          "schema")

# Fargate's task sizes (ECS developer guide, "Task CPU and memory"): CPU units ->
# the memory sizes (MiB) allowed with it.
FARGATE_SIZES = {
    256: [512, 1024, 2048],
    512: list(range(1024, 4096 + 1, 1024)),
    1024: list(range(2048, 8192 + 1, 1024)),
    2048: list(range(4096, 16384 + 1, 1024)),
    4096: list(range(8192, 30720 + 1, 1024)),
    8192: list(range(16384, 61440 + 1, 4096)),
    16384: list(range(32768, 122880 + 1, 8192)),
}


class Schemas:
    """The bundled schema files, read on first use."""

    def __init__(self, directory=SCHEMA_DIR):
        self.directory = directory
        self.files = {}

    def service(self, type_name):
        """The schema file of the service in "AWS::Service::..." (None when absent)."""
        parts = type_name.split("::")
        if len(parts) < 3:
            return None
        if parts[1] not in self.files:
            path = os.path.join(self.directory, parts[1] + ".json")
            try:
                with open(path, encoding="utf-8") as f:
                    self.files[parts[1]] = json.load(f)
            except (OSError, ValueError):
                self.files[parts[1]] = None
        return self.files[parts[1]]

    def resource(self, type_name):
        service = self.service(type_name)
        return (service or {}).get("resources", {}).get(type_name)

    def property_type(self, type_name):
        service = self.service(type_name)
        found = (service or {}).get("types", {}).get(type_name)
        return found if isinstance(found, dict) else None


def is_intrinsic(value):
    if not isinstance(value, dict) or len(value) != 1:
        return False
    key = next(iter(value))
    return key == "Ref" or key.startswith("Fn::")


def json_type(value):
    """The name CloudFormation's validator gives a value's type."""
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, (int, float)):
        return "Number"
    if isinstance(value, str):
        return "String"
    if isinstance(value, list):
        return "JSONArray"
    return "JSONObject"


def split_alternatives(expression):
    """"a|List<b|c>" -> ["a", "List<b|c>"]: '|' outside angle brackets."""
    parts, depth, start = [], 0, 0
    for i, c in enumerate(expression):
        depth += c == "<"
        depth -= c == ">"
        if c == "|" and depth == 0:
            parts.append(expression[start:i])
            start = i + 1
    parts.append(expression[start:])
    return parts


class Checker:
    def __init__(self, schemas):
        self.schemas = schemas
        self.errors = []

    def fail(self, path, message):
        self.errors.append("%s: %s" % (path, message))

    def value(self, expression, value, path):
        """Checks `value` against a type expression; True when it fits."""
        if is_intrinsic(value):
            return True
        alternatives = split_alternatives(expression)
        if len(alternatives) > 1:
            for alternative in alternatives:
                trial = Checker(self.schemas)
                if trial.value(alternative, value, path):
                    return True
            self.fail(path, "expected type: %s, found: %s"
                      % (" or ".join(alternatives), json_type(value)))
            return False
        match = re.match(r"^(List|Map)<(.*)>$", expression)
        if match:
            return self.collection(match.group(1), match.group(2), value, path)
        return self.scalar_or_object(expression, value, path)

    def collection(self, kind, inner, value, path):
        if kind == "List":
            if not isinstance(value, list):
                self.fail(path, "expected type: JSONArray, found: %s" % json_type(value))
                return False
            return all([self.value(inner, item, "%s/%d" % (path, i))
                        for i, item in enumerate(value)])
        if not isinstance(value, dict):
            self.fail(path, "expected type: JSONObject, found: %s" % json_type(value))
            return False
        return all([self.value(inner, item, "%s/%s" % (path, key))
                    for key, item in value.items()])

    def scalar_or_object(self, expression, value, path):
        # CloudFormation passes scalars through as strings and reads them back.
        scalar = isinstance(value, (str, int, float, bool))
        if expression in ("string", "timestamp"):
            ok = scalar
            wanted = "String"
        elif expression == "integer":
            ok = (isinstance(value, int) and not isinstance(value, bool)) or \
                (isinstance(value, str) and re.match(r"^-?\d+$", value) is not None)
            wanted = "Integer"
        elif expression in ("double", "long"):
            ok = (isinstance(value, (int, float)) and not isinstance(value, bool)) or \
                (isinstance(value, str) and re.match(r"^-?\d+(\.\d+)?$", value) is not None)
            wanted = "Number"
        elif expression == "boolean":
            ok = isinstance(value, bool) or value in ("true", "false", "True", "False")
            wanted = "Boolean"
        elif expression == "json":
            return True
        elif expression == "Tag":
            return self.object({"Key": {"type": "string", "required": True},
                                "Value": {"type": "string", "required": True}}, value, path)
        else:
            shape = self.schemas.property_type(expression)
            if shape is None:
                return True  # a type this copy of the schema does not describe
            return self.object(shape.get("properties", {}), value, path)
        if not ok:
            self.fail(path, "expected type: %s, found: %s" % (wanted, json_type(value)))
        return ok

    def object(self, properties, value, path):
        if not isinstance(value, dict):
            self.fail(path, "expected type: JSONObject, found: %s" % json_type(value))
            return False
        ok = True
        for key in value:
            if key not in properties:
                self.fail(path, "extraneous key [%s] is not permitted" % key)
                ok = False
        for key, spec in properties.items():
            required = isinstance(spec, dict) and spec.get("required")
            if required and key not in value:
                self.fail(path, "required key [%s] not found" % key)
                ok = False
        for key, item in value.items():
            spec = properties.get(key)
            if spec is not None:
                expression = spec.get("type") if isinstance(spec, dict) else spec
                ok = self.value(expression, item, "%s/%s" % (path, key)) and ok
        return ok


def schema_errors(schemas, type_name, properties):
    """The schema's complaints about a resource's properties, in CloudFormation's
    path syntax ("#/Cpu: expected type: String, found: JSONObject"); [] when the
    type is not in the bundled schema."""
    resource = schemas.resource(type_name)
    if resource is None or not isinstance(properties, dict):
        return []
    checker = Checker(schemas)
    checker.object(resource.get("properties", {}), properties, "#")
    return checker.errors


# ---- value rules ---------------------------------------------------------------------------


def size_of(value, unit_word):
    """Fargate's sizes as ECS reads them: "1024", 1024, "1 vCPU", "2 GB"."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return int(value)
    match = re.match(r"^\s*(\d+(?:\.\d+)?)\s*(%s)?\s*$" % unit_word, str(value), re.I)
    if not match:
        return None
    number = float(match.group(1))
    return int(number * 1024) if match.group(2) else int(number)


def fargate_rule(properties):
    """A Fargate task definition's Cpu and Memory must be one of Fargate's sizes."""
    compatibilities = properties.get("RequiresCompatibilities")
    if not isinstance(compatibilities, list) or "FARGATE" not in compatibilities:
        return None
    cpu_value, memory_value = properties.get("Cpu"), properties.get("Memory")
    if is_intrinsic(cpu_value) or is_intrinsic(memory_value):
        return None
    cpu, memory = size_of(cpu_value, "vCPU"), size_of(memory_value, "GB")
    if cpu_value is None or memory_value is None:
        return ("Invalid request provided: Create TaskDefinition: Fargate requires that '%s' "
                "be defined at the task level. (Service: AmazonECS; Status Code: 400; Error "
                "Code: ClientException)" % ("cpu" if cpu_value is None else "memory"))
    if cpu not in FARGATE_SIZES or memory not in FARGATE_SIZES[cpu]:
        return ("Invalid request provided: Create TaskDefinition: No Fargate configuration "
                "exists for given values: %s CPU, %s memory. See the Amazon ECS documentation "
                "for the valid values. (Service: AmazonECS; Status Code: 400; Error Code: "
                "ClientException)" % (cpu_value, memory_value))
    return None


def serverless_v2_rule(properties):
    """Aurora Serverless v2 capacity: 0 to 256 ACUs in steps of 0.5, minimum <= maximum."""
    scaling = properties.get("ServerlessV2ScalingConfiguration")
    if not isinstance(scaling, dict):
        return None
    low, high = scaling.get("MinCapacity"), scaling.get("MaxCapacity")
    try:
        low, high = float(low), float(high)
    except (TypeError, ValueError):
        return None
    valid = all(0 <= v <= 256 and (v * 2).is_integer() for v in (low, high)) and high >= 1
    if not valid or low > high:
        return ("Invalid request provided: ServerlessV2ScalingConfiguration: the minimum "
                "capacity (%g) and maximum capacity (%g) must be from 0 to 256 ACUs in steps "
                "of 0.5, the maximum at least 1 and not below the minimum. (Service: Rds, "
                "Status Code: 400)" % (low, high))
    return None


VALUE_RULES = {
    "AWS::ECS::TaskDefinition": [fargate_rule],
    "AWS::RDS::DBCluster": [serverless_v2_rule],
}


def provisioning_error(schemas, logical_id, type_name, properties):
    """Why CloudFormation would fail to create or update this resource, in its
    words, or None."""
    errors = schema_errors(schemas, type_name, properties)
    if errors:
        return "Properties validation failed for resource %s with message:\n[%s]" \
            % (logical_id, ", ".join(errors))
    for rule in VALUE_RULES.get(type_name, []):
        message = rule(properties if isinstance(properties, dict) else {})
        if message:
            return "Resource handler returned message: \"%s\" (HandlerErrorCode: " \
                   "InvalidRequest)" % message
    return None


def deletion_protected(type_name, properties):
    """The reason a protected database refuses deletion, or None."""
    if type_name not in ("AWS::RDS::DBCluster", "AWS::RDS::DBInstance"):
        return None
    protection = (properties or {}).get("DeletionProtection")
    if protection not in (True, "true", "True"):
        return None
    what = "Cluster" if type_name == "AWS::RDS::DBCluster" else "DB Instance"
    return ("Resource handler returned message: \"Cannot delete protected %s, please disable "
            "deletion protection and try again. (Service: Rds, Status Code: 400)\" "
            "(HandlerErrorCode: InvalidRequest)" % what)
