// kafkajs against a cluster through one bootstrap broker.
// `node cluster_group.js produce HOST:PORT TOPIC FIRST COUNT` sends values FIRST..FIRST+COUNT-1,
// record i to partition i % (the topic's partition count), acks from all replicas.
// `node cluster_group.js consume HOST:PORT TOPIC GROUP COUNT` joins GROUP, consumes COUNT records
// (kafkajs commits after each batch and on disconnect) and leaves. Prints "record PARTITION OFFSET VALUE".
const { Kafka, logLevel } = require('kafkajs');

async function main() {
  const [mode, bootstrap, topic, fourth, countText] = process.argv.slice(2);
  const count = Number(countText);
  const kafka = new Kafka({ clientId: 'kafkajs-cluster', brokers: [bootstrap], logLevel: logLevel.ERROR });
  if (mode === 'produce') {
    const first = Number(fourth);
    const admin = kafka.admin();
    await admin.connect();
    const [{ partitions }] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    const messages = [];
    for (let i = first; i < first + count; i++) messages.push({ value: `${i}`, partition: i % partitions.length });
    await producer.send({ topic, messages, acks: -1 });
    await producer.disconnect();
    return;
  }
  const consumer = kafka.consumer({ groupId: fourth, sessionTimeout: 6000, heartbeatInterval: 500, rebalanceTimeout: 10000 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let seen = 0;
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${seen} of ${count} records consumed`)), 90000);
    consumer.run({
      eachMessage: async ({ partition, message }) => {
        console.log(`record ${partition} ${message.offset} ${message.value.toString()}`);
        seen += 1;
        if (seen >= count) { clearTimeout(timer); resolve(); }
      },
    }).catch(reject);
  });
  await consumer.disconnect();
}

main().catch((e) => { console.error(e); process.exit(1); });
