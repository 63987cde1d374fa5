"""kafka-python against a cluster through one bootstrap broker.

`python3 cluster_group.py produce HOST:PORT TOPIC FIRST COUNT` sends values FIRST..FIRST+COUNT-1,
record i to partition i % (the topic's partition count), and waits for every acknowledgement.
`python3 cluster_group.py consume HOST:PORT TOPIC GROUP COUNT` joins GROUP, consumes COUNT records
(committing after each batch), commits and leaves. Prints "record PARTITION OFFSET VALUE".
"""
import sys
import time

from kafka import KafkaConsumer, KafkaProducer

mode, bootstrap, topic = sys.argv[1], sys.argv[2], sys.argv[3]
if mode == "produce":
    first, count = int(sys.argv[4]), int(sys.argv[5])
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    partitions = sorted(producer.partitions_for(topic))
    futures = [producer.send(topic, value=b"%d" % i, partition=partitions[i % len(partitions)]) for i in range(first, first + count)]
    for f in futures:
        f.get(timeout=60)
    producer.close()
else:
    group, count = sys.argv[4], int(sys.argv[5])
    consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group, auto_offset_reset="earliest",
                             enable_auto_commit=False, session_timeout_ms=6000, heartbeat_interval_ms=500)
    seen = 0
    deadline = time.time() + 90
    while seen < count:
        if time.time() > deadline:
            sys.exit("timed out after %d of %d records" % (seen, count))
        batch = consumer.poll(500)
        for messages in batch.values():
            for m in messages:
                print("record %d %d %s" % (m.partition, m.offset, m.value.decode()), flush=True)
                seen += 1
        if batch:
            consumer.commit()
    consumer.close()
