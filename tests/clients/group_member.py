"""A confluent-kafka consumer group member run as its own process, so a test can kill it (kill -9).

`python3 group_member.py HOST:PORT TOPIC GROUP STRATEGY SESSION_TIMEOUT_MS COMMIT_EVERY`

Commits after processing: the next offsets of the records it printed are committed synchronously
every COMMIT_EVERY records and for revoked partitions (never when idle, so a kill leaves the
records after the last commit uncommitted). Prints, flushed line by line:
  assigned P,P,...   revoked P,P,...   record P OFFSET VALUE   committed P OFFSET
Exits cleanly (closing the consumer) on SIGTERM.
"""
import signal
import sys

from confluent_kafka import Consumer, TopicPartition

bootstrap, topic, group, strategy, session_timeout, commit_every = sys.argv[1:7]
commit_every = int(commit_every)
running = True


def stop(*_):
    global running
    running = False


signal.signal(signal.SIGTERM, stop)
consumer = Consumer({
    "bootstrap.servers": bootstrap,
    "group.id": group,
    "client.id": "python-member",
    "partition.assignment.strategy": strategy,
    "session.timeout.ms": int(session_timeout),
    "heartbeat.interval.ms": 300,
    "max.poll.interval.ms": 10000,
    "auto.offset.reset": "earliest",
    "enable.auto.commit": False,
})
uncommitted = {}


def say(line):
    print(line, flush=True)


def commit(partitions):
    offsets = [TopicPartition(topic, p, uncommitted[p]) for p in partitions if p in uncommitted]
    if not offsets:
        return
    consumer.commit(offsets=offsets, asynchronous=False)
    for o in offsets:
        del uncommitted[o.partition]
        say("committed %d %d" % (o.partition, o.offset))


def on_assign(_, partitions):
    say("assigned " + ",".join(str(p.partition) for p in partitions))


def on_revoke(_, partitions):
    commit([p.partition for p in partitions])
    say("revoked " + ",".join(str(p.partition) for p in partitions))


consumer.subscribe([topic], on_assign=on_assign, on_revoke=on_revoke)
since_commit = 0
while running:
    message = consumer.poll(0.1)
    if message is None or message.error():
        continue
    say("record %d %d %s" % (message.partition(), message.offset(), message.value().decode()))
    uncommitted[message.partition()] = message.offset() + 1
    since_commit += 1
    if since_commit >= commit_every:
        commit(list(uncommitted))
        since_commit = 0
consumer.close()
say("closed")
