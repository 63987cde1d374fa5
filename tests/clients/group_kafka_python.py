"""A kafka-python KafkaConsumer(group_id=...) member beside other clients' members, and KafkaAdminClient.

`python3 group_kafka_python.py HOST:PORT TOPIC GROUP OTHER_GROUP N`

Joins GROUP (range assignor) and consumes, committing after each batch. Once KafkaAdminClient's
describe_consumer_groups() shows GROUP Stable with two members that both hold partitions, prints
what list_consumer_groups() and describe_consumer_groups([GROUP, OTHER_GROUP]) return, produces N
more records (round robin over the topic's partitions) and consumes its share up to the end.
Prints: "listed GROUP PROTOCOL_TYPE", "group GROUP STATE PROTOCOL_TYPE PROTOCOL MEMBERS",
"member GROUP CLIENT_ID P,P,...", "record PARTITION OFFSET", "assigned P,P,...".
"""
import sys
import time

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.coordinator.assignors.range import RangePartitionAssignor

bootstrap, topic, group, other_group, count = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group, client_id="kafka-python-member",
                         auto_offset_reset="earliest", enable_auto_commit=False, session_timeout_ms=6000,
                         heartbeat_interval_ms=300, partition_assignment_strategy=[RangePartitionAssignor])
admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="kafka-python-admin")


def partitions_of(member):
    return sorted(p for t, ps in member.member_assignment.assignment if t == topic for p in ps)


def say(line):
    print(line, flush=True)


deadline = time.time() + 60
produced = False
while time.time() < deadline:
    batch = consumer.poll(200)
    for messages in batch.values():
        for m in messages:
            say("record %d %d" % (m.partition, m.offset))
    if batch:
        consumer.commit()
    assigned = consumer.assignment()
    if not assigned:
        continue
    if not produced:
        described = admin.describe_consumer_groups([group])[0]
        if described.state != "Stable" or len(described.members) != 2 or not all(partitions_of(m) for m in described.members):
            continue
        say("assigned " + ",".join(str(tp.partition) for tp in sorted(assigned)))
        for group_id, protocol_type in admin.list_consumer_groups():
            say("listed %s %s" % (group_id, protocol_type))
        for g in admin.describe_consumer_groups([group, other_group]):
            say("group %s %s %s %s %d" % (g.group, g.state, g.protocol_type, g.protocol, len(g.members)))
            for m in g.members:
                say("member %s %s %s" % (g.group, m.client_id, ",".join(str(p) for p in partitions_of(m))))
        producer = KafkaProducer(bootstrap_servers=bootstrap)
        partitions = sorted(producer.partitions_for(topic))
        for i in range(count):
            producer.send(topic, value=b"%d" % i, partition=partitions[i % len(partitions)])
        producer.flush(30)
        producer.close()
        produced = True
        ends = consumer.end_offsets(list(assigned))
    elif all(consumer.position(tp) >= ends[tp] for tp in assigned):
        break
else:
    sys.exit("timed out")
consumer.close()
admin.close()
