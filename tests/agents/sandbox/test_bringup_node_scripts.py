"""Node scripts whose tools the dependencies do not provide, scripts that delegate, unit tests under
another script name: what detection chooses and what it says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agents.sandbox.bringup.detect import detect_plan
from agents.sandbox.bringup.node_tools import missing_tools, provided_binaries, tools_called
from cli.detect_cmd import render


def app(tmp_path: Path, scripts: dict[str, str], **deps: str) -> Path:
    package = {"name": "shop", "scripts": scripts, "devDependencies": deps}
    (tmp_path / "package.json").write_text(json.dumps(package))
    (tmp_path / "index.html").write_text("<!doctype html><title>t</title>")
    return tmp_path


@pytest.mark.parametrize("body, tools", [
    ("vite", ["vite"]),
    ("NODE_ENV=production webpack --mode production", ["webpack"]),
    ("cross-env NODE_ENV=production FOO=1 webpack && node server.js", ["cross-env", "webpack"]),
    ("run-p type-check \"build-only {@}\" -- && vue-cli-service build", ["run-p", "vue-cli-service"]),
    ("./scripts/build.sh && npm run other", []),
    ("node getVersion.js && vite; tsc -b || echo failed", ["vite", "tsc"]),
])
def test_the_tools_a_script_calls(body: str, tools: list[str]) -> None:
    assert tools_called(body) == tools


def test_binaries_named_after_their_package_scope_or_a_known_table() -> None:
    provided = provided_binaries(["@vue/cli-service", "typescript", "npm-run-all2", "vite"])
    assert {"vue-cli-service", "tsc", "run-p", "run-s", "vite"} <= provided
    assert missing_tools("vue-cli-service serve && ng build", provided) == ["ng"]


def test_a_start_script_whose_tool_nothing_provides_is_passed_over_for_one_that_can_run(tmp_path: Path) -> None:
    root = app(tmp_path, {"start": "vue-cli-service serve", "dev": "vite", "build": "vue-cli-service build"},
               vite="5")
    plan = detect_plan(root)
    assert plan.start == "npm run dev -- --host 127.0.0.1 --port $PORT"
    assert plan.build is None  # a dev server builds nothing first, and this build could not run
    because = next(row.because for row in plan.evidence if row.key == "start")
    assert "scripts.start calls `vue-cli-service`" in because and "so scripts.dev is used" in because


def test_a_preview_is_passed_over_when_the_build_it_serves_cannot_run(tmp_path: Path) -> None:
    root = app(tmp_path, {"preview": "vite preview", "dev": "vite", "build": "vue-cli-service build"}, vite="5")
    plan = detect_plan(root)
    assert plan.start.startswith("npm run dev ")
    assert "scripts.preview serves what the build writes" in render(plan)


def test_a_preview_that_serves_an_unrecognised_build_runs_the_build_first(tmp_path: Path) -> None:
    root = app(tmp_path, {"preview": "my-bundler serve", "build": "my-bundler build"}, **{"my-bundler": "1"})
    plan = detect_plan(root)
    assert (plan.start, plan.build) == ("npm run preview", "npm run build")


def test_a_build_that_runs_vite_through_another_script_is_a_static_build(tmp_path: Path) -> None:
    # create-vue's layout: build type-checks and runs build-only in parallel.
    root = app(tmp_path, {"dev": "vite", "preview": "vite preview", "build-only": "vite build",
                          "type-check": "vue-tsc --build", "build": "run-p type-check \"build-only {@}\" --"},
               vite="5", **{"vue-tsc": "2", "npm-run-all2": "6"})
    plan = detect_plan(root)
    assert (plan.build, plan.start, plan.static_root) == ("npm run build", None, "dist")


def test_with_no_alternative_the_script_is_kept_and_the_plan_says_what_is_missing(tmp_path: Path) -> None:
    root = app(tmp_path, {"start": "vue-cli-service serve"}, vue="3")
    plan = detect_plan(root)
    assert plan.start == "npm start"
    assert "scripts.start calls `vue-cli-service`, and no dependency in package.json is named after it" in render(plan)


def test_unit_tests_under_test_unit_are_the_app_s_tests_when_there_is_no_test_script(tmp_path: Path) -> None:
    root = app(tmp_path, {"dev": "vite", "test:unit": "vitest", "test:e2e": "playwright test"}, vite="5", vitest="1")
    plan = detect_plan(root)
    assert plan.test is not None and plan.test.startswith("npm run test:unit -- --run --reporter=json")
    assert plan.test_report == "vitest-json"


def test_a_real_test_script_comes_before_test_unit(tmp_path: Path) -> None:
    root = app(tmp_path, {"dev": "vite", "test": "jest", "test:unit": "vitest"}, vite="5", jest="29")
    assert detect_plan(root).test.startswith("npm test -- --json")


def test_the_npm_init_placeholder_is_not_a_test_script(tmp_path: Path) -> None:
    root = app(tmp_path, {"dev": "vite", "test": 'echo "Error: no test specified" && exit 1'}, vite="5")
    assert detect_plan(root).test is None


def test_a_committed_example_env_is_copied_before_the_app_starts(tmp_path: Path) -> None:
    root = app(tmp_path, {"dev": "node prepare.js && vite"}, vite="5")
    (root / ".env.example").write_text("API_URL=/api\n")
    plan = detect_plan(root)
    assert plan.setup[0] == "test -e .env || cp .env.example .env"
    assert "copied to .env when there is none" in render(plan)


def test_an_example_env_is_copied_before_the_build_that_may_read_it(tmp_path: Path) -> None:
    root = app(tmp_path, {"build": "vite build"}, vite="5")
    (root / ".env.sample").write_text("VITE_TITLE=Shop\n")
    assert detect_plan(root).build == "test -e .env || cp .env.sample .env; npm run build"


def test_an_app_with_its_own_env_keeps_it(tmp_path: Path) -> None:
    # A local checkout's .env may be untracked and absent from the commit the sandbox runs: the copy
    # stays, guarded so that an .env that is there is never overwritten.
    root = app(tmp_path, {"dev": "vite"}, vite="5")
    (root / ".env.example").write_text("A=1\n")
    (root / ".env").write_text("A=2\n")
    assert detect_plan(root).setup == ("test -e .env || cp .env.example .env",)


def test_scripts_are_read_through_only_where_a_runner_names_them_and_each_once() -> None:
    from agents.sandbox.bringup.node import _Tools

    scripts = {"build": 'run-p type-check "build-only {@}" --', "build-only": "vite build",
               "type-check": "vue-tsc --build", "loop": "npm run back", "back": "npm run loop"}
    tools = _Tools(scripts, set())
    # "vite build" runs vite: the word "build" there is not the script called build.
    assert tools.body("build") == 'run-p type-check "build-only {@}" -- && vue-tsc --build && vite build'
    assert tools.body("loop") == "npm run back && npm run loop"  # a cycle is read once, then stops
