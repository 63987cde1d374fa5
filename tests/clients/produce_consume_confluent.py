"""Produces N keyed records with confluent-kafka-python and reads them back:
`python3 produce_consume_confluent.py HOST:PORT TOPIC N [CODEC]`.

Prints the consumed records as "OFFSET KEY VALUE HEADER", one a line, in offset order.
"""
import sys

from confluent_kafka import Consumer, Producer, TopicPartition, OFFSET_BEGINNING

bootstrap, topic, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
codec = sys.argv[4] if len(sys.argv) > 4 else "none"

errors = []


def delivered(err, msg):
    if err is not None:
        errors.append(str(err))


producer = Producer({"bootstrap.servers": bootstrap, "compression.type": codec, "linger.ms": 5})
for i in range(count):
    producer.produce(topic, key=b"k%d" % i, value=b"v%d" % i, headers=[("h", b"%d" % i)], partition=0,
                     on_delivery=delivered)
    producer.poll(0)
if producer.flush(30) != 0 or errors:
    sys.exit("delivery failed: %s" % errors[:5])

consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "py-" + topic, "enable.auto.commit": False})
consumer.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
seen = 0
while seen < count:
    message = consumer.poll(10)
    if message is None:
        sys.exit("timed out after %d records" % seen)
    if message.error():
        sys.exit("consume error: %s" % message.error())
    headers = dict(message.headers() or [])
    print("%d %s %s %s" % (message.offset(), message.key().decode(), message.value().decode(), headers["h"].decode()))
    seen += 1
consumer.close()
