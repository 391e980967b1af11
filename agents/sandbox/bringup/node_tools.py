"""Which command-line tools a package.json script calls, and whether its dependencies provide them.

`npm run` puts node_modules/.bin on PATH, and only the installed packages put anything there: a
script that calls a tool no dependency provides fails with "X: not found" after a full install (a
Vue CLI script left behind when an app moved to Vite, say). Detection says so before anything runs,
and prefers a script whose tools are all there.

A package's binary is usually named after it (`vite`, `eslint`) or after its scope and name
(`@vue/cli-service` → `vue-cli-service`); the table covers well-known tools whose binary is named
otherwise. A tool that matches neither is reported as "no dependency is named after it", which is
what the check can know without installing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

# Binaries the sandbox image has, or that npm itself provides; shell words and builtins.
SYSTEM_TOOLS = frozenset((
    "node", "npm", "npx", "yarn", "pnpm", "corepack", "sh", "bash", "cd", "rm", "cp", "mv", "mkdir",
    "echo", "cat", "exit", "true", "false", "test", "[", "export", "env", "set", "sleep", "touch",
    "git", "python", "python3", "pip", "exec", "printf", "ls", "chmod", "ln", "find", "sed", "grep",
    "wait", "kill", "trap", "if", "then", "else", "fi", "for", "do", "done", "while", "time",
))

# Well-known binaries whose package is named otherwise.
BINARY_PACKAGES: Mapping[str, tuple[str, ...]] = {
    "ng": ("@angular/cli",),
    "tsc": ("typescript",),
    "tsserver": ("typescript",),
    "svelte-kit": ("@sveltejs/kit",),
    "run-p": ("npm-run-all", "npm-run-all2"),
    "run-s": ("npm-run-all", "npm-run-all2"),
    "playwright": ("@playwright/test", "playwright"),
    "nest": ("@nestjs/cli",),
    "remix": ("@remix-run/dev",),
    "ember": ("ember-cli",),
    "vue": ("@vue/cli",),
    "nuxi": ("nuxi", "nuxt"),
    "postcss": ("postcss-cli",),
    "babel": ("@babel/cli",),
    "babel-node": ("@babel/node",),
    "tailwindcss": ("tailwindcss", "@tailwindcss/cli"),
    "parcel": ("parcel", "parcel-bundler"),
    "webpack": ("webpack", "webpack-cli"),
    "sass": ("sass", "node-sass"),
    "react-native": ("react-native", "@react-native-community/cli"),
    "expo": ("expo", "expo-cli"),
    "jest": ("jest", "jest-cli"),
    "cypress": ("cypress",),
    "wrangler": ("wrangler",),
}

_SEGMENTS = re.compile(r"&&|\|\||[;|&]")
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_WRAPPERS = ("cross-env",)  # runs the command that follows its VAR=value arguments


def tools_called(body: str) -> list[str]:
    """The tools a script body calls, in order: the first word of each command, after VAR=value
    assignments and env wrappers; paths (./bin/x) and npm's own commands are not tools."""
    tools: list[str] = []
    for segment in _SEGMENTS.split(body):
        words = [w.strip("'\"()") for w in segment.split()]
        words = [w for w in words if w]
        while words:
            word = words.pop(0)
            if _ASSIGNMENT.match(word):
                continue
            if word in _WRAPPERS:
                tools.append(word)
                continue
            if "/" not in word and word not in SYSTEM_TOOLS and not word.startswith("-"):
                tools.append(word)
            break
    return list(dict.fromkeys(tools))


def provided_binaries(dependencies: Iterable[str], own_bins: Iterable[str] = ()) -> set[str]:
    """The binary names the dependencies are expected to put on PATH."""
    names = set(dependencies)
    provided = set(own_bins)
    for name in names:
        if name.startswith("@") and "/" in name:
            scope, _, bare = name[1:].partition("/")
            provided.update((bare, f"{scope}-{bare}", scope))
        else:
            provided.add(name)
    provided.update(binary for binary, packages in BINARY_PACKAGES.items() if names & set(packages))
    return provided


def missing_tools(body: str, provided: set[str]) -> list[str]:
    return [tool for tool in tools_called(body) if tool not in provided]


def missing_note(script: str, missing: list[str]) -> str:
    named = ", ".join(f"`{tool}`" for tool in missing)
    which = "it" if len(missing) == 1 else "them"
    return (f"scripts.{script} calls {named}, and no dependency in package.json is named after {which}: "
            f"unless one provides {which}, it fails with 'not found'")
