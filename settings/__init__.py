"""Configuration: the one `Settings` object and its sections. A leaf: imports nothing from the project."""

from settings.model import (
    BrowserSettings,
    CodeAgentSettings,
    ExperimentDefaults,
    GitHubSettings,
    LLMSettings,
    SandboxSettings,
    Settings,
    ShipSettings,
    get_settings,
)

__all__ = [
    "BrowserSettings",
    "CodeAgentSettings",
    "ExperimentDefaults",
    "GitHubSettings",
    "LLMSettings",
    "SandboxSettings",
    "Settings",
    "ShipSettings",
    "get_settings",
]
