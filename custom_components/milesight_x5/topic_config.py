"""The topics of a camera's entry: which may not be the same as which."""

from __future__ import annotations

from collections.abc import Mapping
from itertools import combinations

from .api import topic_matches, topics_overlap
from .const import (
    CONF_ALARM_TOPIC,
    CONF_HEARTBEAT_TOPIC,
    CONF_REQUEST_TOPIC,
    CONF_RESPONSE_TOPIC,
    CONF_SNAPSHOT_TOPIC,
)

UPLINK_KEYS = (CONF_HEARTBEAT_TOPIC, CONF_SNAPSHOT_TOPIC, CONF_ALARM_TOPIC)
# The order a clash is named in (the error keys follow it).
CLASH_ORDER = (*UPLINK_KEYS, CONF_REQUEST_TOPIC, CONF_RESPONSE_TOPIC)


def _clash(first: str, second: str, topics: Mapping[str, str]) -> bool:
    ours, theirs = topics[first], topics[second]
    # The request topic is published to, never subscribed: a clash is a
    # subscription that hears it (Home Assistant would hear its own requests).
    if second == CONF_REQUEST_TOPIC:
        return topic_matches(ours, theirs)
    if first == CONF_REQUEST_TOPIC:
        return topic_matches(theirs, ours)
    # Two subscriptions that hear the same message: one message taken for both
    # (every heartbeat an alarm, every answer a heartbeat).
    return topics_overlap(ours, theirs)


def topic_clash(topics: Mapping[str, str]) -> str | None:
    """The error key naming the first two topics that would be taken for each other
    (``topic_clash_heartbeat_alarm``), or None when each topic is its own."""
    for first, second in combinations(CLASH_ORDER, 2):
        if _clash(first, second, topics):
            return (
                f"topic_clash_{first.removesuffix('_topic')}"
                f"_{second.removesuffix('_topic')}"
            )
    return None
