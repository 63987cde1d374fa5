"""Produces N records with kafka-python and reads them back: `python3 produce_consume.py HOST:PORT TOPIC N [API_VERSION]`.

API_VERSION (e.g. 0.9, 0.10.0, 2.0) pins the protocol versions kafka-python uses, so old message
formats (v0 before 0.10, v1 before 0.11) can be exercised. Prints the consumed values, one a line.
"""
import sys

from kafka import KafkaConsumer, KafkaProducer, TopicPartition

bootstrap, topic, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
extra = {}
if len(sys.argv) > 4:
    extra["api_version"] = tuple(int(p) for p in sys.argv[4].split("."))

producer = KafkaProducer(bootstrap_servers=bootstrap, **extra)
for i in range(count):
    producer.send(topic, key=b"k%d" % i, value=b"v%d" % i)
producer.flush(30)
producer.close()

consumer = KafkaConsumer(bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False,
                         consumer_timeout_ms=10000, **extra)
partition = TopicPartition(topic, 0)
consumer.assign([partition])
consumer.seek_to_beginning(partition)
seen = 0
for message in consumer:
    print("%d %s %s" % (message.offset, message.key.decode(), message.value.decode()))
    seen += 1
    if seen >= count:
        break
consumer.close()
