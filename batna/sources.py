"""The sources a scenario value may cite, by short key.

A scenario's ``[sources]`` table maps each parameter it sets to one of these
keys, or to ``assumption`` when the value is the modeller's judgement.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Source", "SOURCES", "ASSUMPTION", "is_known"]

ASSUMPTION = "assumption"


@dataclass(frozen=True)
class Source:
    """A citable source: short key, one-line description and a BibTeX entry."""

    key: str
    description: str
    bibtex: str


SOURCES: dict[str, Source] = {
    s.key: s
    for s in (
        Source(
            "smilde-ramsey",
            "Smilde and Ramsey (WOLA): the four dialogue efforts under Maduro and how "
            "international sponsors shape each side's BATNA (section IV).",
            "@misc{smilde-ramsey,\n  author = {Smilde, David and Ramsey, Geoff},\n"
            "  title = {International Peacemaking in Venezuela's Intractable Conflict},\n"
            "  note = {Washington Office on Latin America; working paper},\n  year = {2020}\n}",
        ),
        Source(
            "oas-cancun-2017",
            "Commentary on the June 2017 OAS foreign ministers' meeting in Cancun.",
            "@misc{oas-cancun-2017,\n  title = {Commentary on the OAS General Assembly "
            "foreign ministers' meeting, Cancun},\n  year = {2017}\n}",
        ),
        Source(
            "oas-pc-2017",
            "Commentary on the April 2017 OAS Permanent Council session.",
            "@misc{oas-pc-2017,\n  title = {Commentary on the OAS Permanent Council session "
            "on Venezuela},\n  year = {2017}\n}",
        ),
        Source(
            "news-cancun-2017",
            "News report on the competing resolutions at the Cancun OAS meeting.",
            "@misc{news-cancun-2017,\n  title = {News report on the OAS meeting in Cancun},\n"
            "  year = {2017}\n}",
        ),
        Source(
            "op-ed-2017",
            "Op-ed (July 2017) on unilateral versus collective sanctions and an exit plan.",
            "@misc{op-ed-2017,\n  title = {Op-ed on US sanctions and a regional group of "
            "friends for Venezuela},\n  year = {2017}\n}",
        ),
    )
}


def is_known(key: str) -> bool:
    """True for a key of :data:`SOURCES` or ``assumption``."""
    return key == ASSUMPTION or key in SOURCES
