"""End-to-end tests: Home Assistant's real MQTT client, mosquitto, the simulator."""
