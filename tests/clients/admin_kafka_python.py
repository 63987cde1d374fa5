"""Drives the admin APIs with kafka-python's KafkaAdminClient and prints what the broker answered.

`python3 admin_kafka_python.py HOST:PORT TOPIC` creates TOPIC with 2 partitions and a
retention.ms override, grows it to 4, tries to shrink it to 1, alters retention.ms, then
describes the topic and broker 0. One `key value` line per fact, for the test to check.
"""
import sys

from kafka import KafkaAdminClient
from kafka.errors import KafkaError
from kafka.admin import ConfigResource, ConfigResourceType, NewPartitions, NewTopic

bootstrap, topic = sys.argv[1], sys.argv[2]
admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="gregor-e2e-admin", request_timeout_ms=10000)

admin.create_topics([NewTopic(topic, 2, 1, topic_configs={"retention.ms": "3600000"})])

grown = admin.create_partitions({topic: NewPartitions(4)})
print("grow_error", grown.topic_errors[0][1])
try:
    admin.create_partitions({topic: NewPartitions(1)})
    print("shrink_error", 0)
except KafkaError as e:  # kafka-python raises the error the controller answered
    print("shrink_error", e.errno)
print("partitions", len(admin.describe_topics([topic])[0]["partitions"]))

altered = admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, topic, configs={"retention.ms": "7200000"})])
print("alter_error", altered.resources[0][0])
bad = admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, topic, configs={"retention.ms": "never"})])
print("alter_invalid_error", bad.resources[0][0])

for response in admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)], include_synonyms=True):
    for error_code, _message, _type, _name, entries in response.resources:
        print("describe_topic_error", error_code)
        for entry in entries:
            # v1+: name, value, read_only, config_source, is_sensitive, synonyms
            if entry[0] in ("retention.ms", "segment.ms"):
                print("topic", entry[0], entry[1], entry[3])

for response in admin.describe_configs([ConfigResource(ConfigResourceType.BROKER, "0")]):
    for error_code, _message, _type, _name, entries in response.resources:
        print("describe_broker_error", error_code)
        for entry in entries:
            if entry[0] in ("broker.id", "log.retention.ms"):
                print("broker", entry[0], entry[1], entry[2])

admin.close()
