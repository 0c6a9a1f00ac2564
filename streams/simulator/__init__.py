"""A DDE Live Actions simulator: generated matches served over websocket and REST."""

from streams.simulator.faults import FaultSpec
from streams.simulator.match import Match, generate_match
from streams.simulator.running import RunningSimulator
from streams.simulator.schedule import FixtureEntry, Schedule
from streams.simulator.server import Serving, Simulator
from streams.simulator.stats import Stats
from streams.simulator.variant import MatchVariant

__all__ = [
    "FaultSpec",
    "FixtureEntry",
    "Match",
    "MatchVariant",
    "RunningSimulator",
    "Schedule",
    "Serving",
    "Simulator",
    "Stats",
    "generate_match",
]
