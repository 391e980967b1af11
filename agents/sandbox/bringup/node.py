"""Node apps (package.json): the package manager from the lockfile, then a static build or a server.

Like Railpack's node provider: a build whose output is static files (Vite, Create React App, Astro,
a Next export) is served as files; otherwise a start / preview / dev script, given the host and
port the way its tool expects; otherwise an Express-style main file that reads PORT.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, replace
from typing import Any

from agents.sandbox.base import AppConfig, AppKind
from agents.sandbox.bringup.files import Tree, has, read_json
from agents.sandbox.bringup.node_tools import missing_note, missing_tools, provided_binaries
from agents.sandbox.bringup.plan import HOST, TEST_REPORT, why

SERVER_LIBS = ("express", "koa", "fastify", "@hapi/hapi", "hapi", "restify", "polka")
MAIN_FILES = ("server.js", "app.js", "index.js", "server.mjs", "app.mjs", "index.mjs", "src/server.js",
              "src/index.js")
DEFAULT_PORT = 3000
NO_TEST = "no test specified"  # npm init's placeholder test script
# Where an app has no `test` script, the unit tests usually sit under one of these (Vue's and
# Vite's templates name it test:unit); end-to-end suites (test:e2e) need a browser and a server.
UNIT_TEST_SCRIPTS = ("test", "test:unit", "test:ci", "unit")
# E2E tools fetch a browser in their postinstall, Electron (often pulled in by a devtools package) its
# runtime from GitHub; serving the app never needs either, and a blocked or
# slow download would fail the whole install. Set on the install command itself (it alone may reach
# the network, and it runs without the plan's env).
SKIP_BROWSER_DOWNLOADS = ("CYPRESS_INSTALL_BINARY=0", "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1",
                          "PUPPETEER_SKIP_DOWNLOAD=1", "PUPPETEER_SKIP_CHROMIUM_DOWNLOAD=1",
                          "ELECTRON_SKIP_BINARY_DOWNLOAD=1")


@dataclass(frozen=True)
class _Served:
    """How the app is served by a script or a main file."""

    start: str
    port: int
    tool_server: bool   # the front-end tool's own dev/preview server, not the app's
    needs_build: bool   # a preview serves what the build wrote
    because: str
    reads_port: bool
    runnable: bool = True  # the dependencies provide every tool it calls


def detect_node(tree: Tree) -> AppConfig | None:
    if not has(tree, "package.json"):
        return None
    pkg = read_json(tree, "package.json")
    scripts = {k: v for k, v in (pkg.get("scripts") or {}).items() if isinstance(v, str)}
    deps = {**(pkg.get("devDependencies") or {}), **(pkg.get("dependencies") or {})}
    tools = _Tools(scripts, provided_binaries(deps, _own_bins(pkg)))
    plan = _installing(tree, pkg, deps)
    plan = _with_tests(plan, scripts, tools)
    built = _static_build(tree, scripts, tools)
    served = _server(tree, pkg, scripts, deps, tools)
    # A static build is served as files, unless its build calls a tool nothing provides and a
    # server script whose tools are all there can run instead.
    build_broken = served is not None and served.runnable and bool(tools.missing("build"))
    if built and (served is None or served.tool_server) and not build_broken:
        command, root, because = built
        if missing := tools.missing("build"):
            because += "; " + missing_note("build", missing)
        evidence = [why("kind", AppKind.NODE, "package.json"), why("build", command, because),
                    why("static_root", root, because)]
        if served:
            evidence.append(why("start", "", f"{served.start} is the build tool's own server; its build is served"))
        return replace(plan, build=command, static_root=root, evidence=(*plan.evidence, *evidence))
    if served:
        port_because = ("the port given to the server as $PORT" if served.reads_port
                        else f"the port the server listens on itself ({served.port}); it does not read PORT")
        evidence = [why("kind", AppKind.NODE, "package.json"), why("start", served.start, served.because),
                    why("port", served.port, port_because)]
        build = None
        if "build" in scripts and (served.needs_build or not served.tool_server):
            build = "npm run build"
            because = "scripts.build, run before the server starts"
            if missing := tools.missing("build"):
                because += "; " + missing_note("build", missing)
            evidence.append(why("build", build, because))
        return replace(plan, start=served.start, port=served.port, build=build, evidence=(*plan.evidence, *evidence))
    return replace(plan, evidence=(*plan.evidence, why(
        "start", "", "package.json has no start/preview/dev script, static build or server main file")))


# What runs a package.json script by name: `npm run x`, `yarn x`, `run-p x y`, `npm-run-all x`.
SCRIPT_RUNNERS = frozenset({"npm", "yarn", "pnpm", "run-p", "run-s", "npm-run-all"})


@dataclass(frozen=True)
class _Tools:
    """The scripts, and the binaries the dependencies put on PATH for them."""

    scripts: dict[str, str]
    provided: set[str]

    def body(self, name: str, seen: frozenset[str] = frozenset()) -> str:
        """A script with the scripts it runs by name (`npm run x`, `run-p x y`) appended, so a build
        that delegates (`run-p type-check build-only`) is read for what it really runs. Only a package
        runner's arguments name scripts: `vite build` runs vite, not the script called build."""
        seen = seen | {name}
        body = self.scripts.get(name, "")
        called = []
        for segment in re.split(r"&&|\|\||;", body):
            words = [word.strip("'\"").split()[0] for word in re.findall(r"'[^']*'|\"[^\"]*\"|\S+", segment)
                     if word.strip("'\"")]
            if words and words[0] in SCRIPT_RUNNERS:
                called += words[1:]
        others = [self.body(other, seen) for other in dict.fromkeys(called)
                  if other not in seen and other in self.scripts]
        return " && ".join((body, *others)) if others else body

    def missing(self, name: str) -> list[str]:
        return missing_tools(self.body(name), self.provided) if name in self.scripts else []


def _installing(tree: Tree, pkg: dict[str, Any], deps: dict[str, Any]) -> AppConfig:
    field = str(pkg.get("packageManager") or "")
    named, _, version = field.partition("@")
    locks = [name for name in ("pnpm-lock.yaml", "yarn.lock", "package-lock.json", "npm-shrinkwrap.json")
             if has(tree, name)]
    by_lock = {"pnpm-lock.yaml": "pnpm", "yarn.lock": "yarn"}
    if named in ("npm", "pnpm", "yarn"):
        manager, because = named, f'package.json packageManager "{field}"'
    elif locks:
        manager, because = by_lock.get(locks[0], "npm"), f"{locks[0]} → {by_lock.get(locks[0], 'npm')}"
        if len(locks) > 1:
            because += f" (first of {', '.join(locks)})"
    else:
        manager, because = "npm", "package.json without a lockfile → npm"
    lock = next((name for name in locks if by_lock.get(name, "npm") == manager), None)
    install, how = _install_command(tree, manager, version.split("+")[0], lock)
    evidence = [why("package_manager", manager, because)]
    install = " ".join((*SKIP_BROWSER_DOWNLOADS, install))
    how += ("; with Cypress, Playwright, Puppeteer and Electron browser downloads skipped"
            " (not needed to serve the app)")
    if not deps and lock is None:
        install, how = None, "package.json lists no dependencies"
    evidence.append(why("install", install, how))
    return AppConfig(kind=AppKind.NODE, install=install, port=DEFAULT_PORT, package_manager=manager,
                     lockfiles=("package.json", *([lock] if lock else [])),
                     dependency_dirs=("node_modules",), evidence=tuple(evidence))


def _install_command(tree: Tree, manager: str, version: str, lock: str | None) -> tuple[str, str]:
    if manager == "pnpm":
        if not version:
            text = tree.read("pnpm-lock.yaml") or ""
            found = re.search(r"lockfileVersion:\s*'?(\d+)", text)
            version = {"9": "9", "6": "8", "5": "7"}.get(found.group(1) if found else "", "latest")
        frozen = " --frozen-lockfile" if lock else ""
        # npx rather than corepack: npx ships with every npm, corepack left Node's bundle in v25.
        return f"npx --yes pnpm@{version} install{frozen}", "pnpm through npx (needs only npm); scripts run with npm run"
    if manager == "yarn":
        berry = has(tree, ".yarnrc.yml") or "__metadata:" in (tree.read("yarn.lock") or "")
        if berry:
            return "corepack yarn install --immutable", "Yarn 2+ (.yarnrc.yml / lockfile metadata) through corepack"
        frozen = " --frozen-lockfile" if lock else ""
        return f"npx --yes yarn@1 install{frozen}", "Yarn 1 through npx (needs only npm); scripts run with npm run"
    if lock:
        return "npm ci --no-audit --no-fund", f"{lock} → npm ci (exactly the locked versions)"
    return "npm install --no-audit --no-fund", "no lockfile → npm install"


def _own_bins(pkg: dict[str, Any]) -> list[str]:
    bins = pkg.get("bin")
    if isinstance(bins, dict):
        return [str(name) for name in bins]
    return [str(pkg.get("name", "")).rpartition("/")[2]] if isinstance(bins, str) else []


def _with_tests(plan: AppConfig, scripts: dict[str, str], tools: _Tools) -> AppConfig:
    name = next((name for name in UNIT_TEST_SCRIPTS if scripts.get(name) and NO_TEST not in scripts[name]), None)
    if name is None:
        return plan
    body = scripts[name]
    run = "npm test" if name == "test" else f"npm run {name}"
    if re.search(r"\bvitest\b", body):
        once = "" if re.search(r"\bvitest\s+run\b", body) else " --run"
        test, report = f"{run} --{once} --reporter=json --outputFile={TEST_REPORT}", "vitest-json"
    elif re.search(r"\bjest\b", body):
        test, report = f"{run} -- --json --outputFile={TEST_REPORT}", "jest-json"
    elif re.search(r"\bnode\s+(.*\s)?--test\b", body):
        # Node's own runner: its usual output on stdout, and JUnit XML beside it.
        reporters = ("--test-reporter=spec --test-reporter-destination=stdout "
                     f"--test-reporter=junit --test-reporter-destination={TEST_REPORT}")
        test, report = f"{run} -- {reporters}", "junit"
    else:
        test, report = run, None
    because = f"scripts.{name} runs {body!r}" + (f" → per-test {report} report" if report else "")
    if name != "test":
        because += " (there is no scripts.test)"
    if missing := tools.missing(name):
        because += "; " + missing_note(name, missing)
    evidence = (why("test", test, because), *([why("test_report", report, because)] if report else []))
    return replace(plan, test=test, test_report=report, evidence=(*plan.evidence, *evidence))


def _static_build(tree: Tree, scripts: dict[str, str], tools: _Tools) -> tuple[str, str, str] | None:
    """("npm run build", output folder, because) when the build script, or a script it runs by name,
    writes plain files."""
    body = tools.body("build")
    if re.search(r"\bvite\s+build\b", body):
        # outDir is relative to Vite's root; a base other than / (a GitHub Pages path) would make the
        # built pages ask for assets under a prefix the preview does not have, so it is reset.
        where = posixpath.join(_config_value(tree, "vite.config", "root") or ".",
                               _config_value(tree, "vite.config", "outDir") or "dist")
        root = posixpath.normpath(where)
        base = _config_value(tree, "vite.config", "base")
        command = "npm run build" + (" -- --base=/" if base not in (None, "", ".") else "")
        because = f"scripts.build runs vite build → serve {root}/" + (f" (base {base!r} reset to /)" if
                                                                      command.endswith("/") else "")
        return command, root, because
    if re.search(r"\breact-scripts\s+build\b", body):
        return "npm run build", "build", "scripts.build runs react-scripts build (Create React App) → serve build/"
    if re.search(r"\bastro\s+build\b", body) and _config_value(tree, "astro.config", "output") != "server":
        root = _config_value(tree, "astro.config", "outDir") or "dist"
        return "npm run build", root, f"scripts.build runs astro build (static output) → serve {root}/"
    if re.search(r"\bnext\s+build\b", body) and _config_value(tree, "next.config", "output") == "export":
        return "npm run build", "out", "scripts.build runs next build with output: 'export' → serve out/"
    return None


def _config_value(tree: Tree, stem: str, key: str) -> str | None:
    """A string literal given to `key` in a simple JS/TS config file, e.g. outDir: 'public/app'."""
    for ext in ("js", "ts", "mjs", "mts", "cjs", "cts"):
        text = tree.read(f"{stem}.{ext}")
        if text is not None:
            found = re.search(rf"\b{key}\s*:\s*['\"]([^'\"]+)['\"]", text)
            return found.group(1).strip("/").removeprefix("./") if found else None
    return None


def _serving_script(tools: _Tools) -> tuple[str, str, bool] | None:
    """(script name, note, runnable): the first of start / preview / dev that can run: the dependencies provide
    its tools and, for a preview, the build's. When none can, the first there is, saying why."""
    present = [name for name in ("start", "preview", "dev") if tools.scripts.get(name)]
    if not present:
        return None
    why_not = {name: missing_note(name, missing) for name in present if (missing := tools.missing(name))}
    if "preview" in present and "preview" not in why_not and (build := tools.missing("build")):
        why_not["preview"] = f"scripts.preview serves what the build writes, and {missing_note('build', build)}"
    chosen = next((name for name in present if name not in why_not), present[0])
    notes = [f"{why_not[name]}, so scripts.{chosen} is used" for name in present[:present.index(chosen)]]
    if chosen in why_not:
        notes.append(why_not[chosen])
    return chosen, "".join(f"; {note}" for note in notes), chosen not in why_not


def _server(tree: Tree, pkg: dict[str, Any], scripts: dict[str, str],
            deps: dict[str, Any], tools: _Tools) -> _Served | None:
    if serving := _serving_script(tools):
        name, note, runnable = serving
        body = scripts[name]
        run = "npm start" if name == "start" else f"npm run {name}"
        start, tool_server, how = _script_command(run, body)
        port, port_how = _port(tree, body)
        how = how.replace(" reads PORT", "") if port_how else how  # port_how says it ignores PORT
        return _Served(start, port, tool_server, name == "preview",
                       f"scripts.{name} runs {body!r}; {how}{port_how}{note}", not port_how, runnable)
    main = str(pkg.get("main") or "")
    candidates = ([main] if main else []) + [name for name in MAIN_FILES if name != main]
    for path in candidates:
        text = tree.read(path)
        if text is None:
            continue
        libs = [lib for lib in SERVER_LIBS if lib in deps]
        if libs or re.search(r"\.listen\(|createServer\(", text):
            port, port_how = _port(tree, f"node {path}")
            uses = f"dependencies include {libs[0]}" if libs else "it listens"
            return _Served(f"node {path}", port, False, False, f"{path} is the server ({uses}){port_how}",
                           not port_how)
    return None


def _script_command(run: str, body: str) -> tuple[str, bool, str]:
    """The host and port passed the way the script's tool expects; plain node servers read PORT."""
    if re.search(r"\bvite\b(?!\s+build)", body) or re.search(r"\bastro\s+(dev|preview)\b", body):
        return f"{run} -- --host {HOST} --port $PORT", True, "its tool takes --host/--port"
    if re.search(r"\bng\s+serve\b", body):
        return f"{run} -- --host {HOST} --port $PORT", True, "ng serve takes --host/--port"
    if found := re.search(r"\bnext\s+(start|dev)\b", body):
        return f"{run} -- -p $PORT -H {HOST}", found.group(1) == "dev", "next takes -p/-H"
    if re.search(r"\breact-scripts\s+start\b", body):
        return f"BROWSER=none HOST={HOST} {run}", True, "react-scripts start reads HOST and PORT"
    return run, False, "a node server reads PORT"


def _port(tree: Tree, body: str) -> tuple[int, str]:
    """A server that ignores PORT and listens on a literal port is reached on that port."""
    found = re.search(r"\bnode(?:mon)?\s+([\w./-]+\.[cm]?js)\b", body)
    text = tree.read(found.group(1)) if found else None
    if text and "process.env.PORT" not in text and "process.env['PORT']" not in text:
        literal = re.search(r"\.listen\(\s*(\d{2,5})\b", text)
        if literal:
            return int(literal.group(1)), f"; it listens on {literal.group(1)} and ignores PORT"
    return DEFAULT_PORT, ""

