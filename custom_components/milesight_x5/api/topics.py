"""MQTT topic filters: which topics a subscription hears (MQTT 3.1.1, 4.7)."""

from __future__ import annotations


def topic_matches(topic_filter: str, topic: str) -> bool:
    """Whether a subscription to ``topic_filter`` hears messages on ``topic``."""
    filter_parts, topic_parts = topic_filter.split("/"), topic.split("/")
    for index, part in enumerate(filter_parts):
        if part == "#":
            return True
        if index >= len(topic_parts):
            return False
        if part not in ("+", topic_parts[index]):
            return False
    return len(filter_parts) == len(topic_parts)


def topics_overlap(first: str, second: str) -> bool:
    """Whether one of two topics (either may be a filter) hears the other."""
    return topic_matches(first, second) or topic_matches(second, first)
