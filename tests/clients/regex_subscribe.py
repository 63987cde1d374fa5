"""kafka-python KafkaConsumer subscribed to a pattern: `python3 regex_subscribe.py HOST:PORT GROUP PATTERN EXPECTED_TOPIC`.

Polls until the assignment includes EXPECTED_TOPIC, then prints the assigned topics, one a line.
exclude_internal_topics is left at its default (True): internal topics are recognised by the
is_internal flag of the Metadata response.
"""
import sys
import time

from kafka import KafkaConsumer

bootstrap, group, pattern, expected = sys.argv[1:5]
consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False, metadata_max_age_ms=500)
consumer.subscribe(pattern=pattern)
deadline = time.time() + 30
while time.time() < deadline and expected not in {tp.topic for tp in consumer.assignment()}:
    consumer.poll(200)
for topic in sorted({tp.topic for tp in consumer.assignment()}):
    print(topic)
consumer.close()
