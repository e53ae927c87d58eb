"""The topics of a camera's entry: which may not be the same as which."""

from __future__ import annotations

from collections.abc import Mapping

from .api import topic_matches, topics_overlap
from .const import (
    CONF_ALARM_TOPIC,
    CONF_HEARTBEAT_TOPIC,
    CONF_REQUEST_TOPIC,
    CONF_RESPONSE_TOPIC,
    CONF_SNAPSHOT_TOPIC,
)

UPLINK_KEYS = (CONF_HEARTBEAT_TOPIC, CONF_SNAPSHOT_TOPIC, CONF_ALARM_TOPIC)


def topic_overlap_error(topics: Mapping[str, str]) -> bool:
    """Whether HA would hear its own requests, or take answers for uplinks."""
    request, response = topics[CONF_REQUEST_TOPIC], topics[CONF_RESPONSE_TOPIC]
    uplinks = [topics[key] for key in UPLINK_KEYS]
    return any(topic_matches(topic, request) for topic in [*uplinks, response]) or any(
        topics_overlap(topic, response) for topic in uplinks
    )
