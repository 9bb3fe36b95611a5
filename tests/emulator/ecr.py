"""ECR over the JSON 1.1 protocol (X-Amz-Target
AmazonEC2ContainerRegistry_V20150921.<Operation>): GetAuthorizationToken,
DescribeRepositories, CreateRepository."""

import base64
import re

from wire import ServiceError, json_response

TARGET_PREFIX = "AmazonEC2ContainerRegistry_V20150921."
NAME_RE = re.compile(r"^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$")

# How long an authorization token lives, as in ECR.
TOKEN_LIFETIME = 12 * 3600

# The emulator's registries live under a name that resolves nowhere (RFC 2606's
# ".invalid"), so that nothing a test logs in to or pushes to can reach AWS.
REGISTRY_DOMAIN = "dkr.ecr.%s.emulator.invalid"


def registry_host(account, region):
    return "%s.%s" % (account, REGISTRY_DOMAIN % region)


class Store:
    def __init__(self):
        self.repositories = {}  # (region, name) -> repository dict as ECR returns it


def registry(ctx, payload):
    account = ctx.state.config["account_id"]
    wanted = payload.get("registryId")
    if wanted not in (None, account):
        raise ServiceError("InvalidParameterException", "Invalid parameter at 'registryId' "
                           "failed to satisfy constraint: 'must be the caller's account'")
    return account


def get_authorization_token(ctx, payload):
    account = ctx.state.config["account_id"]
    n = ctx.state.next_id("ecr-token")
    password = "emulator-ecr-password-%d" % n
    token = base64.b64encode(("AWS:" + password).encode()).decode()
    return {"authorizationData": [{
        "authorizationToken": token,
        "expiresAt": round(ctx.now + TOKEN_LIFETIME, 3),
        "proxyEndpoint": "https://" + registry_host(account, ctx.region),
    }]}


def not_found(name, account):
    return ServiceError("RepositoryNotFoundException", "The repository with name '%s' does not "
                        "exist in the registry with id '%s'" % (name, account))


def describe_repositories(ctx, payload):
    account = registry(ctx, payload)
    store = ctx.state.ecr.repositories
    names = payload.get("repositoryNames")
    if names:
        found = []
        for name in names:
            repository = store.get((ctx.region, name))
            if repository is None:
                raise not_found(name, account)
            found.append(repository)
        return {"repositories": found}
    everything = [r for (region, _), r in sorted(store.items()) if region == ctx.region]
    start = int(payload.get("nextToken") or 0)
    size = int(payload.get("maxResults") or 100)
    result = {"repositories": everything[start:start + size]}
    if start + size < len(everything):
        result["nextToken"] = str(start + size)
    return result


def create_repository(ctx, payload):
    account = registry(ctx, payload)
    name = payload.get("repositoryName") or ""
    if not (2 <= len(name) <= 256 and NAME_RE.match(name)):
        raise ServiceError("InvalidParameterException", "Invalid parameter at 'repositoryName' "
                           "failed to satisfy constraint: 'must satisfy regular expression "
                           "'(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*''")
    store = ctx.state.ecr.repositories
    if (ctx.region, name) in store:
        raise ServiceError("RepositoryAlreadyExistsException", "The repository with name '%s' "
                           "already exists in the registry with id '%s'" % (name, account))
    repository = {
        "repositoryArn": "arn:aws:ecr:%s:%s:repository/%s" % (ctx.region, account, name),
        "registryId": account,
        "repositoryName": name,
        "repositoryUri": "%s/%s" % (registry_host(account, ctx.region), name),
        "createdAt": round(ctx.now, 3),
        "imageTagMutability": payload.get("imageTagMutability", "MUTABLE"),
        "imageScanningConfiguration": payload.get("imageScanningConfiguration",
                                                  {"scanOnPush": False}),
        "encryptionConfiguration": payload.get("encryptionConfiguration",
                                               {"encryptionType": "AES256"}),
    }
    store[(ctx.region, name)] = repository
    return {"repository": repository}


OPERATIONS = {
    "GetAuthorizationToken": get_authorization_token,
    "DescribeRepositories": describe_repositories,
    "CreateRepository": create_repository,
}


def handle(ctx, operation, payload):
    handler = OPERATIONS.get(operation)
    if not handler:
        raise ServiceError("UnknownOperationException", "Operation %s is not implemented by the "
                           "stackc emulator" % (operation or "(none)"))
    if not isinstance(payload, dict):
        raise ServiceError("SerializationException", "Start of structure or map found where "
                           "not expected.")
    return json_response(handler(ctx, payload))
