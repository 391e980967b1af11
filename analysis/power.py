"""How large a panel would have to be to detect an effect: the figure that turns "no winner" into a plan.

A comparison that finds nothing says little on its own: the effect may be absent, or the arms too
small to see it. For the closest variant we report the sessions per arm at which an effect of the
size observed would be detected with the stated power, at the family's corrected level. The level
is Bonferroni's alpha / m, the strictest step of Holm's procedure, so the figure errs on the large
side. The standard error is the comparison's fixed-horizon one (MetricResult.se_abs), scaled by
1 / sqrt(n), which holds while both arms grow together. It is never read back from the reported
interval: a panel that looked after every round reports always-valid intervals, which are wider, and
a fixed-horizon calculation on them would name a panel far larger than needed.
"""

import math

from scipy import special

from analysis.report import MetricResult

DEFAULT_POWER = 0.8


def sessions_to_detect(
    result: MetricResult, *, alpha: float, family_size: int, power: float = DEFAULT_POWER
) -> int | None:
    """Sessions per arm that would detect `result`'s observed effect with `power`; None when undefined.

    Undefined: no effect or no standard error (e.g. zero variance), or an arm too small to scale.
    """
    if not 0.0 < alpha < 1.0 or not 0.0 < power < 1.0 or family_size < 1:
        raise ValueError("alpha and power must lie in (0, 1) and family_size be at least 1")
    se = result.se_abs
    if se is None or not math.isfinite(se) or se <= 0.0 or not result.effect_abs or result.n < 2:
        return None
    z_alpha = float(special.ndtri(1.0 - alpha / (2.0 * family_size)))
    z_power = float(special.ndtri(power))
    n = min(result.n, result.baseline_n or result.n)
    return max(2, math.ceil(n * ((z_alpha + z_power) * se / abs(result.effect_abs)) ** 2))
