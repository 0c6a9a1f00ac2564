"""A DDE Live Actions simulator: generated matches served over websocket and REST."""

from streams.simulator.faults import FaultSpec
from streams.simulator.match import Match, generate_match
from streams.simulator.running import RunningSimulator
from streams.simulator.schedule import FixtureEntry, Schedule
from streams.simulator.server import Serving, Simulator
from streams.simulator.stats import Stats

__all__ = [
    "FaultSpec",
    "FixtureEntry",
    "Match",
    "RunningSimulator",
    "Schedule",
    "Serving",
    "Simulator",
    "Stats",
    "generate_match",
]
