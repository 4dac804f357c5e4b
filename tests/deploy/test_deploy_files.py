"""The deployment files agree with the code they deploy.

No Docker engine runs here, so these tests read the files: deploy/compose.yaml, the
Dockerfile and deploy/.env.example, against platform/epurse/processes.py, the Makefile
and the environment variables the settings read. Change one side only and a test fails.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from epurse import processes

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
DOCKERFILE = ROOT / "Dockerfile"
MAKEFILE = ROOT / "Makefile"
COMPOSE = ROOT / "deploy" / "compose.yaml"
ENV_EXAMPLE = ROOT / "deploy" / ".env.example"
PYPROJECT = ROOT / "pyproject.toml"
BUILT_CSS = ROOT / "assets" / "build" / "css" / "epurse.css"

# Where the platform reads its environment: settings.py through epurse.env's readers,
# paths.py (EPURSE_LOCAL_DIR) and `epurse dev` (PORT, which `make run` passes on).
ENV_READING_MODULES = (
    ROOT / "platform" / "epurse" / "settings.py",
    ROOT / "platform" / "epurse" / "paths.py",
    ROOT / "platform" / "epurse" / "management" / "commands" / "dev.py",
)
ENV_READERS = {"env_str", "env_bool", "env_int", "env_float", "env_list"}
OS_ENV_READERS = {"os.environ.get", "os.getenv"}

SERVICES = {"postgres", "redis", "setup", "web", "worker", "beat"}
APP_SERVICES = ("setup", "web", "worker", "beat")
LONG_RUNNING = ("postgres", "redis", "web", "worker", "beat")
PROCESSES = {"web": processes.WEB, "worker": processes.WORKER, "beat": processes.BEAT}
# Without these the settings refuse to load, or fall back to one-machine defaults
# (embedded database, folder broker, localhost) that a deployment must not use.
REQUIRED_IN_PRODUCTION = {"SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL", "PLATFORM_DOMAIN"}
# Read by `celery beat` itself (click's CELERY_BEAT_ prefix for --enable-remote-control).
BEAT_REMOTE_CONTROL = "CELERY_BEAT_REMOTE_CONTROL"
# The one intended difference between the image's installs and the Makefile's.
DEV_LOCK, RUNTIME_LOCK = "requirements-dev.lock", "requirements.lock"
# Interpreter and pip behaviour in the image, not read by the platform.
IMAGE_ONLY_ENV_PREFIXES = ("PYTHON", "PIP_")


# --- What the code reads ----------------------------------------------------------


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def _literal_name(node: ast.Call | ast.Subscript, arg: ast.expr, path: Path) -> str:
    # A computed name would slip past every check below: refuse it outright.
    if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
        raise AssertionError(
            f"{path.name}:{node.lineno}: environment variable name is not a string literal"
        )
    return arg.value


def environment_reads(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Call):
            func = _dotted(node.func)
            if func in ENV_READERS or func in OS_ENV_READERS:
                names.add(_literal_name(node, node.args[0], path))
        elif isinstance(node, ast.Subscript) and _dotted(node.value) == "os.environ":
            names.add(_literal_name(node, node.slice, path))
    return names


@cache
def variables_read() -> frozenset[str]:
    return frozenset().union(*(environment_reads(path) for path in ENV_READING_MODULES))


# --- deploy/.env.example ------------------------------------------------------------

ENV_LINE = re.compile(r"^(?P<off>#\s*)?(?P<name>[A-Z][A-Z0-9_]*)=(?P<value>.*)$")


@dataclass(frozen=True)
class Documented:
    name: str
    active: bool  # a NAME=value line, not a commented-out "# NAME=default"
    value: str
    comment: str  # the line above


@cache
def env_example() -> tuple[Documented, ...]:
    lines = ENV_EXAMPLE.read_text().splitlines()
    found = []
    for number, line in enumerate(lines):
        match = ENV_LINE.match(line)
        if match:
            above = lines[number - 1] if number else ""
            found.append(
                Documented(
                    name=match["name"],
                    active=not match["off"],
                    value=match["value"],
                    comment="" if ENV_LINE.match(above) else above,
                )
            )
    return tuple(found)


def active_example_values() -> dict[str, str]:
    return {item.name: item.value for item in env_example() if item.active}


# --- deploy/compose.yaml ------------------------------------------------------------


@cache
def compose() -> dict[str, Any]:
    loaded = yaml.safe_load(COMPOSE.read_text())
    assert isinstance(loaded, dict)
    return loaded


def service(name: str) -> dict[str, Any]:
    services = compose()["services"]
    assert isinstance(services[name], dict)
    return services[name]


def service_environment(name: str) -> dict[str, str]:
    environment = service(name).get("environment") or {}
    assert isinstance(environment, dict), "write environment as a mapping"
    return {key: str(value) for key, value in environment.items()}


def interpolated(value: str) -> str:
    """Compose's ${NAME:-default} with NAME unset, as on a first `up`."""
    return re.sub(r"\$\{[A-Z0-9_]+:-([^}]*)\}", r"\1", value)


def healthcheck_test(name: str) -> list[str]:
    check = service(name).get("healthcheck") or {}
    assert not check.get("disable"), f"{name}'s healthcheck is disabled"
    test = check.get("test")
    assert isinstance(test, list), f"{name} has no healthcheck test"
    assert test[0] in ("CMD", "CMD-SHELL"), test
    return [str(part) for part in test]


# --- Dockerfile ---------------------------------------------------------------------


@dataclass(frozen=True)
class Instruction:
    stage: int
    keyword: str
    args: str


@cache
def dockerfile() -> tuple[Instruction, ...]:
    logical: list[str] = []
    pending = ""
    for line in DOCKERFILE.read_text().splitlines():
        if line.strip().startswith("#") or (not line.strip() and not pending):
            continue  # comments, also inside a continued instruction, are dropped
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        logical.append(pending + line)
        pending = ""
    assert not pending, "the Dockerfile ends inside a continued instruction"
    instructions = []
    stage = -1
    for line in logical:
        keyword, _, args = line.strip().partition(" ")
        if keyword.upper() == "FROM":
            stage += 1
        instructions.append(Instruction(stage, keyword.upper(), args.strip()))
    return tuple(instructions)


def final_stage() -> int:
    return max(instruction.stage for instruction in dockerfile())


def instructions(keyword: str, stage: int | None = None) -> list[str]:
    return [
        item.args
        for item in dockerfile()
        if item.keyword == keyword and (stage is None or item.stage == stage)
    ]


def shell_commands(script: str) -> list[list[str]]:
    """A RUN line's commands, each without its leading VAR=value assignments."""
    commands: list[list[str]] = [[]]
    for token in shlex.split(script):
        if token == "&&":
            commands.append([])
        else:
            commands[-1].append(token)
    return [_without_assignments(command) for command in commands]


def _without_assignments(command: list[str]) -> list[str]:
    while command and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", command[0]):
        command = command[1:]
    return command


def run_commands(stage: int, program: str) -> list[list[str]]:
    return [
        command
        for script in instructions("RUN", stage)
        for command in shell_commands(script)
        if command and command[0] == program
    ]


def run_assignments(containing: str) -> dict[str, str]:
    """The VAR=value prefix of the RUN command that starts with `containing`."""
    for script in instructions("RUN"):
        for chunk in script.split("&&"):
            tokens = shlex.split(chunk)
            if _without_assignments(tokens)[: len(containing.split())] == containing.split():
                count = len(tokens) - len(_without_assignments(tokens))
                return dict(token.split("=", 1) for token in tokens[:count])
    raise AssertionError(f"no RUN command `{containing}` in the Dockerfile")


def image_env() -> dict[str, str]:
    env: dict[str, str] = {}
    for args in instructions("ENV", final_stage()):
        for token in shlex.split(args):
            assert "=" in token, f"use ENV NAME=value, not {args!r}"
            name, value = token.split("=", 1)
            env[name] = value
    return env


def from_lines() -> list[list[str]]:
    return [args.split() for args in instructions("FROM")]


# --- Makefile -----------------------------------------------------------------------

MAKE_RULE = re.compile(r"^(?P<targets>[^\t#\s][^:=]*):(?P<prereqs>(?:[^=].*)?)$")


@cache
def make_rules() -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    rules: dict[str, tuple[list[str], list[str]]] = {}
    current: list[str] = []
    for line in MAKEFILE.read_text().splitlines():
        if line.startswith("\t"):
            for target in current:
                rules[target][1].append(line.strip())
            continue
        match = MAKE_RULE.match(line)
        current = match["targets"].split() if match else []
        for target in current:
            rules.setdefault(target, ([], []))[0].extend(match["prereqs"].split() if match else [])
    return {target: (tuple(pre), tuple(recipe)) for target, (pre, recipe) in rules.items()}


def make_recipe(target: str) -> list[list[str]]:
    """The commands `make <target>` runs: its prerequisites' recipes, then its own,
    each with make's @/- prefix and $(BIN)/ dropped."""
    prereqs, recipe = make_rules()[target]
    commands = [c for prereq in prereqs if prereq in make_rules() for c in make_recipe(prereq)]
    for line in recipe:
        tokens = shlex.split(line.lstrip("@-"))
        if tokens and tokens[0].startswith("$(BIN)/"):
            tokens[0] = tokens[0].removeprefix("$(BIN)/")
        commands.append(tokens)
    return commands


def make_commands(target: str, program: str) -> list[list[str]]:
    return [command for command in make_recipe(target) if command and command[0] == program]


# === Compose =========================================================================


def test_compose_has_exactly_the_services() -> None:
    assert set(compose()["services"]) == SERVICES


def test_every_long_running_service_has_a_healthcheck() -> None:
    for name in LONG_RUNNING:
        assert len(healthcheck_test(name)) >= 2, name
        assert service(name)["restart"] == "unless-stopped", name


def test_setup_is_a_one_off() -> None:
    setup = service("setup")

    assert setup["command"] == ["epurse", "setup"]
    assert setup["restart"] == "no"
    # The image's HEALTHCHECK probes a web server, which setup does not run.
    assert setup["healthcheck"] == {"disable": True}
    assert setup["depends_on"] == {"postgres": {"condition": "service_healthy"}}


@pytest.mark.parametrize("name", sorted(PROCESSES))
def test_process_commands_are_those_of_processes_py(name: str) -> None:
    assert service(name)["command"] == PROCESSES[name]


@pytest.mark.parametrize("name", ["web", "worker", "beat"])
def test_processes_start_after_setup_and_the_servers(name: str) -> None:
    assert service(name)["depends_on"] == {
        "setup": {"condition": "service_completed_successfully"},
        "postgres": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
    }


def test_app_services_build_the_dockerfile_into_one_image() -> None:
    images = set()
    for name in APP_SERVICES:
        build = service(name)["build"]
        context = (COMPOSE.parent / build["context"]).resolve()
        assert context == ROOT, name
        assert context / build["dockerfile"] == DOCKERFILE, name
        images.add(service(name)["image"])
    assert len(images) == 1


def test_web_publishes_the_port_gunicorn_binds() -> None:
    bind = processes.WEB[processes.WEB.index("--bind") + 1]
    port = bind.rsplit(":", 1)[1]

    assert service("web")["ports"] == [f"{port}:{port}"]
    assert instructions("EXPOSE", final_stage()) == [port]


def test_web_healthcheck_is_the_images() -> None:
    [image_check] = instructions("HEALTHCHECK", final_stage())
    image_command = json.loads(image_check.split(" CMD ", 1)[1])

    assert healthcheck_test("web") == ["CMD", *image_command]
    assert "urlopen('http://127.0.0.1:8000/healthz'" in image_command[-1]


def test_worker_and_beat_healthchecks_ping_themselves() -> None:
    celery_app = " ".join(processes.WORKER[:3])  # celery -A epurse
    assert processes.BEAT[:3] == processes.WORKER[:3]

    # $$ is compose's escape: the container's shell expands $HOSTNAME, the node's host.
    assert healthcheck_test("worker") == [
        "CMD-SHELL",
        f"{celery_app} inspect ping --destination celery@$$HOSTNAME --timeout 5",
    ]
    assert healthcheck_test("beat") == [
        "CMD-SHELL",
        f"{celery_app} inspect ping --destination celerybeat@$$HOSTNAME --timeout 5",
    ]
    # Beat answers remote control only when asked to.
    assert service_environment("beat")[BEAT_REMOTE_CONTROL] == "true"
    assert BEAT_REMOTE_CONTROL not in service_environment("worker")


def test_beat_keeps_its_schedule_in_a_volume() -> None:
    [volume] = service("beat")["volumes"]
    name, target = volume.split(":")

    assert name in compose()["volumes"]
    assert target == image_env()["EPURSE_LOCAL_DIR"]
    assert PurePosixPath(image_env()["CELERY_BEAT_SCHEDULE_FILENAME"]).parent == PurePosixPath(
        target
    )
    assert "CELERY_BEAT_SCHEDULE_FILENAME" not in service_environment("beat")


def test_servers_are_the_compose_services() -> None:
    postgres = service_environment("postgres")
    for name in APP_SERVICES:
        env = service_environment(name)
        database = urlsplit(env["DATABASE_URL"])
        broker = urlsplit(env["CELERY_BROKER_URL"])
        cache_url = urlsplit(env["CACHE_URL"])

        assert (database.scheme, database.hostname, database.port) == ("postgres", "postgres", 5432)
        assert database.username == postgres["POSTGRES_USER"]
        assert database.password == postgres["POSTGRES_PASSWORD"]
        assert database.path == f"/{postgres['POSTGRES_DB']}"
        assert (broker.scheme, broker.hostname, broker.port, broker.path) == (
            "redis",
            "redis",
            6379,
            "/0",
        )
        assert (cache_url.scheme, cache_url.hostname, cache_url.port, cache_url.path) == (
            "redis",
            "redis",
            6379,
            "/1",
        )


@pytest.mark.parametrize("name", APP_SERVICES)
def test_production_variables_are_provided(name: str) -> None:
    # env_file .env is deploy/.env, copied from deploy/.env.example.
    assert service(name)["env_file"] == ".env"
    provided = set(service_environment(name)) | set(active_example_values())

    assert provided >= REQUIRED_IN_PRODUCTION
    assert active_example_values()["SECRET_KEY"], "SECRET_KEY needs a placeholder"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_compose_sets_only_variables_the_code_reads(name: str) -> None:
    extra = {BEAT_REMOTE_CONTROL} if name == "beat" else set()

    assert set(service_environment(name)) - variables_read() == extra


def test_variables_compose_sets_are_off_in_the_env_example() -> None:
    # An active line would look like it configures something compose overrides.
    set_by_compose = set(service_environment("web"))

    assert set_by_compose <= {item.name for item in env_example()}
    assert not set_by_compose & set(active_example_values())


def test_the_build_context_leaves_out_local_state_and_secrets() -> None:
    patterns = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }

    assert patterns >= {
        ".git",
        ".venv",
        "node_modules",
        ".local",
        "assets/build",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        "**/__pycache__",
        "deploy/.env",
    }


# === deploy/.env.example ===============================================================


def test_env_example_documents_exactly_what_the_code_reads() -> None:
    documented = {item.name for item in env_example()}

    assert sorted(variables_read() - documented) == [], "read but not in deploy/.env.example"
    assert sorted(documented - variables_read()) == [], "in deploy/.env.example but not read"


def test_env_example_has_one_commented_line_per_variable() -> None:
    names = [item.name for item in env_example()]

    assert len(names) == len(set(names)), "a variable is documented twice"
    for item in env_example():
        assert item.comment.startswith("# "), f"{item.name} needs a comment line above it"
        assert "Default" in item.comment, f"{item.name}'s comment does not give its default"


def test_env_example_as_copied_loads_in_production_mode(tmp_path: Path) -> None:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "epurse.settings",
        "EPURSE_LOCAL_DIR": str(tmp_path),
        **active_example_values(),
        **{key: interpolated(value) for key, value in service_environment("web").items()},
    }
    check = (
        "from django.conf import settings; "
        "print(settings.DEBUG, settings.EMBEDDED_DATABASE, settings.CELERY_BROKER_IS_FILESYSTEM,"
        " settings.DATABASES['default']['HOST'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", check],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False", "False", "postgres"]


# === Dockerfile ======================================================================


def test_dockerfile_builds_assets_with_node_then_runs_python() -> None:
    minimum = re.search(r'requires-python = ">=(\d+)\.(\d+)"', PYPROJECT.read_text())
    assert minimum

    [node, python] = from_lines()
    assert node[0].startswith("node:")
    assert node[1:] == ["AS", "assets"]
    assert len(python) == 1
    assert python[0].startswith("python:")
    version = tuple(int(part) for part in python[0].split(":")[1].split("-")[0].split("."))
    assert version >= (int(minimum[1]), int(minimum[2]))
    # The built assets land where settings.STATICFILES_DIRS looks: <checkout>/assets/build.
    [workdir] = instructions("WORKDIR", final_stage())
    [node_workdir] = instructions("WORKDIR", 0)
    copies = [args.split() for args in instructions("COPY", final_stage())]
    assert ["--from=assets", f"{node_workdir}/assets/build/", "assets/build/"] in copies
    assert workdir == "/app"


def test_npm_commands_are_the_makefiles() -> None:
    assert run_commands(0, "npm") == make_commands("assets", "npm")
    assert make_commands("assets", "npm") == [
        ["npm", "ci", "--no-audit", "--no-fund"],
        ["npm", "run", "build"],
    ]


def test_pip_commands_are_the_makefiles_with_the_runtime_lock() -> None:
    makefile = make_commands("install", "pip")
    runtime = [[RUNTIME_LOCK if arg == DEV_LOCK else arg for arg in c] for c in makefile]

    assert sum(command.count(DEV_LOCK) for command in makefile) == 1
    assert run_commands(final_stage(), "pip") == runtime
    assert ["pip", "install", "--quiet", "--no-deps", "-e", "."] in runtime
    assert run_commands(final_stage(), "npm") == []


def test_cmd_is_the_web_process() -> None:
    [cmd] = instructions("CMD", final_stage())

    assert json.loads(cmd) == processes.WEB
    assert instructions("ENTRYPOINT") == []


def test_runs_as_a_non_root_user() -> None:
    users = instructions("USER", final_stage())
    assert users, "no USER: the container would run as root"
    uid, _, gid = users[-1].partition(":")

    # Numeric and not 0: a name could be root under another name.
    assert uid.isdigit(), users[-1]
    assert gid.isdigit(), users[-1]
    assert int(uid) != 0
    assert int(gid) != 0
    creates = [c for s in instructions("RUN", final_stage()) for c in shell_commands(s)]
    [useradd] = [command for command in creates if command[0] == "useradd"]
    [groupadd] = [command for command in creates if command[0] == "groupadd"]
    assert useradd[useradd.index("--uid") + 1] == uid
    assert groupadd[groupadd.index("--gid") + 1] == gid
    # USER comes last, so every later layer, and the process, is the app user's.
    last_user = max(i for i, item in enumerate(dockerfile()) if item.keyword == "USER")
    assert all(item.keyword != "RUN" for item in dockerfile()[last_user:])


def test_image_environment() -> None:
    env = image_env()
    local_dir = PurePosixPath(env["EPURSE_LOCAL_DIR"])

    assert env["PYTHONDONTWRITEBYTECODE"] == "1"
    assert env["PYTHONUNBUFFERED"] == "1"
    assert env["STATIC_ROOT"] == "/app/staticfiles"
    assert env["STATIC_MANIFEST"] == "1"
    assert local_dir == PurePosixPath("/app/.local")
    assert PurePosixPath(env["CELERY_BEAT_SCHEDULE_FILENAME"]).parent == local_dir
    # Every other name is one the platform reads: a typo would be silently ignored.
    platform_names = {n for n in env if not n.startswith(IMAGE_ONLY_ENV_PREFIXES)}
    assert platform_names <= variables_read()
    # The build's throwaway secret must not be baked into the image.
    assert "SECRET_KEY" not in env
    assert "DATABASE_URL" not in env
    assert instructions("ARG") == []


def test_collectstatic_runs_at_build_time_with_throwaway_values() -> None:
    assignments = run_assignments("epurse collectstatic --noinput")
    database = urlsplit(assignments["DATABASE_URL"])

    assert set(assignments) == {"SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL"}
    assert assignments["SECRET_KEY"]
    # Set, so the settings do not start an embedded PostgreSQL; unresolvable, so a
    # connection attempt would fail the build rather than reach a real server.
    assert database.scheme == "postgres"
    assert database.hostname
    assert database.hostname.endswith(".invalid")
    assert assignments["CELERY_BROKER_URL"] == "memory://"
    # The writable folder is created after collectstatic and handed to the app user.
    local_dir = image_env()["EPURSE_LOCAL_DIR"]
    commands = [c for s in instructions("RUN", final_stage()) for c in shell_commands(s)]
    assert ["chown", "-R", "epurse:epurse", local_dir] in commands


def _collectstatic_as_the_image_build_does(tmp_path: Path, **overrides: str) -> str:
    if not BUILT_CSS.exists():
        pytest.fail(f"{BUILT_CSS} is missing: run `make assets` first")
    assignments = run_assignments("epurse collectstatic --noinput")
    env = {
        "PATH": os.environ.get("PATH", ""),
        **image_env(),
        **assignments,
        # The image's paths, moved into the test's folder.
        "EPURSE_LOCAL_DIR": str(tmp_path / "local"),
        "CELERY_BEAT_SCHEDULE_FILENAME": str(tmp_path / "local" / "celerybeat-schedule"),
        "STATIC_ROOT": str(tmp_path / "static"),
        **overrides,
    }
    result = subprocess.run(
        [str(BIN / "epurse"), "collectstatic", "--noinput"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    # Nothing but the static files: no broker folder, no embedded database.
    assert not (tmp_path / "local").exists()
    return result.stdout


@pytest.mark.slow
def test_collectstatic_needs_no_database_or_broker(tmp_path: Path) -> None:
    output = _collectstatic_as_the_image_build_does(tmp_path, STATIC_MANIFEST="0")

    assert "static files copied" in output
    assert (tmp_path / "static" / "css" / "epurse.css").is_file()


@pytest.mark.slow
def test_collectstatic_with_the_images_manifest_storage(tmp_path: Path) -> None:
    _collectstatic_as_the_image_build_does(tmp_path)

    assert (tmp_path / "static" / "staticfiles.json").is_file()
