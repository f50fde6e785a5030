"""batna: sponsors, BATNAs and the zone of possible agreement.

A parameterised game model of a political negotiation (Venezuela 2014-2019):
how outside sponsors shift each side's best alternative to a negotiated
agreement, and when an agreement beats both.

Quick start::

    import batna
    report = batna.analyse(batna.load_scenario("2019-barbados"))
    print(report.headline)
"""

__version__ = "0.1.0"

from .errors import BatnaError, NoIndividuallyRationalPoint, ScenarioError  # noqa: E402
from .games import equilibria  # noqa: E402
from .scenario import Scenario, load_scenario  # noqa: E402
from .report import Report, analyse  # noqa: E402



def __getattr__(name):
    if name == "equilibria_batch":  # loads numba: only on first use
        from .games import batch

        return batch.equilibria_batch
    raise AttributeError(f"module 'batna' has no attribute {name!r}")


__all__ = [
    "__version__",
    "BatnaError",
    "ScenarioError",
    "NoIndividuallyRationalPoint",
    "Scenario",
    "load_scenario",
    "Report",
    "analyse",
    "equilibria",
    "equilibria_batch",
]
