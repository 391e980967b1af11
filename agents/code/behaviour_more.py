"""The checks of the onboarding, feedback, navigation and landmark recipes, for behaviour.py to register.

They live outside behaviour.py (behaviour_flows.py, behaviour_nav.py) and build on its helpers at
run time, so behaviour.py can import this at its end.
"""

from __future__ import annotations

from agents.code import behaviour_flows, behaviour_nav

MORE_BEHAVIOURS = {**behaviour_flows.BEHAVIOURS, **behaviour_nav.BEHAVIOURS}
MORE_ATTEMPTS = {**behaviour_flows.ATTEMPTS, **behaviour_nav.ATTEMPTS}
MORE_EXHAUSTIVE = behaviour_flows.EXHAUSTIVE
