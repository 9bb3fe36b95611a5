#!/usr/bin/env python3
"""Structural check of a generated docker-compose.yml and its .env, for machines
without the Docker Compose CLI (compose_test runs `docker compose config` when it can).

usage: check-compose.py DIR    (DIR holds docker-compose.yml and .env)
Exit 0 when valid; 1 with the reasons on stderr; 77 when PyYAML is missing."""
import os
import re
import sys

try:
    import yaml
except ImportError:
    sys.exit(77)

SERVICE_KEYS = {"image", "build", "profiles", "command", "environment", "ports", "volumes",
                "network_mode", "depends_on", "healthcheck"}
BUILD_KEYS = {"context", "dockerfile", "args", "target"}
HEALTH_KEYS = {"test", "interval", "timeout", "retries", "start_period"}
DURATION = re.compile(r"^(\d+(ms|s|m|h))+$")
VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(:\?[^}]*)?\}")


def main(folder):
    errors = []
    with open(os.path.join(folder, "docker-compose.yml"), encoding="utf-8") as f:
        text = f.read()
    doc = yaml.safe_load(text)
    env = {}
    with open(os.path.join(folder, ".env"), encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                key, _, value = line.partition("=")
                env[key] = value
    if not isinstance(doc, dict) or set(doc) - {"services", "volumes"}:
        errors.append("top level must be services and volumes")
    services = doc.get("services") or {}
    volumes = doc.get("volumes") or {}
    for name, service in services.items():
        where = f"service {name}"
        if not re.match(r"^[a-z0-9][a-z0-9_.-]*$", name):
            errors.append(f"{where}: not a valid service name")
        if set(service) - SERVICE_KEYS:
            errors.append(f"{where}: unknown keys {sorted(set(service) - SERVICE_KEYS)}")
        if ("image" in service) == ("build" in service):
            errors.append(f"{where}: needs exactly one of image and build")
        build = service.get("build")
        if build is not None:
            if set(build) - BUILD_KEYS:
                errors.append(f"{where}: unknown build keys")
            context = os.path.join(folder, build["context"])
            dockerfile = os.path.join(context, build.get("dockerfile", "Dockerfile"))
            if not os.path.isfile(dockerfile):
                errors.append(f"{where}: no {dockerfile}")
        for key, value in (service.get("environment") or {}).items():
            if not isinstance(value, str):
                errors.append(f"{where}: {key} is not a string")
        mode = service.get("network_mode")
        if mode is not None:
            owner = mode.removeprefix("service:")
            if not mode.startswith("service:") or owner not in services:
                errors.append(f"{where}: network_mode names no service")
            if "ports" in service:
                errors.append(f"{where}: ports belong to the namespace's owner")
            if owner not in (service.get("depends_on") or {}):
                errors.append(f"{where}: does not wait for {owner}")
        profiles = service.get("profiles") or []
        if not isinstance(profiles, list) or not all(re.match(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]*$", p) for p in profiles):
            errors.append(f"{where}: bad profiles")
        for target, condition in (service.get("depends_on") or {}).items():
            if target not in services:
                errors.append(f"{where}: depends on unknown {target}")
            # `up` without the profile would not start what a service outside it waits for.
            elif (services[target].get("profiles") or []) and not set(services[target]["profiles"]) & set(profiles):
                errors.append(f"{where}: waits for {target}, which is only in profiles {services[target]['profiles']}")
            if condition.get("condition") == "service_healthy" and "healthcheck" not in services.get(target, {}):
                errors.append(f"{where}: waits for {target} to be healthy, which has no healthcheck")
        for mount in service.get("volumes") or []:
            parts = mount.split(":")
            if len(parts) not in (2, 3) or not parts[1].startswith("/") or parts[2:] not in ([], ["ro"]):
                errors.append(f"{where}: bad mount {mount}")
            elif parts[0] not in volumes:
                errors.append(f"{where}: volume {parts[0]} is not declared")
        for port in service.get("ports") or []:
            if not re.match(r"^127\.0\.0\.1:(\d+|\$\{[A-Z0-9_]+\}):\d+$", port):
                errors.append(f"{where}: bad port {port}")
        health = service.get("healthcheck")
        if health is not None:
            if set(health) - HEALTH_KEYS or not isinstance(health.get("test"), list):
                errors.append(f"{where}: bad healthcheck")
            for key in ("interval", "timeout", "start_period"):
                if key in health and not DURATION.match(health[key]):
                    errors.append(f"{where}: bad {key}")
    for match in VARIABLE.finditer(text.replace("$$", "")):
        if match.group(1) not in env:
            errors.append(f"${{{match.group(1)}}} is not in .env")
    for message in errors:
        print(f"{folder}: {message}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
